//! Single-use links: the setup token, invitations and password resets. Only the SHA-256 of a
//! link's token is stored; a link works once and until it expires.

use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::Role;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Setup,
    Invitation,
    PasswordReset,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            LinkKind::Setup => "setup",
            LinkKind::Invitation => "invitation",
            LinkKind::PasswordReset => "password_reset",
        }
    }
}

/// A stored link.
#[derive(Debug, Clone)]
pub struct Link {
    pub token_hash: String,
    pub kind: LinkKind,
    pub tenant_id: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub role: Option<Role>,
    pub created_by: Option<String>,
    pub created_at: i64,
    /// Epoch ms.
    pub expires_at: i64,
}

/// Stores a new link.
///
/// # Errors
/// Database failures.
pub fn insert(c: &Conn, l: &Link) -> AppResult<()> {
    c.execute(
        "INSERT INTO one_time_tokens (token_hash, kind, tenant_id, user_id, email, role, created_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            l.token_hash,
            l.kind.as_str(),
            l.tenant_id,
            l.user_id,
            l.email,
            l.role.map(Role::as_str),
            l.created_by,
            l.created_at,
            l.expires_at
        ],
    )?;
    Ok(())
}

/// The unused, unexpired link of `kind` with this hash (without using it up).
///
/// # Errors
/// Database failures.
pub fn find_usable(c: &Conn, hash: &str, kind: LinkKind, now_ms: i64) -> AppResult<Option<Link>> {
    Ok(c.query_row(
        "SELECT token_hash, tenant_id, user_id, email, role, created_by, created_at, expires_at FROM one_time_tokens WHERE token_hash = ?1 AND kind = ?2 AND used_at IS NULL AND expires_at > ?3",
        params![hash, kind.as_str(), now_ms],
        |r| {
            let role: Option<String> = r.get(4)?;
            Ok(Link {
                token_hash: r.get(0)?,
                kind,
                tenant_id: r.get(1)?,
                user_id: r.get(2)?,
                email: r.get(3)?,
                role: role.as_deref().and_then(Role::parse),
                created_by: r.get(5)?,
                created_at: r.get(6)?,
                expires_at: r.get(7)?,
            })
        },
    )
    .optional()?)
}

/// Uses the link up; `false` when it was already used or has expired meanwhile.
///
/// # Errors
/// Database failures.
pub fn use_up(c: &Conn, hash: &str, kind: LinkKind, now_ms: i64) -> AppResult<bool> {
    Ok(c.execute(
        "UPDATE one_time_tokens SET used_at = ?3 WHERE token_hash = ?1 AND kind = ?2 AND used_at IS NULL AND expires_at > ?3",
        params![hash, kind.as_str(), now_ms],
    )? == 1)
}

/// Withdraws every unused link of `kind` (a new setup token replaces the old ones).
///
/// # Errors
/// Database failures.
pub fn withdraw_all(c: &Conn, kind: LinkKind) -> AppResult<()> {
    c.execute(
        "DELETE FROM one_time_tokens WHERE kind = ?1 AND used_at IS NULL",
        [kind.as_str()],
    )?;
    Ok(())
}
