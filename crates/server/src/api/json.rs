//! `ApiJson<T>`: like `axum::Json`, but rejections use the contract's error shape and codes:
//! malformed JSON and wrong types → 400, unknown fields/variants and missing fields → 422,
//! oversize bodies → 413.

use crate::error::AppError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use vantage_contract::ErrorCode;

pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(map_rejection(&rejection)),
        }
    }
}

fn map_rejection(rejection: &JsonRejection) -> AppError {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => {
            // "Failed to deserialize …: <path>: <serde message>"
            let rest = text.split_once(": ").map_or(text.as_str(), |(_, r)| r);
            match rest.split_once(": ") {
                Some((path, detail)) if !path.contains(' ') => classify(path, detail),
                _ => classify("", rest),
            }
        }
        JsonRejection::JsonSyntaxError(_) => {
            AppError::bad_request(format!("malformed JSON: {text}"))
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::bad_request("expected Content-Type: application/json")
        }
        _ if rejection.status().as_u16() == 413 => {
            AppError::new(ErrorCode::PayloadTooLarge, "request body too large")
        }
        _ => AppError::bad_request(text),
    }
}

/// Parses a JSON body read as bytes (for optional bodies), with the same error mapping.
///
/// # Errors
/// 400 for malformed JSON or wrong types, 422 for unknown/missing fields.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::bad_request(format!("malformed JSON: {inner}"));
        }
        classify(&path, &inner.to_string())
    })
}

fn classify(path: &str, detail: &str) -> AppError {
    let semantic = [
        "unknown field",
        "unknown variant",
        "missing field",
        "invalid value",
        "invalid length",
    ]
    .iter()
    .any(|k| detail.contains(k));
    if semantic {
        let name = detail.split('`').nth(1).unwrap_or("");
        let path = if path == "." { "" } else { path };
        let field = match (
            detail.starts_with("unknown field") || detail.starts_with("missing field"),
            path.is_empty(),
        ) {
            (true, true) => name.to_owned(),
            (true, false) => format!("{path}.{name}"),
            (false, _) => path.to_owned(),
        };
        let message = if path.is_empty() {
            detail.to_owned()
        } else {
            format!("{path}: {detail}")
        };
        AppError::new(ErrorCode::ValidationFailed, message)
            .with_details(serde_json::json!({ "field": field, "path": path }))
    } else {
        AppError::bad_request(format!("wrong type at '{path}': {detail}"))
    }
}
