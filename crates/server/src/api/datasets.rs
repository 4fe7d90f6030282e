//! Dataset definitions: `GET/POST /api/v1/datasets`, `GET/PUT/DELETE /api/v1/datasets/{id}`.
//! Everyone signed in to the tenant reads; tenant admins write. A change that would break
//! stored rows, dashboard widgets or alert rules is refused with `409` naming the dependants.

use super::json::ApiJson;
use crate::auth::Principal;
use crate::datasets::{catalog, compat};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::ingest::retention;
use crate::state::SharedState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use vantage_contract::{Dataset, DatasetInput, DatasetList, ErrorBody, FieldError, Role};

/// `GET /api/v1/datasets`.
#[utoipa::path(get, path = "/api/v1/datasets", tag = "datasets", security(("bearer" = [])),
    responses((status = 200, body = DatasetList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list(State(state): State<SharedState>, p: Principal) -> AppResult<Json<DatasetList>> {
    p.require_user()?;
    let tenant = p.tenant_id.clone();
    let items = state
        .db
        .read(move |c| catalog::list(c, &tenant))
        .await?
        .into_iter()
        .map(|s| s.schema)
        .collect();
    Ok(Json(DatasetList { items }))
}

/// `GET /api/v1/datasets/{id}`.
#[utoipa::path(get, path = "/api/v1/datasets/{id}", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Dataset), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Dataset>> {
    p.require_user()?;
    let tenant = p.tenant_id.clone();
    let source = state
        .db
        .read(move |c| catalog::require(c, &tenant, &id))
        .await?;
    Ok(Json(source.schema))
}

/// `POST /api/v1/datasets` (tenant admins): creates the dataset and its storage.
#[utoipa::path(post, path = "/api/v1/datasets", tag = "datasets", security(("bearer" = [])),
    request_body = DatasetInput,
    responses((status = 201, body = Dataset), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "the id is taken"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(input): ApiJson<DatasetInput>,
) -> AppResult<(StatusCode, Json<Dataset>)> {
    p.require_role(Role::TenantAdmin)?;
    input.validate()?;
    let id = input
        .id
        .clone()
        .ok_or_else(|| FieldError::new("id", "required"))?;
    let tenant = p.tenant_id.clone();
    let source = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let source = catalog::create(&tx, &tenant, &id, &input, now_ms())?;
            tx.commit()?;
            Ok(source)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(source.schema)))
}

/// `PUT /api/v1/datasets/{id}` (tenant admins): replaces the definition. Adding fields and
/// changing labels, units, formats, values, name, description or retention always work.
#[utoipa::path(put, path = "/api/v1/datasets/{id}", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = DatasetInput,
    responses((status = 200, body = Dataset), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the change drops or retypes a field that widgets or alert rules use (details.dependants lists dashboard and widget, details.alertRules the rules), or retypes a field while rows exist"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DatasetInput>,
) -> AppResult<Json<Dataset>> {
    p.require_role(Role::TenantAdmin)?;
    input.validate()?;
    if input.id.as_ref().is_some_and(|i| *i != id) {
        return Err(FieldError::new("id", "must match the path (ids cannot change)").into());
    }
    let tenant = p.tenant_id.clone();
    let (source, old_retention) = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let old = catalog::require(&tx, &tenant, &id)?;
            let has_rows = catalog::has_rows(&tx, &old)?;
            compat::check_change(&tx, &tenant, &old.schema, &input, has_rows)?;
            let new = catalog::update(&tx, &old, &input, now_ms())?;
            tx.commit()?;
            Ok((new, old.schema.retention_days))
        })
        .await?;
    if source.schema.retention_days < old_retention {
        // A shorter retention takes effect now, not at the next sweep.
        retention::sweep_dataset(&state, &source.tenant_id, &source.schema.id).await?;
    }
    Ok(Json(source.schema))
}

/// `DELETE /api/v1/datasets/{id}` (tenant admins): deletes the dataset and all its rows.
/// Widgets over it answer with a per-widget error naming the missing dataset.
#[utoipa::path(delete, path = "/api/v1/datasets/{id}", tag = "datasets", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn delete(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_role(Role::TenantAdmin)?;
    let tenant = p.tenant_id.clone();
    let deleted = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let deleted = catalog::delete(&tx, &tenant, &id)?;
            tx.execute(
                "DELETE FROM ingest_idempotency WHERE tenant_id = ?1 AND dataset = ?2",
                crate::sql::params![tenant, id],
            )?;
            crate::ingest::keys::forget_dataset(&tx, &tenant, &id)?;
            tx.commit()?;
            Ok(deleted)
        })
        .await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("no such dataset"))
    }
}
