//! Starts the reference server for demos and tests and stops it again.
//!
//! A started server is owned by [`RunningServer`]: dropping it kills the process, and the server
//! also watches our pid (`--parent-pid`), so it stops by itself even if xtask is killed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::artifacts::{app_dir, echarts_dir, pkg_dir};
use crate::util::{cargo, describe, repo_root, run, target_dir};

/// Cargo profile the server is built with.
#[derive(Clone, Copy)]
pub enum Profile {
    /// Fast to build: tests.
    Dev,
    /// Optimised: demo and benchmarks.
    Server,
}

/// Builds the server binary and returns its path.
pub fn build(profile: Profile) -> Result<PathBuf, String> {
    let (args, folder): (&[&str], &str) = match profile {
        Profile::Dev => (&[], "debug"),
        Profile::Server => (&["--profile", "server"], "server"),
    };
    run(cargo().args(["build", "-p", "vantage-server"]).args(args))?;
    Ok(target_dir().join(folder).join("vantage-server"))
}

/// A server process we started.
pub struct RunningServer {
    child: Child,
    pub url: String,
}

/// Options for [`start`].
pub struct StartOptions<'a> {
    pub binary: &'a Path,
    pub db: PathBuf,
    pub addr: &'a str,
    pub extra_args: Vec<String>,
}

/// Starts the server, waits for its "listening on" line and returns it with its URL.
pub fn start(options: StartOptions<'_>) -> Result<RunningServer, String> {
    let mut command = Command::new(options.binary);
    command
        .current_dir(repo_root())
        .arg("--db")
        .arg(&options.db)
        .args(["--addr", options.addr])
        .arg("--www")
        .arg(repo_root().join("www"))
        .arg("--app-dir")
        .arg(app_dir())
        .arg("--pkg-dir")
        .arg(pkg_dir())
        .arg("--echarts-dir")
        .arg(echarts_dir())
        .args(["--parent-pid", &std::process::id().to_string()])
        .args(&options.extra_args)
        .stdout(Stdio::piped());
    println!("$ {}", describe(&command));
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("server stdout is not captured")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("[server] {line}");
            if !sent {
                if let Some(url) = line.strip_prefix("vantage-server listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                    sent = true;
                }
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(url) => Ok(RunningServer { child, url }),
        Err(_) => {
            let _ = child.kill();
            Err("the server did not report 'vantage-server listening on …' within 300 s".into())
        }
    }
}

impl RunningServer {
    /// Waits until the server exits on its own (demo: until Ctrl-C).
    pub fn wait(mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the server exited with {status}"))
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SIGTERM lets it flush; fall back to SIGKILL via Child::kill.
            let _ = Command::new("kill")
                .arg(self.child.id().to_string())
                .status();
            for _ in 0..50 {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A fresh database path under the target folder.
pub fn scratch_db(name: &str) -> Result<PathBuf, String> {
    let dir = target_dir().join("xtask");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let db = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", db.display())));
    }
    Ok(db)
}
