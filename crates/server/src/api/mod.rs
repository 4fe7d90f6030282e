//! The `/api/v1` router and its middleware (request ids, logging, error shape, CORS, limits).

mod alert_rules;
mod alerts;
mod audit;
mod auth;
mod columnar;
mod cors;
mod dashboards;
mod data;
mod datasets;
mod embed;
mod health;
mod ingest;
mod json;
pub mod openapi;
pub mod setup;
mod tenant;
mod tenants;
mod tokens;
mod users;
mod version;
mod webhooks;

use crate::error::{code_for_status, AppError, REQUEST_ID};
use crate::state::SharedState;
use crate::static_files;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use vantage_contract::ingest::MAX_BATCH_BYTES;
use vantage_contract::ErrorCode;

/// Builds the whole application: API routes plus static files.
pub fn router(state: SharedState) -> Router {
    // Answers that can be large and carry no secret: compressed (brotli or gzip, as the client
    // accepts, at the fastest level, whose CPU cost is small next to the queries) when they are
    // worth it. A dashboard's data went from 8.5 KB to 1.6 KB on the wire.
    // Answers that carry a secret (tokens, ingest keys, embed tokens, invitation and reset
    // links) are left out, so an attacker who can inject text into one cannot read the secret
    // from its compressed length (BREACH). SSE streams are never compressed (the predicate).
    let compressed = Router::new()
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/tenants", get(tenants::list))
        .route("/users", get(users::list))
        .route("/audit", get(audit::list))
        .route("/audit.csv", get(audit::csv))
        .route("/tenant", get(tenant::get_tenant))
        .route("/dashboards", get(dashboards::list))
        .route("/dashboards/{id}", get(dashboards::get_one))
        .route("/dashboards/{id}/data", post(data::dashboard_data))
        .route("/datasets", get(datasets::list))
        .route("/datasets/{id}", get(datasets::get_one))
        .route("/datasets/{id}/rows", get(data::rows))
        .route("/query", post(data::run_query))
        .route("/alerts", get(alerts::list))
        .route("/alert-rules", get(alert_rules::list))
        .route("/embed/dashboard", get(embed::dashboard))
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest));
    let api = Router::new()
        .merge(compressed)
        .route("/health", get(health::health))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/me", get(auth::me))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password", post(auth::change_password))
        .route("/ready", get(health::ready))
        .route("/setup", get(setup::status).post(setup::complete))
        .route("/tenants", post(tenants::create))
        .route("/tenants/{id}", patch(tenants::update))
        .route("/users/invitations", post(users::invite))
        .route("/users/{id}", patch(users::update))
        .route("/users/{id}/password-reset", post(users::issue_reset))
        .route("/invitations/accept", post(users::accept))
        .route("/password-reset/complete", post(users::complete_reset))
        .route("/tenant/branding", put(tenant::put_branding))
        .route("/tenant/embed-origins", put(tenant::put_embed_origins))
        .route("/dashboards", post(dashboards::create))
        .route(
            "/dashboards/{id}",
            put(dashboards::update).delete(dashboards::delete),
        )
        .route("/datasets", post(datasets::create))
        .route(
            "/datasets/{id}",
            put(datasets::update).delete(datasets::delete),
        )
        .route(
            "/datasets/{id}/events",
            post(ingest::post_events)
                .delete(ingest::delete_events)
                .layer(DefaultBodyLimit::max(MAX_BATCH_BYTES)),
        )
        .route(
            "/ingest-keys",
            get(ingest::list_keys).post(ingest::create_key),
        )
        .route("/ingest-keys/{id}", delete(ingest::revoke_key))
        .route("/alert-rules", post(alert_rules::create))
        .route(
            "/alert-rules/{id}",
            put(alert_rules::update).delete(alert_rules::delete),
        )
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            get(webhooks::get_one)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        .route("/webhooks/{id}/secret", post(webhooks::rotate_secret))
        .route("/webhooks/{id}/test", post(webhooks::test))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/alerts/{id}/resolve", post(alerts::resolve))
        .route(
            "/embed/tokens",
            get(embed::list_tokens).post(embed::create_token),
        )
        .route("/embed/tokens/{id}", delete(embed::revoke_token))
        .route("/live/sse", get(crate::live::sse::sse))
        .route("/live/ws", get(crate::live::ws::ws))
        .fallback(|| async { AppError::not_found("no such endpoint") })
        .layer(middleware::from_fn(version::handshake))
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(middleware::from_fn_with_state(state.clone(), read_body))
        .layer(middleware::from_fn_with_state(state.clone(), cors::cors))
        .with_state(state.clone());
    let statics = static_files::router(&state.static_dirs, cors::assets(state.clone()));
    Router::new()
        .nest("/api/v1", api)
        .route(
            "/api",
            get(|| async { AppError::not_found("no such endpoint") }),
        )
        .merge(statics)
        .layer(middleware::from_fn_with_state(state, request_context))
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Gives each request an id (task-local and `x-request-id`), logs it, and wraps any non-JSON
/// error response under `/api` into the contract's error shape.
async fn request_context(State(_state): State<SharedState>, req: Request, next: Next) -> Response {
    let id = format!(
        "req-{:x}-{}",
        std::process::id(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed)
    );
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let is_api = path.starts_with("/api");
    let started = std::time::Instant::now();
    let mut response = REQUEST_ID
        .scope(id.clone(), async move {
            let response = next.run(req).await;
            if is_api {
                ensure_error_shape(response)
            } else {
                response
            }
        })
        .await;
    let (status, ms) = (
        response.status().as_u16(),
        started.elapsed().as_millis() as u64,
    );
    // A load balancer probes readiness every second or so: successful probes log at debug.
    if path == "/api/v1/ready" && status == 200 {
        tracing::debug!(request_id = %id, %method, %path, status, ms, "request");
    } else {
        tracing::info!(request_id = %id, %method, %path, status, ms, "request");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

fn ensure_error_shape(response: Response) -> Response {
    let status = response.status();
    if status.is_success() || status.is_redirection() || status.is_informational() {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let message = status.canonical_reason().unwrap_or("error").to_owned();
    let mut wrapped = AppError::new(code_for_status(status), message).into_response();
    *wrapped.status_mut() = status;
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = response.headers().get(&name) {
            wrapped.headers_mut().insert(name, v.clone());
        }
    }
    wrapped
}

/// Rejects bodies over the limit up front (by `Content-Length`, before reading) and reads every
/// other body completely, so handlers that ignore their body never leave unread bytes that would
/// stop the connection from being reused.
async fn read_body(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    // Event batches have their own, larger limit (gzip bombs are bounded in `ingest::body`).
    let path = req.uri().path();
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let limit = if path.starts_with("/datasets/") && path.ends_with("/events") {
        MAX_BATCH_BYTES.max(state.config.max_body)
    } else {
        state.config.max_body
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("request body over {limit} bytes"),
        )
        .into_response()
    };
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}
