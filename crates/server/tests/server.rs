//! Behaviour the conformance suite cannot check from outside: token expiry with a short
//! lifetime, rate limiting, compressed API answers (and the secret-bearing ones left plain), graceful restart keeping data, the committed OpenAPI document, and a
//! WebSocket message longer than the server reads at once, and a data query stopped at the
//! server's time limit.

mod common;

use common::Server;
use serde_json::json;
use std::time::Duration;

#[test]
fn access_tokens_expire() {
    let server = Server::start(&["--access-token-ttl", "1"]);
    let token = server.token("viewer@healthco.test");
    assert_eq!(server.get("/api/v1/auth/me", &token).0, 200);
    std::thread::sleep(Duration::from_millis(2100));
    let (status, _, body) = server.get("/api/v1/auth/me", &token);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(body["error"]["message"], "token expired");
}

/// `(status, content-encoding, vary, body bytes)` of a request sent with `Accept-Encoding`.
fn encoded(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
    accept: &str,
) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let r = server.response(
        method,
        path,
        token,
        None,
        &[("Accept-Encoding", accept)],
        body,
    );
    let (status, encoding, vary) = (
        r.status(),
        r.header("content-encoding").map(str::to_owned),
        Some(r.all("vary").join(", ")),
    );
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).unwrap();
    (status, encoding, vary, bytes)
}

#[test]
fn api_answers_are_compressed_when_accepted_and_secret_bearing_ones_never_are() {
    let server = Server::start(&[]);
    let token = server.token("analyst@healthco.test");
    let data = "/api/v1/dashboards/healthco-ai-quality/data";
    let ask = || Some(serde_json::json!({}));
    let (status, encoding, vary, plain) =
        encoded(&server, "POST", data, Some(&token), ask(), "identity");
    assert_eq!((status, encoding), (200, None));
    let (status, encoding, vary_gz, gz) =
        encoded(&server, "POST", data, Some(&token), ask(), "gzip");
    assert_eq!((status, encoding.as_deref()), (200, Some("gzip")));
    for vary in [vary, vary_gz] {
        assert!(
            vary.unwrap_or_default()
                .to_lowercase()
                .contains("accept-encoding"),
            "caches keep the encodings apart"
        );
    }
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped).unwrap();
    let (plain, unzipped): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&plain).unwrap(),
        serde_json::from_slice(&unzipped).unwrap(),
    );
    // The same answer, compressed (its numbers aside: the demo's live events arrive between
    // the two requests).
    let shape = |answer: &serde_json::Value| {
        let widgets = answer["widgets"].as_object().unwrap();
        assert!(!widgets.is_empty());
        widgets
            .iter()
            .map(|(id, w)| (id.clone(), w["columns"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&plain), shape(&unzipped));
    assert!(
        gz.len() * 2 < serde_json::to_vec(&plain).unwrap().len(),
        "{} bytes gzipped",
        gz.len()
    );
    let (_, encoding, _, _) = encoded(&server, "POST", data, Some(&token), ask(), "br");
    assert_eq!(encoding.as_deref(), Some("br"));
    let (_, encoding, _, _) = encoded(
        &server,
        "GET",
        "/api/v1/openapi.json",
        None,
        None,
        "br, gzip",
    );
    assert_eq!(encoding.as_deref(), Some("br"));

    // Answers with a secret stay plain whatever the client accepts (BREACH).
    let login = serde_json::json!({ "email": "admin@healthco.test", "password": "vantage-demo" });
    let (status, encoding, _, _) = encoded(
        &server,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(login),
        "br, gzip",
    );
    assert_eq!((status, encoding), (200, None), "tokens are not compressed");
    let admin = server.token("admin@healthco.test");
    let issue = serde_json::json!({ "dashboardId": "healthco-ai-quality", "expiresIn": 600, "allowedOrigins": [server.base] });
    let (status, encoding, _, body) = encoded(
        &server,
        "POST",
        "/api/v1/embed/tokens",
        Some(&admin),
        Some(issue),
        "br, gzip",
    );
    assert!(
        status == 200 || status == 201,
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(encoding, None, "embed tokens are not compressed");
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let server = Server::start(&["--rate-limit", "2"]);
    let token = server.token("viewer@healthco.test");
    let mut limited = None;
    for _ in 0..30 {
        let (status, retry, body) = server.get("/api/v1/auth/me", &token);
        if status == 429 {
            limited = Some((retry, body));
            break;
        }
    }
    let (retry, body) = limited.expect("no 429 after 30 fast requests");
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)));
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[test]
fn committed_openapi_matches_the_generated_document() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args(["--db", "/dev/null", "--print-openapi"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    if std::env::var_os("VANTAGE_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "openapi.json is stale; regenerate with VANTAGE_UPDATE_OPENAPI=1 cargo test -p vantage-server --test server");
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/dashboards/{id}/data",
        "/api/v1/live/sse",
        "/api/v1/embed/tokens",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert!(doc["components"]["schemas"]["LiveEnvelope"].is_object());
}

#[test]
fn the_served_openapi_is_the_generated_one() {
    let server = Server::start(&["--events-per-sec", "0"]);
    let served: serde_json::Value = server
        .agent()
        .get(&format!("{}/api/v1/openapi.json", server.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args(["--db", "/dev/null", "--print-openapi"])
        .output()
        .unwrap();
    let generated: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(served, generated);
}

/// Path parameters are the path template's variables, no more and no fewer (a query struct
/// derived without `parameter_in = Query` comes out as required path parameters).
#[test]
fn openapi_path_parameters_match_the_templates() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .args(["--db", "/dev/null", "--print-openapi"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let vars: std::collections::BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .collect();
        for (method, op) in item.as_object().unwrap() {
            let params: std::collections::BTreeSet<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            if params != vars {
                wrong.push(format!("{method} {path}: {params:?} vs {vars:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let db = db.to_str().unwrap();
    let args = [
        "--db",
        db,
        "--addr",
        "127.0.0.1:0",
        "--demo",
        "--demo-days",
        "1",
        "--demo-events",
        "3000",
        "--events-per-sec",
        "0",
    ];
    let run = |f: &dyn Fn(&str)| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        f(line
            .trim()
            .trim_start_matches("vantage-server listening on "));
        // SIGTERM → graceful shutdown.
        let _ = std::process::Command::new("kill")
            .arg(child.id().to_string())
            .status();
        assert!(child.wait().unwrap().success());
    };
    let created = std::sync::Mutex::new(String::new());
    run(&|base| {
        let agent = ureq::agent();
        let t: serde_json::Value = agent
            .post(&format!("{base}/api/v1/auth/login"))
            .send_json(
                serde_json::json!({"email": "admin@innova.test", "password": "vantage-demo"}),
            )
            .unwrap()
            .into_json()
            .unwrap();
        let token = t["accessToken"].as_str().unwrap();
        let d: serde_json::Value = agent
            .post(&format!("{base}/api/v1/dashboards"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(serde_json::json!({"name": "Persisted"}))
            .unwrap()
            .into_json()
            .unwrap();
        *created.lock().unwrap() = d["id"].as_str().unwrap().to_owned();
    });
    run(&|base| {
        let agent = ureq::agent();
        let t: serde_json::Value = agent
            .post(&format!("{base}/api/v1/auth/login"))
            .send_json(
                serde_json::json!({"email": "admin@innova.test", "password": "vantage-demo"}),
            )
            .unwrap()
            .into_json()
            .unwrap();
        let token = t["accessToken"].as_str().unwrap();
        let id = created.lock().unwrap().clone();
        let r = agent
            .get(&format!("{base}/api/v1/dashboards/{id}"))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
    });
}

#[test]
fn outside_demo_the_server_refuses_to_start_without_a_strong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    for secret in [None, Some("too-short")] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"));
        command
            .args(["--db", db.to_str().unwrap(), "--addr", "127.0.0.1:0"])
            .env_remove("VANTAGE_JWT_SECRET")
            .env_remove("VANTAGE_JWT_SECRET_FILE");
        if let Some(s) = secret {
            command.env("VANTAGE_JWT_SECRET", s);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success(), "started with secret {secret:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("openssl rand") && stderr.contains("--jwt-secret-file"),
            "{stderr}"
        );
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"));
    }
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_vantage-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--jwt-secret-file") && help.contains("VANTAGE_JWT_SECRET"));
}

#[test]
fn the_demo_keeps_its_secret_in_a_file_beside_the_database_not_in_it() {
    let server = Server::start(&["--events-per-sec", "0"]);
    let token = server.token("viewer@innova.test");
    let db = server.db_path();
    let mut file = db.clone().into_os_string();
    file.push(".jwt-secret");
    let secret = std::fs::read_to_string(&file).unwrap();
    assert!(secret.trim().len() >= 32);
    let c = rusqlite::Connection::open(&db).unwrap();
    let stored: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM settings WHERE key LIKE '%secret%' OR value = ?1",
            [secret.trim()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0, "no signing secret in the data database");
    assert!(!token.is_empty());
}

#[test]
fn a_websocket_message_longer_than_one_read_is_read_whole() {
    use tungstenite::Message;
    let server = Server::start(&["--heartbeat-secs", "1"]);
    let token = server.token("viewer@healthco.test");
    let hostport = server.base.trim_start_matches("http://").to_owned();
    let stream = std::net::TcpStream::connect(&hostport).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (mut socket, _) =
        tungstenite::client(format!("ws://{hostport}/api/v1/live/ws"), stream).unwrap();
    // ≈ 6 KiB: more than the server's 4 KiB WebSocket read buffer, less than its 8 KiB limit.
    let auth = format!(
        r#"{{"type":"auth",{}"token":"{token}","channels":["metrics"]}}"#,
        " ".repeat(6 * 1024)
    );
    assert!(auth.len() > 6 * 1024 && auth.len() < 8 * 1024);
    socket.send(Message::Text(auth.into())).unwrap();
    // Authenticated: envelopes (at least the 1 s heartbeat) come, not a close.
    loop {
        match socket.read() {
            Ok(Message::Text(t)) => {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                assert!(v["seq"].is_u64(), "not an envelope: {t}");
                break;
            }
            Ok(Message::Close(frame)) => panic!("the server closed the socket: {frame:?}"),
            Ok(_) => {}
            Err(e) => panic!("reading the socket: {e}"),
        }
    }
}

/// `--query-timeout-ms`: a data query still running at the limit is stopped and answered `422`
/// naming `timeRange`, alone (`POST /query`) or as the error of each widget it stopped in a
/// dashboard's data (the dashboard itself is answered).
#[test]
fn a_query_past_the_time_limit_is_stopped_and_names_the_time_range() {
    // 100,000 events: the drill's scan below takes ≈ 17 ms without a limit, far past it.
    let server = Server::start(&[
        "--query-timeout-ms",
        "1",
        "--events-per-sec",
        "0",
        "--demo-events",
        "100000",
    ]);
    let token = server.token("analyst@healthco.test");
    // Every event's session (a dimension the rollups leave out): hundreds of thousands of rows
    // grouped, far past a millisecond.
    let query = json!({ "dataset": "validations", "dimensions": ["session_id"],
        "measures": [{ "field": "*", "agg": "count" }] });
    let r = server.call("POST", "/api/v1/query", Some(&token), None, Some(query));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "validation_failed", "{}", r.text);
    assert_eq!(
        r.body["error"]["details"]["field"], "timeRange",
        "{}",
        r.text
    );
    let message = r.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("narrow the time range"), "{message}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let month = json!({ "timeRange": { "from": now - 30 * 86_400_000, "to": now } });
    let r = server.call(
        "POST",
        "/api/v1/dashboards/healthco-ai-quality/data",
        Some(&token),
        None,
        Some(month),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let stopped = r.body["widgets"]
        .as_object()
        .unwrap()
        .values()
        .filter(|w| w["error"]["details"]["field"] == "timeRange")
        .count();
    assert!(stopped > 0, "{}", r.text);
    // The drill's raw rows: a filter no row matches reads every row looking for a page.
    // filters=[{"field":"latency_ms","op":"gt","value":1e12}], percent-encoded.
    let path = "/api/v1/datasets/validations/rows?filters=%5B%7B%22field%22%3A%22latency_ms%22\
                %2C%22op%22%3A%22gt%22%2C%22value%22%3A1e12%7D%5D";
    let r = server.call("GET", path, Some(&token), None, None);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.body["error"]["details"]["field"], "timeRange",
        "{}",
        r.text
    );
}
