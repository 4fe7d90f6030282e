//! Dashboards: CRUD, version conflicts and validation.

use crate::support::{body_ok, count_query, is_query_result, show};
use crate::Ctx;
use serde_json::{json, Value};

pub(crate) fn new_dashboard(name: &str) -> Value {
    json!({
        "name": name,
        "description": "conformance",
        "layout": { "columns": 12, "rowHeight": 80 },
        "widgets": [
            { "id": "k", "kind": "kpi", "title": "Count", "position": { "x": 0, "y": 0, "w": 4, "h": 2 }, "query": count_query(), "options": {} },
            { "id": "broken", "kind": "bar", "title": "Bad", "position": { "x": 4, "y": 0, "w": 4, "h": 2 },
              "query": { "dataset": "validations", "dimensions": ["intent"], "measures": [{ "field": "*", "agg": "count" }], "timeRange": { "preset": "last1h" } }, "options": {} },
            { "id": "a", "kind": "alerts", "title": "Alerts", "position": { "x": 8, "y": 0, "w": 4, "h": 2 }, "options": {} }
        ],
        "filters": [],
        "refreshIntervalSec": 0
    })
}

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(admin), Some(analyst)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("analyst@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/dashboards", Some(&analyst));
    let kinds: Vec<String> = r
        .as_ref()
        .ok()
        .map(|r| {
            r.body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|d| d["widgets"].as_array().cloned().unwrap_or_default())
                .filter_map(|w| w["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let n = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["items"].as_array().map(Vec::len))
        .unwrap_or(0);
    ctx.check("analyst lists ≥ 4 dashboards", n >= 4, || show(&r));
    let all_kinds = [
        "line", "area", "bar", "pie", "scatter", "heatmap", "gauge", "kpi", "table", "alerts",
    ];
    ctx.check(
        "demo dashboards use every widget kind",
        all_kinds.iter().all(|k| kinds.iter().any(|x| x == k)),
        || format!("kinds present: {kinds:?}"),
    );
    let r = ctx.http.post(
        "/api/v1/dashboards",
        Some(&admin),
        &new_dashboard("Conformance"),
    );
    let created = body_ok(&r, 201, |b| {
        b["id"].is_string() && b["version"].is_u64() && b["layout"]["columns"] == 12
    });
    ctx.check("admin creates a dashboard → 201", created, || show(&r));
    let Some(d) = r.ok().map(|r| r.body) else {
        return;
    };
    let id = d["id"].as_str().unwrap_or_default().to_owned();
    let v = d["version"].as_u64().unwrap_or(0);
    let r = ctx
        .http
        .get(&format!("/api/v1/dashboards/{id}"), Some(&analyst));
    ctx.check(
        "get dashboard by id",
        body_ok(&r, 200, |b| {
            b["id"] == id.as_str() && b["widgets"].as_array().map(Vec::len) == Some(3)
        }),
        || show(&r),
    );
    let mut update = new_dashboard("Conformance renamed");
    update["version"] = json!(v);
    let r = ctx
        .http
        .put(&format!("/api/v1/dashboards/{id}"), Some(&admin), &update);
    ctx.check(
        "update with the current version → 200 and version+1",
        body_ok(&r, 200, |b| {
            b["version"].as_u64() == Some(v + 1) && b["name"] == "Conformance renamed"
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .put(&format!("/api/v1/dashboards/{id}"), Some(&admin), &update);
    ctx.expect("update with a stale version → 409", &r, &[409]);
    let mut no_version = new_dashboard("x");
    no_version.as_object_mut().map(|o| o.remove("version"));
    let r = ctx.http.put(
        &format!("/api/v1/dashboards/{id}"),
        Some(&admin),
        &no_version,
    );
    ctx.expect("update without version → 422", &r, &[422]);
    let mut bad = new_dashboard("x");
    bad["widgets"][0]["position"]["x"] = json!(10);
    let r = ctx.http.post("/api/v1/dashboards", Some(&admin), &bad);
    ctx.expect("widget outside the 12-column grid → 422", &r, &[422]);
    let mut bad = new_dashboard("x");
    bad["widgets"][0]["kind"] = json!("sparkline");
    let r = ctx.http.post("/api/v1/dashboards", Some(&admin), &bad);
    ctx.expect("unknown widget kind → 422", &r, &[422]);
    let mut bad = new_dashboard("x");
    bad["widgets"][1]["query"]["measures"][0]["agg"] = json!("avg");
    let r = ctx.http.post("/api/v1/dashboards", Some(&admin), &bad);
    ctx.expect("widget with an invalid query → 422", &r, &[422]);
    let r = ctx.http.post(
        &format!("/api/v1/dashboards/{id}/data"),
        Some(&analyst),
        &json!({}),
    );
    ctx.check(
        "data for a new dashboard has every widget",
        body_ok(&r, 200, |b| {
            ["k", "broken", "a"]
                .iter()
                .all(|w| is_query_result(&b["widgets"][w]))
        }),
        || show(&r),
    );
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&admin),
        None,
        &[],
    );
    ctx.check(
        "delete → 204",
        r.as_ref().is_ok_and(|r| r.status == 204),
        || show(&r),
    );
    let r = ctx
        .http
        .get(&format!("/api/v1/dashboards/{id}"), Some(&admin));
    ctx.expect("deleted dashboard → 404", &r, &[404]);
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&admin),
        None,
        &[],
    );
    ctx.expect("delete again → 404", &r, &[404]);
}
