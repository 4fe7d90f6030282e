//! `/alert-rules`: a tenant's alert rules on its own datasets (evaluated by `live::rules`).
//! Any user of the tenant may list them; creating, changing and deleting them takes the
//! configure-alerts permission and is audited.

use super::json::ApiJson;
use crate::auth::{random_token, Principal};
use crate::datasets::Catalog;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::rules;
use crate::state::SharedState;
use crate::store::alert_rules;
use crate::store::audit::NewEntry;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::alert::MAX_ALERT_RULES;
use vantage_contract::{
    AlertRule, AlertRuleInput, AlertRuleList, AuditAction, ErrorBody, Permission,
};

fn audit(p: &Principal, action: AuditAction, id: &str, name: &str) -> NewEntry {
    NewEntry::new(&p.tenant_id, action, Some(&p.user_id), p.email.as_deref())
        .target(id)
        .details(serde_json::json!({ "name": name }))
}

/// Checks the caller may change rules and the rule against the tenant's datasets; the name is
/// stored trimmed.
async fn checked(state: &SharedState, p: &Principal, input: &mut AlertRuleInput) -> AppResult<()> {
    p.require_user()?;
    p.require(Permission::ConfigureAlerts)?;
    let catalog = Catalog::load(&state.db, &p.tenant_id).await?;
    input.validate(catalog.schema(&input.dataset))?;
    input.name = input.name.trim().to_owned();
    Ok(())
}

/// Evaluates a rule just saved, so its answer says what it finds now; a failure to evaluate
/// is logged and the rule answered as stored (the minute's evaluation tries again).
async fn evaluated(state: &SharedState, tenant: &str, id: &str) -> AppResult<AlertRule> {
    let (t, i) = (tenant.to_owned(), id.to_owned());
    let stored = state
        .db
        .read(move |c| alert_rules::get(c, &t, &i))
        .await?
        .ok_or_else(|| AppError::not_found("no such alert rule"))?;
    if !stored.definition.enabled {
        return Ok(stored);
    }
    match rules::evaluate(state, tenant, &stored).await {
        Ok(Some(recorded)) => Ok(recorded),
        Ok(None) => Ok(stored),
        Err(e) => {
            tracing::warn!(tenant, rule = id, "alert rule not evaluated on save: {e}");
            Ok(stored)
        }
    }
}

/// `GET /api/v1/alert-rules`.
#[utoipa::path(get, path = "/api/v1/alert-rules", tag = "alerts", security(("bearer" = [])),
    responses((status = 200, body = AlertRuleList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<SharedState>,
    p: Principal,
) -> AppResult<Json<AlertRuleList>> {
    p.require_user()?;
    let items = state
        .db
        .read(move |c| alert_rules::list(c, &p.tenant_id))
        .await?;
    Ok(Json(AlertRuleList { items }))
}

/// `POST /api/v1/alert-rules` (configure-alerts permission).
///
/// Stores the rule and evaluates it at once (when enabled); the answer carries what the
/// evaluation found. At most 100 rules per tenant (409 past that).
#[utoipa::path(post, path = "/api/v1/alert-rules", tag = "alerts", security(("bearer" = [])), request_body = AlertRuleInput,
    responses((status = 201, body = AlertRule), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(mut input): ApiJson<AlertRuleInput>,
) -> AppResult<(StatusCode, Json<AlertRule>)> {
    checked(&state, &p, &mut input).await?;
    let id = format!("r_{}", random_token(9));
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let entry = audit(&p, AuditAction::AlertRuleCreated, &id, &input.name);
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if alert_rules::count(&tx, &tenant)? >= MAX_ALERT_RULES {
                return Err(AppError::conflict(format!(
                    "the tenant has {MAX_ALERT_RULES} alert rules, the most allowed: delete one first"
                )));
            }
            alert_rules::insert(&tx, &tenant, &id2, &input, now_ms())?;
            entry.append(&tx)?;
            Ok(tx.commit()?)
        })
        .await?;
    let rule = evaluated(&state, &p.tenant_id, &id).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// `PUT /api/v1/alert-rules/{id}` (configure-alerts permission).
///
/// Replaces the rule (the last save wins) and evaluates it again. Saved disabled, its alerts
/// still open or acknowledged are resolved (nothing would resolve them while it is off).
#[utoipa::path(put, path = "/api/v1/alert-rules/{id}", tag = "alerts", security(("bearer" = [])), request_body = AlertRuleInput,
    params(("id" = String, Path)),
    responses((status = 200, body = AlertRule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(mut input): ApiJson<AlertRuleInput>,
) -> AppResult<Json<AlertRule>> {
    checked(&state, &p, &mut input).await?;
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let entry = audit(&p, AuditAction::AlertRuleUpdated, &id, &input.name);
    let updated = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let now = now_ms();
            if !alert_rules::update(&tx, &tenant, &id2, &input, now)? {
                return Ok(None);
            }
            // Off, it is not evaluated: nothing would ever resolve them (as on delete).
            let resolved = if input.enabled {
                Vec::new()
            } else {
                alert_rules::resolve_alerts(&tx, &tenant, &id2, now)?
            };
            entry.append(&tx)?;
            tx.commit()?;
            Ok(Some(resolved))
        })
        .await?;
    let Some(resolved) = updated else {
        return Err(AppError::not_found("no such alert rule"));
    };
    for alert in &resolved {
        rules::publish(&state, &p.tenant_id, alert).await?;
    }
    Ok(Json(evaluated(&state, &p.tenant_id, &id).await?))
}

/// `DELETE /api/v1/alert-rules/{id}` (configure-alerts permission).
///
/// The alerts it raised stay; those still open or acknowledged are resolved (nothing would
/// resolve them any more).
#[utoipa::path(delete, path = "/api/v1/alert-rules/{id}", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_user()?;
    p.require(Permission::ConfigureAlerts)?;
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let caller = p.clone();
    let deleted = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let name = alert_rules::get(&tx, &tenant, &id2)?.map(|r| r.definition.name);
            let Some(name) = name else {
                return Ok(None);
            };
            alert_rules::delete(&tx, &tenant, &id2)?;
            // Nothing would ever resolve them now.
            let resolved = alert_rules::resolve_alerts(&tx, &tenant, &id2, now_ms())?;
            audit(&caller, AuditAction::AlertRuleDeleted, &id2, &name).append(&tx)?;
            tx.commit()?;
            Ok(Some(resolved))
        })
        .await?;
    let Some(resolved) = deleted else {
        return Err(AppError::not_found("no such alert rule"));
    };
    for alert in &resolved {
        rules::publish(&state, &p.tenant_id, alert).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
