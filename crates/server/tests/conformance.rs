//! Runs the backend-agnostic conformance suite (`crates/conformance`, shared with
//! `cargo xtask conformance`) against the reference server.

mod common;

#[test]
fn reference_server_passes_the_conformance_suite() {
    let server = common::Server::start(&[]);
    let summary = vantage_conformance::run(&server.base).expect("suite runs");
    assert!(
        summary.failed.is_empty(),
        "failed checks:\n{}",
        summary.failed.join("\n")
    );
    assert!(summary.passed > 100, "only {} checks ran", summary.passed);
}
