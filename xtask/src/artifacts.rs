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

/// Shrinks a wasm file in place with binaryen's `wasm-opt` from npm (`www/node_modules/binaryen`).
///
/// Debian's binaryen 108 predates the reference-types tables rustc now emits and corrupts them
/// (`WebAssembly.Table.set(): Argument 1 is invalid`), so wasm-pack's own wasm-opt step is off
/// (`wasm-opt = false` in the crates' metadata) and this newer one runs instead.
fn optimise_wasm(file: &std::path::Path) -> Result<(), String> {
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

/// `wasm-pack build crates/sdk` into `pkg/`, published as the `vantage-embed` npm package.
pub fn build_sdk() -> Result<(), String> {
    let out = pkg_dir();
    run(&mut wasm_pack("crates/sdk", &out, "vantage_embed", &[]))?;
    optimise_wasm(&out.join("vantage_embed_bg.wasm"))?;
    let manifest = out.join("package.json");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    fs::write(&manifest, npm_manifest(&text)?)
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))
}

/// wasm-pack's package.json, published as `vantage-embed`: the ESM entry also under `module`
/// (bundlers; no `exports` map, so hosts may still import `vantage_embed_bg.wasm`), and ECharts as a peer dependency (hosts bring their own build).
fn npm_manifest(text: &str) -> Result<String, String> {
    let mut manifest: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("pkg/package.json: {e}"))?;
    let object = manifest
        .as_object_mut()
        .ok_or("pkg/package.json is not an object")?;
    let entry = object
        .get("main")
        .and_then(|m| m.as_str())
        .unwrap_or("vantage_embed.js")
        .to_owned();
    object.insert("name".into(), "vantage-embed".into());
    object.insert("module".into(), entry.into());
    object.insert(
        "peerDependencies".into(),
        serde_json::json!({ "echarts": ">=5.5 <7" }),
    );
    serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())
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
