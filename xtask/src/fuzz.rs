//! The OpenAPI fuzz step of `cargo xtask test`: schemathesis generates requests from the
//! committed `openapi.json` (valid and invalid ones, across every operation) and checks each
//! answer of a real reference server against the document: no 5xx, only documented statuses,
//! bodies that validate against their schema, the documented content type.
//!
//! The server is a fresh one of its own (scratch database, small demo data), because the fuzzer
//! creates, edits and deletes whatever its tenant-admin token may: the other steps' servers stay
//! untouched. What runs, with which credentials and which operations are left out (and why), is
//! in `xtask/schemathesis.toml`, so a developer can run the same thing by hand.

use std::path::Path;
use std::process::Command;

use crate::server::{self, StartOptions};
use crate::util::{repo_root, target_dir};

/// `cargo xtask fuzz [schemathesis run options]`: builds the dev server and runs the fuzz step
/// alone; options go to `schemathesis run` and win over the config (`--seed 7`,
/// `--max-examples 200`, `--include-path-regex dashboards`).
pub fn run(args: &[String]) -> Result<(), String> {
    crate::setup::run()?;
    let binary = server::build(server::Profile::Dev)?;
    let note = run_with(&binary, args)?;
    println!("fuzz: {note}");
    Ok(())
}

/// Starts a scratch server, runs schemathesis against it with the settings of
/// `xtask/schemathesis.toml` and reports what it covered.
pub fn run_against_fresh_server(binary: &Path) -> Result<String, String> {
    run_with(binary, &[])
}

fn run_with(binary: &Path, extra: &[String]) -> Result<String, String> {
    let server = server::start(StartOptions {
        binary,
        db: server::scratch_db("fuzz")?,
        database_url: None,
        addr: "127.0.0.1:0",
        extra_args: [
            "--demo",
            "--demo-days",
            "1",
            "--demo-events",
            "2000",
            "--events-per-sec",
            "20",
            // No per-token request limit: at the fuzzer's pace most requests would otherwise be
            // answered 429 and never reach the logic under test (conformance checks the limit).
            "--rate-limit",
            "0",
        ]
        .map(String::from)
        .to_vec(),
    })?;
    let reports = target_dir().join("test-artifacts/schemathesis");
    std::fs::create_dir_all(&reports)
        .map_err(|e| format!("cannot create {}: {e}", reports.display()))?;
    let junit = reports.join("junit.xml");
    crate::util::run(
        Command::new("python3")
            .current_dir(repo_root())
            .args([
                "-m",
                "schemathesis.cli",
                "--config-file",
                "xtask/schemathesis.toml",
            ])
            .args(["run", "openapi.json", "--url", &server.url])
            .args(["--report", "junit", "--report-junit-path"])
            .arg(&junit)
            .args(extra)
            .env("NO_COLOR", "1"),
    )
    .map_err(|e| format!("{e}; the failures and `st replay` commands are printed above"))?;
    drop(server);
    Ok(summary(&junit))
}

/// How many operations were fuzzed, from the JUnit report (a test case per operation, named
/// `METHOD /path`, and one for the stateful phase).
fn summary(junit: &Path) -> String {
    let report = std::fs::read_to_string(junit).unwrap_or_default();
    let operations = report.matches("<testcase name=\"").count()
        - report.matches("<testcase name=\"Stateful").count();
    format!(
        "{operations} operations fuzzed against openapi.json; report {}",
        junit.display()
    )
}
