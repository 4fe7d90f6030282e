//! Webhooks (`/api/v1/webhooks`) and their deliveries, an outbox: [`enqueue`] runs inside the
//! transaction that raises, acknowledges or resolves an alert, so an event is stored for
//! sending exactly when the change is, and `crate::webhooks` sends what is due. The
//! definition is stored as the JSON of its [`WebhookInput`]; `enabled` is a column too.

use crate::auth::random_token;
use crate::error::AppResult;
use crate::sql::{params, Conn, OptionalExtension};
use vantage_contract::{
    Alert, AlertStatus, DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent, WebhookFormat,
    WebhookInput, WebhookPayload,
};

/// Deliveries listed per webhook.
pub const LISTED_DELIVERIES: usize = 50;
/// Finished deliveries are kept this long (ms).
pub const KEEP_DELIVERIES_MS: i64 = 30 * 86_400_000;

const COLS: &str = "id, body, enabled, created_at, updated_at";
const DELIVERY_COLS: &str = "id, event_id, event, status, attempts, created_at, \
    last_attempt_at, next_attempt_at, response_status, error";

fn webhook_from_row(r: &crate::sql::Row) -> crate::sql::Result<(String, String, bool, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn build(c: &Conn, tenant: &str, row: (String, String, bool, i64, i64)) -> AppResult<Webhook> {
    let (id, body, enabled, created_at, updated_at) = row;
    let input: WebhookInput = serde_json::from_str(&body)?;
    let last_delivery = deliveries(c, tenant, &id, 1)?.pop();
    Ok(Webhook {
        id,
        name: input.name,
        url: input.url,
        events: input.events,
        enabled,
        format: input.format,
        created_at,
        updated_at,
        last_delivery,
    })
}

fn delivery_from_row(r: &crate::sql::Row) -> crate::sql::Result<WebhookDelivery> {
    let event: String = r.get(2)?;
    let status: String = r.get(3)?;
    Ok(WebhookDelivery {
        id: r.get(0)?,
        event_id: r.get(1)?,
        event: WebhookEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == event)
            .unwrap_or(WebhookEvent::Ping),
        status: DeliveryStatus::ALL
            .into_iter()
            .find(|s| crate::store::enum_str(*s) == status)
            .unwrap_or(DeliveryStatus::Failed),
        attempts: u32::try_from(r.get::<i64>(4)?).unwrap_or(0),
        created_at: r.get(5)?,
        last_attempt_at: r.get(6)?,
        next_attempt_at: r.get(7)?,
        response_status: r.get::<Option<i64>>(8)?.and_then(|s| u16::try_from(s).ok()),
        error: r.get(9)?,
    })
}

/// The tenant's webhooks, oldest first, each with its latest delivery.
///
/// # Errors
/// Database failures.
pub fn list(c: &Conn, tenant: &str) -> AppResult<Vec<Webhook>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {COLS} FROM webhooks WHERE tenant_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt
        .query_map([tenant], webhook_from_row)?
        .collect::<crate::sql::Result<Vec<_>>>()?;
    rows.into_iter().map(|r| build(c, tenant, r)).collect()
}

/// One webhook of the tenant.
///
/// # Errors
/// Database failures.
pub fn get(c: &Conn, tenant: &str, id: &str) -> AppResult<Option<Webhook>> {
    c.query_row(
        &format!("SELECT {COLS} FROM webhooks WHERE tenant_id = ?1 AND id = ?2"),
        [tenant, id],
        webhook_from_row,
    )
    .optional()?
    .map(|r| build(c, tenant, r))
    .transpose()
}

/// How many webhooks the tenant has.
///
/// # Errors
/// Database failures.
pub fn count(c: &Conn, tenant: &str) -> AppResult<usize> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM webhooks WHERE tenant_id = ?1",
        [tenant],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// A new signing secret: `whsec_` and 32 random bytes.
pub fn new_secret() -> String {
    format!("whsec_{}", random_token(32))
}

/// Stores a new webhook with its secret.
///
/// # Errors
/// Database failures.
pub fn insert(
    c: &Conn,
    tenant: &str,
    id: &str,
    input: &WebhookInput,
    secret: &str,
    now: i64,
) -> AppResult<()> {
    c.execute(
        "INSERT INTO webhooks (id, tenant_id, body, enabled, secret, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            id,
            tenant,
            serde_json::to_string(input)?,
            i64::from(input.enabled),
            secret,
            now
        ],
    )?;
    Ok(())
}

/// Replaces a webhook's definition; disabling it gives up what it had still to send.
/// `false`: the tenant has no such webhook.
///
/// # Errors
/// Database failures.
pub fn update(c: &Conn, tenant: &str, id: &str, input: &WebhookInput, now: i64) -> AppResult<bool> {
    let changed = c.execute(
        "UPDATE webhooks SET body = ?3, enabled = ?4, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, serde_json::to_string(input)?, i64::from(input.enabled), now],
    )? > 0;
    if changed && !input.enabled {
        c.execute(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
             error = 'the webhook was disabled before this was delivered' \
             WHERE tenant_id = ?1 AND webhook_id = ?2 AND status = 'pending'",
            [tenant, id],
        )?;
    }
    Ok(changed)
}

/// Replaces a webhook's secret. `false`: the tenant has no such webhook.
///
/// # Errors
/// Database failures.
pub fn set_secret(c: &Conn, tenant: &str, id: &str, secret: &str, now: i64) -> AppResult<bool> {
    Ok(c.execute(
        "UPDATE webhooks SET secret = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, id, secret, now],
    )? > 0)
}

/// Deletes a webhook and its deliveries. `false`: the tenant has no such webhook.
///
/// # Errors
/// Database failures.
pub fn delete(c: &Conn, tenant: &str, id: &str) -> AppResult<bool> {
    let deleted = c.execute(
        "DELETE FROM webhooks WHERE tenant_id = ?1 AND id = ?2",
        [tenant, id],
    )? > 0;
    c.execute(
        "DELETE FROM webhook_deliveries WHERE tenant_id = ?1 AND webhook_id = ?2",
        [tenant, id],
    )?;
    Ok(deleted)
}

/// A webhook's deliveries, newest first.
///
/// # Errors
/// Database failures.
pub fn deliveries(
    c: &Conn,
    tenant: &str,
    webhook: &str,
    limit: usize,
) -> AppResult<Vec<WebhookDelivery>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE tenant_id = ?1 AND webhook_id = ?2 \
         ORDER BY created_at DESC, id DESC LIMIT ?3"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![tenant, webhook, limit], delivery_from_row)?;
    Ok(rows.collect::<crate::sql::Result<_>>()?)
}

/// The event an alert's new status tells of.
pub fn event_of(alert: &Alert) -> WebhookEvent {
    match alert.status {
        AlertStatus::Open => WebhookEvent::AlertRaised,
        AlertStatus::Acknowledged => WebhookEvent::AlertAcknowledged,
        AlertStatus::Resolved => WebhookEvent::AlertResolved,
    }
}

fn insert_delivery(
    c: &Conn,
    tenant: &str,
    webhook: &str,
    payload: &WebhookPayload,
    now: i64,
) -> AppResult<String> {
    let id = format!("whd_{}", random_token(12));
    c.execute(
        "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event, body, status, \
         attempts, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?7)",
        params![
            id,
            tenant,
            webhook,
            payload.id,
            payload.event.as_str(),
            serde_json::to_string(payload)?,
            now
        ],
    )?;
    Ok(id)
}

fn payload(tenant: &str, event: WebhookEvent, alert: Option<&Alert>, now: i64) -> WebhookPayload {
    WebhookPayload {
        id: format!("evt_{}", random_token(12)),
        event,
        created_at: now,
        tenant: tenant.to_owned(),
        alert: alert.cloned(),
    }
}

/// Stores, for every enabled webhook of the tenant that asked for it, a delivery of the
/// event `alert` (as it is now) tells of. Call it in the transaction that changed the alert.
///
/// # Errors
/// Database failures.
pub fn enqueue(c: &Conn, tenant: &str, alert: &Alert, now: i64) -> AppResult<()> {
    let event = event_of(alert);
    let mut stmt =
        c.prepare("SELECT id, body FROM webhooks WHERE tenant_id = ?1 AND enabled = 1")?;
    let hooks = stmt
        .query_map([tenant], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?
        .collect::<crate::sql::Result<Vec<_>>>()?;
    if hooks.is_empty() {
        return Ok(());
    }
    let payload = payload(tenant, event, Some(alert), now);
    for (id, body) in hooks {
        let input: WebhookInput = serde_json::from_str(&body)?;
        if input.events.contains(&event) {
            insert_delivery(c, tenant, &id, &payload, now)?;
        }
    }
    Ok(())
}

/// Stores a `ping` delivery to one webhook (enabled or not) and returns it; `None`: the
/// tenant has no such webhook.
///
/// # Errors
/// Database failures.
pub fn enqueue_ping(
    c: &Conn,
    tenant: &str,
    webhook: &str,
    now: i64,
) -> AppResult<Option<WebhookDelivery>> {
    if get(c, tenant, webhook)?.is_none() {
        return Ok(None);
    }
    let id = insert_delivery(
        c,
        tenant,
        webhook,
        &payload(tenant, WebhookEvent::Ping, None, now),
        now,
    )?;
    Ok(c.query_row(
        &format!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE id = ?1"),
        [&id],
        delivery_from_row,
    )
    .optional()?)
}

/// A delivery due now, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub tenant: String,
    pub webhook: String,
    pub event_id: String,
    pub event: String,
    pub body: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub url: String,
    pub format: WebhookFormat,
    pub secret: String,
}

/// Up to `limit` pending deliveries due at `now`, earliest first (of webhooks that still
/// exist; a disabled webhook's `ping` is sent too).
///
/// # Errors
/// Database failures.
pub fn due(c: &Conn, now: i64, limit: usize) -> AppResult<Vec<Due>> {
    let mut stmt = c.prepare(
        "SELECT d.id, d.tenant_id, d.webhook_id, d.event_id, d.event, d.body, d.attempts, \
         d.next_attempt_at, w.body, w.secret \
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.tenant_id = d.tenant_id \
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 \
         ORDER BY d.next_attempt_at, d.id LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![now, limit], |r| {
        Ok((
            Due {
                id: r.get(0)?,
                tenant: r.get(1)?,
                webhook: r.get(2)?,
                event_id: r.get(3)?,
                event: r.get(4)?,
                body: r.get(5)?,
                attempts: u32::try_from(r.get::<i64>(6)?).unwrap_or(0),
                next_attempt_at: r.get(7)?,
                url: String::new(),
                format: WebhookFormat::Event,
                secret: r.get(9)?,
            },
            r.get::<String>(8)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (mut d, body) = row?;
        let hook: WebhookInput = serde_json::from_str(&body)?;
        (d.url, d.format) = (hook.url, hook.format);
        out.push(d);
    }
    Ok(out)
}

/// Takes a due delivery for one attempt: counts the attempt and moves its next attempt to
/// `lease_until`, so neither another replica nor this one's next round sends it meanwhile
/// (and, should this process stop mid-attempt, it is tried again then). `false`: another
/// round took it first.
///
/// # Errors
/// Database failures.
pub fn claim(c: &Conn, d: &Due, now: i64, lease_until: i64) -> AppResult<bool> {
    Ok(c.execute(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?3, next_attempt_at = ?4 \
         WHERE id = ?1 AND status = 'pending' AND next_attempt_at = ?2",
        params![d.id, d.next_attempt_at, now, lease_until],
    )? > 0)
}

/// Records an attempt's outcome: delivered (`next` unused), or failed with a next attempt at
/// `next` (`None`: given up).
///
/// # Errors
/// Database failures.
pub fn record(
    c: &Conn,
    id: &str,
    delivered: bool,
    response_status: Option<u16>,
    error: Option<&str>,
    next: Option<i64>,
) -> AppResult<()> {
    let status = match (delivered, next) {
        (true, _) => "delivered",
        (false, Some(_)) => "pending",
        (false, None) => "failed",
    };
    c.execute(
        "UPDATE webhook_deliveries SET status = ?2, response_status = ?3, error = ?4, next_attempt_at = ?5 \
         WHERE id = ?1 AND status = 'pending'",
        params![
            id,
            status,
            response_status.map(i64::from),
            error,
            if delivered { None } else { next }
        ],
    )?;
    Ok(())
}

/// Deletes delivered and failed deliveries created before `before`; returns how many.
///
/// # Errors
/// Database failures.
pub fn prune(c: &Conn, before: i64) -> AppResult<usize> {
    Ok(c.execute(
        "DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?1",
        params![before],
    )?)
}
