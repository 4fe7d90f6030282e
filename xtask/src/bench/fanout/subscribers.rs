//! The fan-out load tool shared by the `fanout` and `cluster` groups: N live subscribers to the
//! healthco tenant's `metrics` channel (SSE, WebSocket or half each; one OS thread each, on
//! loopback), spread round robin over one or more server URLs, each stamping every metric
//! message it receives with the wall-clock time.
//!
//! Two latencies come out of the receipts ([`latencies`]):
//! - **behind the earliest receiver**: the envelope carries no publish time, so per receiver
//!   `received − earliest receipt of the same seq by any subscriber` — the delay the fan-out
//!   itself adds;
//! - **from ingest** (when [`Plan::probe_dataset`] is set): the caller sends one-row ingest
//!   batches whose `amount` is the epoch-ms time the request was sent; the batch's live rollup
//!   carries it back as `sums.amount`, so `received − sent` is ingest → each subscriber, through
//!   the write, the bus and the fan-out.
//!
//! Only messages first received inside the measuring window (all subscribers connected) count.

use super::super::client::now_ms;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One metric message as one subscriber saw it.
#[derive(Clone, Copy)]
pub struct Receipt {
    seq: u64,
    ts: f64,
    at: f64,
    /// The probe's send time, for a rollup of [`Plan::probe_dataset`].
    sent: Option<f64>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Transport {
    Sse,
    Ws,
}

/// Which transports the subscribers use.
#[derive(Clone, Copy)]
pub enum Mix {
    /// Even subscribers SSE, odd ones WebSocket.
    Half,
    /// All SSE (the Node peer has no WebSocket server).
    AllSse,
}

/// What to measure.
pub struct Plan<'a> {
    /// Subscriber `i` connects to `bases[i % bases.len()]`.
    pub bases: &'a [String],
    pub token: &'a str,
    pub subscribers: usize,
    pub mix: Mix,
    pub window: Duration,
    /// A dataset whose rollups carry their ingest send time in `sums.amount`.
    pub probe_dataset: Option<&'a str>,
}

/// One subscriber's receipts.
pub struct Subscription {
    pub transport: Transport,
    pub receipts: Vec<Receipt>,
}

pub struct Measured {
    pub subscriptions: Vec<Subscription>,
    pub subscribers: usize,
    pub failed: usize,
    window_start: f64,
    window_end: f64,
}

/// What the subscriber threads share.
struct Shared {
    token: String,
    probe: Option<String>,
    connected: AtomicUsize,
    failed: AtomicUsize,
    stop: AtomicBool,
}

/// Connects every subscriber (2 ms apart), then runs `during_window(window)` — which must
/// return once the window has passed (`std::thread::sleep` when nothing else is to be done) —
/// and collects the receipts.
pub fn measure(plan: &Plan<'_>, during_window: impl FnOnce(Duration)) -> Result<Measured, String> {
    let shared = Arc::new(Shared {
        token: plan.token.to_owned(),
        probe: plan.probe_dataset.map(str::to_owned),
        connected: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    let mut handles = Vec::with_capacity(plan.subscribers);
    for i in 0..plan.subscribers {
        let transport = match plan.mix {
            Mix::Half if i % 2 == 1 => Transport::Ws,
            _ => Transport::Sse,
        };
        let base = plan.bases[i % plan.bases.len()].clone();
        let shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name(format!("sub-{i}"))
            .stack_size(256 * 1024)
            .spawn(move || Subscription {
                transport,
                receipts: subscribe(&shared, &base, transport),
            })
            .map_err(|e| format!("cannot spawn subscriber {i}: {e}"))?;
        handles.push(handle);
        // Connect gradually so the listen backlog never overflows.
        std::thread::sleep(Duration::from_millis(2));
    }
    let waited = Instant::now();
    let settled = || {
        shared.connected.load(Ordering::SeqCst) + shared.failed.load(Ordering::SeqCst)
            >= plan.subscribers
    };
    while !settled() && waited.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let connected = shared.connected.load(Ordering::SeqCst);
    println!(
        "fan-out: {connected} of {} subscribers connected; measuring {:?}",
        plan.subscribers, plan.window
    );
    let window_start = now_ms();
    during_window(plan.window);
    let window_end = now_ms();
    shared.stop.store(true, Ordering::SeqCst);
    let subscriptions = handles.into_iter().filter_map(|h| h.join().ok()).collect();
    Ok(Measured {
        subscriptions,
        subscribers: plan.subscribers,
        failed: plan.subscribers - connected,
        window_start,
        window_end,
    })
}

fn subscribe(shared: &Shared, base: &str, transport: Transport) -> Vec<Receipt> {
    let result = match transport {
        Transport::Sse => sse(shared, base),
        Transport::Ws => ws(shared, base),
    };
    result.unwrap_or_else(|e| {
        shared.failed.fetch_add(1, Ordering::SeqCst);
        eprintln!("fan-out subscriber failed: {e}");
        Vec::new()
    })
}

/// A metric message's receipt, from its JSON text, stamped with `at`.
fn receipt(text: &str, at: f64, probe: Option<&str>) -> Option<Receipt> {
    let v: Value = serde_json::from_str(text).ok()?;
    (v["kind"] == "metric").then_some(())?;
    let data = &v["data"];
    let sent = probe
        .filter(|p| data["dataset"] == *p)
        .and_then(|_| data["sums"]["amount"].as_f64());
    Some(Receipt {
        seq: v["seq"].as_u64()?,
        ts: data["ts"].as_f64()?,
        at,
        sent,
    })
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn sse(shared: &Shared, base: &str) -> Result<Vec<Receipt>, String> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_millis(500))
        .build();
    let url = format!(
        "{base}/api/v1/live/sse?channels=metrics&access_token={}",
        shared.token
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
            out.extend(receipt(&data, now_ms(), shared.probe.as_deref()));
            data.clear();
        }
    }
    Ok(out)
}

fn ws(shared: &Shared, base: &str) -> Result<Vec<Receipt>, String> {
    let hostport = base
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
            Ok(tungstenite::Message::Text(t)) => {
                out.extend(receipt(&t, now_ms(), shared.probe.as_deref()))
            }
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

/// The latencies in ms of one run (see the module docs).
pub struct Latencies {
    /// Behind the earliest receiver, SSE subscribers.
    pub sse: Vec<f64>,
    /// Behind the earliest receiver, WebSocket subscribers.
    pub ws: Vec<f64>,
    /// Metric `ts` → earliest receipt, per message.
    pub first_after_ts: Vec<f64>,
    /// Ingest request sent → received, per probe receipt.
    pub from_ingest: Vec<f64>,
    /// Ingest request sent → earliest receipt, per probe message (write + bus, no fan-out).
    pub ingest_to_first: Vec<f64>,
    /// Messages counted, and the deliveries expected for them.
    pub messages: usize,
    pub expected: usize,
    /// Probe messages counted.
    pub probes: usize,
}

impl Latencies {
    /// Behind the earliest receiver, both transports.
    pub fn all(&self) -> Vec<f64> {
        self.sse.iter().chain(&self.ws).copied().collect()
    }
}

pub fn latencies(m: &Measured) -> Latencies {
    let mut earliest: HashMap<u64, (f64, f64)> = HashMap::new();
    for r in m.subscriptions.iter().flat_map(|s| &s.receipts) {
        let e = earliest.entry(r.seq).or_insert((r.at, r.ts));
        e.0 = e.0.min(r.at);
    }
    // Only messages first received once everyone was connected, and early enough that slow
    // receivers still had a second to get them before the subscribers stopped.
    let counted = |at: f64| at >= m.window_start && at <= m.window_end - 1000.0;
    earliest.retain(|_, (at, _)| counted(*at));
    let connected = m.subscribers - m.failed;
    let mut out = Latencies {
        sse: Vec::new(),
        ws: Vec::new(),
        first_after_ts: earliest.values().map(|(at, ts)| at - ts).collect(),
        from_ingest: Vec::new(),
        ingest_to_first: Vec::new(),
        messages: earliest.len(),
        expected: earliest.len() * connected,
        probes: 0,
    };
    let mut probes = HashMap::new();
    for s in &m.subscriptions {
        for r in &s.receipts {
            let Some((first, _)) = earliest.get(&r.seq) else {
                continue;
            };
            match s.transport {
                Transport::Sse => out.sse.push(r.at - first),
                Transport::Ws => out.ws.push(r.at - first),
            }
            if let Some(sent) = r.sent {
                out.from_ingest.push(r.at - sent);
                probes.insert(r.seq, first - sent);
            }
        }
    }
    out.probes = probes.len();
    out.ingest_to_first = probes.into_values().collect();
    out
}
