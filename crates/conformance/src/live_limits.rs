//! Abuse bounds on the live endpoints: an unauthenticated WebSocket cannot send a huge first
//! frame or stay silent for long, and one token cannot hold an unbounded number of streams.
//!
//! The exact caps are the backend's choice; the suite requires an auth deadline of at most
//! [`AUTH_DEADLINE_MAX`], a first frame of 64 KiB to be refused, and a per-token cap below
//! [`TOKEN_CAP_PROBE`] open streams, answered with `429` in the error shape with `Retry-After`.

use crate::http::host_port;
use crate::live::{ws_connect, Socket};
use crate::Ctx;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The longest an unauthenticated WebSocket may stay open.
pub const AUTH_DEADLINE_MAX: Duration = Duration::from_secs(15);
/// Streams opened with one token before a `429` must have been seen.
pub const TOKEN_CAP_PROBE: usize = 64;

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    oversize_first_frame(ctx);
    silent_socket(ctx);
    token_cap(ctx);
}

/// Reads until the server closes (true) or `wait` elapses (false); counts envelopes seen.
fn until_closed(socket: &mut Socket, wait: Duration) -> (bool, usize) {
    let started = Instant::now();
    let mut envelopes = 0;
    while started.elapsed() < wait {
        match socket.read() {
            Ok(tungstenite::Message::Text(t)) if t.contains("\"seq\"") => envelopes += 1,
            Ok(tungstenite::Message::Close(_)) => return (true, envelopes),
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return (true, envelopes),
        }
    }
    (false, envelopes)
}

fn oversize_first_frame(ctx: &mut Ctx) {
    let name = "live ws: a 64 KiB first frame is refused and the socket closed";
    let mut socket = match ws_connect(&ctx.http.base) {
        Ok(s) => s,
        Err(e) => return ctx.check(name, false, || e),
    };
    let huge = format!(
        "{{\"type\":\"auth\",\"token\":\"{}\"}}",
        "x".repeat(64 * 1024)
    );
    // The server may reset the connection while the frame is still being written.
    let _ = socket.send(tungstenite::Message::Text(huge.into()));
    let (closed, envelopes) = until_closed(&mut socket, Duration::from_secs(5));
    ctx.check(name, closed && envelopes == 0, || {
        format!("closed: {closed}, envelopes received: {envelopes}")
    });
}

fn silent_socket(ctx: &mut Ctx) {
    let name = "live ws: a socket that never authenticates is closed within 15 s";
    let mut socket = match ws_connect(&ctx.http.base) {
        Ok(s) => s,
        Err(e) => return ctx.check(name, false, || e),
    };
    let started = Instant::now();
    let (closed, envelopes) = until_closed(&mut socket, AUTH_DEADLINE_MAX);
    ctx.check(name, closed && envelopes == 0, || {
        format!(
            "still open after {:?} (envelopes: {envelopes})",
            started.elapsed()
        )
    });
}

/// Opens an SSE stream on a raw socket and returns it with its status line and head.
fn sse_open(base: &str, token: &str) -> Result<(TcpStream, u16, String), String> {
    let hostport = host_port(base);
    let mut stream = TcpStream::connect(&hostport).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET /api/v1/live/sse?channels=metrics HTTP/1.1\r\nHost: {hostport}\r\n\
         Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => head.push_str(&line),
        }
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status line: {head:?}"))?;
    if status >= 400 {
        // Read the (small) error body so the head check below can see its code.
        let mut body = vec![0u8; 2048];
        let n = reader.read(&mut body).unwrap_or(0);
        head.push_str(&String::from_utf8_lossy(&body[..n]));
    }
    Ok((stream, status, head))
}

fn token_cap(ctx: &mut Ctx) {
    let Some(token) = ctx.token("viewer@innova.test") else {
        return;
    };
    let base = ctx.http.base.clone();
    let mut open = Vec::new();
    let mut refused = None;
    for _ in 0..TOKEN_CAP_PROBE {
        match sse_open(&base, &token) {
            Ok((stream, 200, _)) => open.push(stream),
            Ok((_, status, head)) => {
                refused = Some((status, head));
                break;
            }
            Err(e) => {
                refused = Some((0, e));
                break;
            }
        }
    }
    let held = open.len();
    let shape_ok = refused.as_ref().is_some_and(|(status, head)| {
        let lower = head.to_ascii_lowercase();
        *status == 429 && lower.contains("retry-after:") && lower.contains("\"rate_limited\"")
    });
    ctx.check(
        "live sse: one token cannot hold unbounded streams (429 rate_limited with Retry-After)",
        shape_ok,
        || match &refused {
            Some((status, head)) => format!(
                "after {held} streams: status {status}: {}",
                crate::truncate(head)
            ),
            None => format!("{held} streams open with one token, none refused"),
        },
    );
    for stream in &open {
        let _ = stream.shutdown(std::net::Shutdown::Both);
    }
    drop(open);
    // The server notices closed streams on its next write (at the latest a heartbeat).
    let started = Instant::now();
    let mut reopened = false;
    while !reopened && started.elapsed() < Duration::from_secs(40) {
        reopened = matches!(sse_open(&base, &token), Ok((_, 200, _)));
        if !reopened {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    ctx.check(
        "live sse: closed streams give their places back",
        reopened,
        || "a new stream was still refused 40 s after closing the others".into(),
    );
}
