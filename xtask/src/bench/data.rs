//! Dashboard data endpoint: `POST /api/v1/dashboards/{id}/data` for the four healthco demo
//! dashboards, round-robin, one request at a time from one client over a kept-alive loopback
//! connection, each timed from send to the last body byte. Eight warm-up requests are not counted.

use super::client::{agent, login, timed_post};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use serde_json::json;

const DASHBOARDS: [&str; 4] = [
    "healthco-ai-quality",
    "healthco-latency",
    "healthco-agents",
    "healthco-sales",
];

pub fn run(base: &str, options: &Options) -> Vec<Row> {
    let requests = if options.quick { 80 } else { 400 };
    let name = format!("data endpoint p95 ({requests} req, 4 dashboards)");
    match measure(base, requests) {
        Ok(m) => rows(&name, &m),
        Err(e) => vec![Row::failed(name, "ms", Goal::AtMost(50.0), &e)],
    }
}

/// Wall times per request (request `i` went to `DASHBOARDS[i % 4]`), the server's own summed
/// `meta.executionMs` per request, and how many widgets the four dashboards have.
struct Measured {
    samples: Vec<f64>,
    query_ms: Vec<f64>,
    widgets: usize,
}

fn measure(base: &str, requests: usize) -> Result<Measured, String> {
    let agent = agent();
    let token = login(&agent, base, "analyst@healthco.test")?;
    let body = json!({});
    let url = |i: usize| format!("{base}/api/v1/dashboards/{}/data", DASHBOARDS[i % 4]);
    let mut widgets = 0;
    for i in 0..8 {
        let (_, value) = timed_post(&agent, &url(i), &token, &body)?;
        if i < 4 {
            widgets += value["widgets"].as_object().map_or(0, |w| w.len());
        }
    }
    let (mut samples, mut query_ms) = (Vec::new(), Vec::new());
    for i in 0..requests {
        let (ms, value) = timed_post(&agent, &url(i), &token, &body)?;
        let Some(results) = value["widgets"].as_object().filter(|w| !w.is_empty()) else {
            return Err(format!("{} returned no widgets", DASHBOARDS[i % 4]));
        };
        samples.push(ms);
        query_ms.push(
            results
                .values()
                .filter_map(|r| r["meta"]["executionMs"].as_f64())
                .sum(),
        );
    }
    Ok(Measured {
        samples,
        query_ms,
        widgets,
    })
}

/// "ai-quality 12.3, latency 45.6, …": p95 per dashboard.
fn by_dashboard(samples: &[f64]) -> String {
    DASHBOARDS
        .iter()
        .enumerate()
        .map(|(d, id)| {
            let mine: Vec<f64> = samples.iter().skip(d).step_by(4).copied().collect();
            let p95 = summarize(&mine).map_or(f64::NAN, |s| s.p95);
            format!("{} {p95:.1}", id.trim_start_matches("healthco-"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rows(name: &str, m: &Measured) -> Vec<Row> {
    let Some(s) = summarize(&m.samples) else {
        return vec![Row::failed(name, "ms", Goal::AtMost(50.0), "no samples")];
    };
    vec![
        Row::new("data endpoint p50", "ms", Goal::None)
            .ours(s.p50)
            .note(format!(
                "{} requests over {} widgets' queries in 4 dashboards; max {:.1} ms; no peer backend to compare",
                s.n, m.widgets, s.max
            )),
        Row::new(name, "ms", Goal::AtMost(50.0))
            .ours(s.p95)
            .note(format!(
                "p95 by dashboard (ms): {}; the server's own per-widget query times (meta.executionMs) summed per request: p95 {:.1} ms",
                by_dashboard(&m.samples),
                summarize(&m.query_ms).map_or(f64::NAN, |q| q.p95)
            )),
    ]
}
