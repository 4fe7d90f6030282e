//! Builds a wasm module split into lazily loaded chunks (issue 18 item 3): what `wasm-pack
//! build` does, with the split step cargo-leptos' `--split` runs in between. Used for the app and
//! for the `vantage-embed` package ([`Split::APP`], [`Split::PACKAGE`]).
//!
//! 1. `cargo rustc -p <crate> --release --target wasm32-unknown-unknown`, linked with
//!    `--emit-relocs` (only the final link needs it, so the dependencies' cached builds stay).
//!    The package turns on the SDK's `split` feature, which makes its on-demand functions (the
//!    exporters, the live transport) split points; the app leaves it off: a split point's export
//!    is a root of the link, so one the app never calls would land in its first module;
//! 2. `wasm_split_cli_support::transform` cuts the module at the `#[wasm_split]` points (the
//!    app's pages in `crates/app/src/lazy.rs`, the SDK's in `crates/sdk/src/lazy.rs`): the main
//!    module, one `split_<name>.wasm` per split point, shared `chunk_<n>.wasm` files for code
//!    several split points need, and `__wasm_split.js`, which fetches them (`new URL(…,
//!    import.meta.url)`, the form bundlers rewrite) and instantiates them against the main
//!    module's memory and table;
//! 3. `wasm-bindgen --target web` on the main module (keeping the linker's exports, which the
//!    chunks import).
//!
//! Everything lands in the output folder; [`super::build_app`] and [`super::build_sdk`] then run
//! wasm-opt on every wasm file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{repo_root, run, target_dir};

/// The link module the main module and the chunks share (relative to the app folder).
pub const LINK_JS: &str = "__wasm_split.js";

/// What to build and split.
pub struct Split {
    /// The cargo package.
    package: &'static str,
    /// The name rustc gives its `.wasm` (the package name with underscores).
    lib: &'static str,
    /// Its features.
    features: &'static [&'static str],
    /// The glue's name: `<out_name>.js` and `<out_name>_bg.wasm`.
    out_name: &'static str,
    /// The main module's file in `<target>/wasm-split/`, as the split step leaves it.
    scratch: &'static str,
    /// Whether wasm-bindgen writes TypeScript declarations.
    typescript: bool,
}

impl Split {
    /// The app (no typings).
    pub const APP: Split = Split {
        package: "vantage-app",
        lib: "vantage_app",
        features: &[],
        out_name: "vantage_app",
        scratch: "vantage_app.wasm",
        typescript: false,
    };

    /// The `vantage-embed` package as published: the JS API only.
    pub const PACKAGE: Split = Split {
        package: "vantage-sdk",
        lib: "vantage_sdk",
        features: &["vantage-sdk/split"],
        out_name: "vantage_embed",
        scratch: "vantage_embed.wasm",
        typescript: true,
    };

    /// The package as the reference server serves it at `/pkg/`, with the development entry
    /// points this repository's pages use (the widget gallery, the benchmarks, the live probe).
    pub const PACKAGE_DEV: Split = Split {
        features: &["vantage-sdk/split", "vantage-sdk/dev-entry-points"],
        scratch: "vantage_embed_dev.wasm",
        ..Split::PACKAGE
    };

    /// The main wasm file wasm-bindgen writes (`<out_name>_bg.wasm`).
    pub fn main_wasm(&self) -> String {
        format!("{}_bg.wasm", self.out_name)
    }

    /// The main module as the split step leaves it (with its `name` section), for breakdowns.
    pub fn main_module(&self) -> PathBuf {
        target_dir().join("wasm-split").join(self.scratch)
    }
}

/// Builds `<out_name>.js`, `<out_name>_bg.wasm`, [`LINK_JS`] and the chunks into `out`.
/// Returns the chunks' file names.
pub fn build(what: &Split, out: &Path) -> Result<Vec<String>, String> {
    let linked = cargo_build(what)?;
    let input = fs::read(&linked).map_err(|e| format!("cannot read {}: {e}", linked.display()))?;
    let scratch = target_dir().join("wasm-split");
    fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let main = what.main_module();
    let main_module = format!("./{}.js", what.out_name);
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = out;
        options.main_out_path = &main;
        options.link_name = "./__wasm_split.js";
        // The link module imports `initSync` from the glue, whose file is beside it.
        options.main_module = &main_module;
        options
    })
    .map_err(|e| format!("wasm split of {}: {e:?}", linked.display()))?;
    let mut bindgen = Command::new("wasm-bindgen");
    bindgen
        .current_dir(repo_root())
        .args(["--target", "web", "--keep-lld-exports", "--out-name"])
        .arg(what.out_name);
    if !what.typescript {
        bindgen.arg("--no-typescript");
    }
    run(bindgen.arg("--out-dir").arg(out).arg(&main))?;
    let link = out.join(LINK_JS);
    let text = fs::read_to_string(&link).map_err(|e| format!("{}: {e}", link.display()))?;
    fs::write(&link, fetch_inlined_chunks(&text)?)
        .map_err(|e| format!("{}: {e}", link.display()))?;
    let mut chunks: Vec<String> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    chunks.sort();
    Ok(chunks)
}

/// What the link module fetches a chunk with, for bundlers that inline small files: Vite inlines
/// every asset under 4 KB as a `data:` URL (a shared chunk can be a few hundred bytes), and a
/// host's CSP (`connect-src 'self'`) forbids `fetch`ing one. This decodes such a URL itself (no
/// request, no CSP check: compiling stays under `'wasm-unsafe-eval'`) and fetches anything else.
const FETCH_CHUNK: &str = r#"// Written by cargo xtask (xtask/src/artifacts/split.rs): a chunk a bundler inlined as a data:
// URL is decoded here, since a strict CSP (connect-src) forbids fetching one.
function fetchChunk(url) {
    if (url.protocol !== "data:") return fetch(url);
    const [meta, data] = url.href.slice(5).split(",", 2);
    const text = meta.endsWith(";base64") ? atob(data) : decodeURIComponent(data);
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    return Promise.resolve(new Response(bytes, { headers: { "Content-Type": "application/wasm" } }));
}
"#;

/// The link module with every chunk fetched through [`FETCH_CHUNK`]; an error if it fetches
/// nothing the way `wasm_split_cli_support` writes it (a new version that changed its output).
fn fetch_inlined_chunks(link: &str) -> Result<String, String> {
    const FETCH: &str = "fetch(new URL(";
    if !link.contains(FETCH) {
        return Err(format!(
            "{LINK_JS} fetches no chunk with `{FETCH}`: update fetch_inlined_chunks"
        ));
    }
    // A function declaration: hoisted, so the loaders above it can call it.
    Ok(format!(
        "{}\n{FETCH_CHUNK}",
        link.replace(FETCH, "fetchChunk(new URL(")
    ))
}

/// The release build linked with relocations; returns the `.wasm` path.
fn cargo_build(what: &Split) -> Result<PathBuf, String> {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(repo_root())
        .args(["rustc", "-p", what.package, "--lib", "--release"])
        .args(["--target", "wasm32-unknown-unknown"]);
    if !what.features.is_empty() {
        cargo.args(["--features", &what.features.join(",")]);
    }
    run(cargo.args(["--", "-C", "link-arg=--emit-relocs"]))?;
    Ok(target_dir().join(format!("wasm32-unknown-unknown/release/{}.wasm", what.lib)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_fetched_through_the_data_url_aware_fetcher() {
        let link = "import { initSync } from \"./vantage_embed.js\";\nconst c = makeLoad(() => {\n    const src = fetch(new URL(\"./chunk_3.wasm\", import.meta.url));\n}, []);\n";
        let patched = fetch_inlined_chunks(link).unwrap();
        assert!(patched.starts_with("import { initSync }"));
        assert!(patched.contains("fetchChunk(new URL(\"./chunk_3.wasm\", import.meta.url))"));
        assert!(!patched.contains(" fetch(new URL("));
        assert!(patched.contains("function fetchChunk(url)"));
        assert!(fetch_inlined_chunks("export const x = 1;").is_err());
    }
}
