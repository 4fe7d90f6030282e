//! Tenant isolation on every REST endpoint.

use crate::dashboards::new_dashboard;
use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::json;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(foreign), Some(owner), Some(owner_manager)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("admin@autoinsure.test"),
        ctx.token("manager@autoinsure.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/dashboards", Some(&foreign));
    let leaks = r
        .as_ref()
        .ok()
        .map(|r| r.text.contains("autoinsure-") || r.text.contains("\"autoinsure\""))
        .unwrap_or(true);
    ctx.check(
        "isolation: dashboard list shows only own tenant",
        !leaks,
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/tenant", Some(&foreign));
    ctx.check(
        "isolation: tenant is the caller's",
        body_ok(&r, 200, |b| b["id"] == "healthco"),
        || show(&r),
    );
    let d = "autoinsure-ai-quality";
    let cases: Vec<(&str, String, Option<String>)> = vec![
        ("GET", format!("/api/v1/dashboards/{d}"), None),
        (
            "PUT",
            format!("/api/v1/dashboards/{d}"),
            Some(new_dashboard("hijack").to_string().replace(
                "\"refreshIntervalSec\":0",
                "\"refreshIntervalSec\":0,\"version\":1",
            )),
        ),
        ("DELETE", format!("/api/v1/dashboards/{d}"), None),
        (
            "POST",
            format!("/api/v1/dashboards/{d}/data"),
            Some("{}".into()),
        ),
    ];
    for (m, path, body) in cases {
        let r = ctx
            .http
            .call(m, &path, Some(&foreign), body.as_deref(), &[]);
        ctx.expect(
            &format!("isolation: {m} {path} with another tenant's token → 403/404"),
            &r,
            &[403, 404],
        );
    }
    let r = ctx.http.get("/api/v1/alerts", Some(&owner));
    if let Some(id) = r
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
    {
        for action in ["acknowledge", "resolve"] {
            let r = ctx.http.post(
                &format!("/api/v1/alerts/{id}/{action}"),
                Some(&foreign),
                &json!({}),
            );
            ctx.expect(
                &format!("isolation: {action} another tenant's alert → 403/404"),
                &r,
                &[403, 404],
            );
        }
        let r = ctx.http.get("/api/v1/alerts", Some(&foreign));
        let leaked = r.as_ref().map_or(true, |r| r.text.contains(&id));
        ctx.check(
            "isolation: alert list never shows another tenant's alerts",
            !leaked,
            || show(&r),
        );
    }
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&foreign),
        &json!({ "dashboardId": d, "allowedOrigins": [ctx.origin] }),
    );
    ctx.expect(
        "isolation: embed token for another tenant's dashboard → 403/404",
        &r,
        &[403, 404],
    );
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&owner_manager),
        &json!({ "dashboardId": d, "allowedOrigins": [ctx.origin] }),
    );
    if let Some(t) = r
        .ok()
        .and_then(|r| r.body["token"].as_str().map(str::to_owned))
    {
        let r = ctx.http.post(
            "/api/v1/dashboards/healthco-ai-quality/data",
            Some(&t),
            &json!({}),
        );
        ctx.expect(
            "isolation: autoinsure embed token on a healthco dashboard → 403/404",
            &r,
            &[403, 404],
        );
    }
    // A window that ended ten minutes ago, so the live generator cannot change the answers
    // between the two requests; several aggregates, so two tenants cannot match by chance
    // (a single count did: 1706 vs 1706).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let q = json!({
        "dataset": "validations",
        "measures": [
            { "field": "*", "agg": "count" },
            { "field": "latency_ms", "agg": "sum" },
            { "field": "confidence", "agg": "sum" }
        ],
        "filters": [{ "field": "intent", "op": "eq", "value": "billing" }],
        "timeRange": { "from": now_ms - 30 * 86_400_000, "to": now_ms - 600_000 }
    });
    let totals = |token: &str| {
        ctx.http
            .post("/api/v1/query", Some(token), &q)
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| r.body["data"].clone())
    };
    let (a, b) = (totals(&foreign), totals(&owner));
    ctx.check(
        "isolation: queries are scoped to the caller's tenant",
        a.is_some() && b.is_some() && a != b,
        || format!("{a:?} vs {b:?}"),
    );
}
