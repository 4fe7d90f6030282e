//! The contract version handshake (see `vantage_contract::version`): a request asking for a
//! contract version this server does not serve is refused with `400 unsupported_version`
//! naming both versions; every `/api` response states the version it was served with.

use crate::error::AppError;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vantage_contract::version::{
    self, AGENT_HEADER, CONTRACT_HEADER, CONTRACT_VERSION, SERVED_VERSIONS,
};
use vantage_contract::ErrorCode;

pub async fn handshake(req: Request, next: Next) -> Response {
    let requested = req
        .headers()
        .get(CONTRACT_HEADER)
        .map(|v| v.to_str().unwrap_or("(not text)").to_owned());
    let mut response = match version::check(requested.as_deref()) {
        Ok(()) => next.run(req).await,
        Err(message) => {
            let agent = req
                .headers()
                .get(AGENT_HEADER)
                .and_then(|v| v.to_str().ok());
            tracing::info!(
                agent = agent.unwrap_or("-"),
                requested = requested.as_deref().unwrap_or("-"),
                "contract version not served"
            );
            AppError::new(ErrorCode::UnsupportedVersion, message)
                .with_details(serde_json::json!({
                    "requested": requested.unwrap_or_default().chars().take(32).collect::<String>(),
                    "served": SERVED_VERSIONS,
                }))
                .into_response()
        }
    };
    response
        .headers_mut()
        .insert(CONTRACT_HEADER, HeaderValue::from_static(CONTRACT_VERSION));
    response
}
