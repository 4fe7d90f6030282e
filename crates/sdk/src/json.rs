//! JSON to typed values with one deserialiser per type in the wasm.
//!
//! serde compiles a separate copy of a type's deserialiser for every input it is read from: a
//! byte slice, a `&str`, a `serde_json::Value` (`from_value`). The client reads every response
//! body with `serde_json::from_slice`, so that is the copy every type already has; these helpers
//! route the other inputs through it rather than adding a second copy (a `Value` read into a
//! struct compiled ≈ 1–4 KB more per type; see BENCHMARKS.md "App first load").
//!
//! A host's JS values (options, method arguments) are read the same way ([`from_js`]): the
//! browser's `JSON.stringify`, then the slice deserialiser — not serde-wasm-bindgen's
//! deserialiser, which compiled a third copy of each type it read.
//!
//! The crates whose code reaches the browser forbid `serde_json::from_str` through their
//! `clippy.toml`. Their non-test code uses [`from_value`] instead of `serde_json::from_value`
//! by convention only (no lint: their tests build values with `json!` and read them freely).

use serde::de::DeserializeOwned;
use serde_json::Value;

/// `value` as a `T`: written out as JSON and read back with the slice deserialiser. Costs a
/// short serialisation; meant for small values (a live message's payload, an error's details,
/// a host's option object), not for bulk data.
///
/// # Errors
/// serde_json's error when `value` does not have `T`'s shape (it names the field and what was
/// expected, as `from_value` would).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> serde_json::Result<T> {
    serde_json::from_slice(&serde_json::to_vec(value)?).map_err(without_position)
}

// The position is in text the caller never wrote: the widgets' helper drops it.
use vantage_widgets::echarts::without_position;

/// A JS value a host passed in as a `T` (`JSON.stringify`, then the slice deserialiser): the
/// widgets crate's, which reads a chart click's value the same way.
pub use vantage_widgets::echarts::from_js;

/// A contract enum from its wire name (`p95`, `1h`, `last24h`, `heatmap`…); `None` for any
/// other text.
pub fn from_wire_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_slice(&serde_json::to_vec(name).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Alert, Filter, TimePreset};

    #[test]
    fn reads_a_value_as_from_value_would() {
        let value = json!({"field": "region", "op": "in", "values": ["EU", "US \"west\""]});
        let ours: Filter = from_value(&value).unwrap();
        let theirs: Filter = serde_json::from_value(value).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_value_of_the_wrong_shape_is_an_error_naming_what_was_expected() {
        let value = json!({"field": "region", "op": "roughly"});
        let ours = from_value::<Filter>(&value).unwrap_err().to_string();
        let theirs = serde_json::from_value::<Filter>(value)
            .unwrap_err()
            .to_string();
        assert!(ours.starts_with("unknown variant `roughly`"), "{ours}");
        assert_eq!(ours, theirs);
        let err = from_value::<Alert>(&json!({"id": 7}))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid type: integer `7`"), "{err}");
        assert!(!err.contains("line"), "{err}");
    }

    #[test]
    fn wire_names() {
        assert_eq!(
            from_wire_name::<TimePreset>("last24h"),
            Some(TimePreset::Last24h)
        );
        assert_eq!(from_wire_name::<TimePreset>("last 24h"), None);
        assert_eq!(from_wire_name::<TimePreset>("\"last24h\""), None);
    }
}
