//! Dashboards CRUD with optimistic concurrency (`version`; stale PUT → 409).

use super::json::ApiJson;
use crate::auth::{random_token, Principal};
use crate::datasets;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::live::CHANNEL_DASHBOARDS;
use vantage_contract::{Dashboard, DashboardInput, DashboardList, ErrorBody, LiveKind, Permission};

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

fn publish_changed(state: &SharedState, tenant: &str, id: &str, version: Option<u64>) {
    state.bus.publish(
        tenant,
        CHANNEL_DASHBOARDS,
        LiveKind::DashboardChanged,
        serde_json::json!({ "dashboardId": id, "version": version, "deleted": version.is_none() }),
    );
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
    input.validate(datasets::schema)?;
    let id = format!("d_{}", random_token(9));
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    state
        .db
        .write(move |c| store::insert_dashboard(c, &tenant, &id2, &input, now_ms()))
        .await?;
    let d = load(&state, &p, id).await?;
    publish_changed(&state, &p.tenant_id, &d.id, Some(d.version));
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
    input.validate(datasets::schema)?;
    let (tenant, id2) = (p.tenant_id.clone(), id.clone());
    state
        .db
        .write(move |c| store::update_dashboard(c, &tenant, &id2, &input, version, now_ms()))
        .await?
        .ok_or_else(|| AppError::not_found("no such dashboard"))?;
    let d = load(&state, &p, id).await?;
    publish_changed(&state, &p.tenant_id, &d.id, Some(d.version));
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
    if !state
        .db
        .write(move |c| store::delete_dashboard(c, &tenant, &id2))
        .await?
    {
        return Err(AppError::not_found("no such dashboard"));
    }
    publish_changed(&state, &p.tenant_id, &id, None);
    Ok(StatusCode::NO_CONTENT)
}
