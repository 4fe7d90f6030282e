//! Sign-in sessions and their rotating refresh tokens. A session is one refresh-token family:
//! each refresh marks the presented token used and issues the next one in the same session.
//! Presenting a used token again means it was copied, so the whole session ends (theft
//! detection). Access tokens carry the session id and stop working when it ends.

use crate::auth::random_token;
use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};

/// Starts a session for `user_id`; returns its id.
///
/// # Errors
/// Database failures.
pub fn start(c: &Conn, user_id: &str, now_ms: i64) -> AppResult<String> {
    let id = format!("s_{}", random_token(12));
    c.execute(
        "INSERT INTO sessions (id, user_id, created_at) VALUES (?1, ?2, ?3)",
        params![id, user_id, now_ms],
    )?;
    Ok(id)
}

/// Stores a refresh token's hash in `session_id`.
///
/// # Errors
/// Database failures.
pub fn insert_refresh_token(
    c: &Conn,
    hash: &str,
    user_id: &str,
    session_id: &str,
    expires_at_secs: u64,
) -> AppResult<()> {
    c.execute(
        "INSERT INTO refresh_tokens (token_hash, user_id, expires_at, session_id) VALUES (?1, ?2, ?3, ?4)",
        params![hash, user_id, expires_at_secs, session_id],
    )?;
    Ok(())
}

/// What presenting a refresh token did.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used; issue the next one in this session.
    Rotated { user_id: String, session_id: String },
    /// The token had already been used: the session has been ended.
    Reused { session_id: String },
    /// Unknown, expired, or its session has ended.
    Invalid,
}

/// Uses up the refresh token with `hash` (see [`Rotation`]).
///
/// # Errors
/// Database failures.
pub fn rotate(c: &Conn, hash: &str, now_secs: u64, now_ms: i64) -> AppResult<Rotation> {
    let row: Option<(String, String, bool, u64)> = c
        .query_row(
            "SELECT user_id, session_id, revoked, expires_at FROM refresh_tokens WHERE token_hash = ?1",
            [hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((user_id, session_id, used, expires_at)) = row else {
        return Ok(Rotation::Invalid);
    };
    if expires_at <= now_secs || !is_active(c, &session_id)? {
        return Ok(Rotation::Invalid);
    }
    if used {
        end(c, &session_id, now_ms)?;
        return Ok(Rotation::Reused { session_id });
    }
    c.execute(
        "UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ?1",
        [hash],
    )?;
    Ok(Rotation::Rotated {
        user_id,
        session_id,
    })
}

/// Whether the session exists and has not ended.
///
/// # Errors
/// Database failures.
pub fn is_active(c: &Conn, session_id: &str) -> AppResult<bool> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM sessions WHERE id = ?1 AND revoked_at IS NULL",
        [session_id],
        |r| r.get::<i64>(0),
    )? > 0)
}

/// Ends one session.
///
/// # Errors
/// Database failures.
pub fn end(c: &Conn, session_id: &str, now_ms: i64) -> AppResult<()> {
    c.execute(
        "UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![session_id, now_ms],
    )?;
    Ok(())
}

/// Ends every session of `user_id` except `keep`; returns the ended session ids.
///
/// # Errors
/// Database failures.
pub fn end_all_of_user(
    c: &Conn,
    user_id: &str,
    keep: Option<&str>,
    now_ms: i64,
) -> AppResult<Vec<String>> {
    let mut stmt = c.prepare(
        "SELECT id FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL AND id != ?2",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![user_id, keep.unwrap_or("")], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        end(c, id, now_ms)?;
    }
    Ok(ids)
}
