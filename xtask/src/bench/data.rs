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
        Ok((samples, widgets)) => rows(&name, &samples, widgets),
        Err(e) => vec![Row::failed(name, "ms", Goal::AtMost(50.0), &e)],
    }
}

fn measure(base: &str, requests: usize) -> Result<(Vec<f64>, usize), String> {
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
    let mut samples = Vec::with_capacity(requests);
    for i in 0..requests {
        let (ms, value) = timed_post(&agent, &url(i), &token, &body)?;
        if value["widgets"].as_object().is_none_or(|w| w.is_empty()) {
            return Err(format!("{} returned no widgets", DASHBOARDS[i % 4]));
        }
        samples.push(ms);
    }
    Ok((samples, widgets))
}

fn rows(name: &str, samples: &[f64], widgets: usize) -> Vec<Row> {
    let Some(s) = summarize(samples) else {
        return vec![Row::failed(name, "ms", Goal::AtMost(50.0), "no samples")];
    };
    vec![
        Row::new("data endpoint p50", "ms", Goal::None)
            .ours(s.p50)
            .note(format!(
                "{} requests over {widgets} widgets' queries in 4 dashboards; max {:.1} ms; no peer backend to compare",
                s.n, s.max
            )),
        Row::new(name, "ms", Goal::AtMost(50.0)).ours(s.p95),
    ]
}
