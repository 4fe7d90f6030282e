//! `cluster-fanout`: live fan-out to 5,000 subscribers spread over two replicas.
//!
//! A local cluster (`crate::cluster`: PostgreSQL, Redis as the live bus, two replicas with a
//! small demo and the generator at 200 events/s; HAProxy in front but not on this path) and the
//! `fanout` group's subscribers (half SSE, half WebSocket), connected **directly to the
//! replicas**, alternately — 2,500 each. Not through HAProxy: its generated configuration caps
//! connections at 4,096, and going direct measures what the bus and the replicas add.
//!
//! While they listen, one-row ingest batches are sent every 250 ms, alternately to each replica,
//! each carrying its send time; every subscriber's receipt of that batch's rollup gives
//! **ingest → subscriber** (write in PostgreSQL, publish to the Redis stream, each replica's read
//! of it, fan-out), the row against the goal. The delay behind the earliest receiver of each
//! message (the `fanout` group's figure, all metric messages) is reported too.

use super::super::client::{agent, login, now_ms};
use super::super::fanout::subscribers::{latencies, measure, Mix, Plan};
use super::super::fanout::GOAL_MS;
use super::super::report::{Goal, Row};
use super::super::stats::summarize;
use super::super::{http_ingest, unthrottled, Options};
use crate::cluster::{self, ClusterOptions};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const SUBSCRIBERS: usize = 5_000;
const PROBE_EVERY: Duration = Duration::from_millis(250);

pub fn run(binary: &Path, options: &Options) -> Vec<Row> {
    let name = format!(
        "cluster live fan-out p95, ingest → each of {SUBSCRIBERS} subscribers on 2 replicas"
    );
    match measure_cluster(binary, options, &name) {
        Ok(rows) => rows,
        Err(e) => vec![Row::failed(name, "ms", Goal::AtMost(GOAL_MS), &e)],
    }
}

fn measure_cluster(binary: &Path, options: &Options, name: &str) -> Result<Vec<Row>, String> {
    check_open_files()?;
    let mut server_args = unthrottled();
    server_args.extend(
        [
            "--demo-days",
            "3",
            "--demo-events",
            "60000",
            "--events-per-sec",
            "200",
        ]
        .map(String::from),
    );
    let cluster = cluster::start(ClusterOptions {
        binary,
        addr: "127.0.0.1:0".into(),
        server_args,
    })?;
    let bases: Vec<String> = cluster.replicas.iter().map(|r| r.url.clone()).collect();
    let token = login(&agent(), &cluster.url, "analyst@healthco.test")?;
    let (_, dataset, key) = http_ingest::setup(&cluster.url)?;
    let plan = Plan {
        bases: &bases,
        token: &token,
        subscribers: SUBSCRIBERS,
        mix: Mix::Half,
        window: Duration::from_secs(if options.quick { 10 } else { 30 }),
        probe_dataset: Some(&dataset),
    };
    let mut sent = (0, 0);
    let m = measure(&plan, |window| sent = probe(&bases, &dataset, &key, window))?;
    let l = latencies(&m);
    let Some(total) = summarize(&l.from_ingest) else {
        return Err(format!(
            "no probe rollup received ({} probes sent, {} failed; {} subscribers failed to connect)",
            sent.0, sent.1, m.failed
        ));
    };
    let behind = summarize(&l.all());
    let first = summarize(&l.ingest_to_first).map_or(f64::NAN, |f| f.p50);
    let mut rows = vec![Row::new(name, "ms", Goal::AtMost(GOAL_MS))
        .ours(total.p95)
        .note(format!(
            "from sending a one-row ingest batch (every {} ms, alternately to each replica) to each subscriber reading its rollup: p50 {:.1} ms, max {:.1} ms; to the earliest subscriber (write + bus, no fan-out) p50 {first:.1} ms; {} probes counted ({} sent, {} failed), {} receipts; {} of {SUBSCRIBERS} subscribers connected (half SSE, half WS, directly to the replicas, 2,500 each); PostgreSQL + Redis bus; no peer",
            PROBE_EVERY.as_millis(), total.p50, total.max, l.probes, sent.0, sent.1, total.n,
            SUBSCRIBERS - m.failed
        ))];
    if let Some(b) = behind {
        rows.push(
            Row::new(
                format!("cluster live fan-out p95, behind the earliest of {SUBSCRIBERS} receivers"),
                "ms",
                Goal::AtMost(GOAL_MS),
            )
            .ours(b.p95)
            .note(format!(
                "the `fanout` group's measure over every metric message (generator + probes): p50 {:.1} ms, max {:.1} ms; {} messages, {} of {} deliveries received",
                b.p50, b.max, l.messages, b.n, l.expected
            )),
        );
    }
    Ok(rows)
}

/// Sends one-row batches whose `amount` is their send time (epoch ms) until `window` has
/// passed, alternately to each replica; returns (sent, failed).
fn probe(bases: &[String], dataset: &str, key: &str, window: Duration) -> (usize, usize) {
    let a = agent();
    let started = Instant::now();
    let (mut sent, mut failed) = (0, 0);
    while started.elapsed() < window {
        let base = &bases[sent % bases.len()];
        let at = now_ms();
        let row = json!([{ "ts": at as i64, "region": "north", "product": "basic", "amount": at, "qty": 1 }]);
        let ok = a
            .post(&format!("{base}/api/v1/datasets/{dataset}/events"))
            .set("Authorization", &format!("Bearer {key}"))
            .send_json(row)
            .is_ok();
        sent += 1;
        if !ok {
            failed += 1;
        }
        let next = PROBE_EVERY * u32::try_from(sent).unwrap_or(u32::MAX);
        std::thread::sleep(next.saturating_sub(started.elapsed()));
    }
    (sent, failed)
}

/// Each subscriber holds one socket in this process (the replicas, which inherit the limit,
/// hold half each): fail early with a clear message when the open-file limit is too low.
fn check_open_files() -> Result<(), String> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse::<usize>().ok());
    match soft {
        Some(n) if n < SUBSCRIBERS + 512 => Err(format!(
            "the open-file limit is {n}; {SUBSCRIBERS} subscribers need about {}: raise it (`ulimit -n 20000`) and run again",
            SUBSCRIBERS + 512
        )),
        _ => Ok(()),
    }
}
