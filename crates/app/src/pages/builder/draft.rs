//! Local drafts: the builder writes the document to `localStorage` after every edit, so a closed
//! tab or an expired session never loses work; the next visit offers to restore it. A draft is
//! keyed by user and dashboard (`new` for one never saved) and removed after a successful save or
//! an explicit discard.

use serde::{Deserialize, Serialize};
use vantage_contract::DashboardInput;

const PREFIX: &str = "vantage.builderDraft";

/// One saved draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// The stored dashboard it edits, if it was ever saved.
    pub dashboard_id: Option<String>,
    /// The version the edit was based on.
    pub base_version: Option<u64>,
    pub doc: DashboardInput,
    /// When it was written (epoch ms).
    pub saved_at: f64,
}

/// The storage key for `user_id` editing `dashboard_id` (`None` = a new dashboard).
pub fn key(user_id: &str, dashboard_id: Option<&str>) -> String {
    format!("{PREFIX}.{user_id}.{}", dashboard_id.unwrap_or("new"))
}

impl Draft {
    /// Parses a stored draft; anything unreadable (an older format, a hand edit) is ignored.
    pub fn parse(text: &str) -> Option<Draft> {
        serde_json::from_slice(text.as_bytes()).ok()
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Reads the draft under `key`, if any.
pub fn load(key: &str) -> Option<Draft> {
    Draft::parse(&storage()?.get_item(key).ok()??)
}

/// Writes `draft` under `key`. Storage may be full or disabled; the editor keeps working then,
/// so the failure is reported rather than raised.
pub fn store(key: &str, draft: &Draft) -> bool {
    storage().is_some_and(|s| s.set_item(key, &draft.to_json()).is_ok())
}

/// Removes the draft under `key`.
pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::builder::state::BuilderState;

    #[test]
    fn drafts_round_trip_and_bad_ones_are_ignored() {
        let draft = Draft {
            dashboard_id: Some("d1".into()),
            base_version: Some(3),
            doc: BuilderState::blank("Untitled dashboard").doc,
            saved_at: 1.0,
        };
        assert_eq!(Draft::parse(&draft.to_json()), Some(draft));
        assert_eq!(Draft::parse("{\"doc\": 1}"), None);
        assert_eq!(Draft::parse("not json"), None);
    }

    #[test]
    fn keys_separate_users_and_dashboards() {
        assert_eq!(key("u1", None), "vantage.builderDraft.u1.new");
        assert_ne!(key("u1", Some("d")), key("u2", Some("d")));
    }
}
