//! Dashboards CRUD with optimistic concurrency (`version`; stale PUT → 409).

use super::json::ApiJson;
use crate::auth::{random_token, Principal};
use crate::datasets::Catalog;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store;
use crate::store::audit::NewEntry;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::live::CHANNEL_DASHBOARDS;
use vantage_contract::{
    AuditAction, Dashboard, DashboardInput, DashboardList, ErrorBody, LiveKind, Permission,
};

/// Loads a dashboard of the caller's tenant (404 otherwise; embed tokens only their own).
pub async fn load(state: &SharedState, p: &Principal, id: String) -> AppResult<Dashboard> {
    p.check_dashboard(&id)?;
    let tenant = p.tenant_id.clone();
    state
        .db
        .read(move |c| {
            store::dashboard(c, &tenant, &id)?
                .ok_or_else(|| AppError::not_found("no such dashboard"))
        })
        .await
}

async fn publish_changed(state: &SharedState, tenant: &str, id: &str, version: Option<u64>) {
    state
        .bus
        .publish(
            tenant,
            CHANNEL_DASHBOARDS,
            LiveKind::DashboardChanged,
            serde_json::json!({ "dashboardId": id, "version": version, "deleted": version.is_none() }),
        )
        .await;
}

fn audit(p: &Principal, action: AuditAction, id: &str, name: &str) -> NewEntry {
    let e = NewEntry::new(&p.tenant_id, action, Some(&p.user_id), p.email.as_deref()).target(id);
    if name.is_empty() {
        e
    } else {
        e.details(serde_json::json!({ "name": name }))
    }
}

/// `GET /api/v1/dashboards`.
#[utoipa::path(get, path = "/api/v1/dashboards", tag = "dashboards", security(("bearer" = [])),
    responses((status = 200, body = DashboardList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<SharedState>,
    p: Principal,
) -> AppResult<Json<DashboardList>> {
    p.require_user()?;
    p.require(Permission::ViewDashboard)?;
    let items = state
        .db
        .read(move |c| store::dashboards(c, &p.tenant_id))
        .await?;
    Ok(Json(DashboardList { items }))
}

/// `GET /api/v1/dashboards/{id}`.
#[utoipa::path(get, path = "/api/v1/dashboards/{id}", tag = "dashboards", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Dashboard), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Dashboard>> {
    Ok(Json(load(&state, &p, id).await?))
}

/// `POST /api/v1/dashboards` (edit permission).
#[utoipa::path(post, path = "/api/v1/dashboards", tag = "dashboards", security(("bearer" = [])), request_body = DashboardInput,
    responses((status = 201, body = Dashboard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(input): ApiJson<DashboardInput>,
) -> AppResult<(StatusCode, Json<Dashboard>)> {
    p.require_user()?;
    p.require(Permission::EditDashboards)?;
    let catalog = Catalog::load(&state.db, &p.tenant_id).await?;
    input.validate(|id| catalog.schema(id))?;
    let id = format!("d_{}", random_token(9));
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let entry = audit(&p, AuditAction::DashboardCreated, &id, &input.name);
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            store::insert_dashboard(&tx, &tenant, &id2, &input, now_ms())?;
            entry.append(&tx)?;
            Ok(tx.commit()?)
        })
        .await?;
    let d = load(&state, &p, id).await?;
    publish_changed(&state, &p.tenant_id, &d.id, Some(d.version)).await;
    Ok((StatusCode::CREATED, Json(d)))
}

/// `PUT /api/v1/dashboards/{id}` (edit permission; `version` must be current).
#[utoipa::path(put, path = "/api/v1/dashboards/{id}", tag = "dashboards", security(("bearer" = [])), request_body = DashboardInput,
    params(("id" = String, Path)),
    responses((status = 200, body = Dashboard), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DashboardInput>,
) -> AppResult<Json<Dashboard>> {
    p.require_user()?;
    p.require(Permission::EditDashboards)?;
    let version = input
        .version
        .ok_or_else(|| AppError::field("version", "required: the version you edited"))?;
    let catalog = Catalog::load(&state.db, &p.tenant_id).await?;
    input.validate(|id| catalog.schema(id))?;
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let entry = audit(&p, AuditAction::DashboardUpdated, &id, &input.name);
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let found = store::update_dashboard(&tx, &tenant, &id2, &input, version, now_ms())?;
            if found.is_some() {
                entry.append(&tx)?;
            }
            tx.commit()?;
            Ok(found)
        })
        .await?
        .ok_or_else(|| AppError::not_found("no such dashboard"))?;
    let d = load(&state, &p, id).await?;
    publish_changed(&state, &p.tenant_id, &d.id, Some(d.version)).await;
    Ok(Json(d))
}

/// `DELETE /api/v1/dashboards/{id}` (edit permission).
#[utoipa::path(delete, path = "/api/v1/dashboards/{id}", tag = "dashboards", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_user()?;
    p.require(Permission::EditDashboards)?;
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    let entry = audit(&p, AuditAction::DashboardDeleted, &id, "");
    if !state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let deleted = store::delete_dashboard(&tx, &tenant, &id2)?;
            if deleted {
                entry.append(&tx)?;
            }
            tx.commit()?;
            Ok(deleted)
        })
        .await?
    {
        return Err(AppError::not_found("no such dashboard"));
    }
    publish_changed(&state, &p.tenant_id, &id, None).await;
    Ok(StatusCode::NO_CONTENT)
}
