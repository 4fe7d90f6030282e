//! Live latency (issue #4): server publish → our store updated in the browser, over WebSocket
//! and over SSE, beside a plain-JS WebSocket client on the same page in the same run.
//!
//! `node www/bench/run.mjs --only live` opens www/bench/live-latency.html from the running
//! server. Each sample is one publish: the page acknowledges an alert (the server answers and
//! publishes it on the tenant's stream), and each client's figure is the time from sending that
//! request to the message having been applied (ours: the `DashboardStore` through the SDK's
//! `LiveProbe`; peer: `onmessage` + `JSON.parse`). The request's own trip to the server is
//! therefore included in every figure alike; the round trip is reported beside them.

use super::report::{Goal, Row};
use super::Options;
use serde_json::Value;

/// Goals from issue #4.
const P95_GOAL_MS: f64 = 50.0;
const P99_GOAL_MS: f64 = 100.0;
const VS_PLAIN_GOAL: f64 = 1.1;

pub fn run(options: &Options, base: &str) -> Vec<Row> {
    match results(options, base) {
        Ok(results) => rows(&results),
        Err(e) => vec![Row::failed(
            "live publish → store updated (WS), p95",
            "ms",
            Goal::AtMost(P95_GOAL_MS),
            &e,
        )],
    }
}

fn results(options: &Options, base: &str) -> Result<Vec<Value>, String> {
    // The page loads LiveProbe from pkg/: make sure the package has it (the size benchmark
    // rebuilds it too, but `--filter live` skips that).
    if !options.quick
        || !crate::artifacts::pkg_dir()
            .join("vantage_embed.js")
            .is_file()
    {
        crate::artifacts::build_sdk()?;
    }
    let publishes = if options.quick { "100" } else { "400" };
    let results: Vec<Value> = super::browser::run_driver(&[
        "--only",
        "live",
        "--publishes",
        publishes,
        "--base-url",
        base,
    ])?
    .into_iter()
    .filter(|r| r["bench"] == "live-latency")
    .collect();
    if let Some(e) = results.iter().find_map(|r| r["error"].as_str()) {
        return Err(e.to_owned());
    }
    Ok(results)
}

fn side<'a>(results: &'a [Value], name: &str) -> Option<&'a Value> {
    results.iter().find(|r| r["side"] == name)
}

fn rows(results: &[Value]) -> Vec<Row> {
    let plain = side(results, "plain");
    let stat = |v: Option<&Value>, k: &str| v.and_then(|v| v[k].as_f64());
    let n = stat(plain, "n").unwrap_or(0.0);
    let round_trip = side(results, "roundTrip");
    let mut rows = Vec::new();
    for (key, label) in [("oursWs", "WS"), ("oursSse", "SSE")] {
        let ours = side(results, key);
        for (stat_key, name, goal) in [
            ("median", "p50", Goal::None),
            ("p95", "p95", Goal::AtMost(P95_GOAL_MS)),
            ("p99", "p99", Goal::AtMost(P99_GOAL_MS)),
        ] {
            let mut row = Row::new(
                format!("live publish → store updated ({label}), {name}"),
                "ms",
                goal,
            )
            .peer(stat(plain, stat_key));
            if let Some(v) = stat(ours, stat_key) {
                row = row.ours(v);
            }
            if key == "oursWs" && stat_key == "median" {
                row = row.note(format!(
                    "{n:.0} publishes (alert acknowledge → tenant stream), loopback; peer = plain-JS WebSocket client on the same page, same messages; every figure includes the publishing request's trip (its round trip: p50 {:.1} ms, p95 {:.1} ms)",
                    stat(round_trip, "median").unwrap_or(f64::NAN),
                    stat(round_trip, "p95").unwrap_or(f64::NAN),
                ));
            }
            rows.push(row);
        }
    }
    // Ours (WS) p95 relative to the plain client's p95 on the same messages.
    if let (Some(ours), Some(peer)) = (stat(side(results, "oursWs"), "p95"), stat(plain, "p95")) {
        rows.push(
            Row::new(
                "live WS p95, ours ÷ plain-JS client",
                "×",
                Goal::AtMost(VS_PLAIN_GOAL),
            )
            .ours(ours / peer)
            .note("same page, same run, same publishes"),
        );
    }
    rows
}
