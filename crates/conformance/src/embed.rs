//! Embed tokens: scope, origins, CORS and the embed dashboard endpoint.

use crate::support::{body_ok, count_query, show};
use crate::Ctx;
use serde_json::json;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(manager) = ctx.token("manager@healthco.test") else {
        return;
    };
    let origin = ctx.origin.clone();
    let req = json!({ "dashboardId": "healthco-sales", "allowedOrigins": [origin], "permissions": [],
        "lockedFilters": [{ "field": "region", "op": "eq", "value": "north" }], "expiresIn": 600 });
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &req);
    ctx.check(
        "manager creates an embed token",
        body_ok(&r, 200, |b| {
            b["token"].is_string() && b["expiresAt"].is_i64()
        }),
        || show(&r),
    );
    let Some(token) = r
        .ok()
        .and_then(|r| r.body["token"].as_str().map(str::to_owned))
    else {
        return;
    };
    let r = ctx.http.call(
        "GET",
        "/api/v1/embed/dashboard",
        Some(&token),
        None,
        &[("Origin", &origin)],
    );
    ctx.check(
        "embed dashboard returns dashboard + branding",
        body_ok(&r, 200, |b| {
            b["dashboard"]["id"] == "healthco-sales" && b["branding"]["primaryColor"].is_string()
        }),
        || show(&r),
    );
    let r = ctx.http.call(
        "GET",
        "/api/v1/embed/dashboard",
        Some(&token),
        None,
        &[("Origin", "https://evil.example.com")],
    );
    ctx.expect("embed token from a foreign origin → 403", &r, &[403]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-sales/data",
        Some(&token),
        Some("{}"),
        &[("Origin", &origin)],
    );
    let locked = body_ok(&r, 200, |b| {
        let w = &b["widgets"]["by-region"];
        w["data"][0]
            .as_array()
            .is_some_and(|regions| !regions.is_empty() && regions.iter().all(|x| x == "north"))
    });
    ctx.check("embed data always applies locked filters", locked, || {
        show(&r)
    });
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-sales/data",
        Some(&token),
        Some(r#"{"filters":[{"field":"region","op":"eq","value":"south"}]}"#),
        &[("Origin", &origin)],
    );
    let cannot_widen = body_ok(&r, 200, |b| {
        b["widgets"]["by-region"]["data"][0]
            .as_array()
            .is_some_and(|v| v.iter().all(|x| x == "north"))
    });
    ctx.check(
        "embed filters cannot remove locked filters",
        cannot_widen,
        || show(&r),
    );
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-ai-quality/data",
        Some(&token),
        Some("{}"),
        &[],
    );
    ctx.expect(
        "embed token on another dashboard → 403/404",
        &r,
        &[403, 404],
    );
    let r = ctx.http.get("/api/v1/dashboards", Some(&token));
    ctx.expect("embed token cannot list dashboards → 403", &r, &[403]);
    let r = ctx.http.post("/api/v1/query", Some(&token), &count_query());
    ctx.expect("embed token cannot run free queries → 403", &r, &[403]);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&token), &req);
    ctx.expect("embed token cannot mint embed tokens → 403", &r, &[403]);
    let mut bad = req.clone();
    bad["allowedOrigins"] = json!(["https://not-allowed.example.com"]);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed origins outside the tenant's → 422", &r, &[422]);
    let mut bad = req.clone();
    bad["expiresIn"] = json!(90_000);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed token lifetime over 24h → 422", &r, &[422]);
    let mut bad = req.clone();
    bad["dashboardId"] = json!("does-not-exist");
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed token for an unknown dashboard → 404", &r, &[404]);
    let r = ctx.http.call(
        "OPTIONS",
        "/api/v1/embed/dashboard",
        None,
        None,
        &[
            ("Origin", &origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    );
    let allowed = r.as_ref().is_ok_and(|r| {
        r.status < 300 && r.header("access-control-allow-origin") == Some(origin.as_str())
    });
    ctx.check("CORS preflight from an allowed origin", allowed, || {
        show(&r)
    });
    let r = ctx.http.call(
        "OPTIONS",
        "/api/v1/embed/dashboard",
        None,
        None,
        &[
            ("Origin", "https://evil.example.com"),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    let denied = r
        .as_ref()
        .is_ok_and(|r| r.header("access-control-allow-origin").is_none());
    ctx.check(
        "CORS preflight from an unknown origin is not allowed",
        denied,
        || show(&r),
    );
}
