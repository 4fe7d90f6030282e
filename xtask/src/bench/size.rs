//! Package size: the SDK package's wasm plus its JS glue (`pkg/*.wasm`, `pkg/*.js`), raw, gzip -9
//! and brotli quality 11 (what a CDN would serve). Unless `--quick`, the package is rebuilt
//! first with `wasm-pack --release` and `wasm-opt -Oz`, exactly as `cargo xtask demo` builds it.

use super::report::{Goal, Row};
use super::Options;
use crate::artifacts::{build_sdk, pkg_dir};
use std::io::Write;

/// The SDK budget: ≤ 150 KB brotli for wasm + glue (KB = 1024 bytes).
const BROTLI_BUDGET_KB: f64 = 150.0;

pub fn run(options: &Options) -> Vec<Row> {
    let rebuilt = if options.quick {
        None
    } else {
        Some(build_sdk())
    };
    let name = "SDK package (wasm + JS glue), brotli";
    if let Some(Err(e)) = &rebuilt {
        return vec![Row::failed(name, "KB", Goal::AtMost(BROTLI_BUDGET_KB), e)];
    }
    match measure() {
        Ok(sizes) => rows(name, &sizes, rebuilt.is_none()),
        Err(e) => vec![Row::failed(name, "KB", Goal::AtMost(BROTLI_BUDGET_KB), &e)],
    }
}

struct Sizes {
    files: Vec<String>,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn measure() -> Result<Sizes, String> {
    let dir = pkg_dir();
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        format!(
            "{} missing ({e}); run `cargo xtask bench` without --quick",
            dir.display()
        )
    })?;
    let mut sizes = Sizes {
        files: Vec::new(),
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let shipped = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js")
        );
        if !shipped {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sizes.raw += bytes.len();
        sizes.gzip += gzip(&bytes)?;
        sizes.brotli += brotli(&bytes)?;
        sizes.files.push(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        );
    }
    if sizes.files.iter().any(|f| f.ends_with(".wasm")) {
        Ok(sizes)
    } else {
        Err(format!("no .wasm in {}", dir.display()))
    }
}

fn gzip(bytes: &[u8]) -> Result<usize, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map(|v| v.len()).map_err(|e| e.to_string())
}

fn brotli(bytes: &[u8]) -> Result<usize, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out.len())
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn rows(name: &str, s: &Sizes, stale_ok: bool) -> Vec<Row> {
    let files = s.files.join(" + ");
    let origin = if stale_ok {
        "existing pkg/ (--quick: not rebuilt)"
    } else {
        "pkg/ rebuilt by wasm-pack --release + wasm-opt -Oz (npm binaryen)"
    };
    vec![
        Row::new("SDK package (wasm + JS glue), raw", "KB", Goal::None)
            .ours(kb(s.raw))
            .note(format!("{files}; {origin}; KB = 1024 bytes")),
        Row::new("SDK package (wasm + JS glue), gzip -9", "KB", Goal::None).ours(kb(s.gzip)),
        Row::new(name, "KB", Goal::AtMost(BROTLI_BUDGET_KB))
            .ours(kb(s.brotli))
            .note("no peer: the peer pages load ECharts alone (see BENCHMARKS.md)"),
    ]
}
