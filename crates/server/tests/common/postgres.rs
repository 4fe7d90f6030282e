//! A throwaway PostgreSQL 15 (Debian's `postgresql` package, `cargo xtask setup` installs it):
//! `initdb` into a temporary folder owned by the `postgres` user (initdb refuses root) and
//! `pg_ctl start` on a free loopback port, not the system service. Stopped and removed on drop.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Postgres {
    pub port: u16,
    dir: tempfile::TempDir,
}

/// Runs `program args…` as the `postgres` user when we are root, else as ourselves.
fn as_postgres(program: &str, args: &[&str]) -> std::process::Output {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).output().expect("runs a PostgreSQL tool")
}

impl Postgres {
    /// Whether PostgreSQL 15's server binaries are installed.
    pub fn available() -> bool {
        std::path::Path::new(&format!("{BIN}/initdb")).exists()
    }

    /// A fresh cluster with a trusted user `vantage` and a database `vantage`.
    pub fn start() -> Postgres {
        Self::start_on_port(super::free_port())
    }

    /// [`Postgres::start`] on `port`.
    pub fn start_on_port(port: u16) -> Postgres {
        Self::start_configured(port, |_| {})
    }

    /// [`Postgres::start`] on `port`, with `configure(data folder)` run between `initdb` and
    /// the first start (to edit `postgresql.conf`, `pg_hba.conf`, add certificates; files it
    /// writes are handed to the `postgres` user afterwards).
    pub fn start_configured(port: u16, configure: impl FnOnce(&std::path::Path)) -> Postgres {
        assert!(
            Self::available(),
            "PostgreSQL 15 is not installed: run `cargo xtask setup` (Debian package postgresql)"
        );
        let dir = tempfile::tempdir().unwrap();
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres", dir.path().to_str().unwrap()])
            .status();
        let data = dir.path().join("pg");
        let out = as_postgres(
            &format!("{BIN}/initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "vantage",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        configure(&data);
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres", data.to_str().unwrap()])
            .status();
        let pg = Postgres { port, dir };
        pg.start_again();
        let out = as_postgres(
            &format!("{BIN}/createdb"),
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                "vantage",
                "vantage",
            ],
        );
        assert!(
            out.status.success(),
            "createdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("pg")
    }

    /// `postgres://vantage@127.0.0.1:<port>/vantage`.
    pub fn url(&self) -> String {
        format!("postgres://vantage@127.0.0.1:{}/vantage", self.port)
    }

    /// Starts the (stopped) server again on the same port and data.
    pub fn start_again(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("pg.log");
        let out = as_postgres(
            &format!("{BIN}/pg_ctl"),
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// One value (or rows joined by newlines) of `sql`, through `psql`.
    pub fn query(&self, sql: &str) -> String {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "vantage",
            ])
            .args(["-d", "vantage", "-At", "-c", sql])
            .output()
            .expect("runs psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Stops the server (fast shutdown: open connections are closed).
    pub fn stop(&self) {
        let _ = as_postgres(
            &format!("{BIN}/pg_ctl"),
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
