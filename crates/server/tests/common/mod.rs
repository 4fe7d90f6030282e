//! Starts the real server binary on a free loopback port with a temporary SQLite file and a
//! small demo data set; the process is killed when the handle drops (and exits by itself via
//! `--parent-pid` if the test process dies).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Server {
    pub base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("vantage.db");
        let pid = std::process::id().to_string();
        let mut args = vec![
            "--db",
            db.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--parent-pid",
            &pid,
        ];
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_vantage-server"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("vantage-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server {
            base,
            child,
            _dir: dir,
        }
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
