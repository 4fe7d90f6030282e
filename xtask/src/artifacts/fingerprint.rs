//! Content-hashed names for the app bundle: `vantage_app.js` → `vantage_app.<hash>.js`,
//! `vantage_app_bg.wasm` → `vantage_app_bg.<hash>.wasm`, each lazily loaded chunk
//! `split_<name>.wasm` → `split_<name>.<hash>.wasm`, the split link module `__wasm_split.js` →
//! `__wasm_split.<hash>.js` and a copy of the trimmed ECharts as `echarts.<hash>.js` (16 hex
//! digits of SHA-256), which the server caches for a year as `immutable`. The one file that must
//! stay revalidated, `boot.js`, is written from the template `www/boot/app.js` with those names
//! filled in; index.html loads `/app/boot.js`.
//!
//! The glue and the link module import each other, so neither can be named by its own content
//! alone: both get one hash of the pair (with the other's plain name inside) and of the main
//! wasm, so a change to any of them renames both.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

use super::split::LINK_JS;

/// The names the template `www/boot/app.js` uses; replaced by the hashed ones.
const GLUE_PLACEHOLDER: &str = "\"/app/vantage_app.js\"";
const WASM_PLACEHOLDER: &str = "\"/app/vantage_app_bg.wasm\"";
const ECHARTS_PLACEHOLDER: &str = "\"/app/echarts.js\"";

/// Renames the app's glue, wasm, link module and `chunks` (file names in `dir`) to hashed names,
/// copies `echarts` (the trimmed build) beside them under a hashed name and writes `dir/boot.js`.
pub fn app_bundle(
    dir: &Path,
    boot_template: &Path,
    echarts: &Path,
    chunks: &[String],
) -> Result<(), String> {
    let glue = name_glue_and_link(dir, chunks)?;
    let wasm = rename_hashed(dir, "vantage_app_bg", "wasm")?;
    fs::copy(echarts, dir.join("echarts.js"))
        .map_err(|e| format!("cannot copy {}: {e}", echarts.display()))?;
    let echarts = rename_hashed(dir, "echarts", "js")?;
    let template = fs::read_to_string(boot_template)
        .map_err(|e| format!("cannot read {}: {e}", boot_template.display()))?;
    let placeholders = [GLUE_PLACEHOLDER, WASM_PLACEHOLDER, ECHARTS_PLACEHOLDER];
    if !placeholders.iter().all(|p| template.contains(p)) {
        return Err(format!(
            "{} must name {}",
            boot_template.display(),
            placeholders.join(", ")
        ));
    }
    let boot = template
        .replace(GLUE_PLACEHOLDER, &format!("\"/app/{glue}\""))
        .replace(WASM_PLACEHOLDER, &format!("\"/app/{wasm}\""))
        .replace(ECHARTS_PLACEHOLDER, &format!("\"/app/{echarts}\""));
    let target = dir.join("boot.js");
    fs::write(&target, boot).map_err(|e| format!("cannot write {}: {e}", target.display()))
}

/// Hashes the chunks' names into the link module, then names the glue and the link module by one
/// hash of both and of the main wasm (see the module docs); returns the glue's new name. Without
/// a link module (an app with no split point) the glue is named by its own content.
fn name_glue_and_link(dir: &Path, chunks: &[String]) -> Result<String, String> {
    let read = |name: &str| {
        fs::read_to_string(dir.join(name)).map_err(|e| format!("cannot read {name}: {e}"))
    };
    if !dir.join(LINK_JS).exists() {
        return rename_hashed(dir, "vantage_app", "js");
    }
    let mut link = read(LINK_JS)?;
    for chunk in chunks {
        let stem = chunk.strip_suffix(".wasm").unwrap_or(chunk);
        let hashed = rename_hashed(dir, stem, "wasm")?;
        let plain = format!("\"./{chunk}\"");
        if !link.contains(&plain) {
            return Err(format!("{LINK_JS} does not load {chunk}"));
        }
        link = link.replace(&plain, &format!("\"./{hashed}\""));
    }
    let glue = read("vantage_app.js")?;
    let main = fs::read(dir.join("vantage_app_bg.wasm"))
        .map_err(|e| format!("cannot read vantage_app_bg.wasm: {e}"))?;
    let hash = content_hash(&[glue.as_bytes(), link.as_bytes(), &main].concat());
    let (glue_name, link_name) = (
        format!("vantage_app.{hash}.js"),
        format!("__wasm_split.{hash}.js"),
    );
    let glue = replace_module(&glue, &format!("./{LINK_JS}"), &format!("./{link_name}"))?;
    let link = replace_module(&link, "./vantage_app.js", &format!("./{glue_name}"))?;
    for (name, text) in [(&glue_name, glue), (&link_name, link)] {
        fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    for old in ["vantage_app.js", LINK_JS] {
        fs::remove_file(dir.join(old)).map_err(|e| format!("cannot remove {old}: {e}"))?;
    }
    Ok(glue_name)
}

/// `text` with the JS import specifier `from` (`from "…"` or `from '…'`) replaced by `to`; an
/// error if it does not occur. Only the import statements: the glue also names the wasm's import
/// module `"./__wasm_split.js"` as a key of the imports object, which must stay as it is.
fn replace_module(text: &str, from: &str, to: &str) -> Result<String, String> {
    let mut replaced = text.to_owned();
    // `from "…"` as wasm-bindgen writes it, `from"…"` once minified.
    for keyword in ["from ", "from"] {
        for quote in ['"', '\''] {
            replaced = replaced.replace(
                &format!("{keyword}{quote}{from}{quote}"),
                &format!("{keyword}{quote}{to}{quote}"),
            );
        }
    }
    if replaced == text {
        return Err(format!("no import of {from} to rename"));
    }
    Ok(replaced)
}

/// `dir/<stem>.<ext>` → `dir/<stem>.<hash>.<ext>`; returns the new file name.
fn rename_hashed(dir: &Path, stem: &str, ext: &str) -> Result<String, String> {
    let from = dir.join(format!("{stem}.{ext}"));
    let bytes = fs::read(&from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    let name = format!("{stem}.{}.{ext}", content_hash(&bytes));
    fs::rename(&from, dir.join(&name))
        .map_err(|e| format!("cannot rename {}: {e}", from.display()))?;
    Ok(name)
}

/// 16 hex digits of SHA-256: what the server recognises as a hashed name.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_16_hex_digits_and_follow_the_content() {
        let a = content_hash(b"one");
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, content_hash(b"two"));
        assert_eq!(a, content_hash(b"one"));
    }

    #[test]
    fn import_specifiers_are_renamed_as_written_and_as_minified() {
        let written = "import * as import1 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import1 };";
        let minified = "import*as a from\"./__wasm_split.js\";const i={\"./__wasm_split.js\":a};";
        for (text, expected) in [
            (written, "import * as import1 from \"./__wasm_split.ab.js\"\nconst imports = { \"./__wasm_split.js\": import1 };"),
            (minified, "import*as a from\"./__wasm_split.ab.js\";const i={\"./__wasm_split.js\":a};"),
        ] {
            assert_eq!(replace_module(text, "./__wasm_split.js", "./__wasm_split.ab.js").unwrap(), expected);
        }
        assert!(replace_module("const x = 1;", "./__wasm_split.js", "./y.js").is_err());
    }

    #[test]
    fn boot_js_names_the_hashed_glue_wasm_and_echarts() {
        let dir = std::env::temp_dir().join(format!("vantage-fingerprint-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("vantage_app.js"), "glue").unwrap();
        fs::write(dir.join("vantage_app_bg.wasm"), "wasm").unwrap();
        let echarts = dir.join("trimmed.js");
        fs::write(&echarts, "globalThis.echarts = {};").unwrap();
        let template = dir.join("app.js");
        fs::write(
            &template,
            "const A = \"/app/vantage_app.js\";\nconst B = \"/app/vantage_app_bg.wasm\";\nconst C = \"/app/echarts.js\";\n",
        )
        .unwrap();
        app_bundle(&dir, &template, &echarts, &[]).unwrap();
        let boot = fs::read_to_string(dir.join("boot.js")).unwrap();
        let hashed = format!("echarts.{}.js", content_hash(b"globalThis.echarts = {};"));
        assert!(boot.contains(&format!("\"/app/{hashed}\"")), "{boot}");
        assert!(dir.join(&hashed).is_file());
        assert!(!dir.join("echarts.js").exists());
        assert!(boot.contains(&format!(
            "\"/app/vantage_app.{}.js\"",
            content_hash(b"glue")
        )));
        assert!(!boot.contains("\"/app/echarts.js\""));
        // A template that does not name all three is refused.
        fs::write(dir.join("vantage_app.js"), "glue").unwrap();
        fs::write(dir.join("vantage_app_bg.wasm"), "wasm").unwrap();
        fs::write(&template, "const A = \"/app/vantage_app.js\";").unwrap();
        assert!(app_bundle(&dir, &template, &echarts, &[]).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_glue_and_the_split_link_module_name_each_other_and_the_hashed_chunks() {
        let dir = std::env::temp_dir().join(format!("vantage-split-names-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let glue = "import * as import1 from \"./__wasm_split.js\"\nconst imports = { \"./__wasm_split.js\": import1 };\n";
        fs::write(dir.join("vantage_app.js"), glue).unwrap();
        fs::write(dir.join("vantage_app_bg.wasm"), "wasm").unwrap();
        fs::write(dir.join("split_admin.wasm"), "admin").unwrap();
        let link = "import { initSync } from \"./vantage_app.js\";\nfetch(new URL(\"./split_admin.wasm\", import.meta.url));\n";
        fs::write(dir.join(LINK_JS), link).unwrap();
        let echarts = dir.join("trimmed.js");
        fs::write(&echarts, "globalThis.echarts = {};").unwrap();
        let template = dir.join("app.js");
        fs::write(
            &template,
            "const A = \"/app/vantage_app.js\";\nconst B = \"/app/vantage_app_bg.wasm\";\nconst C = \"/app/echarts.js\";\n",
        )
        .unwrap();
        app_bundle(&dir, &template, &echarts, &["split_admin.wasm".into()]).unwrap();
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let named = |prefix: &str| {
            names
                .iter()
                .find(|n| n.starts_with(prefix))
                .unwrap()
                .clone()
        };
        let (glue_name, link_name) = (named("vantage_app."), named("__wasm_split."));
        // One hash for the pair.
        assert_eq!(
            glue_name["vantage_app.".len()..],
            link_name["__wasm_split.".len()..]
        );
        let chunk = format!("split_admin.{}.wasm", content_hash(b"admin"));
        assert!(names.contains(&chunk), "{names:?}");
        let glue = fs::read_to_string(dir.join(&glue_name)).unwrap();
        let link = fs::read_to_string(dir.join(&link_name)).unwrap();
        assert!(glue.contains(&format!("from \"./{link_name}\"")), "{glue}");
        // The wasm's import module name is not a file name and stays.
        assert!(
            glue.contains("{ \"./__wasm_split.js\": import1 }"),
            "{glue}"
        );
        assert!(link.contains(&format!("from \"./{glue_name}\"")), "{link}");
        assert!(link.contains(&format!("\"./{chunk}\"")), "{link}");
        let boot = fs::read_to_string(dir.join("boot.js")).unwrap();
        assert!(boot.contains(&format!("\"/app/{glue_name}\"")), "{boot}");
        assert!(!dir.join("vantage_app.js").exists() && !dir.join(LINK_JS).exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
