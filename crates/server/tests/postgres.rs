//! The server on PostgreSQL (`--database-url postgres://…`): what happens when PostgreSQL is
//! not there, goes away and comes back (the conformance suite on PostgreSQL is in
//! `postgres_conformance.rs`, a process of its own like `conformance.rs`). Each test starts its own PostgreSQL 15
//! (`initdb` + `pg_ctl` in a temporary folder, see `common::postgres`).

mod common;

use common::postgres::Postgres;
use common::Server;
use std::process::Command;
use std::time::{Duration, Instant};

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_malformed_database_url_stops_start_up_naming_the_flag() {
    for url in [
        "postgres://vantage@127.0.0.1:notaport/x",
        "mysql://127.0.0.1/x",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_vantage-server"))
            .args(["--database-url", url, "--addr", "127.0.0.1:0", "--demo"])
            .env("VANTAGE_JWT_SECRET", common::TEST_JWT_SECRET)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--database-url"), "{stderr}");
        assert!(out.stdout.is_empty(), "it must not start listening");
    }
}

/// `(status, error code)` of a GET.
fn status_of(server: &Server, path: &str, token: Option<&str>) -> (u16, String) {
    let r = server.call("GET", path, token, None, None);
    let code = r.body["error"]["code"].as_str().unwrap_or("").to_owned();
    (r.status, code)
}

#[test]
fn while_postgres_is_down_requests_answer_503_and_the_server_recovers_by_itself() {
    let pg = Postgres::start();
    let server = Server::start_on(&pg.url(), &[]);
    let token = server.token("admin@healthco.test");
    assert_eq!(
        status_of(&server, "/api/v1/dashboards", Some(&token)).0,
        200
    );

    pg.stop();
    let started = Instant::now();
    let (status, code) = status_of(&server, "/api/v1/dashboards", Some(&token));
    assert_eq!((status, code.as_str()), (503, "unavailable"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it must not hang"
    );
    let (status, code) = status_of(&server, "/api/v1/ready", None);
    assert_eq!((status, code.as_str()), (503, "unavailable"));
    // Health is liveness: the process is fine.
    assert_eq!(status_of(&server, "/api/v1/health", None).0, 200);

    pg.start_again();
    wait_until("ready again", Duration::from_secs(20), || {
        status_of(&server, "/api/v1/ready", None).0 == 200
    });
    assert_eq!(
        status_of(&server, "/api/v1/dashboards", Some(&token)).0,
        200
    );
}

#[test]
fn a_server_started_before_postgres_answers_503_until_it_is_there() {
    let port = common::free_port();
    let url = format!("postgres://vantage@127.0.0.1:{port}/vantage");
    let server = Server::start_on(&url, &[]);
    let (status, code) = status_of(&server, "/api/v1/ready", None);
    assert_eq!((status, code.as_str()), (503, "unavailable"));
    let r = server.login("admin@healthco.test", "vantage-demo");
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.body["error"]["code"], "unavailable");

    let pg = Postgres::start_on_port(port);
    wait_until(
        "ready once PostgreSQL is up",
        Duration::from_secs(60),
        || status_of(&server, "/api/v1/ready", None).0 == 200,
    );
    // Migrated and seeded by itself: the demo sign-in works.
    let token = server.token("admin@healthco.test");
    assert_eq!(
        status_of(&server, "/api/v1/dashboards", Some(&token)).0,
        200
    );
    drop(pg);
}

#[test]
fn dataset_rows_live_in_month_partitions_with_a_default() {
    let pg = Postgres::start();
    let server = Server::start_on(&pg.url(), &[]);
    let token = server.token("admin@healthco.test");
    assert_eq!(status_of(&server, "/api/v1/datasets", Some(&token)).0, 200);
    // The demo's first dataset: its table is partitioned, the seeded rows (the last days) sit
    // in month partitions, none in the default one.
    let partitions = pg.query(
        "SELECT string_agg(inhrelid::regclass::text, ',' ORDER BY 1) FROM pg_inherits WHERE inhparent = 'ev_1'::regclass",
    );
    assert!(partitions.contains("ev_1_default"), "{partitions}");
    assert!(partitions.contains("ev_1_p20"), "{partitions}");
    assert_eq!(pg.query("SELECT COUNT(*) FROM ev_1_default"), "0");
    let rows: i64 = pg.query("SELECT COUNT(*) FROM ev_1").parse().unwrap();
    assert!(rows > 0);
}
