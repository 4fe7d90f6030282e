//! Bring your own data, end to end against the real server binary and a real SQLite file:
//! dataset definitions (CRUD, 409 on breaking changes), ingest keys (scope, 403 elsewhere,
//! tenant isolation), batch validation (422 listing rows, nothing stored), gzip + NDJSON,
//! idempotent retries, live delivery over SSE, range deletion and retention.

mod common;

use common::Server;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `(status, body)` of any request.
fn call(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> (u16, Value) {
    let mut req = server
        .agent()
        .request(method, &format!("{}{path}", server.base))
        .set("Authorization", &format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let r = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    let r = match r {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = r.status();
    let text = r.into_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn send_json(server: &Server, method: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    call(
        server,
        method,
        path,
        token,
        &[("Content-Type", "application/json")],
        Some(&bytes),
    )
}

fn orders(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Orders",
        "timeField": "ts",
        "retentionDays": 30,
        "fields": [
            { "name": "ts", "type": "time", "label": "Order time" },
            { "name": "region", "type": "string", "role": "dimension", "label": "Region" },
            { "name": "paid", "type": "boolean", "label": "Paid" },
            { "name": "amount", "type": "number", "role": "measure", "label": "Amount", "unit": "USD" },
            { "name": "items", "type": "number", "role": "measure", "label": "Items", "format": "integer" }
        ]
    })
}

fn count(server: &Server, token: &str, dataset: &str) -> i64 {
    let (status, body) = send_json(
        server,
        "POST",
        "/api/v1/query",
        token,
        &json!({ "dataset": dataset, "measures": [{ "field": "*", "agg": "count" }] }),
    );
    assert_eq!(status, 200, "{body}");
    body["data"][0][0].as_i64().unwrap()
}

fn create_key(server: &Server, admin: &str, datasets: &[&str]) -> String {
    let (status, body) = send_json(
        server,
        "POST",
        "/api/v1/ingest-keys",
        admin,
        &json!({ "name": "test key", "datasets": datasets }),
    );
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("vk_"));
    secret
}

fn ingest(server: &Server, token: &str, dataset: &str, rows: &Value) -> (u16, Value) {
    send_json(
        server,
        "POST",
        &format!("/api/v1/datasets/{dataset}/events"),
        token,
        rows,
    )
}

#[test]
fn datasets_are_rows_with_crud_and_breaking_changes_are_refused_with_dependants() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    let viewer = server.token("viewer@healthco.test");
    // The demo datasets are ordinary rows, with fields, labels and retention.
    let (status, list) = call(&server, "GET", "/api/v1/datasets", &viewer, &[], None);
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["validations", "agent_events", "sales"]);
    assert_eq!(list["items"][1]["fields"][4]["label"], "Cost");
    assert_eq!(list["items"][1]["measures"][0]["unit"], "USD");

    // Viewers read, only admins write.
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &viewer,
            &orders("orders")
        )
        .0,
        403
    );
    let (status, created) = send_json(
        &server,
        "POST",
        "/api/v1/datasets",
        &admin,
        &orders("orders"),
    );
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["measures"][0]["name"], "amount");
    assert_eq!(
        created["dimensions"].as_array().unwrap().len(),
        2,
        "region and paid; ts is the time field"
    );
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &admin,
            &orders("orders")
        )
        .0,
        409
    );
    let (status, body) = send_json(
        &server,
        "POST",
        "/api/v1/datasets",
        &admin,
        &json!({
            "id": "bad", "name": "Bad", "timeField": "ts",
            "fields": [{ "name": "ts", "type": "time" }, { "name": "who", "type": "string", "role": "measure" }]
        }),
    );
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"]["field"], "fields[1].role");
    assert_eq!(
        call(
            &server,
            "GET",
            "/api/v1/datasets/orders",
            &viewer,
            &[],
            None
        )
        .0,
        200
    );

    // A dashboard over it, then changes: adding a field and relabelling are fine ...
    let (status, dash) = send_json(
        &server,
        "POST",
        "/api/v1/dashboards",
        &admin,
        &json!({
            "name": "Orders board",
            "widgets": [{ "id": "revenue", "kind": "kpi", "title": "Revenue", "position": { "x": 0, "y": 0, "w": 4, "h": 2 },
                "query": { "dataset": "orders", "measures": [{ "field": "amount", "agg": "sum" }] }, "options": {} }]
        }),
    );
    assert_eq!(status, 201, "{dash}");
    let mut def = orders("orders");
    def["fields"][3]["label"] = json!("Order value");
    def["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "coupon", "type": "string" }));
    let (status, updated) = send_json(&server, "PUT", "/api/v1/datasets/orders", &admin, &def);
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["measures"][0]["label"], "Order value");
    assert_eq!(updated["version"], 2);

    // ... dropping a field a widget uses is not, and the answer names the widget.
    let mut dropped = def.clone();
    dropped["fields"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["name"] != "amount");
    let (status, body) = send_json(&server, "PUT", "/api/v1/datasets/orders", &admin, &dropped);
    assert_eq!(status, 409, "{body}");
    let dep = &body["error"]["details"]["dependants"][0];
    assert_eq!(
        (
            dep["dashboardId"].as_str(),
            dep["widgetId"].as_str(),
            dep["field"].as_str()
        ),
        (dash["id"].as_str(), Some("revenue"), Some("amount"))
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Orders board"));

    // A type change is refused once rows exist, even without dependants.
    let ts = now_ms() - 60_000;
    assert_eq!(
        ingest(
            &server,
            &admin,
            "orders",
            &json!([{ "ts": ts, "region": "north", "amount": 5.0 }])
        )
        .0,
        200
    );
    let mut retyped = def.clone();
    retyped["fields"][1]["type"] = json!("number");
    let (status, body) = send_json(&server, "PUT", "/api/v1/datasets/orders", &admin, &retyped);
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["details"]["fields"][0], "region");

    // Deleting the dataset deletes its rows; its widget gets a clear error of its own.
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/api/v1/datasets/orders",
            &viewer,
            &[],
            None
        )
        .0,
        403
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/api/v1/datasets/orders",
            &admin,
            &[],
            None
        )
        .0,
        204
    );
    assert_eq!(
        call(&server, "GET", "/api/v1/datasets/orders", &admin, &[], None).0,
        404
    );
    let (status, data) = send_json(
        &server,
        "POST",
        &format!("/api/v1/dashboards/{}/data", dash["id"].as_str().unwrap()),
        &admin,
        &json!({}),
    );
    assert_eq!(status, 200);
    let err = &data["widgets"]["revenue"]["error"];
    assert_eq!(err["code"], "validation_failed", "{data}");
    assert!(err["message"].as_str().unwrap().contains("orders"), "{err}");
}

#[test]
fn ingest_keys_are_scoped_shown_once_and_can_do_nothing_else() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    let manager = server.token("manager@healthco.test");
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/ingest-keys",
            &manager,
            &json!({ "name": "x", "datasets": ["sales"] })
        )
        .0,
        403
    );
    let (status, body) = send_json(
        &server,
        "POST",
        "/api/v1/ingest-keys",
        &admin,
        &json!({ "name": "x", "datasets": ["nope"] }),
    );
    assert_eq!(
        (status, body["error"]["details"]["field"].as_str()),
        (422, Some("datasets[0]"))
    );
    let key = create_key(&server, &admin, &["sales"]);
    let row = json!([{ "ts": now_ms() - 1000, "region": "north", "product": "basic", "channel": "online", "revenue": 40.0, "units": 1 }]);
    let (status, body) = ingest(&server, &key, "sales", &row);
    assert_eq!(
        (status, body["accepted"].as_u64()),
        (200, Some(1)),
        "{body}"
    );
    // Out of scope: another dataset of the same tenant.
    let (status, body) = ingest(&server, &key, "validations", &json!([{ "ts": now_ms() }]));
    assert_eq!(status, 403, "{body}");
    // Everything that is not ingest is forbidden to a key.
    for path in [
        "/api/v1/datasets",
        "/api/v1/dashboards",
        "/api/v1/auth/me",
        "/api/v1/ingest-keys",
    ] {
        let (status, body) = call(&server, "GET", path, &key, &[], None);
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/query",
            &key,
            &json!({ "dataset": "sales", "measures": [{ "field": "*", "agg": "count" }] })
        )
        .0,
        403
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/api/v1/datasets/sales/events?from=0&to=1",
            &key,
            &[],
            None
        )
        .0,
        403
    );
    // Listed without the secret; revoked keys stop working at once.
    let (_, list) = call(&server, "GET", "/api/v1/ingest-keys", &admin, &[], None);
    let listed = &list["items"][0];
    assert!(listed.get("secret").is_none());
    assert!(key.starts_with(listed["prefix"].as_str().unwrap()));
    assert!(listed["lastUsedAt"].is_i64(), "{listed}");
    let id = listed["id"].as_str().unwrap();
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/api/v1/ingest-keys/{id}"),
            &admin,
            &[],
            None
        )
        .0,
        204
    );
    assert_eq!(ingest(&server, &key, "sales", &row).0, 401);
    assert_eq!(
        call(
            &server,
            "DELETE",
            &format!("/api/v1/ingest-keys/{id}"),
            &admin,
            &[],
            None
        )
        .0,
        404
    );
}

#[test]
fn a_tenants_key_cannot_reach_another_tenants_datasets() {
    let server = Server::start(&[]);
    let (a, b) = (
        server.token("admin@healthco.test"),
        server.token("admin@autoinsure.test"),
    );
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &a,
            &orders("iso_orders")
        )
        .0,
        201
    );
    // B has no such dataset: it is invisible to B, and B's key cannot be scoped to it.
    assert_eq!(
        call(&server, "GET", "/api/v1/datasets/iso_orders", &b, &[], None).0,
        404
    );
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/ingest-keys",
            &b,
            &json!({ "name": "x", "datasets": ["iso_orders"] })
        )
        .0,
        422
    );
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &b,
            &orders("iso_orders")
        )
        .0,
        201
    );
    let key_a = create_key(&server, &a, &["iso_orders"]);
    let rows =
        json!([{ "ts": now_ms() - 1000, "amount": 1.0 }, { "ts": now_ms() - 2000, "amount": 2.0 }]);
    // Naming tenant B in a header changes nothing: the key belongs to A.
    let bytes = serde_json::to_vec(&rows).unwrap();
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/datasets/iso_orders/events",
        &key_a,
        &[
            ("Content-Type", "application/json"),
            ("X-Tenant-Id", "autoinsure"),
        ],
        Some(&bytes),
    );
    assert_eq!(status, 200);
    assert_eq!(count(&server, &a, "iso_orders"), 2);
    assert_eq!(
        count(&server, &b, "iso_orders"),
        0,
        "B's dataset of the same name is untouched"
    );
    // B's key for B's dataset writes B only; B's admin cannot delete A's rows.
    let key_b = create_key(&server, &b, &["iso_orders"]);
    assert_eq!(ingest(&server, &key_b, "iso_orders", &rows).0, 200);
    let (_, deleted) = call(
        &server,
        "DELETE",
        &format!(
            "/api/v1/datasets/iso_orders/events?from=0&to={}",
            now_ms() + 1
        ),
        &b,
        &[],
        None,
    );
    assert_eq!(deleted["deleted"], 2);
    assert_eq!(count(&server, &a, "iso_orders"), 2);
}

#[test]
fn a_batch_with_bad_rows_is_refused_whole_with_each_row_listed() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &admin,
            &orders("strict")
        )
        .0,
        201
    );
    let now = now_ms();
    let mut rows = vec![
        json!({ "ts": now - 1000, "region": "north", "amount": 3.5, "items": 2, "paid": true }),
        json!({ "ts": now - 1000, "region": 7 }),
        json!({ "region": "south" }),
        json!({ "ts": now - 1000, "colour": "red" }),
        json!({ "ts": now + 3 * 86_400_000_i64 }),
        json!({ "ts": now - 40 * 86_400_000_i64 }),
        json!({ "ts": "2026-02-30T00:00:00Z" }),
        json!({ "ts": now, "items": 1.5 }),
    ];
    rows.extend((0..150).map(|_| json!({ "ts": now, "paid": "yes" })));
    let (status, body) = ingest(&server, &admin, "strict", &Value::Array(rows));
    assert_eq!(status, 422, "{body}");
    let details = &body["error"]["details"];
    let listed: Vec<(i64, &str)> = details["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_i64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        &listed[..7],
        &[
            (1, "region"),
            (2, "ts"),
            (3, "colour"),
            (4, "ts"),
            (5, "ts"),
            (6, "ts"),
            (7, "items")
        ]
    );
    assert_eq!(details["rows"].as_array().unwrap().len(), 100);
    assert_eq!(details["moreErrors"], 57);
    assert_eq!(details["badRows"], 157);
    assert!(details["rows"][3]["reason"]
        .as_str()
        .unwrap()
        .contains("future"));
    assert!(details["rows"][4]["reason"]
        .as_str()
        .unwrap()
        .contains("retention"));
    assert_eq!(
        count(&server, &admin, "strict"),
        0,
        "nothing of the batch is stored"
    );
    // Not an array, and over the row cap.
    assert_eq!(
        ingest(&server, &admin, "strict", &json!({ "ts": now })).0,
        400
    );
    let many: Vec<Value> = (0..10_001).map(|_| json!({ "ts": now })).collect();
    assert_eq!(
        ingest(&server, &admin, "strict", &Value::Array(many)).0,
        413
    );
    assert_eq!(
        ingest(&server, &admin, "missing", &json!([{ "ts": now }])).0,
        404
    );
}

#[test]
fn gzip_ndjson_batches_are_accepted_and_queryable_with_labels() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    assert_eq!(
        send_json(&server, "POST", "/api/v1/datasets", &admin, &orders("nd")).0,
        201
    );
    let key = create_key(&server, &admin, &["nd"]);
    let now = now_ms();
    let mut ndjson = String::new();
    for i in 0..1000 {
        ndjson.push_str(&json!({ "ts": now - i * 1000, "region": if i % 2 == 0 { "north" } else { "south" }, "amount": 1.5, "items": 1, "paid": i % 3 == 0 }).to_string());
        ndjson.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(ndjson.as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let (status, answer) = call(
        &server,
        "POST",
        "/api/v1/datasets/nd/events",
        &key,
        &[
            ("Content-Type", "application/x-ndjson"),
            ("Content-Encoding", "gzip"),
        ],
        Some(&body),
    );
    assert_eq!(
        (status, answer["accepted"].as_u64()),
        (200, Some(1000)),
        "{answer}"
    );
    // An RFC 3339 time works too.
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/datasets/nd/events",
        &key,
        &[("Content-Type", "application/x-ndjson")],
        Some(b"{\"ts\":\"2020-01-01T00:00:00Z\"}\n"),
    );
    assert_eq!(status, 422, "older than the 30-day retention");
    let (status, result) = send_json(
        &server,
        "POST",
        "/api/v1/query",
        &admin,
        &json!({
            "dataset": "nd", "dimensions": ["region"],
            "measures": [{ "field": "amount", "agg": "sum" }, { "field": "*", "agg": "count" }],
            "sort": [{ "field": "region", "dir": "asc" }]
        }),
    );
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["data"][0], json!(["north", "south"]));
    assert_eq!(result["data"][1], json!([750.0, 750.0]));
    assert_eq!(result["columns"][1]["label"], "Amount (total)");
    assert_eq!(result["columns"][1]["unit"], "USD");
    assert_eq!(result["columns"][0]["label"], "Region");
    // Booleans come back as booleans.
    let (_, paid) = send_json(
        &server,
        "POST",
        "/api/v1/query",
        &admin,
        &json!({
            "dataset": "nd", "dimensions": ["paid"], "measures": [{ "field": "*", "agg": "count" }],
            "filters": [{ "field": "paid", "op": "eq", "value": true }]
        }),
    );
    assert_eq!(paid["data"], json!([[true], [334]]), "{paid}");
    // A gzip bomb stops at the limit.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![b' '; 11 * 1024 * 1024]).unwrap();
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/datasets/nd/events",
        &key,
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        Some(&bomb.finish().unwrap()),
    );
    assert_eq!(status, 413, "{body}");
}

#[test]
fn a_retried_batch_with_the_same_idempotency_key_is_stored_once() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    assert_eq!(
        send_json(&server, "POST", "/api/v1/datasets", &admin, &orders("idem")).0,
        201
    );
    let rows = serde_json::to_vec(&json!([{ "ts": now_ms() - 5000, "amount": 2.0 }, { "ts": now_ms() - 4000, "amount": 3.0 }])).unwrap();
    let headers = [
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "batch-0001"),
    ];
    let (s1, first) = call(
        &server,
        "POST",
        "/api/v1/datasets/idem/events",
        &admin,
        &headers,
        Some(&rows),
    );
    let (s2, second) = call(
        &server,
        "POST",
        "/api/v1/datasets/idem/events",
        &admin,
        &headers,
        Some(&rows),
    );
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(first["accepted"], second["accepted"]);
    assert_eq!(
        (first["replayed"].as_bool(), second["replayed"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(count(&server, &admin, "idem"), 2);
    // The same key with another batch is a client bug: refused, nothing stored.
    let other = serde_json::to_vec(&json!([{ "ts": now_ms(), "amount": 9.0 }])).unwrap();
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/datasets/idem/events",
        &admin,
        &headers,
        Some(&other),
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(count(&server, &admin, "idem"), 2);
    // A refused batch's answer is remembered too.
    let bad = serde_json::to_vec(&json!([{ "amount": 1.0 }])).unwrap();
    let h2 = [
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "batch-0002"),
    ];
    let (a, first) = call(
        &server,
        "POST",
        "/api/v1/datasets/idem/events",
        &admin,
        &h2,
        Some(&bad),
    );
    let (b, again) = call(
        &server,
        "POST",
        "/api/v1/datasets/idem/events",
        &admin,
        &h2,
        Some(&bad),
    );
    assert_eq!((a, b), (422, 422));
    assert_eq!(first, again, "the first answer, request id included");
}

#[test]
fn ingested_rows_reach_a_live_sse_subscriber_as_a_rollup() {
    let server = Server::start(&["--events-per-sec", "0"]);
    let admin = server.token("admin@healthco.test");
    let viewer = server.token("viewer@healthco.test");
    assert_eq!(
        send_json(
            &server,
            "POST",
            "/api/v1/datasets",
            &admin,
            &orders("live_orders")
        )
        .0,
        201
    );
    let key = create_key(&server, &admin, &["live_orders"]);
    let stream = server
        .agent()
        .get(&format!(
            "{}/api/v1/live/sse?channels=metrics&access_token={viewer}",
            server.base
        ))
        .call()
        .unwrap();
    let mut lines = BufReader::new(stream.into_reader()).lines();
    let now = now_ms();
    let (status, _) = ingest(
        &server,
        &key,
        "live_orders",
        &json!([
            { "ts": now - 1500, "region": "north", "amount": 2.5 },
            { "ts": now - 500, "region": "north", "amount": 4.0 },
            { "ts": now - 500, "region": "east", "amount": 1.0 }
        ]),
    );
    assert_eq!(status, 200);
    let rollup = loop {
        let line = lines.next().expect("stream ended").unwrap();
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let msg: Value = serde_json::from_str(data.trim()).unwrap();
        if msg["kind"] == "metric" && msg["data"]["dataset"] == "live_orders" {
            break msg["data"].clone();
        }
    };
    assert_eq!(rollup["total"], 3);
    assert_eq!(rollup["sums"]["amount"], 7.5);
    assert_eq!(rollup["counts"]["region"]["north"], 2);
    assert_eq!(rollup["ts"], (now - 500) / 1000 * 1000);
}

#[test]
fn rows_can_be_deleted_by_range_and_shrinking_retention_removes_old_rows() {
    let server = Server::start(&[]);
    let admin = server.token("admin@healthco.test");
    assert_eq!(
        send_json(&server, "POST", "/api/v1/datasets", &admin, &orders("ret")).0,
        201
    );
    let now = now_ms();
    let day = 86_400_000_i64;
    let rows: Vec<Value> = [
        now - 10 * day,
        now - 5 * day,
        now - 2 * day,
        now - 3_600_000,
    ]
    .iter()
    .map(|ts| json!({ "ts": ts, "amount": 1.0 }))
    .collect();
    assert_eq!(ingest(&server, &admin, "ret", &Value::Array(rows)).0, 200);
    assert_eq!(count(&server, &admin, "ret"), 4);
    let path = format!(
        "/api/v1/datasets/ret/events?from={}&to={}",
        now - 6 * day,
        now - 4 * day
    );
    let (status, body) = call(&server, "DELETE", &path, &admin, &[], None);
    assert_eq!((status, body["deleted"].as_u64()), (200, Some(1)));
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/api/v1/datasets/ret/events?from=5&to=1",
            &admin,
            &[],
            None
        )
        .0,
        422
    );
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/api/v1/datasets/ret/events",
            &admin,
            &[],
            None
        )
        .0,
        422
    );
    // Retention down to 3 days: the 10-day-old row goes at once, the rest stay.
    let mut def = orders("ret");
    def["retentionDays"] = json!(3);
    assert_eq!(
        send_json(&server, "PUT", "/api/v1/datasets/ret", &admin, &def).0,
        200
    );
    assert_eq!(count(&server, &admin, "ret"), 2);
}
