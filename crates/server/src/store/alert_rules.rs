//! Alert rules on a tenant's own datasets (`/api/v1/alert-rules`) and what each one's last
//! evaluation found (`live::rules`). The definition is stored as the JSON of its
//! [`AlertRuleInput`]; `enabled` is a column too, so the evaluator reads only enabled rules.

use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::{Alert, AlertRule, AlertRuleInput, AlertStatus};

const COLS: &str = "id, body, created_at, updated_at, evaluated_at, value, error";

type RuleRow = (
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<f64>,
    Option<String>,
);

fn from_row(r: &crate::sql::Row) -> crate::sql::Result<RuleRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn build(
    (id, body, created_at, updated_at, evaluated_at, value, error): RuleRow,
) -> AppResult<AlertRule> {
    Ok(AlertRule {
        id,
        definition: serde_json::from_str(&body)?,
        created_at,
        updated_at,
        evaluated_at,
        value,
        error,
    })
}

/// The tenant's rules, oldest first.
///
/// # Errors
/// Database failures.
pub fn list(c: &Conn, tenant: &str) -> AppResult<Vec<AlertRule>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLS} FROM alert_rules WHERE tenant_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([tenant], from_row)?;
    rows.map(|r| build(r?)).collect()
}

/// One rule of the tenant.
///
/// # Errors
/// Database failures.
pub fn get(c: &Conn, tenant: &str, id: &str) -> AppResult<Option<AlertRule>> {
    c.query_row(
        &format!("SELECT {COLS} FROM alert_rules WHERE tenant_id = ?1 AND id = ?2"),
        [tenant, id],
        from_row,
    )
    .optional()?
    .map(build)
    .transpose()
}

/// How many rules the tenant has.
///
/// # Errors
/// Database failures.
pub fn count(c: &Conn, tenant: &str) -> AppResult<usize> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM alert_rules WHERE tenant_id = ?1",
        [tenant],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Stores a new rule (not yet evaluated).
///
/// # Errors
/// Database failures.
pub fn insert(c: &Conn, tenant: &str, id: &str, rule: &AlertRuleInput, now: i64) -> AppResult<()> {
    c.execute(
        "INSERT INTO alert_rules (id, tenant_id, body, enabled, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![id, tenant, serde_json::to_string(rule)?, i64::from(rule.enabled), now],
    )?;
    Ok(())
}

/// Replaces a rule's definition and forgets its last evaluation (it was of the old one).
/// `updated_at` always changes (by 1 ms if need be): it tells an evaluation of the old
/// definition from one of the new ([`record`]).
/// `false`: the tenant has no such rule.
///
/// # Errors
/// Database failures.
pub fn update(
    c: &Conn,
    tenant: &str,
    id: &str,
    rule: &AlertRuleInput,
    now: i64,
) -> AppResult<bool> {
    Ok(c.execute(
        "UPDATE alert_rules SET body = ?3, enabled = ?4, \
         updated_at = CASE WHEN ?5 > updated_at THEN ?5 ELSE updated_at + 1 END, evaluated_at = NULL, value = NULL, error = NULL \
         WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, serde_json::to_string(rule)?, i64::from(rule.enabled), now],
    )? > 0)
}

/// Deletes a rule (the alerts it raised stay). `false`: the tenant has no such rule.
///
/// # Errors
/// Database failures.
pub fn delete(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    Ok(c.execute(
        "DELETE FROM alert_rules WHERE tenant_id = ?1 AND id = ?2",
        [tenant, id],
    )? > 0)
}

/// Every enabled rule of every active tenant, with its tenant.
///
/// # Errors
/// Database failures.
pub fn enabled(c: &Conn) -> AppResult<Vec<(String, AlertRule)>> {
    let mut stmt = c.prepare(
        "SELECT r.id, r.body, r.created_at, r.updated_at, r.evaluated_at, r.value, r.error, r.tenant_id \
         FROM alert_rules r JOIN tenants t ON t.id = r.tenant_id \
         WHERE r.enabled = 1 AND t.active = 1 ORDER BY r.tenant_id, r.created_at, r.id",
    )?;
    let rows = stmt.query_map((), |r| Ok((from_row(r)?, r.get::<String>(7)?)))?;
    rows.map(|r| {
        let (row, tenant) = r?;
        Ok((tenant, build(row)?))
    })
    .collect()
}

/// Records what an evaluation of the definition last changed at `updated_at` found. `false`
/// when the rule was since changed or deleted (the finding is of a definition that no longer
/// exists, so nothing is recorded). In PostgreSQL this also locks the rule's row until the
/// transaction ends, so two replicas evaluating the same rule raise one alert between them.
///
/// # Errors
/// Database failures.
pub fn record(
    c: &Conn,
    tenant: &str,
    id: &str,
    updated_at: i64,
    evaluated_at: i64,
    value: Option<f64>,
    error: Option<&str>,
) -> AppResult<bool> {
    Ok(c.execute(
        "UPDATE alert_rules SET evaluated_at = ?4, value = ?5, error = ?6 \
         WHERE tenant_id = ?1 AND id = ?2 AND updated_at = ?3",
        params![tenant, id, updated_at, evaluated_at, value, error],
    )? > 0)
}

/// Whether an alert the rule raised is still open or acknowledged.
///
/// # Errors
/// Database failures.
pub fn has_unresolved_alert(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM alerts WHERE tenant_id = ?1 AND rule = ?2 AND status != 'resolved'",
        [tenant, id],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Resolves at `now` the alerts of the rule that are open or acknowledged (its condition no
/// longer holds, or it was deleted or disabled) and returns them as they are now.
///
/// # Errors
/// Database failures.
pub fn resolve_alerts(c: &Conn, tenant: &str, id: &str, now: i64) -> AppResult<Vec<Alert>> {
    let mut stmt = c.prepare(
        "SELECT id FROM alerts WHERE tenant_id = ?1 AND rule = ?2 AND status != 'resolved'",
    )?;
    let ids = stmt
        .query_map([tenant, id], |r| r.get::<String>(0))?
        .collect::<crate::sql::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for alert in ids {
        // The same change as a person's resolve (no one to name: `by` is not recorded for it).
        out.extend(super::set_alert_status(
            c,
            tenant,
            &alert,
            AlertStatus::Resolved,
            "",
            now,
        )?);
    }
    Ok(out)
}
