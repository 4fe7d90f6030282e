//! `cluster` group: storage side by side. The same dashboard data requests (the `data` group's
//! four demo dashboards) on a demo server over SQLite and over PostgreSQL (a child `initdb` +
//! `pg_ctl`, see `crate::postgres`), each seeded with the same demo size, then HTTP ingest rows/s
//! into PostgreSQL (the `ingest` group's batches). Rows are labelled with the storage.

use super::report::{Goal, Row};
use super::{data, http_ingest, start_server_on, Options};
use crate::server::scratch_db;
use std::path::Path;

pub fn run(binary: &Path, options: &Options) -> Vec<Row> {
    let mut rows = Vec::new();
    match sqlite(binary, options) {
        Ok(r) => rows.extend(r),
        Err(e) => rows.push(Row::failed("SQLite: data endpoint", "ms", Goal::None, &e)),
    }
    match postgres(binary, options) {
        Ok(r) => rows.extend(r),
        Err(e) => rows.push(Row::failed(
            "PostgreSQL: data endpoint",
            "ms",
            Goal::None,
            &e,
        )),
    }
    rows
}

fn labelled(label: &str, rows: Vec<Row>) -> Vec<Row> {
    rows.into_iter()
        .map(|mut r| {
            r.name = format!("{label}: {}", r.name);
            r
        })
        .collect()
}

fn sqlite(binary: &Path, options: &Options) -> Result<Vec<Row>, String> {
    let db = scratch_db("bench-cluster")?;
    let server = start_server_on(binary, &db, None, &["--events-per-sec", "200"])?;
    Ok(labelled("SQLite", data::run(&server.url, options)))
}

fn postgres(binary: &Path, options: &Options) -> Result<Vec<Row>, String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let pg = crate::postgres::start(port)?;
    let db = scratch_db("bench-cluster-pg")?;
    // On PostgreSQL even the demo needs the signing secret given (replicas share it).
    let secret = db.with_extension("jwt-secret");
    std::fs::write(&secret, crate::cluster::random_secret()?)
        .map_err(|e| format!("writing the secret: {e}"))?;
    let secret = secret.display().to_string();
    let server = start_server_on(
        binary,
        &db,
        Some(pg.url.clone()),
        &["--events-per-sec", "200", "--jwt-secret-file", &secret],
    )?;
    let mut rows = labelled("PostgreSQL", data::run(&server.url, options));
    rows.extend(labelled(
        "PostgreSQL",
        http_ingest::run(&server.url, options),
    ));
    Ok(rows)
}
