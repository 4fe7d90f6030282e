//! Embed tokens: `POST /embed/tokens` issues one, `GET /embed/tokens` lists the tenant's
//! unexpired ones and `DELETE /embed/tokens/{id}` revokes one (manager or above; each issue and
//! revocation is in the audit log), and `GET /embed/dashboard` is what an embed token loads.
//! A revoked token fails on its next request, and its open live connections close at once.

use super::json::ApiJson;
use crate::auth::{now_secs, random_token, Claims, Principal};
use crate::datasets::Catalog;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::Revoked;
use crate::state::SharedState;
use crate::store;
use crate::store::audit::NewEntry;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::{
    AuditAction, EmbedDashboard, EmbedTokenInfo, EmbedTokenList, EmbedTokenRequest,
    EmbedTokenResponse, ErrorBody, FieldError, Permission, Role, EMBED_TOKEN_ROLE,
};

/// Issues an embed token for one dashboard.
#[utoipa::path(post, path = "/api/v1/embed/tokens", tag = "embed", security(("bearer" = [])), request_body = EmbedTokenRequest,
    responses((status = 200, body = EmbedTokenResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(req): ApiJson<EmbedTokenRequest>,
) -> AppResult<Json<EmbedTokenResponse>> {
    p.require_role(EMBED_TOKEN_ROLE)?;
    req.validate()?;
    for (i, perm) in req.permissions.iter().enumerate() {
        if !p.role.can(*perm) {
            return Err(FieldError::new(
                format!("permissions[{i}]"),
                "you cannot grant a permission you do not hold",
            )
            .into());
        }
    }
    let dashboard = super::dashboards::load(&state, &p, req.dashboard_id.clone()).await?;
    let tenant_id = p.tenant_id.clone();
    let tenant = state
        .db
        .read(move |c| {
            store::tenant(c, &tenant_id)?.ok_or_else(|| AppError::not_found("no such tenant"))
        })
        .await?;
    for (i, o) in req.allowed_origins.iter().enumerate() {
        if !tenant.embed_origins.contains(o) {
            return Err(FieldError::new(
                format!("allowedOrigins[{i}]"),
                "not one of the tenant's embed origins",
            )
            .into());
        }
    }
    let catalog = Catalog::load(&state.db, &p.tenant_id).await?;
    for (i, f) in req.locked_filters.iter().enumerate() {
        let schema = dashboard
            .widgets
            .iter()
            .filter_map(|w| w.query.as_ref())
            .filter_map(|q| catalog.schema(&q.dataset))
            .find(|d| d.field_type(&f.field).is_some())
            .ok_or_else(|| {
                FieldError::new(
                    format!("lockedFilters[{i}].field"),
                    "no widget's dataset has this field",
                )
            })?;
        f.validate(schema)
            .map_err(|e| e.within(&format!("lockedFilters[{i}]")))?;
    }
    let mut perms = vec![Permission::ViewDashboard];
    perms.extend(
        req.permissions
            .iter()
            .copied()
            .filter(|p| *p != Permission::ViewDashboard),
    );
    let now = now_secs();
    let exp = now + req.expires_in;
    let claims = Claims {
        iss: crate::auth::tokens::ISSUER.into(),
        aud: crate::auth::tokens::AUDIENCE.into(),
        jti: Some(format!("et_{}", random_token(12))),
        sub: p.user_id.clone(),
        tid: p.tenant_id.clone(),
        role: Role::Viewer,
        typ: "embed".into(),
        iat: now,
        exp,
        sid: None,
        dash: Some(dashboard.id),
        perms: Some(perms),
        origins: Some(req.allowed_origins),
        locked: Some(req.locked_filters),
    };
    let token = state.keys.sign(&claims)?;
    let info = EmbedTokenInfo {
        id: claims.jti.clone().unwrap_or_default(),
        dashboard_id: claims.dash.clone().unwrap_or_default(),
        issued_by: p.user_id.clone(),
        issued_at: now as i64 * 1000,
        expires_at: exp as i64 * 1000,
        allowed_origins: claims.origins.clone().unwrap_or_default(),
        permissions: claims.perms.clone().unwrap_or_default(),
        locked_filters: claims.locked.clone().unwrap_or_default(),
        revoked_at: None,
    };
    let entry = NewEntry::new(
        &p.tenant_id,
        AuditAction::EmbedTokenIssued,
        Some(&p.user_id),
        p.email.as_deref(),
    )
    .target(&info.dashboard_id)
    .details(serde_json::json!({
        "tokenId": info.id,
        "expiresAt": info.expires_at,
        "allowedOrigins": info.allowed_origins,
        "permissions": info.permissions,
        "lockedFilters": info.locked_filters,
    }));
    let (tenant, row) = (p.tenant_id.clone(), info.clone());
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            store::embed_tokens::insert(&tx, &tenant, &row)?;
            entry.append(&tx)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    Ok(Json(EmbedTokenResponse {
        id: info.id,
        token,
        expires_at: info.expires_at,
    }))
}

/// The tenant's embed tokens that have not expired (revoked ones included, with `revokedAt`).
#[utoipa::path(get, path = "/api/v1/embed/tokens", tag = "embed", security(("bearer" = [])),
    responses((status = 200, body = EmbedTokenList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<SharedState>,
    p: Principal,
) -> AppResult<Json<EmbedTokenList>> {
    p.require_role(EMBED_TOKEN_ROLE)?;
    let tenant = p.tenant_id.clone();
    let items = state
        .db
        .read(move |c| store::embed_tokens::list(c, &tenant, now_ms()))
        .await?;
    Ok(Json(EmbedTokenList { items }))
}

/// Revokes one of the tenant's embed tokens: its next request fails with 401 and its open
/// live connections close.
#[utoipa::path(delete, path = "/api/v1/embed/tokens/{id}", tag = "embed", security(("bearer" = [])),
    params(("id" = String, Path, description = "The token's id (`jti`)")),
    responses((status = 204, description = "Revoked (also when it already was)"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_role(EMBED_TOKEN_ROLE)?;
    let (tenant, jti) = (p.tenant_id.clone(), id.clone());
    let (actor, email) = (p.user_id.clone(), p.email.clone());
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let revoked = store::embed_tokens::revoke(&tx, &tenant, &jti, now_ms())?
                .ok_or_else(|| AppError::not_found("no such embed token"))?;
            NewEntry::new(
                &tenant,
                AuditAction::EmbedTokenRevoked,
                Some(&actor),
                email.as_deref(),
            )
            .target(&revoked.dashboard_id)
            .details(serde_json::json!({ "tokenId": revoked.id }))
            .append(&tx)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    state.revoke(Revoked::Embed(id));
    Ok(StatusCode::NO_CONTENT)
}

/// The embed token's dashboard with the tenant's branding.
#[utoipa::path(get, path = "/api/v1/embed/dashboard", tag = "embed", security(("bearer" = [])),
    responses((status = 200, body = EmbedDashboard), (status = 403, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<SharedState>,
    p: Principal,
) -> AppResult<Json<EmbedDashboard>> {
    let scope = p
        .embed
        .clone()
        .ok_or_else(|| AppError::forbidden("needs an embed token"))?;
    let dashboard = super::dashboards::load(&state, &p, scope.dashboard_id.clone()).await?;
    let tenant_id = p.tenant_id.clone();
    let tenant = state
        .db
        .read(move |c| {
            store::tenant(c, &tenant_id)?.ok_or_else(|| AppError::not_found("no such tenant"))
        })
        .await?;
    Ok(Json(EmbedDashboard {
        dashboard,
        branding: tenant.branding,
        tenant_name: tenant.name,
        permissions: scope.permissions,
        locked_filters: scope.locked_filters,
        expires_at: p.expires_at as i64 * 1000,
    }))
}
