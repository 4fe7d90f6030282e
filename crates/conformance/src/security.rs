//! Security rules that cut across areas: a token in the URL (`?access_token=`) is accepted
//! only by the two live endpoints (EventSource cannot send headers); every other endpoint
//! answers `401` in the error shape, even for a valid token, so tokens are not pushed into
//! URLs that end up in logs, browser history and `Referer` headers. Client numbers are
//! bounded: `/dashboards/{id}/data` caps its filters like `/query` (50), and extreme numbers
//! (time ranges at `i64::MIN`/`i64::MAX`, widget positions at `u32::MAX`) get `422` naming
//! the field, never a `500`. Login is rate-limited: a flood of wrong passwords for one account
//! gets `429 rate_limited` with `Retry-After` (within [`FLOOD_MAX`] attempts), while a
//! dashboard save made during the flood succeeds and other accounts still sign in.

use crate::dashboards::new_dashboard;
use crate::http::Resp;
use crate::support::show;
use crate::Ctx;
use serde_json::{json, Value};

/// Wrong-password logins for one account after which a `429` must have been seen.
pub const FLOOD_MAX: usize = 100;

/// Runs this area's checks (the login flood last: it spends this client's sign-in budget).
pub fn run(ctx: &mut Ctx) {
    url_tokens(ctx);
    client_numbers(ctx);
    login_flood(ctx);
}

/// Sends wrong-password logins for a fresh account until a `429` (or [`FLOOD_MAX`]); returns
/// the attempt number and the response of the first `429`.
fn flood(base: &str, email: &str) -> Option<(usize, Resp)> {
    let http = crate::http::Client::new(base);
    let body = json!({ "email": email, "password": "not-the-password" });
    (1..=FLOOD_MAX).find_map(|i| {
        http.post("/api/v1/auth/login", None, &body)
            .ok()
            .filter(|r| r.status == 429)
            .map(|r| (i, r))
    })
}

fn login_flood(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let created = ctx.http.post(
        "/api/v1/dashboards",
        Some(&admin),
        &new_dashboard("conformance flood"),
    );
    let Some((id, version)) = created.as_ref().ok().and_then(|r| {
        Some((
            r.body["id"].as_str().map(str::to_owned)?,
            r.body["version"].as_u64()?,
        ))
    }) else {
        ctx.check("create a dashboard for the flood check", false, || {
            show(&created)
        });
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let email = format!("flood-{nanos}@healthco.test");
    let base = ctx.http.base.clone();
    let flooder = std::thread::spawn(move || flood(&base, &email));
    // A save by a signed-in user while the flood runs.
    let mut saved = new_dashboard("conformance flood (saved during a login flood)");
    saved["version"] = json!(version);
    let r = ctx
        .http
        .put(&format!("/api/v1/dashboards/{id}"), Some(&admin), &saved);
    ctx.expect("dashboard save during a login flood → 200", &r, &[200]);
    let outcome = flooder.join().ok().flatten();
    ctx.check(
        "login flood for one account → 429 rate_limited with Retry-After",
        outcome.as_ref().is_some_and(|(_, r)| {
            r.is_error_body()
                && r.error_code() == Some("rate_limited")
                && r.header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .is_some_and(|s| s >= 1)
        }),
        || match &outcome {
            Some((i, r)) => format!("attempt {i}: {} {:?}", r.text, r.headers),
            None => format!("no 429 within {FLOOD_MAX} attempts"),
        },
    );
    let other = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "viewer@healthco.test", "password": crate::PASSWORD }),
    );
    ctx.expect(
        "another account still signs in after the flood → 200",
        &other,
        &[200],
    );
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&admin),
        None,
        &[],
    );
    ctx.expect("delete the flood-check dashboard", &r, &[204, 200]);
}

/// A 422 whose `details.field` starts with `field`.
fn names_field(r: &Result<Resp, String>, field: &str) -> bool {
    r.as_ref().is_ok_and(|r| {
        r.status == 422
            && r.is_error_body()
            && r.body["error"]["details"]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field))
    })
}

fn client_numbers(ctx: &mut Ctx) {
    let (Some(admin), Some(analyst)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("analyst@healthco.test"),
    ) else {
        return;
    };
    let created = ctx.http.post(
        "/api/v1/dashboards",
        Some(&admin),
        &new_dashboard("conformance security"),
    );
    let Some(id) = created
        .as_ref()
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned))
    else {
        ctx.check("create a dashboard for the limit checks", false, || {
            show(&created)
        });
        return;
    };
    let data = format!("/api/v1/dashboards/{id}/data");
    let filter = json!({ "field": "status", "op": "eq", "value": "VALID" });
    let many: Vec<Value> = vec![filter.clone(); 51];
    let r = ctx
        .http
        .post(&data, Some(&analyst), &json!({ "filters": many }));
    ctx.check(
        "dashboard data with 51 filters → 422 (filters)",
        names_field(&r, "filters"),
        || show(&r),
    );
    let few: Vec<Value> = vec![filter; 50];
    let r = ctx
        .http
        .post(&data, Some(&analyst), &json!({ "filters": few }));
    ctx.expect("dashboard data with 50 filters → 200", &r, &[200]);
    let huge = json!({ "from": i64::MIN, "to": i64::MAX });
    let r = ctx
        .http
        .post(&data, Some(&analyst), &json!({ "timeRange": huge }));
    ctx.check(
        "dashboard data with timeRange i64::MIN..i64::MAX → 422 (timeRange)",
        names_field(&r, "timeRange"),
        || show(&r),
    );
    let query = json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }],
        "timeRange": huge, "granularity": "1m" });
    let r = ctx.http.post("/api/v1/query", Some(&analyst), &query);
    ctx.check(
        "query with timeRange i64::MIN..i64::MAX and granularity → 422 (timeRange)",
        names_field(&r, "timeRange"),
        || show(&r),
    );
    let query = json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }],
        "timeRange": { "from": 0, "to": i64::MAX }, "comparePrevious": true });
    let r = ctx.http.post("/api/v1/query", Some(&analyst), &query);
    ctx.check(
        "query comparing the period before 0..i64::MAX → 422 (timeRange)",
        names_field(&r, "timeRange"),
        || show(&r),
    );
    let r = ctx.http.get(
        &format!(
            "/api/v1/datasets/validations/rows?from={}&to={}",
            i64::MIN,
            i64::MAX
        ),
        Some(&analyst),
    );
    ctx.expect("rows with from=i64::MIN&to=i64::MAX → 422", &r, &[422]);
    let mut bad = new_dashboard("overflow");
    bad["widgets"][0]["position"]["x"] = json!(u32::MAX);
    let r = ctx.http.post("/api/v1/dashboards", Some(&admin), &bad);
    ctx.check(
        "widget at x = u32::MAX → 422 (widgets[0].position)",
        names_field(&r, "widgets[0].position"),
        || show(&r),
    );
    let mut bad = new_dashboard("overflow");
    bad["widgets"][0]["position"]["w"] = json!(u32::MAX);
    let r = ctx.http.post("/api/v1/dashboards", Some(&admin), &bad);
    ctx.check(
        "widget with w = u32::MAX → 422 (widgets[0].position)",
        names_field(&r, "widgets[0].position"),
        || show(&r),
    );
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&admin),
        None,
        &[],
    );
    ctx.expect("delete the limit-check dashboard", &r, &[204, 200]);
}

fn url_tokens(ctx: &mut Ctx) {
    let Some(token) = ctx.token("analyst@healthco.test") else {
        return;
    };
    let with_header = ctx.http.get("/api/v1/dashboards", Some(&token));
    ctx.expect(
        "dashboards with a bearer header → 200",
        &with_header,
        &[200],
    );
    for path in [
        "/api/v1/dashboards",
        "/api/v1/datasets",
        "/api/v1/auth/me",
        "/api/v1/alerts",
    ] {
        let r = ctx.http.get(&format!("{path}?access_token={token}"), None);
        ctx.expect(
            &format!("{path}?access_token= (token in the URL) → 401"),
            &r,
            &[401],
        );
    }
    // The live endpoint still takes it (the stream is read by the live area's checks; here
    // only the status line matters, so a one-second read timeout is enough).
    let r = sse_status(ctx, &token);
    ctx.check(
        "live/sse?access_token= still accepted → 200",
        r == Ok(200),
        || format!("{r:?}"),
    );
}

/// The status of `GET /api/v1/live/sse?access_token=…` (the body is a stream; not read).
fn sse_status(ctx: &Ctx, token: &str) -> Result<u16, String> {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let hostport = crate::http::host_port(&ctx.http.base);
    let mut s = TcpStream::connect(&hostport).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET /api/v1/live/sse?channels=metrics&access_token={token} HTTP/1.1\r\nHost: {hostport}\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(s)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status line: {line:?}"))
}
