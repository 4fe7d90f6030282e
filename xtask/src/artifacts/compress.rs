//! Build-time compression: brotli (quality 11) and gzip (-9) siblings written next to each asset
//! (`x.wasm` → `x.wasm.br`, `x.wasm.gz`), which the server sends by `Accept-Encoding`, so no
//! request pays for compressing at run time and the best (slowest) settings are affordable.

use std::io::Write;
use std::path::Path;

/// What is worth compressing: text and wasm. Images and fonts are already compressed.
const COMPRESSIBLE: [&str; 8] = ["js", "mjs", "wasm", "css", "html", "json", "svg", "map"];

/// gzip -9 of `bytes`.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

/// brotli quality 11, 4 MiB window (what a CDN serves for static assets).
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Writes `.br` and `.gz` next to every compressible file under `dir` (recursively), replacing
/// stale ones.
pub fn precompress_dir(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "node_modules") {
                precompress_dir(&path)?;
            }
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if compressible {
            precompress_file(&path)?;
        }
    }
    Ok(())
}

fn precompress_file(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (suffix, packed) in [("br", brotli(&bytes)?), ("gz", gzip(&bytes)?)] {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(suffix);
        std::fs::write(&name, packed)
            .map_err(|e| format!("{}: {e}", Path::new(&name).display()))?;
    }
    Ok(())
}
