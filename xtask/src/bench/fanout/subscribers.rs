//! The fan-out load tool shared by the `fanout` and `cluster` groups: N live subscribers to the
//! healthco tenant's `metrics` channel (SSE, WebSocket or half each, on loopback), spread round
//! robin over one or more server URLs, every metric message stamped with the wall-clock time its
//! bytes were read (see [`measure`] for how the tool keeps its own cost down).
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
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

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

/// How many threads read the subscribers' sockets (each its own `epoll` set).
const READERS: usize = 2;

/// One connected subscriber, its socket in non-blocking mode.
enum Socket {
    /// The event stream's bytes after the response head (HTTP/1.0: not chunked), and what of
    /// them is not yet a whole event.
    Sse(mio::net::TcpStream, Vec<u8>),
    Ws(Box<tungstenite::WebSocket<mio::net::TcpStream>>),
}

/// A subscriber's raw receipts: each message's text and when its bytes were read. Parsed only
/// after the window, so the reader spends nothing on JSON while messages arrive.
struct Raw {
    texts: Vec<(String, f64)>,
    failed: bool,
}

/// Connects every subscriber (2 ms apart, so the listen backlog never overflows), then runs
/// `during_window(window)` — which must return once the window has passed
/// (`std::thread::sleep` when nothing else is to be done) — and collects the receipts.
///
/// The load tool runs on the same cores as the servers it measures, so it is built to cost as
/// little as it can: the handshakes are made one after another from this thread, then
/// [`READERS`] threads wait on all sockets with `epoll` (mio) and stamp each read with the
/// wall clock; messages are parsed after the window. (Until 2026-12-05 each subscriber was an
/// OS thread that parsed every message as it came: 5,000 thread wake-ups and JSON parses per
/// message, which the cluster run's p95 measured as much as the servers.)
pub fn measure(plan: &Plan<'_>, during_window: impl FnOnce(Duration)) -> Result<Measured, String> {
    // The readers run from the start: a message published while later subscribers connect is
    // stamped when it arrives, not when the last handshake is done.
    let stop = Arc::new(AtomicBool::new(false));
    let mut feeds = Vec::with_capacity(READERS);
    let mut readers = Vec::with_capacity(READERS);
    for _ in 0..READERS {
        let (feed, sockets) = std::sync::mpsc::channel::<(usize, Socket)>();
        let stop = Arc::clone(&stop);
        readers.push(
            std::thread::Builder::new()
                .name("fan-out reader".into())
                .spawn(move || read_all(&sockets, &stop))
                .map_err(|e| format!("cannot spawn a reader: {e}"))?,
        );
        feeds.push(feed);
    }
    let mut transports = Vec::with_capacity(plan.subscribers);
    let mut failed = 0;
    for i in 0..plan.subscribers {
        let transport = match plan.mix {
            Mix::Half if i % 2 == 1 => Transport::Ws,
            _ => Transport::Sse,
        };
        transports.push(transport);
        let base = &plan.bases[i % plan.bases.len()];
        match connect(base, plan.token, transport) {
            Ok(socket) => feeds[i % READERS]
                .send((i, socket))
                .map_err(|_| "a fan-out reader stopped".to_owned())?,
            Err(e) => {
                failed += 1;
                eprintln!("fan-out subscriber {i} failed: {e}");
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(feeds);
    let connected = plan.subscribers - failed;
    println!(
        "fan-out: {connected} of {} subscribers connected; measuring {:?}",
        plan.subscribers, plan.window
    );
    let window_start = now_ms();
    during_window(plan.window);
    let window_end = now_ms();
    stop.store(true, Ordering::SeqCst);
    let mut raws: Vec<Option<Raw>> = (0..plan.subscribers).map(|_| None).collect();
    for reader in readers {
        for (i, raw) in reader
            .join()
            .map_err(|_| "a fan-out reader panicked".to_owned())??
        {
            raws[i] = Some(raw);
        }
    }
    let probe = plan.probe_dataset;
    let subscriptions: Vec<Subscription> = raws
        .into_iter()
        .zip(transports)
        .filter_map(|(raw, transport)| {
            let raw = raw?;
            (!raw.failed).then(|| Subscription {
                transport,
                receipts: raw
                    .texts
                    .iter()
                    .filter_map(|(text, at)| receipt(text, *at, probe))
                    .collect(),
            })
        })
        .collect();
    // A subscriber whose stream broke during the window counts as failed.
    let failed = plan.subscribers - subscriptions.len();
    Ok(Measured {
        subscriptions,
        subscribers: plan.subscribers,
        failed,
        window_start,
        window_end,
    })
}

/// Opens one subscription (blocking), then leaves its socket non-blocking.
fn connect(base: &str, token: &str, transport: Transport) -> Result<Socket, String> {
    let hostport = vantage_conformance::http::host_port(base);
    let stream = TcpStream::connect(&hostport).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    match transport {
        Transport::Sse => {
            let mut stream = stream;
            // HTTP/1.0, so the stream's body is the event stream itself, not chunked.
            write!(
                stream,
                "GET /api/v1/live/sse?channels=metrics&access_token={token} HTTP/1.0\r\nHost: {hostport}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .map_err(|e| format!("SSE request: {e}"))?;
            let mut head = Vec::new();
            let mut chunk = [0u8; 4096];
            let body_at = loop {
                let n = stream
                    .read(&mut chunk)
                    .map_err(|e| format!("SSE response: {e}"))?;
                if n == 0 {
                    return Err("SSE: closed before the response head".into());
                }
                head.extend_from_slice(&chunk[..n]);
                if let Some(p) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    break p + 4;
                }
                if head.len() > 64 * 1024 {
                    return Err("SSE: response head too long".into());
                }
            };
            let status = String::from_utf8_lossy(&head[..head.len().min(20)]).into_owned();
            if !status.contains(" 200") {
                return Err(format!("SSE: answered {status:?}"));
            }
            let rest = head.split_off(body_at);
            stream.set_nonblocking(true).map_err(|e| e.to_string())?;
            Ok(Socket::Sse(mio::net::TcpStream::from_std(stream), rest))
        }
        Transport::Ws => {
            let (mut socket, _) =
                tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream)
                    .map_err(|e| format!("WS handshake: {e}"))?;
            let auth = json!({ "type": "auth", "token": token, "channels": ["metrics"] });
            socket
                .send(tungstenite::Message::Text(auth.to_string().into()))
                .map_err(|e| format!("WS auth: {e}"))?;
            let stream = socket.get_ref();
            stream.set_nonblocking(true).map_err(|e| e.to_string())?;
            let std_stream = stream.try_clone().map_err(|e| e.to_string())?;
            // The handshake read nothing past the 101 head (the server sends only after auth),
            // so a fresh WebSocket over the same socket starts at a frame boundary.
            drop(socket);
            Ok(Socket::Ws(Box::new(
                tungstenite::WebSocket::from_raw_socket(
                    mio::net::TcpStream::from_std(std_stream),
                    tungstenite::protocol::Role::Client,
                    None,
                ),
            )))
        }
    }
}

/// Takes sockets from `sockets` as they connect and waits on them until `stop`, stamping every
/// message read; returns each subscriber's raw receipts by index.
fn read_all(
    sockets: &std::sync::mpsc::Receiver<(usize, Socket)>,
    stop: &AtomicBool,
) -> Result<Vec<(usize, Raw)>, String> {
    use mio::{Events, Interest, Poll, Token};
    let mut poll = Poll::new().map_err(|e| format!("epoll: {e}"))?;
    let mut set: Vec<(usize, Socket)> = Vec::new();
    let mut raws: Vec<Raw> = Vec::new();
    let mut events = Events::with_capacity(1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut feeding = true;
    while !stop.load(Ordering::Relaxed) {
        // New subscribers: registered, then read once (what arrived before registering).
        while feeding {
            match sockets.try_recv() {
                Ok((i, mut socket)) => {
                    let k = set.len();
                    let stream = match &mut socket {
                        Socket::Sse(stream, _) => stream,
                        Socket::Ws(ws) => ws.get_mut(),
                    };
                    poll.registry()
                        .register(stream, Token(k), Interest::READABLE)
                        .map_err(|e| format!("epoll register: {e}"))?;
                    let mut raw = Raw {
                        texts: Vec::new(),
                        failed: false,
                    };
                    // Bytes read with the response head are the first events.
                    if let Socket::Sse(_, pending) = &mut socket {
                        sse_events(pending, &mut raw.texts, now_ms());
                    }
                    set.push((i, socket));
                    raws.push(raw);
                    read_one(&mut set[k], &mut raws[k], &mut chunk);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => feeding = false,
            }
        }
        let wait = Duration::from_millis(if feeding { 5 } else { 100 });
        match poll.poll(&mut events, Some(wait)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("epoll wait: {e}")),
        }
        for event in &events {
            let k = event.token().0;
            read_one(&mut set[k], &mut raws[k], &mut chunk);
        }
    }
    for (_, socket) in &mut set {
        if let Socket::Ws(ws) = socket {
            let _ = ws.close(None);
            let _ = ws.flush();
        }
    }
    Ok(set.into_iter().map(|(i, _)| i).zip(raws).collect())
}

/// Reads everything subscriber `sub` has (edge-triggered: until it would block); a broken
/// stream marks it failed.
fn read_one(sub: &mut (usize, Socket), raw: &mut Raw, chunk: &mut [u8]) {
    if raw.failed {
        return;
    }
    let ok = match &mut sub.1 {
        Socket::Sse(stream, pending) => read_sse(stream, pending, chunk, raw),
        Socket::Ws(ws) => read_ws(ws, raw),
    };
    if let Err(e) = ok {
        eprintln!("fan-out subscriber {} failed: {e}", sub.0);
        raw.failed = true;
    }
}

/// Reads what an SSE socket has; every whole event's `data` is a receipt stamped now.
fn read_sse(
    stream: &mut mio::net::TcpStream,
    pending: &mut Vec<u8>,
    chunk: &mut [u8],
    raw: &mut Raw,
) -> Result<(), String> {
    loop {
        match stream.read(chunk) {
            Ok(0) => return Err("SSE: the server closed the stream".into()),
            Ok(n) => {
                pending.extend_from_slice(&chunk[..n]);
                sse_events(pending, &mut raw.texts, now_ms());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("SSE read: {e}")),
        }
    }
}

/// Moves every whole event (ended by a blank line) out of `pending` into `out` as its joined
/// `data:` lines; comments (`:` keep-alives) and other fields are skipped.
fn sse_events(pending: &mut Vec<u8>, out: &mut Vec<(String, f64)>, at: f64) {
    let mut start = 0;
    while let Some(end) = find_blank_line(&pending[start..]) {
        let event = String::from_utf8_lossy(&pending[start..start + end.0]);
        let mut data = String::new();
        for line in event.lines() {
            if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if !data.is_empty() {
            out.push((data, at));
        }
        start += end.1;
    }
    pending.drain(..start);
}

/// Where the first blank line in `bytes` starts and where the bytes after it begin (lines end
/// in `\n` or `\r\n`). `memchr` does the scanning: it is a dependency, built optimised even in
/// the debug build `cargo xtask` runs, and this runs for every byte 5,000 subscribers read.
fn find_blank_line(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut line_start = 0;
    for p in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[line_start..p];
        if line.is_empty() || line == b"\r" {
            return Some((line_start, p + 1));
        }
        line_start = p + 1;
    }
    None
}

/// Reads every whole WebSocket message the socket has; each text one is a receipt.
fn read_ws(
    ws: &mut tungstenite::WebSocket<mio::net::TcpStream>,
    raw: &mut Raw,
) -> Result<(), String> {
    loop {
        match ws.read() {
            Ok(tungstenite::Message::Text(t)) => raw.texts.push((t.as_str().to_owned(), now_ms())),
            Ok(tungstenite::Message::Close(frame)) => {
                return Err(format!("WS closed by the server: {frame:?}"))
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                // A pong the library queued (after a ping) goes out on the next read or flush.
                let _ = ws.flush();
                return Ok(());
            }
            Err(e) => return Err(format!("WS read: {e}")),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_events_leave_the_buffer_and_a_partial_one_stays() {
        let mut pending = b": keep-alive\n\nid: 1:5\ndata: {\"seq\":5}\n\nid: 1:6\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nid: 1:7\ndata: {\"se".to_vec();
        let mut out = Vec::new();
        sse_events(&mut pending, &mut out, 12.5);
        let texts: Vec<&str> = out.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, [r#"{"seq":5}"#, r#"{"a":1}"#]);
        assert!(out.iter().all(|(_, at)| *at == 12.5));
        assert_eq!(pending, b"id: 1:7\ndata: {\"se");
        pending.extend_from_slice(b"q\":7}\n\n");
        sse_events(&mut pending, &mut out, 13.0);
        assert_eq!(out[2].0, r#"{"seq":7}"#);
        assert!(pending.is_empty());
    }
}
