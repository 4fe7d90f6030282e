//! The signed-in user's language and time zone, chosen on the account page and remembered per
//! user in this browser's `localStorage`. The locale drives number/date formats and UI text
//! (see `vantage_widgets::locale`); the time zone is sent with dashboard data requests, so the
//! server buckets days and resolves `today` in it.

use vantage_widgets::locale::{self, Locale};

/// Locale choices offered on the account page: `(tag, name)`; `""` is the browser's.
pub const LOCALES: [(&str, &str); 8] = [
    ("", "Browser default"),
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("en-IN", "English (India)"),
    ("de-DE", "Deutsch (Deutschland)"),
    ("fr-FR", "Français (France)"),
    ("es-ES", "Español (España)"),
    ("ja-JP", "日本語 (日本)"),
];

/// What one user chose (`None`: the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    pub locale: Option<String>,
    pub time_zone: Option<String>,
}

impl Preferences {
    /// From the form's values: blank means the default.
    pub fn from_form(locale: &str, time_zone: &str) -> Self {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Self {
            locale: some(locale),
            time_zone: some(time_zone),
        }
    }

    /// Makes these the page's formatting locale and display time zone, and remembers them as
    /// this browser's current choice ([`current`]), which a reload reads before the signed-in
    /// user is known again.
    pub fn apply(&self) {
        save(CURRENT, self);
        locale::set_active(Locale {
            tag: self.locale.clone(),
            time_zone: self.time_zone.clone(),
        });
    }
}

/// Storage slot of the choice in force (see [`Preferences::apply`]).
const CURRENT: &str = "current";

/// The choice in force on this browser: the last applied user's.
pub fn current() -> Preferences {
    load(CURRENT)
}

fn key(user_id: &str, what: &str) -> String {
    format!("vantage.{what}.{user_id}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored choice of `user_id`.
pub fn load(user_id: &str) -> Preferences {
    let get = |what: &str| {
        storage()
            .and_then(|s| s.get_item(&key(user_id, what)).ok().flatten())
            .filter(|v| !v.is_empty())
    };
    Preferences {
        locale: get("locale"),
        time_zone: get("timeZone"),
    }
}

/// Stores `prefs` for `user_id` (best effort: private browsing may refuse).
pub fn save(user_id: &str, prefs: &Preferences) {
    let Some(storage) = storage() else { return };
    for (what, value) in [("locale", &prefs.locale), ("timeZone", &prefs.time_zone)] {
        let _ = match value {
            Some(v) => storage.set_item(&key(user_id, what), v),
            None => storage.remove_item(&key(user_id, what)),
        };
    }
}

/// The IANA zones this browser knows (`Intl.supportedValuesOf("timeZone")`), for the picker.
pub fn known_time_zones() -> Vec<String> {
    use wasm_bindgen::JsCast;
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let list = intl
        .and_then(|i| js_sys::Reflect::get(&i, &"supportedValuesOf".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| {
            f.call1(&wasm_bindgen::JsValue::UNDEFINED, &"timeZone".into())
                .ok()
        })
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok());
    match list {
        Some(list) => list.iter().filter_map(|v| v.as_string()).collect(),
        None => [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Asia/Tokyo",
            "Asia/Kolkata",
        ]
        .map(str::to_owned)
        .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_form_values_mean_the_defaults() {
        assert_eq!(Preferences::from_form(" ", ""), Preferences::default());
        assert_eq!(
            Preferences::from_form("de-DE", "Europe/Berlin"),
            Preferences {
                locale: Some("de-DE".into()),
                time_zone: Some("Europe/Berlin".into())
            }
        );
        assert_eq!(key("u1", "timeZone"), "vantage.timeZone.u1");
    }
}
