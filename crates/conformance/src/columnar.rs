//! The columnar body (`application/vnd.vantage.columnar`, see `vantage_contract::columnar`): for
//! the same request it decodes to exactly the JSON answer, both say `Vary: Accept`, and a client
//! that does not ask for it by name (or asks badly) still gets JSON.
//!
//! A backend that does not implement the binary body passes by answering JSON to every request:
//! clients go by `Content-Type`. Only a backend that answers the columnar type is checked for
//! equality with its JSON.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use vantage_contract::columnar;

use crate::http::RawResp;
use crate::support::is_query_result;
use crate::Ctx;

const HOUR: i64 = 3_600_000;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(t) = ctx.token("analyst@healthco.test") else {
        return;
    };
    // A closed window in the past, so the two answers see the same rows on a live server.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let range = json!({ "from": now - 26 * HOUR, "to": now - 2 * HOUR });
    let query = json!({ "dataset": "validations", "dimensions": ["status"],
        "measures": [{ "field": "*", "agg": "count" }, { "field": "latency_ms", "agg": "p95" },
                     { "field": "confidence", "agg": "avg" }],
        "timeRange": range, "granularity": "1h", "sort": [{ "field": "time", "dir": "asc" }] });
    same_answer(ctx, &t, "/api/v1/query", &query, "a query");
    let dashboard = "/api/v1/dashboards/healthco-ai-quality/data";
    same_answer(
        ctx,
        &t,
        dashboard,
        &json!({ "timeRange": range }),
        "dashboard data",
    );
    for accept in [
        "*/*",
        "application/json",
        "application/vnd.vantage.columnar;q=0, application/json",
        "application/vnd.vantage.columnarx",
        "garbage;;q=x,,/",
    ] {
        let r = ctx
            .http
            .post_bytes("/api/v1/query", Some(&t), &query, &[("Accept", accept)]);
        let json_body = r.as_ref().ok().and_then(json_of);
        ctx.check(
            &format!("Accept: {accept:?} gets the JSON body"),
            json_body.as_ref().is_some_and(is_query_result),
            || describe(&r),
        );
    }
}

/// Checks that `path` answers the columnar body to a client asking for it and that the body
/// decodes to the JSON answer. Retries twice when the two differ, in case data arrived between
/// the requests.
fn same_answer(ctx: &mut Ctx, token: &str, path: &str, body: &Value, what: &str) {
    let accept = [(
        "Accept",
        "application/vnd.vantage.columnar, application/json;q=0.9",
    )];
    let mut last = String::new();
    for _ in 0..3 {
        let binary = ctx.http.post_bytes(path, Some(token), body, &accept);
        let plain = ctx.http.post_bytes(path, Some(token), body, &[]);
        let (binary, plain) = match (binary, plain) {
            (Ok(b), Ok(p)) if b.status == 200 && p.status == 200 => (b, p),
            (b, p) => {
                last = format!("binary: {}; JSON: {}", describe(&b), describe(&p));
                break;
            }
        };
        let varies = |r: &RawResp| {
            r.header("vary").is_some_and(|v| {
                v.split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case("accept"))
            })
        };
        if !binary
            .header("content-type")
            .is_some_and(|c| c.starts_with(columnar::MEDIA_TYPE))
        {
            // Not implemented by this backend: it must still answer JSON.
            ctx.check(
                &format!("{what}: a backend without the columnar body answers JSON"),
                json_of(&binary).is_some(),
                || describe(&Ok(binary.clone())),
            );
            return;
        }
        ctx.check(
            &format!("{what}: both bodies say Vary: Accept"),
            varies(&binary) && varies(&plain),
            || format!("{:?} / {:?}", binary.headers, plain.headers),
        );
        let decoded = if path.ends_with("/data") {
            columnar::decode_dashboard_data(&binary.bytes)
                .map(|d| serde_json::to_value(d.data).unwrap_or_default())
        } else {
            columnar::decode_result(&binary.bytes)
                .map(|d| serde_json::to_value(d.result).unwrap_or_default())
        };
        let decoded = match decoded {
            Ok(v) => v,
            Err(e) => {
                last = format!("the columnar body does not decode: {e}");
                break;
            }
        };
        let Some(json_body) = json_of(&plain) else {
            last = format!("the JSON body is not JSON: {}", describe(&Ok(plain)));
            break;
        };
        match difference(
            &volatile_cleared(decoded),
            &volatile_cleared(json_body),
            "$",
        ) {
            None => {
                ctx.check(
                    &format!("{what}: the columnar body decodes to the JSON answer"),
                    true,
                    String::new,
                );
                return;
            }
            Some(d) => last = d,
        }
    }
    ctx.check(
        &format!("{what}: the columnar body decodes to the JSON answer"),
        false,
        || last,
    );
}

fn json_of(r: &RawResp) -> Option<Value> {
    let json = r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"));
    json.then(|| serde_json::from_slice(&r.bytes).ok())
        .flatten()
}

fn describe(r: &Result<RawResp, String>) -> String {
    match r {
        Ok(r) => format!(
            "{} {:?} {}",
            r.status,
            r.header("content-type"),
            crate::truncate(&String::from_utf8_lossy(&r.bytes))
        ),
        Err(e) => e.clone(),
    }
}

/// Clears what legitimately differs between two requests: execution time, snapshot time and
/// the live cursor.
fn volatile_cleared(mut v: Value) -> Value {
    fn clear(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in ["executionMs", "generatedAt", "liveCursor", "requestId"] {
                    if let Some(slot) = map.get_mut(key) {
                        *slot = Value::Null;
                    }
                }
                map.values_mut().for_each(clear);
            }
            Value::Array(items) => items.iter_mut().for_each(clear),
            _ => {}
        }
    }
    clear(&mut v);
    v
}

/// Where `a` and `b` differ, if they do. Numbers must be the same kind (integer or float, as
/// JSON spells them); floats may differ by one unit in the last place, because serde_json's
/// default float parsing (no `float_roundtrip`) can be one ulp off the text the server wrote.
fn difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let ulps = x.to_bits().abs_diff(y.to_bits());
            (x.signum() != y.signum() || ulps > 1).then(|| format!("{at}: {x} ≠ {y}"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{at}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(k, v)| match y.get(k) {
                Some(w) => difference(v, w, &format!("{at}.{k}")),
                None => Some(format!("{at}.{k} only in the columnar body")),
            })
        }
        _ => (a != b).then(|| {
            let show = |v: &Value| crate::truncate(&v.to_string());
            format!("{at}: {} ≠ {}", show(a), show(b))
        }),
    }
}
