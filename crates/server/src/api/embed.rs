//! `POST /embed/tokens` (manager or above) and `GET /embed/dashboard` (embed tokens).

use super::json::ApiJson;
use crate::auth::{now_secs, Claims, Principal};
use crate::datasets::Catalog;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store;
use crate::store::audit::NewEntry;
use axum::extract::State;
use axum::Json;
use vantage_contract::{
    AuditAction, EmbedDashboard, EmbedTokenRequest, EmbedTokenResponse, ErrorBody, FieldError,
    Permission, Role,
};

/// Issues an embed token for one dashboard.
#[utoipa::path(post, path = "/api/v1/embed/tokens", tag = "embed", security(("bearer" = [])), request_body = EmbedTokenRequest,
    responses((status = 200, body = EmbedTokenResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(req): ApiJson<EmbedTokenRequest>,
) -> AppResult<Json<EmbedTokenResponse>> {
    p.require_role(Role::Manager)?;
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
    let entry = NewEntry::new(
        &p.tenant_id,
        AuditAction::EmbedTokenIssued,
        Some(&p.user_id),
        p.email.as_deref(),
    )
    .target(claims.dash.as_deref().unwrap_or_default())
    .details(serde_json::json!({
        "expiresAt": exp as i64 * 1000,
        "allowedOrigins": claims.origins,
        "permissions": claims.perms,
        "lockedFilters": claims.locked,
    }));
    state.db.write(move |c| entry.append(c)).await?;
    Ok(Json(EmbedTokenResponse {
        token,
        expires_at: exp as i64 * 1000,
    }))
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
