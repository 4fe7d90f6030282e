//! Tenant settings: branding and embed origins, with validation.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};

pub(crate) fn branding(primary: &str) -> Value {
    json!({ "productName": "HealthCo Insights", "primaryColor": primary, "secondaryColor": "#64748b", "fontFamily": "Inter, sans-serif", "mode": "light", "chartPalette": ["#2563eb", "#16a34a"], "logoUrl": "https://cdn.example.com/logo.png" })
}

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let r = ctx.http.get("/api/v1/tenant", Some(&admin));
    let origin = ctx.origin.clone();
    ctx.check(
        "tenant has name, branding and embed origins incl. the server's own",
        body_ok(&r, 200, |b| {
            b["id"] == "healthco"
                && b["branding"]["primaryColor"].is_string()
                && b["embedOrigins"]
                    .as_array()
                    .is_some_and(|o| o.contains(&json!(origin)))
        }),
        || show(&r),
    );
    let original = r
        .ok()
        .map(|r| r.body["branding"].clone())
        .unwrap_or_default();
    let r = ctx.http.put(
        "/api/v1/tenant/branding",
        Some(&admin),
        &branding("#0f766e"),
    );
    ctx.check(
        "admin updates valid branding",
        body_ok(&r, 200, |b| b["branding"]["mode"] == "light"),
        || show(&r),
    );
    let bad: [(&str, Value); 8] = [
        ("primaryColor", json!({ "primaryColor": "red" })),
        ("secondaryColor", json!({ "secondaryColor": "#12345" })),
        (
            "logoUrl",
            json!({ "logoUrl": "http://insecure.example.com/x.png" }),
        ),
        ("logoUrl", json!({ "logoUrl": "javascript:alert(1)" })),
        (
            "faviconUrl",
            json!({ "faviconUrl": "data:text/html;base64,PHNjcmlwdD4=" }),
        ),
        (
            "fontFamily",
            json!({ "fontFamily": "Arial; background: url(x)" }),
        ),
        ("productName", json!({ "productName": "x".repeat(200) })),
        ("productName", json!({ "productName": "" })),
    ];
    for (field, patch) in bad {
        let mut body = branding("#0f766e");
        for (k, v) in patch.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let r = ctx.http.put("/api/v1/tenant/branding", Some(&admin), &body);
        let ok = ctx.expect(&format!("invalid branding {field} → 422"), &r, &[422]);
        if ok {
            let named = r.as_ref().is_ok_and(|r| {
                r.body
                    .pointer("/error/details/field")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.starts_with(field))
            });
            ctx.check(
                &format!("invalid branding error names {field}"),
                named,
                || show(&r),
            );
        }
    }
    let mut extra = branding("#0f766e");
    extra["customCss"] = json!("body{}");
    let r = ctx
        .http
        .put("/api/v1/tenant/branding", Some(&admin), &extra);
    ctx.expect("branding with an unknown field → 422", &r, &[422]);
    if original.is_object() {
        let _ = ctx
            .http
            .put("/api/v1/tenant/branding", Some(&admin), &original);
    }
    let r = ctx.http.get("/api/v1/tenant", Some(&admin));
    let origins: Vec<Value> = r
        .ok()
        .and_then(|r| r.body["embedOrigins"].as_array().cloned())
        .unwrap_or_default();
    for bad in [
        "not-an-origin",
        "https://x.example.com/path",
        "ftp://x.example.com",
    ] {
        let r = ctx.http.put(
            "/api/v1/tenant/embed-origins",
            Some(&admin),
            &json!({ "origins": [bad] }),
        );
        ctx.expect(&format!("malformed embed origin {bad} → 422"), &r, &[422]);
    }
    let mut more = origins.clone();
    more.push(json!("https://shop.example.com"));
    let r = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&admin),
        &json!({ "origins": more }),
    );
    ctx.check(
        "admin sets embed origins",
        body_ok(&r, 200, |b| {
            b["embedOrigins"]
                .as_array()
                .is_some_and(|o| o.contains(&json!("https://shop.example.com")))
        }),
        || show(&r),
    );
    let _ = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&admin),
        &json!({ "origins": origins }),
    );
}
