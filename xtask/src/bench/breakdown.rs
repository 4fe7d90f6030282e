//! What the app's main wasm module is made of, by crate (issue 18: "measure each step with a
//! size breakdown"). Reads the main module as the split step leaves it, before wasm-bindgen and
//! wasm-opt strip its `name` section (`<target>/wasm-split/vantage_app.wasm`), adds up each
//! function body's bytes under the crate its (legacy-mangled) symbol names, and reports the
//! largest. Raw code bytes before wasm-opt: for proportions and before/after comparisons, not for
//! what goes over the wire (the size rows above are that).
//!
//! Written here rather than installing `twiggy`: it needs the same three sections any breakdown
//! does and the crate-level grouping twiggy does not offer.

use std::collections::HashMap;

/// A wasm module's sections as `(id, payload)`.
pub fn sections(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let Some(size) = leb(bytes, &mut at) else {
            break;
        };
        let Some(payload) = bytes.get(at..at + size) else {
            break;
        };
        out.push((id, payload));
        at += size;
    }
    out
}

/// An unsigned LEB128 number at `at`, moving `at` past it.
pub fn leb(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte < 0x80 {
            return Some(value);
        }
    }
}

/// A length-prefixed name at `at`.
fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let len = leb(bytes, at)?;
    let name = bytes.get(*at..*at + len)?;
    *at += len;
    Some(name)
}

/// Code bytes per crate, largest first, and the total.
pub fn by_crate(module: &[u8]) -> Result<(Vec<(String, usize)>, usize), String> {
    grouped(module, crate_of)
}

/// Code bytes per group of symbols (`owner` names a symbol's group), largest first, and the
/// total.
pub fn grouped(
    module: &[u8],
    owner: impl Fn(&str) -> String,
) -> Result<(Vec<(String, usize)>, usize), String> {
    let sections = sections(module);
    let mut imported = 0;
    let mut bodies = Vec::new();
    let mut names = HashMap::new();
    for (id, payload) in &sections {
        let mut at = 0;
        match id {
            2 => {
                let count = leb(payload, &mut at).ok_or("bad import section")?;
                for _ in 0..count {
                    name(payload, &mut at).ok_or("bad import")?;
                    name(payload, &mut at).ok_or("bad import")?;
                    let kind = *payload.get(at).ok_or("bad import")?;
                    at += 1;
                    match kind {
                        0 => {
                            leb(payload, &mut at).ok_or("bad import")?;
                            imported += 1;
                        }
                        // table: reftype, limits; memory: limits; global: type, mutability
                        1 | 2 => {
                            if kind == 1 {
                                at += 1;
                            }
                            let flags = leb(payload, &mut at).ok_or("bad import")?;
                            leb(payload, &mut at).ok_or("bad import")?;
                            if flags & 1 == 1 {
                                leb(payload, &mut at).ok_or("bad import")?;
                            }
                        }
                        3 => at += 2,
                        // tag: attribute, type index
                        4 => {
                            at += 1;
                            leb(payload, &mut at).ok_or("bad import")?;
                        }
                        other => return Err(format!("import kind {other} not understood")),
                    }
                }
            }
            10 => {
                let count = leb(payload, &mut at).ok_or("bad code section")?;
                for _ in 0..count {
                    let size = leb(payload, &mut at).ok_or("bad code section")?;
                    bodies.push(size);
                    at += size;
                }
            }
            0 if name(payload, &mut at) == Some(b"name") => {
                while at < payload.len() {
                    let sub = payload[at];
                    at += 1;
                    let size = leb(payload, &mut at).ok_or("bad name section")?;
                    let end = at + size;
                    if sub == 1 {
                        let mut p = at;
                        let count = leb(payload, &mut p).ok_or("bad function names")?;
                        for _ in 0..count {
                            let index = leb(payload, &mut p).ok_or("bad function names")?;
                            let text = name(payload, &mut p).ok_or("bad function names")?;
                            names.insert(index, String::from_utf8_lossy(text).into_owned());
                        }
                    }
                    at = end;
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return Err("the module has no function names (was it optimised already?)".into());
    }
    let mut totals: HashMap<String, usize> = HashMap::new();
    for (i, size) in bodies.iter().enumerate() {
        let owner = names
            .get(&(imported + i))
            .map_or_else(|| "(unnamed)".to_owned(), |n| owner(n));
        *totals.entry(owner).or_default() += size;
    }
    let mut sorted: Vec<(String, usize)> = totals.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok((sorted, bodies.iter().sum()))
}

/// The crate a mangled Rust symbol belongs to: the first path segment of a legacy `_ZN…`
/// symbol, or for a trait impl (`<Type as Trait>::f`) the crate of the type; v0 (`_R…`) and
/// other symbols are grouped as "(other)".
pub fn crate_of(symbol: &str) -> String {
    if symbol.starts_with("__wbindgen_describe") {
        return "(wasm-bindgen descriptors, removed by wasm-bindgen)".into();
    }
    if let Some(v0) = symbol.strip_prefix("_R") {
        return v0_crate(v0).unwrap_or_else(|| "(other)".into());
    }
    let Some(rest) = symbol.strip_prefix("_ZN") else {
        return "(other)".into();
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let Ok(len) = rest[..digits].parse::<usize>() else {
        return "(other)".into();
    };
    let Some(first) = rest.get(digits..digits + len) else {
        return "(other)".into();
    };
    let first = first
        .trim_start_matches("_$LT$")
        .trim_start_matches("$LT$")
        .trim_start_matches("$RF$")
        .trim_start_matches("mut$u20$");
    let krate: String = first
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // A generic parameter (`<T as …>`) names no crate.
    if krate.is_empty() || krate.len() == 1 {
        "(generic impls)".into()
    } else {
        krate
    }
}

/// The first crate root (`C` [`s<disambiguator>_`] `<len><name>`) of a v0-mangled path.
fn v0_crate(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'C' {
            let mut p = at + 1;
            if bytes.get(p) == Some(&b's') {
                p += 1;
                while bytes.get(p).is_some_and(u8::is_ascii_alphanumeric) {
                    p += 1;
                }
                if bytes.get(p) != Some(&b'_') {
                    at += 1;
                    continue;
                }
                p += 1;
            }
            let digits = path[p..].chars().take_while(char::is_ascii_digit).count();
            if let Ok(len) = path[p..p + digits].parse::<usize>() {
                if let Some(name) = path.get(p + digits..p + digits + len) {
                    return Some(name.to_owned());
                }
            }
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_grouped_by_crate() {
        assert_eq!(
            crate_of("_ZN14reactive_graph6effect6Effect3new17h0123456789abcdefE"),
            "reactive_graph"
        );
        assert_eq!(
            crate_of("_ZN63_$LT$charming..series..Series$u20$as$u20$core..clone..Clone$GT$5clone17h6967748ae7559dc7E"),
            "charming"
        );
        assert_eq!(
            crate_of("_ZN45_$LT$T$u20$as$u20$tachys..view..IntoAny$GT$4into17h00E"),
            "(generic impls)"
        );
        assert_eq!(
            crate_of("_RNvNtNtNtNtCsgXGp5Oqx2Ny_4core3num7flt2dec"),
            "core"
        );
        assert_eq!(
            crate_of("_RNvMs0_NtCsjqx8TIyZbP9_8dlmalloc8dlmalloc"),
            "dlmalloc"
        );
        assert_eq!(crate_of("_RNvC5alloc3foo"), "alloc");
        assert_eq!(crate_of("_RNvNtXyz"), "(other)");
        assert_eq!(crate_of("memcpy"), "(other)");
        assert!(crate_of("__wbindgen_describe___wbg_f_1").starts_with("(wasm-bindgen"));
    }

    #[test]
    fn code_bytes_are_added_up_per_named_function() {
        // One imported function, two bodies (3 and 5 bytes), names for both bodies.
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        let import = [1, 1, b'm', 1, b'f', 0, 0];
        module.extend([2, import.len() as u8]);
        module.extend(import);
        let code = [2, 3, 0, 0, 0x0b, 5, 0, 0, 0, 0, 0x0b];
        module.extend([10, code.len() as u8]);
        module.extend(code);
        let a = b"_ZN3foo1a17hE";
        let b = b"_ZN3bar1b17hE";
        let mut names = vec![2, 1, a.len() as u8];
        names.extend(a);
        names.extend([2, b.len() as u8]);
        names.extend(b);
        let mut custom = vec![4, b'n', b'a', b'm', b'e', 1, names.len() as u8];
        custom.extend(names);
        module.extend([0, custom.len() as u8]);
        module.extend(custom);
        let (crates, total) = by_crate(&module).unwrap();
        assert_eq!(total, 8);
        assert_eq!(crates, [("bar".to_owned(), 5), ("foo".to_owned(), 3)]);
        assert!(by_crate(b"\0asm\x01\0\0\0").is_err());
    }
}
