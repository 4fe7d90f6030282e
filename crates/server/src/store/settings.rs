//! Server-wide settings rows: the JWT signing secret (when no `VANTAGE_JWT_SECRET` is given)
//! and whether first-run setup is still pending.

use crate::auth::random_token;
use crate::db::get_setting;
use crate::error::AppResult;
use rusqlite::Connection;

/// The stored JWT secret, generated on first use.
///
/// # Errors
/// Database failures.
pub fn jwt_secret(c: &mut Connection) -> AppResult<String> {
    if let Some(s) = get_setting(c, "jwt_secret")? {
        return Ok(s);
    }
    let s = random_token(48);
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('jwt_secret', ?1)",
        [&s],
    )?;
    Ok(s)
}

/// Whether the server still needs its first system admin (no active system admin exists).
///
/// # Errors
/// Database failures.
pub fn setup_pending(c: &Connection) -> AppResult<bool> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM users WHERE role = 'system_admin'",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 0)
}

/// A trivial query proving the database answers (readiness).
///
/// # Errors
/// Database failures.
pub fn ping(c: &Connection) -> AppResult<()> {
    c.query_row("SELECT COUNT(*) FROM settings", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}
