//! Tenant and user administration: creating tenants and users, status and role changes, the
//! counts the tenant list shows, and the per-request status check behind the `Principal`.

use crate::error::{AppError, AppResult};
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::{Branding, Role, TenantSummary};

/// What the server must know about a token's user on every request.
#[derive(Debug, Clone)]
pub struct UserStatus {
    /// The role now (it may have changed since the token was issued).
    pub role: Role,
    pub active: bool,
    /// Whether the token's session is still active (`true` when the token names none).
    pub session_active: bool,
    pub email: String,
}

/// The current status of `user_id` (and of `session_id`, if given); `None`: no such user.
///
/// # Errors
/// Database failures.
pub fn user_status(
    c: &Conn,
    user_id: &str,
    session_id: Option<&str>,
) -> AppResult<Option<UserStatus>> {
    Ok(c.query_row(
        "SELECT u.role, u.active, u.email,
                CAST(?2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = ?2 AND s.user_id = u.id AND s.revoked_at IS NULL)
         FROM users u WHERE u.id = ?1",
        params![user_id, session_id],
        |r| {
            let role: String = r.get(0)?;
            Ok(UserStatus {
                role: Role::parse(&role).unwrap_or(Role::Viewer),
                active: r.get(1)?,
                email: r.get(2)?,
                session_active: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// Whether the tenant is active; `None`: no such tenant.
///
/// # Errors
/// Database failures.
pub fn tenant_active(c: &Conn, tenant_id: &str) -> AppResult<Option<bool>> {
    Ok(c.query_row(
        "SELECT active FROM tenants WHERE id = ?1",
        [tenant_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// Creates a tenant with default branding named after it.
///
/// # Errors
/// 409 when the id is taken; database failures.
pub fn create_tenant(c: &Conn, id: &str, name: &str, now_ms: i64) -> AppResult<()> {
    if tenant_active(c, id)?.is_some() {
        return Err(AppError::conflict(format!("tenant '{id}' already exists"))
            .with_details(serde_json::json!({ "field": "id" })));
    }
    let branding = Branding {
        product_name: name
            .chars()
            .take(vantage_contract::tenant::PRODUCT_NAME_MAX)
            .collect(),
        ..Branding::default()
    };
    c.execute(
        "INSERT INTO tenants (id, name, branding, embed_origins, active, created_at) VALUES (?1, ?2, ?3, '[]', 1, ?4)",
        params![id, name, serde_json::to_string(&branding)?, now_ms],
    )?;
    Ok(())
}

const SUMMARY_SQL: &str = "SELECT t.id, t.name, t.active, t.created_at,
    (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id AND u.role != 'system_admin'),
    (SELECT COUNT(*) FROM dashboards d WHERE d.tenant_id = t.id)
    FROM tenants t";

fn summary_from_row(r: &crate::sql::Row) -> crate::sql::Result<TenantSummary> {
    Ok(TenantSummary {
        id: r.get(0)?,
        name: r.get(1)?,
        active: r.get(2)?,
        created_at: r.get(3)?,
        user_count: r.get(4)?,
        dashboard_count: r.get(5)?,
    })
}

/// Every tenant with its user and dashboard counts, by name.
///
/// # Errors
/// Database failures.
pub fn tenant_summaries(c: &Conn) -> AppResult<Vec<TenantSummary>> {
    let mut stmt = c.prepare(&format!(
        "{SUMMARY_SQL} ORDER BY t.name COLLATE NOCASE, t.id"
    ))?;
    let rows = stmt.query_map((), summary_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One tenant's summary.
///
/// # Errors
/// Database failures.
pub fn tenant_summary(c: &Conn, id: &str) -> AppResult<Option<TenantSummary>> {
    Ok(c.query_row(
        &format!("{SUMMARY_SQL} WHERE t.id = ?1"),
        [id],
        summary_from_row,
    )
    .optional()?)
}

/// Renames a tenant.
///
/// # Errors
/// Database failures.
pub fn rename_tenant(c: &Conn, id: &str, name: &str) -> AppResult<()> {
    c.execute(
        "UPDATE tenants SET name = ?2 WHERE id = ?1",
        params![id, name],
    )?;
    Ok(())
}

/// Activates or deactivates a tenant.
///
/// # Errors
/// Database failures.
pub fn set_tenant_active(c: &Conn, id: &str, active: bool) -> AppResult<()> {
    c.execute(
        "UPDATE tenants SET active = ?2 WHERE id = ?1",
        params![id, active],
    )?;
    Ok(())
}

/// A new user row.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub tenant_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

/// Creates a user.
///
/// # Errors
/// 409 (field `email`) when the email is taken; database failures.
pub fn insert_user(c: &Conn, u: &NewUser<'_>) -> AppResult<()> {
    if crate::store::user_by_email(c, u.email)?.is_some() {
        return Err(email_taken());
    }
    c.execute(
        "INSERT INTO users (id, tenant_id, email, name, role, password_hash, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
        params![u.id, u.tenant_id, u.email, u.name, u.role.as_str(), u.password_hash],
    )?;
    Ok(())
}

/// The 409 for an email that already has an account.
pub fn email_taken() -> AppError {
    AppError::conflict("a user with this email already exists")
        .with_details(serde_json::json!({ "field": "email" }))
}

/// Sets a user's role.
///
/// # Errors
/// Database failures.
pub fn set_user_role(c: &Conn, user_id: &str, role: Role) -> AppResult<()> {
    c.execute(
        "UPDATE users SET role = ?2 WHERE id = ?1",
        params![user_id, role.as_str()],
    )?;
    Ok(())
}

/// Activates or deactivates a user.
///
/// # Errors
/// Database failures.
pub fn set_user_active(c: &Conn, user_id: &str, active: bool) -> AppResult<()> {
    c.execute(
        "UPDATE users SET active = ?2 WHERE id = ?1",
        params![user_id, active],
    )?;
    Ok(())
}

/// Replaces a user's password hash.
///
/// # Errors
/// Database failures.
pub fn set_password_hash(c: &Conn, user_id: &str, hash: &str) -> AppResult<()> {
    c.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![user_id, hash],
    )?;
    Ok(())
}

/// Active tenant admins of a tenant.
///
/// # Errors
/// Database failures.
pub fn active_admin_count(c: &Conn, tenant_id: &str) -> AppResult<i64> {
    Ok(c.query_row(
        "SELECT COUNT(*) FROM users WHERE tenant_id = ?1 AND role = 'tenant_admin' AND active = 1",
        [tenant_id],
        |r| r.get(0),
    )?)
}

/// The first tenant's id (by creation), if any.
///
/// # Errors
/// Database failures.
pub fn first_tenant(c: &Conn) -> AppResult<Option<String>> {
    Ok(c.query_row(
        "SELECT id FROM tenants ORDER BY created_at, rowid LIMIT 1",
        (),
        |r| r.get(0),
    )
    .optional()?)
}
