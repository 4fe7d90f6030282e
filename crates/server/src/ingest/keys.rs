//! Ingest key storage. The secret (`vk_` + 32 random bytes, URL-safe base64) is returned once
//! at creation; only its SHA-256 is stored, so a database leak does not leak keys.

use crate::auth::{random_token, token_hash};
use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::ingest::INGEST_KEY_PREFIX;
use vantage_contract::{CreatedIngestKey, IngestKey};

/// A key found by its secret.
pub struct KeyRow {
    pub tenant_id: String,
    pub key: IngestKey,
}

const COLS: &str = "id, tenant_id, name, prefix, datasets, created_at, last_used_at";

fn from_row(r: &crate::sql::Row) -> crate::sql::Result<(KeyRow, String)> {
    Ok((
        KeyRow {
            tenant_id: r.get(1)?,
            key: IngestKey {
                id: r.get(0)?,
                name: r.get(2)?,
                prefix: r.get(3)?,
                datasets: Vec::new(),
                created_at: r.get(5)?,
                last_used_at: r.get(6)?,
            },
        },
        r.get(4)?,
    ))
}

fn build((mut row, datasets): (KeyRow, String)) -> AppResult<KeyRow> {
    row.key.datasets = serde_json::from_str(&datasets)?;
    Ok(row)
}

/// Creates a key for `tenant` scoped to `datasets`.
///
/// # Errors
/// Database failures.
pub fn create(
    c: &Conn,
    tenant: &str,
    name: &str,
    datasets: &[String],
    created_by: &str,
    now: i64,
) -> AppResult<CreatedIngestKey> {
    let secret = format!("{INGEST_KEY_PREFIX}{}", random_token(32));
    let id = format!("ik_{}", random_token(9));
    let prefix: String = secret.chars().take(INGEST_KEY_PREFIX.len() + 6).collect();
    c.execute(
        "INSERT INTO ingest_keys (id, tenant_id, name, prefix, secret_hash, datasets, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, tenant, name.trim(), prefix, token_hash(&secret), serde_json::to_string(datasets)?, created_by, now],
    )?;
    Ok(CreatedIngestKey {
        key: IngestKey {
            id,
            name: name.trim().to_owned(),
            prefix,
            datasets: datasets.to_vec(),
            created_at: now,
            last_used_at: None,
        },
        secret,
    })
}

/// The key whose secret is `secret`.
///
/// # Errors
/// Database failures.
pub fn by_secret(c: &Conn, secret: &str) -> AppResult<Option<KeyRow>> {
    let sql = format!("SELECT {COLS} FROM ingest_keys WHERE secret_hash = ?1");
    let mut stmt = c.prepare_cached(&sql)?;
    stmt.query_row([token_hash(secret)], from_row)
        .optional()?
        .map(build)
        .transpose()
}

/// `tenant`'s keys, newest first.
///
/// # Errors
/// Database failures.
pub fn list(c: &Conn, tenant: &str) -> AppResult<Vec<IngestKey>> {
    let sql =
        format!("SELECT {COLS} FROM ingest_keys WHERE tenant_id = ?1 ORDER BY created_at DESC, id");
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map([tenant], from_row)?;
    rows.map(|r| build(r?).map(|k| k.key)).collect()
}

/// Revokes (deletes) a key; false when `tenant` has no such key.
///
/// # Errors
/// Database failures.
pub fn revoke(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    Ok(c.execute(
        "DELETE FROM ingest_keys WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id],
    )? > 0)
}

/// Records that a key was used (inside the ingest transaction).
///
/// # Errors
/// Database failures.
pub fn touch(c: &Conn, id: &str, now: i64) -> AppResult<()> {
    c.execute(
        "UPDATE ingest_keys SET last_used_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Removes a deleted dataset from every key of `tenant`, so a later dataset with the same id
/// is not writable by keys issued for the old one.
///
/// # Errors
/// Database failures.
pub fn forget_dataset(c: &Conn, tenant: &str, dataset: &str) -> AppResult<()> {
    for key in list(c, tenant)? {
        if key.datasets.iter().any(|d| d == dataset) {
            let kept: Vec<&String> = key.datasets.iter().filter(|d| *d != dataset).collect();
            c.execute(
                "UPDATE ingest_keys SET datasets = ?2 WHERE id = ?1",
                params![key.id, serde_json::to_string(&kept)?],
            )?;
        }
    }
    Ok(())
}
