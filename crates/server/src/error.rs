//! The server's error type: every failure becomes the contract's [`ErrorBody`] with the right
//! status code and the request id of the log line.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use vantage_contract::{ApiError, ErrorBody, ErrorCode, FieldError};

tokio::task_local! {
    /// The current request's id, set by the request-id middleware.
    pub static REQUEST_ID: String;
}

/// The current request id (or `-` outside a request).
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

/// An API failure.
#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<serde_json::Value>,
    pub retry_after: Option<u64>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, m)
    }
    pub fn unauthenticated(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, m)
    }
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, m)
    }
    pub fn conflict(m: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, m)
    }
    pub fn internal(m: impl std::fmt::Display) -> Self {
        tracing::error!(request_id = %request_id(), "internal error: {m}");
        Self::new(ErrorCode::Internal, "internal server error")
    }
    /// 422 naming a field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::new(field, message).into()
    }
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }
    /// The contract error object.
    pub fn to_api_error(&self) -> ApiError {
        ApiError {
            code: self.code,
            message: self.message.clone(),
            details: self.details.clone(),
            request_id: request_id(),
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        let api = e.into_api_error("");
        Self {
            code: api.code,
            message: api.message,
            details: api.details,
            retry_after: None,
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        crate::sql::Error::from(e).into()
    }
}

impl From<crate::sql::Error> for AppError {
    fn from(e: crate::sql::Error) -> Self {
        if e.is_cancelled() {
            return AppError::field(
                "timeRange",
                "the query took longer than this server allows and was stopped; narrow the \
                 time range or add filters",
            );
        }
        if e.is_unavailable() {
            tracing::warn!("database unavailable: {e}");
            let mut err = AppError::new(ErrorCode::Unavailable, "the database is not available");
            err.retry_after = Some(1);
            err
        } else {
            AppError::internal(e)
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::internal(e)
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: self.to_api_error(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// The error code for a bare HTTP status (used to wrap non-JSON error responses).
pub fn code_for_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        422 => ErrorCode::ValidationFailed,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::BadRequest,
        503 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}
