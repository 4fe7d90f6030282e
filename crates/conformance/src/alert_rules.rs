//! Alert rules on a tenant's own data: validation naming the field, the permission, tenant
//! isolation, evaluation on save raising an alert titled with the rule's name, and deletion.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};
use std::time::Duration;

/// A rule over the demo's `validations` that holds whenever it is evaluated (a count is at
/// least 0), so saving it raises an alert at once.
fn always(name: &str) -> Value {
    json!({
        "name": name,
        "dataset": "validations",
        "measure": { "field": "*", "agg": "count" },
        "filters": [{ "field": "status", "op": "in", "values": ["VALID", "INVALID", "UNKNOWN"] }],
        "windowMinutes": 60,
        "condition": "above",
        "threshold": -1,
        "severity": "info"
    })
}

/// One change to a valid rule.
type Change = fn(&mut Value);

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(manager), Some(analyst), Some(other)) = (
        ctx.token("manager@healthco.test"),
        ctx.token("analyst@healthco.test"),
        ctx.token("admin@autoinsure.test"),
    ) else {
        return;
    };
    let name = format!("Conformance rule {}", std::process::id());
    let r = ctx
        .http
        .post("/api/v1/alert-rules", Some(&analyst), &always(&name));
    ctx.expect("an analyst may not create an alert rule → 403", &r, &[403]);
    let cases: [(&str, Change, &str); 6] = [
        ("an empty name", |b| b["name"] = json!("  "), "name"),
        (
            "an unknown dataset",
            |b| b["dataset"] = json!("nope"),
            "dataset",
        ),
        (
            "a sum over a dimension",
            |b| b["measure"] = json!({ "field": "status", "agg": "sum" }),
            "measure.agg",
        ),
        (
            "a filter on an unknown field",
            |b| b["filters"] = json!([{ "field": "nope", "op": "eq", "value": 1 }]),
            "filters[0].field",
        ),
        (
            "a window of 0 minutes",
            |b| b["windowMinutes"] = json!(0),
            "windowMinutes",
        ),
        (
            "a window over a day",
            |b| b["windowMinutes"] = json!(1441),
            "windowMinutes",
        ),
    ];
    for (what, change, field) in cases {
        let mut body = always(&name);
        change(&mut body);
        let r = ctx.http.post("/api/v1/alert-rules", Some(&manager), &body);
        ctx.check(
            &format!("an alert rule with {what} → 422 naming {field}"),
            body_ok(&r, 422, |b| b["error"]["details"]["field"] == field),
            || show(&r),
        );
    }
    let mut body = always(&name);
    body["threshold"] = json!("high");
    let r = ctx.http.post("/api/v1/alert-rules", Some(&manager), &body);
    ctx.expect(
        "an alert rule with a text threshold → 400/422",
        &r,
        &[400, 422],
    );

    // Listening on the alerts channel while the rule is saved (the demo's own rules may
    // publish too: the stream is read until this rule's alert or 10 s).
    let base = ctx.http.base.clone();
    let query = format!("access_token={analyst}&channels=alerts");
    let rule_id = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let wanted = rule_id.clone();
    let listener = std::thread::spawn(move || {
        crate::live::sse_collect(&base, &query, None, Duration::from_secs(10), |out| {
            let id = wanted.lock().ok().and_then(|g| g.clone());
            id.is_some_and(|id| out.iter().any(|(_, m)| m["data"]["rule"] == id.as_str()))
        })
    });
    std::thread::sleep(Duration::from_millis(500));
    let r = ctx
        .http
        .post("/api/v1/alert-rules", Some(&manager), &always(&name));
    if let Some(id) = r.as_ref().ok().and_then(|r| r.body["id"].as_str()) {
        if let Ok(mut g) = rule_id.lock() {
            *g = Some(id.to_owned());
        }
    }
    ctx.check(
        "a manager creates an alert rule; it is evaluated at once",
        body_ok(&r, 201, |b| {
            b["id"].is_string()
                && b["definition"]["name"] == name.as_str()
                && b["evaluatedAt"].is_i64()
                && b["value"].as_f64().is_some_and(|v| v >= 0.0)
        }),
        || show(&r),
    );
    let Some(id) = r
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned))
    else {
        return;
    };
    let path = format!("/api/v1/alert-rules/{id}");
    let r = ctx.http.get("/api/v1/alert-rules", Some(&analyst));
    ctx.check(
        "an analyst lists the tenant's alert rules",
        body_ok(&r, 200, |b| {
            b["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["id"] == id.as_str()))
        }),
        || show(&r),
    );
    let r = ctx
        .http
        .get("/api/v1/alerts?status=open&limit=500", Some(&analyst));
    ctx.check(
        "a rule whose condition holds raises an alert titled with its name",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|a| {
                a.iter().any(|x| {
                    x["rule"] == id.as_str()
                        && x["title"] == name.as_str()
                        && x["dataset"] == "validations"
                        && x["severity"] == "info"
                })
            })
        }),
        || show(&r),
    );
    let heard = listener.join().ok().and_then(Result::ok);
    ctx.check(
        "the rule's alert is published on the live alerts channel",
        heard.as_ref().is_some_and(|(out, _)| {
            out.iter().any(|(_, m)| {
                m["kind"] == "alert"
                    && m["channel"] == "alerts"
                    && m["data"]["rule"] == id.as_str()
                    && m["data"]["status"] == "open"
            })
        }),
        || format!("{:?}", heard.map(|(out, _)| out.len())),
    );
    let r = ctx.http.get("/api/v1/alert-rules", Some(&other));
    ctx.check(
        "another tenant does not see the rule",
        body_ok(&r, 200, |b| {
            b["items"]
                .as_array()
                .is_some_and(|a| a.iter().all(|x| x["id"] != id.as_str()))
        }),
        || show(&r),
    );
    let r = ctx.http.put(&path, Some(&other), &always("Taken over"));
    ctx.expect("another tenant changes the rule → 404", &r, &[404]);
    let r = ctx.http.call("DELETE", &path, Some(&other), None, &[]);
    ctx.expect("another tenant deletes the rule → 404", &r, &[404]);

    let mut disabled = always(&name);
    disabled["enabled"] = json!(false);
    let r = ctx.http.put(&path, Some(&manager), &disabled);
    ctx.check(
        "a manager disables the rule",
        body_ok(&r, 200, |b| {
            b["definition"]["enabled"] == false && b["id"] == id.as_str()
        }),
        || show(&r),
    );
    let r = ctx.http.call("DELETE", &path, Some(&analyst), None, &[]);
    ctx.expect("an analyst may not delete an alert rule → 403", &r, &[403]);
    let r = ctx.http.call("DELETE", &path, Some(&manager), None, &[]);
    ctx.expect("a manager deletes the rule → 204", &r, &[204]);
    let r = ctx.http.call("DELETE", &path, Some(&manager), None, &[]);
    ctx.expect("deleting it again → 404", &r, &[404]);
    // Leave no open alert behind for the other areas' checks.
    let r = ctx
        .http
        .get("/api/v1/alerts?status=open&limit=500", Some(&manager));
    let raised: Vec<String> = r
        .ok()
        .and_then(|r| r.body["items"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|x| x["rule"] == id.as_str())
        .filter_map(|x| x["id"].as_str().map(str::to_owned))
        .collect();
    for alert in raised {
        let _ = ctx.http.post(
            &format!("/api/v1/alerts/{alert}/resolve"),
            Some(&manager),
            &json!({}),
        );
    }
}
