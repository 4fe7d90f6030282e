//! Webhooks end to end against the real server binary, a real SQLite file and a real HTTP
//! receiver on a loopback socket: tenant admins manage them (validated, audited, isolated
//! per tenant, the secret shown once); an alert raised by a rule and resolved by a person is
//! POSTed to the receiver, signed with the secret; a failed attempt is tried again with the
//! same event id; a chat webhook is sent `{"text": …}`; a disabled webhook gives up what it
//! had still to send (on SQLite and on PostgreSQL); without `--allow-local-webhooks` a
//! loopback, private or plain-http address is refused.

mod common;

use common::{Reply, Server};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn send(server: &Server, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    server.call(method, path, Some(token), None, body)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn hook(url: &str, events: &[&str]) -> Value {
    json!({ "name": "Pager relay", "url": url, "events": events })
}

/// One request the receiver got: lower-cased headers and the body.
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

/// An HTTP receiver on a free loopback port answering each request with the next status of
/// `statuses` (the last one repeated); what it receives arrives on the channel.
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            assert!(line.starts_with("POST /hook "), "{line}");
            let mut headers = HashMap::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
            let len: usize = headers["content-length"].parse().unwrap();
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let status = statuses[i.min(statuses.len() - 1)];
            write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            .unwrap();
            let body = String::from_utf8(body).unwrap();
            if tx.send(Received { headers, body }).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

/// Checks `Vantage-Signature` against the secret, as a receiver would; returns the body.
fn signed_json(r: &Received, secret: &str) -> Value {
    let sig = &r.headers["vantage-signature"];
    let (t, v1) = sig.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let v1 = v1.strip_prefix("v1=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, hex, "the signature does not verify");
    let age = now_ms() / 1000 - t.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "signed {age} s ago");
    assert_eq!(r.headers["content-type"], "application/json");
    serde_json::from_str(&r.body).unwrap()
}

/// [`signed_json`], an event: its id and type are the headers'.
fn verified(r: &Received, secret: &str) -> Value {
    let payload = signed_json(r, secret);
    assert_eq!(
        r.headers["vantage-event-id"],
        payload["id"].as_str().unwrap()
    );
    assert_eq!(
        r.headers["vantage-event-type"],
        payload["type"].as_str().unwrap()
    );
    payload
}

fn next(rx: &mpsc::Receiver<Received>, within: Duration) -> Received {
    rx.recv_timeout(within)
        .expect("the receiver got nothing in time")
}

fn deliveries(server: &Server, token: &str, id: &str) -> Vec<Value> {
    let r = send(
        server,
        "GET",
        &format!("/api/v1/webhooks/{id}/deliveries"),
        token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

fn wait_for(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < within, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn tenant_admins_manage_webhooks_validated_audited_and_per_tenant() {
    let server = &Server::start(&["--events-per-sec", "0"]);
    let admin = server.token("admin@healthco.test");
    let manager = server.token("manager@healthco.test");
    let other = server.token("admin@innova.test");

    let created = send(
        server,
        "POST",
        "/api/v1/webhooks",
        &admin,
        Some(hook("https://hooks.example.com/vantage", &["alert.raised"])),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let w = &created.body["webhook"];
    let id = w["id"].as_str().unwrap().to_owned();
    assert_eq!(w["name"], "Pager relay");
    assert_eq!(w["events"], json!(["alert.raised"]));
    assert_eq!(w["enabled"], true);
    assert!(w.get("lastDelivery").is_none(), "{w}");

    // Listed and read without the secret; not by a manager, not by another tenant.
    let list = send(server, "GET", "/api/v1/webhooks", &admin, None);
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert!(!list.text.contains(&secret));
    let path = format!("/api/v1/webhooks/{id}");
    assert!(!send(server, "GET", &path, &admin, None)
        .text
        .contains(&secret));
    assert_eq!(
        send(server, "GET", "/api/v1/webhooks", &manager, None).status,
        403
    );
    assert_eq!(
        send(
            server,
            "POST",
            "/api/v1/webhooks",
            &manager,
            Some(hook("https://a.example.com", &["alert.raised"]))
        )
        .status,
        403
    );
    assert_eq!(send(server, "GET", &path, &other, None).status, 404);
    assert_eq!(send(server, "DELETE", &path, &other, None).status, 404);
    assert_eq!(
        send(server, "POST", &format!("{path}/test"), &other, None).status,
        404
    );
    let theirs = send(server, "GET", "/api/v1/webhooks", &other, None);
    assert_eq!(theirs.body["items"], json!([]));

    // Bad input: 422 naming the field; nothing stored.
    for (body, field) in [
        (hook("ftp://hooks.example.com", &["alert.raised"]), "url"),
        (hook("http://hooks.example.com/x", &["alert.raised"]), "url"),
        (hook("https://127.0.0.1:9000/x", &["alert.raised"]), "url"),
        (hook("https://localhost/x", &["alert.raised"]), "url"),
        (hook("https://[::1]/x", &["alert.raised"]), "url"),
        (hook("https://10.1.2.3/x", &["alert.raised"]), "url"),
        (
            hook("https://169.254.169.254/latest", &["alert.raised"]),
            "url",
        ),
        (
            hook("https://u:p@hooks.example.com", &["alert.raised"]),
            "url",
        ),
        (hook("https://hooks.example.com", &[]), "events"),
        (hook("https://hooks.example.com", &["ping"]), "events[0]"),
        (
            hook(
                "https://hooks.example.com",
                &["alert.raised", "alert.raised"],
            ),
            "events[1]",
        ),
        (
            json!({ "name": " ", "url": "https://a.example.com", "events": ["alert.raised"] }),
            "name",
        ),
    ] {
        let r = send(
            server,
            "POST",
            "/api/v1/webhooks",
            &admin,
            Some(body.clone()),
        );
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert_eq!(
            r.body["error"]["details"]["field"], field,
            "{body}: {}",
            r.text
        );
    }
    let r = send(
        server,
        "POST",
        "/api/v1/webhooks",
        &admin,
        Some(hook("https://a.example.com", &["alert.fired"])),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        send(server, "GET", "/api/v1/webhooks", &admin, None).body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Changed (the secret stays), a new secret, deleted; each audited with the name.
    let r = send(
        server,
        "PUT",
        &path,
        &admin,
        Some(
            json!({ "name": "On-call", "url": "https://hooks.example.com/v2",
            "events": ["alert.raised", "alert.resolved"], "enabled": false }),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "On-call");
    assert_eq!(r.body["enabled"], false);
    assert_eq!(r.body["events"], json!(["alert.raised", "alert.resolved"]));
    let rotated = send(server, "POST", &format!("{path}/secret"), &admin, None);
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);
    assert_eq!(send(server, "DELETE", &path, &admin, None).status, 204);
    assert_eq!(send(server, "GET", &path, &admin, None).status, 404);
    assert_eq!(
        send(server, "GET", &format!("{path}/deliveries"), &admin, None).status,
        404
    );
    let audit = send(server, "GET", "/api/v1/audit?limit=100", &admin, None);
    let actions: Vec<(&str, &str)> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == id.as_str())
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["details"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("webhook_deleted", "On-call"),
            ("webhook_secret_rotated", "On-call"),
            ("webhook_updated", "On-call"),
            ("webhook_created", "Pager relay"),
        ]
    );

    // At most 20 per tenant.
    for i in 0..20 {
        let r = send(
            server,
            "POST",
            "/api/v1/webhooks",
            &admin,
            Some(hook(
                &format!("https://h{i}.example.com"),
                &["alert.raised"],
            )),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = send(
        server,
        "POST",
        "/api/v1/webhooks",
        &admin,
        Some(hook("https://h20.example.com", &["alert.raised"])),
    );
    assert_eq!(r.status, 409, "{}", r.text);
}

const DELIVERING: [&str; 5] = [
    "--events-per-sec",
    "0",
    "--alert-interval-secs",
    "1",
    "--allow-local-webhooks",
];

#[test]
fn alert_events_are_delivered_signed_retried_and_given_up_when_disabled() {
    delivered(&Server::start(&DELIVERING));
}

/// The same on PostgreSQL, the storage several replicas share (the outbox's claim is what
/// keeps two of them from sending one attempt twice).
#[test]
fn on_postgres_too() {
    let pg = common::postgres::Postgres::start();
    delivered(&Server::start_on(&pg.url(), &DELIVERING));
}

fn delivered(server: &Server) {
    let admin = server.token("admin@healthco.test");
    // The first attempt is answered 500, the rest 200.
    let (url, rx) = receiver(vec![500, 200]);
    let created = send(
        server,
        "POST",
        "/api/v1/webhooks",
        &admin,
        Some(hook(&url, &["alert.raised", "alert.resolved"])),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    let id = created.body["webhook"]["id"].as_str().unwrap().to_owned();

    // A test: a ping, failed once (500), retried with the same event id, then delivered.
    let ping = send(
        server,
        "POST",
        &format!("/api/v1/webhooks/{id}/test"),
        &admin,
        None,
    );
    assert_eq!(ping.status, 202, "{}", ping.text);
    assert_eq!(ping.body["event"], "ping");
    assert_eq!(ping.body["status"], "pending");
    let first = next(&rx, Duration::from_secs(10));
    let payload = verified(&first, &secret);
    assert_eq!(payload["type"], "ping");
    assert_eq!(payload["tenant"], "healthco");
    assert!(payload.get("alert").is_none());
    assert_eq!(first.headers["vantage-event-type"], "ping");
    assert!(first.headers["user-agent"].starts_with("Vantage-Webhooks/"));
    wait_for("the failure recorded", Duration::from_secs(5), || {
        deliveries(server, &admin, &id)[0]["responseStatus"] == 500
    });
    let failed = &deliveries(server, &admin, &id)[0];
    assert_eq!(failed["status"], "pending", "{failed}");
    assert_eq!(failed["attempts"], 1);
    assert!(
        failed["error"].as_str().unwrap().contains("500"),
        "{failed}"
    );
    let wait =
        failed["nextAttemptAt"].as_i64().unwrap() - failed["lastAttemptAt"].as_i64().unwrap();
    assert!((9_000..=11_000).contains(&wait), "retried after {wait} ms");
    let second = next(&rx, Duration::from_secs(15));
    assert_eq!(
        second.headers["vantage-event-id"],
        first.headers["vantage-event-id"]
    );
    verified(&second, &secret);
    wait_for("the retry recorded", Duration::from_secs(5), || {
        deliveries(server, &admin, &id)[0]["status"] == "delivered"
    });
    let done = &deliveries(server, &admin, &id)[0];
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(done["responseStatus"], 200);
    assert!(
        done.get("error").is_none() && done.get("nextAttemptAt").is_none(),
        "{done}"
    );
    let listed = send(
        server,
        "GET",
        &format!("/api/v1/webhooks/{id}"),
        &admin,
        None,
    );
    assert_eq!(listed.body["lastDelivery"]["status"], "delivered");

    // A rule breaks: alert.raised, signed, with the alert.
    let ds = json!({
        "id": "orders", "name": "Orders", "timeField": "ts",
        "fields": [
            { "name": "ts", "type": "time" },
            { "name": "amount", "type": "number", "role": "measure" }
        ]
    });
    assert_eq!(
        send(server, "POST", "/api/v1/datasets", &admin, Some(ds)).status,
        201
    );
    let key = send(
        server,
        "POST",
        "/api/v1/ingest-keys",
        &admin,
        Some(json!({ "name": "orders", "datasets": ["orders"] })),
    );
    let key = key.body["secret"].as_str().unwrap().to_owned();
    let rule = send(
        server,
        "POST",
        "/api/v1/alert-rules",
        &admin,
        Some(json!({
            "name": "Big orders", "dataset": "orders",
            "measure": { "field": "amount", "agg": "sum" },
            "windowMinutes": 60, "condition": "above", "threshold": 100, "severity": "warning"
        })),
    );
    assert_eq!(rule.status, 201, "{}", rule.text);
    let r = send(
        server,
        "POST",
        "/api/v1/datasets/orders/events",
        &key,
        Some(json!([{ "ts": now_ms() - 1000, "amount": 500 }])),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let raised = verified(&next(&rx, Duration::from_secs(10)), &secret);
    assert_eq!(raised["type"], "alert.raised");
    assert_eq!(raised["alert"]["title"], "Big orders");
    assert_eq!(raised["alert"]["status"], "open");
    assert_eq!(raised["alert"]["value"], 500.0);
    let alert = raised["alert"]["id"].as_str().unwrap().to_owned();

    // Acknowledged: not asked for, not sent. Resolved: sent, the alert as it is now.
    for (action, status) in [("acknowledge", 200), ("resolve", 200)] {
        let r = send(
            server,
            "POST",
            &format!("/api/v1/alerts/{alert}/{action}"),
            &admin,
            Some(json!({})),
        );
        assert_eq!(r.status, status, "{}", r.text);
    }
    let resolved = verified(&next(&rx, Duration::from_secs(10)), &secret);
    assert_eq!(resolved["type"], "alert.resolved");
    assert_eq!(resolved["alert"]["id"], alert.as_str());
    assert_eq!(resolved["alert"]["status"], "resolved");
    assert!(resolved["alert"]["acknowledgedAt"].is_i64());
    // Who acknowledged it, by id and by name.
    assert!(resolved["alert"]["acknowledgedBy"]
        .as_str()
        .is_some_and(|u| u.starts_with("u_")));
    assert_eq!(resolved["alert"]["acknowledgedByName"], "HealthCo admin");
    let events: Vec<Value> = deliveries(server, &admin, &id)
        .iter()
        .map(|d| d["event"].clone())
        .collect();
    // Oldest last; the rule still holds, so the next tick may already have raised a new one.
    assert_eq!(
        events[events.len() - 3..],
        [
            json!("alert.resolved"),
            json!("alert.raised"),
            json!("ping")
        ]
    );

    // A chat webhook (Slack and the like) is sent {"text": …}, signed the same way.
    let (chat_url, chat_rx) = receiver(vec![200]);
    let mut body = hook(&chat_url, &["alert.raised"]);
    body["format"] = json!("chat");
    let chat = send(server, "POST", "/api/v1/webhooks", &admin, Some(body));
    assert_eq!(chat.status, 201, "{}", chat.text);
    assert_eq!(chat.body["webhook"]["format"], "chat");
    let chat_secret = chat.body["secret"].as_str().unwrap().to_owned();
    let chat_id = chat.body["webhook"]["id"].as_str().unwrap();
    send(
        server,
        "POST",
        &format!("/api/v1/webhooks/{chat_id}/test"),
        &admin,
        None,
    );
    let got = next(&chat_rx, Duration::from_secs(10));
    assert_eq!(
        signed_json(&got, &chat_secret),
        json!({ "text": "Vantage test message: this webhook works." })
    );
    assert_eq!(got.headers["vantage-event-type"], "ping");

    // A receiver that is not there: the attempt fails and waits for its retry; disabling the
    // webhook gives it up.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let w2 = send(
        server,
        "POST",
        "/api/v1/webhooks",
        &admin,
        Some(hook(&gone, &["alert.raised"])),
    );
    let id2 = w2.body["webhook"]["id"].as_str().unwrap().to_owned();
    send(
        server,
        "POST",
        &format!("/api/v1/webhooks/{id2}/test"),
        &admin,
        None,
    );
    wait_for("the refused attempt", Duration::from_secs(5), || {
        deliveries(server, &admin, &id2)[0]["attempts"] == 1
            && deliveries(server, &admin, &id2)[0].get("error").is_some()
    });
    let d = &deliveries(server, &admin, &id2)[0];
    assert_eq!(d["status"], "pending", "{d}");
    assert!(
        d["error"].as_str().unwrap().contains("could not connect"),
        "{d}"
    );
    assert!(d.get("responseStatus").is_none(), "{d}");
    let r = send(
        server,
        "PUT",
        &format!("/api/v1/webhooks/{id2}"),
        &admin,
        Some(json!({ "name": "Gone", "url": gone, "events": ["alert.raised"], "enabled": false })),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let d = &deliveries(server, &admin, &id2)[0];
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["error"].as_str().unwrap().contains("disabled"), "{d}");
}
