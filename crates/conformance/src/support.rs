//! Helpers shared by the check files: a count query, result-shape and status predicates.

use crate::http::Resp;
use crate::truncate;
use serde_json::{json, Value};

pub const COUNT: &str = r#"[{"field":"*","agg":"count"}]"#;

pub fn count_query() -> Value {
    json!({ "dataset": "validations", "measures": serde_json::from_str::<Value>(COUNT).unwrap_or_default(), "timeRange": { "preset": "last24h" } })
}

pub fn is_query_result(v: &Value) -> bool {
    let (Some(cols), Some(data)) = (v["columns"].as_array(), v["data"].as_array()) else {
        return false;
    };
    cols.len() == data.len()
        && cols
            .iter()
            .all(|c| c["name"].is_string() && c["type"].is_string())
        && data.iter().all(|d| {
            d.as_array().map(Vec::len) == data.first().and_then(|f| f.as_array()).map(Vec::len)
        })
        && v["meta"]["executionMs"].is_number()
        && v["meta"]["totalRows"].is_u64()
        && v["meta"]["truncated"].is_boolean()
}

pub fn body_ok(r: &Result<Resp, String>, status: u16, f: impl Fn(&Value) -> bool) -> bool {
    r.as_ref().is_ok_and(|r| r.status == status && f(&r.body))
}

pub fn show(r: &Result<Resp, String>) -> String {
    match r {
        Ok(r) => format!("{} {}", r.status, truncate(&r.text)),
        Err(e) => e.clone(),
    }
}
