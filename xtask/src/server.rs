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
    /// A message each time the server reports its rollups up to date.
    rollups: mpsc::Receiver<()>,
}

/// Options for [`start`].
pub struct StartOptions<'a> {
    pub binary: &'a Path,
    pub db: PathBuf,
    /// `--database-url` instead of `--db` (PostgreSQL).
    pub database_url: Option<String>,
    pub addr: &'a str,
    pub extra_args: Vec<String>,
}

/// Starts the server, waits for its "listening on" line and returns it with its URL.
pub fn start(options: StartOptions<'_>) -> Result<RunningServer, String> {
    // The vendored ECharts lives in the target folder; a run that built no wasm still serves it.
    crate::artifacts::vendor_echarts()?;
    let mut command = Command::new(options.binary);
    command
        .current_dir(repo_root())
        .args(match &options.database_url {
            Some(url) => ["--database-url".into(), url.clone()],
            None => ["--db".into(), options.db.display().to_string()],
        })
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
    let (rollups_tx, rollups) = mpsc::channel();
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
            if line.starts_with("vantage-server rollups up to date") {
                let _ = rollups_tx.send(());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(url) => Ok(RunningServer {
            child,
            url,
            rollups,
        }),
        Err(_) => {
            let _ = child.kill();
            Err("the server did not report 'vantage-server listening on …' within 300 s".into())
        }
    }
}

impl RunningServer {
    /// Waits (up to `limit`) until the server reports its datasets' rollups up to date, so that
    /// what is measured next is its steady state rather than the work after the demo's seed.
    /// False when it did not within `limit`.
    pub fn wait_for_rollups(&self, limit: Duration) -> bool {
        self.rollups.recv_timeout(limit).is_ok()
    }

    /// Forgets the rollup reports made so far, so [`Self::wait_for_rollups`] waits for the
    /// next one: for a harness that has just written data and waits for the server to roll it
    /// up. (The server reports each time it catches up and never while a bucket that has ended
    /// is left to rebuild, so a report after the writes covers them.)
    pub fn forget_rollup_reports(&self) {
        while self.rollups.try_recv().is_ok() {}
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs (a test may have killed it).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

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

/// A second server that browser tests may crash and bring back through a loopback control
/// endpoint (`POST {control_url}/restart?down_ms=N`): the process is killed (SIGKILL, as in a
/// crash), stays down for `down_ms`, and is started again on the same port with the same
/// database. The answer comes once the new process listens. Browser code cannot kill processes,
/// hence this small helper; it answers CORS for any origin because it only listens on loopback.
///
/// Dropping the controller stops its thread and the server; the server also watches xtask's pid.
pub struct RestartableServer {
    /// The server's base URL (stable across restarts).
    pub url: String,
    /// The control endpoint's base URL.
    pub control_url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    control_addr: std::net::SocketAddr,
    server: std::sync::Arc<std::sync::Mutex<Option<RunningServer>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How to start (and restart) the restartable server.
struct Launch {
    binary: PathBuf,
    db: PathBuf,
    database_url: Option<String>,
    addr: String,
    extra_args: Vec<String>,
}

impl Launch {
    fn start(&self) -> Result<RunningServer, String> {
        start(StartOptions {
            binary: &self.binary,
            db: self.db.clone(),
            database_url: self.database_url.clone(),
            addr: &self.addr,
            extra_args: self.extra_args.clone(),
        })
    }
}

impl RestartableServer {
    /// Starts the server on a free loopback port, then the control endpoint.
    pub fn start(options: StartOptions<'_>) -> Result<Self, String> {
        let first = start(StartOptions {
            binary: options.binary,
            db: options.db.clone(),
            database_url: options.database_url.clone(),
            addr: options.addr,
            extra_args: options.extra_args.clone(),
        })?;
        let url = first.url.clone();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let launch = Launch {
            binary: options.binary.to_path_buf(),
            db: options.db,
            database_url: options.database_url.clone(),
            addr,
            extra_args: options.extra_args,
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("restart control: cannot listen: {e}"))?;
        let control_addr = listener.local_addr().map_err(|e| e.to_string())?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let server = std::sync::Arc::new(std::sync::Mutex::new(Some(first)));
        let thread = {
            let (stop, server) = (stop.clone(), server.clone());
            std::thread::spawn(move || serve_control(&listener, &stop, &server, &launch))
        };
        println!("restart control for {url} on http://{control_addr}");
        Ok(Self {
            url,
            control_url: format!("http://{control_addr}"),
            stop,
            control_addr,
            server,
            thread: Some(thread),
        })
    }
}

impl Drop for RestartableServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = std::net::TcpStream::connect(self.control_addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Ok(mut server) = self.server.lock() {
            server.take();
        }
    }
}

fn serve_control(
    listener: &std::net::TcpListener,
    stop: &std::sync::atomic::AtomicBool,
    server: &std::sync::Mutex<Option<RunningServer>>,
    launch: &Launch,
) {
    for stream in listener.incoming() {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        let request_line = read_request_head(&mut stream);
        let (status, body) = if request_line.starts_with("OPTIONS ") {
            ("204 No Content", String::new())
        } else if let Some(target) = request_line
            .strip_prefix("POST ")
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|target| target.starts_with("/restart"))
        {
            match restart(server, launch, down_ms(target)) {
                Ok(url) => ("200 OK", serde_json::json!({ "url": url }).to_string()),
                Err(e) => (
                    "500 Internal Server Error",
                    serde_json::json!({ "error": e }).to_string(),
                ),
            }
        } else {
            ("404 Not Found", String::new())
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nAccess-Control-Allow-Origin: *\r\n\
             Access-Control-Allow-Methods: POST, OPTIONS\r\nAccess-Control-Allow-Headers: *\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = std::io::Write::write_all(&mut stream, response.as_bytes());
    }
}

/// Reads up to the end of the request head and returns its first line.
fn read_request_head(stream: &mut std::net::TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match std::io::Read::read(stream, &mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `down_ms` from `/restart?down_ms=N` (default 1500, at most 20 s).
fn down_ms(target: &str) -> u64 {
    target
        .split_once('?')
        .into_iter()
        .flat_map(|(_, query)| query.split('&'))
        .find_map(|pair| pair.strip_prefix("down_ms="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
        .min(20_000)
}

/// Kills the running server, waits `down_ms`, and starts it again on the same address.
fn restart(
    server: &std::sync::Mutex<Option<RunningServer>>,
    launch: &Launch,
    down_ms: u64,
) -> Result<String, String> {
    let mut slot = server.lock().map_err(|_| "restart control poisoned")?;
    if let Some(mut running) = slot.take() {
        running.crash();
    }
    println!("restart control: server killed; down for {down_ms} ms");
    std::thread::sleep(Duration::from_millis(down_ms));
    let mut last = String::new();
    // The port may take a moment to be free again.
    for _ in 0..20 {
        match launch.start() {
            Ok(started) => {
                let url = started.url.clone();
                *slot = Some(started);
                return Ok(url);
            }
            Err(e) => {
                last = e;
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
    Err(format!("the server did not come back: {last}"))
}

impl RunningServer {
    /// Kills the process at once (SIGKILL), as a crash would.
    fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs the dev server binary (`cargo build -p vantage-server`); `cargo xtask test` covers
    /// the same path through the browser tests, so this one only runs when asked for.
    #[test]
    #[ignore = "starts the reference server; run with --ignored after building it"]
    fn restart_control_crashes_and_brings_the_server_back_on_the_same_port() {
        let binary = target_dir().join("debug/vantage-server");
        let server = RestartableServer::start(StartOptions {
            binary: &binary,
            db: scratch_db("restart-control-test").unwrap(),
            database_url: None,
            addr: "127.0.0.1:0",
            extra_args: vec![
                "--demo".into(),
                "--demo-days".into(),
                "1".into(),
                "--demo-events".into(),
                "2000".into(),
            ],
        })
        .unwrap();
        let health = || {
            ureq::get(&format!("{}/api/v1/health", server.url))
                .call()
                .map(|r| r.status())
                .map_err(|e| e.to_string())
        };
        assert_eq!(health().unwrap(), 200);
        let preflight = ureq::request("OPTIONS", &format!("{}/restart", server.control_url))
            .call()
            .unwrap();
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
        let answer: serde_json::Value =
            ureq::post(&format!("{}/restart?down_ms=300", server.control_url))
                .call()
                .unwrap()
                .into_json()
                .unwrap();
        assert_eq!(
            answer["url"],
            server.url.as_str(),
            "same address after the restart"
        );
        assert_eq!(health().unwrap(), 200, "the restarted server answers");
        let missing = ureq::get(&format!("{}/nope", server.control_url)).call();
        assert!(matches!(missing, Err(ureq::Error::Status(404, _))));
    }

    #[test]
    fn down_time_is_read_from_the_query_and_capped() {
        assert_eq!(down_ms("/restart"), 1500);
        assert_eq!(down_ms("/restart?down_ms=250"), 250);
        assert_eq!(down_ms("/restart?x=1&down_ms=99999"), 20_000);
        assert_eq!(down_ms("/restart?down_ms=abc"), 1500);
    }
}
