//! Live checks: SSE and WebSocket delivery within 3 s, exact resume, reset on a foreign epoch,
//! auth failures, and tenant isolation on the stream.

use crate::{truncate, Ctx};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One received message: its SSE id (or cursor) and the envelope.
pub(crate) type Received = Vec<(String, Value)>;

fn is_system(v: &Value) -> bool {
    v["kind"] == "heartbeat" || v["kind"] == "reset"
}

/// Reads SSE events until `want` non-heartbeat events arrived or `wait` elapsed.
fn sse_read(
    base: &str,
    query: &str,
    last_event_id: Option<&str>,
    want: usize,
    wait: Duration,
) -> Result<(Received, Duration), String> {
    sse_collect(base, query, last_event_id, wait, |out| {
        out.iter().filter(|(_, v)| !is_system(v)).count() >= want
    })
}

/// Reads SSE events until `done` holds for those received or `wait` elapsed; also how long
/// the first one took.
pub(crate) fn sse_collect(
    base: &str,
    query: &str,
    last_event_id: Option<&str>,
    wait: Duration,
    done: impl Fn(&Received) -> bool,
) -> Result<(Received, Duration), String> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_millis(500))
        .build();
    let mut req = agent
        .get(&format!("{base}/api/v1/live/sse?{query}"))
        .set("Accept", "text/event-stream");
    if let Some(id) = last_event_id {
        req = req.set("Last-Event-ID", id);
    }
    let started = Instant::now();
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            return Err(format!(
                "status {code}: {}",
                truncate(&r.into_string().unwrap_or_default())
            ))
        }
        Err(e) => return Err(e.to_string()),
    };
    if !resp.content_type().starts_with("text/event-stream") {
        return Err(format!("content type {}", resp.content_type()));
    }
    let mut reader = BufReader::new(resp.into_reader());
    let (mut out, mut id, mut data, mut first_at) =
        (Vec::new(), String::new(), String::new(), None);
    let mut line = String::new();
    while !done(&out) && started.elapsed() < wait {
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
            Err(_) => break,
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if let Some(v) = l.strip_prefix("id:") {
            id = v.trim().to_owned();
        } else if let Some(v) = l.strip_prefix("data:") {
            data.push_str(v.trim_start());
        } else if l.is_empty() && !data.is_empty() {
            let v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            first_at.get_or_insert_with(|| started.elapsed());
            out.push((std::mem::take(&mut id), v));
            data.clear();
        }
    }
    Ok((out, first_at.unwrap_or(started.elapsed())))
}

fn seqs(msgs: &Received) -> Vec<u64> {
    msgs.iter()
        .filter(|(_, v)| !is_system(v))
        .filter_map(|(_, v)| v["seq"].as_u64())
        .collect()
}

fn consecutive_from(seqs: &[u64], start: u64) -> bool {
    !seqs.is_empty() && seqs.iter().enumerate().all(|(i, s)| *s == start + i as u64)
}

fn envelope_ok(v: &Value) -> bool {
    v["epoch"].is_u64()
        && v["seq"].is_u64()
        && v["channel"].is_string()
        && v["kind"].is_string()
        && !v["data"].is_null()
}

fn metric_ok(v: &Value) -> bool {
    let d = &v["data"];
    v["kind"] == "metric"
        && d["ts"].is_i64()
        && d["total"].is_u64()
        && d["valid"].is_u64()
        && d["invalid"].is_u64()
        && d["avgLatencyMs"].is_number()
        && d["p95LatencyMs"].is_number()
}

pub fn sse(ctx: &mut Ctx) {
    let Some(token) = ctx.token("analyst@healthco.test") else {
        return;
    };
    let base = ctx.http.base.clone();
    let q = format!("access_token={token}");
    let first = sse_read(&base, &q, None, 3, Duration::from_secs(8));
    let Ok((msgs, first_after)) = first else {
        ctx.check("SSE stream opens", false, || format!("{first:?}"));
        return;
    };
    let metric = msgs.iter().find(|(_, v)| v["kind"] == "metric");
    ctx.check(
        "SSE delivers a metric message within 3 s",
        metric.is_some() && first_after <= Duration::from_secs(3),
        || format!("after {first_after:?}: {msgs:?}"),
    );
    ctx.check(
        "SSE messages use the live envelope and id epoch:seq",
        msgs.iter()
            .all(|(id, v)| envelope_ok(v) && *id == format!("{}:{}", v["epoch"], v["seq"])),
        || format!("{msgs:?}"),
    );
    ctx.check(
        "metric messages carry per-second rollups",
        metric.is_some_and(|(_, v)| metric_ok(v)),
        || format!("{metric:?}"),
    );
    let s = seqs(&msgs);
    ctx.check(
        "SSE seq strictly increases",
        s.windows(2).all(|w| w[1] > w[0]),
        || format!("{s:?}"),
    );
    if msgs.len() < 3 {
        return;
    }
    let (cursor, first_env) = msgs[0].clone();
    std::thread::sleep(Duration::from_millis(1500));
    let start = first_env["seq"].as_u64().unwrap_or(0) + 1;
    let resumed = sse_read(&base, &q, Some(&cursor), 4, Duration::from_secs(8));
    let ok = resumed.as_ref().is_ok_and(|(m, _)| {
        let s = seqs(m);
        consecutive_from(&s, start)
            && m.iter()
                .filter(|(_, v)| !is_system(v))
                .take(2)
                .map(|(_, v)| v)
                .eq(msgs[1..3].iter().map(|(_, v)| v))
    });
    ctx.check(
        "SSE resume with Last-Event-ID replays exactly the missed messages",
        ok,
        || format!("{:?}", resumed.map(|(m, _)| seqs(&m))),
    );
    let resumed = sse_read(
        &base,
        &format!("{q}&since={cursor}"),
        None,
        3,
        Duration::from_secs(8),
    );
    let ok = resumed
        .as_ref()
        .is_ok_and(|(m, _)| consecutive_from(&seqs(m), start));
    ctx.check(
        "SSE resume with ?since= replays exactly the missed messages",
        ok,
        || format!("{:?}", resumed.map(|(m, _)| seqs(&m))),
    );
    let reset = sse_read(&base, &q, Some("1:1"), 1, Duration::from_secs(5));
    let ok = reset
        .as_ref()
        .is_ok_and(|(m, _)| m.first().is_some_and(|(_, v)| v["kind"] == "reset"));
    ctx.check(
        "SSE resume from a foreign epoch starts with reset",
        ok,
        || format!("{reset:?}").chars().take(300).collect(),
    );
    let r = sse_read(
        &base,
        "access_token=garbage",
        None,
        1,
        Duration::from_secs(3),
    );
    ctx.check(
        "SSE with a bad token → 401",
        r.as_ref().is_err_and(|e| e.starts_with("status 401")),
        || format!("{r:?}").chars().take(300).collect(),
    );
    let r = sse_read(
        &base,
        &format!("{q}&channels=nope"),
        None,
        1,
        Duration::from_secs(3),
    );
    ctx.check(
        "SSE with an unknown channel → 4xx",
        r.as_ref().is_err_and(|e| e.starts_with("status 4")),
        || format!("{r:?}").chars().take(300).collect(),
    );
    let r = sse_read(
        &base,
        &format!("{q}&channels=metrics"),
        None,
        3,
        Duration::from_secs(8),
    );
    ctx.check(
        "SSE channel filter delivers only that channel",
        r.as_ref().is_ok_and(|(m, _)| {
            !m.is_empty()
                && m.iter()
                    .filter(|(_, v)| !is_system(v))
                    .all(|(_, v)| v["channel"] == "metrics")
        }),
        || format!("{r:?}").chars().take(300).collect(),
    );
}

pub(crate) type Socket = tungstenite::WebSocket<TcpStream>;

/// Opens a WebSocket to the live endpoint (reads time out after 500 ms so callers can poll).
pub(crate) fn ws_connect(base: &str) -> Result<Socket, String> {
    let hostport = crate::http::host_port(base);
    let stream = TcpStream::connect(&hostport).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    let (socket, _) = tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream)
        .map_err(|e| e.to_string())?;
    Ok(socket)
}

/// Sends the auth message and reads until `want` non-heartbeat messages or `wait`.
fn ws_read(
    base: &str,
    auth: &Value,
    want: usize,
    wait: Duration,
) -> Result<(Vec<Value>, Option<u16>), String> {
    let mut socket = ws_connect(base)?;
    socket
        .send(tungstenite::Message::Text(auth.to_string().into()))
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut out: Vec<Value> = Vec::new();
    let mut close = None;
    while out
        .iter()
        .filter(|v| v["seq"].is_u64() && !is_system(v))
        .count()
        < want
        && started.elapsed() < wait
    {
        match socket.read() {
            Ok(tungstenite::Message::Text(t)) => {
                out.push(serde_json::from_str(&t).unwrap_or(Value::Null))
            }
            Ok(tungstenite::Message::Close(frame)) => {
                close = Some(frame.map_or(1005, |f| u16::from(f.code)));
                break;
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = socket.close(None);
    Ok((out, close))
}

pub fn ws(ctx: &mut Ctx) {
    let Some(token) = ctx.token("viewer@healthco.test") else {
        return;
    };
    let base = ctx.http.base.clone();
    let started = Instant::now();
    let r = ws_read(
        &base,
        &json!({ "type": "auth", "token": token, "channels": [] }),
        3,
        Duration::from_secs(8),
    );
    let Ok((msgs, _)) = r else {
        ctx.check("WebSocket connects", false, || format!("{r:?}"));
        return;
    };
    let metric = msgs.iter().any(metric_ok);
    ctx.check(
        "WebSocket delivers a metric message within 3 s",
        metric && started.elapsed() <= Duration::from_secs(4),
        || format!("{msgs:?}").chars().take(300).collect(),
    );
    ctx.check(
        "WebSocket messages use the live envelope",
        !msgs.is_empty() && msgs.iter().all(envelope_ok),
        || format!("{msgs:?}").chars().take(300).collect(),
    );
    let real: Vec<&Value> = msgs.iter().filter(|v| !is_system(v)).collect();
    if real.len() >= 3 {
        let cursor = format!("{}:{}", real[0]["epoch"], real[0]["seq"]);
        let start = real[0]["seq"].as_u64().unwrap_or(0) + 1;
        std::thread::sleep(Duration::from_millis(1200));
        let r = ws_read(
            &base,
            &json!({ "type": "auth", "token": token, "channels": [], "since": cursor }),
            3,
            Duration::from_secs(8),
        );
        let ok = r.as_ref().is_ok_and(|(m, _)| {
            let s: Vec<u64> = m
                .iter()
                .filter(|v| !is_system(v))
                .filter_map(|v| v["seq"].as_u64())
                .collect();
            consecutive_from(&s, start)
                && m.iter()
                    .filter(|v| !is_system(v))
                    .take(2)
                    .eq(real[1..3].iter().copied())
        });
        ctx.check(
            "WebSocket resume with since replays exactly the missed messages",
            ok,
            || format!("{r:?}").chars().take(300).collect(),
        );
    }
    let r = ws_read(
        &base,
        &json!({ "type": "auth", "token": "garbage" }),
        1,
        Duration::from_secs(3),
    );
    let rejected = r.as_ref().is_ok_and(|(m, close)| {
        m.iter().all(|v| v["error"]["code"].is_string())
            && close.is_some_and(|c| c >= 4000 || c == 1008)
    });
    ctx.check(
        "WebSocket with a bad token gets an error and is closed",
        rejected,
        || format!("{r:?}").chars().take(300).collect(),
    );
    let r = ws_read(&base, &json!({ "hello": 1 }), 1, Duration::from_secs(3));
    let rejected = r
        .as_ref()
        .is_ok_and(|(m, close)| m.iter().all(|v| v["error"].is_object()) && close.is_some());
    ctx.check(
        "WebSocket without an auth message is closed",
        rejected,
        || format!("{r:?}").chars().take(300).collect(),
    );
}

pub fn isolation(ctx: &mut Ctx) {
    let (Some(healthco), Some(autoinsure)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("admin@autoinsure.test"),
    ) else {
        return;
    };
    let base = ctx.http.base.clone();
    let handle = {
        let base = base.clone();
        let q = format!("access_token={healthco}&channels=dashboards");
        std::thread::spawn(move || sse_read(&base, &q, None, 1, Duration::from_secs(4)))
    };
    let ws_handle = {
        let base = base.clone();
        let auth = json!({ "type": "auth", "token": healthco, "channels": ["dashboards"] });
        std::thread::spawn(move || ws_read(&base, &auth, 1, Duration::from_secs(4)))
    };
    std::thread::sleep(Duration::from_millis(700));
    let body = json!({ "name": "Isolation probe", "widgets": [] });
    let created = ctx
        .http
        .post("/api/v1/dashboards", Some(&autoinsure), &body);
    let id = created
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let _ = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&autoinsure),
        None,
        &[],
    );
    let sse = handle
        .join()
        .unwrap_or_else(|_| Err("thread panicked".into()));
    let leaked = sse.as_ref().map_or(true, |(m, _)| {
        m.iter().any(|(_, v)| v.to_string().contains(&id))
    });
    ctx.check(
        "isolation: another tenant's dashboard changes never reach SSE",
        !id.is_empty() && !leaked,
        || format!("{sse:?}").chars().take(300).collect(),
    );
    let ws = ws_handle
        .join()
        .unwrap_or_else(|_| Err("thread panicked".into()));
    let leaked = ws
        .as_ref()
        .map_or(true, |(m, _)| m.iter().any(|v| v.to_string().contains(&id)));
    ctx.check(
        "isolation: another tenant's dashboard changes never reach WebSocket",
        !id.is_empty() && !leaked,
        || format!("{ws:?}").chars().take(300).collect(),
    );
    let own = {
        let base = base.clone();
        let q = format!("access_token={autoinsure}&channels=dashboards");
        std::thread::spawn(move || sse_read(&base, &q, None, 1, Duration::from_secs(4)))
    };
    std::thread::sleep(Duration::from_millis(700));
    let created = ctx
        .http
        .post("/api/v1/dashboards", Some(&autoinsure), &body);
    let id = created
        .ok()
        .and_then(|r| r.body["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let _ = ctx.http.call(
        "DELETE",
        &format!("/api/v1/dashboards/{id}"),
        Some(&autoinsure),
        None,
        &[],
    );
    let r = own.join().unwrap_or_else(|_| Err("thread panicked".into()));
    let seen = r.as_ref().is_ok_and(|(m, _)| {
        m.iter()
            .any(|(_, v)| v["kind"] == "dashboardChanged" && v.to_string().contains(&id))
    });
    ctx.check("the owning tenant receives dashboardChanged", seen, || {
        format!("{r:?}").chars().take(300).collect()
    });
}
