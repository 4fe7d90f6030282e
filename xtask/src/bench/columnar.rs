//! The data endpoints with the columnar body (`application/vnd.vantage.columnar`) against the
//! JSON body, same requests: the four healthco dashboards' data and one large query (10,000
//! one-minute buckets × 3 measures). Requests alternate JSON / columnar over one kept-alive
//! loopback connection so both see the same machine load; each is timed from send until the
//! body is decoded into the contract's types (`serde_json` for JSON, the columnar decoder for
//! the binary body), which is what a client waits for. Bytes are one answer of each, raw and
//! brotli (quality 11, as a CDN or the server's precompression would send it).

use std::io::Read;
use std::time::Instant;

use serde_json::{json, Value};
use vantage_contract::{columnar, DashboardData, QueryResult};

use super::client::{agent, login};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use crate::artifacts::compress::brotli;

const DASHBOARDS: [&str; 4] = [
    "healthco-ai-quality",
    "healthco-latency",
    "healthco-agents",
    "healthco-sales",
];

/// One request of the mix: a path and its body.
struct Request {
    path: String,
    body: Value,
}

fn requests() -> Vec<Request> {
    let mut all: Vec<Request> = DASHBOARDS
        .iter()
        .map(|d| Request {
            path: format!("/api/v1/dashboards/{d}/data"),
            body: json!({}),
        })
        .collect();
    all.push(Request {
        path: "/api/v1/query".into(),
        body: json!({ "dataset": "validations", "granularity": "1m", "limit": 10_000,
            "measures": [{ "field": "*", "agg": "count" }, { "field": "latency_ms", "agg": "p95" },
                         { "field": "confidence", "agg": "avg" }],
            "timeRange": { "preset": "last7d" }, "sort": [{ "field": "time", "dir": "asc" }] }),
    });
    all
}

pub fn run(base: &str, options: &Options) -> Vec<Row> {
    let rounds = if options.quick { 16 } else { 80 };
    let name = "data endpoints p95, columnar body ÷ JSON body";
    match measure(base, rounds) {
        Ok(m) => m.rows(name),
        Err(e) => vec![Row::failed(name, "ms", Goal::RatioAtMost(0.5), &e)],
    }
}

#[derive(Default)]
struct Measured {
    json_ms: Vec<f64>,
    columnar_ms: Vec<f64>,
    /// Over one answer of each request: JSON raw, JSON brotli, columnar raw, columnar brotli.
    bytes: [usize; 4],
    /// The large query alone, raw and brotli: JSON, then columnar.
    large_bytes: [usize; 4],
    large_json_ms: Vec<f64>,
    large_columnar_ms: Vec<f64>,
}

/// POSTs `body` asking for JSON or the columnar body; returns the wall time to a decoded
/// answer and the raw body.
fn timed(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    body: &Value,
    binary: bool,
) -> Result<(f64, Vec<u8>), String> {
    let started = Instant::now();
    let mut req = agent
        .post(url)
        .set("Authorization", &format!("Bearer {token}"));
    if binary {
        req = req.set("Accept", columnar::MEDIA_TYPE);
    }
    let resp = req
        .send_json(body.clone())
        .map_err(|e| format!("POST {url}: {e}"))?;
    let is_binary = resp.content_type() == columnar::MEDIA_TYPE;
    if is_binary != binary {
        return Err(format!(
            "POST {url}: answered {} (asked for binary: {binary})",
            resp.content_type()
        ));
    }
    let mut bytes = Vec::new();
    resp.into_reader()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("POST {url}: {e}"))?;
    let dashboard = url.ends_with("/data");
    let decoded = match (binary, dashboard) {
        (true, true) => columnar::decode_dashboard_data(&bytes)
            .map(drop)
            .map_err(|e| e.to_string()),
        (true, false) => columnar::decode_result(&bytes)
            .map(drop)
            .map_err(|e| e.to_string()),
        (false, true) => serde_json::from_slice::<DashboardData>(&bytes)
            .map(drop)
            .map_err(|e| e.to_string()),
        (false, false) => serde_json::from_slice::<QueryResult>(&bytes)
            .map(drop)
            .map_err(|e| e.to_string()),
    };
    decoded.map_err(|e| format!("POST {url}: cannot decode the answer: {e}"))?;
    Ok((started.elapsed().as_secs_f64() * 1000.0, bytes))
}

fn measure(base: &str, rounds: usize) -> Result<Measured, String> {
    let agent = agent();
    let token = login(&agent, base, "analyst@healthco.test")?;
    let requests = requests();
    let mut m = Measured::default();
    let large = requests.len() - 1;
    for (i, r) in requests.iter().enumerate() {
        let url = format!("{base}{}", r.path);
        // Warm-up, and the bytes of one answer of each.
        let (_, json_body) = timed(&agent, &url, &token, &r.body, false)?;
        let (_, binary_body) = timed(&agent, &url, &token, &r.body, true)?;
        let sizes = [
            json_body.len(),
            brotli(&json_body)?.len(),
            binary_body.len(),
            brotli(&binary_body)?.len(),
        ];
        for (total, size) in m.bytes.iter_mut().zip(sizes) {
            *total += size;
        }
        if i == large {
            m.large_bytes = sizes;
        }
    }
    for round in 0..rounds {
        for (i, r) in requests.iter().enumerate() {
            let url = format!("{base}{}", r.path);
            // Alternate which goes first, so neither always follows the other.
            for binary in [round % 2 == 0, round % 2 == 1] {
                let (ms, _) = timed(&agent, &url, &token, &r.body, binary)?;
                let (all, large_only) = match binary {
                    true => (&mut m.columnar_ms, &mut m.large_columnar_ms),
                    false => (&mut m.json_ms, &mut m.large_json_ms),
                };
                all.push(ms);
                if i == large {
                    large_only.push(ms);
                }
            }
        }
    }
    Ok(m)
}

impl Measured {
    fn rows(&self, name: &str) -> Vec<Row> {
        let (Some(c), Some(j)) = (summarize(&self.columnar_ms), summarize(&self.json_ms)) else {
            return vec![Row::failed(
                name,
                "ms",
                Goal::RatioAtMost(0.5),
                "no samples",
            )];
        };
        let large = summarize(&self.large_columnar_ms).zip(summarize(&self.large_json_ms));
        let kb = |b: usize| b as f64 / 1024.0;
        let [jr, jb, cr, cb] = self.bytes;
        let [ljr, ljb, lcr, lcb] = self.large_bytes;
        let mut rows = vec![
            Row::new(name, "ms", Goal::RatioAtMost(0.5))
                .ours(c.p95)
                .peer(Some(j.p95))
                .note(format!(
                    "{} requests each (4 dashboards + a 10,000-row query), timed from send to the answer decoded into the contract's types; p50 {:.2} vs {:.2} ms",
                    c.n, c.p50, j.p50
                )),
            Row::new("data answers' bytes, columnar ÷ JSON, raw", "KB", Goal::None)
                .ours(kb(cr))
                .peer(Some(kb(jr)))
                .note("one answer of each of the 5 requests, summed"),
            Row::new("data answers' bytes, columnar ÷ JSON, brotli", "KB", Goal::None)
                .ours(kb(cb))
                .peer(Some(kb(jb)))
                .note(format!(
                    "brotli quality 11; the 10,000-row query alone: raw {:.0} vs {:.0} KB, brotli {:.0} vs {:.0} KB",
                    kb(lcr), kb(ljr), kb(lcb), kb(ljb)
                )),
        ];
        if let Some((lc, lj)) = large {
            rows.push(
                Row::new(
                    "10,000-row query p95, columnar ÷ JSON",
                    "ms",
                    Goal::RatioAtMost(0.5),
                )
                .ours(lc.p95)
                .peer(Some(lj.p95))
                .note(format!("p50 {:.2} vs {:.2} ms", lc.p50, lj.p50)),
            );
        }
        rows
    }
}
