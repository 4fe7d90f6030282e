//! The cluster's HAProxy: its generated configuration and the child process.
//!
//! Round robin over the replicas, each checked on `/api/v1/ready` every second, `timeout tunnel`
//! so WebSocket and SSE stay open. The errors HAProxy answers by itself — 503 when no replica is
//! ready (Redis or PostgreSQL down takes them all out), 502 when a replica dies mid-request, 504
//! when it does not answer in time — carry the contract's error shape like every server answer:
//!
//! ```text
//! HTTP/1.1 503 Service Unavailable
//! content-type: application/json
//! retry-after: 1
//! cache-control: no-store
//!
//! {"error":{"code":"unavailable","message":"no server replica is available; retry shortly","requestId":"lb-7F00…"}}
//! ```
//!
//! All three use the code `unavailable`: the client's right move is to retry later (what the
//! SDK tells a host for that code). `http-error … lf-string` (HAProxy ≥ 2.2) rather than a
//! static `errorfile`, so each answer has its own request id (HAProxy's `unique-id`) and the
//! configuration stays one file.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{wait_for_port, ChildGuard, HAPROXY};
use crate::util::describe;

/// (status, message) of the errors HAProxy answers itself.
const ERRORS: [(u16, &str); 3] = [
    (
        502,
        "a server replica failed while answering; retry shortly",
    ),
    (503, "no server replica is available; retry shortly"),
    (
        504,
        "a server replica did not answer in time; retry shortly",
    ),
];

/// `http-error` lines answering HAProxy's own 502/503/504 in the contract's error shape.
fn error_responses() -> String {
    let mut lines = String::from("    unique-id-format %{+X}o%ci%cp%fp%Ts%rt%pid\n");
    for (status, message) in ERRORS {
        let body = format!(
            r#"{{\"error\":{{\"code\":\"unavailable\",\"message\":\"{message}\",\"requestId\":\"lb-%[unique-id]\"}}}}"#
        );
        lines.push_str(&format!(
            "    http-error status {status} content-type application/json \
             hdr Retry-After 1 hdr Cache-Control no-store lf-string \"{body}\"\n"
        ));
    }
    lines
}

/// The HAProxy configuration: round robin over `backends`, each checked on its readiness
/// endpoint every second (down after 2 failures; its sessions are cut so clients reconnect).
/// Responses name the replica that answered (`X-Vantage-Replica: replica1`), so a test can
/// kill the one holding a connection.
pub(super) fn config(listen: &str, backends: &[String]) -> String {
    let mut cfg = format!(
        "global\n    maxconn 4096\n\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n    \
         timeout server 60s\n    timeout tunnel 1h\n    timeout http-request 10s\n    \
         option redispatch\n    retries 2\n{errors}\n\
         frontend vantage\n    bind {listen}\n    default_backend replicas\n\n\
         backend replicas\n    balance roundrobin\n    option httpchk GET /api/v1/ready\n    \
         http-check expect status 200\n    http-response set-header X-Vantage-Replica %s\n    \
         default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions\n",
        errors = error_responses()
    );
    for (i, b) in backends.iter().enumerate() {
        cfg.push_str(&format!("    server replica{} {b} check\n", i + 1));
    }
    cfg
}

/// Writes `dir/haproxy.cfg` and runs HAProxy on it until the guard is dropped.
pub(super) fn start(listen: &str, backends: &[String], dir: &Path) -> Result<ChildGuard, String> {
    let path = dir.join("haproxy.cfg");
    let mut file =
        std::fs::File::create(&path).map_err(|e| format!("writing {}: {e}", path.display()))?;
    file.write_all(config(listen, backends).as_bytes())
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    let mut command = Command::new(HAPROXY);
    command
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null());
    println!("$ {}", describe(&command));
    let child = ChildGuard(
        command
            .spawn()
            .map_err(|e| format!("cannot start haproxy: {e}"))?,
    );
    wait_for_port(listen, "haproxy")?;
    Ok(child)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::{ErrorBody, ErrorCode};

    #[test]
    fn the_proxy_checks_readiness_and_keeps_live_connections_open() {
        let cfg = config(
            "127.0.0.1:9000",
            &["127.0.0.1:9001".into(), "127.0.0.1:9002".into()],
        );
        assert!(cfg.contains("bind 127.0.0.1:9000"));
        assert!(cfg.contains("option httpchk GET /api/v1/ready"));
        assert!(cfg.contains("timeout tunnel 1h"));
        assert!(cfg.contains("set-header X-Vantage-Replica %s"));
        assert!(cfg.contains("server replica1 127.0.0.1:9001 check"));
        assert!(cfg.contains("server replica2 127.0.0.1:9002 check"));
    }

    /// A folder removed on drop, also when an assertion fails.
    struct TempDir(std::path::PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A free loopback address nothing listens on (the listener is closed again).
    fn free_addr() -> String {
        super::super::free_addr().unwrap()
    }

    /// A real HAProxy on the generated configuration whose two replicas are not listening: what
    /// a client gets when every replica is out (readiness failing on all of them looks the same
    /// to HAProxy) is a 503 in the contract's shape, not HAProxy's HTML page.
    #[test]
    fn with_no_replica_up_the_proxy_answers_the_contracts_unavailable_error() {
        if !Path::new(HAPROXY).exists() {
            eprintln!("SKIPPED: {HAPROXY} is not installed (run `cargo xtask setup`)");
            return;
        }
        let dir = TempDir(
            std::env::temp_dir().join(format!("vantage-haproxy-test-{}", std::process::id())),
        );
        std::fs::create_dir_all(&dir.0).unwrap();
        let listen = free_addr();
        let _proxy = start(&listen, &[free_addr(), free_addr()], &dir.0).unwrap();
        let mut ids = Vec::new();
        for path in ["/api/v1/ready", "/api/v1/dashboards"] {
            let answer = ureq::get(&format!("http://{listen}{path}"))
                .timeout(std::time::Duration::from_secs(10))
                .call();
            let Err(ureq::Error::Status(status, resp)) = answer else {
                panic!("expected an error status from {path}, got {answer:?}");
            };
            assert_eq!(status, 503);
            assert_eq!(resp.header("content-type"), Some("application/json"));
            assert_eq!(resp.header("retry-after"), Some("1"));
            assert_eq!(resp.header("cache-control"), Some("no-store"));
            let text = resp.into_string().unwrap();
            let body: ErrorBody = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("not the contract's error shape ({e}): {text}"));
            assert_eq!(body.error.code, ErrorCode::Unavailable);
            assert_eq!(body.error.code.http_status(), status);
            assert!(body.error.request_id.starts_with("lb-"), "{text}");
            ids.push(body.error.request_id);
        }
        assert_ne!(ids[0], ids[1], "each answer has its own request id");
    }
}
