//! `Idempotency-Key`: the first answer to a batch (status and body) is stored with the key and
//! a SHA-256 of the request (content type, encoding and body bytes). For 24 hours, the same
//! key with the same request gets that answer again without storing anything; the same key
//! with a different request is refused with `409`. Keys are per tenant and dataset.

use crate::error::{AppError, AppResult};
use crate::sql::{params, Conn, OptionalExtension};
use axum::http::{header, HeaderMap};
use sha2::Digest;
use vantage_contract::ingest::IDEMPOTENCY_TTL_MS;

/// The header.
pub const HEADER: &str = "idempotency-key";

/// An answer as first sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub status: u16,
    pub body: String,
}

/// The request's `Idempotency-Key`, if any.
///
/// # Errors
/// 422 for a key that is empty, longer than 255 characters or not visible ASCII.
pub fn key_of(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get(HEADER) else {
        return Ok(None);
    };
    let s = v.to_str().unwrap_or("");
    if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            "Idempotency-Key",
            "1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(s.to_owned()))
}

/// SHA-256 (hex) of what makes two requests the same batch.
pub fn request_hash(headers: &HeaderMap, body: &[u8]) -> String {
    let mut h = sha2::Sha256::new();
    for name in [header::CONTENT_TYPE, header::CONTENT_ENCODING] {
        h.update(headers.get(&name).map_or(&b""[..], |v| v.as_bytes()));
        h.update([0]);
    }
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored answer for `key`, when it is younger than 24 h and the request hash matches.
///
/// # Errors
/// 409 when the key was used with a different request; database failures.
pub fn lookup(
    c: &Conn,
    tenant: &str,
    dataset: &str,
    key: &str,
    hash: &str,
    now: i64,
) -> AppResult<Option<Stored>> {
    let found: Option<(String, u16, String)> = c
        .prepare_cached(
            "SELECT body_hash, status, response FROM ingest_idempotency WHERE tenant_id = ?1 AND dataset = ?2 AND key = ?3 AND created_at > ?4",
        )?
        .query_row(params![tenant, dataset, key, now - IDEMPOTENCY_TTL_MS], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((h, status, body)) if h == hash => Ok(Some(Stored { status, body })),
        Some(_) => Err(AppError::conflict(
            "this Idempotency-Key was already used with a different batch; use a new key for new data",
        )),
    }
}

/// Remembers the answer for `key` (replacing an expired record).
///
/// # Errors
/// Database failures.
pub fn save(
    c: &Conn,
    tenant: &str,
    dataset: &str,
    key: &str,
    hash: &str,
    answer: &Stored,
    now: i64,
) -> AppResult<()> {
    c.prepare_cached(
        "INSERT INTO ingest_idempotency (tenant_id, dataset, key, body_hash, status, response, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tenant_id, dataset, key) DO UPDATE SET body_hash = excluded.body_hash, status = excluded.status, response = excluded.response, created_at = excluded.created_at",
    )?
    .execute(params![tenant, dataset, key, hash, answer.status, answer.body, now])?;
    Ok(())
}

/// Forgets records older than 24 h; returns how many.
///
/// # Errors
/// Database failures.
pub fn purge(c: &Conn, now: i64) -> AppResult<usize> {
    Ok(c.execute(
        "DELETE FROM ingest_idempotency WHERE created_at <= ?1",
        [now - IDEMPOTENCY_TTL_MS],
    )?)
}
