//! `/tenants` (system admins): list with user and dashboard counts, create, rename and
//! (de)activate. Deactivating a tenant stops its users and embed tokens on their next request
//! and closes its open live connections.

use super::json::ApiJson;
use crate::auth::Principal;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::Revoked;
use crate::state::SharedState;
use crate::store::accounts;
use crate::store::audit::NewEntry;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::admin::tenant_id_from_name;
use vantage_contract::{
    AuditAction, CreateTenantRequest, ErrorBody, Permission, TenantList, TenantSummary,
    UpdateTenantRequest,
};

fn require_system_admin(p: &Principal) -> AppResult<()> {
    p.require_user()?;
    p.require(Permission::ManageTenants)
}

/// `GET /api/v1/tenants`.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = TenantList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<SharedState>, p: Principal) -> AppResult<Json<TenantList>> {
    require_system_admin(&p)?;
    let items = state.db.read(accounts::tenant_summaries).await?;
    Ok(Json(TenantList { items }))
}

/// `POST /api/v1/tenants`.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", security(("bearer" = [])), request_body = CreateTenantRequest,
    responses((status = 201, body = TenantSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "The id is taken"), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(req): ApiJson<CreateTenantRequest>,
) -> AppResult<(StatusCode, Json<TenantSummary>)> {
    require_system_admin(&p)?;
    req.validate()?;
    let summary = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let name = req.name.trim();
            let id = match &req.id {
                Some(id) => id.clone(),
                None => free_id(&tx, &tenant_id_from_name(name))?,
            };
            accounts::create_tenant(&tx, &id, name, now_ms())?;
            NewEntry::new(
                &id,
                AuditAction::TenantCreated,
                Some(&p.user_id),
                p.email.as_deref(),
            )
            .target(&id)
            .details(serde_json::json!({ "name": name }))
            .append(&tx)?;
            let s = accounts::tenant_summary(&tx, &id)?
                .ok_or_else(|| AppError::internal("created tenant vanished"))?;
            tx.commit()?;
            Ok(s)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// `base`, or `base-2`, `base-3`… whichever is free.
fn free_id(c: &crate::sql::Conn, base: &str) -> AppResult<String> {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while accounts::tenant_active(c, &candidate)?.is_some() {
        let suffix = format!("-{n}");
        let keep = base.len().min(40 - suffix.len());
        candidate = format!("{}{suffix}", base[..keep].trim_end_matches('-'));
        n += 1;
    }
    Ok(candidate)
}

/// `PATCH /api/v1/tenants/{id}`: rename and/or (de)activate.
#[utoipa::path(patch, path = "/api/v1/tenants/{id}", tag = "tenants", security(("bearer" = [])), request_body = UpdateTenantRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = TenantSummary), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateTenantRequest>,
) -> AppResult<Json<TenantSummary>> {
    require_system_admin(&p)?;
    req.validate()?;
    let id2 = id.clone();
    let (summary, deactivated) = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let before = accounts::tenant_summary(&tx, &id2)?
                .ok_or_else(|| AppError::not_found("no such tenant"))?;
            let entry =
                |a| NewEntry::new(&id2, a, Some(&p.user_id), p.email.as_deref()).target(&id2);
            if let Some(name) = req.name.as_deref().map(str::trim) {
                if name != before.name {
                    accounts::rename_tenant(&tx, &id2, name)?;
                    entry(AuditAction::TenantRenamed)
                        .details(serde_json::json!({ "from": before.name, "to": name }))
                        .append(&tx)?;
                }
            }
            let mut deactivated = false;
            if let Some(active) = req.active {
                if active != before.active {
                    accounts::set_tenant_active(&tx, &id2, active)?;
                    let action = if active {
                        AuditAction::TenantReactivated
                    } else {
                        deactivated = true;
                        AuditAction::TenantDeactivated
                    };
                    entry(action).append(&tx)?;
                }
            }
            let s = accounts::tenant_summary(&tx, &id2)?
                .ok_or_else(|| AppError::internal("tenant vanished"))?;
            tx.commit()?;
            Ok((s, deactivated))
        })
        .await?;
    if deactivated {
        state.revoke(Revoked::Tenant(id));
    }
    Ok(Json(summary))
}
