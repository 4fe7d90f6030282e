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
//! 3. for the app, the dashboard module and the 24 chunks it needs are merged into its one file
//!    ([`merge_closure`], [`super::merge`]): every signed-in visitor loads it (the dashboards are
//!    the home page), and as 25 files it cost a dashboard opened by its address ≈ 100 ms and
//!    ≈ 48 KB brotli more (BENCHMARKS.md, "App cold load");
//! 4. `wasm-bindgen --target web` on the main module (keeping the linker's exports, which the
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
    /// A split module merged with the chunks it needs into its one file ([`merge_closure`]).
    merge: Option<&'static str>,
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
        // Opened by its address, a dashboard needs its module and 24 chunks: one file instead.
        merge: Some("dashboard"),
    };

    /// The `vantage-embed` package as published: the JS API only.
    pub const PACKAGE: Split = Split {
        package: "vantage-sdk",
        lib: "vantage_sdk",
        features: &["vantage-sdk/split"],
        out_name: "vantage_embed",
        scratch: "vantage_embed.wasm",
        typescript: true,
        merge: None,
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

    /// The JS glue wasm-bindgen writes (`<out_name>.js`).
    pub fn glue(&self) -> String {
        format!("{}.js", self.out_name)
    }

    /// The main module as the split step leaves it (with its `name` section), for breakdowns.
    pub fn main_module(&self) -> PathBuf {
        target_dir().join("wasm-split").join(self.scratch)
    }

    /// The merged module ([`merge_closure`]) before wasm-opt (with its `name` section), for
    /// breakdowns; `None` when nothing is merged.
    pub fn merged_module(&self) -> Option<PathBuf> {
        let name = self.merge?;
        let stem = self.scratch.trim_end_matches(".wasm");
        Some(
            target_dir()
                .join("wasm-split")
                .join(format!("{stem}_split_{name}.wasm")),
        )
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
    let link = out.join(LINK_JS);
    let mut merged_away = Vec::new();
    if let Some(name) = what.merge {
        let text = fs::read_to_string(&link).map_err(|e| format!("{}: {e}", link.display()))?;
        let (text, removed) = merge_closure(out, &text, name, what.merged_module().as_deref())?;
        fs::write(&link, text).map_err(|e| format!("{}: {e}", link.display()))?;
        merged_away = removed;
    }
    let mut bindgen = Command::new("wasm-bindgen");
    bindgen
        .current_dir(repo_root())
        .args(["--target", "web", "--keep-lld-exports", "--out-name"])
        .arg(what.out_name);
    if !what.typescript {
        bindgen.arg("--no-typescript");
    }
    run(bindgen.arg("--out-dir").arg(out).arg(&main))?;
    let text = fs::read_to_string(&link).map_err(|e| format!("{}: {e}", link.display()))?;
    fs::write(&link, fetch_inlined_chunks(&text)?)
        .map_err(|e| format!("{}: {e}", link.display()))?;
    let mut chunks: Vec<String> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !merged_away.contains(n))
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

/// Merges split module `name` and the chunks its loader lists into `split_<name>.wasm`
/// ([`super::merge`]), deletes the chunks' files and rewrites `link` so that the module and each
/// of those chunks are one load: `const __merged_<name> = makeLoad(<the module's fetcher>, [])`,
/// every merged `const __chunk_<n> = __merged_<name>;` (other modules that share a chunk wait for
/// the same, memoised load) and `__wasm_split_load_<name> = wrapAsyncCb(__merged_<name>)`.
/// A copy of the merged module goes to `keep` (for the size breakdown). Returns the new link
/// module and the removed files' names. An error when `link` is not written the way
/// `wasm_split_cli_support` 0.2 writes it.
fn merge_closure(
    out: &Path,
    link: &str,
    name: &str,
    keep: Option<&Path>,
) -> Result<(String, Vec<String>), String> {
    let merged = format!("__merged_{name}");
    let loader_start = format!("export const __wasm_split_load_{name} = wrapAsyncCb(makeLoad(");
    let (at, loader) = statement(link, &loader_start, "]));\n")
        .ok_or_else(|| format!("{LINK_JS} has no loader `{loader_start}…]));`"))?;
    let (fetcher, deps) = loader[loader_start.len()..]
        .rsplit_once(", [")
        .ok_or_else(|| format!("the loader of {name} has no dependency list"))?;
    let deps: Vec<&str> = deps
        .trim_end_matches("]));\n")
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if deps.is_empty() {
        return Ok((link.to_owned(), Vec::new()));
    }
    let module_file = fetched_file(loader)
        .ok_or_else(|| format!("the loader of {name} fetches no file"))?
        .to_owned();
    let mut files = vec![module_file.clone()];
    let mut text = link.to_owned();
    let mut first_chunk = at;
    for dep in &deps {
        let start = format!("const {dep} = makeLoad(");
        let (chunk_at, chunk) = statement(&text, &start, "]);\n")
            .ok_or_else(|| format!("{LINK_JS} has no chunk loader `{start}…]);`"))?;
        if !chunk.ends_with(", []);\n") {
            return Err(format!("chunk loader {dep} depends on other chunks"));
        }
        if let Some(file) = fetched_file(chunk) {
            files.push(file.to_owned());
        }
        let alias = format!("const {dep} = {merged};\n");
        text.replace_range(chunk_at..chunk_at + chunk.len(), &alias);
        first_chunk = first_chunk.min(chunk_at);
    }
    // The merged loader goes before the first alias and the `/* <modules> */` line above it.
    let line_above = text[..first_chunk]
        .trim_end_matches('\n')
        .rfind('\n')
        .map_or(0, |i| i + 1);
    if text[line_above..first_chunk].starts_with("/*") {
        first_chunk = line_above;
    }
    let loader_def = format!("const {merged} = makeLoad({fetcher}, []);\n");
    let (at, loader) = statement(&text, &loader_start, "]));\n").expect("found above");
    let export = format!("export const __wasm_split_load_{name} = wrapAsyncCb({merged});\n");
    text.replace_range(at..at + loader.len(), &export);
    text.insert_str(first_chunk, &loader_def);

    let mut parts = Vec::new();
    for file in &files {
        let bytes = fs::read(out.join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
        parts.push((file.as_str(), bytes));
    }
    let inputs: Vec<(&str, &[u8])> = parts.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let result = super::merge::merge(&inputs)?;
    for target in std::iter::once(out.join(&module_file)).chain(keep.map(Path::to_path_buf)) {
        fs::write(&target, &result.wasm)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    let removed: Vec<String> = files[1..].to_vec();
    for file in &removed {
        fs::remove_file(out.join(file)).map_err(|e| format!("cannot remove {file}: {e}"))?;
    }
    println!(
        "merged {module_file} and its {} chunks into one file: {} functions, {} cross-file calls made direct",
        removed.len(),
        result.functions,
        result.direct_calls
    );
    Ok((text, removed))
}

/// The file a loader statement of the link module fetches (`new URL("./<file>", …)`, as
/// `wasm_split_cli_support` writes it); `None` for a loader that fetches nothing.
pub fn fetched_file(loader: &str) -> Option<&str> {
    loader
        .split("new URL(\"./")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
}

/// Where the first statement of `text` starting with `start` begins, and its text up to and
/// including the first `end` after it.
fn statement<'t>(text: &'t str, start: &str, end: &str) -> Option<(usize, &'t str)> {
    let at = text.find(start)?;
    let len = text[at..].find(end)? + end.len();
    Some((at, &text[at..at + len]))
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

    /// A link module as `wasm_split_cli_support` 0.2 writes one: chunks 1 (dashboard, builder)
    /// and 2 (dashboard only), chunk 3 (builder only), and the two modules' loaders.
    const LINK: &str = r#"function makeLoad(fetcher, deps) {}
/* builder, dashboard */
const __chunk_1 = makeLoad(() => {
    const src = fetch(new URL("./chunk_1.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
/* dashboard */
const __chunk_2 = makeLoad(() => {
    const src = fetch(new URL("./chunk_2.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
/* builder */
const __chunk_3 = makeLoad(() => {
    const src = fetch(new URL("./chunk_3.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, []);
export const __wasm_split_load_dashboard = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_dashboard.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, [__chunk_1, __chunk_2]));
export const __wasm_split_load_builder = wrapAsyncCb(makeLoad(() => {
    const src = fetch(new URL("./split_builder.wasm", import.meta.url));
    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
}
, [__chunk_1, __chunk_3]));
"#;

    #[test]
    fn a_module_and_its_chunks_become_one_file_and_one_load() {
        use crate::artifacts::merge::tests::{adder, chunk, shim};
        let dir = std::env::temp_dir().join(format!("vantage-merge-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // The dashboard's module calls chunk 2's function (slot 30) through the table.
        let files = [
            (
                "split_dashboard.wasm",
                chunk(64, &[adder(1), shim(30)], 1, 10, 100, b"d"),
            ),
            ("chunk_1.wasm", chunk(64, &[adder(2)], 1, 20, 200, b"one")),
            ("chunk_2.wasm", chunk(64, &[adder(3)], 1, 30, 300, b"two")),
            ("chunk_3.wasm", chunk(64, &[adder(4)], 1, 40, 400, b"three")),
        ];
        for (name, bytes) in &files {
            fs::write(dir.join(name), bytes).unwrap();
        }
        let kept =
            std::env::temp_dir().join(format!("vantage-merge-kept-{}.wasm", std::process::id()));
        let (link, removed) = merge_closure(&dir, LINK, "dashboard", Some(&kept)).unwrap();
        assert_eq!(removed, ["chunk_1.wasm", "chunk_2.wasm"]);
        let left: Vec<String> = {
            let mut names: Vec<String> = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(left, ["chunk_3.wasm", "split_dashboard.wasm"]);
        let merged = fs::read(dir.join("split_dashboard.wasm")).unwrap();
        assert_eq!(fs::read(&kept).unwrap(), merged);
        fs::remove_file(&kept).unwrap();
        wasmparser::Validator::new().validate_all(&merged).unwrap();
        assert!(merged.len() > files[0].1.len());
        // One load, declared before the aliases that name it; the builder still waits for
        // chunk 1 (now that load) and its own chunk 3.
        let def = link
            .find("const __merged_dashboard = makeLoad(() => {\n    const src = fetch(new URL(\"./split_dashboard.wasm\"")
            .expect(&link);
        assert!(link.contains("/* builder, dashboard */\nconst __chunk_1 = __merged_dashboard;\n"));
        assert!(link.contains("/* dashboard */\nconst __chunk_2 = __merged_dashboard;\n"));
        assert!(def < link.find("const __chunk_1 = ").unwrap());
        assert!(link.contains(
            "export const __wasm_split_load_dashboard = wrapAsyncCb(__merged_dashboard);\n"
        ));
        assert!(link.contains("fetch(new URL(\"./chunk_3.wasm\""));
        assert!(link.contains(", [__chunk_1, __chunk_3]));"));
        assert!(!link.contains("chunk_1.wasm") && !link.contains("chunk_2.wasm"));
        assert_eq!(link.matches("makeLoad(").count(), 4, "{link}");
        // A link module written some other way is refused, not half rewritten.
        let err = merge_closure(&dir, "export const x = 1;\n", "dashboard", None).unwrap_err();
        assert!(err.contains("has no loader"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
