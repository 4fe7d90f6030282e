//! Datasets, structured queries and their validation, dashboard data, drill-down rows.

use crate::support::{body_ok, is_query_result, show};
use crate::Ctx;
use serde_json::{json, Value};

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(t) = ctx.token("analyst@healthco.test") else {
        return;
    };
    let t = Some(t.as_str());
    let r = ctx.http.get("/api/v1/datasets", t);
    ctx.check(
        "datasets listed with schemas",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|i| {
                i.iter().any(|d| {
                    d["id"] == "validations"
                        && d["dimensions"].is_array()
                        && d["measures"][0]["aggregations"].is_array()
                })
            })
        }),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/datasets/validations", t);
    ctx.check(
        "dataset schema by id",
        body_ok(&r, 200, |b| b["timeField"].is_string()),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/datasets/nope", t);
    ctx.expect("unknown dataset → 404", &r, &[404]);
    let q = json!({ "dataset": "validations", "dimensions": ["status"], "measures": [{ "field": "*", "agg": "count" }, { "field": "latency_ms", "agg": "p95" }],
        "filters": [{ "field": "intent", "op": "in", "values": ["billing", "claims"] }], "timeRange": { "preset": "last24h" }, "granularity": "1h",
        "sort": [{ "field": "time", "dir": "asc" }], "limit": 500 });
    let r = ctx.http.post("/api/v1/query", t, &q);
    ctx.check(
        "structured query returns a columnar result",
        body_ok(&r, 200, |b| {
            is_query_result(b)
                && b["columns"][0]["name"] == "time"
                && b["columns"][0]["type"] == "timestamp"
                && b["data"][0].as_array().is_some_and(|d| !d.is_empty())
        }),
        || show(&r),
    );
    let r = ctx.http.post("/api/v1/query", t, &json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "timeRange": { "preset": "last1h" }, "comparePrevious": true }));
    ctx.check(
        "comparePrevious adds a _previous column",
        body_ok(&r, 200, |b| b["columns"][1]["name"] == "count_previous"),
        || show(&r),
    );
    let r = ctx.http.post("/api/v1/query", t, &json!({ "dataset": "validations", "dimensions": ["session_id"], "measures": [{ "field": "*", "agg": "count" }], "limit": 3 }));
    ctx.check(
        "limit truncates and says so",
        body_ok(&r, 200, |b| {
            b["data"][0].as_array().map(Vec::len) == Some(3) && b["meta"]["truncated"] == true
        }),
        || show(&r),
    );
    let invalid: [(&str, Value); 9] = [
        (
            "unknown dataset",
            json!({ "dataset": "nope", "measures": [{ "field": "*", "agg": "count" }] }),
        ),
        (
            "unknown dimension",
            json!({ "dataset": "validations", "dimensions": ["nope"], "measures": [{ "field": "*", "agg": "count" }] }),
        ),
        (
            "unknown measure field",
            json!({ "dataset": "validations", "measures": [{ "field": "nope", "agg": "sum" }] }),
        ),
        (
            "unknown aggregation",
            json!({ "dataset": "validations", "measures": [{ "field": "latency_ms", "agg": "median" }] }),
        ),
        (
            "unknown filter op",
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "filters": [{ "field": "status", "op": "like", "value": "x" }] }),
        ),
        (
            "filter on unknown field",
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "filters": [{ "field": "nope", "op": "eq", "value": "x" }] }),
        ),
        (
            "unknown preset",
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "timeRange": { "preset": "last2y" } }),
        ),
        (
            "unknown granularity",
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "granularity": "7s" }),
        ),
        (
            "raw SQL field",
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "sql": "DROP TABLE validations" }),
        ),
    ];
    for (name, q) in invalid {
        let r = ctx.http.post("/api/v1/query", t, &q);
        ctx.expect(&format!("query with {name} → 422"), &r, &[422]);
    }
    let r = ctx.http.post("/api/v1/query", t, &json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "limit": "ten" }));
    ctx.expect("query with a wrong type → 400", &r, &[400]);
    let r = ctx.http.post("/api/v1/dashboards/healthco-ai-quality/data", t, &json!({ "timeRange": { "preset": "last1h" }, "filters": [{ "field": "intent", "op": "eq", "value": "billing" }] }));
    let ok = body_ok(&r, 200, |b| {
        b["widgets"].as_object().is_some_and(|w| {
            !w.is_empty()
                && w.values()
                    .all(|v| is_query_result(v) || v["error"]["code"].is_string())
        })
    });
    ctx.check("dashboard data returns one result per widget", ok, || {
        show(&r)
    });
    let r = ctx.http.post(
        "/api/v1/dashboards/healthco-ai-quality/data",
        t,
        &json!({ "filters": [{ "field": "nope", "op": "eq", "value": "x" }] }),
    );
    ctx.expect(
        "dashboard data with an unknown filter field → 422",
        &r,
        &[422],
    );
    let r = ctx
        .http
        .post("/api/v1/dashboards/does-not-exist/data", t, &json!({}));
    ctx.expect("data of an unknown dashboard → 404", &r, &[404]);
    let r = ctx.http.get(
        "/api/v1/datasets/validations/rows?limit=5&preset=last24h",
        t,
    );
    let cursor = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["nextCursor"].as_str().map(str::to_owned));
    ctx.check(
        "rows page with a cursor",
        body_ok(&r, 200, |b| {
            is_query_result(&b["result"])
                && b["result"]["data"][0].as_array().map(Vec::len) == Some(5)
        }) && cursor.is_some(),
        || show(&r),
    );
    let first_ids: Vec<Value> = r
        .ok()
        .and_then(|r| r.body["result"]["data"][0].as_array().cloned())
        .unwrap_or_default();
    if let Some(c) = cursor {
        let r = ctx.http.get(
            &format!("/api/v1/datasets/validations/rows?limit=5&preset=last24h&cursor={c}"),
            t,
        );
        let disjoint = body_ok(&r, 200, |b| {
            b["result"]["data"][0]
                .as_array()
                .is_some_and(|ids| !ids.is_empty() && ids.iter().all(|id| !first_ids.contains(id)))
        });
        ctx.check("next rows page continues without overlap", disjoint, || {
            show(&r)
        });
    }
    let filters = "%5B%7B%22field%22%3A%22status%22%2C%22op%22%3A%22eq%22%2C%22value%22%3A%22INVALID%22%7D%5D";
    let r = ctx.http.get(
        &format!("/api/v1/datasets/validations/rows?limit=20&filters={filters}"),
        t,
    );
    ctx.check(
        "rows honour filters",
        body_ok(&r, 200, |b| {
            let cols = b["result"]["columns"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let i = cols.iter().position(|c| c["name"] == "status");
            i.is_some_and(|i| {
                b["result"]["data"][i]
                    .as_array()
                    .is_some_and(|v| v.iter().all(|s| s == "INVALID"))
            })
        }),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/datasets/validations/rows?limit=0", t);
    ctx.expect("rows with limit 0 → 422", &r, &[422]);
    let r = ctx
        .http
        .get("/api/v1/datasets/validations/rows?cursor=%%%", t);
    ctx.expect("rows with a malformed cursor → 400/422", &r, &[400, 422]);
}
