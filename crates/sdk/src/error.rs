//! [`SdkError`]: everything that can go wrong between the browser and a Vantage backend.

use vantage_contract::{ApiError, ErrorCode};

/// A failed SDK operation. Backend errors keep the contract's code, status and request id so a
/// host can act on them and support can find the log line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SdkError {
    /// The backend answered with the contract's error shape.
    #[error("{message} ({code:?}, HTTP {status}, request {request_id})")]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
        request_id: String,
        details: Option<serde_json::Value>,
    },
    /// The backend answered non-2xx without the contract's error shape.
    #[error("HTTP {status} from the backend: {body}")]
    Http { status: u16, body: String },
    /// The request never got an answer (offline, DNS, CORS, connection refused).
    #[error("network error: {0}")]
    Network(String),
    /// No answer within the configured timeout.
    #[error("request timed out after {0} ms")]
    Timeout(u32),
    /// The caller (or the owner being dropped) aborted the request.
    #[error("request aborted")]
    Aborted,
    /// The session could not be renewed; sign in again or supply a new token.
    #[error("authentication expired: {0}")]
    AuthExpired(String),
    /// The response did not match the contract.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// Bad configuration from the host page; names the field.
    #[error("{field}: {message}")]
    Config {
        field: &'static str,
        message: String,
    },
}

impl SdkError {
    /// Builds an error from an HTTP status and the contract error body, if it parsed.
    pub fn from_api(status: u16, error: ApiError) -> Self {
        SdkError::Api {
            status,
            code: error.code,
            message: error.message,
            request_id: error.request_id,
            details: error.details,
        }
    }

    /// The HTTP status, when the backend answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            SdkError::Api { status, .. } | SdkError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short, stable code for JS (`error` events): the contract code or the variant name.
    pub fn code(&self) -> String {
        match self {
            SdkError::Api { code, .. } => serde_json::to_value(code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "api".into()),
            SdkError::Http { .. } => "http".into(),
            SdkError::Network(_) => "network".into(),
            SdkError::Timeout(_) => "timeout".into(),
            SdkError::Aborted => "aborted".into(),
            SdkError::AuthExpired(_) => "authExpired".into(),
            SdkError::Decode(_) => "decode".into(),
            SdkError::Config { .. } => "config".into(),
        }
    }

    /// The message to show an end user.
    pub fn user_message(&self) -> String {
        match self {
            SdkError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// Whether retrying the same idempotent request may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            SdkError::Network(_) | SdkError::Timeout(_) => true,
            SdkError::Api { status, .. } | SdkError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_errors_keep_code_status_and_request_id() {
        let err = SdkError::from_api(
            422,
            ApiError {
                code: ErrorCode::ValidationFailed,
                message: "unknown field 'x'".into(),
                details: None,
                request_id: "r-9".into(),
            },
        );
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.code(), "validation_failed");
        assert_eq!(err.user_message(), "unknown field 'x'");
        assert!(err.to_string().contains("request r-9"));
        assert!(!err.is_transient());
    }

    #[test]
    fn only_network_timeouts_and_5xx_are_transient() {
        assert!(SdkError::Network("offline".into()).is_transient());
        assert!(SdkError::Timeout(15_000).is_transient());
        assert!(SdkError::Http {
            status: 503,
            body: String::new()
        }
        .is_transient());
        assert!(!SdkError::Aborted.is_transient());
        assert!(!SdkError::AuthExpired("x".into()).is_transient());
    }
}
