//! Sending and deleting events, and managing ingest keys:
//! `POST/DELETE /api/v1/datasets/{id}/events`, `GET/POST /api/v1/ingest-keys`,
//! `DELETE /api/v1/ingest-keys/{id}`. See `crate::ingest` for the rules.

use super::json::ApiJson;
use crate::auth::Principal;
use crate::datasets::{catalog, rows};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::ingest::auth::IngestCaller;
use crate::ingest::idempotency::{self, Stored};
use crate::ingest::{body, keys, rollup, validate};
use crate::state::SharedState;
use axum::body::Bytes;
use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use vantage_contract::live::CHANNEL_METRICS;
use vantage_contract::{
    CreatedIngestKey, DeletedRows, ErrorBody, ErrorCode, IngestKeyInput, IngestKeyList,
    IngestResult, LiveKind, Role,
};

/// `POST /api/v1/datasets/{id}/events`.
#[utoipa::path(post, path = "/api/v1/datasets/{id}/events", tag = "ingest",
    security(("bearer" = [])),
    description = "Sends a batch of rows: a JSON array of objects, or NDJSON with `Content-Type: application/x-ndjson`; `Content-Encoding: gzip` accepted. At most 10,000 rows and 10 MiB (compressed and decompressed). Authenticate with an ingest key (`Bearer vk_…`) scoped to the dataset, or a tenant admin's token. Every row is validated; if any is bad the answer is 422 with `details.rows` = [{index, field, reason}] (first 100; `details.moreErrors` counts the rest) and nothing is stored. With `Idempotency-Key`, a retry of the same batch within 24 h returns the first answer without storing again.",
    params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: same key and same batch within 24 h → the first answer, nothing stored twice; same key with another batch → 409.")),
    request_body(content = Vec<Object>, description = "Rows as JSON objects keyed by field name; the time field as epoch ms or RFC 3339.",
        content_type = "application/json"),
    responses((status = 200, body = IngestResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "the key is not scoped to this dataset, or the token is not a tenant admin's"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Idempotency-Key reused with a different batch"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody, description = "bad rows: details is BatchErrorDetails"),
        (status = 429, body = ErrorBody)))]
pub async fn post_events(
    State(state): State<SharedState>,
    caller: IngestCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> AppResult<Response> {
    caller.check_dataset(&id)?;
    let key = idempotency::key_of(&headers)?;
    let hash = idempotency::request_hash(&headers, &raw);
    let tenant = caller.tenant_id.clone();
    let (t, d, k, h) = (tenant.clone(), id.clone(), key.clone(), hash.clone());
    let (source, replay) = state
        .db
        .read(move |c| {
            let source = catalog::require(c, &t, &d)?;
            let replay = match &k {
                Some(k) => idempotency::lookup(c, &t, &d, k, &h, now_ms())?,
                None => None,
            };
            Ok((source, replay))
        })
        .await?;
    if let Some(stored) = replay {
        return Ok(replayed(stored));
    }
    let schema = source.schema.clone();
    let ndjson = body::is_ndjson(&headers);
    let checked = tokio::task::spawn_blocking(move || {
        let bytes = body::decompress(&headers, &raw)?;
        let items = body::rows(&bytes, ndjson)?;
        Ok::<_, AppError>(validate::validate(&schema, items, now_ms()))
    })
    .await??;
    let batch = match checked {
        Ok(batch) => batch,
        Err(details) => {
            let n = details.bad_rows;
            let err = AppError::new(
                ErrorCode::ValidationFailed,
                format!("{n} row(s) of the batch are invalid; nothing was stored"),
            )
            .with_details(serde_json::to_value(&details)?);
            if let Some(k) = key {
                let stored = Stored {
                    status: 422,
                    body: serde_json::to_string(&vantage_contract::ErrorBody {
                        error: err.to_api_error(),
                    })?,
                };
                let (t, d) = (tenant.clone(), id.clone());
                state
                    .db
                    .write(move |c| idempotency::save(c, &t, &d, &k, &hash, &stored, now_ms()))
                    .await?;
            }
            return Err(err);
        }
    };
    let m = rollup::of_rows(&source.schema, &batch.rows);
    let accepted = batch.rows.len();
    let answer = IngestResult {
        dataset: id.clone(),
        accepted,
        replayed: false,
    };
    let body_text = serde_json::to_string(&answer)?;
    let (t, d, version) = (tenant.clone(), id.clone(), source.schema.version);
    let key_id = caller.key_id.clone();
    let outcome = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let now = now_ms();
            if let Some(k) = &key {
                // A concurrent retry may have stored the batch meanwhile.
                if let Some(stored) = idempotency::lookup(&tx, &t, &d, k, &hash, now)? {
                    return Ok(Err(stored));
                }
            }
            let current = catalog::require(&tx, &t, &d)?;
            if current.schema.version != version {
                return Err(AppError::conflict(
                    "the dataset definition changed while the batch was being checked; send it again",
                ));
            }
            let cols: Vec<&str> = batch.columns.iter().map(String::as_str).collect();
            rows::insert(&tx, &current, &cols, &batch.rows)?;
            if let Some(kid) = &key_id {
                keys::touch(&tx, kid, now)?;
            }
            if let Some(k) = &key {
                let stored = Stored {
                    status: 200,
                    body: body_text,
                };
                idempotency::save(&tx, &t, &d, k, &hash, &stored, now)?;
            }
            tx.commit()?;
            Ok(Ok(()))
        })
        .await?;
    if let Err(stored) = outcome {
        return Ok(replayed(stored));
    }
    state
        .bus
        .publish(
            &tenant,
            CHANNEL_METRICS,
            LiveKind::Metric,
            serde_json::to_value(&m)?,
        )
        .await;
    Ok(Json(answer).into_response())
}

/// The stored first answer, marked as a replay.
fn replayed(stored: Stored) -> Response {
    let body = match serde_json::from_str::<IngestResult>(&stored.body) {
        Ok(mut r) if stored.status == 200 => {
            r.replayed = true;
            serde_json::to_string(&r).unwrap_or(stored.body)
        }
        _ => stored.body,
    };
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// The time range of `DELETE /api/v1/datasets/{id}/events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    /// Start, epoch ms (inclusive).
    pub from: i64,
    /// End, epoch ms (exclusive).
    pub to: i64,
}

/// `DELETE /api/v1/datasets/{id}/events?from=&to=` (tenant admins): deletes the rows whose time
/// is in `[from, to)`.
#[utoipa::path(delete, path = "/api/v1/datasets/{id}/events", tag = "ingest", security(("bearer" = [])),
    params(("id" = String, Path), RangeParams),
    responses((status = 200, body = DeletedRows), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn delete_events(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    params: Result<QueryParams<RangeParams>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<DeletedRows>> {
    p.require_role(Role::TenantAdmin)?;
    let QueryParams(range) = params.map_err(|e| {
        AppError::field(
            "from",
            format!("from and to (epoch ms) are required: {}", e.body_text()),
        )
    })?;
    if range.from >= range.to {
        return Err(AppError::field("to", "must be after from"));
    }
    let tenant = p.tenant_id.clone();
    let deleted = state
        .db
        .write(move |c| {
            let source = catalog::require(c, &tenant, &id)?;
            rows::delete_range(c, &source, range.from, range.to)
        })
        .await?;
    Ok(Json(DeletedRows { deleted }))
}

/// `GET /api/v1/ingest-keys` (tenant admins). Secrets are never listed.
#[utoipa::path(get, path = "/api/v1/ingest-keys", tag = "ingest", security(("bearer" = [])),
    responses((status = 200, body = IngestKeyList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list_keys(
    State(state): State<SharedState>,
    p: Principal,
) -> AppResult<Json<IngestKeyList>> {
    p.require_role(Role::TenantAdmin)?;
    let items = state.db.read(move |c| keys::list(c, &p.tenant_id)).await?;
    Ok(Json(IngestKeyList { items }))
}

/// `POST /api/v1/ingest-keys` (tenant admins): the answer holds the secret, shown only once.
#[utoipa::path(post, path = "/api/v1/ingest-keys", tag = "ingest", security(("bearer" = [])),
    request_body = IngestKeyInput,
    responses((status = 201, body = CreatedIngestKey), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "unknown dataset ids (details.field = datasets[i])"),
        (status = 429, body = ErrorBody)))]
pub async fn create_key(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(input): ApiJson<IngestKeyInput>,
) -> AppResult<(StatusCode, Json<CreatedIngestKey>)> {
    p.require_role(Role::TenantAdmin)?;
    input.validate()?;
    let created = state
        .db
        .write(move |c| {
            for (i, d) in input.datasets.iter().enumerate() {
                if catalog::find(c, &p.tenant_id, d)?.is_none() {
                    return Err(AppError::field(
                        format!("datasets[{i}]"),
                        format!("no dataset '{d}' in this tenant"),
                    ));
                }
            }
            let mut datasets = input.datasets.clone();
            datasets.dedup();
            keys::create(
                c,
                &p.tenant_id,
                &input.name,
                &datasets,
                &p.user_id,
                now_ms(),
            )
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `DELETE /api/v1/ingest-keys/{id}` (tenant admins): revokes the key at once.
#[utoipa::path(delete, path = "/api/v1/ingest-keys/{id}", tag = "ingest", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn revoke_key(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_role(Role::TenantAdmin)?;
    let revoked = state
        .db
        .write(move |c| keys::revoke(c, &p.tenant_id, &id))
        .await?;
    if revoked {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("no such ingest key"))
    }
}
