//! Metadata persistence (tenants, users, dashboards, alerts; sessions, single-use links, the
//! audit log and account administration in the submodules). Every function is blocking, takes
//! a SQLite connection and takes the tenant id explicitly, so no query can forget the tenant
//! scope. Handlers call these instead of writing SQL.

pub mod accounts;
pub mod alert_rules;
pub mod audit;
pub mod embed_tokens;
pub mod links;
pub mod sessions;
pub mod settings;
pub mod webhooks;

use crate::error::{AppError, AppResult};
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::{
    Alert, AlertStatus, Branding, Dashboard, DashboardInput, Role, Severity, Tenant,
};

pub struct UserRow {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
}

fn user_from_row(r: &crate::sql::Row) -> crate::sql::Result<UserRow> {
    let role: String = r.get(4)?;
    Ok(UserRow {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        password_hash: r.get(5)?,
        active: r.get(6)?,
    })
}

const USER_COLS: &str = "id, tenant_id, email, name, role, password_hash, active";

pub fn user_by_email(c: &Conn, email: &str) -> AppResult<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE email = ?1 COLLATE NOCASE");
    Ok(c.query_row(&sql, [email], user_from_row).optional()?)
}

pub fn user_by_id(c: &Conn, id: &str) -> AppResult<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = ?1");
    Ok(c.query_row(&sql, [id], user_from_row).optional()?)
}

/// Every user of `tenant_id`, by name. Platform staff (system admins, who may be homed in a
/// tenant) are listed only when `include_system` is set.
pub fn users_of_tenant(c: &Conn, tenant_id: &str, include_system: bool) -> AppResult<Vec<UserRow>> {
    let system = if include_system {
        ""
    } else {
        " AND role != 'system_admin'"
    };
    let sql = format!(
        "SELECT {USER_COLS} FROM users WHERE tenant_id = ?1{system} ORDER BY name COLLATE NOCASE"
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map([tenant_id], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn tenant(c: &Conn, id: &str) -> AppResult<Option<Tenant>> {
    c.query_row(
        "SELECT id, name, branding, embed_origins FROM tenants WHERE id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
            ))
        },
    )
    .optional()?
    .map(|(id, name, branding, origins)| {
        Ok(Tenant {
            id,
            name,
            branding: serde_json::from_str(&branding)?,
            embed_origins: serde_json::from_str(&origins)?,
        })
    })
    .transpose()
}

/// Every tenant's embed origins together (for CORS preflights).
pub fn all_embed_origins(c: &Conn) -> AppResult<Vec<String>> {
    let mut stmt = c.prepare("SELECT embed_origins FROM tenants")?;
    let rows = stmt.query_map((), |r| r.get::<String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let list: Vec<String> = serde_json::from_str(&row?)?;
        out.extend(list);
    }
    Ok(out)
}

pub fn set_branding(c: &Conn, tenant: &str, b: &Branding) -> AppResult<()> {
    c.execute(
        "UPDATE tenants SET branding = ?2 WHERE id = ?1",
        params![tenant, serde_json::to_string(b)?],
    )?;
    Ok(())
}

pub fn set_embed_origins(c: &Conn, tenant: &str, origins: &[String]) -> AppResult<()> {
    c.execute(
        "UPDATE tenants SET embed_origins = ?2 WHERE id = ?1",
        params![tenant, serde_json::to_string(origins)?],
    )?;
    Ok(())
}

fn dashboard_from_row(r: &crate::sql::Row) -> crate::sql::Result<(String, String, u64, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn build_dashboard(
    (id, body, version, created_at, updated_at): (String, String, u64, i64, i64),
) -> AppResult<Dashboard> {
    let input: DashboardInput = serde_json::from_str(&body)?;
    Ok(Dashboard {
        id,
        name: input.name,
        description: input.description,
        layout: input.layout,
        widgets: input.widgets,
        filters: input.filters,
        time_range: input.time_range,
        refresh_interval_sec: input.refresh_interval_sec,
        version,
        created_at,
        updated_at,
    })
}

pub fn dashboards(c: &Conn, tenant: &str) -> AppResult<Vec<Dashboard>> {
    let mut stmt = c.prepare(
        "SELECT id, body, version, created_at, updated_at FROM dashboards WHERE tenant_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([tenant], dashboard_from_row)?;
    rows.map(|r| build_dashboard(r?)).collect()
}

pub fn dashboard(c: &Conn, tenant: &str, id: &str) -> AppResult<Option<Dashboard>> {
    c.query_row(
        "SELECT id, body, version, created_at, updated_at FROM dashboards WHERE tenant_id = ?1 AND id = ?2",
        [tenant, id],
        dashboard_from_row,
    )
    .optional()?
    .map(build_dashboard)
    .transpose()
}

pub fn insert_dashboard(
    c: &Conn,
    tenant: &str,
    id: &str,
    input: &DashboardInput,
    now: i64,
) -> AppResult<()> {
    let mut body = input.clone();
    body.version = None;
    c.execute(
        "INSERT INTO dashboards (id, tenant_id, body, version, created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
        params![id, tenant, serde_json::to_string(&body)?, now],
    )?;
    Ok(())
}

/// Updates if `expected_version` is current. `Ok(None)`: no such dashboard.
///
/// # Errors
/// 409 with the current version when the edit is stale.
pub fn update_dashboard(
    c: &Conn,
    tenant: &str,
    id: &str,
    input: &DashboardInput,
    expected_version: u64,
    now: i64,
) -> AppResult<Option<()>> {
    let Some(current) = dashboard(c, tenant, id)? else {
        return Ok(None);
    };
    if current.version != expected_version {
        return Err(
            AppError::conflict("dashboard was changed by someone else; reload it")
                .with_details(serde_json::json!({ "currentVersion": current.version })),
        );
    }
    let mut body = input.clone();
    body.version = None;
    let n = c.execute(
        "UPDATE dashboards SET body = ?4, version = version + 1, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2 AND version = ?3",
        params![tenant, id, expected_version, serde_json::to_string(&body)?, now],
    )?;
    if n == 0 {
        return Err(AppError::conflict(
            "dashboard was changed by someone else; reload it",
        ));
    }
    Ok(Some(()))
}

pub fn delete_dashboard(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    Ok(c.execute(
        "DELETE FROM dashboards WHERE tenant_id = ?1 AND id = ?2",
        [tenant, id],
    )? > 0)
}

const ALERT_COLS: &str = "id, rule, severity, status, title, message, dataset, value, threshold, created_at, acknowledged_at, acknowledged_by, resolved_at";
/// [`ALERT_COLS`] as read, with the name of who acknowledged it (`alerts a LEFT JOIN users u`).
const ALERT_READ: &str = "a.id, a.rule, a.severity, a.status, a.title, a.message, a.dataset, a.value, a.threshold, a.created_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at, u.name \
    FROM alerts a LEFT JOIN users u ON u.id = a.acknowledged_by AND u.tenant_id = a.tenant_id";

fn parse_enum<T: serde::de::DeserializeOwned>(s: String) -> crate::sql::Result<T> {
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| crate::sql::Error::Decode {
        index: 0,
        message: e.to_string(),
    })
}

fn alert_from_row(r: &crate::sql::Row) -> crate::sql::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        rule: r.get(1)?,
        severity: parse_enum(r.get(2)?)?,
        status: parse_enum(r.get(3)?)?,
        title: r.get(4)?,
        message: r.get(5)?,
        dataset: r.get(6)?,
        value: r.get(7)?,
        threshold: r.get(8)?,
        created_at: r.get(9)?,
        acknowledged_at: r.get(10)?,
        acknowledged_by: r.get(11)?,
        acknowledged_by_name: r.get(13)?,
        resolved_at: r.get(12)?,
    })
}

pub fn enum_str<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn alerts(
    c: &Conn,
    tenant: &str,
    severity: Option<Severity>,
    status: Option<AlertStatus>,
    limit: u32,
) -> AppResult<Vec<Alert>> {
    let sql = format!(
        "SELECT {ALERT_READ} WHERE a.tenant_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR a.severity = ?2) AND (CAST(?3 AS TEXT) IS NULL OR a.status = ?3) ORDER BY a.created_at DESC, a.id LIMIT ?4"
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(
        params![tenant, severity.map(enum_str), status.map(enum_str), limit],
        alert_from_row,
    )?;
    Ok(rows.collect::<crate::sql::Result<_>>()?)
}

pub fn alert(c: &Conn, tenant: &str, id: &str) -> AppResult<Option<Alert>> {
    let sql = format!("SELECT {ALERT_READ} WHERE a.tenant_id = ?1 AND a.id = ?2");
    Ok(c.query_row(&sql, [tenant, id], alert_from_row).optional()?)
}

/// Stores a new alert and, for the tenant's webhooks, its `alert.raised` event (call it in a
/// transaction: the two are one change).
pub fn insert_alert(c: &Conn, tenant: &str, a: &Alert) -> AppResult<()> {
    c.execute(
        &format!("INSERT INTO alerts (tenant_id, {ALERT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
        params![
            tenant, a.id, a.rule, enum_str(a.severity), enum_str(a.status), a.title, a.message, a.dataset,
            a.value, a.threshold, a.created_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at
        ],
    )?;
    webhooks::enqueue(c, tenant, a, a.created_at)
}

/// Sets an alert's status; returns the updated alert (`None`: no such alert in the tenant).
/// A change of status also stores its event for the tenant's webhooks (call it in a
/// transaction: the two are one change); setting the status it already has changes nothing.
pub fn set_alert_status(
    c: &Conn,
    tenant: &str,
    id: &str,
    status: AlertStatus,
    by: &str,
    now: i64,
) -> AppResult<Option<Alert>> {
    let n = match status {
        AlertStatus::Acknowledged => c.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?3, acknowledged_by = ?4 WHERE tenant_id = ?1 AND id = ?2 AND status = 'open'",
            params![tenant, id, now, by],
        )?,
        AlertStatus::Resolved => c.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND status != 'resolved'",
            params![tenant, id, now],
        )?,
        AlertStatus::Open => 0,
    };
    let changed = alert(c, tenant, id)?;
    if let Some(a) = changed.as_ref().filter(|_| n > 0) {
        webhooks::enqueue(c, tenant, a, now)?;
    }
    Ok(changed)
}
