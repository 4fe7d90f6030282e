//! Alerts: listing, acknowledge and resolve.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::json;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(manager), Some(analyst)) = (
        ctx.token("manager@healthco.test"),
        ctx.token("analyst@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/alerts", Some(&analyst));
    ctx.check(
        "alerts listed",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter().all(|x| {
                    x["severity"].is_string() && x["status"].is_string() && x["createdAt"].is_i64()
                })
            })
        }),
        || show(&r),
    );
    let r = ctx.http.get(
        "/api/v1/alerts?status=open&severity=warning",
        Some(&analyst),
    );
    ctx.check(
        "alerts filter by status and severity",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter()
                    .all(|x| x["status"] == "open" && x["severity"] == "warning")
            })
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .get("/api/v1/alerts?severity=apocalyptic", Some(&analyst));
    ctx.expect("alerts with an unknown severity → 400/422", &r, &[400, 422]);
    let r = ctx.http.get("/api/v1/alerts?status=open", Some(&manager));
    if let Some(id) = r
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
    {
        let r = ctx.http.post(
            &format!("/api/v1/alerts/{id}/acknowledge"),
            Some(&manager),
            &json!({}),
        );
        ctx.check(
            "manager acknowledges an alert",
            body_ok(&r, 200, |b| {
                b["status"] == "acknowledged" && b["acknowledgedAt"].is_i64()
            }),
            || show(&r),
        );
        let r = ctx.http.post(
            &format!("/api/v1/alerts/{id}/resolve"),
            Some(&manager),
            &json!({}),
        );
        ctx.check(
            "manager resolves an alert",
            body_ok(&r, 200, |b| {
                b["status"] == "resolved" && b["resolvedAt"].is_i64()
            }),
            || show(&r),
        );
    } else {
        ctx.check("an open alert exists to acknowledge", false, || {
            "no open alert in healthco".into()
        });
    }
    let r = ctx.http.post(
        "/api/v1/alerts/does-not-exist/acknowledge",
        Some(&manager),
        &json!({}),
    );
    ctx.expect("acknowledge an unknown alert → 404", &r, &[404]);
}
