//! Roles: what each demo role may and may not do.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::json;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(viewer), Some(analyst), Some(manager)) = (
        ctx.token("viewer@healthco.test"),
        ctx.token("analyst@healthco.test"),
        ctx.token("manager@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.put("/api/v1/tenant/branding", Some(&viewer), &json!({ "productName": "X", "primaryColor": "#000000", "secondaryColor": "#ffffff", "fontFamily": "Arial" }));
    ctx.expect("viewer cannot change branding → 403", &r, &[403]);
    let r = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&manager),
        &json!({ "origins": [] }),
    );
    ctx.expect("manager cannot change embed origins → 403", &r, &[403]);
    let r = ctx.http.post(
        "/api/v1/dashboards",
        Some(&analyst),
        &json!({ "name": "x" }),
    );
    ctx.expect("analyst cannot create dashboards → 403", &r, &[403]);
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&analyst),
        &json!({ "dashboardId": "healthco-sales", "allowedOrigins": [ctx.origin] }),
    );
    ctx.expect("analyst cannot create embed tokens → 403", &r, &[403]);
    let alerts = ctx.http.get("/api/v1/alerts", Some(&viewer));
    let id = alerts
        .as_ref()
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".into());
    let r = ctx.http.post(
        &format!("/api/v1/alerts/{id}/acknowledge"),
        Some(&viewer),
        &json!({}),
    );
    ctx.expect("viewer cannot acknowledge alerts → 403", &r, &[403]);
    let r = ctx.http.get("/api/v1/users", Some(&manager));
    ctx.expect("manager cannot list users → 403", &r, &[403]);
    if let Some(admin) = ctx.token("admin@healthco.test") {
        let r = ctx.http.get("/api/v1/users", Some(&admin));
        let scoped = body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items.len() >= 4
                    && items.iter().all(|u| {
                        u["tenantId"] == "healthco"
                            && u["email"]
                                .as_str()
                                .is_some_and(|e| e.ends_with("@healthco.test"))
                            && u.get("passwordHash").is_none()
                    })
            })
        });
        ctx.check(
            "admin lists only the tenant's users, without secrets",
            scoped,
            || show(&r),
        );
    }
}
