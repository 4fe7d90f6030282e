//! Dashboard data endpoint: `POST /api/v1/dashboards/{id}/data` for the four healthco demo
//! dashboards, round-robin, one request at a time from one client over a kept-alive loopback
//! connection, each timed from send to the last body byte. Eight warm-up requests are not counted.
//! Each request is paired with the same request as a browser sends it (`Accept-Encoding: br,
//! gzip`; which goes first alternates), so the third row is what compression costs the server
//! and saves on the wire.

use super::client::{agent, login, timed_post, timed_post_brotli};
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
    /// The same requests asked with `Accept-Encoding: br, gzip`, and their bytes (wire, decoded).
    brotli: Vec<f64>,
    wire_bytes: usize,
    decoded_bytes: usize,
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
    let (mut samples, mut query_ms, mut brotli) = (Vec::new(), Vec::new(), Vec::new());
    let (mut wire_bytes, mut decoded_bytes) = (0, 0);
    for i in 0..requests {
        // Which of the pair goes first alternates, so neither gets the other's warm caches.
        let compressed_first = i % 2 == 1;
        let early = if compressed_first {
            Some(timed_post_brotli(&agent, &url(i), &token, &body)?)
        } else {
            None
        };
        let (ms, value) = timed_post(&agent, &url(i), &token, &body)?;
        let Some(results) = value["widgets"].as_object().filter(|w| !w.is_empty()) else {
            return Err(format!("{} returned no widgets", DASHBOARDS[i % 4]));
        };
        let (compressed_ms, sizes, again) = match early {
            Some(answer) => answer,
            None => timed_post_brotli(&agent, &url(i), &token, &body)?,
        };
        if again["widgets"].as_object().map(serde_json::Map::len) != Some(results.len()) {
            return Err(format!(
                "{}: the compressed answer has other widgets than the plain one",
                DASHBOARDS[i % 4]
            ));
        }
        brotli.push(compressed_ms);
        wire_bytes += sizes.wire;
        decoded_bytes += sizes.decoded;
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
        brotli,
        wire_bytes,
        decoded_bytes,
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
        compressed_row(m, s.p95),
    ]
}

/// The same requests as a browser asks for them, beside the plain ones as the peer: the cost
/// of brotli at the server's fastest level, and the bytes it saves.
fn compressed_row(m: &Measured, plain_p95: f64) -> Row {
    let name = "data endpoint p95, brotli (as a browser asks)";
    let Some(c) = summarize(&m.brotli) else {
        return Row::failed(name, "ms", Goal::AtMost(50.0), "no samples");
    };
    let n = m.brotli.len().max(1) as f64;
    Row::new(name, "ms", Goal::AtMost(50.0))
        .ours(c.p95)
        .peer(Some(plain_p95))
        .note(format!(
            "peer = the same requests without Accept-Encoding, paired with these (alternating which goes first); p50 {:.1} ms; \
             {:.0} bytes on the wire per answer on average vs {:.0} decoded ({:.1}%)",
            c.p50,
            m.wire_bytes as f64 / n,
            m.decoded_bytes as f64 / n,
            100.0 * m.wire_bytes as f64 / m.decoded_bytes.max(1) as f64
        ))
}
