//! The dashboard data endpoint on a large custom dataset (issue 14's "10M-row" goal): a fresh
//! dataset (time, three string dimensions, two measures, a boolean) is filled through the
//! public ingest API with 10,000,000 rows (1,000,000 with `--quick`, any multiple of 10,000 with
//! `--scale-rows N`) spread evenly over the last
//! 30 days, from four clients in batches of 10,000 — the bulk-load rate is reported as its own
//! row. A dashboard of seven widgets over it (KPI with previous-period delta, daily time series,
//! two bar charts, a pie, a table and the daily p95 latency; until 2026-12-07 six, without the
//! p95, which over the 30 days was refused as a percentile over more than 2M values) is then
//! requested one request at a time, as in [`super::data`], after 2 warm-ups: 30 times with the dashboard's own range (last 24 hours,
//! ≈ 1/30 of the rows) and 30 times over the whole 30 days (every row), once the server has
//! reported the rollups it builds in the background after a load up to date ([`caught_up`], its
//! own row: how long that took). Last, an ad-hoc query the rollups answer only in part, p95
//! latency by region over every row ([`grouped_percentile`]: its groups come from the rollups,
//! its values from the events; refused before 2026-12-07, when the 2M limit counted rows read). The
//! dataset and dashboard are deleted afterwards. The `cluster` group runs the same on SQLite and
//! on PostgreSQL, side by side.

use super::client::{agent, epoch_ms, login, patient_agent, timed_post};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use crate::server::RunningServer;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BATCH: usize = 10_000;
const CLIENTS: usize = 4;
const DAY_MS: i64 = 86_400_000;
const SPAN_MS: i64 = 30 * DAY_MS;
const GOAL_MS: f64 = 100.0;

struct Setup {
    admin: String,
    dataset: String,
    dashboard: String,
}

pub fn run(server: &RunningServer, options: &Options) -> Vec<Row> {
    let base = server.url.as_str();
    let total = options.scale_rows();
    let label = rows_label(total);
    let names = [
        format!("bulk ingest of {label} rows, rows/s (4 clients, batches of 10,000)"),
        format!("data endpoint p95, {label}-row dataset, 7 widgets, last 24 h"),
        format!("data endpoint p95, {label}-row dataset, 7 widgets, all 30 days"),
        format!("{label}-row dataset: rollups caught up after the load, s"),
        format!("{label}-row dataset: p95 latency by region over all 30 days (a grouped percentile, from the rows), ms"),
    ];
    let fail = |e: &str| -> Vec<Row> {
        vec![
            Row::failed(names[0].clone(), "rows/s", Goal::None, e),
            Row::failed(names[3].clone(), "s", Goal::None, e),
            Row::failed(names[1].clone(), "ms", Goal::AtMost(GOAL_MS), e),
            Row::failed(names[2].clone(), "ms", Goal::AtMost(GOAL_MS), e),
            Row::failed(names[4].clone(), "ms", Goal::None, e),
        ]
    };
    let setup = match create(base) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let rows = match fill_and_measure(server, &setup, total, options, &names) {
        Ok(rows) => rows,
        Err(e) => fail(&e),
    };
    let a = agent();
    let auth = format!("Bearer {}", setup.admin);
    let _ = a
        .delete(&format!("{base}/api/v1/dashboards/{}", setup.dashboard))
        .set("Authorization", &auth)
        .call();
    let _ = a
        .delete(&format!("{base}/api/v1/datasets/{}", setup.dataset))
        .set("Authorization", &auth)
        .call();
    rows
}

/// "10M", "2.5M", "500k": a row count as the table names it.
fn rows_label(rows: usize) -> String {
    if rows >= 1_000_000 {
        format!("{}M", rows as f64 / 1e6)
    } else {
        format!("{}k", rows as f64 / 1e3)
    }
}

fn create(base: &str) -> Result<Setup, String> {
    let a = agent();
    let admin = login(&a, base, "admin@healthco.test")?;
    let auth = format!("Bearer {admin}");
    let dataset = format!("bench_scale_{}", epoch_ms());
    let def = json!({ "id": dataset, "name": "Scale benchmark", "timeField": "ts", "retentionDays": 90,
        "fields": [
            { "name": "ts", "type": "time" },
            { "name": "region", "type": "string", "label": "Region" },
            { "name": "product", "type": "string", "label": "Product" },
            { "name": "channel", "type": "string", "label": "Channel" },
            { "name": "amount", "type": "number", "role": "measure", "unit": "USD", "label": "Amount" },
            { "name": "latency_ms", "type": "number", "role": "measure", "unit": "ms", "label": "Latency" },
            { "name": "ok", "type": "boolean", "label": "Succeeded" }
        ] });
    a.post(&format!("{base}/api/v1/datasets"))
        .set("Authorization", &auth)
        .send_json(def)
        .map_err(|e| format!("create dataset: {e}"))?;
    let q = |dims: Value, measures: Value, extra: Value| {
        let mut q = json!({ "dataset": dataset, "dimensions": dims, "measures": measures,
            "timeRange": { "preset": "last24h" } });
        if let (Some(q), Some(extra)) = (q.as_object_mut(), extra.as_object()) {
            q.extend(extra.clone());
        }
        q
    };
    let sum_amount = json!([{ "field": "amount", "agg": "sum" }]);
    let count = json!([{ "field": "*", "agg": "count" }]);
    let widget = |id: &str, kind: &str, x: u32, y: u32, query: Value| {
        json!({ "id": id, "kind": kind, "title": id, "position": { "x": x, "y": y, "w": 4, "h": 3 },
            "query": query, "options": {} })
    };
    let dash = json!({
        "name": "Scale benchmark", "description": "bench", "layout": { "columns": 12, "rowHeight": 80 },
        "filters": [], "refreshIntervalSec": 0,
        "widgets": [
            widget("kpi", "kpi", 0, 0, q(json!([]), sum_amount.clone(), json!({ "comparePrevious": true }))),
            widget("daily", "line", 4, 0, q(json!([]), count.clone(), json!({ "granularity": "1d" }))),
            widget("regions", "bar", 8, 0, q(json!(["region"]), sum_amount.clone(), json!({}))),
            widget("products", "bar", 0, 3, q(json!(["product"]), count.clone(),
                json!({ "sort": [{ "field": "count", "dir": "desc" }], "limit": 10 }))),
            widget("channels", "pie", 4, 3, q(json!(["channel"]), count, json!({}))),
            widget("table", "table", 8, 3, q(json!(["region", "channel"]),
                json!([{ "field": "amount", "agg": "sum" }, { "field": "latency_ms", "agg": "avg" }]), json!({}))),
            widget("latency", "line", 0, 6, q(json!([]),
                json!([{ "field": "latency_ms", "agg": "p95" }]), json!({ "granularity": "1d" }))),
        ]
    });
    let created: Value = a
        .post(&format!("{base}/api/v1/dashboards"))
        .set("Authorization", &auth)
        .send_json(dash)
        .map_err(|e| format!("create dashboard: {e}"))?
        .into_json()
        .map_err(|e| format!("create dashboard: {e}"))?;
    let dashboard = created["id"]
        .as_str()
        .ok_or_else(|| format!("create dashboard: no id in {created}"))?
        .to_owned();
    Ok(Setup {
        admin,
        dataset,
        dashboard,
    })
}

/// Batch `n` of `batches`: rows `n*BATCH ..`, their times spread evenly over the 30 days
/// ending at `end` (row 0 oldest).
fn batch(n: usize, total: usize, end: i64) -> Vec<u8> {
    const REGIONS: [&str; 8] = [
        "north", "south", "east", "west", "central", "coast", "mountain", "islands",
    ];
    const CHANNELS: [&str; 4] = ["web", "mobile", "partner", "phone"];
    let step = SPAN_MS as f64 / total as f64;
    let start = end - SPAN_MS;
    let rows: Vec<Value> = (0..BATCH)
        .map(|i| {
            let k = n * BATCH + i;
            let ts = start + (k as f64 * step) as i64;
            json!({ "ts": ts, "region": REGIONS[k % 8], "product": format!("p{:02}", (k * 7) % 20),
                "channel": CHANNELS[(k / 3) % 4], "amount": (k % 997) as f64 * 0.25,
                "latency_ms": 20 + (k * 31) % 900, "ok": k % 17 != 0 })
        })
        .collect();
    serde_json::to_vec(&rows).unwrap_or_default()
}

/// Sends every `CLIENTS`-th batch starting at `first`; returns the rows acknowledged.
fn send(
    base: &str,
    dataset: &str,
    admin: &str,
    first: usize,
    total: usize,
    end: i64,
) -> Result<u64, String> {
    let a = agent();
    let url = format!("{base}/api/v1/datasets/{dataset}/events");
    let mut accepted = 0;
    for n in (first..total / BATCH).step_by(CLIENTS) {
        let resp: Value = a
            .post(&url)
            .set("Authorization", &format!("Bearer {admin}"))
            .set("Content-Type", "application/json")
            .send_bytes(&batch(n, total, end))
            .map_err(|e| format!("POST events (batch {n}): {e}"))?
            .into_json()
            .map_err(|e| format!("POST events (batch {n}): {e}"))?;
        accepted += resp["accepted"]
            .as_u64()
            .ok_or_else(|| format!("unexpected answer {resp}"))?;
    }
    Ok(accepted)
}

fn fill_and_measure(
    server: &RunningServer,
    setup: &Setup,
    total: usize,
    options: &Options,
    names: &[String; 5],
) -> Result<Vec<Row>, String> {
    let base = server.url.as_str();
    // Rows end a minute ago, so the last batch is never "in the future" on a skewed clock.
    let end = epoch_ms() - 60_000;
    let started = Instant::now();
    // An admin's access token lasts long enough for the load (15 min by default); a key
    // would do the same work.
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (base, ds, admin) = (base.to_owned(), setup.dataset.clone(), setup.admin.clone());
            std::thread::spawn(move || send(&base, &ds, &admin, c, total, end))
        })
        .collect();
    let mut stored = 0;
    for h in handles {
        stored += h
            .join()
            .map_err(|_| "an ingest client panicked".to_owned())??;
    }
    let load_s = started.elapsed().as_secs_f64();
    if stored != total as u64 {
        return Err(format!("{stored} of {total} rows stored"));
    }
    let mut rows = vec![Row::new(names[0].clone(), "rows/s", Goal::None)
        .ours(stored as f64 / load_s)
        .note(format!(
            "{stored} rows in {load_s:.0} s through POST /datasets/{{id}}/events (JSON, validated, one transaction per batch); informational, the ingest goal is the `ingest` group's"
        ))];
    // A whole-range request on a slow storage can take longer than `agent`'s read timeout.
    let a = patient_agent();
    let url = format!("{base}/api/v1/dashboards/{}/data", setup.dashboard);
    let whole = json!({ "timeRange": { "from": end - SPAN_MS, "to": end + 1 } });
    rows.push(match caught_up(server, &a, base, &url, &whole) {
        Ok((secs, first, last)) => Row::new(names[3].clone(), "s", Goal::None)
            .ours(secs)
            .note(format!(
                "from the load's end until the server reported its rollups up to date (it pre-aggregates hours and days in the background once a bucket has had no writes for 10 s); the whole-range request took {first:.0} ms right after the load and {last:.0} ms after the report (the timed requests below start then)"
            )),
        Err(e) => Row::failed(names[3].clone(), "s", Goal::None, &e),
    });
    // (name, body, requests after 2 warm-ups): a whole-range request scans every row, so
    // fewer of them.
    let ranges = [
        (
            names[1].clone(),
            json!({}),
            if options.quick { 10 } else { 30 },
        ),
        (names[2].clone(), whole, if options.quick { 10 } else { 30 }),
    ];
    for (name, body, requests) in ranges {
        let mut samples = Vec::new();
        let mut query_ms = Vec::new();
        // Each widget's own query times, to name where a request's time goes.
        let mut by_widget: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
        let mut counted = 0.0;
        for i in 0..requests + 2 {
            // A fresh token per request (not timed): whole-range requests can outlast one.
            let token = login(&a, base, "analyst@healthco.test")?;
            let (ms, value) = match timed_post(&a, &url, &token, &body) {
                Ok(answer) => answer,
                Err(e) => {
                    rows.push(Row::failed(name.clone(), "ms", Goal::AtMost(GOAL_MS), &e));
                    break;
                }
            };
            let widgets = value["widgets"]
                .as_object()
                .ok_or_else(|| format!("no widgets in {value}"))?;
            if let Some(e) = widgets.values().find_map(|w| w.get("error")) {
                return Err(format!("a widget failed: {e}"));
            }
            // The pie's result is columnar: data[1] holds the count of each channel.
            counted = widgets["channels"]["data"][1]
                .as_array()
                .map_or(0.0, |c| c.iter().filter_map(Value::as_f64).sum());
            if i >= 2 {
                let mut summed = 0.0;
                for (id, r) in widgets {
                    if let Some(took) = r["meta"]["executionMs"].as_f64() {
                        by_widget.entry(id.clone()).or_default().push(took);
                        summed += took;
                    }
                }
                samples.push(ms);
                query_ms.push(summed);
            }
        }
        let (Some(s), Some(q)) = (summarize(&samples), summarize(&query_ms)) else {
            continue;
        };
        let widgets_p50: Vec<String> = by_widget
            .iter()
            .filter_map(|(id, ms)| Some(format!("{id} {:.0}", summarize(ms)?.p50)))
            .collect();
        rows.push(
            Row::new(name, "ms", Goal::AtMost(GOAL_MS))
                .ours(s.p95)
                .note(format!(
                    "{} requests after 2 warm-ups, p50 {:.0} ms; the widgets' query times (meta.executionMs) summed per request: p50 {:.0} ms, p95 {:.0} ms (p50 by widget, ms: {}); {counted:.0} rows counted by the pie; no peer backend",
                    s.n, s.p50, q.p50, q.p95, widgets_p50.join(", ")
                )),
        );
    }
    rows.push(grouped_percentile(&a, base, setup, end, &names[4]));
    Ok(rows)
}

/// Times an ad-hoc query the rollups answer only in part, p95 latency by region over every row
/// (the value counts have no dimensions, so its values are read from the events), 5 times after
/// a warm-up.
fn grouped_percentile(a: &ureq::Agent, base: &str, setup: &Setup, end: i64, name: &str) -> Row {
    let body = json!({
        "dataset": setup.dataset, "dimensions": ["region"],
        "measures": [{ "field": "latency_ms", "agg": "p95" }],
        "timeRange": { "from": end - SPAN_MS, "to": end + 1 },
    });
    let url = format!("{base}/api/v1/query");
    let mut samples = Vec::new();
    let mut regions = 0;
    for i in 0..6 {
        let answer = login(a, base, "analyst@healthco.test")
            .and_then(|token| timed_post(a, &url, &token, &body));
        let (ms, value) = match answer {
            Ok(answer) => answer,
            Err(e) => return Row::failed(name, "ms", Goal::None, &e),
        };
        let Some(p95s) = value["data"][1].as_array() else {
            return Row::failed(
                name,
                "ms",
                Goal::None,
                &format!("no percentiles in {value}"),
            );
        };
        regions = p95s.iter().filter(|v| v.is_number()).count();
        if i > 0 {
            samples.push(ms);
        }
    }
    let Some(s) = summarize(&samples) else {
        return Row::failed(name, "ms", Goal::None, "no samples");
    };
    Row::new(name, "ms", Goal::None).ours(s.p50).note(format!(
        "p50 of {} requests after a warm-up (max {:.0} ms); {regions} regions answered; POST /query; the groups from the rollups, the values from every row (no rollup holds value counts by a dimension)",
        s.n, s.max
    ))
}

/// Times one whole-range request right after the load, waits until the server reports its
/// rollups up to date (a report after the load: every bucket the load wrote has been rolled
/// up), and times one more. Returns the seconds the wait took and the two times.
fn caught_up(
    server: &RunningServer,
    a: &ureq::Agent,
    base: &str,
    url: &str,
    body: &Value,
) -> Result<(f64, f64, f64), String> {
    const LIMIT: Duration = Duration::from_secs(900);
    let started = Instant::now();
    // A report made during the load is stale; one made from now on covers the load (its last
    // buckets are still settling now, so none can be made before this).
    server.forget_rollup_reports();
    let whole_range = |a: &ureq::Agent| -> Result<f64, String> {
        let token = login(a, base, "analyst@healthco.test")?;
        Ok(timed_post(a, url, &token, body)?.0)
    };
    let first = whole_range(a)?;
    if !server.wait_for_rollups(LIMIT.saturating_sub(started.elapsed())) {
        return Err(format!(
            "the server did not report its rollups up to date within {} s of the load",
            LIMIT.as_secs()
        ));
    }
    let secs = started.elapsed().as_secs_f64();
    Ok((secs, first, whole_range(a)?))
}

#[cfg(test)]
mod tests {
    use super::rows_label;

    #[test]
    fn row_counts_are_labelled_in_millions_or_thousands() {
        assert_eq!(rows_label(10_000_000), "10M");
        assert_eq!(rows_label(2_500_000), "2.5M");
        assert_eq!(rows_label(500_000), "500k");
    }
}
