//! REST checks: system, auth, roles, tenant, dashboards, data, alerts, embed, isolation, bad
//! inputs.

use super::http::Resp;
use super::{truncate, Ctx};
use serde_json::{json, Value};

const COUNT: &str = r#"[{"field":"*","agg":"count"}]"#;

fn count_query() -> Value {
    json!({ "dataset": "validations", "measures": serde_json::from_str::<Value>(COUNT).unwrap_or_default(), "timeRange": { "preset": "last24h" } })
}

fn is_query_result(v: &Value) -> bool {
    let (Some(cols), Some(data)) = (v["columns"].as_array(), v["data"].as_array()) else {
        return false;
    };
    cols.len() == data.len()
        && cols
            .iter()
            .all(|c| c["name"].is_string() && c["type"].is_string())
        && data.iter().all(|d| {
            d.as_array().map(Vec::len) == data.first().and_then(|f| f.as_array()).map(Vec::len)
        })
        && v["meta"]["executionMs"].is_number()
        && v["meta"]["totalRows"].is_u64()
        && v["meta"]["truncated"].is_boolean()
}

fn body_ok(r: &Result<Resp, String>, status: u16, f: impl Fn(&Value) -> bool) -> bool {
    r.as_ref().is_ok_and(|r| r.status == status && f(&r.body))
}

fn show(r: &Result<Resp, String>) -> String {
    match r {
        Ok(r) => format!("{} {}", r.status, truncate(&r.text)),
        Err(e) => e.clone(),
    }
}

pub fn system(ctx: &mut Ctx) {
    let r = ctx.http.get("/api/v1/health", None);
    ctx.check(
        "health returns status ok",
        body_ok(&r, 200, |b| b["status"] == "ok"),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/openapi.json", None);
    ctx.check(
        "openapi.json is an OpenAPI 3 document",
        body_ok(&r, 200, |b| {
            b["openapi"].as_str().is_some_and(|v| v.starts_with("3."))
                && b["paths"]["/api/v1/query"].is_object()
        }),
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/no-such-endpoint", None);
    ctx.expect("unknown endpoint → 404 error body", &r, &[404]);
}

pub fn auth(ctx: &mut Ctx) {
    let Some(login) = ctx.login("analyst@healthco.test") else {
        return;
    };
    let shape = login["refreshToken"].is_string()
        && login["expiresIn"].is_u64()
        && login["user"]["role"] == "analyst"
        && login["user"]["tenantId"] == "healthco";
    ctx.check(
        "login returns accessToken, refreshToken, expiresIn, user",
        shape,
        || login.to_string(),
    );
    let token = login["accessToken"].as_str().unwrap_or_default().to_owned();
    let r = ctx.http.get("/api/v1/auth/me", Some(&token));
    ctx.check(
        "me returns the user with permissions",
        body_ok(&r, 200, |b| {
            b["email"] == "analyst@healthco.test"
                && b["permissions"]
                    .as_array()
                    .is_some_and(|p| p.contains(&json!("export_data")))
        }),
        || show(&r),
    );
    let r = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "analyst@healthco.test", "password": "wrong" }),
    );
    ctx.expect("wrong password → 401", &r, &[401]);
    let r = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "nobody@nowhere.test", "password": "x" }),
    );
    ctx.expect("unknown user → 401", &r, &[401]);
    let refresh = login["refreshToken"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": refresh }),
    );
    let rotated = body_ok(&r, 200, |b| {
        b["accessToken"].is_string() && b["refreshToken"].as_str().is_some_and(|t| t != refresh)
    });
    ctx.check("refresh returns a new token pair", rotated, || show(&r));
    let r2 = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": refresh }),
    );
    ctx.expect("reusing a rotated refresh token → 401", &r2, &[401]);
    let r = ctx.http.post(
        "/api/v1/auth/refresh",
        None,
        &json!({ "refreshToken": "garbage" }),
    );
    ctx.expect("bogus refresh token → 401", &r, &[401]);
    let r = ctx.http.get("/api/v1/auth/me", None);
    ctx.expect("no token → 401", &r, &[401]);
    let r = ctx.http.get("/api/v1/auth/me", Some("not-a-jwt"));
    ctx.expect("malformed token → 401", &r, &[401]);
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let r = ctx.http.get("/api/v1/auth/me", Some(&tampered));
    ctx.expect("token with a bad signature → 401", &r, &[401]);
    // A structurally valid HS256 token that expired in 2001 (signature is not ours either).
    let expired = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1IiwidGlkIjoiaGVhbHRoY28iLCJyb2xlIjoidmlld2VyIiwidHlwIjoiYWNjZXNzIiwiaWF0IjoxMDAwMDAwMDAwLCJleHAiOjEwMDAwMDAwMDF9.c2lnbmF0dXJl";
    let r = ctx.http.get("/api/v1/auth/me", Some(expired));
    ctx.expect("expired token → 401", &r, &[401]);
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        None,
        None,
        &[("Authorization", "Basic dXNlcjpwYXNz")],
    );
    ctx.expect("non-bearer Authorization → 401", &r, &[401]);
}

pub fn roles(ctx: &mut Ctx) {
    let (Some(viewer), Some(analyst), Some(manager)) = (
        ctx.token("viewer@healthco.test"),
        ctx.token("analyst@healthco.test"),
        ctx.token("manager@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.put("/api/v1/tenant/branding", Some(&viewer), &json!({ "productName": "X", "primaryColor": "#000000", "secondaryColor": "#ffffff", "fontFamily": "Arial" }));
    ctx.expect("viewer cannot change branding → 403", &r, &[403]);
    let r = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&manager),
        &json!({ "origins": [] }),
    );
    ctx.expect("manager cannot change embed origins → 403", &r, &[403]);
    let r = ctx.http.post(
        "/api/v1/dashboards",
        Some(&analyst),
        &json!({ "name": "x" }),
    );
    ctx.expect("analyst cannot create dashboards → 403", &r, &[403]);
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&analyst),
        &json!({ "dashboardId": "healthco-sales", "allowedOrigins": [ctx.origin] }),
    );
    ctx.expect("analyst cannot create embed tokens → 403", &r, &[403]);
    let alerts = ctx.http.get("/api/v1/alerts", Some(&viewer));
    let id = alerts
        .as_ref()
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".into());
    let r = ctx.http.post(
        &format!("/api/v1/alerts/{id}/acknowledge"),
        Some(&viewer),
        &json!({}),
    );
    ctx.expect("viewer cannot acknowledge alerts → 403", &r, &[403]);
    let r = ctx.http.get("/api/v1/users", Some(&manager));
    ctx.expect("manager cannot list users → 403", &r, &[403]);
    if let Some(admin) = ctx.token("admin@healthco.test") {
        let r = ctx.http.get("/api/v1/users", Some(&admin));
        let scoped = body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items.len() >= 4
                    && items.iter().all(|u| {
                        u["tenantId"] == "healthco"
                            && u["email"]
                                .as_str()
                                .is_some_and(|e| e.ends_with("@healthco.test"))
                            && u.get("passwordHash").is_none()
                    })
            })
        });
        ctx.check(
            "admin lists only the tenant's users, without secrets",
            scoped,
            || show(&r),
        );
    }
}

fn branding(primary: &str) -> Value {
    json!({ "productName": "HealthCo Insights", "primaryColor": primary, "secondaryColor": "#64748b", "fontFamily": "Inter, sans-serif", "mode": "light", "chartPalette": ["#2563eb", "#16a34a"], "logoUrl": "https://cdn.example.com/logo.png" })
}

pub fn tenant(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let r = ctx.http.get("/api/v1/tenant", Some(&admin));
    let origin = ctx.origin.clone();
    ctx.check(
        "tenant has name, branding and embed origins incl. the server's own",
        body_ok(&r, 200, |b| {
            b["id"] == "healthco"
                && b["branding"]["primaryColor"].is_string()
                && b["embedOrigins"]
                    .as_array()
                    .is_some_and(|o| o.contains(&json!(origin)))
        }),
        || show(&r),
    );
    let original = r
        .ok()
        .map(|r| r.body["branding"].clone())
        .unwrap_or_default();
    let r = ctx.http.put(
        "/api/v1/tenant/branding",
        Some(&admin),
        &branding("#0f766e"),
    );
    ctx.check(
        "admin updates valid branding",
        body_ok(&r, 200, |b| b["branding"]["mode"] == "light"),
        || show(&r),
    );
    let bad: [(&str, Value); 8] = [
        ("primaryColor", json!({ "primaryColor": "red" })),
        ("secondaryColor", json!({ "secondaryColor": "#12345" })),
        (
            "logoUrl",
            json!({ "logoUrl": "http://insecure.example.com/x.png" }),
        ),
        ("logoUrl", json!({ "logoUrl": "javascript:alert(1)" })),
        (
            "faviconUrl",
            json!({ "faviconUrl": "data:text/html;base64,PHNjcmlwdD4=" }),
        ),
        (
            "fontFamily",
            json!({ "fontFamily": "Arial; background: url(x)" }),
        ),
        ("productName", json!({ "productName": "x".repeat(200) })),
        ("productName", json!({ "productName": "" })),
    ];
    for (field, patch) in bad {
        let mut body = branding("#0f766e");
        for (k, v) in patch.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let r = ctx.http.put("/api/v1/tenant/branding", Some(&admin), &body);
        let ok = ctx.expect(&format!("invalid branding {field} → 422"), &r, &[422]);
        if ok {
            let named = r.as_ref().is_ok_and(|r| {
                r.body
                    .pointer("/error/details/field")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.starts_with(field))
            });
            ctx.check(
                &format!("invalid branding error names {field}"),
                named,
                || show(&r),
            );
        }
    }
    let mut extra = branding("#0f766e");
    extra["customCss"] = json!("body{}");
    let r = ctx
        .http
        .put("/api/v1/tenant/branding", Some(&admin), &extra);
    ctx.expect("branding with an unknown field → 422", &r, &[422]);
    if original.is_object() {
        let _ = ctx
            .http
            .put("/api/v1/tenant/branding", Some(&admin), &original);
    }
    let r = ctx.http.get("/api/v1/tenant", Some(&admin));
    let origins: Vec<Value> = r
        .ok()
        .and_then(|r| r.body["embedOrigins"].as_array().cloned())
        .unwrap_or_default();
    for bad in [
        "not-an-origin",
        "https://x.example.com/path",
        "ftp://x.example.com",
    ] {
        let r = ctx.http.put(
            "/api/v1/tenant/embed-origins",
            Some(&admin),
            &json!({ "origins": [bad] }),
        );
        ctx.expect(&format!("malformed embed origin {bad} → 422"), &r, &[422]);
    }
    let mut more = origins.clone();
    more.push(json!("https://shop.example.com"));
    let r = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&admin),
        &json!({ "origins": more }),
    );
    ctx.check(
        "admin sets embed origins",
        body_ok(&r, 200, |b| {
            b["embedOrigins"]
                .as_array()
                .is_some_and(|o| o.contains(&json!("https://shop.example.com")))
        }),
        || show(&r),
    );
    let _ = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&admin),
        &json!({ "origins": origins }),
    );
}

fn new_dashboard(name: &str) -> Value {
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

pub fn dashboards(ctx: &mut Ctx) {
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

pub fn data(ctx: &mut Ctx) {
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

pub fn alerts(ctx: &mut Ctx) {
    let (Some(manager), Some(analyst)) = (
        ctx.token("manager@healthco.test"),
        ctx.token("analyst@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/alerts", Some(&analyst));
    ctx.check(
        "alerts listed",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter().all(|x| {
                    x["severity"].is_string() && x["status"].is_string() && x["createdAt"].is_i64()
                })
            })
        }),
        || show(&r),
    );
    let r = ctx.http.get(
        "/api/v1/alerts?status=open&severity=warning",
        Some(&analyst),
    );
    ctx.check(
        "alerts filter by status and severity",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter()
                    .all(|x| x["status"] == "open" && x["severity"] == "warning")
            })
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .get("/api/v1/alerts?severity=apocalyptic", Some(&analyst));
    ctx.expect("alerts with an unknown severity → 400/422", &r, &[400, 422]);
    let r = ctx.http.get("/api/v1/alerts?status=open", Some(&manager));
    if let Some(id) = r
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
    {
        let r = ctx.http.post(
            &format!("/api/v1/alerts/{id}/acknowledge"),
            Some(&manager),
            &json!({}),
        );
        ctx.check(
            "manager acknowledges an alert",
            body_ok(&r, 200, |b| {
                b["status"] == "acknowledged" && b["acknowledgedAt"].is_i64()
            }),
            || show(&r),
        );
        let r = ctx.http.post(
            &format!("/api/v1/alerts/{id}/resolve"),
            Some(&manager),
            &json!({}),
        );
        ctx.check(
            "manager resolves an alert",
            body_ok(&r, 200, |b| {
                b["status"] == "resolved" && b["resolvedAt"].is_i64()
            }),
            || show(&r),
        );
    } else {
        ctx.check("an open alert exists to acknowledge", false, || {
            "no open alert in healthco".into()
        });
    }
    let r = ctx.http.post(
        "/api/v1/alerts/does-not-exist/acknowledge",
        Some(&manager),
        &json!({}),
    );
    ctx.expect("acknowledge an unknown alert → 404", &r, &[404]);
}

pub fn embed(ctx: &mut Ctx) {
    let Some(manager) = ctx.token("manager@healthco.test") else {
        return;
    };
    let origin = ctx.origin.clone();
    let req = json!({ "dashboardId": "healthco-sales", "allowedOrigins": [origin], "permissions": [],
        "lockedFilters": [{ "field": "region", "op": "eq", "value": "north" }], "expiresIn": 600 });
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &req);
    ctx.check(
        "manager creates an embed token",
        body_ok(&r, 200, |b| {
            b["token"].is_string() && b["expiresAt"].is_i64()
        }),
        || show(&r),
    );
    let Some(token) = r
        .ok()
        .and_then(|r| r.body["token"].as_str().map(str::to_owned))
    else {
        return;
    };
    let r = ctx.http.call(
        "GET",
        "/api/v1/embed/dashboard",
        Some(&token),
        None,
        &[("Origin", &origin)],
    );
    ctx.check(
        "embed dashboard returns dashboard + branding",
        body_ok(&r, 200, |b| {
            b["dashboard"]["id"] == "healthco-sales" && b["branding"]["primaryColor"].is_string()
        }),
        || show(&r),
    );
    let r = ctx.http.call(
        "GET",
        "/api/v1/embed/dashboard",
        Some(&token),
        None,
        &[("Origin", "https://evil.example.com")],
    );
    ctx.expect("embed token from a foreign origin → 403", &r, &[403]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-sales/data",
        Some(&token),
        Some("{}"),
        &[("Origin", &origin)],
    );
    let locked = body_ok(&r, 200, |b| {
        let w = &b["widgets"]["by-region"];
        w["data"][0]
            .as_array()
            .is_some_and(|regions| !regions.is_empty() && regions.iter().all(|x| x == "north"))
    });
    ctx.check("embed data always applies locked filters", locked, || {
        show(&r)
    });
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-sales/data",
        Some(&token),
        Some(r#"{"filters":[{"field":"region","op":"eq","value":"south"}]}"#),
        &[("Origin", &origin)],
    );
    let cannot_widen = body_ok(&r, 200, |b| {
        b["widgets"]["by-region"]["data"][0]
            .as_array()
            .is_some_and(|v| v.iter().all(|x| x == "north"))
    });
    ctx.check(
        "embed filters cannot remove locked filters",
        cannot_widen,
        || show(&r),
    );
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards/healthco-ai-quality/data",
        Some(&token),
        Some("{}"),
        &[],
    );
    ctx.expect(
        "embed token on another dashboard → 403/404",
        &r,
        &[403, 404],
    );
    let r = ctx.http.get("/api/v1/dashboards", Some(&token));
    ctx.expect("embed token cannot list dashboards → 403", &r, &[403]);
    let r = ctx.http.post("/api/v1/query", Some(&token), &count_query());
    ctx.expect("embed token cannot run free queries → 403", &r, &[403]);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&token), &req);
    ctx.expect("embed token cannot mint embed tokens → 403", &r, &[403]);
    let mut bad = req.clone();
    bad["allowedOrigins"] = json!(["https://not-allowed.example.com"]);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed origins outside the tenant's → 422", &r, &[422]);
    let mut bad = req.clone();
    bad["expiresIn"] = json!(90_000);
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed token lifetime over 24h → 422", &r, &[422]);
    let mut bad = req.clone();
    bad["dashboardId"] = json!("does-not-exist");
    let r = ctx.http.post("/api/v1/embed/tokens", Some(&manager), &bad);
    ctx.expect("embed token for an unknown dashboard → 404", &r, &[404]);
    let r = ctx.http.call(
        "OPTIONS",
        "/api/v1/embed/dashboard",
        None,
        None,
        &[
            ("Origin", &origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    );
    let allowed = r.as_ref().is_ok_and(|r| {
        r.status < 300 && r.header("access-control-allow-origin") == Some(origin.as_str())
    });
    ctx.check("CORS preflight from an allowed origin", allowed, || {
        show(&r)
    });
    let r = ctx.http.call(
        "OPTIONS",
        "/api/v1/embed/dashboard",
        None,
        None,
        &[
            ("Origin", "https://evil.example.com"),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    let denied = r
        .as_ref()
        .is_ok_and(|r| r.header("access-control-allow-origin").is_none());
    ctx.check(
        "CORS preflight from an unknown origin is not allowed",
        denied,
        || show(&r),
    );
}

/// A token of one tenant must get 403/404 (never data) on every endpoint of another tenant.
pub fn isolation(ctx: &mut Ctx) {
    let (Some(foreign), Some(owner), Some(owner_manager)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("admin@autoinsure.test"),
        ctx.token("manager@autoinsure.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/dashboards", Some(&foreign));
    let leaks = r
        .as_ref()
        .ok()
        .map(|r| r.text.contains("autoinsure-") || r.text.contains("\"autoinsure\""))
        .unwrap_or(true);
    ctx.check(
        "isolation: dashboard list shows only own tenant",
        !leaks,
        || show(&r),
    );
    let r = ctx.http.get("/api/v1/tenant", Some(&foreign));
    ctx.check(
        "isolation: tenant is the caller's",
        body_ok(&r, 200, |b| b["id"] == "healthco"),
        || show(&r),
    );
    let d = "autoinsure-ai-quality";
    let cases: Vec<(&str, String, Option<String>)> = vec![
        ("GET", format!("/api/v1/dashboards/{d}"), None),
        (
            "PUT",
            format!("/api/v1/dashboards/{d}"),
            Some(new_dashboard("hijack").to_string().replace(
                "\"refreshIntervalSec\":0",
                "\"refreshIntervalSec\":0,\"version\":1",
            )),
        ),
        ("DELETE", format!("/api/v1/dashboards/{d}"), None),
        (
            "POST",
            format!("/api/v1/dashboards/{d}/data"),
            Some("{}".into()),
        ),
    ];
    for (m, path, body) in cases {
        let r = ctx
            .http
            .call(m, &path, Some(&foreign), body.as_deref(), &[]);
        ctx.expect(
            &format!("isolation: {m} {path} with another tenant's token → 403/404"),
            &r,
            &[403, 404],
        );
    }
    let r = ctx.http.get("/api/v1/alerts", Some(&owner));
    if let Some(id) = r
        .ok()
        .and_then(|r| r.body["items"][0]["id"].as_str().map(str::to_owned))
    {
        for action in ["acknowledge", "resolve"] {
            let r = ctx.http.post(
                &format!("/api/v1/alerts/{id}/{action}"),
                Some(&foreign),
                &json!({}),
            );
            ctx.expect(
                &format!("isolation: {action} another tenant's alert → 403/404"),
                &r,
                &[403, 404],
            );
        }
        let r = ctx.http.get("/api/v1/alerts", Some(&foreign));
        let leaked = r.as_ref().map_or(true, |r| r.text.contains(&id));
        ctx.check(
            "isolation: alert list never shows another tenant's alerts",
            !leaked,
            || show(&r),
        );
    }
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&foreign),
        &json!({ "dashboardId": d, "allowedOrigins": [ctx.origin] }),
    );
    ctx.expect(
        "isolation: embed token for another tenant's dashboard → 403/404",
        &r,
        &[403, 404],
    );
    let r = ctx.http.post(
        "/api/v1/embed/tokens",
        Some(&owner_manager),
        &json!({ "dashboardId": d, "allowedOrigins": [ctx.origin] }),
    );
    if let Some(t) = r
        .ok()
        .and_then(|r| r.body["token"].as_str().map(str::to_owned))
    {
        let r = ctx.http.post(
            "/api/v1/dashboards/healthco-ai-quality/data",
            Some(&t),
            &json!({}),
        );
        ctx.expect(
            "isolation: autoinsure embed token on a healthco dashboard → 403/404",
            &r,
            &[403, 404],
        );
    }
    // A window that ended ten minutes ago, so the live generator cannot change the answers
    // between the two requests; several aggregates, so two tenants cannot match by chance
    // (a single count did: 1706 vs 1706).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let q = json!({
        "dataset": "validations",
        "measures": [
            { "field": "*", "agg": "count" },
            { "field": "latency_ms", "agg": "sum" },
            { "field": "confidence", "agg": "sum" }
        ],
        "filters": [{ "field": "intent", "op": "eq", "value": "billing" }],
        "timeRange": { "from": now_ms - 30 * 86_400_000, "to": now_ms - 600_000 }
    });
    let totals = |token: &str| {
        ctx.http
            .post("/api/v1/query", Some(token), &q)
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| r.body["data"].clone())
    };
    let (a, b) = (totals(&foreign), totals(&owner));
    ctx.check(
        "isolation: queries are scoped to the caller's tenant",
        a.is_some() && b.is_some() && a != b,
        || format!("{a:?} vs {b:?}"),
    );
}

pub fn bad_inputs(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    let t = Some(admin.as_str());
    let r = ctx
        .http
        .call("POST", "/api/v1/query", t, Some("{\"dataset\": "), &[]);
    ctx.expect("malformed JSON → 400", &r, &[400]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some("{\"email\": 5, \"password\": []}"),
        &[],
    );
    ctx.expect("wrong types on login → 400", &r, &[400]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some("{\"email\":\"a\",\"password\":\"b\",\"admin\":true}"),
        &[],
    );
    ctx.expect("unknown field on login → 422", &r, &[422]);
    let r = ctx.http.call(
        "POST",
        "/api/v1/dashboards",
        t,
        Some("{\"name\": \"x\", \"colour\": \"red\"}"),
        &[],
    );
    ctx.expect("unknown field on a dashboard → 422", &r, &[422]);
    let r = ctx
        .http
        .oversize_probe("/api/v1/dashboards", &admin, 16 * 1024 * 1024);
    ctx.expect("oversize body → 413", &r, &[413]);
    let r = ctx.http.call("POST", "/api/v1/query", t, Some("[]"), &[]);
    ctx.expect("JSON of the wrong shape → 400/422", &r, &[400, 422]);
    let r = ctx.http.get("/api/v1/dashboards/does-not-exist", t);
    ctx.expect("unknown dashboard id → 404", &r, &[404]);
    let r = ctx.http.call("PATCH", "/api/v1/dashboards", t, None, &[]);
    ctx.check(
        "unsupported method → 405 with error body",
        r.as_ref()
            .is_ok_and(|r| r.status == 405 && r.is_error_body()),
        || show(&r),
    );
}
