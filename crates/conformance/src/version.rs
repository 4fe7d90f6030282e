//! Contract version handshake checks (contract version 1): the backend states the versions it
//! serves, answers with the version it used, and refuses a version it does not serve with
//! `400 unsupported_version` naming both — for anonymous and authenticated requests alike.

use crate::support::{body_ok, show};
use crate::Ctx;

/// The version these checks are written for.
const VERSION: &str = "1";
const HEADER: &str = "x-vantage-contract";

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let r = ctx.http.get("/api/v1/health", None);
    ctx.check(
        "health lists the contract versions served (1 among them)",
        body_ok(&r, 200, |b| {
            b["contractVersions"]
                .as_array()
                .is_some_and(|v| v.iter().any(|v| v == VERSION))
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .call("GET", "/api/v1/health", None, None, &[(HEADER, VERSION)]);
    ctx.check(
        "a request for version 1 is served and answered with x-vantage-contract: 1",
        r.as_ref()
            .is_ok_and(|r| r.status == 200 && r.header(HEADER) == Some(VERSION)),
        || show(&r),
    );
    let Some(token) = ctx.token("viewer@healthco.test") else {
        return;
    };
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        Some(&token),
        None,
        &[(HEADER, "999"), ("x-vantage-sdk", "conformance/1")],
    );
    if ctx.expect("a request for an unserved version → 400", &r, &[400]) {
        ctx.check(
            "unsupported_version names the requested and the served versions",
            r.as_ref().is_ok_and(|r| {
                let details = &r.body["error"]["details"];
                r.error_code() == Some("unsupported_version")
                    && details["requested"] == "999"
                    && details["served"]
                        .as_array()
                        .is_some_and(|v| v.iter().any(|v| v == VERSION))
            }),
            || show(&r),
        );
    }
    let r = ctx.http.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(r#"{"email":"viewer@healthco.test","password":"vantage-demo"}"#),
        &[(HEADER, "0")],
    );
    ctx.check(
        "an unserved version is refused before signing in (no token issued)",
        r.as_ref().is_ok_and(|r| {
            r.status == 400
                && r.error_code() == Some("unsupported_version")
                && r.body["accessToken"].is_null()
        }),
        || show(&r),
    );
}
