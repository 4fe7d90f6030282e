//! Builds what the browser loads: the SDK npm package (`pkg/`), the app bundle and the vendored
//! ECharts (the full dist build and a trimmed one). Both wasm files go through `wasm-opt -Oz`; the
//! app's glue, wasm and trimmed ECharts get content-hashed names (cached immutably by the server)
//! behind a small `boot.js`; every served asset gets brotli/gzip siblings ([`compress`]).

pub mod compress;
mod fingerprint;
mod merge;
pub mod npm;
pub mod split;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{repo_root, run, target_dir};

/// Where the app bundle goes (served at `/app/`).
pub fn app_dir() -> PathBuf {
    target_dir().join("www/app")
}

/// The SDK package folder served at `/pkg/`: the package with the development entry points this
/// repository's pages use (the widget gallery, the benchmarks).
pub fn pkg_dir() -> PathBuf {
    repo_root().join("pkg")
}

/// The `vantage-embed` package as published (`npm pack` packs this folder): the JS API only.
pub fn npm_package_dir() -> PathBuf {
    target_dir().join("npm-package")
}

/// The vendored ECharts (served at `/vendor/echarts/`), written by [`vendor_echarts`] with
/// precompressed siblings: [`TRIMMED_ECHARTS`], what the app, the demo pages and the gallery load,
/// and ECharts' full dist build `echarts.min.js` (the benchmark pages' plain-ECharts peers and
/// hosts who want every chart kind use it).
pub fn echarts_dir() -> PathBuf {
    target_dir().join("www/vendor/echarts")
}

/// `echarts/core` with only the charts, components and renderers the widgets use, bundled by
/// esbuild from `www/boot/echarts.js` into a classic script defining `globalThis.echarts`.
pub const TRIMMED_ECHARTS: &str = "echarts-vantage.min.js";

/// The first line of [`TRIMMED_ECHARTS`]: V8's explicit compile hint (Chrome 136+), which
/// compiles every function of the file eagerly, off the main thread while the script streams
/// in. Without it V8 compiles each ECharts function on its first call, on the main thread: the
/// first chart a page draws took 275–330 ms at a 4× CPU slowdown, 140–160 ms with it
/// (BENCHMARKS.md, "Mobile profile"). Other engines read a comment.
const COMPILE_HINT: &str = "//# allFunctionsCalledOnLoad";

/// Writes both ECharts builds into [`echarts_dir`] and precompresses them (skipped when current:
/// newer than the entry, ECharts' and esbuild's installed versions).
pub fn vendor_echarts() -> Result<(), String> {
    let www = repo_root().join("www");
    let dist = www.join("node_modules/echarts/dist/echarts.min.js");
    let entry = www.join("boot/echarts.js");
    let dir = echarts_dir();
    let (full, trimmed) = (dir.join("echarts.min.js"), dir.join(TRIMMED_ECHARTS));
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let inputs = [
        &dist,
        &entry,
        &www.join("node_modules/echarts/package.json"),
        &www.join("node_modules/esbuild/package.json"),
    ];
    let current = [&full, &trimmed].iter().all(|out| {
        let mut br = out.as_os_str().to_owned();
        br.push(".br");
        Path::new(&br).exists()
            && modified(out)
                .is_some_and(|o| inputs.iter().all(|i| modified(i).is_some_and(|i| o >= i)))
    }) && fs::read(&trimmed).is_ok_and(|t| t.starts_with(COMPILE_HINT.as_bytes()));
    if current {
        return Ok(());
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    fs::copy(&dist, &full).map_err(|e| {
        format!(
            "cannot copy {} (run `cargo xtask setup`): {e}",
            dist.display()
        )
    })?;
    bundle_echarts(&entry, &trimmed)?;
    compress::precompress_dir(&dir)
}

/// esbuild from `www/node_modules` (a devDependency): one minified IIFE for browsers, with
/// ECharts' development-only checks compiled out (`process.env.NODE_ENV`), under
/// [`COMPILE_HINT`].
fn bundle_echarts(entry: &Path, out: &Path) -> Result<(), String> {
    let www = repo_root().join("www");
    run(Command::new(www.join("node_modules/.bin/esbuild"))
        .current_dir(&www)
        .arg(entry)
        .args([
            "--bundle",
            "--minify",
            "--format=iife",
            "--target=es2020",
            "--legal-comments=none",
            "--log-level=warning",
            "--define:process.env.NODE_ENV=\"production\"",
        ])
        .arg(format!("--banner:js={COMPILE_HINT}"))
        .arg(format!("--outfile={}", out.display())))
}

/// Minifies wasm-bindgen's JS glue in place with esbuild (no bundling: the module keeps its
/// imports and exports, and `new URL("…_bg.wasm", import.meta.url)` for bundlers): 85 KB of
/// glue became 36 KB, 12.7 → 8.2 KB brotli for the package. The split link module stays as
/// wasm-split writes it: the size benchmark reads its loaders (`bench/size.rs`).
fn minify_glue(file: &Path) -> Result<(), String> {
    let www = repo_root().join("www");
    let minified = file.with_extension("min.js");
    run(Command::new(www.join("node_modules/.bin/esbuild"))
        .current_dir(&www)
        .arg(file)
        .args(["--minify", "--legal-comments=none", "--log-level=error"])
        .arg(format!("--outfile={}", minified.display())))?;
    fs::rename(&minified, file).map_err(|e| format!("cannot replace {}: {e}", file.display()))
}

/// Shrinks a wasm file in place with binaryen's `wasm-opt` from npm (`www/node_modules/binaryen`).
///
/// Debian's binaryen 108 predates the reference-types tables rustc now emits and corrupts them
/// (`WebAssembly.Table.set(): Argument 1 is invalid`), so this newer one runs on every wasm file.
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

/// The `vantage-embed` npm package (see [`npm`]): the SDK's wasm built and split like the app's
/// ([`split`]: the first chart's module, plus the exporters and the live transport fetched on
/// first use), each wasm file optimised. Built twice: as published ([`npm_package_dir`]) and with
/// the development entry points into `pkg/`, which the server serves, with precompressed siblings
/// (not part of the package's files).
pub fn build_sdk() -> Result<(), String> {
    for (what, out) in [
        (&split::Split::PACKAGE, npm_package_dir()),
        (&split::Split::PACKAGE_DEV, pkg_dir()),
    ] {
        let chunks = build_optimised(what, &out)?;
        npm::write_package(&out, &chunks)?;
        compress::precompress_dir(&out)?;
    }
    npm::check_no_dev_entry_points(&npm_package_dir())?;
    vendor_echarts()
}

/// Builds and splits `what` into a fresh `out` ([`split::build`]; a stale chunk would be served
/// or packed, since chunk names depend on the split) and optimises every wasm file; returns the
/// chunks' file names.
fn build_optimised(what: &split::Split, out: &Path) -> Result<Vec<String>, String> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let chunks = split::build(what, out)?;
    minify_glue(&out.join(what.glue()))?;
    optimise_wasm(&out.join(what.main_wasm()))?;
    for chunk in &chunks {
        optimise_wasm(&out.join(chunk))?;
    }
    Ok(chunks)
}

/// The app's wasm built and split into lazily loaded chunks ([`split`]; the JS glue, no typings),
/// each wasm file optimised like the package's, then fingerprinted behind `boot.js` with a copy
/// of the trimmed ECharts, and precompressed.
pub fn build_app() -> Result<(), String> {
    let out = app_dir();
    let chunks = build_optimised(&split::Split::APP, &out)?;
    vendor_echarts()?;
    fingerprint::app_bundle(
        &out,
        &repo_root().join("www/boot/app.js"),
        &echarts_dir().join(TRIMMED_ECHARTS),
        &chunks,
    )?;
    compress::precompress_dir(&out)
}
