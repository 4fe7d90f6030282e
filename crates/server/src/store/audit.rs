//! The audit log table: append-only (SQLite triggers refuse updates and deletes) and read per
//! tenant, newest first, with keyset paging on the row id.

use crate::error::AppResult;
use crate::sql::{params, Conn};
use vantage_contract::{AuditAction, AuditEntry};

/// One record to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub tenant_id: String,
    pub action: AuditAction,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub target: Option<String>,
    pub details: serde_json::Value,
}

impl NewEntry {
    /// A record of `action` in `tenant_id` by `actor_id`/`actor_email`.
    pub fn new(
        tenant_id: &str,
        action: AuditAction,
        actor_id: Option<&str>,
        actor_email: Option<&str>,
    ) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            action,
            actor_id: actor_id.map(str::to_owned),
            actor_email: actor_email.map(str::to_owned),
            target: None,
            details: serde_json::json!({}),
        }
    }

    /// What was acted on.
    pub fn target(mut self, target: &str) -> Self {
        self.target = Some(target.to_owned());
        self
    }

    /// Action-specific facts.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// Appends this record.
    ///
    /// # Errors
    /// Database failures.
    pub fn append(&self, c: &Conn) -> AppResult<()> {
        append(c, self, crate::db::now_ms())
    }
}

/// Appends a record.
///
/// # Errors
/// Database failures.
pub fn append(c: &Conn, e: &NewEntry, now_ms: i64) -> AppResult<()> {
    c.execute(
        "INSERT INTO audit_log (tenant_id, at, action, actor_id, actor_email, target, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.tenant_id,
            now_ms,
            e.action.as_str(),
            e.actor_id,
            e.actor_email,
            e.target,
            e.details.to_string()
        ],
    )?;
    Ok(())
}

/// Which records to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<AuditAction>,
    /// Actor id or email (exact, case-insensitive for emails).
    pub actor: Option<String>,
    /// Epoch ms, inclusive.
    pub from: Option<i64>,
    /// Epoch ms, exclusive.
    pub to: Option<i64>,
    /// Only records with an id below this (the previous page's last id).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// A tenant's records matching `f`, newest first.
///
/// # Errors
/// Database failures.
pub fn query(c: &Conn, tenant_id: &str, f: &Filter) -> AppResult<Vec<AuditEntry>> {
    let mut stmt = c.prepare(
        "SELECT id, at, tenant_id, action, actor_id, actor_email, target, details FROM audit_log
         WHERE tenant_id = ?1
           AND (CAST(?2 AS TEXT) IS NULL OR action = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR actor_id = ?3 OR actor_email = ?3 COLLATE NOCASE)
           AND (CAST(?4 AS BIGINT) IS NULL OR at >= ?4)
           AND (CAST(?5 AS BIGINT) IS NULL OR at < ?5)
           AND (CAST(?6 AS BIGINT) IS NULL OR id < ?6)
         ORDER BY id DESC LIMIT ?7",
    )?;
    let rows = stmt.query_map(
        params![
            tenant_id,
            f.action.map(AuditAction::as_str),
            f.actor,
            f.from,
            f.to,
            f.before_id,
            f.limit
        ],
        |r| {
            let action: String = r.get(3)?;
            let details: String = r.get(7)?;
            Ok((
                AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    tenant_id: r.get(2)?,
                    action: AuditAction::SignIn,
                    actor_id: r.get(4)?,
                    actor_email: r.get(5)?,
                    target: r.get(6)?,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                },
                action,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (mut entry, action) = row?;
        // Rows are written from `AuditAction::as_str`, so an unknown name means a newer
        // server wrote it; skip rather than mislabel it.
        if let Some(a) = AuditAction::parse(&action) {
            entry.action = a;
            out.push(entry);
        }
    }
    Ok(out)
}
