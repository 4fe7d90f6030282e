//! First-run setup, tenants, users, sessions and the audit log against the real server binary
//! (empty database without `--demo`, or the demo data set).

mod common;

use common::{Reply, Server};
use serde_json::json;
use std::io::Read;
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

const STRONG: &str = "correct horse battery";

fn setup(server: &Server) -> Reply {
    server.call(
        "POST",
        "/api/v1/setup",
        None,
        None,
        Some(json!({
            "token": server.setup_token(),
            "organisationName": "Acme Operations",
            "email": "root@acme.example",
            "password": STRONG,
        })),
    )
}

fn access(r: &Reply) -> String {
    r.body["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

fn field(r: &Reply) -> &str {
    r.body["error"]["details"]["field"].as_str().unwrap_or("")
}

/// Sets up, creates tenant `id`, invites `email` as its tenant admin and accepts; returns the
/// system admin's token and the new admin's token response.
fn tenant_with_admin(server: &Server, id: &str, email: &str) -> (String, Reply) {
    let root = access(&setup(server));
    let t = server.call(
        "POST",
        "/api/v1/tenants",
        Some(&root),
        None,
        Some(json!({ "id": id, "name": "Tenant One" })),
    );
    assert_eq!(t.status, 201, "{}", t.text);
    let inv = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&root),
        Some(id),
        Some(json!({ "email": email, "role": "tenant_admin" })),
    );
    assert_eq!(inv.status, 201, "{}", inv.text);
    let acc = accept(server, inv.body["token"].as_str().unwrap(), "Tess Admin");
    assert_eq!(acc.status, 201, "{}", acc.text);
    (root, acc)
}

fn accept(server: &Server, token: &str, name: &str) -> Reply {
    server.call(
        "POST",
        "/api/v1/invitations/accept",
        None,
        None,
        Some(json!({ "token": token, "name": name, "password": STRONG })),
    )
}

#[test]
fn nothing_works_before_setup_and_setup_works_once() {
    let server = Server::start_empty(&[]);
    assert!(server
        .setup_url
        .as_deref()
        .unwrap()
        .contains("/setup?token="));
    let status = server.call("GET", "/api/v1/setup", None, None, None);
    assert_eq!(status.body, json!({ "pending": true }));
    let ready = server.call("GET", "/api/v1/ready", None, None, None);
    assert_eq!(
        (ready.status, &ready.body["setupPending"]),
        (200, &json!(true))
    );
    assert_eq!(server.login("root@acme.example", STRONG).status, 401);
    assert_eq!(
        server
            .call("GET", "/api/v1/dashboards", None, None, None)
            .status,
        401
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/tenants", None, None, None)
            .status,
        401
    );

    let wrong = server.call(
        "POST",
        "/api/v1/setup",
        None,
        None,
        Some(json!({ "token": "guess", "organisationName": "Acme", "email": "root@acme.example", "password": STRONG })),
    );
    assert_eq!((wrong.status, field(&wrong)), (403, "token"));
    let weak = server.call(
        "POST",
        "/api/v1/setup",
        None,
        None,
        Some(json!({ "token": server.setup_token(), "organisationName": "Acme", "email": "root@acme.example", "password": "password1234" })),
    );
    assert_eq!(
        (weak.status, field(&weak)),
        (422, "password"),
        "{}",
        weak.text
    );

    let done = setup(&server);
    assert_eq!(done.status, 201, "{}", done.text);
    assert_eq!(done.cache_control.as_deref(), Some("no-store"));
    assert_eq!(done.body["user"]["role"], "system_admin");
    let again = setup(&server);
    assert_eq!(again.status, 404);
    assert_eq!(again.body["error"]["code"], "not_found");
    assert_eq!(
        server.call("GET", "/api/v1/setup", None, None, None).body,
        json!({ "pending": false })
    );
    let me = server.call("GET", "/api/v1/auth/me", Some(&access(&done)), None, None);
    assert_eq!(
        (me.status, me.body["email"].as_str()),
        (200, Some("root@acme.example"))
    );
    let tenants = server.call("GET", "/api/v1/tenants", Some(&access(&done)), None, None);
    assert_eq!(tenants.body["items"][0]["name"], "Acme Operations");
}

#[test]
fn the_setup_token_expires() {
    let server = Server::start_empty(&["--setup-token-ttl", "1"]);
    std::thread::sleep(Duration::from_millis(1500));
    let r = setup(&server);
    assert_eq!((r.status, field(&r)), (403, "token"), "{}", r.text);
}

#[test]
fn invitation_and_reset_links_are_single_use() {
    let server = Server::start_empty(&[]);
    let (root, admin) = tenant_with_admin(&server, "one", "tess@one.example");
    let admin_token = access(&admin);
    let inv = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin_token),
        None,
        Some(json!({ "email": "mia@one.example", "role": "manager" })),
    );
    assert_eq!(inv.status, 201);
    assert!(inv.body["path"]
        .as_str()
        .unwrap()
        .starts_with("/accept-invitation?token="));
    let token = inv.body["token"].as_str().unwrap();
    let weak = server.call(
        "POST",
        "/api/v1/invitations/accept",
        None,
        None,
        Some(json!({ "token": token, "name": "Mia", "password": "short" })),
    );
    assert_eq!((weak.status, field(&weak)), (422, "password"));
    assert_eq!(
        accept(&server, token, "Mia").status,
        201,
        "a weak attempt does not use the link up"
    );
    let twice = accept(&server, token, "Mia again");
    assert_eq!((twice.status, field(&twice)), (404, "token"));
    let dup = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin_token),
        None,
        Some(json!({ "email": "mia@one.example", "role": "viewer" })),
    );
    assert_eq!(dup.status, 409);
    let sys = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin_token),
        None,
        Some(json!({ "email": "z@one.example", "role": "system_admin" })),
    );
    assert_eq!((sys.status, field(&sys)), (422, "role"));

    let mia = server.login("mia@one.example", STRONG);
    let mia_id = mia.body["user"]["id"].as_str().unwrap().to_owned();
    let reset = server.call(
        "POST",
        &format!("/api/v1/users/{mia_id}/password-reset"),
        Some(&admin_token),
        None,
        None,
    );
    assert_eq!(reset.status, 201, "{}", reset.text);
    let rt = reset.body["token"].as_str().unwrap();
    let new_pw = "a different long secret";
    let done = server.call(
        "POST",
        "/api/v1/password-reset/complete",
        None,
        None,
        Some(json!({ "token": rt, "password": new_pw })),
    );
    assert_eq!(done.status, 204, "{}", done.text);
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&access(&mia)), None, None)
            .status,
        401,
        "sessions end on reset"
    );
    assert_eq!(server.login("mia@one.example", STRONG).status, 401);
    assert_eq!(server.login("mia@one.example", new_pw).status, 200);
    let twice = server.call(
        "POST",
        "/api/v1/password-reset/complete",
        None,
        None,
        Some(json!({ "token": rt, "password": "yet another long secret" })),
    );
    assert_eq!(twice.status, 404);
    // A tenant created without an id gets one derived from its name.
    let other = server.call(
        "POST",
        "/api/v1/tenants",
        Some(&root),
        None,
        Some(json!({ "name": "Tenant Two" })),
    );
    assert_eq!(other.body["id"], "tenant-two");
}

#[test]
fn links_expire() {
    let server = Server::start_empty(&["--invitation-ttl", "1", "--password-reset-ttl", "1"]);
    let (_, admin) = tenant_with_admin(&server, "one", "tess@one.example");
    let admin_token = access(&admin);
    let inv = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin_token),
        None,
        Some(json!({ "email": "late@one.example", "role": "viewer" })),
    );
    let admin_id = admin.body["user"]["id"].as_str().unwrap();
    let reset = server.call(
        "POST",
        &format!("/api/v1/users/{admin_id}/password-reset"),
        Some(&admin_token),
        None,
        None,
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        accept(&server, inv.body["token"].as_str().unwrap(), "Late").status,
        404
    );
    let r = server.call(
        "POST",
        "/api/v1/password-reset/complete",
        None,
        None,
        Some(json!({ "token": reset.body["token"], "password": "a different long secret" })),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn roles_apply_on_the_next_request_and_the_last_admin_stays() {
    let server = Server::start_empty(&[]);
    let (_, admin) = tenant_with_admin(&server, "one", "tess@one.example");
    let admin_token = access(&admin);
    let admin_id = admin.body["user"]["id"].as_str().unwrap().to_owned();
    for body in [json!({ "role": "manager" }), json!({ "active": false })] {
        let r = server.call(
            "PATCH",
            &format!("/api/v1/users/{admin_id}"),
            Some(&admin_token),
            None,
            Some(body),
        );
        assert_eq!(r.status, 409, "{}", r.text);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("last active tenant admin"));
    }
    let inv = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin_token),
        None,
        Some(json!({ "email": "val@one.example", "role": "viewer" })),
    );
    let val = accept(&server, inv.body["token"].as_str().unwrap(), "Val");
    let val_token = access(&val);
    let val_id = val.body["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server
            .call("GET", "/api/v1/users", Some(&val_token), None, None)
            .status,
        403
    );
    let promote = server.call(
        "PATCH",
        &format!("/api/v1/users/{val_id}"),
        Some(&admin_token),
        None,
        Some(json!({ "role": "tenant_admin" })),
    );
    assert_eq!(
        (promote.status, &promote.body["role"]),
        (200, &json!("tenant_admin"))
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/users", Some(&val_token), None, None)
            .status,
        200,
        "same token, new role"
    );
    // With two admins, one may step down; then Val is the last one.
    let down = server.call(
        "PATCH",
        &format!("/api/v1/users/{admin_id}"),
        Some(&val_token),
        None,
        Some(json!({ "role": "analyst" })),
    );
    assert_eq!(down.status, 200);
    assert_eq!(
        server
            .call("GET", "/api/v1/users", Some(&admin_token), None, None)
            .status,
        403
    );
    let off = server.call(
        "PATCH",
        &format!("/api/v1/users/{admin_id}"),
        Some(&val_token),
        None,
        Some(json!({ "active": false })),
    );
    assert_eq!((off.status, &off.body["active"]), (200, &json!(false)));
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&admin_token), None, None)
            .status,
        401
    );
    assert_eq!(server.login("tess@one.example", STRONG).status, 403);
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/auth/refresh",
                None,
                None,
                Some(json!({ "refreshToken": admin.body["refreshToken"] }))
            )
            .status,
        401
    );
    let users = server.call("GET", "/api/v1/users", Some(&val_token), None, None);
    let tess = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == admin_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(tess["active"], false);
}

/// Opens an SSE stream; the receiver gets `()` when the server ends it.
fn sse_until_closed(server: &Server, token: &str) -> mpsc::Receiver<()> {
    let r = server
        .agent()
        .get(&format!(
            "{}/api/v1/live/sse?access_token={token}",
            server.base
        ))
        .set("Origin", &server.base)
        .call()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = r.into_reader();
        let mut buf = [0u8; 4096];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    rx
}

/// Opens an authenticated WebSocket; the receiver gets the close code when the server closes.
fn ws_until_closed(server: &Server, token: &str) -> mpsc::Receiver<Option<u16>> {
    let hostport = server.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&hostport).unwrap();
    let (mut socket, _) =
        tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream).unwrap();
    let auth = json!({ "type": "auth", "token": token }).to_string();
    socket
        .send(tungstenite::Message::Text(auth.into()))
        .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        match socket.read() {
            Ok(tungstenite::Message::Close(frame)) => {
                let _ = tx.send(frame.map(|f| u16::from(f.code)));
                break;
            }
            Ok(_) => {}
            Err(_) => {
                let _ = tx.send(None);
                break;
            }
        }
    });
    rx
}

#[test]
fn deactivating_a_tenant_stops_its_users_and_closes_live_connections() {
    let server = Server::start_empty(&["--heartbeat-secs", "1"]);
    let (root, admin) = tenant_with_admin(&server, "one", "tess@one.example");
    let token = access(&admin);
    let sse = sse_until_closed(&server, &token);
    let ws = ws_until_closed(&server, &token);
    // Both streams are open (heartbeats flow) before the tenant is deactivated.
    assert!(sse.recv_timeout(Duration::from_millis(1500)).is_err());
    let off = server.call(
        "PATCH",
        "/api/v1/tenants/one",
        Some(&root),
        None,
        Some(json!({ "active": false, "name": "Tenant Uno" })),
    );
    assert_eq!(
        (off.status, &off.body["active"], &off.body["name"]),
        (200, &json!(false), &json!("Tenant Uno"))
    );
    assert!(
        sse.recv_timeout(Duration::from_secs(10)).is_ok(),
        "SSE stream ended"
    );
    assert!(
        ws.recv_timeout(Duration::from_secs(10)).is_ok(),
        "WebSocket closed"
    );
    let me = server.call("GET", "/api/v1/auth/me", Some(&token), None, None);
    assert_eq!(
        (me.status, me.body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(server.login("tess@one.example", STRONG).status, 403);
    let r = server.call(
        "GET",
        &format!("/api/v1/live/sse?access_token={token}"),
        None,
        None,
        None,
    );
    assert_eq!(r.status, 403);
    let on = server.call(
        "PATCH",
        "/api/v1/tenants/one",
        Some(&root),
        None,
        Some(json!({ "active": true })),
    );
    assert_eq!(on.status, 200);
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&token), None, None)
            .status,
        200
    );
    let list = server.call("GET", "/api/v1/tenants", Some(&root), None, None);
    let one = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "one")
        .unwrap()
        .clone();
    assert_eq!(
        (one["userCount"].as_u64(), one["dashboardCount"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/tenants", Some(&token), None, None)
            .status,
        403,
        "tenant admins cannot list tenants"
    );
}

#[test]
fn embed_tokens_of_a_deactivated_tenant_stop_working() {
    let server = Server::start(&[]);
    let root = server.token("sysadmin@vantage.test");
    let admin = server.token("admin@innova.test");
    let origin = server.base.clone();
    let dash = server
        .call("GET", "/api/v1/dashboards", Some(&admin), None, None)
        .body["items"][0]["id"]
        .clone();
    let embed = server.call(
        "POST",
        "/api/v1/embed/tokens",
        Some(&admin),
        None,
        Some(json!({ "dashboardId": dash, "allowedOrigins": [origin] })),
    );
    assert_eq!(embed.status, 200, "{}", embed.text);
    let et = embed.body["token"].as_str().unwrap().to_owned();
    // Embed requests come from one of the token's origins.
    let embed_status = || match server
        .agent()
        .get(&format!("{}/api/v1/embed/dashboard", server.base))
        .set("Authorization", &format!("Bearer {et}"))
        .set("Origin", &origin)
        .call()
    {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r.status(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(embed_status(), 200);
    let sse = sse_until_closed(&server, &et);
    let off = server.call(
        "PATCH",
        "/api/v1/tenants/innova",
        Some(&root),
        None,
        Some(json!({ "active": false })),
    );
    assert_eq!(off.status, 200);
    assert_eq!(embed_status(), 403);
    assert!(
        sse.recv_timeout(Duration::from_secs(10)).is_ok(),
        "embed SSE stream ended"
    );
    server.call(
        "PATCH",
        "/api/v1/tenants/innova",
        Some(&root),
        None,
        Some(json!({ "active": true })),
    );
    let audit = server.call(
        "GET",
        "/api/v1/audit?action=embed_token_issued",
        Some(&admin),
        None,
        None,
    );
    assert_eq!(audit.body["items"][0]["target"], dash);
}

#[test]
fn logout_and_refresh_reuse_end_the_session() {
    let server = Server::start(&[]);
    let first = server.login("analyst@healthco.test", "vantage-demo");
    assert_eq!(first.cache_control.as_deref(), Some("no-store"));
    let r1 = first.body["refreshToken"].clone();
    let second = server.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": r1 })),
    );
    assert_eq!(
        (second.status, second.cache_control.as_deref()),
        (200, Some("no-store"))
    );
    let reuse = server.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": r1 })),
    );
    assert_eq!(reuse.status, 401);
    let r2 = server.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        None,
        Some(json!({ "refreshToken": second.body["refreshToken"] })),
    );
    assert_eq!(r2.status, 401, "the whole session ended on reuse");
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&access(&second)), None, None)
            .status,
        401
    );

    let s = server.login("analyst@healthco.test", "vantage-demo");
    let other = server.login("analyst@healthco.test", "vantage-demo");
    let out = server.call("POST", "/api/v1/auth/logout", Some(&access(&s)), None, None);
    assert_eq!(out.status, 204);
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&access(&s)), None, None)
            .status,
        401
    );
    assert_eq!(
        server
            .call(
                "POST",
                "/api/v1/auth/refresh",
                None,
                None,
                Some(json!({ "refreshToken": s.body["refreshToken"] }))
            )
            .status,
        401
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&access(&other)), None, None)
            .status,
        200,
        "other sessions stay"
    );
}

#[test]
fn changing_the_password_signs_out_other_sessions() {
    let server = Server::start(&[]);
    let here = server.login("viewer@autoinsure.test", "vantage-demo");
    let there = server.login("viewer@autoinsure.test", "vantage-demo");
    let t = access(&here);
    let wrong = server.call(
        "POST",
        "/api/v1/auth/password",
        Some(&t),
        None,
        Some(json!({ "currentPassword": "nope", "newPassword": STRONG })),
    );
    assert_eq!((wrong.status, field(&wrong)), (422, "currentPassword"));
    let weak = server.call(
        "POST",
        "/api/v1/auth/password",
        Some(&t),
        None,
        Some(json!({ "currentPassword": "vantage-demo", "newPassword": "qwerty123456" })),
    );
    assert_eq!((weak.status, field(&weak)), (422, "newPassword"));
    let ok = server.call(
        "POST",
        "/api/v1/auth/password",
        Some(&t),
        None,
        Some(json!({ "currentPassword": "vantage-demo", "newPassword": STRONG })),
    );
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&t), None, None)
            .status,
        200
    );
    assert_eq!(
        server
            .call("GET", "/api/v1/auth/me", Some(&access(&there)), None, None)
            .status,
        401
    );
    assert_eq!(
        server
            .login("viewer@autoinsure.test", "vantage-demo")
            .status,
        401
    );
    assert_eq!(server.login("viewer@autoinsure.test", STRONG).status, 200);
}

#[test]
fn the_audit_log_is_tenant_scoped_filterable_and_exports_safe_csv() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    assert_eq!(
        server
            .login("manager@healthco.test", "wrong password")
            .status,
        401
    );
    let inv = server.call(
        "POST",
        "/api/v1/users/invitations",
        Some(&admin),
        None,
        Some(json!({ "email": "=2+3@healthco.example", "role": "viewer" })),
    );
    assert_eq!(inv.status, 201, "{}", inv.text);
    let page = server.call("GET", "/api/v1/audit?limit=500", Some(&admin), None, None);
    assert_eq!(page.status, 200);
    let items = page.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in ["sign_in", "sign_in_failed", "user_invited"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(items.iter().all(|e| e["tenantId"] == "healthco"));
    let failed = server.call(
        "GET",
        "/api/v1/audit?action=sign_in_failed",
        Some(&admin),
        None,
        None,
    );
    assert_eq!(
        failed.body["items"][0]["actorEmail"],
        "manager@healthco.test"
    );
    let other = server.token("admin@autoinsure.test");
    let theirs = server.call(
        "GET",
        "/api/v1/audit?action=user_invited",
        Some(&other),
        None,
        None,
    );
    assert_eq!(
        theirs.body["items"],
        json!([]),
        "another tenant sees none of it"
    );
    let root = server.token("sysadmin@vantage.test");
    let via = server.call(
        "GET",
        "/api/v1/audit?action=user_invited",
        Some(&root),
        Some("healthco"),
        None,
    );
    assert_eq!(via.body["items"][0]["target"], "=2+3@healthco.example");
    assert_eq!(
        server
            .call(
                "GET",
                "/api/v1/audit",
                Some(&root),
                Some("no-such-tenant"),
                None
            )
            .status,
        404
    );
    let viewer = server.token("viewer@healthco.test");
    assert_eq!(
        server
            .call("GET", "/api/v1/audit", Some(&viewer), None, None)
            .status,
        403
    );
    let bad = server.call("GET", "/api/v1/audit?action=nope", Some(&admin), None, None);
    assert_eq!((bad.status, field(&bad)), (422, "action"));
    let one = server.call("GET", "/api/v1/audit?limit=1", Some(&admin), None, None);
    let cursor = one.body["nextCursor"].as_str().unwrap().to_owned();
    let next = server.call(
        "GET",
        &format!("/api/v1/audit?limit=1&cursor={cursor}"),
        Some(&admin),
        None,
        None,
    );
    assert!(next.body["items"][0]["id"].as_i64() < one.body["items"][0]["id"].as_i64());

    let csv = server.call(
        "GET",
        "/api/v1/audit.csv?action=user_invited",
        Some(&admin),
        None,
        None,
    );
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.as_deref().unwrap().starts_with("text/csv"));
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next(),
        Some("id,time,action,actorId,actorEmail,target,details")
    );
    let row = lines.next().unwrap();
    assert!(
        row.contains(",'=2+3@healthco.example,"),
        "formula neutralised: {row}"
    );
}
