//! Browser benchmarks: `node www/bench/run.mjs` drives headless Debian Chromium with
//! playwright-core against the pages in www/bench/ and prints one JSON result per line, which
//! become rows here. Our (wasm) side of each benchmark is added to the script as the code it
//! measures lands; until then the row shows the peer alone and says "not measured" for ours.

use super::report::{Goal, Row};
use super::Options;
use crate::util::{on_path, repo_root};
use serde_json::Value;
use std::process::Command;

const LINE_1M: &str = "1M-point line render, median (ours: wasm LineChart; peer: plain ECharts)";

pub fn run(options: &Options) -> Vec<Row> {
    match results(options) {
        Ok(results) => rows(&results),
        Err(e) => vec![Row::failed(LINE_1M, "ms", Goal::None, &e)],
    }
}

fn results(options: &Options) -> Result<Vec<Value>, String> {
    let www = repo_root().join("www");
    if !on_path("node") {
        return Err("node is not installed (cargo xtask setup)".into());
    }
    if !www.join("node_modules/playwright-core").is_dir() {
        return Err("www/node_modules is missing (cargo xtask setup runs npm ci)".into());
    }
    let iterations = if options.quick { "5" } else { "9" };
    println!("$ node www/bench/run.mjs --iterations {iterations}");
    let out = Command::new("node")
        .current_dir(repo_root())
        .args(["www/bench/run.mjs", "--iterations", iterations])
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

fn rows(results: &[Value]) -> Vec<Row> {
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
        median = median.note(format!(
            "ours not yet measured: the wasm LineChart has no bench page yet; peer = plain ECharts 6, same option shape, {} iterations after a warm-up, setOption → next painted frame",
            peer.and_then(|p| p["samples"].as_array()).map_or(0, Vec::len)
        ));
    }
    vec![median, p95]
}
