//! Live fan-out: 1,000 concurrent subscribers on one tenant's stream (half SSE, half WebSocket,
//! read with epoll by two threads, all on loopback) and the time from publish to receipt.
//!
//! The server's envelope carries no publish time, and the metric `ts` is the start of the second
//! being rolled up (the generator publishes after writing that second, so `ts` precedes the
//! publish by the tick phase plus the write). So the fan-out latency of a message is measured per
//! receiver as `received − earliest receipt of the same seq by any of the 1,000 subscribers`.
//! On loopback the earliest receiver gets the message within about a millisecond of the publish,
//! so this is publish→receive minus that first hop: it is exactly the extra delay the fan-out to
//! 1,000 connections adds. `ts → first receipt` is reported separately for reference.
//! Only messages published after every subscriber is connected count. The load tool itself is
//! [`subscribers`] (shared with the `cluster` group's 5,000-subscriber run).

mod peer;
pub mod subscribers;

use super::client::{agent, login};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use std::time::Duration;
use subscribers::{latencies, measure, Measured, Mix, Plan};

const SUBSCRIBERS: usize = 1000;
pub const GOAL_MS: f64 = 100.0;

pub fn run(base: &str, options: &Options) -> Vec<Row> {
    let window = Duration::from_secs(if options.quick { 6 } else { 15 });
    let name = format!("live fan-out p95, {SUBSCRIBERS} subscribers (SSE + WS)");
    let ours = login(&agent(), base, "analyst@healthco.test")
        .and_then(|token| one_server(base, &token, Mix::Half, window));
    let peer = peer::start()
        .and_then(|peer| one_server(&peer.url, "peer", Mix::AllSse, window))
        .map_err(|e| eprintln!("fan-out peer not measured: {e}"))
        .ok();
    match ours {
        Ok(result) => rows(&name, &result, peer.as_ref()),
        Err(e) => vec![Row::failed(name, "ms", Goal::AtMost(GOAL_MS), &e)],
    }
}

/// [`SUBSCRIBERS`] subscribers on `base` for `window`.
fn one_server(base: &str, token: &str, mix: Mix, window: Duration) -> Result<Measured, String> {
    let plan = Plan {
        bases: &[base.to_owned()],
        token,
        subscribers: SUBSCRIBERS,
        mix,
        window,
        probe_dataset: None,
    };
    measure(&plan, std::thread::sleep)
}

fn rows(name: &str, m: &Measured, peer: Option<&Measured>) -> Vec<Row> {
    let l = latencies(m);
    let peer_p95 = peer
        .and_then(|p| summarize(&latencies(p).sse))
        .map(|s| s.p95);
    let Some(total) = summarize(&l.all()) else {
        return vec![Row::failed(
            name,
            "ms",
            Goal::AtMost(GOAL_MS),
            &format!(
                "no metric messages received ({} subscribers failed to connect)",
                m.failed
            ),
        )];
    };
    let mut rows = vec![Row::new(name, "ms", Goal::AtMost(GOAL_MS))
        .ours(total.p95)
        .peer(peer_p95)
        .note(format!(
            "delay behind the earliest of the {SUBSCRIBERS} receivers of each message; p50 {:.1} ms, max {:.1} ms; {} messages, {} of {} deliveries received, {} subscribers failed to connect; peer: www/bench/sse-peer-server.mjs (plain Node http SSE broadcaster, {SUBSCRIBERS} SSE subscribers, same load tool){}",
            total.p50, total.max, l.messages, total.n, l.expected, m.failed,
            if peer_p95.is_some() { "" } else { " — not measured this run" }
        ))];
    for (label, samples) in [("SSE", &l.sse), ("WS", &l.ws)] {
        if let Some(s) = summarize(samples) {
            rows.push(
                Row::new(
                    format!("live fan-out p95, {label} half"),
                    "ms",
                    Goal::AtMost(GOAL_MS),
                )
                .ours(s.p95),
            );
        }
    }
    if let Some(s) = summarize(&l.first_after_ts) {
        rows.push(
            Row::new("live metric ts → first receipt p50", "ms", Goal::None)
                .ours(s.p50)
                .note("includes the generator's tick phase within the second and the SQLite write before publishing; informational"),
        );
    }
    rows
}
