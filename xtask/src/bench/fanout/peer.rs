//! Starts the fan-out peer, `node www/bench/sse-peer-server.mjs`, and stops it on drop.

use crate::util::{on_path, repo_root};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Peer {
    child: Child,
    pub url: String,
}

pub fn start() -> Result<Peer, String> {
    if !on_path("node") {
        return Err("node is not installed".into());
    }
    let mut child = Command::new("node")
        .current_dir(repo_root())
        .args(["www/bench/sse-peer-server.mjs", "--parent-pid"])
        .arg(std::process::id().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start node: {e}"))?;
    let stdout = child.stdout.take().ok_or("peer stdout is not captured")?;
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line);
    match line.trim().strip_prefix("listening on ") {
        Some(url) if read.is_ok() => Ok(Peer {
            url: url.to_owned(),
            child,
        }),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("the peer did not start: {line:?}"))
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
