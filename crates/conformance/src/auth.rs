//! Authentication: login, refresh rotation, bad and expired tokens.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::json;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(login) = ctx.login("analyst@healthco.test") else {
        return;
    };
    let shape = login["refreshToken"].is_string()
        && login["expiresIn"].is_u64()
        && login["user"]["role"] == "analyst"
        && login["user"]["tenantId"] == "healthco";
    ctx.check(
        "login returns accessToken, refreshToken, expiresIn, user",
        shape,
        || login.to_string(),
    );
    let token = login["accessToken"].as_str().unwrap_or_default().to_owned();
    let r = ctx.http.get("/api/v1/auth/me", Some(&token));
    ctx.check(
        "me returns the user with permissions",
        body_ok(&r, 200, |b| {
            b["email"] == "analyst@healthco.test"
                && b["permissions"]
                    .as_array()
                    .is_some_and(|p| p.contains(&json!("export_data")))
        }),
        || show(&r),
    );
    let r = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "analyst@healthco.test", "password": "wrong" }),
    );
    ctx.expect("wrong password → 401", &r, &[401]);
    let r = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "nobody@nowhere.test", "password": "x" }),
    );
    ctx.expect("unknown user → 401", &r, &[401]);
    let refresh = login["refreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": refresh }),
    );
    let rotated = body_ok(&r, 200, |b| {
        b["accessToken"].is_string() && b["refreshToken"].as_str().is_some_and(|t| t != refresh)
    });
    ctx.check("refresh returns a new token pair", rotated, || show(&r));
    let r2 = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": refresh }),
    );
    ctx.expect("reusing a rotated refresh token → 401", &r2, &[401]);
    let r = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": "garbage" }),
    );
    ctx.expect("bogus refresh token → 401", &r, &[401]);
    let r = ctx.http.get("/api/v1/auth/me", None);
    ctx.expect("no token → 401", &r, &[401]);
    let r = ctx.http.get("/api/v1/auth/me", Some("not-a-jwt"));
    ctx.expect("malformed token → 401", &r, &[401]);
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let r = ctx.http.get("/api/v1/auth/me", Some(&tampered));
    ctx.expect("token with a bad signature → 401", &r, &[401]);
    // A structurally valid HS256 token that expired in 2001 (signature is not ours either).
    let expired = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1IiwidGlkIjoiaGVhbHRoY28iLCJyb2xlIjoidmlld2VyIiwidHlwIjoiYWNjZXNzIiwiaWF0IjoxMDAwMDAwMDAwLCJleHAiOjEwMDAwMDAwMDF9.c2lnbmF0dXJl";
    let r = ctx.http.get("/api/v1/auth/me", Some(expired));
    ctx.expect("expired token → 401", &r, &[401]);
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        None,
        None,
        &[("Authorization", "Basic dXNlcjpwYXNz")],
    );
    ctx.expect("non-bearer Authorization → 401", &r, &[401]);
}
