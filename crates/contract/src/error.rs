//! The single error shape every Vantage backend answers non-2xx requests with:
//!
//! ```json
//! { "error": { "code": "validation_failed", "message": "…", "details": {…}, "requestId": "…" } }
//! ```

use serde::{Deserialize, Serialize};

use crate::wire::unit_enum;

unit_enum! {
    /// Machine-readable error codes. Clients switch on these, never on the message text.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum ErrorCode {
        /// 400: the request could not be parsed (malformed JSON, wrong types).
        BadRequest,
        /// 401: missing, malformed or expired credentials.
        Unauthenticated,
        /// 403: authenticated but not allowed (role, tenant, origin).
        Forbidden,
        /// 404: no such resource in the caller's tenant.
        NotFound,
        /// 403: an embed token's locked filter cannot be applied to this widget (its dataset lacks
        /// the locked field, or the widget is not filterable, e.g. alerts): the widget answers this
        /// error instead of unfiltered data.
        LockedFilterUnsupported,
        /// 409: the resource changed since the caller read it (stale version).
        Conflict,
        /// 413: request body over the size limit.
        PayloadTooLarge,
        /// 422: well-formed but semantically invalid (unknown field, bad colour…).
        ValidationFailed,
        /// 429: rate limited; see the `Retry-After` header.
        RateLimited,
        /// 500: the server failed; the request id identifies the log line.
        Internal,
        /// 503: the server cannot serve right now (e.g. its database does not answer).
        Unavailable,
        /// 400: the client asked for a contract version this backend does not serve (see
        /// [`crate::version`]); `details` carry `requested` and `served`.
        UnsupportedVersion,
    }
}

impl ErrorCode {
    /// The HTTP status code this error is sent with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::LockedFilterUnsupported => 403,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
            ErrorCode::UnsupportedVersion => 400,
        }
    }
}

/// The inner error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Human-readable, safe to show to an end user.
    pub message: String,
    /// Structured context, e.g. `{ "field": "primaryColor" }` for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// Correlates the response with the server's log line.
    pub request_id: String,
}

/// The body of every non-2xx response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_uses_the_documented_json_shape() {
        let body = ErrorBody {
            error: ApiError {
                code: ErrorCode::ValidationFailed,
                message: "primaryColor must be a hex colour".into(),
                details: Some(serde_json::json!({ "field": "primaryColor" })),
                request_id: "req-1".into(),
            },
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {
                "code": "validation_failed",
                "message": "primaryColor must be a hex colour",
                "details": {"field": "primaryColor"},
                "requestId": "req-1"
            }})
        );
        let back: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn every_code_maps_to_its_status() {
        let pairs = [
            (ErrorCode::BadRequest, 400),
            (ErrorCode::Unauthenticated, 401),
            (ErrorCode::Forbidden, 403),
            (ErrorCode::NotFound, 404),
            (ErrorCode::LockedFilterUnsupported, 403),
            (ErrorCode::Conflict, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::ValidationFailed, 422),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::Internal, 500),
            (ErrorCode::Unavailable, 503),
            (ErrorCode::UnsupportedVersion, 400),
        ];
        for (code, status) in pairs {
            assert_eq!(code.http_status(), status, "{code:?}");
        }
    }
}
