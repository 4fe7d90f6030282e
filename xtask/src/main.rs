//! `cargo xtask <command>`: the only entry points a person or CI needs.
//!
//! - `setup`: install what is missing (wasm target, Chromium + driver, binaryen, wasm-bindgen-cli
//!   at the locked version, wasm-pack, npm packages). Idempotent and quick when all is present.
//! - `demo [--addr A]`: build the app and SDK package, run the reference server with demo data.
//! - `test`: fmt, clippy, native tests, conformance, wasm tests in headless Chromium, end-to-end.
//! - `conformance --base-url U`: run the contract conformance suite against any backend.

mod artifacts;
mod demo;
mod server;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <setup | demo [--addr 127.0.0.1:8080] | test | conformance --base-url URL>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
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
