//! [`SdkError`]: everything that can go wrong between the browser and a Vantage backend, and
//! [`ERROR_CODES`]: the stable `code` of each as host pages see it (`VantageError.code`), with
//! what a host should do about it. The package README's table and the TypeScript
//! `VantageErrorCode` union are checked against this list by the tests below.

use vantage_contract::{ApiError, ErrorCode};
use vantage_widgets::WidgetError;

use crate::filters::FilterError;
use crate::store::StoreError;

/// Every `VantageError.code` and what a host should do about it.
pub const ERROR_CODES: &[(&str, &str)] = &[
    ("config", "Fix the option or argument named by `field`; the message says what is expected."),
    ("filterLocked", "Leave the filter alone: the embed token locks it. Nothing was changed."),
    ("destroyed", "Nothing: `destroy()` ran before the call finished. Create a new embed to show it again."),
    ("authExpired", "Supply a fresh token: return one from `fetchToken`, or create the embed again with a new `token`."),
    ("network", "The backend could not be reached (offline, DNS, CORS). Retry later, e.g. with `refresh()`."),
    ("timeout", "The backend did not answer in time. Retry with `refresh()`."),
    ("aborted", "Nothing: a newer request or `destroy()` replaced this one."),
    ("http", "The backend answered without the contract's error shape (a proxy?). Check `status`."),
    ("decode", "The backend's answer did not match the contract: check that the SDK and backend versions match."),
    ("chart", "ECharts failed: check that the `echarts` passed in (or `globalThis.echarts`) is ECharts 5.5 or 6."),
    ("browser", "The browser refused an operation (creating an element or a Blob); see the message."),
    ("bad_request", "The request was malformed: report it with `requestId`."),
    ("unauthenticated", "The token is missing, malformed or expired: fetch a new one."),
    ("forbidden", "The token may not do this (role, tenant, origin or permission): check the embed token's scope."),
    ("not_found", "The dashboard or widget does not exist for this tenant: check `dashboardId`/`widgetId`."),
    ("locked_filter_unsupported", "This widget cannot be shown under the embed token's locked filters (its data lacks the locked field): drop the widget or the lock."),
    ("conflict", "The resource changed meanwhile: reload and retry."),
    ("payload_too_large", "Send less data in one request."),
    ("validation_failed", "Fix the value named by `field` (or the message)."),
    ("rate_limited", "Wait and retry later."),
    ("internal", "The backend failed: retry later; report `requestId` if it persists."),
    ("unavailable", "The backend cannot serve right now (its database or bus is down): retry later, e.g. with `refresh()`."),
    ("unsupported_version", "The backend does not serve the contract version this package speaks (the message names both): install the package version that matches your backend."),
];

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
    /// A filter change touched a filter the embed token locks; nothing changed.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// The embed was destroyed before the operation finished.
    #[error("destroy() was called before the dashboard loaded")]
    Destroyed,
    /// ECharts failed (drawing or exporting a chart).
    #[error(transparent)]
    Chart(#[from] WidgetError),
    /// The browser refused a DOM operation (creating an element, a `Blob`…).
    #[error("the browser refused: {0}")]
    Browser(String),
}

impl From<StoreError> for SdkError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Load(error) => error,
            StoreError::Filter(error) => SdkError::Filter(error),
            StoreError::Closed => SdkError::Destroyed,
        }
    }
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
            SdkError::Filter(_) => "filterLocked".into(),
            SdkError::Destroyed => "destroyed".into(),
            SdkError::Chart(_) => "chart".into(),
            SdkError::Browser(_) => "browser".into(),
        }
    }

    /// The option, argument or data field the error is about, when there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            SdkError::Config { field, .. } => Some((*field).to_owned()),
            SdkError::Filter(FilterError::Locked(field)) => Some(field.clone()),
            SdkError::Api { details, .. } => details
                .as_ref()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                .map(str::to_owned),
            _ => None,
        }
    }

    /// The backend's request id (for support), when the backend answered with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Api { request_id, .. } => Some(request_id),
            _ => None,
        }
    }

    /// The message to show an end user, in the active locale's language: in English the
    /// backend's own message (or this error's text); in other languages the code's headline
    /// from [`vantage_widgets::failures`], followed by the backend's detail for contract errors
    /// (which no backend is required to translate), so nothing it said is lost. Errors that are
    /// a host developer's mistake (`config`, `destroyed`…) keep their precise English text.
    pub fn user_message(&self) -> String {
        self.user_message_in(vantage_widgets::locale::language())
    }

    /// [`Self::user_message`] in catalog language `lang`.
    pub fn user_message_in(&self, lang: &str) -> String {
        let detail = match self {
            SdkError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        };
        if lang == "en" {
            return detail;
        }
        match (
            vantage_widgets::failures::headline_in(lang, &self.code()),
            self,
        ) {
            (Some(headline), SdkError::Api { message, .. }) if !message.trim().is_empty() => {
                format!("{headline} — {message}")
            }
            (Some(headline), _) => headline.to_owned(),
            (None, _) => detail,
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
        assert_eq!(err.user_message_in("en"), "unknown field 'x'");
        assert_eq!(
            err.user_message_in("de"),
            "Bitte prüfen Sie Ihre Eingabe — unknown field 'x'"
        );
        assert_eq!(
            SdkError::Network("TypeError: Failed to fetch".into()).user_message_in("fr"),
            "Le serveur est injoignable"
        );
        let config = SdkError::Config {
            field: "theme",
            message: "unknown key".into(),
        };
        assert_eq!(config.user_message_in("ja"), "theme: unknown key");
        assert!(err.to_string().contains("request r-9"));
        assert!(!err.is_transient());
    }

    #[test]
    fn every_code_is_listed_with_advice() {
        let listed = |code: &str| {
            ERROR_CODES
                .iter()
                .any(|(c, advice)| *c == code && !advice.is_empty())
        };
        let samples = [
            SdkError::Http {
                status: 502,
                body: String::new(),
            },
            SdkError::Network("x".into()),
            SdkError::Timeout(1),
            SdkError::Aborted,
            SdkError::AuthExpired("x".into()),
            SdkError::Decode("x".into()),
            SdkError::Config {
                field: "theme",
                message: "x".into(),
            },
            SdkError::Filter(FilterError::Locked("region".into())),
            SdkError::Destroyed,
            SdkError::Chart(WidgetError::EChartsMissing),
            SdkError::Browser("x".into()),
        ];
        for error in samples {
            assert!(
                listed(&error.code()),
                "{} is not in ERROR_CODES",
                error.code()
            );
        }
        for code in ErrorCode::ALL {
            let error = SdkError::from_api(
                code.http_status(),
                ApiError {
                    code,
                    message: String::new(),
                    details: None,
                    request_id: "r".into(),
                },
            );
            assert!(
                listed(&error.code()),
                "{} is not in ERROR_CODES",
                error.code()
            );
            assert!(
                vantage_widgets::failures::headline_in("de", &error.code()).is_some(),
                "{} has no translated headline in vantage_widgets::failures",
                error.code()
            );
        }
    }

    #[test]
    fn the_readme_and_the_typescript_union_list_every_code() {
        let readme = include_str!("../README.md");
        let types = include_str!("embed/types.rs");
        for (code, _) in ERROR_CODES {
            assert!(
                readme.contains(&format!("| `{code}` |")),
                "README lacks a row for {code}"
            );
            assert!(
                types.contains(&format!("\"{code}\"")),
                "VantageErrorCode lacks {code}"
            );
        }
    }

    #[test]
    fn fields_and_request_ids_are_exposed() {
        let config = SdkError::Config {
            field: "baseUrl",
            message: "x".into(),
        };
        assert_eq!(config.field().as_deref(), Some("baseUrl"));
        let locked = SdkError::from(StoreError::Filter(FilterError::Locked("region".into())));
        assert_eq!(locked.code(), "filterLocked");
        assert_eq!(locked.field().as_deref(), Some("region"));
        let api = SdkError::from_api(
            422,
            ApiError {
                code: ErrorCode::ValidationFailed,
                message: "bad".into(),
                details: Some(serde_json::json!({"field": "limit"})),
                request_id: "r-1".into(),
            },
        );
        assert_eq!(api.field().as_deref(), Some("limit"));
        assert_eq!(api.request_id(), Some("r-1"));
        assert_eq!(SdkError::from(StoreError::Closed).code(), "destroyed");
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
