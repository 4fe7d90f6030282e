//! Runs the backend-agnostic conformance suite (`crates/conformance`) against the reference
//! server on PostgreSQL (`--database-url`), on a PostgreSQL 15 the test starts
//! (`common::postgres`). Its own test binary: the suite's live checks read sockets for seconds
//! and must not share a process with tests that start and stop PostgreSQL meanwhile.

mod common;

#[test]
fn the_conformance_suite_passes_on_postgres() {
    let pg = common::postgres::Postgres::start();
    let server = common::Server::start_on(&pg.url(), &[]);
    let summary = vantage_conformance::run(&server.base).expect("suite runs");
    assert!(
        summary.failed.is_empty(),
        "failed checks:\n{}",
        summary.failed.join("\n")
    );
    assert!(summary.passed > 100, "only {} checks ran", summary.passed);
}
