//! Turning CSV text into the JSON values the ingest API takes, one rule per field type, and the
//! same rules deciding what type a column looks like ([`looks_like`]). A cell that does not fit
//! its column's type is refused here, in the browser, with the reason the server would give.
//!
//! Times: epoch milliseconds (digits; 10 digits or fewer are read as epoch seconds) or a date
//! `YYYY-MM-DD` / `YYYY/MM/DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fff]]` and a
//! zone (`Z`, `+02:00`, `+0200`); a time without a zone is read as UTC.

use serde_json::Value;
use vantage_contract::FieldType;
use vantage_widgets::format::days_from_civil;

use crate::i18n::{trf, I};

/// Longest string the server accepts (its `MAX_STRING_CHARS`).
pub const MAX_STRING_CHARS: usize = 4096;

/// The JSON value of `cell` for a field of type `field_type`; `Ok(None)` for an empty cell.
///
/// # Errors
/// Why the cell does not fit, in words a person can act on.
pub fn convert(cell: &str, field_type: FieldType) -> Result<Option<Value>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    let value = match field_type {
        FieldType::Time => parse_time(cell)
            .map(Value::from)
            .ok_or_else(|| trf(I::ExpectedTime, &[&quoted(cell)]))?,
        FieldType::Number => parse_number(cell)
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| trf(I::ExpectedNumber, &[&quoted(cell)]))?,
        FieldType::Boolean => parse_bool(cell)
            .map(Value::Bool)
            .ok_or_else(|| trf(I::ExpectedBoolean, &[&quoted(cell)]))?,
        FieldType::String if cell.chars().count() > MAX_STRING_CHARS => {
            return Err(trf(I::TooLong, &[&MAX_STRING_CHARS.to_string()]))
        }
        FieldType::String => Value::String(cell.to_owned()),
    };
    Ok(Some(value))
}

/// Whether a non-empty `cell` fits `field_type` (used to infer a column's type).
pub fn looks_like(cell: &str, field_type: FieldType) -> bool {
    let cell = cell.trim();
    match field_type {
        // Bare numbers are numbers; a column of them becomes a time only by its name.
        FieldType::Time => parse_number(cell).is_none() && parse_time(cell).is_some(),
        FieldType::Number => parse_number(cell).is_some(),
        FieldType::Boolean => parse_bool(cell).is_some(),
        FieldType::String => true,
    }
}

fn quoted(cell: &str) -> String {
    let short: String = cell.chars().take(40).collect();
    if short.len() < cell.len() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

/// A finite number written plainly (`-12`, `3.5`, `1e3`); no thousands separators.
pub fn parse_number(cell: &str) -> Option<f64> {
    let ok = cell
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && cell.chars().any(|c| c.is_ascii_digit());
    ok.then(|| cell.parse::<f64>().ok())
        .flatten()
        .filter(|x| x.is_finite())
}

/// `true/false`, `yes/no`, `y/n` (any case).
pub fn parse_bool(cell: &str) -> Option<bool> {
    match cell.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" => Some(true),
        "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Epoch milliseconds of a time written as the module docs say.
pub fn parse_time(cell: &str) -> Option<i64> {
    let cell = cell.trim();
    if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = cell.parse().ok()?;
        return Some(if cell.len() <= 10 {
            n.checked_mul(1000)?
        } else {
            n
        });
    }
    let b = cell.as_bytes();
    let year = digits(b, 0, 4)?;
    let sep = *b.get(4)?;
    if !(sep == b'-' || sep == b'/') || b.get(7) != Some(&sep) {
        return None;
    }
    let (month, day) = (digits(b, 5, 2)?, digits(b, 8, 2)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    // Month and day are in range (checked above).
    let mut ms = days_from_civil(year, month as u32, day as u32) * 86_400_000;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') {
        return None;
    }
    let (clock, zone) = split_zone(&rest[1..]);
    ms += parse_clock(clock)?;
    Some(ms - parse_offset(zone)?)
}

fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let part = b.get(at..at + len)?;
    part.iter()
        .all(u8::is_ascii_digit)
        .then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

/// `HH:MM[:SS[.fff]]` → milliseconds into the day.
fn parse_clock(b: &[u8]) -> Option<i64> {
    let (h, m) = (digits(b, 0, 2)?, digits(b, 3, 2)?);
    if b.get(2) != Some(&b':') || h > 23 || m > 59 {
        return None;
    }
    let mut ms = (h * 3600 + m * 60) * 1000;
    match b.get(5) {
        None => return Some(ms),
        Some(b':') => {}
        Some(_) => return None,
    }
    let s = digits(b, 6, 2)?;
    if s > 60 {
        return None;
    }
    ms += s * 1000;
    match b.get(8) {
        None => Some(ms),
        Some(b'.' | b',') => {
            let frac = &b[9..];
            if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let first3: i64 = frac
                .iter()
                .chain(std::iter::repeat(&b'0'))
                .take(3)
                .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
            Some(ms + first3)
        }
        Some(_) => None,
    }
}

/// Splits `12:00:00+02:00` into the clock and the zone (`Z`, `±HH:MM`, `±HHMM`, `±HH` or empty).
fn split_zone(b: &[u8]) -> (&[u8], &[u8]) {
    match b
        .iter()
        .position(|c| matches!(c, b'Z' | b'z' | b'+' | b'-'))
    {
        Some(i) => (&b[..i], &b[i..]),
        None => (b, &[]),
    }
}

/// The zone's offset from UTC in milliseconds.
fn parse_offset(zone: &[u8]) -> Option<i64> {
    match zone {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let h = digits(rest, 0, 2)?;
            let m = match rest.len() {
                2 => 0,
                4 => digits(rest, 2, 2)?,
                5 if rest[2] == b':' => digits(rest, 3, 2)?,
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let ms = (h * 60 + m) * 60_000;
            Some(if *sign == b'-' { -ms } else { ms })
        }
        _ => None,
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_the_common_spellings_become_epoch_milliseconds() {
        assert_eq!(parse_time("1970-01-01"), Some(0));
        assert_eq!(parse_time("2026-01-31T12:00:00Z"), Some(1_769_860_800_000));
        assert_eq!(parse_time("2026-01-31 12:00:00"), Some(1_769_860_800_000));
        assert_eq!(parse_time("2026/01/31 12:00"), Some(1_769_860_800_000));
        assert_eq!(
            parse_time("2026-01-31T14:00:00+02:00"),
            Some(1_769_860_800_000)
        );
        assert_eq!(
            parse_time("2026-01-31T07:00:00-0500"),
            Some(1_769_860_800_000)
        );
        assert_eq!(
            parse_time("2026-01-31T12:00:00.25Z"),
            Some(1_769_860_800_250)
        );
        assert_eq!(parse_time("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_time("1769860800"), Some(1_769_860_800_000));
        assert_eq!(parse_time("1769860800123"), Some(1_769_860_800_123));
    }

    #[test]
    fn impossible_or_foreign_dates_are_not_times() {
        for bad in [
            "2025-02-29",
            "2026-13-01",
            "2026-01-31T25:00",
            "31/01/2026",
            "soon",
            "2026-01-31x",
            "2026-01-31T12:00+2",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells_become_typed_json_or_a_reason() {
        assert_eq!(convert(" 12.5 ", FieldType::Number), Ok(Some(json!(12.5))));
        assert_eq!(convert("", FieldType::Number), Ok(None));
        assert_eq!(convert("Yes", FieldType::Boolean), Ok(Some(json!(true))));
        assert_eq!(
            convert("<b>x</b>", FieldType::String),
            Ok(Some(json!("<b>x</b>")))
        );
        assert_eq!(
            convert("abc", FieldType::Number),
            Err("expected a number, got \"abc\"".into())
        );
        assert_eq!(convert("1,5", FieldType::Number).ok(), None);
        assert!(convert("maybe", FieldType::Boolean).is_err());
        assert!(convert("yesterday", FieldType::Time)
            .unwrap_err()
            .contains("\"yesterday\""));
        assert!(convert("NaN", FieldType::Number).is_err());
    }

    #[test]
    fn a_column_of_bare_numbers_looks_like_numbers_not_times() {
        assert!(looks_like("1769860800000", FieldType::Number));
        assert!(!looks_like("1769860800000", FieldType::Time));
        assert!(looks_like("2026-01-31", FieldType::Time));
        assert!(!looks_like("1", FieldType::Boolean));
    }
}
