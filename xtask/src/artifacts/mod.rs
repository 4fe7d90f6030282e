//! Builds what the browser loads: the SDK npm package (`pkg/`), the app bundle and the vendored
//! ECharts. Both wasm files go through `wasm-opt -Oz`; the app's glue and wasm get content-hashed
//! names (cached immutably by the server) behind a small `boot.js`; every served asset gets
//! brotli/gzip siblings ([`compress`]).

pub mod compress;
mod fingerprint;
pub mod npm;

use std::fs;
use std::path::{Path, PathBuf};
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

/// The vendored ECharts (served at `/vendor/echarts/`): `echarts.min.js` from www/node_modules
/// with its precompressed siblings, written by [`vendor_echarts`].
pub fn echarts_dir() -> PathBuf {
    target_dir().join("www/vendor/echarts")
}

/// Copies ECharts' dist build into [`echarts_dir`] and precompresses it (skipped when current).
pub fn vendor_echarts() -> Result<(), String> {
    let source = repo_root().join("www/node_modules/echarts/dist/echarts.min.js");
    let dir = echarts_dir();
    let copy = dir.join("echarts.min.js");
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let current = modified(&copy).is_some_and(|c| modified(&source).is_some_and(|s| c >= s))
        && dir.join("echarts.min.js.br").exists();
    if current {
        return Ok(());
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    fs::copy(&source, &copy).map_err(|e| {
        format!(
            "cannot copy {} (run `cargo xtask setup`): {e}",
            source.display()
        )
    })?;
    compress::precompress_dir(&dir)
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

/// Shrinks a wasm file in place with binaryen's `wasm-opt` from npm (`www/node_modules/binaryen`).
///
/// Debian's binaryen 108 predates the reference-types tables rustc now emits and corrupts them
/// (`WebAssembly.Table.set(): Argument 1 is invalid`), so wasm-pack's own wasm-opt step is off
/// (`wasm-opt = false` in the crates' metadata) and this newer one runs instead.
fn optimise_wasm(file: &Path) -> Result<(), String> {
    let wasm_opt = repo_root().join("www/node_modules/binaryen/bin/wasm-opt");
    let mut command = Command::new("node");
    command.arg(&wasm_opt).arg(file).arg("-o").arg(file).args([
        "-Oz",
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-reference-types",
        "--enable-multivalue",
    ]);
    run(&mut command)
}

/// `wasm-pack build crates/sdk` into `pkg/`, published as the `vantage-embed` npm package
/// (see [`npm`]), with precompressed siblings for the server (not part of the package's files).
pub fn build_sdk() -> Result<(), String> {
    let out = pkg_dir();
    // The served pkg/ carries the development entry points the gallery and bench pages import
    // (TODO #16: a separate build without `dev-entry-points` for publishing).
    run(&mut wasm_pack(
        "crates/sdk",
        &out,
        "vantage_embed",
        &["--features", "dev-entry-points"],
    ))?;
    optimise_wasm(&out.join("vantage_embed_bg.wasm"))?;
    npm::write_package(&out)?;
    compress::precompress_dir(&out)?;
    vendor_echarts()
}

/// `wasm-pack build crates/app` into the target folder (no npm package, no typings), optimised
/// like the package, then fingerprinted behind `boot.js` and precompressed.
pub fn build_app() -> Result<(), String> {
    let out = app_dir();
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    run(&mut wasm_pack(
        "crates/app",
        &out,
        "vantage_app",
        &["--no-typescript", "--no-pack"],
    ))?;
    optimise_wasm(&out.join("vantage_app_bg.wasm"))?;
    fingerprint::app_bundle(&out, &repo_root().join("www/boot/app.js"))?;
    compress::precompress_dir(&out)?;
    vendor_echarts()
}
