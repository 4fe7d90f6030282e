//! Sustained ingest: the server runs its live generator at `--events-per-sec 10000` on the
//! database that already holds the ≥ 1M demo events; every second the generator writes all three
//! tenants' events (raw rows + per-minute rollup) in one transaction, then publishes one
//! per-second metric rollup per tenant. We subscribe to each tenant's metrics over SSE and count
//! what was actually written and published: rows/s = Σ `total` over the seconds seen ÷ the span
//! of seconds from the first to the last `ts` (a second the generator had to skip because it fell
//! behind counts as zero rows). The first second after subscribing is dropped (it may be partial
//! from our point of view).

use super::client::{agent, login, now_ms};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

const TARGET: f64 = 10_000.0;
const TENANTS: [&str; 3] = ["healthco", "autoinsure", "innova"];

/// Measures a server whose generator runs at `requested` events/s. At the 10,000/s target the
/// row carries the goal; at a higher rate it is an informational ceiling (headroom) row.
/// The `--events-per-sec` that makes the server's generator write `rate` events per second now.
/// Its rate is a daily average: each second it writes the rate times the demo's daily pattern
/// (`events::daily_factor` in the server: 1 + 0.6 · sin(2π (hour − 9) / 24), 0.4 at 03:00 UTC
/// and 1.6 at 15:00), so a run at night asking for 10,000/s measured 4,100.
/// The factor moves while the server starts and the window runs (at 21:00 UTC by 0.026% in the
/// ten seconds, which read as a 3-row/s miss at 9,997), so the rate is asked for with the
/// smallest factor of the next 30 s, rounded up: every second of the window is asked for at
/// least `rate` rows, and at most ≈ 0.1% more.
pub fn generator_rate(rate: u32) -> String {
    let now = now_ms();
    let factor = (0..=30)
        .map(|s| {
            let hours = ((now + f64::from(s) * 1000.0).rem_euclid(86_400_000.0)) / 3_600_000.0;
            1.0 + 0.6 * ((hours - 9.0) / 24.0 * std::f64::consts::TAU).sin()
        })
        .fold(f64::INFINITY, f64::min);
    format!("{:.0}", (f64::from(rate) / factor).ceil())
}

pub fn run(base: &str, options: &Options, requested: u32) -> Vec<Row> {
    let window = Duration::from_secs(if options.quick { 6 } else { 12 });
    let at_target = f64::from(requested) <= TARGET;
    let (name, goal) = if at_target {
        (
            "ingest, rows/s written + published (10,000/s requested)".to_owned(),
            Goal::AtLeast(TARGET),
        )
    } else {
        (
            format!("ingest ceiling, rows/s achieved with {requested}/s requested"),
            Goal::None,
        )
    };
    match measure(base, window) {
        Ok(seconds) => rows(&name, goal, &seconds, at_target),
        Err(e) => vec![Row::failed(name, "rows/s", goal, &e)],
    }
}

/// Per second `ts`: (rows across tenants, tenants seen, latest publish lag in ms).
type Seconds = BTreeMap<i64, (u64, usize, f64)>;

fn measure(base: &str, window: Duration) -> Result<Seconds, String> {
    let handles: Vec<_> = TENANTS
        .iter()
        .map(|tenant| {
            let base = base.to_owned();
            let email = format!("analyst@{tenant}.test");
            std::thread::spawn(move || subscribe(&base, &email, window))
        })
        .collect();
    let mut seconds = Seconds::new();
    for handle in handles {
        let received = handle
            .join()
            .map_err(|_| "an ingest subscriber panicked".to_owned())??;
        for (ts, total, lag) in received {
            let entry = seconds.entry(ts).or_insert((0, 0, 0.0));
            entry.0 += total;
            entry.1 += 1;
            entry.2 = entry.2.max(lag);
        }
    }
    // Drop the first second (possibly seen by only some subscribers) and any second not seen by
    // all three (the window's edges).
    if let Some(first) = seconds.keys().next().copied() {
        seconds.remove(&first);
    }
    seconds.retain(|_, (_, tenants, _)| *tenants == TENANTS.len());
    Ok(seconds)
}

/// Reads one tenant's metric messages for `window`: (ts, total, receipt − ts in ms).
fn subscribe(base: &str, email: &str, window: Duration) -> Result<Vec<(i64, u64, f64)>, String> {
    let token = login(&agent(), base, email)?;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_millis(500))
        .build();
    let resp = agent
        .get(&format!(
            "{base}/api/v1/live/sse?channels=metrics&access_token={token}"
        ))
        .call()
        .map_err(|e| format!("SSE {email}: {e}"))?;
    let mut reader = BufReader::new(resp.into_reader());
    let started = Instant::now();
    let (mut out, mut line) = (Vec::new(), String::new());
    while started.elapsed() < window {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(e) => return Err(format!("SSE {email}: {e}")),
        }
        let Some(data) = line.trim_end().strip_prefix("data:") else {
            continue;
        };
        let v: Value = serde_json::from_str(data.trim()).unwrap_or(Value::Null);
        if v["kind"] != "metric" {
            continue;
        }
        if let (Some(ts), Some(total)) = (v["data"]["ts"].as_i64(), v["data"]["total"].as_u64()) {
            out.push((ts, total, now_ms() - ts as f64));
        }
    }
    Ok(out)
}

fn rows(name: &str, goal: Goal, seconds: &Seconds, with_lag: bool) -> Vec<Row> {
    let (Some(first), Some(last)) = (seconds.keys().next(), seconds.keys().last()) else {
        return vec![Row::failed(
            name,
            "rows/s",
            goal,
            "no complete second of metric messages received",
        )];
    };
    let span = ((last - first) / 1000 + 1) as f64;
    let rows_total: u64 = seconds.values().map(|(n, ..)| n).sum();
    let lags: Vec<f64> = seconds.values().map(|(.., lag)| *lag).collect();
    let lag = summarize(&lags);
    let rate = Row::new(name, "rows/s", goal)
            .ours(rows_total as f64 / span)
            .note(format!(
                "{rows_total} rows in {} of {span} seconds published (skipped seconds count as 0); no peer",
                seconds.len()
            ));
    if !with_lag {
        return vec![rate];
    }
    vec![
        rate,
        Row::new("ingest: second's start → its rollup received, p95", "ms", Goal::None)
            .ours(lag.map_or(f64::NAN, |s| s.p95))
            .note("= the generator's tick phase in the second (0–1000 ms, fixed per run) + writing that second + delivery; growing values mean the writer falls behind"),
    ]
}
