//! Decoding an ingest body: `Content-Encoding: gzip` (or none), then a JSON array of objects
//! (`application/json`) or one object per line (`application/x-ndjson`). Limits: the body as
//! sent and as decompressed are both at most [`MAX_BATCH_BYTES`] (a gzip bomb stops at the
//! limit, it is never inflated in full), and a batch has at most [`MAX_BATCH_ROWS`] rows.

use crate::error::{AppError, AppResult};
use axum::http::{header, HeaderMap};
use serde_json::Value;
use std::io::Read;
use vantage_contract::ingest::{MAX_BATCH_BYTES, MAX_BATCH_ROWS};
use vantage_contract::ErrorCode;

/// One decoded row: the value, or why its line is not JSON (NDJSON only).
pub type Item = Result<Value, String>;

fn too_large(what: &str) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("{what} over {MAX_BATCH_BYTES} bytes; send smaller batches"),
    )
}

/// The body as sent, decompressed when `Content-Encoding: gzip`.
///
/// # Errors
/// 413 when the decompressed body passes the limit; 400 for a corrupt gzip stream or an
/// unsupported encoding.
pub fn decompress(headers: &HeaderMap, raw: &[u8]) -> AppResult<Vec<u8>> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(raw.to_vec()),
        Some("gzip" | "x-gzip") => {
            let mut out = Vec::with_capacity(raw.len() * 4);
            flate2::read::GzDecoder::new(raw)
                .take(MAX_BATCH_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| AppError::bad_request(format!("corrupt gzip body: {e}")))?;
            if out.len() > MAX_BATCH_BYTES {
                return Err(too_large("decompressed body"));
            }
            Ok(out)
        }
        Some(other) => Err(AppError::bad_request(format!(
            "unsupported Content-Encoding '{other}' (send gzip or none)"
        ))),
    }
}

/// Whether the body is NDJSON (`application/x-ndjson`, `application/jsonl`).
pub fn is_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/x-ndjson")
                || v.starts_with("application/jsonl")
                || v.starts_with("application/ndjson")
        })
}

/// The rows of a decompressed body.
///
/// # Errors
/// 400 for a JSON body that is not an array; 413 for more than [`MAX_BATCH_ROWS`] rows.
pub fn rows(bytes: &[u8], ndjson: bool) -> AppResult<Vec<Item>> {
    let items: Vec<Item> = if ndjson {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| AppError::bad_request("the body is not UTF-8"))?;
        let lines = text.lines().filter(|l| !l.trim().is_empty());
        if lines.clone().count() > MAX_BATCH_ROWS {
            return Err(too_many(lines.count()));
        }
        // A blank line is skipped, but indexes still count only non-blank lines.
        lines
            .map(|l| serde_json::from_str(l).map_err(|e| format!("not valid JSON: {e}")))
            .collect()
    } else {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            AppError::bad_request(format!(
                "malformed JSON: {e} (send a JSON array of objects, or NDJSON with Content-Type: application/x-ndjson)"
            ))
        })?;
        let Value::Array(list) = value else {
            return Err(AppError::bad_request(
                "expected a JSON array of objects (or NDJSON with Content-Type: application/x-ndjson)",
            ));
        };
        if list.len() > MAX_BATCH_ROWS {
            return Err(too_many(list.len()));
        }
        list.into_iter().map(Ok).collect()
    };
    if items.is_empty() {
        return Err(AppError::field("body", "the batch has no rows"));
    }
    Ok(items)
}

fn too_many(n: usize) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("the batch has {n} rows; at most {MAX_BATCH_ROWS} per request"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn gz_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
        h
    }

    #[test]
    fn gzip_bodies_inflate_and_bombs_stop_at_the_limit() {
        let small = gzip(b"[{\"a\":1}]");
        assert_eq!(decompress(&gz_headers(), &small).unwrap(), b"[{\"a\":1}]");
        let bomb = gzip(&vec![b' '; MAX_BATCH_BYTES + 10]);
        assert!(bomb.len() < 100_000, "the bomb compresses well");
        let err = decompress(&gz_headers(), &bomb).unwrap_err();
        assert_eq!(err.code, ErrorCode::PayloadTooLarge);
    }

    #[test]
    fn ndjson_lines_are_rows_and_bad_lines_are_bad_rows() {
        let items = rows(b"{\"a\":1}\n\n{oops\n{\"a\":2}\n", true).unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[1].is_err());
        assert!(
            rows(b"{\"a\":1}", false).is_err(),
            "a JSON body must be an array"
        );
        assert!(rows(b"[]", false).is_err(), "an empty batch is refused");
    }
}
