//! Builds the app's wasm split into lazily loaded chunks (issue 18 item 3): what `wasm-pack
//! build` does for the app, with the split step cargo-leptos' `--split` runs in between.
//!
//! 1. `cargo rustc -p vantage-app --release --target wasm32-unknown-unknown`, linked with
//!    `--emit-relocs` (only the final link needs it, so the dependencies' cached builds stay);
//! 2. `wasm_split_cli_support::transform` cuts the module at the app's `#[wasm_split]` points
//!    (`crates/app/src/lazy.rs`): the main module, one `split_<name>.wasm` per split point, shared
//!    `chunk_<n>.wasm` files for code several split points need, and `__wasm_split.js`, which
//!    fetches and instantiates them against the main module's memory and table;
//! 3. `wasm-bindgen --target web` on the main module (keeping the linker's exports, which the
//!    chunks import).
//!
//! Everything lands in the app folder; [`super::build_app`] then runs wasm-opt on every wasm file
//! and fingerprints them ([`super::fingerprint`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{repo_root, run, target_dir};

/// The link module the main module and the chunks share (relative to the app folder).
pub const LINK_JS: &str = "__wasm_split.js";

/// Builds `vantage_app.js`, `vantage_app_bg.wasm`, [`LINK_JS`] and the chunks into `out`.
/// Returns the chunks' file names.
pub fn build(out: &Path) -> Result<Vec<String>, String> {
    let linked = cargo_build()?;
    let input = fs::read(&linked).map_err(|e| format!("cannot read {}: {e}", linked.display()))?;
    let scratch = target_dir().join("wasm-split");
    fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let main = scratch.join("vantage_app.wasm");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = out;
        options.main_out_path = &main;
        options.link_name = "./__wasm_split.js";
        // The link module imports `initSync` from the glue, whose file is beside it.
        options.main_module = "./vantage_app.js";
        options
    })
    .map_err(|e| format!("wasm split of {}: {e:?}", linked.display()))?;
    run(Command::new("wasm-bindgen")
        .current_dir(repo_root())
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
            "--out-name",
            "vantage_app",
            "--out-dir",
        ])
        .arg(out)
        .arg(&main))?;
    let mut chunks: Vec<String> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    chunks.sort();
    Ok(chunks)
}

/// The release build of the app linked with relocations; returns the `.wasm` path.
fn cargo_build() -> Result<PathBuf, String> {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(repo_root())
            .args([
                "rustc",
                "-p",
                "vantage-app",
                "--lib",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-C",
                "link-arg=--emit-relocs",
            ]),
    )?;
    Ok(target_dir().join("wasm32-unknown-unknown/release/vantage_app.wasm"))
}
