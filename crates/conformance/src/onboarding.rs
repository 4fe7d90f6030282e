//! Onboarding and account administration: first-run setup is closed on a set-up server,
//! readiness, tenants (system admins), invitations, role and status changes, the last-admin
//! rule, password resets and changes, logout and refresh-token reuse, tenant deactivation
//! (HTTP and an open SSE stream), and the tenant-scoped audit log with its CSV export.
//!
//! Every run creates its own tenants and users with unique names, so runs can repeat against
//! the same backend.

use crate::http::Resp;
use crate::support::show;
use crate::{Ctx, PASSWORD};
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

const STRONG: &str = "conformance horse battery";

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}", nanos % 0xffff_ffff_ffff)
}

fn send(
    ctx: &Ctx,
    method: &str,
    path: &str,
    token: Option<&str>,
    tenant: Option<&str>,
    body: Option<Value>,
) -> Result<Resp, String> {
    let text = body.map(|b| b.to_string());
    let headers: Vec<(&str, &str)> = tenant.map(|t| ("X-Tenant-Id", t)).into_iter().collect();
    ctx.http
        .call(method, path, token, text.as_deref(), &headers)
}

fn field(r: &Result<Resp, String>) -> Option<String> {
    r.as_ref()
        .ok()
        .and_then(|r| r.body.pointer("/error/details/field"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn str_at(r: &Result<Resp, String>, ptr: &str) -> String {
    r.as_ref()
        .ok()
        .and_then(|r| r.body.pointer(ptr))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Runs the onboarding checks.
pub fn run(ctx: &mut Ctx) {
    setup_and_ready(ctx);
    let Some(root) = ctx.token("sysadmin@vantage.test") else {
        return;
    };
    let Some(healthco_admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let id = format!("conf-{}", unique());
    if !tenants(ctx, &root, &healthco_admin, &id) {
        return;
    }
    let Some((admin, admin_id)) = invite_admin(ctx, &root, &id) else {
        return;
    };
    users(ctx, &admin, &admin_id, &id);
    sessions(ctx);
    audit(ctx, &admin, &healthco_admin, &id);
    deactivation(ctx, &root, &admin, &id);
}

fn setup_and_ready(ctx: &mut Ctx) {
    let s = send(ctx, "GET", "/api/v1/setup", None, None, None);
    ctx.check(
        "GET /setup says setup is not pending on a set-up server",
        s.as_ref()
            .is_ok_and(|r| r.status == 200 && r.body == json!({ "pending": false })),
        || show(&s),
    );
    let body = json!({ "token": "x", "organisationName": "X", "email": "x@x.example", "password": STRONG });
    let r = send(ctx, "POST", "/api/v1/setup", None, None, Some(body));
    ctx.expect("POST /setup after setup → 404", &r, &[404]);
    let r = send(ctx, "GET", "/api/v1/ready", None, None, None);
    ctx.check(
        "GET /ready → 200 ready",
        r.as_ref()
            .is_ok_and(|r| r.status == 200 && r.body["status"] == "ready"),
        || show(&r),
    );
}

fn tenants(ctx: &mut Ctx, root: &str, healthco_admin: &str, id: &str) -> bool {
    let body = json!({ "id": id, "name": format!("Conformance {id}") });
    let r = send(
        ctx,
        "POST",
        "/api/v1/tenants",
        Some(root),
        None,
        Some(body.clone()),
    );
    let created = ctx.expect("system admin creates a tenant → 201", &r, &[201]);
    ctx.check(
        "a new tenant is active with no users or dashboards",
        r.as_ref().is_ok_and(|r| {
            r.body["active"] == true && r.body["userCount"] == 0 && r.body["dashboardCount"] == 0
        }),
        || show(&r),
    );
    let dup = send(ctx, "POST", "/api/v1/tenants", Some(root), None, Some(body));
    ctx.expect("creating a tenant with a taken id → 409", &dup, &[409]);
    let bad = send(
        ctx,
        "POST",
        "/api/v1/tenants",
        Some(root),
        None,
        Some(json!({ "id": "Bad Id", "name": "x" })),
    );
    ctx.expect("a malformed tenant id → 422", &bad, &[422]);
    ctx.check(
        "the 422 names the field id",
        field(&bad).as_deref() == Some("id"),
        || show(&bad),
    );
    let r = send(
        ctx,
        "POST",
        "/api/v1/tenants",
        Some(healthco_admin),
        None,
        Some(json!({ "name": "nope" })),
    );
    ctx.expect("a tenant admin cannot create tenants → 403", &r, &[403]);
    let r = send(
        ctx,
        "GET",
        "/api/v1/tenants",
        Some(healthco_admin),
        None,
        None,
    );
    ctx.expect("a tenant admin cannot list tenants → 403", &r, &[403]);
    let list = send(ctx, "GET", "/api/v1/tenants", Some(root), None, None);
    ctx.check(
        "the tenant list has the new tenant and the demo tenants with counts",
        list.as_ref().is_ok_and(|r| {
            let items = r.body["items"].as_array().cloned().unwrap_or_default();
            items.iter().any(|t| t["id"] == id)
                && items.iter().any(|t| {
                    t["id"] == "healthco"
                        && t["userCount"].as_u64() >= Some(4)
                        && t["dashboardCount"].as_u64() >= Some(1)
                })
        }),
        || show(&list),
    );
    let r = send(
        ctx,
        "GET",
        "/api/v1/users",
        Some(root),
        Some("no-such-tenant-here"),
        None,
    );
    ctx.expect("X-Tenant-Id naming no tenant → 404", &r, &[404]);
    created
}

fn accept(ctx: &Ctx, token: &str, name: &str) -> Result<Resp, String> {
    send(
        ctx,
        "POST",
        "/api/v1/invitations/accept",
        None,
        None,
        Some(json!({ "token": token, "name": name, "password": STRONG })),
    )
}

/// The system admin invites a tenant admin into `tenant`; returns their token and id.
fn invite_admin(ctx: &mut Ctx, root: &str, tenant: &str) -> Option<(String, String)> {
    let email = format!("admin-{}@{tenant}.example", unique());
    let inv = send(
        ctx,
        "POST",
        "/api/v1/users/invitations",
        Some(root),
        Some(tenant),
        Some(json!({ "email": email, "role": "tenant_admin" })),
    );
    ctx.expect(
        "system admin invites a tenant admin via X-Tenant-Id → 201",
        &inv,
        &[201],
    );
    ctx.check(
        "an invitation carries a token and an app path with it",
        inv.as_ref().is_ok_and(|r| {
            let t = r.body["token"].as_str().unwrap_or_default();
            !t.is_empty() && r.body["path"].as_str().is_some_and(|p| p.ends_with(t))
        }),
        || show(&inv),
    );
    let token = str_at(&inv, "/token");
    let acc = accept(ctx, &token, "Conformance Admin");
    ctx.expect("accepting an invitation → 201 signed in", &acc, &[201]);
    ctx.check(
        "the accepted account has the invited role and tenant; no-store",
        acc.as_ref().is_ok_and(|r| {
            r.body["user"]["role"] == "tenant_admin"
                && r.body["user"]["tenantId"] == tenant
                && r.header("cache-control") == Some("no-store")
        }),
        || show(&acc),
    );
    let again = accept(ctx, &token, "Twice");
    ctx.expect("an invitation works only once → 404", &again, &[404]);
    let access = str_at(&acc, "/accessToken");
    let id = str_at(&acc, "/user/id");
    (!access.is_empty()).then_some((access, id))
}

fn users(ctx: &mut Ctx, admin: &str, admin_id: &str, tenant: &str) {
    for (body, what) in [
        (json!({ "role": "viewer" }), "demoted"),
        (json!({ "active": false }), "deactivated"),
    ] {
        let r = send(
            ctx,
            "PATCH",
            &format!("/api/v1/users/{admin_id}"),
            Some(admin),
            None,
            Some(body),
        );
        ctx.expect(
            &format!("the last tenant admin cannot be {what} → 409"),
            &r,
            &[409],
        );
    }
    let email = format!("viewer-{}@{tenant}.example", unique());
    let inv = send(
        ctx,
        "POST",
        "/api/v1/users/invitations",
        Some(admin),
        None,
        Some(json!({ "email": email, "role": "viewer" })),
    );
    ctx.expect("a tenant admin invites a viewer → 201", &inv, &[201]);
    let weak = send(
        ctx,
        "POST",
        "/api/v1/invitations/accept",
        None,
        None,
        Some(json!({ "token": str_at(&inv, "/token"), "name": "V", "password": "password1234" })),
    );
    ctx.expect("a weak password is refused → 422", &weak, &[422]);
    ctx.check(
        "the 422 names the field password",
        field(&weak).as_deref() == Some("password"),
        || show(&weak),
    );
    let acc = accept(ctx, &str_at(&inv, "/token"), "Conformance Viewer");
    ctx.expect(
        "the invitation still works after a refused attempt → 201",
        &acc,
        &[201],
    );
    let viewer = str_at(&acc, "/accessToken");
    let viewer_id = str_at(&acc, "/user/id");
    let r = send(ctx, "GET", "/api/v1/users", Some(&viewer), None, None);
    ctx.expect("a viewer cannot list users → 403", &r, &[403]);
    let r = send(
        ctx,
        "PATCH",
        &format!("/api/v1/users/{viewer_id}"),
        Some(admin),
        None,
        Some(json!({ "role": "tenant_admin" })),
    );
    ctx.expect("a tenant admin changes a role → 200", &r, &[200]);
    let r = send(ctx, "GET", "/api/v1/users", Some(&viewer), None, None);
    ctx.expect(
        "a role change applies to the same token on the next request",
        &r,
        &[200],
    );
    let r = send(
        ctx,
        "PATCH",
        &format!("/api/v1/users/{viewer_id}"),
        Some(admin),
        None,
        Some(json!({ "role": "system_admin" })),
    );
    ctx.expect(
        "system_admin cannot be given through the API → 422",
        &r,
        &[422],
    );

    let reset = send(
        ctx,
        "POST",
        &format!("/api/v1/users/{viewer_id}/password-reset"),
        Some(admin),
        None,
        None,
    );
    ctx.expect(
        "a tenant admin issues a password-reset link → 201",
        &reset,
        &[201],
    );
    let new_pw = "conformance reset secret";
    let body = json!({ "token": str_at(&reset, "/token"), "password": new_pw });
    let done = send(
        ctx,
        "POST",
        "/api/v1/password-reset/complete",
        None,
        None,
        Some(body.clone()),
    );
    ctx.expect("completing a password reset → 204", &done, &[204]);
    let r = send(ctx, "GET", "/api/v1/auth/me", Some(&viewer), None, None);
    ctx.expect(
        "a password reset signs out the user's sessions → 401",
        &r,
        &[401],
    );
    let again = send(
        ctx,
        "POST",
        "/api/v1/password-reset/complete",
        None,
        None,
        Some(body),
    );
    ctx.expect("a reset link works only once → 404", &again, &[404]);
    let login = send(
        ctx,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({ "email": email, "password": new_pw })),
    );
    ctx.expect("signing in with the new password → 200", &login, &[200]);

    let r = send(
        ctx,
        "PATCH",
        &format!("/api/v1/users/{viewer_id}"),
        Some(admin),
        None,
        Some(json!({ "active": false })),
    );
    ctx.expect("a tenant admin deactivates a user → 200", &r, &[200]);
    let r = send(
        ctx,
        "GET",
        "/api/v1/auth/me",
        Some(&str_at(&login, "/accessToken")),
        None,
        None,
    );
    ctx.expect(
        "a deactivated user's access token stops working → 401",
        &r,
        &[401],
    );
    let r = send(
        ctx,
        "POST",
        "/api/v1/auth/login",
        None,
        None,
        Some(json!({ "email": email, "password": new_pw })),
    );
    ctx.expect("a deactivated user cannot sign in → 403", &r, &[403]);
    let r = send(
        ctx,
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": str_at(&login, "/refreshToken") })),
    );
    ctx.expect("a deactivated user cannot refresh → 401", &r, &[401]);
}

fn sessions(ctx: &mut Ctx) {
    let login = |ctx: &Ctx| {
        send(
            ctx,
            "POST",
            "/api/v1/auth/login",
            None,
            None,
            Some(json!({ "email": "analyst@innova.test", "password": PASSWORD })),
        )
    };
    let first = login(ctx);
    ctx.check(
        "token responses are sent with Cache-Control: no-store",
        first
            .as_ref()
            .is_ok_and(|r| r.header("cache-control") == Some("no-store")),
        || show(&first),
    );
    let r1 = str_at(&first, "/refreshToken");
    let second = send(
        ctx,
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": r1 })),
    );
    ctx.expect("refresh → 200", &second, &[200]);
    let reuse = send(
        ctx,
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": r1 })),
    );
    ctx.expect("reusing a rotated refresh token → 401", &reuse, &[401]);
    let r2 = send(
        ctx,
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": str_at(&second, "/refreshToken") })),
    );
    ctx.expect(
        "refresh-token reuse ends the whole session (newest refresh token) → 401",
        &r2,
        &[401],
    );
    let me = send(
        ctx,
        "GET",
        "/api/v1/auth/me",
        Some(&str_at(&second, "/accessToken")),
        None,
        None,
    );
    ctx.expect(
        "refresh-token reuse ends the session's access tokens → 401",
        &me,
        &[401],
    );

    let s = login(ctx);
    let access = str_at(&s, "/accessToken");
    let out = send(
        ctx,
        "POST",
        "/api/v1/auth/logout",
        Some(&access),
        None,
        None,
    );
    ctx.expect("logout → 204", &out, &[204]);
    let me = send(ctx, "GET", "/api/v1/auth/me", Some(&access), None, None);
    ctx.expect("after logout the access token → 401", &me, &[401]);
    let r = send(
        ctx,
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": str_at(&s, "/refreshToken") })),
    );
    ctx.expect("after logout the refresh token → 401", &r, &[401]);

    let s = login(ctx);
    let r = send(
        ctx,
        "POST",
        "/api/v1/auth/password",
        Some(&str_at(&s, "/accessToken")),
        None,
        Some(json!({ "currentPassword": "not it", "newPassword": STRONG })),
    );
    ctx.expect(
        "a password change with the wrong current password → 422",
        &r,
        &[422],
    );
    ctx.check(
        "the 422 names currentPassword",
        field(&r).as_deref() == Some("currentPassword"),
        || show(&r),
    );
}

fn audit(ctx: &mut Ctx, admin: &str, healthco_admin: &str, tenant: &str) {
    let page = send(
        ctx,
        "GET",
        "/api/v1/audit?limit=500",
        Some(admin),
        None,
        None,
    );
    ctx.expect("a tenant admin reads the audit log → 200", &page, &[200]);
    let actions: Vec<String> = page
        .as_ref()
        .ok()
        .and_then(|r| r.body["items"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect();
    for a in [
        "tenant_created",
        "user_invited",
        "invitation_accepted",
        "user_role_changed",
        "password_reset_issued",
        "password_reset_completed",
        "user_deactivated",
        "sign_in",
    ] {
        ctx.check(
            &format!("the audit log records {a}"),
            actions.iter().any(|x| x == a),
            || format!("{actions:?}"),
        );
    }
    ctx.check(
        "audit entries belong to the reader's tenant only",
        page.as_ref().is_ok_and(|r| {
            r.body["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|e| e["tenantId"] == tenant))
        }),
        || show(&page),
    );
    let theirs = send(
        ctx,
        "GET",
        "/api/v1/audit?limit=500",
        Some(healthco_admin),
        None,
        None,
    );
    ctx.check(
        "another tenant's admin sees none of these entries",
        theirs.as_ref().is_ok_and(|r| {
            r.status == 200
                && r.body["items"]
                    .as_array()
                    .is_some_and(|i| i.iter().all(|e| e["tenantId"] == "healthco"))
        }),
        || show(&theirs),
    );
    let bad = send(
        ctx,
        "GET",
        "/api/v1/audit?action=not_an_action",
        Some(admin),
        None,
        None,
    );
    ctx.expect("an unknown audit action filter → 422", &bad, &[422]);
    let csv = send(
        ctx,
        "GET",
        "/api/v1/audit.csv?action=user_invited",
        Some(admin),
        None,
        None,
    );
    ctx.check(
        "the audit CSV export is text/csv with a header row",
        csv.as_ref().is_ok_and(|r| {
            r.status == 200
                && r.header("content-type")
                    .is_some_and(|c| c.starts_with("text/csv"))
                && r.text
                    .starts_with("id,time,action,actorId,actorEmail,target,details")
        }),
        || show(&csv),
    );
}

/// Opens an SSE stream; the receiver gets `()` when the server ends it.
fn sse_closed(ctx: &Ctx, token: &str) -> Option<std::sync::mpsc::Receiver<()>> {
    let url = format!("{}/api/v1/live/sse?access_token={token}", ctx.http.base);
    let r = ctx.http.agent().get(&url).call().ok()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = r.into_reader();
        let mut buf = [0u8; 4096];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    Some(rx)
}

fn deactivation(ctx: &mut Ctx, root: &str, admin: &str, tenant: &str) {
    let stream = sse_closed(ctx, admin);
    ctx.check(
        "the tenant admin opens an SSE stream",
        stream.is_some(),
        String::new,
    );
    let path = format!("/api/v1/tenants/{tenant}");
    let off = send(
        ctx,
        "PATCH",
        &path,
        Some(root),
        None,
        Some(json!({ "active": false })),
    );
    ctx.expect("system admin deactivates the tenant → 200", &off, &[200]);
    let me = send(ctx, "GET", "/api/v1/auth/me", Some(admin), None, None);
    ctx.expect(
        "a deactivated tenant's user token stops working → 403",
        &me,
        &[403],
    );
    if let Some(rx) = stream {
        let closed = rx.recv_timeout(Duration::from_secs(10)).is_ok();
        ctx.check(
            "deactivating the tenant ends its open SSE stream",
            closed,
            || "still open after 10 s".into(),
        );
    }
    let on = send(
        ctx,
        "PATCH",
        &path,
        Some(root),
        None,
        Some(json!({ "active": true, "name": format!("Renamed {tenant}") })),
    );
    ctx.check(
        "reactivating and renaming the tenant → 200",
        on.as_ref().is_ok_and(|r| {
            r.status == 200
                && r.body["active"] == true
                && r.body["name"] == format!("Renamed {tenant}").as_str()
        }),
        || show(&on),
    );
    let me = send(ctx, "GET", "/api/v1/auth/me", Some(admin), None, None);
    ctx.expect(
        "after reactivation the token works again → 200",
        &me,
        &[200],
    );
}
