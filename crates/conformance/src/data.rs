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
    cross_filters(ctx, t);
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

/// A cross-filter narrows every widget except the one clicked; a widget whose dataset lacks
/// the field says so in `meta.unappliedFilters`; bad cross-filters are 422s naming the field.
fn cross_filters(ctx: &mut Ctx, t: Option<&str>) {
    let url = "/api/v1/dashboards/healthco-ai-quality/data";
    let range = json!({ "preset": "last24h" });
    let plain = ctx.http.post(url, t, &json!({ "timeRange": range }));
    let crossed = ctx.http.post(
        url,
        t,
        &json!({ "timeRange": range, "crossFilters": [{ "widgetId": "intents",
            "filters": [{ "field": "intent", "op": "eq", "value": "billing" }] }] }),
    );
    let count = |r: &Result<crate::http::Resp, String>, widget: &str| -> Option<f64> {
        let data = &r.as_ref().ok()?.body["widgets"][widget]["data"];
        Some(
            data.as_array()?
                .last()?
                .as_array()?
                .iter()
                .filter_map(Value::as_f64)
                .sum(),
        )
    };
    let intents = |r: &Result<crate::http::Resp, String>| -> Option<usize> {
        Some(
            r.as_ref().ok()?.body["widgets"]["intents"]["data"][0]
                .as_array()?
                .len(),
        )
    };
    let narrowed = matches!(
        (count(&plain, "error-types"), count(&crossed, "error-types")),
        (Some(all), Some(some)) if some <= all
    ) && intents(&crossed).is_some_and(|n| n > 1)
        && intents(&crossed) == intents(&plain);
    ctx.check(
        "a cross-filter narrows the other widgets, not the one clicked",
        narrowed,
        || show(&crossed),
    );
    let unapplied = crossed.as_ref().is_ok_and(|r| {
        r.body["widgets"]["alerts"]["meta"]["unappliedFilters"] == json!(["intent"])
            && r.body["widgets"]["error-types"]["meta"]
                .get("unappliedFilters")
                .is_none()
    });
    ctx.check(
        "a widget without the cross-filter's field reports it in meta.unappliedFilters",
        unapplied,
        || show(&crossed),
    );
    for (name, body, field) in [
        (
            "an unknown widget",
            json!([{ "widgetId": "nope", "filters": [{ "field": "intent", "op": "eq", "value": "x" }] }]),
            "crossFilters[0].widgetId",
        ),
        (
            "no selection",
            json!([{ "widgetId": "intents" }]),
            "crossFilters[0].filters",
        ),
        (
            "a preset window",
            json!([{ "widgetId": "by-status", "timeWindow": { "preset": "last1h" } }]),
            "crossFilters[0].timeWindow",
        ),
        (
            "an unknown field",
            json!([{ "widgetId": "intents", "filters": [{ "field": "nope", "op": "eq", "value": "x" }] }]),
            "crossFilters[0].filters[0].field",
        ),
    ] {
        let r = ctx.http.post(url, t, &json!({ "crossFilters": body }));
        let named = body_ok(&r, 422, |b| b["error"]["details"]["field"] == field);
        ctx.check(
            &format!("a cross-filter with {name} → 422 naming {field}"),
            named,
            || show(&r),
        );
    }
}
