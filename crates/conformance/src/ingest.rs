//! Bringing your own data: dataset definitions (CRUD, 409 on breaking changes naming the
//! dependant widgets), ingest keys (scoped, shown once, 403 on anything but ingest), tenant
//! isolation of keys and datasets, batch validation (422 listing bad rows, nothing stored),
//! gzip + NDJSON, idempotent retries, live delivery of ingested rows over SSE, range deletion
//! and deleting a dataset. Every run creates uniquely named datasets, so runs repeat.

use crate::http::Resp;
use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn definition(id: &str) -> Value {
    json!({
        "id": id, "name": "Conformance orders", "timeField": "ts", "retentionDays": 30,
        "fields": [
            { "name": "ts", "type": "time", "label": "Order time" },
            { "name": "region", "type": "string", "label": "Region" },
            { "name": "amount", "type": "number", "role": "measure", "label": "Amount", "unit": "USD" }
        ]
    })
}

/// `POST /api/v1/datasets/{id}/events` with a raw body and headers.
fn send(
    ctx: &Ctx,
    dataset: &str,
    token: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> Result<Resp, String> {
    let path = format!("/api/v1/datasets/{dataset}/events");
    let mut req = ctx
        .http
        .agent()
        .post(&format!("{}{path}", ctx.http.base))
        .set("Authorization", &format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let resp = match req.send_bytes(body) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(format!("POST {path}: {e}")),
    };
    let status = resp.status();
    let text = resp.into_string().unwrap_or_default();
    Ok(Resp {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Vec::new(),
    })
}

fn send_json(ctx: &Ctx, dataset: &str, token: &str, rows: &Value) -> Result<Resp, String> {
    send(
        ctx,
        dataset,
        token,
        rows.to_string().as_bytes(),
        &[("Content-Type", "application/json")],
    )
}

fn count(ctx: &Ctx, token: &str, dataset: &str) -> Option<i64> {
    let q = json!({ "dataset": dataset, "measures": [{ "field": "*", "agg": "count" }] });
    let r = ctx.http.post("/api/v1/query", Some(token), &q).ok()?;
    r.body["data"][0][0].as_i64()
}

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(admin), Some(viewer), Some(other)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("viewer@healthco.test"),
        ctx.token("admin@autoinsure.test"),
    ) else {
        return;
    };
    let id = format!("conf_{}", now_ms());
    if !definitions(ctx, &admin, &viewer, &id) {
        return;
    }
    let Some(key) = keys(ctx, &admin, &viewer, &other, &id) else {
        return;
    };
    batches(ctx, &admin, &key, &id);
    live(ctx, &viewer, &key, &id);
    deletion(ctx, &admin, &id);
}

fn definitions(ctx: &mut Ctx, admin: &str, viewer: &str, id: &str) -> bool {
    let r = ctx
        .http
        .post("/api/v1/datasets", Some(viewer), &definition(id));
    ctx.expect("a viewer cannot create a dataset → 403", &r, &[403]);
    let r = ctx
        .http
        .post("/api/v1/datasets", Some(admin), &definition(id));
    let created = body_ok(&r, 201, |b| {
        b["id"] == id && b["measures"][0]["unit"] == "USD" && b["fields"].is_array()
    });
    ctx.check(
        "a tenant admin creates a dataset → 201 with fields",
        created,
        || show(&r),
    );
    if !created {
        return false;
    }
    let r = ctx
        .http
        .post("/api/v1/datasets", Some(admin), &definition(id));
    ctx.expect("a duplicate dataset id → 409", &r, &[409]);
    let r = ctx
        .http
        .get(&format!("/api/v1/datasets/{id}"), Some(viewer));
    ctx.check(
        "everyone in the tenant reads the dataset",
        body_ok(&r, 200, |b| b["fields"][2]["label"] == "Amount"),
        || show(&r),
    );
    let mut bad = definition("x");
    bad["fields"][1]["role"] = json!("measure");
    let r = ctx.http.post("/api/v1/datasets", Some(admin), &bad);
    ctx.check(
        "a string measure → 422 naming fields[1].role",
        body_ok(&r, 422, |b| {
            b["error"]["details"]["field"] == "fields[1].role"
        }),
        || show(&r),
    );
    let dash = json!({ "name": format!("Conformance {id}"), "widgets": [{ "id": "amount", "kind": "kpi", "title": "Amount",
        "position": { "x": 0, "y": 0, "w": 4, "h": 2 }, "options": {},
        "query": { "dataset": id, "measures": [{ "field": "amount", "agg": "sum" }] } }] });
    let r = ctx.http.post("/api/v1/dashboards", Some(admin), &dash);
    let dash_id = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned));
    ctx.check(
        "a dashboard over the new dataset saves",
        dash_id.is_some(),
        || show(&r),
    );
    let mut grown = definition(id);
    grown["fields"][2]["label"] = json!("Order value");
    if let Some(fields) = grown["fields"].as_array_mut() {
        fields.push(json!({ "name": "coupon", "type": "string" }));
    }
    let r = ctx
        .http
        .put(&format!("/api/v1/datasets/{id}"), Some(admin), &grown);
    ctx.check(
        "adding a field and relabelling → 200",
        body_ok(&r, 200, |b| b["measures"][0]["label"] == "Order value"),
        || show(&r),
    );
    let mut dropped = grown.clone();
    if let Some(fields) = dropped["fields"].as_array_mut() {
        fields.retain(|f| f["name"] != "amount");
    }
    let r = ctx
        .http
        .put(&format!("/api/v1/datasets/{id}"), Some(admin), &dropped);
    ctx.check(
        "dropping a field a widget uses → 409 naming the dashboard and widget",
        body_ok(&r, 409, |b| {
            let d = &b["error"]["details"]["dependants"][0];
            d["widgetId"] == "amount" && dash_id.as_deref().is_some_and(|i| d["dashboardId"] == i)
        }),
        || show(&r),
    );
    if let Some(d) = dash_id {
        let _ = ctx.http.call(
            "DELETE",
            &format!("/api/v1/dashboards/{d}"),
            Some(admin),
            None,
            &[],
        );
    }
    true
}

fn keys(ctx: &mut Ctx, admin: &str, viewer: &str, other: &str, id: &str) -> Option<String> {
    let input = json!({ "name": "conformance", "datasets": [id] });
    let r = ctx.http.post("/api/v1/ingest-keys", Some(viewer), &input);
    ctx.expect("a viewer cannot create ingest keys → 403", &r, &[403]);
    let r = ctx.http.post("/api/v1/ingest-keys", Some(other), &input);
    ctx.expect(
        "another tenant cannot scope a key to this dataset → 422",
        &r,
        &[422],
    );
    let r = ctx.http.post("/api/v1/ingest-keys", Some(admin), &input);
    let key = r
        .as_ref()
        .ok()
        .filter(|r| r.status == 201)
        .and_then(|r| r.body["secret"].as_str().map(str::to_owned));
    ctx.check(
        "an ingest key is created with a vk_ secret",
        key.as_deref().is_some_and(|k| k.starts_with("vk_")),
        || show(&r),
    );
    let key = key?;
    let r = ctx.http.get("/api/v1/ingest-keys", Some(admin));
    ctx.check(
        "listed keys never show the secret",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items.iter().all(|k| k.get("secret").is_none())
                    && items
                        .iter()
                        .any(|k| key.starts_with(k["prefix"].as_str().unwrap_or("-")))
            })
        }),
        || show(&r),
    );
    for path in ["/api/v1/datasets", "/api/v1/dashboards", "/api/v1/auth/me"] {
        let r = ctx.http.get(path, Some(&key));
        ctx.expect(&format!("an ingest key on GET {path} → 403"), &r, &[403]);
    }
    let r = send_json(ctx, "validations", &key, &json!([{ "ts": now_ms() }]));
    ctx.expect("an ingest key outside its datasets → 403", &r, &[403]);
    let r = ctx.http.get(&format!("/api/v1/datasets/{id}"), Some(other));
    ctx.expect("another tenant cannot see the dataset → 404", &r, &[404]);
    Some(key)
}

fn batches(ctx: &mut Ctx, admin: &str, key: &str, id: &str) {
    let now = now_ms();
    let rows = json!([{ "ts": now - 2000, "region": "north", "amount": 2.5 }, { "ts": now - 1000, "region": "south", "amount": 1.5 }]);
    let r = send(
        ctx,
        id,
        key,
        rows.to_string().as_bytes(),
        &[
            ("Content-Type", "application/json"),
            ("X-Tenant-Id", "autoinsure"),
        ],
    );
    ctx.check(
        "a key ingests a JSON batch (a tenant header does not redirect it)",
        body_ok(&r, 200, |b| b["accepted"] == 2),
        || show(&r),
    );
    let n = count(ctx, admin, id);
    ctx.check("accepted rows are queryable at once", n == Some(2), || {
        format!("{n:?}")
    });
    let bad = json!([{ "ts": now, "region": "east", "amount": 1.0 }, { "ts": now, "region": 5 }, { "region": "x" }, { "ts": now, "nope": 1 }]);
    let r = send_json(ctx, id, key, &bad);
    ctx.check(
        "bad rows → 422 listing index, field and reason of each",
        body_ok(&r, 422, |b| {
            let rows = &b["error"]["details"]["rows"];
            rows[0]["index"] == 1
                && rows[0]["field"] == "region"
                && rows[1]["field"] == "ts"
                && rows[2]["field"] == "nope"
                && rows[0]["reason"].is_string()
        }),
        || show(&r),
    );
    let n = count(ctx, admin, id);
    ctx.check("nothing of a refused batch is stored", n == Some(2), || {
        format!("{n:?}")
    });
    let mut ndjson = String::new();
    for i in 0..100 {
        ndjson
            .push_str(&json!({ "ts": now - i * 10, "region": "west", "amount": 1.0 }).to_string());
        ndjson.push('\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let zipped = gz
        .write_all(ndjson.as_bytes())
        .ok()
        .and_then(|()| gz.finish().ok())
        .unwrap_or_default();
    let r = send(
        ctx,
        id,
        key,
        &zipped,
        &[
            ("Content-Type", "application/x-ndjson"),
            ("Content-Encoding", "gzip"),
        ],
    );
    ctx.check(
        "a gzip NDJSON batch is accepted",
        body_ok(&r, 200, |b| b["accepted"] == 100),
        || show(&r),
    );
    let once = json!([{ "ts": now - 500, "amount": 9.0 }]).to_string();
    let h = [
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "conformance-1"),
    ];
    let first = send(ctx, id, key, once.as_bytes(), &h);
    let again = send(ctx, id, key, once.as_bytes(), &h);
    let n = count(ctx, admin, id);
    ctx.check(
        "a retry with the same Idempotency-Key returns the first answer and stores nothing twice",
        body_ok(&first, 200, |b| b["accepted"] == 1)
            && body_ok(&again, 200, |b| b["accepted"] == 1)
            && n == Some(103),
        || format!("{} / {} / {n:?}", show(&first), show(&again)),
    );
    let other = json!([{ "ts": now - 400, "amount": 1.0 }]).to_string();
    let r = send(ctx, id, key, other.as_bytes(), &h);
    ctx.expect(
        "the same Idempotency-Key with another batch → 409",
        &r,
        &[409],
    );
}

/// Reads the tenant's SSE stream until a metric for `dataset` arrives (or `wait` passes).
fn await_rollup(
    base: &str,
    token: &str,
    dataset: &str,
    wait: Duration,
    send: impl FnOnce(),
) -> Option<Value> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(wait)
        .build();
    let resp = agent
        .get(&format!(
            "{base}/api/v1/live/sse?channels=metrics&access_token={token}"
        ))
        .call()
        .ok()?;
    let mut lines = BufReader::new(resp.into_reader()).lines();
    send();
    let started = Instant::now();
    while started.elapsed() < wait {
        let line = lines.next()?.ok()?;
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let msg: Value = serde_json::from_str(data.trim()).ok()?;
        if msg["kind"] == "metric" && msg["data"]["dataset"] == dataset {
            return Some(msg["data"].clone());
        }
    }
    None
}

fn live(ctx: &mut Ctx, viewer: &str, key: &str, id: &str) {
    let base = ctx.http.base.clone();
    let rows = json!([{ "ts": now_ms() - 100, "region": "north", "amount": 4.0 }, { "ts": now_ms() - 50, "region": "north", "amount": 1.0 }]);
    let mut sent = None;
    let rollup = await_rollup(&base, viewer, id, Duration::from_secs(10), || {
        sent = Some(send_json(ctx, id, key, &rows));
    });
    ctx.check(
        "ingested rows reach an SSE subscriber as a metric rollup of their dataset",
        rollup.as_ref().is_some_and(|m| {
            m["total"] == 2 && m["sums"]["amount"] == 5.0 && m["counts"]["region"]["north"] == 2
        }),
        || format!("{rollup:?} after {sent:?}"),
    );
}

fn deletion(ctx: &mut Ctx, admin: &str, id: &str) {
    let now = now_ms();
    let path = format!(
        "/api/v1/datasets/{id}/events?from={}&to={}",
        now - 1500,
        now + 1
    );
    let r = ctx.http.call("DELETE", &path, Some(admin), None, &[]);
    ctx.check(
        "rows in a time range are deleted",
        body_ok(&r, 200, |b| b["deleted"].as_u64().is_some_and(|n| n >= 1)),
        || show(&r),
    );
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/datasets/{id}"),
        Some(admin),
        None,
        &[],
    );
    ctx.expect("a tenant admin deletes the dataset → 204", &r, &[204]);
    let r = ctx.http.get(&format!("/api/v1/datasets/{id}"), Some(admin));
    ctx.expect("a deleted dataset → 404", &r, &[404]);
}
