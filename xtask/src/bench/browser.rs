//! Browser benchmarks: `node www/bench/run.mjs` drives headless Debian Chromium with
//! playwright-core against the pages in www/bench/ and prints one JSON result per line, which
//! become rows here. The 1M-point peer page is served by the script; every other page (ours,
//! through the vantage-embed package and its bench entry points, and the plain-JS peers) by the
//! running reference server at `base`. Ours and the peer alternate A/B in the same browser; a
//! side that fails shows "not measured" with its error in the notes.

use super::report::{Goal, Row};
use super::Options;
use crate::util::{on_path, repo_root};
use serde_json::Value;
use std::process::Command;

const LINE_1M: &str =
    "1M-point line render, median (ours: <LineChart> via the SDK wasm; peer: plain ECharts)";

/// Goal for the mount/destroy cycles' memory growth (issue 8).
const GROWTH_GOAL_PCT: f64 = 5.0;

pub fn run(options: &Options, base: &str) -> Vec<Row> {
    match results(options, base) {
        Ok(results) => {
            let mut rows = line_rows(&results);
            rows.extend(handoff_rows(&results));
            rows.extend(streaming_rows(&results));
            rows.extend(soak_rows(&results));
            rows.extend(cold_load_rows(&results));
            rows.extend(cross_filter_rows(&results));
            rows.extend(app_rows(&results));
            rows.extend(cycle_rows(&results));
            rows.extend(csv_import_rows(&results));
            rows.extend(mobile_rows(&results));
            rows
        }
        Err(e) => vec![Row::failed(LINE_1M, "ms", Goal::None, &e)],
    }
}

fn results(options: &Options, base: &str) -> Result<Vec<Value>, String> {
    // Streaming: 60 s per side in full (10 s with --quick), in alternating segments; soak: 180
    // steps of 10 s of stream (30 minutes) in full, 30 (5 minutes) with --quick.
    let (iterations, cycles, stream_seconds, soak_steps, csv_mb) = if options.quick {
        ("5", "30", "10", "30", "10")
    } else {
        ("9", "100", "60", "180", "100")
    };
    run_driver(&[
        "--iterations",
        iterations,
        "--cycles",
        cycles,
        "--stream-seconds",
        stream_seconds,
        "--soak-steps",
        soak_steps,
        "--csv-mb",
        csv_mb,
        "--base-url",
        base,
    ])
}

/// Runs `node www/bench/run.mjs <args>` and returns the JSON objects it printed, one per line.
///
/// # Errors
/// When node or playwright-core is missing, or the driver fails (first lines of its stderr).
pub(super) fn run_driver(args: &[&str]) -> Result<Vec<Value>, String> {
    if !on_path("node") {
        return Err("node is not installed (cargo xtask setup)".into());
    }
    if !repo_root()
        .join("www/node_modules/playwright-core")
        .is_dir()
    {
        return Err("www/node_modules is missing (cargo xtask setup runs npm ci)".into());
    }
    let command = format!("www/bench/run.mjs {}", args.join(" "));
    println!("$ node {command}");
    let out = Command::new("node")
        .current_dir(repo_root())
        .arg("www/bench/run.mjs")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{command} failed: {}",
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
    let stat = |v: Option<&Value>, k: &str| v.and_then(|v| v[k].as_f64());
    let peer_note = match error_of(peer) {
        Some(e) => format!("peer not measured: {e}"),
        None => "peer = www/bench/echarts-direct.html, plain ECharts 6, the same chart with all 1M values as one Float64Array, handed to ECharts directly".into(),
    };
    // Issue 18: drawing fewer points (the same picture) must make ours at most half of ECharts'
    // own time for all 1M points.
    let mut median = Row::new(LINE_1M, "ms", Goal::RatioAtMost(0.50)).peer(stat(peer, "median"));
    let mut p95 = Row::new("1M-point line render, p95", "ms", Goal::None).peer(stat(peer, "p95"));
    match (ours, error_of(ours)) {
        (Some(o), None) => {
            median = median.ours(stat(Some(o), "median").unwrap_or(f64::NAN)).note(format!(
                "fresh 1200×600 element per run, mount → first painted frame (ours: option built from a 1M-row contract result, echarts.init, the first layout drawn from the few points that set the axes' extents, then the series M4-decimated in wasm to ≤ 4 points per pixel column of the laid-out plot and handed over as a Float64Array, setOption in the same task; peer: echarts.init, setOption of all 1M points with ECharts' LTTB sampling); data made once, not timed; alternating A/B, {} runs each after a warm-up; {peer_note}",
                o["samples"].as_array().map_or(0, Vec::len)
            ));
            p95 = p95.ours(stat(Some(o), "p95").unwrap_or(f64::NAN));
        }
        (_, e) => {
            median = median.note(format!(
                "ours not measured: {}; {peer_note}",
                e.unwrap_or_default()
            ));
        }
    }
    let arrays = find(results, "line-1m", "peer-arrays").filter(|p| p["error"].is_null());
    let mut rows = vec![median, p95];
    let floor = find(results, "line-1m", "floor").filter(|f| f["error"].is_null());
    if let Some(f) = floor {
        rows.push(
            Row::new(
                "1M-point line render floor: plain ECharts given the decimated option ours draws, median (peer: the goal's peer)",
                "ms",
                Goal::None,
            )
            .ours(stat(Some(f), "median").unwrap_or(f64::NAN))
            .peer(stat(peer, "median"))
            .note(format!(
                "www/bench/chart-ours.js renderFloor: the option ours ends up drawing ({} points), read back with getOption and given to a fresh chart in one setOption, timed like ours (p95 {}): the best ratio ECharts' own drawing allows ours",
                f["drawn"].as_f64().map_or_else(|| "—".into(), |n| format!("{n:.0}")),
                show_ms(stat(Some(f), "p95"))
            )),
        );
    }
    if let (Some(o), Some(a)) = (ours.filter(|o| o["error"].is_null()), arrays) {
        rows.push(
            Row::new(
                "1M-point line render, median vs idiomatic JS (data as [t, v] arrays)",
                "ms",
                Goal::None,
            )
            .ours(stat(Some(o), "median").unwrap_or(f64::NAN))
            .peer(stat(Some(a), "median"))
            .note(format!(
                "same page and option as the peer above, but the data as 1M two-element JS arrays, the usual way to feed ECharts (p95 {})",
                show_ms(stat(Some(a), "p95"))
            )),
        );
    }
    rows
}

fn handoff_rows(results: &[Value]) -> Vec<Row> {
    let name = "data handoff Rust→ECharts, 1M points, median (peer: ECharts' own setOption)";
    let ours = find(results, "handoff", "ours");
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "ms", Goal::RatioAtMost(0.10), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let at = |k: &str, s: &str| o[k][s].as_f64();
    vec![
        Row::new(name, "ms", Goal::RatioAtMost(0.10))
            .ours(at("ours", "median").unwrap_or(f64::NAN))
            .peer(at("setOption", "median"))
            .note(format!(
                "ours = timed in wasm, what <LineChart> does around ECharts' layout: line option built from the 1M-row result, converted to a JS object, the series' shape and its M4 pick for a 1,168-px plot, those points attached as one Float64Array (p95 {}; of which the option built and converted: median {}); peer = echarts.setOption of the full option (every point) on a fresh instance (p95 {}); {} runs after a warm-up",
                show_ms(at("ours", "p95")),
                show_ms(at("build", "median")),
                show_ms(at("setOption", "p95")),
                o["n"]
            )),
        Row::new(
            "data handoff with every point (no decimation), median (peer: ECharts' own setOption)",
            "ms",
            Goal::None,
        )
        .ours(at("full", "median").unwrap_or(f64::NAN))
        .peer(at("setOption", "median"))
        .note(format!(
            "the handoff before decimation: the same option with all 1M points attached as one Float64Array (p95 {}; of which the Float64Array copy alone: median {})",
            show_ms(at("full", "p95")),
            show_ms(at("copy", "median")),
        )),
        Row::new(
            "data handoff vs serde_json string + JSON.parse, median (goal: ≥ 3× faster)",
            "ms",
            Goal::RatioAtMost(1.0 / 3.0),
        )
        .ours(at("full", "median").unwrap_or(f64::NAN))
        .peer(at("json", "median"))
        .note(format!(
            "ours = every point as one Float64Array (as the row above); peer = the same chart with every point inline as [t, v] (line_chart_option_inline), serde_json::to_string ({:.1} MB) + JSON.parse, timed in wasm (p95 {})",
            o["jsonBytes"].as_f64().unwrap_or(0.0) / 1e6,
            show_ms(at("json", "p95"))
        )),
    ]
}

fn show_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| super::report::show(v, "ms"))
}

fn streaming_rows(results: &[Value]) -> Vec<Row> {
    let name = "streaming 3 × 100k-point windows at 10,000 points/s: frame time p95";
    let ours = find(results, "streaming", "ours");
    let peer = find(results, "streaming", "peer").filter(|p| p["error"].is_null());
    let floor = find(results, "streaming", "floor");
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "ms", Goal::AtMost(16.7), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let v = |side: Option<&Value>, k: &str| side.and_then(|s| s[k].as_f64());
    let describe = |s: &Value| {
        format!(
            "{:.0} s, {} frames, {:.0} points/s, longest task {:.0} ms, median of the {} segments' p95 {:.1} ms",
            s["seconds"].as_f64().unwrap_or(0.0),
            s["frames"],
            s["pointsPerSec"].as_f64().unwrap_or(0.0),
            s["longestTask"].as_f64().unwrap_or(0.0),
            s["segments"],
            s["segmentP95"]["median"].as_f64().unwrap_or(f64::NAN)
        )
    };
    let peer_note = peer.map_or_else(
        || "peer not measured".into(),
        |p| {
            format!(
                "peer (www/bench/stream-plain.html, hand-written JS on ECharts): {}",
                describe(p)
            )
        },
    );
    vec![
        Row::new(name, "ms", Goal::AtMost(16.7))
            .ours(v(Some(o), "p95").unwrap_or(f64::NAN))
            .peer(v(peer, "p95"))
            .note(format!(
                "frame time = interval between animation frames while appending the points due each frame (time-based, so slow frames get bigger batches); segments alternate A/B with the chart kept between them; ours (SlidingWindow + EChartsHandle::push_window via the SDK wasm): {}; {peer_note}",
                describe(o)
            )),
        Row::new(
            "streaming: frame time p95 vs hand-written JS",
            "ms",
            Goal::RatioAtMost(1.2),
        )
        .ours(v(Some(o), "p95").unwrap_or(f64::NAN))
        .peer(v(peer, "p95")),
        Row::new("streaming: frame time median", "ms", Goal::None)
            .ours(v(Some(o), "median").unwrap_or(f64::NAN))
            .peer(v(peer, "median")),
        Row::new("streaming: long tasks > 50 ms", "", Goal::AtMost(0.0))
            .ours(v(Some(o), "longTasks").unwrap_or(f64::NAN))
            .peer(v(peer, "longTasks")),
        Row::new("streaming: frames late (interval > 25 ms)", "%", Goal::None)
            .ours(v(Some(o), "late").map_or(f64::NAN, |l| 100.0 * l))
            .peer(v(peer, "late").map(|l| 100.0 * l))
            .note("the share of frame intervals longer than 1.5 vsyncs: p95 is 16.7 ms below 5% and 33.3 ms from 5% to about 50%"),
        floor_row(floor),
    ]
}

/// The streaming floor as its own row: plain ECharts redrawing exactly the decimated windows
/// ours hands it (recorded from our chart, replayed with the same update), measured in the
/// same alternation. Ours' frame time above it is our own work.
fn floor_row(floor: Option<&Value>) -> Row {
    let name = "streaming floor: ECharts alone redrawing what ours hands it, frame time p95";
    if let Some(e) = error_of(floor) {
        return Row::failed(name, "ms", Goal::None, &e);
    }
    let late = floor.and_then(|f| f["late"].as_f64());
    Row::new(name, "ms", Goal::None)
        .ours(floor.and_then(|f| f["p95"].as_f64()).unwrap_or(f64::NAN))
        .note(format!(
            "www/bench/chart-ours.js streamFloor: 120 consecutive appends' decimated windows ({} points per series) replayed one per frame into plain ECharts with the same option and merge-mode setOption; frames late (> 25 ms): {}",
            floor.and_then(|f| f["drawnPerSeries"].as_f64()).map_or_else(|| "—".into(), |n| format!("{n:.0}")),
            late.map_or_else(|| "—".into(), |l| format!("{:.1}%", 100.0 * l))
        ))
}

fn soak_rows(results: &[Value]) -> Vec<Row> {
    let ours = find(results, "soak", "ours");
    let peer = find(results, "soak", "peer").filter(|p| p["error"].is_null());
    let minutes = ours
        .and_then(|o| o["equivalentMinutes"].as_f64())
        .unwrap_or(0.0);
    let heap = format!("streaming soak ({minutes:.0}-minute equivalent), JS heap growth");
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let growth = |s: &Value, k: &str| {
        let (a, b) = (s["before"][k].as_f64()?, s["after"][k].as_f64()?);
        (a > 0.0).then(|| (b - a) / a * 100.0)
    };
    let kib = |s: &Value, side: &str, k: &str| s[side][k].as_f64().unwrap_or(f64::NAN) / 1024.0;
    let mut rows = vec![Row::new(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT))
        .ours(growth(o, "heap").unwrap_or(f64::NAN))
        .peer(peer.and_then(|p| growth(p, "heap")))
        .note(format!(
            "{} steps of 100,000 points (10 s of the 10,000 points/s stream each), one step per painted frame, into 3 × 100k-point windows, {:.1} s; after 10 warm-up steps, gc() forced before each reading; ours {:.0} → {:.0} KiB; peer (hand-written JS) {}; \"flat\" read as ≤ 5 %",
            o["steps"],
            o["ms"].as_f64().unwrap_or(0.0) / 1000.0,
            kib(o, "before", "heap"),
            kib(o, "after", "heap"),
            peer.map_or_else(|| "not measured".into(), |p| format!("{:.0} → {:.0} KiB", kib(p, "before", "heap"), kib(p, "after", "heap")))
        ))];
    let grown = |s: &Value| kib(s, "after", "heap") - kib(s, "before", "heap");
    rows.push(
        Row::new("streaming soak, JS heap growth in KiB", "KiB", Goal::None)
            .ours(grown(o))
            .peer(peer.map(grown))
            .note("the row above as an amount: ours keeps the windows in wasm memory, so its JS heap (the percentage's base) is a third of the peer's, while the growth (V8's optimised code for ECharts' functions, ECharts' text-width cache) is the same on both sides"),
    );
    if let Some(g) = growth(o, "wasm") {
        rows.push(
            Row::new(
                "streaming soak, wasm memory growth",
                "%",
                Goal::AtMost(GROWTH_GOAL_PCT),
            )
            .ours(g)
            .note(format!(
                "wasm linear memory {:.0} → {:.0} KiB",
                kib(o, "before", "wasm"),
                kib(o, "after", "wasm")
            )),
        );
    }
    rows
}

fn cross_filter_rows(results: &[Value]) -> Vec<Row> {
    let name = "cross-filter → 6-widget dashboard redrawn, next paint, median";
    let ours = find(results, "cross-filter", "ours");
    let peer = find(results, "cross-filter", "peer").filter(|p| p["error"].is_null());
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "ms", Goal::AtMost(100.0), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let v = |side: Option<&Value>, k: &str| side.and_then(|s| s[k].as_f64());
    vec![
        Row::new(name, "ms", Goal::AtMost(100.0))
            .ours(v(Some(o), "median").unwrap_or(f64::NAN))
            .peer(v(peer, "median"))
            .note(format!(
                "healthco-ai-quality, live updates off; setFilters([intent = …]) → the data request with the filter → every chart's setOption → the paint after the last one (ECharts instances instrumented alike on both sides); includes the server's query time; {} runs each, alternating, intent cycling; {} canvases; peer = dashboard-plain.html re-requesting the data with the filter",
                o["samples"].as_array().map_or(0, Vec::len),
                o["canvases"]
            )),
        Row::new("cross-filter redraw, p95", "ms", Goal::None)
            .ours(v(Some(o), "p95").unwrap_or(f64::NAN))
            .peer(v(peer, "p95")),
    ]
}

fn app_rows(results: &[Value]) -> Vec<Row> {
    let name = "app cold load (/dashboards/healthco-ai-quality, signed in): first chart, median";
    let ours = find(results, "app-cold-load", "ours");
    let peer = find(results, "app-cold-load", "peer").filter(|p| p["error"].is_null());
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "ms", Goal::None, &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let v = |side: Option<&Value>, k: &str| side.and_then(|s| s[k]["median"].as_f64());
    vec![
        Row::new(name, "ms", Goal::None)
            .ours(v(Some(o), "firstChart").unwrap_or(f64::NAN))
            .note(format!(
                "the Leptos app (crates/app) in a fresh browser context per run, signed in through a stored refresh token; marks polled every animation frame: first `.vt-echart canvas`, then 7 chart canvases with no skeleton left (±1 frame); LCP/CLS/TBT from PerformanceObserver 500 ms after; {} runs; peer = the plain-JS dashboard (dashboard-plain.html), alternating",
                o["n"]
            )),
        Row::new("app cold load: all widgets rendered, median", "ms", Goal::None)
            .ours(v(Some(o), "allRendered").unwrap_or(f64::NAN))
            .peer(v(peer, "allRendered")),
        Row::new("app cold load: LCP median", "ms", Goal::AtMost(1200.0))
            .ours(v(Some(o), "lcp").unwrap_or(f64::NAN))
            .peer(v(peer, "lcp")),
        Row::new("app cold load: TBT median", "ms", Goal::AtMost(100.0))
            .ours(v(Some(o), "tbt").unwrap_or(f64::NAN))
            .peer(v(peer, "tbt")),
        Row::new("app cold load: CLS median", "", Goal::AtMost(0.05))
            .ours(v(Some(o), "cls").unwrap_or(f64::NAN))
            .peer(v(peer, "cls")),
    ]
}

/// The app's CSV import (`csv-import`): a generated file picked on /datasets/import, parsed in
/// the browser and sent in batches of 1,000 rows.
fn csv_import_rows(results: &[Value]) -> Vec<Row> {
    let ours = find(results, "csv-import", "ours");
    let name = "CSV import in the app: main-thread long tasks > 200 ms";
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(name, "", Goal::AtMost(0.0), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let mb = o["mb"].as_f64().unwrap_or(f64::NAN);
    vec![
        Row::new(name, "", Goal::AtMost(0.0))
            .ours(o["longTasksOver200"].as_f64().unwrap_or(f64::NAN))
            .note(format!(
                "a generated {mb} MB CSV ({} rows) picked on /datasets/import; PerformanceObserver('longtask') from the click on Import to the summary; longest task {:.0} ms, {} long tasks (> 50 ms) in all",
                o["rows"], o["longestTaskMs"].as_f64().unwrap_or(f64::NAN), o["longTasks"]
            )),
        Row::new(format!("CSV import in the app: {mb} MB, total time"), "ms", Goal::None)
            .ours(o["totalMs"].as_f64().unwrap_or(f64::NAN))
            .note(format!("{} rows stored, {:.0} rows/s", o["stored"], o["rowsPerSec"].as_f64().unwrap_or(f64::NAN))),
    ]
}

/// Goals on the mobile profile (issue 18): largest contentful paint and total blocking time.
const MOBILE_LCP_GOAL_MS: f64 = 2500.0;
const MOBILE_TBT_GOAL_MS: f64 = 200.0;

/// The sign-in page, the embed demo and the gallery on Chrome DevTools' "Slow 4G" network preset
/// with a 4× CPU slowdown (`mobile`), one result per page, and one dashboard beside its plain-JS
/// peer on the same profile (context for the goals, which are for the three pages).
fn mobile_rows(results: &[Value]) -> Vec<Row> {
    let mobile: Vec<&Value> = results.iter().filter(|r| r["bench"] == "mobile").collect();
    let name = "mobile profile (Slow 4G, 4× CPU)";
    if let Some(e) = mobile.iter().find_map(|r| r["error"].as_str()) {
        return vec![Row::failed(name, "ms", Goal::AtMost(MOBILE_LCP_GOAL_MS), e)];
    }
    let median = |r: &Value, k: &str| r[k]["median"].as_f64().unwrap_or(f64::NAN);
    let mut rows = Vec::new();
    for r in mobile.iter().filter(|r| r["side"] == "ours") {
        let page = r["page"].as_str().unwrap_or("?");
        let peer = mobile
            .iter()
            .find(|p| p["side"] == "peer" && p["page"] == r["page"]);
        if let Some(p) = peer {
            // The bench pages paint nothing before the dashboard, and the peer's blocking
            // script puts its long tasks before the first paint, so LCP and TBT do not compare
            // here: the row is the time to every widget drawn.
            rows.push(
                Row::new(format!("{name}: {page}, all widgets rendered, median"), "ms", Goal::None)
                    .ours(median(r, "done"))
                    .peer(Some(median(p, "done")))
                    .note(format!(
                        "{} (vantage-embed, the development package, with its live connection) vs {} (plain JS), both loading the full ECharts build as a blocking script, same profile, {} runs each, round-robin; transferred {:.0} vs {:.0} KB; longest task {:.0} vs {:.0} ms",
                        r["path"].as_str().unwrap_or("?"),
                        p["path"].as_str().unwrap_or("?"),
                        r["n"],
                        median(r, "bytes") / 1024.0,
                        median(p, "bytes") / 1024.0,
                        median(r, "longest"),
                        median(p, "longest"),
                    )),
            );
            continue;
        }
        rows.push(
            Row::new(format!("{name}: {page}, LCP median"), "ms", Goal::AtMost(MOBILE_LCP_GOAL_MS))
                .ours(median(r, "lcp"))
                .note(format!(
                    "{} on Chrome DevTools' Slow 4G preset (1.44 Mbit/s down, 675 kbit/s up, 562.5 ms latency) and a 4× CPU slowdown (CDP), 412×823 at 1.75×, empty cache, {} runs; FCP {:.0} ms, content in place at {:.0} ms, {:.0} KB transferred (compressed, headers included), longest task {:.0} ms",
                    r["path"].as_str().unwrap_or("?"),
                    r["n"],
                    median(r, "fcp"),
                    median(r, "done"),
                    median(r, "bytes") / 1024.0,
                    median(r, "longest"),
                )),
        );
        rows.push(
            Row::new(
                format!("{name}: {page}, TBT median"),
                "ms",
                Goal::AtMost(MOBILE_TBT_GOAL_MS),
            )
            .ours(median(r, "tbt")),
        );
    }
    rows
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
    let peer = find(results, "mount-cycles", "peer").filter(|p| p["error"].is_null());
    let n = ours.and_then(|o| o["n"].as_u64()).unwrap_or(0);
    let heap = format!("{n} mount/destroy cycles, JS heap growth");
    if let Some(e) = error_of(ours) {
        return vec![Row::failed(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT), &e)];
    }
    let Some(o) = ours else { return Vec::new() };
    let mut rows = Vec::new();
    let kib = |s: &Value, side: &str, k: &str| s[side][k].as_f64().unwrap_or(f64::NAN) / 1024.0;
    let grown = |s: &Value| kib(s, "after", "heap") - kib(s, "before", "heap");
    let peer_note = match (peer, error_of(find(results, "mount-cycles", "peer"))) {
        (Some(p), _) => format!(
            "peer (plain JS + ECharts, dashboard-plain.html, same cycles, no live connection) {:.0} → {:.0} KiB",
            kib(p, "before", "heap"),
            kib(p, "after", "heap")
        ),
        (None, Some(e)) => format!("peer not measured: {e}"),
        (None, None) => "peer not measured".into(),
    };
    if let Some(g) = o["heapGrowthPct"].as_f64() {
        rows.push(
            Row::new(heap, "%", Goal::AtMost(GROWTH_GOAL_PCT))
                .ours(g)
                .peer(peer.and_then(|p| p["heapGrowthPct"].as_f64()))
                .note(format!(
                    "after 5 warm-up cycles, gc() forced before each reading: {:.0} → {:.0} KiB; {} elements left in the container; {peer_note}",
                    kib(o, "before", "heap"),
                    kib(o, "after", "heap"),
                    o["leftover"]
                )),
        );
        rows.push(
            Row::new(
                format!("{n} mount/destroy cycles, JS heap growth in KiB"),
                "KiB",
                Goal::None,
            )
            .ours(grown(o))
            .peer(peer.map(grown))
            .note("the row above as an amount: the same ECharts work grows both sides' heaps alike (V8's optimised code for ECharts' functions, ECharts' text-width cache; see BENCHMARKS.md)"),
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
                kib(o, "before", "wasm"),
                kib(o, "after", "wasm")
            )),
        );
    }
    rows
}
