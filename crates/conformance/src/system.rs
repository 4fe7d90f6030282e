//! System checks: health and the OpenAPI document.

use crate::support::{body_ok, show};
use crate::Ctx;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let r = ctx.http.get("/api/v1/health", None);
    ctx.check(
        "health returns status ok",
        body_ok(&r, 200, |b| b["status"] == "ok"),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/openapi.json", None);
    ctx.check(
        "openapi.json is an OpenAPI 3 document",
        body_ok(&r, 200, |b| {
            b["openapi"].as_str().is_some_and(|v| v.starts_with("3."))
                && b["paths"]["/api/v1/query"].is_object()
        }),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/no-such-endpoint", None);
    ctx.expect("unknown endpoint → 404 error body", &r, &[404]);
}
