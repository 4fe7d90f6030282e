//! The app's UI text in English, German, French, Spanish and Japanese, on the widgets' catalog
//! machinery ([`vantage_widgets::messages::text_from`]). Each area of the app has its own key
//! type and catalogs (one module each); [`tr`] and [`trf`] take any of them. The language is the
//! active locale's (the account page's choice, else the browser's), a missing key falls back to
//! English, and each module's test fails when a catalog lacks a key, repeats one, leaves one
//! blank or changes a placeholder.
//!
//! Error messages from the server are localised by their contract `code` in the widgets'
//! catalog (see `vantage_sdk::SdkError::user_message`), so every backend gets the same text.

mod accounts;
mod builder;
mod chrome;
mod import;
mod publish;
mod rules;
mod webhooks;

pub use accounts::A;
pub use builder::B;
pub use chrome::T;
pub use import::I;
pub use publish::P;
pub use rules::R;
pub use webhooks::W;

use vantage_widgets::locale;
use vantage_widgets::messages::{self, fill, text_from, Msg, Table};

/// A key type with one catalog per language (English first: the fallback).
pub trait Key: PartialEq + Copy + std::fmt::Debug + 'static {
    /// The catalogs by language subtag; the first is the fallback.
    const CATALOGS: [(&'static str, Table<Self>); 5];
}

/// `key` in the active language. Subscribes the running reactive closure to locale changes,
/// so `move || tr(T::SignOut)` follows the account page's choice without a reload.
pub fn tr<K: Key>(key: K) -> &'static str {
    locale::track();
    text_from(&K::CATALOGS, locale::language(), key)
}

/// `key` in the active language with `{0}`, `{1}`… replaced by `args` (inserted as text).
pub fn trf<K: Key>(key: K, args: &[&str]) -> String {
    fill(tr(key), args)
}

/// A string of the widgets' catalog (`Retry`, `Live`…) in the active language, tracked like
/// [`tr`], so the app and its widgets say the same thing the same way.
pub fn tw(msg: Msg) -> &'static str {
    locale::track();
    messages::t(msg)
}

/// For each module's test: every catalog has every key of `all` exactly once, non-blank, with
/// the English placeholders, and `all` lists each key once and all of them.
#[cfg(test)]
pub(crate) fn assert_complete<K: Key>(all: &[K]) {
    let problems = messages::catalog_problems(&K::CATALOGS, all);
    assert!(problems.is_empty(), "{problems:#?}");
    for (i, key) in all.iter().enumerate() {
        assert!(!all[..i].contains(key), "{key:?} is listed twice");
    }
    assert_eq!(
        all.len(),
        K::CATALOGS[0].1.len(),
        "the key list and the English catalog differ"
    );
}
