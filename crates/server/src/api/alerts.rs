//! `/alerts`, `/alerts/{id}/acknowledge`, `/alerts/{id}/resolve`.

use crate::auth::{EmbedScope, Principal};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::scope::{embed_alerts, AlertsRefused};
use crate::state::SharedState;
use crate::store;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use vantage_contract::{Alert, AlertList, AlertStatus, ErrorBody, ErrorCode, Permission, Severity};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlertFilter {
    pub severity: Option<Severity>,
    pub status: Option<AlertStatus>,
    /// 1..=500, default 100.
    pub limit: Option<u32>,
}

/// `GET /api/v1/alerts?severity&status&limit`.
///
/// Users see their tenant's alerts. An embed token sees them only when its dashboard (as it is
/// now) has an alerts widget and the token locks no filters — the same rule as its live stream
/// (alerts carry no dimensions, so a lock cannot narrow them): with locked filters it gets
/// `locked_filter_unsupported`, for a dashboard without an alerts widget `forbidden`.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", security(("bearer" = [])), params(AlertFilter),
    responses((status = 200, body = AlertList),
        (status = 404, description = "An embed token's dashboard no longer exists", body = ErrorBody)))]
pub async fn list(
    State(state): State<SharedState>,
    p: Principal,
    q: Result<Query<AlertFilter>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<AlertList>> {
    if let Some(scope) = &p.embed {
        check_embed_alerts(&state, &p.tenant_id, scope).await?;
    }
    let Query(q) = q.map_err(|e| AppError::bad_request(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::field("limit", "must be 1 to 500"));
    }
    let items = state
        .db
        .read(move |c| store::alerts(c, &p.tenant_id, q.severity, q.status, limit))
        .await?;
    Ok(Json(AlertList { items }))
}

/// Whether an embed token may list alerts (see [`list`]).
async fn check_embed_alerts(
    state: &SharedState,
    tenant: &str,
    scope: &EmbedScope,
) -> AppResult<()> {
    let (t, id) = (tenant.to_owned(), scope.dashboard_id.clone());
    let dashboard = state
        .db
        .read(move |c| store::dashboard(c, &t, &id))
        .await?
        .ok_or_else(|| AppError::not_found("the embed token's dashboard no longer exists"))?;
    match embed_alerts(&dashboard, &scope.locked_filters) {
        Ok(()) => Ok(()),
        Err(AlertsRefused::NoAlertsWidget) => Err(AppError::forbidden(
            "the embed token's dashboard has no alerts widget",
        )),
        Err(AlertsRefused::Locked(field)) => Err(AppError::new(
            ErrorCode::LockedFilterUnsupported,
            "alerts carry no dimensions, so they cannot apply the embed token's locked filters",
        )
        .with_details(serde_json::json!({ "field": field }))),
    }
}

async fn set_status(
    state: SharedState,
    p: Principal,
    id: String,
    status: AlertStatus,
) -> AppResult<Json<Alert>> {
    p.require_user()?;
    p.require(Permission::ConfigureAlerts)?;
    let tenant = p.tenant_id.clone();
    let alert = state
        .db
        .write(move |c| {
            // The status and its webhook event are one change.
            let tx = c.transaction()?;
            let alert = store::set_alert_status(&tx, &tenant, &id, status, &p.user_id, now_ms())?;
            tx.commit()?;
            Ok(alert)
        })
        .await?
        .ok_or_else(|| AppError::not_found("no such alert"))?;
    crate::live::rules::publish(&state, &p.tenant_id, &alert).await?;
    Ok(Json(alert))
}

/// `POST /api/v1/alerts/{id}/acknowledge` (configure-alerts permission).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Alert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn acknowledge(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Alert>> {
    set_status(state, p, id, AlertStatus::Acknowledged).await
}

/// `POST /api/v1/alerts/{id}/resolve` (configure-alerts permission).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/resolve", tag = "alerts", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Alert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Alert>> {
    set_status(state, p, id, AlertStatus::Resolved).await
}
