//! HTTP ingest throughput: what a tenant's own services can push through
//! `POST /api/v1/datasets/{id}/events`. We create a fresh dataset (time, two string
//! dimensions, two measures) and an ingest key, then send batches of 1,000 JSON rows for a fixed
//! window from one client and then from four clients at once (each on its own connection),
//! counting only rows the server acknowledged (`accepted`). rows/s = accepted rows ÷ wall time
//! of the window. Every batch is validated, written in one transaction and published as a live
//! rollup, exactly as for any caller. A third row times ingest → live: 50 batches sent one at a
//! time, each from sending it to an SSE subscriber reading its rollup. The dataset is deleted
//! afterwards.

use super::client::{agent, epoch_ms, login};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BATCH: usize = 1_000;
const LIVE_NAME: &str = "HTTP ingest → rollup on a live subscriber's stream, p95";
const GOAL: f64 = 100_000.0;

/// Batch `n` of a client as JSON bytes: 1,000 rows a millisecond apart, starting at `first` +
/// n seconds. Every batch carries new timestamps, as a producer's events do: re-sending the same
/// few bodies (what this bench did until 2026-12-05) lands each row beside its earlier copies in
/// the time index, so every commit rewrote hundreds of index pages (see BENCHMARKS.md).
/// Written as text directly so building it costs the client ≈ 0.1 ms, not a `Value` tree.
fn batch(first: i64, n: usize) -> Vec<u8> {
    use std::fmt::Write;
    let regions = ["north", "south", "east", "west"];
    let products = ["basic", "plus", "premium", "family", "enterprise"];
    let mut out = String::with_capacity(BATCH * 90);
    out.push('[');
    for i in 0..BATCH {
        let k = n * BATCH + i;
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"ts":{},"region":"{}","product":"{}","amount":{},"qty":{}}}"#,
            first + k as i64,
            regions[k % 4],
            products[k % 5],
            (k % 997) as f64 * 0.25,
            (k % 7) + 1
        );
    }
    out.push(']');
    out.into_bytes()
}

/// A fresh ingest dataset in the healthco tenant and a key for it: (admin token, dataset id, key).
pub(super) fn setup(base: &str) -> Result<(String, String, String), String> {
    let a = agent();
    let admin = login(&a, base, "admin@healthco.test")?;
    let id = format!("bench_ingest_{}", epoch_ms());
    let def = json!({ "id": id, "name": "Ingest benchmark", "timeField": "ts", "retentionDays": 7,
        "fields": [
            { "name": "ts", "type": "time" }, { "name": "region", "type": "string" }, { "name": "product", "type": "string" },
            { "name": "amount", "type": "number", "role": "measure", "unit": "USD" },
            { "name": "qty", "type": "number", "role": "measure", "format": "integer" }
        ] });
    a.post(&format!("{base}/api/v1/datasets"))
        .set("Authorization", &format!("Bearer {admin}"))
        .send_json(def)
        .map_err(|e| format!("create dataset: {e}"))?;
    let key: Value = a
        .post(&format!("{base}/api/v1/ingest-keys"))
        .set("Authorization", &format!("Bearer {admin}"))
        .send_json(json!({ "name": "bench", "datasets": [id] }))
        .map_err(|e| format!("create key: {e}"))?
        .into_json()
        .map_err(|e| format!("create key: {e}"))?;
    let secret = key["secret"].as_str().ok_or("no secret")?.to_owned();
    Ok((admin, id, secret))
}

/// Sends batches for `window`; returns (rows accepted, per-batch latencies in ms).
fn client(
    base: &str,
    id: &str,
    key: &str,
    window: Duration,
    seed: usize,
) -> Result<(u64, Vec<f64>), String> {
    let a = agent();
    let url = format!("{base}/api/v1/datasets/{id}/events");
    // Each client its own stretch of the last day (six hours apart): in time order within a
    // client, interleaved between clients, never in the future or past the retention.
    let first = epoch_ms() - 86_400_000 + seed as i64 * 6 * 3_600_000;
    let started = Instant::now();
    let (mut rows, mut lat) = (0, Vec::new());
    let mut n = 0;
    while started.elapsed() < window {
        let t = Instant::now();
        let resp: Value = a
            .post(&url)
            .set("Authorization", &format!("Bearer {key}"))
            .set("Content-Type", "application/json")
            .send_bytes(&batch(first, n))
            .map_err(|e| format!("POST events: {e}"))?
            .into_json()
            .map_err(|e| format!("POST events: {e}"))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        rows += resp["accepted"]
            .as_u64()
            .ok_or_else(|| format!("unexpected answer {resp}"))?;
        n += 1;
    }
    Ok((rows, lat))
}

fn measure(
    base: &str,
    id: &str,
    key: &str,
    clients: usize,
    window: Duration,
) -> Result<(f64, Vec<f64>), String> {
    let started = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (base, id, key) = (base.to_owned(), id.to_owned(), key.to_owned());
            std::thread::spawn(move || client(&base, &id, &key, window, c))
        })
        .collect();
    let (mut rows, mut lat) = (0, Vec::new());
    for h in handles {
        let (r, l) = h
            .join()
            .map_err(|_| "an ingest client panicked".to_owned())??;
        rows += r;
        lat.extend(l);
    }
    Ok((rows as f64 / started.elapsed().as_secs_f64(), lat))
}

/// The two rows (one client, four clients).
pub fn run(base: &str, options: &Options) -> Vec<Row> {
    let window = Duration::from_secs(if options.quick { 3 } else { 10 });
    let names = [
        (1, "HTTP ingest, rows/s (batches of 1,000, 1 client)"),
        (4, "HTTP ingest, rows/s (batches of 1,000, 4 clients)"),
    ];
    let (admin, id, key) = match setup(base) {
        Ok(s) => s,
        Err(e) => {
            return names
                .iter()
                .map(|(_, n)| Row::failed(*n, "rows/s", Goal::AtLeast(GOAL), &e))
                .collect()
        }
    };
    let mut rows: Vec<Row> = names
        .iter()
        .map(|(clients, name)| match measure(base, &id, &key, *clients, window) {
            Ok((rate, lat)) => {
                let s = summarize(&lat);
                Row::new(*name, "rows/s", Goal::AtLeast(GOAL)).ours(rate).note(format!(
                    "{window:?} window; per-batch latency p50 {:.1} ms, p95 {:.1} ms ({} batches); JSON, validated, one transaction per batch, live rollup published",
                    s.as_ref().map_or(0.0, |s| s.p50),
                    s.as_ref().map_or(0.0, |s| s.p95),
                    lat.len()
                ))
            }
            Err(e) => Row::failed(*name, "rows/s", Goal::AtLeast(GOAL), &e),
        })
        .collect();
    rows.push(match to_live(base, &id, &key) {
        Ok(lat) => match summarize(&lat) {
            Some(s) => Row::new(LIVE_NAME, "ms", Goal::None).ours(s.p95).note(format!(
                "{} batches of 1,000 sent one at a time, 100 ms apart, to a dataset an analyst watches over SSE (channel metrics); from sending the request to reading its rollup message: p50 {:.1} ms, max {:.1} ms; no peer",
                s.n, s.p50, s.max
            )),
            None => Row::failed(LIVE_NAME, "ms", Goal::None, "no rollup received"),
        },
        Err(e) => Row::failed(LIVE_NAME, "ms", Goal::None, &e),
    });
    let _ = agent()
        .delete(&format!("{base}/api/v1/datasets/{id}"))
        .set("Authorization", &format!("Bearer {admin}"))
        .call();
    rows
}

/// Ingest → live: an analyst subscribes to the tenant's `metrics` channel over SSE; batches are
/// sent one at a time and each is timed from sending it to reading the rollup message for this
/// dataset (the server publishes it right after the batch's transaction commits).
fn to_live(base: &str, id: &str, key: &str) -> Result<Vec<f64>, String> {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    let token = login(&agent(), base, "analyst@healthco.test")?;
    let sse = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_secs(20))
        .build()
        .get(&format!(
            "{base}/api/v1/live/sse?channels=metrics&access_token={token}"
        ))
        .call()
        .map_err(|e| format!("SSE: {e}"))?;
    let (tx, rx) = mpsc::channel::<Instant>();
    let dataset = id.to_owned();
    // The reader stamps every rollup of this dataset as it arrives; it ends with the stream.
    std::thread::spawn(move || {
        let mut reader = BufReader::new(sse.into_reader());
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(data) = line.trim_end().strip_prefix("data:") {
                let v: Value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
                if v["kind"] == "metric" && v["data"]["dataset"] == dataset.as_str() {
                    let _ = tx.send(Instant::now());
                }
            }
            line.clear();
        }
    });
    // Give the subscription a moment to be registered before the first batch.
    std::thread::sleep(Duration::from_millis(300));
    let a = agent();
    let url = format!("{base}/api/v1/datasets/{id}/events");
    let mut lat = Vec::new();
    for n in 0..50 {
        let body = batch(epoch_ms() - BATCH as i64 - n as i64 * BATCH as i64, n);
        let sent = Instant::now();
        a.post(&url)
            .set("Authorization", &format!("Bearer {key}"))
            .set("Content-Type", "application/json")
            .send_bytes(&body)
            .map_err(|e| format!("POST events: {e}"))?;
        let seen = rx
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| format!("batch {n}: no rollup within 5 s"))?;
        lat.push(seen.duration_since(sent).as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(lat)
}
