//! Live fan-out: 1,000 concurrent subscribers on one tenant's stream (half SSE, half WebSocket,
//! one OS thread each, all on loopback) and the time from publish to receipt.
//!
//! The server's envelope carries no publish time, and the metric `ts` is the start of the second
//! being rolled up (the generator publishes after writing that second, so `ts` precedes the
//! publish by the tick phase plus the write). So the fan-out latency of a message is measured per
//! receiver as `received − earliest receipt of the same seq by any of the 1,000 subscribers`.
//! On loopback the earliest receiver gets the message within about a millisecond of the publish,
//! so this is publish→receive minus that first hop: it is exactly the extra delay the fan-out to
//! 1,000 connections adds. `ts → first receipt` is reported separately for reference.
//! Only messages published after every subscriber is connected count.

mod peer;

use super::client::{agent, login, now_ms};
use super::report::{Goal, Row};
use super::stats::summarize;
use super::Options;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const SUBSCRIBERS: usize = 1000;
const GOAL_MS: f64 = 100.0;

/// One metric message as one subscriber saw it.
#[derive(Clone, Copy)]
struct Receipt {
    seq: u64,
    ts: f64,
    at: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Transport {
    Sse,
    Ws,
}

/// What the subscriber threads share.
struct Shared {
    base: String,
    token: String,
    connected: AtomicUsize,
    failed: AtomicUsize,
    stop: AtomicBool,
}

pub fn run(base: &str, options: &Options) -> Vec<Row> {
    let window = Duration::from_secs(if options.quick { 6 } else { 15 });
    let name = format!("live fan-out p95, {SUBSCRIBERS} subscribers (SSE + WS)");
    let ours = login(&agent(), base, "analyst@healthco.test")
        .and_then(|token| measure(base, &token, Mix::Half, window));
    let peer = peer::start()
        .and_then(|peer| measure(&peer.url, "peer", Mix::AllSse, window))
        .map_err(|e| eprintln!("fan-out peer not measured: {e}"))
        .ok();
    match ours {
        Ok(result) => rows(&name, &result, peer.as_ref()),
        Err(e) => vec![Row::failed(name, "ms", Goal::AtMost(GOAL_MS), &e)],
    }
}

/// Which transports the subscribers use.
#[derive(Clone, Copy)]
enum Mix {
    /// Even subscribers SSE, odd ones WebSocket (ours).
    Half,
    /// All SSE (the Node peer has no WebSocket server).
    AllSse,
}

struct Measured {
    by_transport: Vec<(Transport, Vec<Receipt>)>,
    failed: usize,
    window_start: f64,
    window_end: f64,
}

fn measure(base: &str, token: &str, mix: Mix, window: Duration) -> Result<Measured, String> {
    let shared = Arc::new(Shared {
        base: base.to_owned(),
        token: token.to_owned(),
        connected: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    let mut handles = Vec::with_capacity(SUBSCRIBERS);
    for i in 0..SUBSCRIBERS {
        let transport = match mix {
            Mix::Half if i % 2 == 1 => Transport::Ws,
            _ => Transport::Sse,
        };
        let shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name(format!("sub-{i}"))
            .stack_size(256 * 1024)
            .spawn(move || (transport, subscribe(&shared, transport)))
            .map_err(|e| format!("cannot spawn subscriber {i}: {e}"))?;
        handles.push(handle);
        // Connect gradually so the listen backlog never overflows.
        std::thread::sleep(Duration::from_millis(2));
    }
    let waited = Instant::now();
    while shared.connected.load(Ordering::SeqCst) + shared.failed.load(Ordering::SeqCst)
        < SUBSCRIBERS
        && waited.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let connected = shared.connected.load(Ordering::SeqCst);
    println!("fan-out: {connected} of {SUBSCRIBERS} subscribers connected; measuring {window:?}");
    let window_start = now_ms();
    std::thread::sleep(window);
    let window_end = now_ms();
    shared.stop.store(true, Ordering::SeqCst);
    let by_transport = join(handles);
    Ok(Measured {
        by_transport,
        failed: SUBSCRIBERS - connected,
        window_start,
        window_end,
    })
}

fn join(handles: Vec<JoinHandle<(Transport, Vec<Receipt>)>>) -> Vec<(Transport, Vec<Receipt>)> {
    handles.into_iter().filter_map(|h| h.join().ok()).collect()
}

fn subscribe(shared: &Shared, transport: Transport) -> Vec<Receipt> {
    let result = match transport {
        Transport::Sse => sse(shared),
        Transport::Ws => ws(shared),
    };
    result.unwrap_or_else(|e| {
        shared.failed.fetch_add(1, Ordering::SeqCst);
        eprintln!("fan-out subscriber failed: {e}");
        Vec::new()
    })
}

/// A metric message's receipt, from its JSON text, stamped with `at`.
fn receipt(text: &str, at: f64) -> Option<Receipt> {
    let v: Value = serde_json::from_str(text).ok()?;
    (v["kind"] == "metric").then_some(())?;
    Some(Receipt {
        seq: v["seq"].as_u64()?,
        ts: v["data"]["ts"].as_f64()?,
        at,
    })
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn sse(shared: &Shared) -> Result<Vec<Receipt>, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_millis(500))
        .build();
    let url = format!(
        "{}/api/v1/live/sse?channels=metrics&access_token={}",
        shared.base, shared.token
    );
    let resp = agent
        .get(&url)
        .set("Accept", "text/event-stream")
        .call()
        .map_err(|e| format!("SSE: {e}"))?;
    shared.connected.fetch_add(1, Ordering::SeqCst);
    let mut reader = BufReader::new(resp.into_reader());
    let (mut out, mut line, mut data) = (Vec::new(), String::new(), String::new());
    while !shared.stop.load(Ordering::Relaxed) {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if timed_out(&e) => continue,
            Err(e) => return Err(format!("SSE read: {e}")),
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if let Some(v) = l.strip_prefix("data:") {
            data.push_str(v.trim_start());
        } else if l.is_empty() && !data.is_empty() {
            out.extend(receipt(&data, now_ms()));
            data.clear();
        }
    }
    Ok(out)
}

fn ws(shared: &Shared) -> Result<Vec<Receipt>, String> {
    let hostport = shared
        .base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let stream = TcpStream::connect(&hostport).map_err(|e| format!("WS connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    let (mut socket, _) = tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream)
        .map_err(|e| format!("WS handshake: {e}"))?;
    let auth = json!({ "type": "auth", "token": shared.token, "channels": ["metrics"] });
    socket
        .send(tungstenite::Message::Text(auth.to_string().into()))
        .map_err(|e| format!("WS auth: {e}"))?;
    shared.connected.fetch_add(1, Ordering::SeqCst);
    let mut out = Vec::new();
    while !shared.stop.load(Ordering::Relaxed) {
        match socket.read() {
            Ok(tungstenite::Message::Text(t)) => out.extend(receipt(&t, now_ms())),
            Ok(tungstenite::Message::Close(frame)) => {
                return Err(format!("WS closed by the server: {frame:?}"))
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if timed_out(&e) => {}
            Err(e) => return Err(format!("WS read: {e}")),
        }
    }
    let _ = socket.close(None);
    Ok(out)
}

/// Per-receiver delay behind the earliest receipt of the same seq, split by transport.
struct Latencies {
    sse: Vec<f64>,
    ws: Vec<f64>,
    first_after_ts: Vec<f64>,
    messages: usize,
    expected: usize,
}

fn latencies(m: &Measured) -> Latencies {
    let mut earliest: HashMap<u64, (f64, f64)> = HashMap::new();
    for (_, receipts) in &m.by_transport {
        for r in receipts {
            let e = earliest.entry(r.seq).or_insert((r.at, r.ts));
            e.0 = e.0.min(r.at);
        }
    }
    // Only messages published once everyone was connected, and early enough that slow
    // receivers still had a second to get them before the subscribers stopped.
    earliest.retain(|_, (at, _)| *at >= m.window_start && *at <= m.window_end - 1000.0);
    let mut out = Latencies {
        sse: Vec::new(),
        ws: Vec::new(),
        first_after_ts: earliest.values().map(|(at, ts)| at - ts).collect(),
        messages: earliest.len(),
        expected: earliest.len() * (SUBSCRIBERS - m.failed),
    };
    for (transport, receipts) in &m.by_transport {
        for r in receipts {
            if let Some((first, _)) = earliest.get(&r.seq) {
                let target = match transport {
                    Transport::Sse => &mut out.sse,
                    Transport::Ws => &mut out.ws,
                };
                target.push(r.at - first);
            }
        }
    }
    out
}

fn rows(name: &str, m: &Measured, peer: Option<&Measured>) -> Vec<Row> {
    let l = latencies(m);
    let peer_p95 = peer
        .and_then(|p| summarize(&latencies(p).sse))
        .map(|s| s.p95);
    let all: Vec<f64> = l.sse.iter().chain(&l.ws).copied().collect();
    let Some(total) = summarize(&all) else {
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
