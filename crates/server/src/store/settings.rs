//! Server-wide settings rows: whether first-run setup is still pending. (The JWT signing secret
//! is never stored here: see `crate::secret`.)

use crate::error::AppResult;
use crate::sql::Conn;

/// Whether the server still needs its first system admin (no active system admin exists).
///
/// # Errors
/// Database failures.
pub fn setup_pending(c: &Conn) -> AppResult<bool> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM users WHERE role = 'system_admin'",
        (),
        |r| r.get(0),
    )?;
    Ok(n == 0)
}

/// A trivial query proving the database answers (readiness).
///
/// # Errors
/// Database failures.
pub fn ping(c: &Conn) -> AppResult<()> {
    c.query_row("SELECT COUNT(*) FROM settings", (), |r| r.get::<i64>(0))?;
    Ok(())
}
