//! Starts the real server binary on a free loopback port with a temporary SQLite file and a
//! small demo data set; the process is killed when the handle drops (and exits by itself via
//! `--parent-pid` if the test process dies).

#![allow(dead_code)]

pub mod postgres;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The signing secret of servers started without `--demo` (random-looking, 48 bytes).
pub const TEST_JWT_SECRET: &str = "q8Yk2vZr0Lm5Tn1Wc7Hx3Bd9Fs6Gp4Jq0Re2Ua8Vi5Oy1Kt7Nw3Xz";

/// A free loopback port (from 18000–18999 first, the range kept for these tests' helpers).
pub fn free_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let offset = u16::try_from(std::process::id() % 1000).unwrap_or(0);
    for _ in 0..1000 {
        // Each call starts past the last one: ports are taken only later (PostgreSQL binds
        // after initdb), so two tests must not be handed the same one.
        let i = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let port = 18000 + offset.wrapping_add(i) % 1000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub base: String,
    /// The one-time setup URL printed by a server started without `--demo`.
    pub setup_url: Option<String>,
    child: Child,
    _dir: tempfile::TempDir,
}

/// A response: status, `Cache-Control`, `Content-Type`, JSON body (or `Null`) and raw text.
pub struct Reply {
    pub status: u16,
    pub cache_control: Option<String>,
    pub content_type: Option<String>,
    pub body: serde_json::Value,
    pub text: String,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        Self::spawn(true, None, extra)
    }

    /// A demo server on the database `url` (`--database-url`), with the test signing secret.
    pub fn start_on(url: &str, extra: &[&str]) -> Server {
        Self::spawn(true, Some(url), extra)
    }

    /// A server on an empty database without `--demo` (first-run setup pending).
    pub fn start_empty(extra: &[&str]) -> Server {
        Self::spawn(false, None, extra)
    }

    fn spawn(demo: bool, database_url: Option<&str>, extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("vantage.db");
        let pid = std::process::id().to_string();
        let (flag, value) = match database_url {
            Some(url) => ("--database-url", url),
            None => ("--db", db.to_str().unwrap()),
        };
        let mut args = vec![flag, value, "--addr", "127.0.0.1:0", "--parent-pid", &pid];
        if demo {
            args.push("--demo");
        }
        // Defaults for tests; `extra` overrides any of them.
        for pair in [
            ["--demo-days", "3"],
            ["--demo-events", "20000"],
            ["--events-per-sec", "150"],
            ["--rate-limit", "1000"],
        ] {
            if !extra.contains(&pair[0]) {
                args.extend(pair);
            }
        }
        args.extend_from_slice(extra);
        let mut command = Command::new(env!("CARGO_BIN_EXE_vantage-server"));
        if !demo || database_url.is_some() {
            // Outside --demo (or on PostgreSQL) the server needs a signing secret (the demo
            // makes its own next to a SQLite file).
            command.env("VANTAGE_JWT_SECRET", TEST_JWT_SECRET);
        }
        let mut child = command
            .args(&args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let setup_url = (!demo).then(|| {
            let mut second = String::new();
            stdout.read_line(&mut second).unwrap();
            second
                .split_whitespace()
                .find(|w| w.starts_with("http"))
                .unwrap_or_else(|| panic!("no setup URL in {second:?}"))
                .to_owned()
        });
        let base = line
            .trim()
            .strip_prefix("vantage-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            base,
            setup_url,
            child,
            _dir: dir,
        }
    }

    /// The SQLite file of this server.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("vantage.db")
    }

    /// The token of the printed setup URL.
    pub fn setup_token(&self) -> String {
        let url = self.setup_url.as_deref().expect("started without --demo");
        url.split_once("token=").unwrap().1.to_owned()
    }

    /// Any request; `token` as bearer, `tenant` as `X-Tenant-Id`.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        tenant: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let r = self.response(method, path, token, tenant, &[], body);
        let status = r.status();
        let cache_control = r.header("cache-control").map(str::to_owned);
        let content_type = r.header("content-type").map(str::to_owned);
        let text = r.into_string().unwrap_or_default();
        Reply {
            status,
            cache_control,
            content_type,
            body: serde_json::from_str(&text).unwrap_or_default(),
            text,
        }
    }

    /// Any request, answered with its raw response (an error status is an answer too);
    /// `token` as bearer, `tenant` as `X-Tenant-Id`, then `headers`.
    pub fn response(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        tenant: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> ureq::Response {
        let mut req = self
            .agent()
            .request(method, &format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        if let Some(t) = tenant {
            req = req.set("X-Tenant-Id", t);
        }
        for (name, value) in headers {
            req = req.set(name, value);
        }
        let sent = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        match sent {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    /// Signs in with a password; returns the whole token response.
    pub fn login(&self, email: &str, password: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            None,
            Some(serde_json::json!({ "email": email, "password": password })),
        )
    }

    pub fn agent(&self) -> ureq::Agent {
        ureq::AgentBuilder::new()
            .timeout(std::time::Duration::from_secs(20))
            .build()
    }

    /// Logs in and returns the access token.
    pub fn token(&self, email: &str) -> String {
        let r: serde_json::Value = self
            .agent()
            .post(&format!("{}/api/v1/auth/login", self.base))
            .send_json(serde_json::json!({ "email": email, "password": "vantage-demo" }))
            .unwrap()
            .into_json()
            .unwrap();
        r["accessToken"].as_str().unwrap().to_owned()
    }

    /// `(status, headers-of-interest, body)` of a GET.
    pub fn get(&self, path: &str, token: &str) -> (u16, Option<String>, serde_json::Value) {
        let r = match self
            .agent()
            .get(&format!("{}{path}", self.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
        {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let status = r.status();
        let retry = r.header("retry-after").map(str::to_owned);
        (status, retry, r.into_json().unwrap_or_default())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
