//! Content negotiation for the data endpoints: a request whose `Accept` asks for
//! [`columnar::MEDIA_TYPE`] gets the compact binary body (see [`vantage_contract::columnar`]);
//! everyone else gets JSON exactly as before. Both answers say `Vary: Accept` so caches keep
//! them apart. Errors stay JSON (the contract's error shape) either way.
//!
//! ```text
//! Accept: application/vnd.vantage.columnar, application/json;q=0.9  → binary
//! Accept: */*  ·  Accept: application/json  ·  no Accept  ·  garbage  → JSON
//! ```

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT, CONTENT_TYPE, VARY};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use vantage_contract::{columnar, DashboardData, QueryResult};

/// Whether the request's `Accept` prefers the columnar body over JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WantsColumnar(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for WantsColumnar {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let accept = parts.headers.get_all(ACCEPT).iter();
        let accept: Vec<&str> = accept.filter_map(|v| v.to_str().ok()).collect();
        Ok(Self(prefers_columnar(&accept.join(","))))
    }
}

/// A body that has a columnar form.
pub trait Columnar: Serialize {
    fn to_columnar(&self) -> Vec<u8>;
}

impl Columnar for QueryResult {
    fn to_columnar(&self) -> Vec<u8> {
        columnar::encode_result(self)
    }
}

impl Columnar for DashboardData {
    fn to_columnar(&self) -> Vec<u8> {
        columnar::encode_dashboard_data(self)
    }
}

/// An answer sent as JSON or, when the request asked for it, as the columnar body.
pub struct Negotiated<T> {
    pub body: T,
    pub wants: WantsColumnar,
}

impl<T: Columnar> IntoResponse for Negotiated<T> {
    fn into_response(self) -> Response {
        let mut response = if self.wants.0 {
            let content_type = [(CONTENT_TYPE, HeaderValue::from_static(columnar::MEDIA_TYPE))];
            (content_type, self.body.to_columnar()).into_response()
        } else {
            Json(self.body).into_response()
        };
        response
            .headers_mut()
            .append(VARY, HeaderValue::from_static("Accept"));
        response
    }
}

/// The `q` of each media range in `accept` that names `media_type` exactly or by wildcard,
/// best first; an exact match outranks wildcards.
fn quality(accept: &str, media_type: &str) -> Option<f32> {
    let (kind, _) = media_type.split_once('/')?;
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let specificity = if name == media_type {
            2
        } else if name == format!("{kind}/*") {
            1
        } else if name == "*/*" {
            0
        } else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .filter(|q| (0.0..=1.0).contains(q))
            .unwrap_or(1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map(|(_, q)| q)
}

/// Whether `accept` names the columnar type explicitly with a `q` above 0 and at least JSON's.
/// Wildcards alone never select it: a client that did not ask for it by name gets JSON.
pub fn prefers_columnar(accept: &str) -> bool {
    let named = accept.split(',').any(|range| {
        let name = range.split(';').next().unwrap_or("").trim();
        name.eq_ignore_ascii_case(columnar::MEDIA_TYPE)
    });
    if !named {
        return false;
    }
    let binary = quality(accept, columnar::MEDIA_TYPE).unwrap_or(0.0);
    let json = quality(accept, "application/json").unwrap_or(0.0);
    binary > 0.0 && binary >= json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_client_that_names_the_columnar_type_gets_it() {
        let yes = [
            "application/vnd.vantage.columnar",
            "application/vnd.vantage.columnar, application/json;q=0.9",
            "application/json;q=0.5, APPLICATION/VND.VANTAGE.COLUMNAR",
            "application/vnd.vantage.columnar;q=0.8, */*;q=0.1",
        ];
        for accept in yes {
            assert!(prefers_columnar(accept), "{accept}");
        }
        let no = [
            "",
            "*/*",
            "application/json",
            "application/*",
            "text/html",
            "application/vnd.vantage.columnar;q=0, application/json",
            "application/vnd.vantage.columnar;q=0.5, application/json",
            "application/vnd.vantage.columnarx",
            ";;;,,=q",
        ];
        for accept in no {
            assert!(!prefers_columnar(accept), "{accept}");
        }
    }
}
