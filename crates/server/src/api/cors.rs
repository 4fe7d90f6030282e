//! CORS. For `/api`: preflights are answered for origins that some tenant allows to embed
//! (403 otherwise); responses to allowed origins carry `Access-Control-Allow-Origin`. Requests
//! without an `Origin` header (same-origin tools, curl) pass untouched. The tenant is known
//! only once the token is read, so the per-tenant decision is the auth extractor's: embed
//! tokens are checked against their own `allowedOrigins`, user tokens against their tenant's
//! embed origins and the server's own origin (`auth::user_origin_ok`).
//!
//! For the browser assets (`/pkg/*`, `/vendor/*`): [`assets`] is a `tower-http` [`CorsLayer`] that
//! allows the same origins (read live, so an origin a tenant admin adds works at once), so the
//! app's copy-ready `<script type="module">` snippet can import the package and fetch its wasm
//! from another origin.

use crate::error::AppError;
use crate::state::SharedState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// CORS for static assets a host page loads cross-origin: `GET`/`HEAD` only, for origins some
/// tenant allows to embed; other origins get no CORS headers (the browser then blocks the module).
pub fn assets(state: SharedState) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| state.cors_allows(origin))
        }))
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([
            header::RANGE,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
        ])
        .expose_headers([header::CONTENT_LENGTH, header::ETAG])
        .max_age(std::time::Duration::from_secs(600))
}

pub async fn cors(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let allowed = state.cors_allows(&origin);
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        if !allowed {
            return AppError::forbidden("origin not allowed").into_response();
        }
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            // `x-tenant-id`: a system admin's SDK client acting in another tenant
            // (`ApiClient::with_tenant`); PATCH: tenant and user updates.
            HeaderValue::from_static("authorization, content-type, last-event-id, idempotency-key, x-tenant-id, x-vantage-contract, x-vantage-sdk"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        add_origin(&mut r, &origin);
        return r;
    }
    let mut r = next.run(req).await;
    if allowed {
        add_origin(&mut r, &origin);
    }
    r
}

fn add_origin(r: &mut Response, origin: &str) {
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-request-id, retry-after, x-vantage-contract"),
    );
}
