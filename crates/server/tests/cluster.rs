//! Several replicas on one shared live bus (`--bus-url`): a real `redis-server` child on a free
//! loopback port and real server processes sharing one SQLite file. Each test skips with a
//! message when `redis-server` is not installed (`cargo xtask setup` installs it).

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `redis-server` child without persistence (a restart loses everything, like a crash).
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    /// `None` (and a message) when Redis is not installed.
    fn available() -> bool {
        let ok = Path::new(REDIS).exists();
        if !ok {
            eprintln!("SKIPPED: {REDIS} is not installed (run `cargo xtask setup`)");
        }
        ok
    }

    fn start(port: u16) -> Redis {
        let child = Command::new(REDIS)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Redis { child, port }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Runs an inline command and returns the first line of its answer.
    fn command(&self, line: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        let mut answer = String::new();
        BufReader::new(s).read_line(&mut answer).unwrap();
        answer.trim_end().to_owned()
    }

    /// `GET key` over the inline protocol.
    fn get(&self, key: &str) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.write_all(format!("GET {key}\r\n").as_bytes()).unwrap();
        let mut reader = BufReader::new(s);
        let mut head = String::new();
        reader.read_line(&mut head).unwrap();
        if head.starts_with("$-1") {
            return None;
        }
        let mut value = String::new();
        reader.read_line(&mut value).unwrap();
        Some(value.trim_end().to_owned())
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server replica with `--bus-url` on a shared database file.
struct Replica {
    child: Child,
    base: String,
}

/// Starts replicas together (each one's first line read after all were spawned).
fn replicas(db: &Path, bus_url: &str, n: usize) -> Vec<Replica> {
    let children: Vec<Child> = (0..n).map(|_| spawn(db, bus_url)).collect();
    children
        .into_iter()
        .map(|mut child| {
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let base = line
                .trim()
                .strip_prefix("vantage-server listening on ")
                .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
                .to_owned();
            Replica { child, base }
        })
        .collect()
}

fn spawn(db: &Path, bus_url: &str) -> Child {
    let pid = std::process::id().to_string();
    Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args(["--db", db.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .args(["--parent-pid", &pid, "--bus-url", bus_url, "--demo"])
        .args(["--demo-days", "1", "--demo-events", "3000"])
        .args(["--events-per-sec", "60", "--heartbeat-secs", "1"])
        .args(["--alert-interval-secs", "1"])
        .env("VANTAGE_JWT_SECRET", common::TEST_JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

impl Replica {
    fn agent() -> ureq::Agent {
        ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(8))
            .build()
    }

    /// `(status, JSON body)` of a GET.
    fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = Self::agent().get(&format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        match req.call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                (r.status(), r.into_json().unwrap_or_default())
            }
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// `(status, JSON body)` of a POST.
    fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let req = Self::agent()
            .post(&format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {token}"));
        match req.send_json(body) {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                (r.status(), r.into_json().unwrap_or_default())
            }
            Err(e) => panic!("POST {path}: {e}"),
        }
    }

    /// The alerts the rule `id` raised (every status).
    fn alerts_of(&self, token: &str, id: &str) -> Vec<Value> {
        let (status, body) = self.get("/api/v1/alerts?limit=500", Some(token));
        assert_eq!(status, 200, "{body}");
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"] == id)
            .cloned()
            .collect()
    }

    fn token(&self, email: &str) -> String {
        let r: Value = Self::agent()
            .post(&format!("{}/api/v1/auth/login", self.base))
            .send_json(serde_json::json!({ "email": email, "password": "vantage-demo" }))
            .unwrap()
            .into_json()
            .unwrap();
        r["accessToken"].as_str().unwrap().to_owned()
    }

    /// Opens the SSE stream (all channels), resuming after `since`.
    fn sse(&self, token: &str, since: Option<&str>) -> Result<Events, (u16, Value)> {
        let mut url = format!("{}/api/v1/live/sse?access_token={token}", self.base);
        if let Some(s) = since {
            url.push_str(&format!("&since={s}"));
        }
        match Self::agent().get(&url).call() {
            Ok(r) => Ok(Events {
                lines: Box::new(BufReader::new(r.into_reader())),
            }),
            Err(ureq::Error::Status(status, r)) => Err((status, r.into_json().unwrap_or_default())),
            Err(e) => panic!("SSE: {e}"),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An SSE response read event by event.
struct Events {
    lines: Box<dyn BufRead>,
}

impl Events {
    /// The next envelope, or `None` when the stream ends (or stalls past the read timeout).
    fn next(&mut self) -> Option<Value> {
        loop {
            let mut line = String::new();
            match self.lines.read_line(&mut line) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            if let Some(data) = line.strip_prefix("data:") {
                return Some(serde_json::from_str(data.trim()).unwrap());
            }
        }
    }

    /// The next `n` envelopes that are not heartbeats.
    fn take(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::new();
        while out.len() < n {
            let m = self.next().expect("the stream ended early");
            if m["kind"] != "heartbeat" {
                out.push(m);
            }
        }
        out
    }
}

fn cursor(m: &Value) -> String {
    format!("{}:{}", m["epoch"], m["seq"])
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn shared_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("vantage.db");
    (dir, db)
}

#[test]
fn a_malformed_bus_url_stops_start_up_naming_the_flag() {
    let (_dir, db) = shared_db();
    let out = Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args(["--db", db.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .args(["--demo", "--bus-url", "http://127.0.0.1:6379"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--bus-url"), "{stderr}");
    assert!(out.stdout.is_empty(), "it must not start listening");
}

#[test]
fn replicas_share_one_ordered_stream_and_a_client_resumes_on_the_other_one() {
    if !Redis::available() {
        return;
    }
    let redis = Redis::start(free_port());
    let (_dir, db) = shared_db();
    // Started together on one empty file: one migrates and seeds, the other waits.
    let reps = replicas(&db, &redis.url(), 2);
    let (a, b) = (&reps[0], &reps[1]);
    let epoch = a.get("/api/v1/health", None).1["epoch"].clone();
    assert!(epoch.as_u64().is_some_and(|e| e > 0), "{epoch}");
    assert_eq!(b.get("/api/v1/health", None).1["epoch"], epoch);
    let token = a.token("analyst@healthco.test");
    assert_eq!(b.get("/api/v1/dashboards", Some(&token)).0, 200);

    let first = a.sse(&token, None).unwrap().take(4);
    let seqs: Vec<u64> = first.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    // The generator runs on one replica only: one `validations` rollup per second.
    let mut seconds: Vec<i64> = first
        .iter()
        .filter(|m| m["kind"] == "metric" && m["data"]["dataset"] == "validations")
        .map(|m| m["data"]["ts"].as_i64().unwrap())
        .collect();
    let n = seconds.len();
    seconds.dedup();
    assert_eq!(seconds.len(), n, "two replicas generated the same second");

    // Messages go on while the client is away; it comes back on the other replica.
    let last = first.last().unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    let resumed = b.sse(&token, Some(&cursor(last))).unwrap().take(4);
    let next: Vec<u64> = resumed.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=4).map(|i| last["seq"].as_u64().unwrap() + i).collect();
    assert_eq!(
        next, expected,
        "resumed on the other replica: no gap, no duplicate"
    );
    assert!(resumed.iter().all(|m| m["epoch"] == epoch));

    let reset = b.sse(&token, Some("1:1")).unwrap().next().unwrap();
    assert_eq!(reset["kind"], "reset", "another epoch is a reset: {reset}");
    // Messages no longer kept (the stream trimmed past the cursor): a reset, not a gap.
    let trimmed = redis.command("XTRIM vantage:live:healthco:stream MAXLEN 1");
    assert!(trimmed.starts_with(':') && trimmed != ":0", "{trimmed}");
    assert!(redis_len(&redis) <= 3);
    let old = a.sse(&token, Some(&cursor(last))).unwrap().next().unwrap();
    assert_eq!(old["kind"], "reset", "{old}");
    assert_eq!(old["data"]["reason"], "cursor too old");

    // Signing out on one replica ends the session's stream on the other.
    let mut open = b.sse(&token, None).unwrap();
    open.take(1);
    let out = Replica::agent()
        .post(&format!("{}/api/v1/auth/logout", a.base))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(out.status(), 204);
    let signed_out = Instant::now();
    while open.next().is_some() {
        assert!(
            signed_out.elapsed() < Duration::from_secs(5),
            "the other replica's stream did not end"
        );
    }
}

#[test]
fn the_work_lease_moves_to_another_replica_when_its_holder_dies() {
    if !Redis::available() {
        return;
    }
    let redis = Redis::start(free_port());
    let (_dir, db) = shared_db();
    let mut reps = replicas(&db, &redis.url(), 2);
    let mut holder = None;
    wait_until("a replica takes the lease", Duration::from_secs(10), || {
        holder = redis.get("vantage:lease:work");
        holder.is_some()
    });
    let holder_pid: u32 = holder.unwrap().split('-').next().unwrap().parse().unwrap();
    let (dead, alive) = if reps[0].pid() == holder_pid {
        (0, 1)
    } else {
        (1, 0)
    };
    assert_eq!(reps[dead].pid(), holder_pid);
    let token = reps[alive].token("viewer@autoinsure.test");
    let before = reps[alive].sse(&token, None).unwrap().take(1);
    reps[dead].kill();
    let killed_at = Instant::now();
    // The survivor's stream goes on: the generator's next rollup comes from the survivor.
    let mut events = reps[alive].sse(&token, Some(&cursor(&before[0]))).unwrap();
    let mut resumed_after = None;
    while killed_at.elapsed() < Duration::from_secs(15) {
        let Some(m) = events.next() else { break };
        if m["kind"] == "metric" && m["data"]["ts"].as_i64() > Some(killed_at_ms(killed_at)) {
            resumed_after = Some(killed_at.elapsed());
            break;
        }
    }
    let took = resumed_after.expect("no generator message after the lease holder died");
    assert!(took < Duration::from_secs(12), "took {took:?}");
    let now_holder = redis.get("vantage:lease:work").unwrap();
    assert!(
        now_holder.starts_with(&format!("{}-", reps[alive].pid())),
        "{now_holder}"
    );
}

#[test]
fn a_rule_saved_on_one_replica_and_ticking_on_the_other_raises_one_alert_per_incident() {
    if !Redis::available() {
        return;
    }
    let redis = Redis::start(free_port());
    let (_dir, db) = shared_db();
    let reps = replicas(&db, &redis.url(), 2);
    let mut holder = None;
    wait_until("a replica takes the lease", Duration::from_secs(10), || {
        holder = redis.get("vantage:lease:work");
        holder.is_some()
    });
    let holder_pid: u32 = holder.unwrap().split('-').next().unwrap().parse().unwrap();
    // Saved on the replica without the lease: evaluated there at once, then every second on
    // the holder. A count of rows holds whenever it is evaluated.
    let other = reps.iter().find(|r| r.pid() != holder_pid).unwrap();
    let token = other.token("manager@innova.test");
    let (status, rule) = other.post(
        "/api/v1/alert-rules",
        &token,
        serde_json::json!({ "name": "Any validations", "dataset": "validations",
            "measure": { "field": "*", "agg": "count" }, "windowMinutes": 1440,
            "condition": "above", "threshold": -1, "severity": "info" }),
    );
    assert_eq!(status, 201, "{rule}");
    let id = rule["id"].as_str().unwrap();
    let first = other.alerts_of(&token, id);
    assert_eq!(first.len(), 1, "raised on save: {first:?}");
    // The holder's ticks find it unresolved; on either replica there is still one.
    let seen = rule["evaluatedAt"].as_i64().unwrap();
    wait_until(
        "the holder evaluates it twice",
        Duration::from_secs(10),
        || {
            let (_, rules) = other.get("/api/v1/alert-rules", Some(&token));
            rules["items"].as_array().unwrap().iter().any(|r| {
                r["id"] == id && r["evaluatedAt"].as_i64().is_some_and(|t| t > seen + 1000)
            })
        },
    );
    for r in &reps {
        assert_eq!(r.alerts_of(&token, id).len(), 1);
    }
    // Resolved: the next tick raises one more, not one per replica.
    let path = format!(
        "/api/v1/alerts/{}/resolve",
        first[0]["id"].as_str().unwrap()
    );
    assert_eq!(other.post(&path, &token, serde_json::json!({})).0, 200);
    wait_until("a second alert", Duration::from_secs(10), || {
        other.alerts_of(&token, id).len() == 2
    });
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(other.alerts_of(&token, id).len(), 2);
}

/// The length of healthco's stream.
fn redis_len(redis: &Redis) -> i64 {
    redis
        .command("XLEN vantage:live:healthco:stream")
        .trim_start_matches(':')
        .parse()
        .unwrap()
}

/// The wall clock (ms) at `at`.
fn killed_at_ms(at: Instant) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    now - at.elapsed().as_millis() as i64
}

#[test]
fn without_redis_requests_answer_readiness_says_so_and_everything_recovers() {
    if !Redis::available() {
        return;
    }
    let port = free_port();
    let (_dir, db) = shared_db();
    // Redis is not there at start: the replica starts anyway.
    let reps = replicas(&db, &format!("redis://127.0.0.1:{port}"), 1);
    let a = &reps[0];
    assert_eq!(a.get("/api/v1/health", None).0, 200);
    let (status, body) = a.get("/api/v1/ready", None);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    let token = a.token("analyst@healthco.test");
    let started = Instant::now();
    assert_eq!(a.get("/api/v1/dashboards", Some(&token)).0, 200);
    let (status, body) = a
        .sse(&token, None)
        .err()
        .expect("no stream without the bus");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable"))
    );
    let (frame, close) = ws_refused(&a.base, &token);
    assert_eq!(close, Some(1013), "WebSocket: try again later");
    assert!(frame.contains("\"unavailable\""), "{frame}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "requests must not hang"
    );

    // Redis comes: it recovers by itself.
    let redis = Redis::start(port);
    wait_until("ready once Redis is up", Duration::from_secs(15), || {
        a.get("/api/v1/ready", None).0 == 200
    });
    let mut events = a.sse(&token, None).unwrap();
    let seen = events.take(2);
    let old = cursor(seen.last().unwrap());

    // Redis restarts (empty): open streams end, readiness reports it, then recovers.
    drop(redis);
    let ended = Instant::now();
    while events.next().is_some() {
        assert!(
            ended.elapsed() < Duration::from_secs(12),
            "the stream did not end"
        );
    }
    assert_eq!(a.get("/api/v1/ready", None).0, 503);
    assert_eq!(a.get("/api/v1/dashboards", Some(&token)).0, 200);
    let _redis = Redis::start(port);
    wait_until("ready again", Duration::from_secs(15), || {
        a.get("/api/v1/ready", None).0 == 200
    });
    // Redis lost its streams: the old cursor is another epoch, so the client refetches.
    let first = a.sse(&token, Some(&old)).unwrap().next().unwrap();
    assert_eq!(first["kind"], "reset", "{first}");
    let fresh = a.sse(&token, None).unwrap().take(1);
    assert_ne!(cursor(&fresh[0]).split(':').next(), old.split(':').next());
}

/// Opens the WebSocket, authenticates, and returns the error frame and close code it gets.
fn ws_refused(base: &str, token: &str) -> (String, Option<u16>) {
    let hostport = base.trim_start_matches("http://");
    let stream = TcpStream::connect(hostport).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    let (mut socket, _) =
        tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream).unwrap();
    let auth = serde_json::json!({ "type": "auth", "token": token });
    socket
        .send(tungstenite::Message::Text(auth.to_string().into()))
        .unwrap();
    let mut frame = String::new();
    loop {
        match socket.read() {
            Ok(tungstenite::Message::Text(t)) => frame = t.to_string(),
            Ok(tungstenite::Message::Close(c)) => return (frame, c.map(|c| u16::from(c.code))),
            Ok(_) => {}
            Err(e) => panic!("no close frame: {e}"),
        }
    }
}
