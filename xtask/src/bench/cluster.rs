//! `cluster` group: what changes past one machine.
//!
//! - `cluster-storage`: storage side by side. The same dashboard data requests (the `data`
//!   group's four demo dashboards) on a demo server over SQLite and over PostgreSQL (a child
//!   `initdb` + `pg_ctl`, see `crate::postgres`), each seeded with the same demo size; when the
//!   filter names the group (`--filter cluster`, `--filter cluster-storage`) also the `scale`
//!   group's large dataset (10M rows by default, `--scale-rows N`) loaded and queried on each;
//!   then HTTP ingest rows/s into PostgreSQL (the `ingest` group's batches). Rows are labelled
//!   with the storage.
//! - `cluster-fanout`: live fan-out to 5,000 subscribers spread over the two replicas of a
//!   local cluster (PostgreSQL + Redis bus), see [`fanout`].

mod fanout;

use super::report::{Goal, Row};
use super::{data, http_ingest, scale, start_server_on, Options};
use crate::server::scratch_db;
use std::path::Path;

pub fn run(binary: &Path, options: &Options) -> Vec<Row> {
    let mut rows = Vec::new();
    if options.wants("cluster-storage") {
        // The large dataset only when asked for by name: filling it takes minutes per storage.
        let at_scale = options
            .filter
            .as_deref()
            .is_some_and(|f| f.starts_with("cluster"));
        for storage in [Storage::Sqlite, Storage::Postgres] {
            match storage.measure(binary, options, at_scale) {
                Ok(r) => rows.extend(r),
                Err(e) => rows.push(Row::failed(
                    format!("{}: data endpoint", storage.label()),
                    "ms",
                    Goal::None,
                    &e,
                )),
            }
        }
    }
    if options.wants("cluster-fanout") {
        rows.extend(fanout::run(binary, options));
    }
    rows
}

#[derive(Clone, Copy)]
enum Storage {
    Sqlite,
    Postgres,
}

impl Storage {
    fn label(self) -> &'static str {
        match self {
            Storage::Sqlite => "SQLite",
            Storage::Postgres => "PostgreSQL",
        }
    }

    /// A demo server on this storage: the demo-size data requests, the large dataset when
    /// `at_scale`, and on PostgreSQL the HTTP ingest rate. The SQLite file is removed after.
    fn measure(self, binary: &Path, options: &Options, at_scale: bool) -> Result<Vec<Row>, String> {
        let db = scratch_db(&format!("bench-cluster-{}", self.label()))?;
        let postgres = match self {
            Storage::Sqlite => None,
            Storage::Postgres => Some(crate::postgres::start(free_port()?)?),
        };
        let mut extra = vec!["--events-per-sec".to_owned(), "200".to_owned()];
        if postgres.is_some() {
            // On PostgreSQL even the demo needs the signing secret given (replicas share it).
            let secret = db.with_extension("jwt-secret");
            std::fs::write(&secret, crate::cluster::random_secret()?)
                .map_err(|e| format!("writing the secret: {e}"))?;
            extra.extend(["--jwt-secret-file".to_owned(), secret.display().to_string()]);
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let url = postgres.as_ref().map(|pg| pg.url.clone());
        let mut rows = Vec::new();
        {
            let server = start_server_on(binary, &db, url, &extra)?;
            rows.extend(self.labelled(data::run(&server.url, options)));
            if at_scale {
                rows.extend(self.labelled(scale::run(&server, options)));
            }
            if postgres.is_some() {
                rows.extend(self.labelled(http_ingest::run(&server.url, options)));
            }
        }
        // The demo server writes its own signing secret beside a SQLite file.
        for suffix in ["", "-wal", "-shm", ".jwt-secret"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let _ = std::fs::remove_file(db.with_extension("jwt-secret"));
        Ok(rows)
    }

    /// `rows` named with this storage, each also printed at once: the whole group takes long
    /// enough that a figure should not wait for the final table.
    fn labelled(self, rows: Vec<Row>) -> Vec<Row> {
        rows.into_iter()
            .map(|mut r| {
                r.name = format!("{}: {}", self.label(), r.name);
                println!("cluster: {} = {:?} {}; {}", r.name, r.ours, r.unit, r.note);
                r
            })
            .collect()
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}
