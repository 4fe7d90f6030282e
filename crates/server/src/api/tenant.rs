//! `/tenant`, `/tenant/branding`, `/tenant/embed-origins`.

use super::json::ApiJson;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store;
use crate::store::audit::NewEntry;
use axum::extract::State;
use axum::Json;
use vantage_contract::{AuditAction, Branding, EmbedOrigins, ErrorBody, Role, Tenant};

async fn load(state: &SharedState, tenant: String) -> AppResult<Tenant> {
    state
        .db
        .read(move |c| {
            store::tenant(c, &tenant)?.ok_or_else(|| AppError::not_found("no such tenant"))
        })
        .await
}

/// `GET /api/v1/tenant`.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant", security(("bearer" = [])),
    responses((status = 200, body = Tenant), (status = 401, body = ErrorBody)))]
pub async fn get_tenant(State(state): State<SharedState>, p: Principal) -> AppResult<Json<Tenant>> {
    p.require_user()?;
    Ok(Json(load(&state, p.tenant_id).await?))
}

/// `PUT /api/v1/tenant/branding` (tenant admin).
#[utoipa::path(put, path = "/api/v1/tenant/branding", tag = "tenant", security(("bearer" = [])), request_body = Branding,
    responses((status = 200, body = Tenant), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_branding(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(b): ApiJson<Branding>,
) -> AppResult<Json<Tenant>> {
    p.require_role(Role::TenantAdmin)?;
    b.validate()?;
    let tenant = p.tenant_id.clone();
    let entry = NewEntry::new(
        &p.tenant_id,
        AuditAction::BrandingChanged,
        Some(&p.user_id),
        p.email.as_deref(),
    )
    .details(serde_json::json!({ "productName": b.product_name }));
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            store::set_branding(&tx, &tenant, &b)?;
            entry.append(&tx)?;
            Ok(tx.commit()?)
        })
        .await?;
    Ok(Json(load(&state, p.tenant_id).await?))
}

/// `PUT /api/v1/tenant/embed-origins` (tenant admin).
#[utoipa::path(put, path = "/api/v1/tenant/embed-origins", tag = "tenant", security(("bearer" = [])), request_body = EmbedOrigins,
    responses((status = 200, body = Tenant), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_embed_origins(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(o): ApiJson<EmbedOrigins>,
) -> AppResult<Json<Tenant>> {
    p.require_role(Role::TenantAdmin)?;
    o.validate()?;
    let tenant = p.tenant_id.clone();
    let entry = NewEntry::new(
        &p.tenant_id,
        AuditAction::EmbedOriginsChanged,
        Some(&p.user_id),
        p.email.as_deref(),
    )
    .details(serde_json::json!({ "origins": o.origins }));
    let all = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            store::set_embed_origins(&tx, &tenant, &o.origins)?;
            entry.append(&tx)?;
            let all = store::all_embed_origins(&tx)?;
            tx.commit()?;
            Ok(all)
        })
        .await?;
    state.set_cors_origins(all);
    Ok(Json(load(&state, p.tenant_id).await?))
}
