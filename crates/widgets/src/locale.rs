//! The viewer's locale and time zone: which `Intl` locale numbers and dates are formatted in
//! (see [`crate::format`]), which message catalog UI text comes from (see [`crate::messages`]),
//! and which IANA time zone times are shown in.
//!
//! One setting per page (the widgets of every embed and the app share it): an embed sets it from
//! its `locale`/`timeZone` options and `setLocale()`. Components that show formatted text call
//! [`track`] inside their render closures, so a change re-renders them without reloading data.
//!
//! ```
//! use vantage_widgets::locale::{self, Locale};
//! locale::set_active(Locale { tag: Some("de-DE".into()), time_zone: None });
//! assert_eq!(locale::language(), "de");
//! locale::set_active(Locale::default());
//! ```

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::reactive::graph::{Observer, Source};

/// A BCP 47 locale tag and an IANA time zone; `None` means the browser's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locale {
    /// `de-DE`, `en-IN`, `ja`…
    pub tag: Option<String>,
    /// `Europe/Berlin`, `Asia/Tokyo`…
    pub time_zone: Option<String>,
}

thread_local! {
    static ACTIVE: RefCell<Locale> = RefCell::new(Locale::default());
    // Reference-counted, not arena-owned: it outlives any one embed's reactive owner.
    static REVISION: ArcRwSignal<u64> = ArcRwSignal::new(0);
}

/// The active locale and time zone.
pub fn active() -> Locale {
    ACTIVE.with(|a| a.borrow().clone())
}

/// Sets the locale and time zone; when they change, cached formatters are dropped and every
/// component that called [`track`] re-renders.
pub fn set_active(locale: Locale) {
    let changed = ACTIVE.with(|a| {
        let mut current = a.borrow_mut();
        let changed = *current != locale;
        *current = locale;
        changed
    });
    if changed {
        crate::format::clear_caches();
        REVISION.with(|r| r.update(|n| *n += 1));
    }
}

/// Subscribes the running reactive closure to locale changes, until it re-runs or its owner is
/// cleaned up.
///
/// The revision signal lives for the page, and a reactive_graph source only drops a dead
/// subscriber when it next notifies: without the cleanup below, every effect that ever tracked
/// the locale stayed in its subscriber list (one 48-byte allocation per render effect, 26 per
/// embed mount/destroy cycle of the demo dashboard, never freed while the locale stays put).
pub fn track() {
    REVISION.with(|r| r.track());
    if let Some(subscriber) = Observer::get() {
        on_cleanup(move || {
            // After thread-local teardown there is nothing left to unsubscribe from.
            let _ = REVISION.try_with(|r| r.remove_subscriber(&subscriber));
        });
    }
}

/// The locale tag formatters use: the active one, else the browser's (`navigator.language`),
/// else `en`.
pub fn effective_tag() -> String {
    active().tag.unwrap_or_else(browser_language)
}

/// The catalog language of the active locale (`de` for `de-AT`), `en` when none matches.
pub fn language() -> &'static str {
    crate::messages::catalog_language(&effective_tag())
}

#[cfg(target_arch = "wasm32")]
fn browser_language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn browser_language() -> String {
    "en".into()
}
