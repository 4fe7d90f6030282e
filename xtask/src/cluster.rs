//! `cargo xtask cluster`: Vantage as a small cluster on one machine, on free loopback ports
//! with its data in a temporary folder:
//!
//! ```text
//! browser ──► HAProxy :H ──► replica 1 :R1 ─┐
//!                      └──► replica 2 :R2 ─┼──► Redis :P  (live bus, work lease, signals)
//!                                          └──► PostgreSQL 15 :Q (all data; `initdb` +
//!                                               `pg_ctl` in a temp folder, see `postgres`)
//! ```
//!
//! Redis (`redis-server`, no persistence) and HAProxy (generated config, see [`haproxy`]: round
//! robin, health checks on `/api/v1/ready` every second, `timeout tunnel` for WebSocket and SSE,
//! its own 502/503/504 in the contract's error shape) are Debian's
//! packages (`cargo xtask setup`), run as child processes. Ctrl-C stops everything (the whole
//! process group gets it; the replicas also watch xtask's pid). `cargo xtask test` starts the same
//! cluster to run the conformance suite and the failover browser test through HAProxy.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod haproxy;

use crate::server::{self, RunningServer, StartOptions};
use crate::util::{describe, target_dir};

const REDIS: &str = "/usr/bin/redis-server";
const HAPROXY: &str = "/usr/sbin/haproxy";

/// A running cluster; dropping it stops every process and removes the temporary folder.
pub struct Cluster {
    /// HAProxy's URL: what browsers and the conformance suite use.
    pub url: String,
    /// The replicas (a test may kill them; that is not an error here).
    pub replicas: Vec<RunningServer>,
    // Dropped in field order after the replicas: the proxy, Redis, then PostgreSQL.
    _haproxy: ChildGuard,
    _redis: ChildGuard,
    _postgres: crate::postgres::Postgres,
    dir: PathBuf,
}

/// How to start a [`Cluster`].
pub struct ClusterOptions<'a> {
    pub binary: &'a Path,
    /// HAProxy's listen address (`127.0.0.1:0`: a free port).
    pub addr: String,
    /// Extra server flags for both replicas (demo size, generator rate, …).
    pub server_args: Vec<String>,
}

/// A child process killed (and reaped) on drop.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Cluster {
    /// The replicas' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.replicas.iter().map(RunningServer::pid).collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.replicas.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `cargo xtask cluster [--addr 127.0.0.1:8080] [--api-only]`: builds like `demo`, starts the
/// cluster with the demo data and waits until Ctrl-C. `--api-only` skips the browser builds and
/// runs a quick debug build with a small demo (for API clients and the conformance suite).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut addr = "127.0.0.1:0".to_owned();
    let mut api_only = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--api-only" => api_only = true,
            "--addr" => {
                addr = rest
                    .next()
                    .ok_or("--addr needs a value like 127.0.0.1:8080")?
                    .clone()
            }
            other => {
                return Err(format!(
                    "unknown cluster option '{other}' (expected --addr ADDR, --api-only)"
                ))
            }
        }
    }
    crate::setup::run()?;
    // Ctrl-C ends the wait below instead of the process, so the cluster is dropped: every
    // process stopped and reaped, and its folder (HAProxy config, signing secret) and
    // PostgreSQL's data removed. The terminal also signals the children (same process group);
    // dropping them is then a no-op.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let (binary, server_args) = if api_only {
        let small = ["--demo-days", "3", "--demo-events", "60000"];
        (
            server::build(server::Profile::Dev)?,
            small.map(String::from).to_vec(),
        )
    } else {
        crate::artifacts::build_sdk()?;
        crate::artifacts::build_app()?;
        (server::build(server::Profile::Server)?, Vec::new())
    };
    let mut cluster = start(ClusterOptions {
        binary: &binary,
        addr,
        server_args,
    })?;
    let url = &cluster.url;
    println!();
    println!("Vantage cluster is running (Ctrl-C to stop):");
    println!("  load balancer  {url}/   (HAProxy, round robin over 2 replicas)");
    for (i, r) in cluster.replicas.iter().enumerate() {
        println!("  replica {}      {}   pid {}", i + 1, r.url, r.pid());
    }
    println!("  data           {}", cluster.dir.display());
    println!("  database       {}", cluster._postgres.url);
    println!("  sign in as     analyst@healthco.test / vantage-demo");
    println!();
    // Until Ctrl-C (or every replica has gone).
    loop {
        std::thread::sleep(Duration::from_millis(200));
        if stop.load(Ordering::SeqCst) {
            println!("stopping the cluster…");
            drop(cluster);
            println!("stopped; its processes and folders are gone");
            return Ok(());
        }
        if cluster.replicas.iter_mut().all(|r| !r.is_running()) {
            return Err("every replica has stopped".into());
        }
    }
}

/// Starts PostgreSQL, Redis, two replicas on that database and HAProxy in front; returns once
/// HAProxy sees both replicas ready.
pub fn start(options: ClusterOptions<'_>) -> Result<Cluster, String> {
    for (binary, package) in [(REDIS, "redis-server"), (HAPROXY, "haproxy")] {
        if !Path::new(binary).exists() {
            return Err(format!(
                "{binary} is missing: run `cargo xtask setup` (Debian package {package})"
            ));
        }
    }
    let dir = fresh_dir()?;
    let proxy_addr = match options.addr.as_str() {
        a if a.ends_with(":0") => free_addr()?,
        a => a.to_owned(),
    };
    let public = format!("http://{proxy_addr}");
    let redis_addr = free_addr()?;
    let redis = start_redis(&redis_addr, &dir)?;
    let pg_port = free_addr()?
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or("no free port for PostgreSQL")?;
    let postgres = crate::postgres::start(pg_port)?;
    let secret = dir.join("jwt-secret");
    std::fs::write(&secret, random_secret()?).map_err(|e| format!("writing the secret: {e}"))?;
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut args = vec![
            "--demo".into(),
            "--bus-url".into(),
            format!("redis://{redis_addr}"),
            "--jwt-secret-file".into(),
            secret.display().to_string(),
            "--public-url".into(),
            public.clone(),
            "--demo-origin".into(),
            public.clone(),
        ];
        args.extend(options.server_args.iter().cloned());
        // One after the other: the first seeds the demo, the second finds it.
        replicas.push(server::start(StartOptions {
            binary: options.binary,
            db: dir.join("vantage.db"),
            database_url: Some(postgres.url.clone()),
            addr: &free_addr()?,
            extra_args: args,
        })?);
    }
    let backends: Vec<String> = replicas
        .iter()
        .map(|r| r.url.trim_start_matches("http://").to_owned())
        .collect();
    let haproxy = haproxy::start(&proxy_addr, &backends, &dir)?;
    let cluster = Cluster {
        url: public,
        replicas,
        _haproxy: haproxy,
        _redis: redis,
        _postgres: postgres,
        dir,
    };
    wait_ready(&cluster.url)?;
    println!(
        "cluster: {} (replicas pids {:?})",
        cluster.url,
        cluster.pids()
    );
    Ok(cluster)
}

/// `target/cluster-<pid>`, after removing the folders of clusters whose xtask has gone.
fn fresh_dir() -> Result<PathBuf, String> {
    let root = target_dir();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("cluster-") {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    let dir = root.join(format!("cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn free_addr() -> Result<String, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.to_string())
        .map_err(|e| e.to_string())
}

/// 48 characters from the kernel's random source (the servers share it to sign tokens).
pub fn random_secret() -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0_u8; 48];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 64)]))
        .collect())
}

fn start_redis(addr: &str, dir: &Path) -> Result<ChildGuard, String> {
    let port = addr.rsplit(':').next().unwrap_or_default();
    let mut command = Command::new(REDIS);
    command
        .args(["--port", port, "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null());
    println!("$ {}", describe(&command));
    let child = ChildGuard(
        command
            .spawn()
            .map_err(|e| format!("cannot start redis-server: {e}"))?,
    );
    wait_for_port(addr, "redis-server")?;
    Ok(child)
}

fn wait_for_port(addr: &str, what: &str) -> Result<(), String> {
    let started = Instant::now();
    while TcpStream::connect(addr).is_err() {
        if started.elapsed() > Duration::from_secs(15) {
            return Err(format!("{what} did not listen on {addr} within 15 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Waits until HAProxy has seen both replicas ready (two ready answers in a row).
fn wait_ready(url: &str) -> Result<(), String> {
    let started = Instant::now();
    let mut in_a_row = 0;
    while in_a_row < 2 {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("{url}/api/v1/ready did not answer 200 within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(500));
        let ok = ureq::get(&format!("{url}/api/v1/ready"))
            .timeout(Duration::from_secs(3))
            .call()
            .is_ok_and(|r| r.status() == 200);
        in_a_row = if ok { in_a_row + 1 } else { 0 };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_varied() {
        let s = random_secret().unwrap();
        assert_eq!(s.len(), 48);
        let distinct: std::collections::HashSet<char> = s.chars().collect();
        assert!(distinct.len() > 10);
    }
}
