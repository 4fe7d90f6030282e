//! The `vantage-embed` npm package (as published in `<target>/npm-package`, and with the
//! development entry points in the served `pkg/`), written around wasm-bindgen's output of the
//! split build ([`super::split`]): our own `package.json` (an `exports` map with types, the file
//! list including the split link module, the on-demand modules and wasm-bindgen's `snippets/`,
//! LICENSE, `sideEffects`, the tested ECharts peer range), and a small entry module (`index.js` +
//! `index.d.ts`) that instantiates the wasm once on first import in a browser, so
//! hosts never call `init()` (it stays exported for those who want to await or preload it).
//! The framework entries `vantage-embed/react` and `vantage-embed/vue` are hand-written files
//! in crates/sdk/js, copied as they are ([`FRAMEWORK_FILES`]).
//! [`pack`] and [`lint`] prove the tarball a host would install.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{repo_root, run, target_dir};

/// The ECharts versions the package is tested with (www/ and the example hosts install 6.x).
const ECHARTS_PEER: &str = "^6.0.0";

/// The React versions `vantage-embed/react` is written for (the example host tests 19).
const REACT_PEER: &str = ">=18.0.0";

/// The Vue versions `vantage-embed/vue`'s typings are written for (the example host tests 3.5).
const VUE_PEER: &str = "^3.3.0";

/// The wasm-bindgen output the entry wraps (`--out-name vantage_embed`).
const GLUE: &str = "vantage_embed";

const ENTRY_JS: &str = r#"// vantage-embed: the package entry, written by `cargo xtask` (xtask/src/artifacts/npm.rs).
// Re-exports the wasm-bindgen module and instantiates its wasm once, on first import in a
// browser, so `new EmbeddedDashboard(...)` works without calling init(). Importing on a server
// (SSR) does nothing. `init()` stays exported: it returns the same promise, for hosts that want
// to await the download explicitly (e.g. behind a dynamic `import()` used as a preload).
import wasmInit from "./vantage_embed.js";

export * from "./vantage_embed.js";

let ready;

/** Instantiates the package's wasm once; every later call returns the same promise. */
export function init(options) {
  ready ??= wasmInit(options);
  return ready;
}

export default init;

if (typeof window !== "undefined" && typeof document !== "undefined") {
  await init();
}
"#;

const ENTRY_DTS: &str = r#"export * from "./vantage_embed.js";
import type { InitInput, InitOutput } from "./vantage_embed.js";

/**
 * Instantiates the package's wasm once; every later call returns the same promise. The package
 * calls it itself on first import in a browser, so hosts only need it to await or preload.
 */
export declare function init(options?: {
  module_or_path: InitInput | Promise<InitInput>;
}): Promise<InitOutput>;

export default init;
"#;

/// `vantage-embed/react` (`<VantageDashboard>`, JSX typings) and `vantage-embed/vue`
/// (`isCustomElement`, `GlobalComponents` typings), copied from crates/sdk/js.
const FRAMEWORK_FILES: [&str; 4] = ["react.js", "react.d.ts", "vue.js", "vue.d.ts"];

/// Writes the package's `package.json` (listing the split link module and the on-demand
/// `chunks`), the entry module, README.md, LICENSE and CHANGELOG.md beside wasm-bindgen's output.
pub fn write_package(pkg: &Path, chunks: &[String]) -> Result<(), String> {
    let manifest_path = pkg.join("package.json");
    // The workspace's version, which the SDK crate shares (`version.workspace = true`).
    let version = env!("CARGO_PKG_VERSION");
    write(&pkg.join("index.js"), ENTRY_JS)?;
    write(&pkg.join("index.d.ts"), ENTRY_DTS)?;
    // The framework entries are hand-written in crates/sdk/js (tiny; no wasm, no DOM at load).
    let js = repo_root().join("crates/sdk/js");
    for file in FRAMEWORK_FILES {
        std::fs::copy(js.join(file), pkg.join(file))
            .map_err(|e| format!("cannot copy crates/sdk/js/{file}: {e}"))?;
    }
    let license = repo_root().join("LICENSE");
    std::fs::copy(&license, pkg.join("LICENSE"))
        .map_err(|e| format!("cannot copy {}: {e}", license.display()))?;
    let readme = repo_root().join("crates/sdk/README.md");
    std::fs::copy(&readme, pkg.join("README.md"))
        .map_err(|e| format!("cannot copy {}: {e}", readme.display()))?;
    let changelog = repo_root().join("CHANGELOG.md");
    std::fs::copy(&changelog, pkg.join("CHANGELOG.md"))
        .map_err(|e| format!("cannot copy {}: {e}", changelog.display()))?;
    write(
        &manifest_path,
        &manifest(version, chunks, pkg.join("snippets").is_dir()),
    )
}

/// The manifest, written as text: key order matters (`types` first in a condition map), and
/// serde_json's map sorts keys.
fn manifest(version: &str, chunks: &[String], has_snippets: bool) -> String {
    let mut files = vec![
        "index.js".to_owned(),
        "index.d.ts".to_owned(),
        "react.js".to_owned(),
        "react.d.ts".to_owned(),
        "vue.js".to_owned(),
        "vue.d.ts".to_owned(),
        format!("{GLUE}.js"),
        format!("{GLUE}.d.ts"),
        format!("{GLUE}_bg.wasm"),
        format!("{GLUE}_bg.wasm.d.ts"),
        super::split::LINK_JS.to_owned(),
        "LICENSE".to_owned(),
        "README.md".to_owned(),
        "CHANGELOG.md".to_owned(),
    ];
    files.extend(chunks.iter().cloned());
    if has_snippets {
        files.push("snippets/**/*.js".to_owned());
    }
    let files = serde_json::to_string(&files).unwrap_or_default();
    let version = serde_json::Value::from(version);
    format!(
        r#"{{
  "name": "vantage-embed",
  "version": {version},
  "description": "Embed live Vantage analytics dashboards in any web page: Rust compiled to WebAssembly, no iframe.",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./index.js",
  "module": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {{ "types": "./index.d.ts", "default": "./index.js" }},
    "./react": {{ "types": "./react.d.ts", "default": "./react.js" }},
    "./vue": {{ "types": "./vue.d.ts", "default": "./vue.js" }},
    "./package.json": "./package.json"
  }},
  "files": {files},
  "sideEffects": ["./index.js", "./snippets/**/*.js"],
  "peerDependencies": {{ "echarts": "{ECHARTS_PEER}", "react": "{REACT_PEER}", "vue": "{VUE_PEER}" }},
  "peerDependenciesMeta": {{ "react": {{ "optional": true }}, "vue": {{ "optional": true }} }},
  "keywords": ["analytics", "dashboard", "embed", "webassembly", "echarts"]
}}
"#
    )
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The names the `dev-entry-points` feature exports (crates/sdk/src/gallery.rs, bench.rs,
/// store/probe.rs), which the published package must not carry.
const DEV_ENTRY_POINTS: [&str; 6] = [
    "mountGallery",
    "benchMountLine",
    "benchHandoff",
    "BenchData",
    "BenchStream",
    "LiveProbe",
];

/// Fails when the package in `dir` exports a development entry point (its glue or typings name
/// one): what hosts install holds the JS API only.
pub fn check_no_dev_entry_points(dir: &Path) -> Result<(), String> {
    for file in [format!("{GLUE}.js"), format!("{GLUE}.d.ts")] {
        let path = dir.join(&file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let leaked: Vec<&str> = DEV_ENTRY_POINTS
            .iter()
            .copied()
            .filter(|name| text.contains(name))
            .collect();
        if !leaked.is_empty() {
            return Err(format!(
                "the published package's {file} exports development entry points: {}",
                leaked.join(", ")
            ));
        }
    }
    Ok(())
}

/// `npm pack` of a package folder into `<target>/npm/`; returns the tarball a host would install.
pub fn pack(pkg: &Path) -> Result<PathBuf, String> {
    let out = target_dir().join("npm");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out)
        .current_dir(pkg))?;
    let tarball = std::fs::read_dir(&out)
        .map_err(|e| format!("{}: {e}", out.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "tgz"))
        .ok_or_else(|| format!("npm pack wrote no tarball into {}", out.display()))?;
    Ok(tarball)
}

/// `publint` (strict: warnings fail) and `@arethetypeswrong/cli` (ESM-only profile: the package
/// has no CommonJS build on purpose) on the packed tarball.
pub fn lint(tarball: &Path) -> Result<(), String> {
    let bin = repo_root().join("www/node_modules/.bin");
    run(Command::new(bin.join("publint"))
        .args(["run", "--strict"])
        .arg(tarball))?;
    run(Command::new(bin.join("attw")).arg(tarball).args([
        "--profile",
        "esm-only",
        "--format",
        "table-flipped",
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_development_export_in_the_published_glue_or_typings_fails_the_build() {
        let dir = std::env::temp_dir().join(format!("vantage-npm-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |js: &str, dts: &str| {
            std::fs::write(dir.join(format!("{GLUE}.js")), js).unwrap();
            std::fs::write(dir.join(format!("{GLUE}.d.ts")), dts).unwrap();
        };
        write(
            "export class EmbeddedDashboard {}",
            "export class EmbeddedDashboard {}",
        );
        assert!(check_no_dev_entry_points(&dir).is_ok());
        write(
            "export class EmbeddedDashboard {}",
            "export function mountGallery(): void;",
        );
        let error = check_no_dev_entry_points(&dir).unwrap_err();
        assert!(error.contains("vantage_embed.d.ts") && error.contains("mountGallery"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_manifest_exports_the_entries_with_types_first() {
        let chunks = ["split_export.wasm".to_owned(), "chunk_0.wasm".to_owned()];
        let text = manifest("1.2.3", &chunks, true);
        assert!(text
            .find("\"types\": \"./index.d.ts\", \"default\"")
            .is_some());
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(m["version"], "1.2.3");
        let exports = m["exports"].as_object().unwrap();
        assert_eq!(
            exports.keys().collect::<Vec<_>>(),
            [".", "./package.json", "./react", "./vue"]
        );
        for entry in [".", "./react", "./vue"] {
            let conditions: Vec<_> = exports[entry].as_object().unwrap().keys().collect();
            assert_eq!(conditions, ["default", "types"]);
        }
        assert_eq!(m["peerDependenciesMeta"]["react"]["optional"], true);
        assert_eq!(m["peerDependenciesMeta"]["vue"]["optional"], true);
        assert!(m["peerDependenciesMeta"].get("echarts").is_none());
        let files: Vec<&str> = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(files.contains(&"snippets/**/*.js"));
        assert!(files.contains(&"vantage_embed_bg.wasm"));
        // The split link module and every on-demand module ship, or a host's first export fails.
        for file in ["__wasm_split.js", "split_export.wasm", "chunk_0.wasm"] {
            assert!(files.contains(&file), "{file} is in the package");
        }
        for file in FRAMEWORK_FILES {
            assert!(files.contains(&file), "{file} is in the package");
        }
        assert!(!files
            .iter()
            .any(|f| f.ends_with(".br") || f.ends_with(".gz")));
    }
}
