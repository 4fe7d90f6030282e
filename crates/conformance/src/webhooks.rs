//! Webhooks: tenant admins only; validation naming the field; the secret answered on create
//! and on rotation and never listed; tenant isolation; a test delivery answered as a pending
//! `ping` and listed among the deliveries; deletion. Whether a delivery reaches a receiver
//! depends on where the backend runs (it may not reach this machine), so it is not checked
//! here; the reference server's own tests do.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};

fn hook(name: &str, url: &str, events: &[&str]) -> Value {
    json!({ "name": name, "url": url, "events": events })
}

/// One change to a valid webhook and the field the 422 must name.
type Case = (&'static str, fn(&mut Value), &'static str);

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(admin), Some(manager), Some(other)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("manager@healthco.test"),
        ctx.token("admin@autoinsure.test"),
    ) else {
        return;
    };
    let name = format!("Conformance webhook {}", std::process::id());
    let valid = hook(
        &name,
        "https://hooks.example.com/vantage",
        &["alert.raised"],
    );
    let r = ctx.http.post("/api/v1/webhooks", Some(&manager), &valid);
    ctx.expect("a manager may not create a webhook → 403", &r, &[403]);
    let r = ctx.http.get("/api/v1/webhooks", Some(&manager));
    ctx.expect("a manager may not list webhooks → 403", &r, &[403]);
    let cases: [Case; 6] = [
        (
            "an ftp:// address",
            |b| b["url"] = json!("ftp://hooks.example.com"),
            "url",
        ),
        (
            "a user name in the address",
            |b| b["url"] = json!("https://u:p@hooks.example.com/"),
            "url",
        ),
        ("no events", |b| b["events"] = json!([]), "events"),
        (
            "ping as an event",
            |b| b["events"] = json!(["ping"]),
            "events[0]",
        ),
        (
            "an event twice",
            |b| b["events"] = json!(["alert.resolved", "alert.resolved"]),
            "events[1]",
        ),
        ("an empty name", |b| b["name"] = json!(" "), "name"),
    ];
    for (what, change, field) in cases {
        let mut body = valid.clone();
        change(&mut body);
        let r = ctx.http.post("/api/v1/webhooks", Some(&admin), &body);
        ctx.check(
            &format!("a webhook with {what} → 422 naming {field}"),
            body_ok(&r, 422, |b| b["error"]["details"]["field"] == field),
            || show(&r),
        );
    }
    let mut body = valid.clone();
    body["events"] = json!(["alert.exploded"]);
    let r = ctx.http.post("/api/v1/webhooks", Some(&admin), &body);
    ctx.expect("a webhook with an unknown event → 400/422", &r, &[400, 422]);

    let r = ctx.http.post("/api/v1/webhooks", Some(&admin), &valid);
    let secret = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["secret"].as_str().map(str::to_owned));
    ctx.check(
        "a tenant admin creates a webhook; the answer holds its whsec_ secret",
        body_ok(&r, 201, |b| {
            b["secret"]
                .as_str()
                .is_some_and(|s| s.starts_with("whsec_"))
                && b["webhook"]["id"].is_string()
                && b["webhook"]["name"] == name.as_str()
                && b["webhook"]["events"] == json!(["alert.raised"])
                && b["webhook"]["enabled"] == true
                && b["webhook"]["format"] == "event"
        }),
        || show(&r),
    );
    let (Some(id), Some(secret)) = (
        r.ok()
            .and_then(|r| r.body["webhook"]["id"].as_str().map(str::to_owned)),
        secret,
    ) else {
        return;
    };
    let path = format!("/api/v1/webhooks/{id}");
    let r = ctx.http.get("/api/v1/webhooks", Some(&admin));
    ctx.check(
        "the webhook is listed, without its secret",
        body_ok(&r, 200, |b| {
            b["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["id"] == id.as_str()))
        }) && r.as_ref().is_ok_and(|r| !r.text.contains(&secret)),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/webhooks", Some(&other));
    ctx.check(
        "another tenant does not see the webhook",
        body_ok(&r, 200, |b| {
            b["items"]
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x["id"] != id.as_str()))
        }),
        || show(&r),
    );
    let r = ctx.http.get(&path, Some(&other));
    ctx.expect("another tenant reads the webhook → 404", &r, &[404]);
    let r = ctx.http.put(&path, Some(&other), &valid);
    ctx.expect("another tenant changes the webhook → 404", &r, &[404]);
    let r = ctx
        .http
        .post(&format!("{path}/test"), Some(&other), &json!({}));
    ctx.expect("another tenant tests the webhook → 404", &r, &[404]);

    let mut changed = hook(
        &name,
        "https://hooks.example.com/v2",
        &["alert.raised", "alert.resolved"],
    );
    changed["enabled"] = json!(false);
    changed["format"] = json!("chat");
    let r = ctx.http.put(&path, Some(&admin), &changed);
    ctx.check(
        "a tenant admin changes the webhook to chat messages and disables it",
        body_ok(&r, 200, |b| {
            b["id"] == id.as_str()
                && b["url"] == "https://hooks.example.com/v2"
                && b["enabled"] == false
                && b["format"] == "chat"
                && b["events"] == json!(["alert.raised", "alert.resolved"])
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .post(&format!("{path}/secret"), Some(&admin), &json!({}));
    ctx.check(
        "a new secret replaces the old one and is answered once",
        body_ok(&r, 200, |b| {
            b["secret"]
                .as_str()
                .is_some_and(|s| s.starts_with("whsec_") && s != secret)
                && b["webhook"]["id"] == id.as_str()
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .post(&format!("{path}/test"), Some(&admin), &json!({}));
    let delivery = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned));
    ctx.check(
        "a test answers a pending ping delivery → 202",
        body_ok(&r, 202, |b| {
            b["event"] == "ping" && b["status"] == "pending" && b["eventId"].is_string()
        }),
        || show(&r),
    );
    let r = ctx.http.get(&format!("{path}/deliveries"), Some(&admin));
    ctx.check(
        "the ping is listed among the webhook's deliveries",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| delivery.as_deref().is_some_and(|d| x["id"] == d))
            })
        }),
        || show(&r),
    );
    let r = ctx.http.call("DELETE", &path, Some(&admin), None, &[]);
    ctx.expect("a tenant admin deletes the webhook → 204", &r, &[204]);
    let r = ctx.http.get(&path, Some(&admin));
    ctx.expect("the deleted webhook → 404", &r, &[404]);
}
