//! `cargo xtask <command>`: the only entry points a person or CI needs.
//!
//! - `setup`: install what is missing (wasm target, Chromium + driver, binaryen, wasm-bindgen-cli
//!   at the locked version, npm packages). Idempotent and quick when all is present.
//! - `demo [--addr A]`: build the app and SDK package, run the reference server with demo data.
//! - `cluster [--addr A] [--api-only]`: the same behind HAProxy as two replicas sharing a Redis live bus and
//!   one SQLite file (`cluster.rs`).
//! - `test [--only TEXT]`: fmt, clippy, native tests, conformance (reference server and the local cluster),
//!   OpenAPI fuzzing (schemathesis), wasm tests in headless Chromium, end-to-end (with a failover
//!   test through the cluster).
//! - `fuzz [schemathesis options]`: the OpenAPI fuzz step of `test` alone (schemathesis against a
//!   fresh dev server).
//! - `conformance --base-url U`: run the contract conformance suite against any backend.

mod artifacts;
mod bench;
mod cluster;
mod demo;
mod fuzz;
mod postgres;
mod server;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <setup | demo [--addr 127.0.0.1:8080] | cluster [--addr 127.0.0.1:8080] [--api-only] | test [--only STEP[,STEP…]] | fuzz [OPTIONS] | \
bench [--filter data|fanout|ingest|size|browser|cluster] [--quick] | conformance --base-url URL>";

fn conformance_command(args: &[String]) -> Result<(), String> {
    let base_url = match args {
        [flag, url] if flag == "--base-url" => url.trim_end_matches('/'),
        _ => return Err(format!("conformance needs --base-url URL\n{USAGE}")),
    };
    report_conformance(base_url).map(drop)
}

/// Runs the conformance suite and turns failures into an error.
pub fn report_conformance(base_url: &str) -> Result<String, String> {
    let summary = vantage_conformance::run(base_url)?;
    if summary.ok() {
        Ok(format!("{} conformance checks passed", summary.passed))
    } else {
        Err(format!(
            "{} conformance checks failed ({} passed): {}",
            summary.failed.len(),
            summary.passed,
            summary.failed.join("; ")
        ))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("demo") => demo::run(&args[1..]),
        Some("cluster") => cluster::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("conformance") => conformance_command(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command '{other}'\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
