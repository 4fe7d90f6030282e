//! Alert rules on a tenant's own data, end to end against the real server binary and a real
//! SQLite file: a rule on an ingested dataset raises an alert (stored, and published on the
//! live `alerts` channel) when rows arrive that break it, one at a time while one is
//! unresolved, resolved by itself once the rule no longer holds; a disabled rule raises nothing,
//! and disabling one resolves its alert; a field a rule reads cannot be dropped; a rule whose dataset is deleted says why it
//! cannot be evaluated; changes are audited. The demo generator is off (`--events-per-sec 0`),
//! so every alert here comes from the rules.

mod common;

use common::{Reply, Server};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn send(server: &Server, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    server.call(method, path, Some(token), None, body)
}

fn orders() -> Value {
    json!({
        "id": "orders",
        "name": "Orders",
        "timeField": "ts",
        "fields": [
            { "name": "ts", "type": "time", "label": "Order time" },
            { "name": "region", "type": "string", "role": "dimension", "label": "Region" },
            { "name": "amount", "type": "number", "role": "measure", "label": "Amount", "unit": "EUR" }
        ]
    })
}

/// Sends `rows` to the `orders` dataset with a new ingest key of `admin`'s tenant.
fn ingest(server: &Server, admin: &str, rows: Value) {
    let key = send(
        server,
        "POST",
        "/api/v1/ingest-keys",
        admin,
        Some(json!({ "name": "orders", "datasets": ["orders"] })),
    );
    let key = key.body["secret"].as_str().unwrap().to_owned();
    let r = send(
        server,
        "POST",
        "/api/v1/datasets/orders/events",
        &key,
        Some(rows),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

fn rule() -> Value {
    json!({
        "name": "Big EU orders",
        "dataset": "orders",
        "measure": { "field": "amount", "agg": "sum" },
        "filters": [{ "field": "region", "op": "eq", "value": "EU" }],
        "windowMinutes": 60,
        "condition": "above",
        "threshold": 1000,
        "severity": "critical"
    })
}

/// The alerts the rule `id` raised, newest first.
fn alerts_of(server: &Server, token: &str, id: &str) -> Vec<Value> {
    let r = send(server, "GET", "/api/v1/alerts?limit=500", token, None);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == id)
        .cloned()
        .collect()
}

/// Waits (up to 15 s) until `f` holds.
fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The lines of a live SSE stream of the `alerts` channel, subscribed with `token`.
fn alert_stream(server: &Server, token: &str) -> impl Iterator<Item = std::io::Result<String>> {
    let stream = server
        .agent()
        .get(&format!(
            "{}/api/v1/live/sse?channels=alerts&access_token={token}",
            server.base
        ))
        .call()
        .unwrap();
    BufReader::new(stream.into_reader()).lines()
}

/// Reads the live stream until an alert for which `wanted` holds arrives, and returns it.
fn next_alert(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    loop {
        let line = lines.next().expect("stream ended").unwrap();
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let msg: Value = serde_json::from_str(data.trim()).unwrap();
        if msg["kind"] == "alert" && wanted(&msg["data"]) {
            return msg["data"].clone();
        }
    }
}

fn rule_state(server: &Server, token: &str, id: &str) -> Value {
    let r = send(server, "GET", "/api/v1/alert-rules", token, None);
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn a_rule_on_ingested_data_raises_one_alert_while_unresolved_and_publishes_it() {
    let server = Server::start(&["--events-per-sec", "0", "--alert-interval-secs", "1"]);
    let admin = server.token("admin@healthco.test");
    let viewer = server.token("viewer@healthco.test");
    assert_eq!(
        send(&server, "POST", "/api/v1/datasets", &admin, Some(orders())).status,
        201
    );

    // Saved with no rows yet: evaluated at once, no value, nothing raised; the name trimmed.
    let mut padded = rule();
    padded["name"] = json!("  Big EU orders ");
    let created = send(&server, "POST", "/api/v1/alert-rules", &admin, Some(padded));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["definition"]["name"], "Big EU orders");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("r_"));
    assert!(created.body["evaluatedAt"].is_i64(), "{}", created.text);
    assert!(created.body.get("value").is_none(), "{}", created.text);
    assert!(alerts_of(&server, &admin, &id).is_empty());

    let mut lines = alert_stream(&server, &viewer);

    // Rows that break it (EU sums to 1300; the US row is filtered out) raise it within a tick.
    let now = now_ms();
    let rows = json!([
        { "ts": now - 60_000, "region": "EU", "amount": 600 },
        { "ts": now - 1_000, "region": "EU", "amount": 700 },
        { "ts": now - 1_000, "region": "US", "amount": 5000 },
        { "ts": now - 2 * 3_600_000, "region": "EU", "amount": 9000 }
    ]);
    ingest(&server, &admin, rows);
    let published = next_alert(&mut lines, |a| a["rule"] == id.as_str());
    assert_eq!(published["title"], "Big EU orders");
    assert_eq!(published["severity"], "critical");
    assert_eq!(published["status"], "open");
    assert_eq!(published["dataset"], "orders");
    assert_eq!(published["value"], 1300.0);
    assert_eq!(published["threshold"], 1000.0);
    assert_eq!(
        published["message"],
        "Sum of amount was 1300 over the last 60 min, above the threshold 1000"
    );
    let stored = alerts_of(&server, &admin, &id);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["id"], published["id"]);
    let state = rule_state(&server, &viewer, &id);
    assert_eq!(state["value"], 1300.0, "{state}");

    // Later ticks find it still breaking but raise nothing while that alert is unresolved...
    let seen = state["evaluatedAt"].as_i64().unwrap();
    wait_for("two more evaluations", || {
        rule_state(&server, &viewer, &id)["evaluatedAt"]
            .as_i64()
            .unwrap()
            > seen + 1000
    });
    assert_eq!(alerts_of(&server, &admin, &id).len(), 1);
    // ...acknowledged included; once it is resolved, the next tick raises a new one.
    let first = stored[0]["id"].as_str().unwrap();
    let ack = format!("/api/v1/alerts/{first}/acknowledge");
    assert_eq!(
        send(&server, "POST", &ack, &admin, Some(json!({}))).status,
        200
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(alerts_of(&server, &admin, &id).len(), 1);
    let resolve = format!("/api/v1/alerts/{first}/resolve");
    assert_eq!(
        send(&server, "POST", &resolve, &admin, Some(json!({}))).status,
        200
    );
    wait_for("a second alert", || {
        alerts_of(&server, &admin, &id).len() == 2
    });

    // A threshold it does not break: evaluated on save, the value recorded, nothing raised,
    // and the open alert of the incident resolved by itself (and published so).
    let second = alerts_of(&server, &admin, &id)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/alert-rules/{id}");
    let mut high = rule();
    high["threshold"] = json!(5000);
    let r = send(&server, "PUT", &path, &admin, Some(high));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["value"], 1300.0, "{}", r.text);
    let now_alerts = alerts_of(&server, &admin, &id);
    assert_eq!(now_alerts.len(), 2);
    assert_eq!(now_alerts[0]["id"], second.as_str());
    assert_eq!(now_alerts[0]["status"], "resolved", "{now_alerts:?}");
    assert!(now_alerts[0]["resolvedAt"].is_i64());
    let resolved = next_alert(&mut lines, |a| {
        a["id"] == second.as_str() && a["status"] == "resolved"
    });
    assert_eq!(resolved["rule"], id.as_str());

    // Disabled: kept, its last finding forgotten, not evaluated, nothing raised although the
    // condition would hold.
    let mut off = rule();
    off["enabled"] = json!(false);
    let r = send(&server, "PUT", &path, &admin, Some(off));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["definition"]["enabled"], false);
    assert!(r.body.get("evaluatedAt").is_none(), "{}", r.text);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(alerts_of(&server, &admin, &id).len(), 2);
    assert!(rule_state(&server, &viewer, &id)
        .get("evaluatedAt")
        .is_none());

    // Every change is in the audit log, with the rule's name.
    let audit = send(&server, "GET", "/api/v1/audit?limit=100", &admin, None);
    assert_eq!(audit.status, 200, "{}", audit.text);
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == id.as_str())
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "alert_rule_updated",
            "alert_rule_updated",
            "alert_rule_created"
        ],
        "{}",
        audit.text
    );
    // Deleted with an alert open: the alerts stay, the open one resolved (and published so).
    let r = send(&server, "PUT", &path, &admin, Some(rule()));
    assert_eq!(r.status, 200, "{}", r.text);
    let third = alerts_of(&server, &admin, &id);
    assert_eq!(
        (third.len(), &third[0]["status"]),
        (3, &json!("open")),
        "{third:?}"
    );
    assert_eq!(send(&server, "DELETE", &path, &admin, None).status, 204);
    assert_eq!(send(&server, "DELETE", &path, &admin, None).status, 404);
    let kept = alerts_of(&server, &admin, &id);
    assert_eq!(kept.len(), 3, "its alerts stay");
    assert!(kept.iter().all(|a| a["status"] == "resolved"), "{kept:?}");
    let third_id = third[0]["id"].as_str().unwrap();
    next_alert(&mut lines, |a| {
        a["id"] == third_id && a["status"] == "resolved"
    });
}

#[test]
fn disabling_a_rule_resolves_its_open_alert_and_enabling_it_again_raises_a_new_one() {
    let server = Server::start(&["--events-per-sec", "0", "--alert-interval-secs", "1"]);
    let admin = server.token("admin@healthco.test");
    let viewer = server.token("viewer@healthco.test");
    assert_eq!(
        send(&server, "POST", "/api/v1/datasets", &admin, Some(orders())).status,
        201
    );
    let now = now_ms();
    let rows = json!([
        { "ts": now - 60_000, "region": "EU", "amount": 600 },
        { "ts": now - 1_000, "region": "EU", "amount": 700 }
    ]);
    ingest(&server, &admin, rows);

    // Saved while its condition holds: it fires at once.
    let created = send(&server, "POST", "/api/v1/alert-rules", &admin, Some(rule()));
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["value"], 1300.0, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let fired = alerts_of(&server, &admin, &id);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0]["status"], "open", "{fired:?}");
    let first = fired[0]["id"].as_str().unwrap().to_owned();

    let mut lines = alert_stream(&server, &viewer);

    // Disabled: nothing would resolve its alert any more, so the save does (and publishes it).
    let path = format!("/api/v1/alert-rules/{id}");
    let mut off = rule();
    off["enabled"] = json!(false);
    let r = send(&server, "PUT", &path, &admin, Some(off));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["definition"]["enabled"], false);
    assert!(
        r.body.get("evaluatedAt").is_none(),
        "not evaluated: {}",
        r.text
    );
    let after = alerts_of(&server, &admin, &id);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["id"], first.as_str());
    assert_eq!(after[0]["status"], "resolved", "{after:?}");
    assert!(after[0]["resolvedAt"].is_i64(), "{after:?}");
    let resolved = next_alert(&mut lines, |a| {
        a["id"] == first.as_str() && a["status"] == "resolved"
    });
    assert_eq!(resolved["rule"], id.as_str());

    // Enabled again with the condition still holding: a new incident, a new alert.
    let r = send(&server, "PUT", &path, &admin, Some(rule()));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["value"], 1300.0, "{}", r.text);
    let again = alerts_of(&server, &admin, &id);
    assert_eq!(again.len(), 2, "{again:?}");
    let new: Vec<&Value> = again.iter().filter(|a| a["id"] != first.as_str()).collect();
    assert_eq!(new.len(), 1, "{again:?}");
    assert_eq!(new[0]["status"], "open", "{again:?}");
    let raised = next_alert(&mut lines, |a| {
        a["rule"] == id.as_str() && a["id"] != first.as_str()
    });
    assert_eq!(raised["status"], "open");
    assert_eq!(raised["id"], new[0]["id"]);
}

#[test]
fn bad_rules_are_refused_naming_the_field_and_rules_stay_in_their_tenant() {
    let server = Server::start(&["--events-per-sec", "0", "--alert-interval-secs", "1"]);
    let admin = server.token("admin@healthco.test");
    let analyst = server.token("analyst@healthco.test");
    let other = server.token("admin@autoinsure.test");
    assert_eq!(
        send(&server, "POST", "/api/v1/datasets", &admin, Some(orders())).status,
        201
    );
    let refused = |body: Value| {
        let r = send(&server, "POST", "/api/v1/alert-rules", &admin, Some(body));
        assert_eq!(r.status, 422, "{}", r.text);
        r.body["error"]["details"]["field"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let with = |k: &str, v: Value| {
        let mut b = rule();
        b[k] = v;
        b
    };
    assert_eq!(
        refused(with("measure", json!({ "field": "region", "agg": "avg" }))),
        "measure.agg"
    );
    assert_eq!(
        refused(with("measure", json!({ "field": "price", "agg": "sum" }))),
        "measure.field"
    );
    let r = send(
        &server,
        "POST",
        "/api/v1/alert-rules",
        &admin,
        Some(with("threshold", json!("high"))),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(refused(with("windowMinutes", json!(0))), "windowMinutes");
    assert_eq!(refused(with("name", json!("a\u{7}b"))), "name");
    assert_eq!(
        refused(with(
            "filters",
            json!([{ "field": "region", "op": "gt", "value": [1] }])
        )),
        "filters[0].value"
    );
    assert_eq!(refused(with("dataset", json!("validations_x"))), "dataset");
    // Another tenant's dataset is unknown here.
    let r = send(&server, "POST", "/api/v1/alert-rules", &other, Some(rule()));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["error"]["details"]["field"], "dataset");
    let r = send(
        &server,
        "POST",
        "/api/v1/alert-rules",
        &analyst,
        Some(rule()),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    let names = |token: &str| -> Vec<Value> {
        let r = send(&server, "GET", "/api/v1/alert-rules", token, None);
        assert_eq!(r.status, 200, "{}", r.text);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["definition"]["name"].clone())
            .collect()
    };
    // Only the demo's own rule.
    assert_eq!(
        names(&admin),
        [json!("No sales in 15 minutes")],
        "nothing refused was stored"
    );

    let r = send(&server, "POST", "/api/v1/alert-rules", &admin, Some(rule()));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/alert-rules/{id}");
    assert_eq!(names(&other), [json!("No sales in 15 minutes")]);
    assert_eq!(names(&admin).len(), 2);
    assert_eq!(
        send(&server, "PUT", &path, &other, Some(rule())).status,
        422,
        "its dataset is unknown there"
    );
    let mut own = rule();
    own["dataset"] = json!("validations");
    own["measure"] = json!({ "field": "*", "agg": "count" });
    own["filters"] = json!([]);
    assert_eq!(send(&server, "PUT", &path, &other, Some(own)).status, 404);
    assert_eq!(send(&server, "DELETE", &path, &other, None).status, 404);
    assert_eq!(send(&server, "DELETE", &path, &analyst, None).status, 403);

    // Dropping a field the rule reads is refused naming the rule (as for widgets).
    let mut without_amount = orders();
    without_amount["fields"].as_array_mut().unwrap().pop();
    let r = send(
        &server,
        "PUT",
        "/api/v1/datasets/orders",
        &admin,
        Some(without_amount),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        r.body["error"]["details"]["alertRules"],
        json!([{ "alertRuleId": id, "alertRuleName": "Big EU orders", "field": "amount" }])
    );
    assert!(r.text.contains("alert rule 'Big EU orders'"), "{}", r.text);

    // Its dataset deleted: the rule stays and says why it cannot be evaluated.
    let r = send(&server, "DELETE", "/api/v1/datasets/orders", &admin, None);
    assert_eq!(r.status, 204, "{}", r.text);
    wait_for("the rule to report its missing dataset", || {
        rule_state(&server, &analyst, &id)["error"]
            .as_str()
            .is_some_and(|e| e.contains("orders"))
    });
}
