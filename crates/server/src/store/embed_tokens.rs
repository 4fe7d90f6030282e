//! Issued embed tokens, by `jti`: what each was issued for (never the token itself), so its
//! tenant can list and revoke them. A token works only while its row exists, is not revoked
//! and has not expired; the auth extractor checks this on every request.

use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::EmbedTokenInfo;

/// Rows kept after expiry (ms) before they are deleted, so a recently expired token can still
/// be looked up in the list's history.
const KEEP_EXPIRED_MS: i64 = 24 * 3600 * 1000;

/// Records an issued token.
///
/// # Errors
/// Database failures.
pub fn insert(c: &Conn, tenant: &str, t: &EmbedTokenInfo) -> AppResult<()> {
    c.execute(
        "DELETE FROM embed_tokens WHERE expires_at < ?1",
        [t.issued_at - KEEP_EXPIRED_MS],
    )?;
    c.execute(
        "INSERT INTO embed_tokens (jti, tenant_id, body, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![t.id, tenant, serde_json::to_string(t)?, t.issued_at, t.expires_at],
    )?;
    Ok(())
}

/// The tenant's tokens that have not expired at `now` (epoch ms), newest first.
///
/// # Errors
/// Database failures.
pub fn list(c: &Conn, tenant: &str, now: i64) -> AppResult<Vec<EmbedTokenInfo>> {
    let mut stmt = c.prepare(
        "SELECT body, revoked_at FROM embed_tokens WHERE tenant_id = ?1 AND expires_at > ?2 \
         ORDER BY issued_at DESC, jti",
    )?;
    let rows = stmt.query_map(params![tenant, now], |r| {
        Ok((r.get::<String>(0)?, r.get::<Option<i64>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (body, revoked_at) = row?;
        let mut t: EmbedTokenInfo = serde_json::from_str(&body)?;
        t.revoked_at = revoked_at;
        out.push(t);
    }
    Ok(out)
}

/// Revokes the tenant's token `jti`; `None` when the tenant has no such token, else the token
/// (its `revokedAt` set; revoking twice keeps the first time).
///
/// # Errors
/// Database failures.
pub fn revoke(c: &Conn, tenant: &str, jti: &str, now: i64) -> AppResult<Option<EmbedTokenInfo>> {
    c.execute(
        "UPDATE embed_tokens SET revoked_at = ?3 WHERE tenant_id = ?1 AND jti = ?2 AND revoked_at IS NULL",
        params![tenant, jti, now],
    )?;
    let row: Option<(String, Option<i64>)> = c
        .query_row(
            "SELECT body, revoked_at FROM embed_tokens WHERE tenant_id = ?1 AND jti = ?2",
            params![tenant, jti],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(body, revoked_at)| {
        let mut t: EmbedTokenInfo = serde_json::from_str(&body)?;
        t.revoked_at = revoked_at;
        Ok(t)
    })
    .transpose()
}

/// Whether the tenant's token `jti` was issued and is not revoked.
///
/// # Errors
/// Database failures.
pub fn is_live(c: &Conn, tenant: &str, jti: &str) -> AppResult<bool> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM embed_tokens WHERE tenant_id = ?1 AND jti = ?2 AND revoked_at IS NULL",
        params![tenant, jti],
        |r| r.get::<i64>(0),
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, issued_at: i64) -> EmbedTokenInfo {
        EmbedTokenInfo {
            id: id.into(),
            dashboard_id: "d".into(),
            issued_by: "u".into(),
            issued_at,
            expires_at: issued_at + 60_000,
            allowed_origins: vec!["https://a.example".into()],
            permissions: vec![],
            locked_filters: vec![],
            revoked_at: None,
        }
    }

    fn db() -> Conn {
        let c = Conn::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        c.execute_batch(crate::db::EMBED_TOKENS_TABLE).unwrap();
        c
    }

    #[test]
    fn tokens_are_listed_per_tenant_and_revocation_ends_them() {
        let c = db();
        insert(&c, "a", &info("j1", 1_000)).unwrap();
        insert(&c, "a", &info("j2", 2_000)).unwrap();
        insert(&c, "b", &info("j3", 2_000)).unwrap();
        let ids: Vec<_> = list(&c, "a", 1_500)
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, ["j2", "j1"]);
        assert!(is_live(&c, "a", "j1").unwrap());
        assert!(!is_live(&c, "b", "j1").unwrap(), "another tenant's id");
        assert!(revoke(&c, "b", "j1", 5).unwrap().is_none());
        let t = revoke(&c, "a", "j1", 5).unwrap().unwrap();
        assert_eq!(t.revoked_at, Some(5));
        assert_eq!(
            revoke(&c, "a", "j1", 9).unwrap().unwrap().revoked_at,
            Some(5)
        );
        assert!(!is_live(&c, "a", "j1").unwrap());
        assert!(!is_live(&c, "a", "never-issued").unwrap());
        assert_eq!(
            list(&c, "a", 61_500).unwrap().len(),
            1,
            "expired ones are not listed"
        );
    }
}
