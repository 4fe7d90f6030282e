//! Content-hashed names for the app bundle: `vantage_app.js` → `vantage_app.<hash>.js`,
//! `vantage_app_bg.wasm` → `vantage_app_bg.<hash>.wasm` (16 hex digits of SHA-256), which the
//! server caches for a year as `immutable`. The one file that must stay revalidated, `boot.js`,
//! is written from the template `www/boot/app.js` with those names filled in; index.html loads
//! `/app/boot.js`.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

/// The names the template `www/boot/app.js` uses; replaced by the hashed ones.
const GLUE_PLACEHOLDER: &str = "\"/app/vantage_app.js\"";
const WASM_PLACEHOLDER: &str = "\"/app/vantage_app_bg.wasm\"";

/// Renames the app's glue and wasm in `dir` to hashed names and writes `dir/boot.js`.
pub fn app_bundle(dir: &Path, boot_template: &Path) -> Result<(), String> {
    let glue = rename_hashed(dir, "vantage_app", "js")?;
    let wasm = rename_hashed(dir, "vantage_app_bg", "wasm")?;
    let template = fs::read_to_string(boot_template)
        .map_err(|e| format!("cannot read {}: {e}", boot_template.display()))?;
    if !template.contains(GLUE_PLACEHOLDER) || !template.contains(WASM_PLACEHOLDER) {
        return Err(format!(
            "{} must name {GLUE_PLACEHOLDER} and {WASM_PLACEHOLDER}",
            boot_template.display()
        ));
    }
    let boot = template
        .replace(GLUE_PLACEHOLDER, &format!("\"/app/{glue}\""))
        .replace(WASM_PLACEHOLDER, &format!("\"/app/{wasm}\""));
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
}
