//! Time zones: the same events bucketed by day in UTC and in `Asia/Tokyo` within one run give
//! different bucket starts and counts; a `Europe/Berlin` daylight-saving day is 23 hours long;
//! a dashboard's data request applies its `timeZone` to every widget like a direct query; an
//! unknown zone is a 422 naming `timeZone` on every endpoint that takes one. Each run creates
//! (and deletes) a uniquely named dataset, so runs repeat.

use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2024-03-30T23:00:00Z: midnight of 2024-03-31 in Berlin (CET), the day clocks go forward.
const BERLIN_SPRING_DAY: i64 = 1_711_839_600_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `(time, count)` pairs of a day-bucketed count result in a response.
fn buckets(r: &Result<crate::http::Resp, String>) -> Vec<(i64, i64)> {
    r.as_ref().map_or_else(|_| vec![], |r| buckets_of(&r.body))
}

/// `(time, count)` pairs of a day-bucketed count result.
fn buckets_of(result: &Value) -> Vec<(i64, i64)> {
    let (Some(t), Some(n)) = (result["data"][0].as_array(), result["data"][1].as_array()) else {
        return vec![];
    };
    t.iter()
        .zip(n)
        .filter_map(|(t, n)| Some((t.as_i64()?, n.as_i64()?)))
        .collect()
}

fn day_query(id: &str, from: i64, to: i64, zone: Option<&str>) -> Value {
    let mut q = json!({ "dataset": id, "measures": [{ "field": "*", "agg": "count" }],
        "granularity": "1d", "timeRange": { "from": from, "to": to } });
    if let Some(zone) = zone {
        q["timeZone"] = json!(zone);
    }
    q
}

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let Some(admin) = ctx.token("admin@healthco.test") else {
        return;
    };
    unknown_zones(ctx, &admin);
    let id = format!("conf_tz_{}", now_ms());
    let definition = json!({ "id": id, "name": "Conformance time zones", "timeField": "ts",
        "retentionDays": 36_500, "fields": [{ "name": "ts", "type": "time" }, { "name": "n", "type": "number", "role": "measure" }] });
    let r = ctx.http.post("/api/v1/datasets", Some(&admin), &definition);
    if !ctx.expect("a dataset for the time zone checks is created", &r, &[201]) {
        return;
    }
    let r = ctx.http.post(
        "/api/v1/ingest-keys",
        Some(&admin),
        &json!({ "name": "conformance time zones", "datasets": [id] }),
    );
    let key = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["secret"].as_str().map(str::to_owned));
    if let Some(key) = key {
        let day = (now_ms() / DAY - 3) * DAY;
        // 10:00 UTC is 19:00 in Tokyo; 16:00 and 20:00 UTC are already the next day there.
        let mut rows: Vec<Value> = [10, 16, 20]
            .iter()
            .map(|h| json!({ "ts": day + h * HOUR, "n": 1 }))
            .collect();
        // Berlin: 00:30 CET and 23:30 CEST on 2024-03-31, then 00:30 CEST on 2024-04-01.
        rows.extend(
            [HOUR / 2, 22 * HOUR + HOUR / 2, 23 * HOUR + HOUR / 2]
                .iter()
                .map(|o| json!({ "ts": BERLIN_SPRING_DAY + o, "n": 1 })),
        );
        let r = ctx.http.post(
            &format!("/api/v1/datasets/{id}/events"),
            Some(&key),
            &json!(rows),
        );
        if ctx.expect("the time zone events are ingested", &r, &[200]) {
            day_buckets(ctx, &admin, &id, day);
            dashboard_zone(ctx, &admin, &id, day);
        }
    } else {
        ctx.check("an ingest key for the time zone dataset", false, || {
            show(&r)
        });
    }
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/datasets/{id}"),
        Some(&admin),
        None,
        &[],
    );
    ctx.expect("the time zone dataset is deleted", &r, &[204]);
}

fn day_buckets(ctx: &mut Ctx, admin: &str, id: &str, day: i64) {
    let (from, to) = (day - DAY, day + 2 * DAY);
    let utc = ctx
        .http
        .post("/api/v1/query", Some(admin), &day_query(id, from, to, None));
    let tokyo = ctx.http.post(
        "/api/v1/query",
        Some(admin),
        &day_query(id, from, to, Some("Asia/Tokyo")),
    );
    let (u, t) = (buckets(&utc), buckets(&tokyo));
    ctx.check(
        "day buckets without timeZone start at UTC midnight",
        u == vec![(day, 3)],
        || format!("{u:?} {}", show(&utc)),
    );
    ctx.check(
        "the same events by day in Asia/Tokyo: buckets start at Tokyo midnight (15:00 UTC), counts split 1 + 2",
        t == vec![(day - 9 * HOUR, 1), (day + 15 * HOUR, 2)],
        || format!("{t:?} {}", show(&tokyo)),
    );
    let berlin = ctx.http.post(
        "/api/v1/query",
        Some(admin),
        &day_query(
            id,
            BERLIN_SPRING_DAY - DAY,
            BERLIN_SPRING_DAY + 2 * DAY,
            Some("Europe/Berlin"),
        ),
    );
    let b = buckets(&berlin);
    ctx.check(
        "Europe/Berlin's spring-forward day is one 23-hour bucket",
        b == vec![(BERLIN_SPRING_DAY, 2), (BERLIN_SPRING_DAY + 23 * HOUR, 1)],
        || format!("{b:?} {}", show(&berlin)),
    );
}

/// A dashboard's data request with `timeZone` buckets its widgets like a direct query.
fn dashboard_zone(ctx: &mut Ctx, admin: &str, id: &str, day: i64) {
    let (from, to) = (day - DAY, day + 2 * DAY);
    let dash = json!({ "name": format!("Conformance {id}"), "widgets": [{ "id": "per-day", "kind": "line",
        "title": "Per day", "position": { "x": 0, "y": 0, "w": 6, "h": 3 }, "options": {},
        "query": day_query(id, from, to, None) }] });
    let r = ctx.http.post("/api/v1/dashboards", Some(admin), &dash);
    let Some(dash_id) = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned))
    else {
        ctx.check(
            "a dashboard over the time zone dataset saves",
            false,
            || show(&r),
        );
        return;
    };
    let path = format!("/api/v1/dashboards/{dash_id}/data");
    let r = ctx
        .http
        .post(&path, Some(admin), &json!({ "timeZone": "Asia/Tokyo" }));
    let got = r
        .as_ref()
        .map_or_else(|_| vec![], |r| buckets_of(&r.body["widgets"]["per-day"]));
    ctx.check(
        "dashboard data with timeZone Asia/Tokyo buckets widgets like a direct query",
        got == vec![(day - 9 * HOUR, 1), (day + 15 * HOUR, 2)],
        || format!("{got:?} {}", show(&r)),
    );
    let _ = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{dash_id}"),
        Some(admin),
        None,
        &[],
    );
}

fn unknown_zones(ctx: &mut Ctx, admin: &str) {
    let names_field = |b: &Value| b["error"]["details"]["field"] == "timeZone";
    let mut q = crate::support::count_query();
    q["timeZone"] = json!("Mars/Olympus_Mons");
    let r = ctx.http.post("/api/v1/query", Some(admin), &q);
    ctx.check(
        "a query with an unknown timeZone → 422 naming timeZone",
        body_ok(&r, 422, names_field),
        || show(&r),
    );
    let r = ctx.http.post(
        "/api/v1/dashboards/healthco-ai-quality/data",
        Some(admin),
        &json!({ "timeZone": "Europe/Atlantis" }),
    );
    ctx.check(
        "dashboard data with an unknown timeZone → 422 naming timeZone",
        body_ok(&r, 422, names_field),
        || show(&r),
    );
    let r = ctx.http.get(
        "/api/v1/datasets/validations/rows?limit=1&preset=today&timeZone=Nowhere%2FCity",
        Some(admin),
    );
    ctx.check(
        "drill-down rows with an unknown timeZone → 422 naming timeZone",
        body_ok(&r, 422, names_field),
        || show(&r),
    );
    let mut q = crate::support::count_query();
    q["timeRange"] = json!({ "preset": "today" });
    q["timeZone"] = json!("Pacific/Kiritimati");
    let r = ctx.http.post("/api/v1/query", Some(admin), &q);
    ctx.check(
        "a count over preset 'today' in a named zone answers",
        body_ok(&r, 200, |b| b["data"][0][0].is_i64()),
        || show(&r),
    );
}
