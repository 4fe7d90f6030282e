//! Builds what the browser loads: the SDK npm package (`pkg/`) and the app bundle.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{repo_root, run, target_dir};

/// Where the app's wasm-pack output goes (served at `/app/`).
pub fn app_dir() -> PathBuf {
    target_dir().join("www/app")
}

/// The SDK package folder (served at `/pkg/`).
pub fn pkg_dir() -> PathBuf {
    repo_root().join("pkg")
}

/// ECharts' dist folder (served at `/vendor/echarts/`).
pub fn echarts_dir() -> PathBuf {
    repo_root().join("www/node_modules/echarts/dist")
}

fn wasm_pack(crate_dir: &str, out_dir: &PathBuf, out_name: &str, extra: &[&str]) -> Command {
    let mut command = Command::new("wasm-pack");
    command
        .current_dir(repo_root())
        .args([
            "build",
            crate_dir,
            "--release",
            "--target",
            "web",
            "--out-name",
            out_name,
            "--out-dir",
        ])
        .arg(out_dir)
        .args(extra);
    command
}

/// `wasm-pack build crates/sdk` into `pkg/`, published as the `vantage-embed` npm package.
pub fn build_sdk() -> Result<(), String> {
    let out = pkg_dir();
    run(&mut wasm_pack("crates/sdk", &out, "vantage_embed", &[]))?;
    let manifest = out.join("package.json");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    let renamed = text.replacen(
        "\"name\": \"vantage-sdk\"",
        "\"name\": \"vantage-embed\"",
        1,
    );
    fs::write(&manifest, renamed).map_err(|e| format!("cannot write {}: {e}", manifest.display()))
}

/// `wasm-pack build crates/app` into the target folder (no npm package, no typings).
pub fn build_app() -> Result<(), String> {
    run(&mut wasm_pack(
        "crates/app",
        &app_dir(),
        "vantage_app",
        &["--no-typescript", "--no-pack"],
    ))
}
