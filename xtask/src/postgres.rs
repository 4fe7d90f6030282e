//! A PostgreSQL 15 for the local cluster (Debian's `postgresql`, `cargo xtask setup`): `initdb`
//! and `pg_ctl` on a free loopback port with its data in a temporary folder — not the system
//! service. initdb refuses root, so as root the tools run as the `postgres` user, and the data
//! lives under the system temp folder (which that user can reach) rather than the target folder.
//! Stopped (fast shutdown) and removed on drop — and, since `pg_ctl` puts the server in a session
//! of its own where Ctrl-C does not reach it, also by a small watchdog that does the same once
//! this xtask process is gone.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::describe;

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// A running PostgreSQL; stopped and its folder removed on drop.
pub struct Postgres {
    pub url: String,
    dir: PathBuf,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PostgreSQL tool, as the `postgres` user when we are root.
fn tool(name: &str) -> Command {
    let program = format!("{BIN}/{name}");
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &program]);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    println!("$ {}", describe(&command));
    let out = command
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `<temp>/vantage-pg-<pid>`, after removing the folders of runs whose process has gone.
fn fresh_dir() -> Result<PathBuf, String> {
    let root = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("vantage-pg-") {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    let dir = root.join(format!("vantage-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if is_root() {
        run(
            {
                let mut c = Command::new("chown");
                c.args(["postgres:postgres"]).arg(&dir);
                c
            },
            "chown",
        )?;
    }
    Ok(dir)
}

/// Starts a fresh PostgreSQL on `port` with a trusted user and database `vantage` (C locale,
/// so text sorts by code point as in SQLite).
pub fn start(port: u16) -> Result<Postgres, String> {
    if !Path::new(&format!("{BIN}/initdb")).exists() {
        return Err(format!(
            "{BIN}/initdb is missing: run `cargo xtask setup` (Debian package postgresql)"
        ));
    }
    let dir = fresh_dir()?;
    let data = dir.join("data");
    let mut initdb = tool("initdb");
    initdb.arg("-D").arg(&data).args([
        "-U",
        "vantage",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
    ]);
    run(initdb, "initdb")?;
    let pg = Postgres {
        url: format!("postgres://vantage@127.0.0.1:{port}/vantage"),
        dir,
    };
    let mut ctl = tool("pg_ctl");
    ctl.arg("-D")
        .arg(&data)
        .arg("-o")
        .arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1",
            pg.dir.display()
        ))
        .arg("-l")
        .arg(pg.dir.join("postgres.log"))
        .args(["-w", "start"]);
    run(ctl, "pg_ctl start")?;
    watchdog(&pg.dir)?;
    let mut createdb = tool("createdb");
    createdb.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        "vantage",
        "vantage",
    ]);
    run(createdb, "createdb")?;
    Ok(pg)
}

/// A detached shell that waits for this process to end, then stops the server and removes its
/// folder (what [`Drop`] does, for a Ctrl-C or kill that skips it).
fn watchdog(dir: &Path) -> Result<(), String> {
    let runuser = if is_root() {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {runuser}{BIN}/pg_ctl -D '{data}' -m fast -w stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        data = dir.join("data").display(),
        dir = dir.display(),
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the PostgreSQL watchdog: {e}"))
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut ctl = tool("pg_ctl");
        ctl.arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"]);
        let _ = ctl.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
