//! Browser benchmarks: `node www/bench/run.mjs` drives headless Debian Chromium with
//! playwright-core against the pages in www/bench/ and prints one JSON result per line, which
//! become rows here. Peer pages are served by the script; our pages (the vantage-embed package)
//! are served by the running reference server at `base`. Our side of each benchmark is added to
//! the script as the code it measures lands; until then a row shows the peer alone.

use super::report::{Goal, Row};
use super::Options;
use crate::util::{on_path, repo_root};
use serde_json::Value;
use std::process::Command;

const LINE_1M: &str = "1M-point line render, median (ours: wasm LineChart; peer: plain ECharts)";

/// Goal for the mount/destroy cycles' memory growth (issue 8).
const GROWTH_GOAL_PCT: f64 = 5.0;

pub fn run(options: &Options, base: &str) -> Vec<Row> {
    match results(options, base) {
        Ok(results) => {
            let mut rows = line_rows(&results);
            rows.extend(cold_load_rows(&results));
            rows.extend(cycle_rows(&results));
            rows
        }
        Err(e) => vec![Row::failed(LINE_1M, "ms", Goal::None, &e)],
    }
}

fn results(options: &Options, base: &str) -> Result<Vec<Value>, String> {
    let www = repo_root().join("www");
    if !on_path("node") {
        return Err("node is not installed (cargo xtask setup)".into());
    }
    if !www.join("node_modules/playwright-core").is_dir() {
        return Err("www/node_modules is missing (cargo xtask setup runs npm ci)".into());
    }
    let (iterations, cycles) = if options.quick {
        ("5", "30")
    } else {
        ("9", "100")
    };
    let args = [
        "www/bench/run.mjs",
        "--iterations",
        iterations,
        "--cycles",
        cycles,
        "--base-url",
        base,
    ];
    println!("$ node {}", args.join(" "));
    let out = Command::new("node")
        .current_dir(repo_root())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "www/bench/run.mjs failed: {}",
            err.lines().take(3).collect::<Vec<_>>().join(" ")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn find<'a>(results: &'a [Value], bench: &str, side: &str) -> Option<&'a Value> {
    results
        .iter()
        .find(|r| r["bench"] == bench && r["side"] == side)
}

fn line_rows(results: &[Value]) -> Vec<Row> {
    let peer = find(results, "line-1m", "peer");
    let ours = find(results, "line-1m", "ours");
    let mut median =
        Row::new(LINE_1M, "ms", Goal::None).peer(peer.and_then(|p| p["median"].as_f64()));
    let mut p95 = Row::new("1M-point line render, p95", "ms", Goal::None)
        .peer(peer.and_then(|p| p["p95"].as_f64()));
    if let Some(o) = ours {
        median = median.ours(o["median"].as_f64().unwrap_or(f64::NAN));
        p95 = p95.ours(o["p95"].as_f64().unwrap_or(f64::NAN));
    } else {
        let peer_note = match error_of(peer) {
            Some(e) => format!("peer not measured: {e}"),
            None => format!(
                "peer = plain ECharts 6, same option shape, {} iterations after a warm-up, init → next painted frame",
                peer.and_then(|p| p["samples"].as_array()).map_or(0, Vec::len)
            ),
        };
        median = median.note(format!(
            "ours not yet measured: the SDK has no bare line-chart entry point or bench page yet; {peer_note}"
        ));
    }
    vec![median, p95]
}

/// The error a side reported, if it failed.
fn error_of(result: Option<&Value>) -> Option<String> {
    match result {
        None => Some("the script printed no result".into()),
        Some(r) => r["error"].as_str().map(str::to_owned),
    }
}

fn cold_load_rows(results: &[Value]) -> Vec<Row> {
    let ours = find(results, "dashboard-cold-load", "ours");
    let peer = find(results, "dashboard-cold-load", "peer");
    let canvases = ours.and_then(|o| o["canvases"].as_u64()).unwrap_or(0);
    let name = "dashboard cold load → all widgets rendered, median";
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "ms", Goal::None, &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let peer_note = match error_of(peer) {
        Some(e) => format!("peer not measured: {e}"),
        None => "peer: www/bench/dashboard-plain.html (plain JS + ECharts, same two API calls, same widgets), alternating A/B".into(),
    };
    let peer_ok = peer.filter(|p| p["error"].is_null());
    let at = |v: Option<&Value>, key: &str, stat: &str| {
        v.and_then(|v| {
            if key.is_empty() {
                v[stat].as_f64()
            } else {
                v[key][stat].as_f64()
            }
        })
    };
    let mut rows = vec![Row::new(name, "ms", Goal::None)
        .ours(o["median"].as_f64().unwrap_or(f64::NAN))
        .peer(at(peer_ok, "", "median"))
        .note(format!(
            "healthco-ai-quality via vantage-embed (EmbeddedDashboard.render → `rendered`), fresh browser context each run (no cache), {} runs, {canvases} chart canvases; {peer_note}",
            o["samples"].as_array().map_or(0, Vec::len)
        ))];
    rows.push(
        Row::new("dashboard cold load, p95", "ms", Goal::None)
            .ours(o["p95"].as_f64().unwrap_or(f64::NAN))
            .peer(at(peer_ok, "", "p95")),
    );
    for (key, label, unit) in [
        ("lcp", "dashboard cold load, LCP median", "ms"),
        ("tbt", "dashboard cold load, TBT median", "ms"),
        ("cls", "dashboard cold load, CLS median", ""),
    ] {
        if let Some(v) = at(Some(o), key, "median") {
            rows.push(
                Row::new(label, unit, Goal::None)
                    .ours(v)
                    .peer(at(peer_ok, key, "median")),
            );
        }
    }
    rows
}

fn cycle_rows(results: &[Value]) -> Vec<Row> {
    let ours = find(results, "mount-cycles", "ours");
    let n = ours.and_then(|o| o["n"].as_u64()).unwrap_or(0);
    let heap = format!("{n} mount/destroy cycles, JS heap growth");
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let mut rows = Vec::new();
    let bytes = |side: &str, k: &str| o[side][k].as_f64().unwrap_or(f64::NAN) / 1024.0;
    if let Some(g) = o["heapGrowthPct"].as_f64() {
        rows.push(
            Row::new(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT))
                .ours(g)
                .note(format!(
                    "after 5 warm-up cycles, gc() forced before each reading: {:.0} → {:.0} KiB; {} elements left in the container",
                    bytes("before", "heap"),
                    bytes("after", "heap"),
                    o["leftover"]
                )),
        );
    }
    if let Some(g) = o["wasmGrowthPct"].as_f64() {
        rows.push(
            Row::new(
                format!("{n} mount/destroy cycles, wasm memory growth"),
                "%",
                Goal::AtMost(GROWTH_GOAL_PCT),
            )
            .ours(g)
            .note(format!(
                "wasm linear memory {:.0} → {:.0} KiB (it never shrinks; growth means the allocator needed more pages)",
                bytes("before", "wasm"),
                bytes("after", "wasm")
            )),
        );
    }
    rows
}
