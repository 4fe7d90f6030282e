//! Bad inputs: malformed JSON, wrong types, unknown fields, oversize bodies, unknown ids.

use crate::support::show;
use crate::Ctx;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let t = Some(admin.as_str());
    let r = ctx
        .http
        .call("POST", "/api/v1/query", t, Some("{\"dataset\": "), &[]);
    ctx.expect("malformed JSON → 400", &r, &[400]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some("{\"email\": 5, \"password\": []}"),
        &[],
    );
    ctx.expect("wrong types on login → 400", &r, &[400]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some("{\"email\":\"a\",\"password\":\"b\",\"admin\":true}"),
        &[],
    );
    ctx.expect("unknown field on login → 422", &r, &[422]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards",
        t,
        Some("{\"name\": \"x\", \"colour\": \"red\"}"),
        &[],
    );
    ctx.expect("unknown field on a dashboard → 422", &r, &[422]);
    // A dashboard filter is checked even when no widget names a dataset yet (an OpenAPI fuzzer
    // once had such a filter with an object operand stored).
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards",
        t,
        Some(
            "{\"name\": \"x\", \"filters\": [{\"field\": \"\", \"op\": \"eq\", \"values\": [{}]}]}",
        ),
        &[],
    );
    ctx.expect(
        "malformed dashboard filter without widgets → 422",
        &r,
        &[422],
    );
    let r = ctx
        .http
        .oversize_probe("/api/v1/dashboards", &admin, 16 * 1024 * 1024);
    ctx.expect("oversize body → 413", &r, &[413]);
    let r = ctx.http.call("POST", "/api/v1/query", t, Some("[]"), &[]);
    ctx.expect("JSON of the wrong shape → 400/422", &r, &[400, 422]);
    let r = ctx.http.get("/api/v1/dashboards/does-not-exist", t);
    ctx.expect("unknown dashboard id → 404", &r, &[404]);
    let r = ctx.http.call("PATCH", "/api/v1/dashboards", t, None, &[]);
    ctx.check(
        "unsupported method → 405 with error body",
        r.as_ref()
            .is_ok_and(|r| r.status == 405 && r.is_error_body()),
        || show(&r),
    );
}
