//! Content-hashed names for the app bundle: `vantage_app.js` → `vantage_app.<hash>.js`,
//! `vantage_app_bg.wasm` → `vantage_app_bg.<hash>.wasm` and a copy of the trimmed ECharts as
//! `echarts.<hash>.js` (16 hex digits of SHA-256), which the server caches for a year as
//! `immutable`. The one file that must stay revalidated, `boot.js`, is written from the template
//! `www/boot/app.js` with those names filled in; index.html loads `/app/boot.js`.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

/// The names the template `www/boot/app.js` uses; replaced by the hashed ones.
const GLUE_PLACEHOLDER: &str = "\"/app/vantage_app.js\"";
const WASM_PLACEHOLDER: &str = "\"/app/vantage_app_bg.wasm\"";
const ECHARTS_PLACEHOLDER: &str = "\"/app/echarts.js\"";

/// Renames the app's glue and wasm in `dir` to hashed names, copies `echarts` (the trimmed
/// build) beside them under a hashed name and writes `dir/boot.js`.
pub fn app_bundle(dir: &Path, boot_template: &Path, echarts: &Path) -> Result<(), String> {
    let glue = rename_hashed(dir, "vantage_app", "js")?;
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
        app_bundle(&dir, &template, &echarts).unwrap();
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
        assert!(app_bundle(&dir, &template, &echarts).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
