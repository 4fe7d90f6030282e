//! The header policy of every static response, as one middleware around the file services:
//!
//! - **Validators.** `ServeDir` sends `Last-Modified`; this adds an `ETag` derived from it, the
//!   representation's full length and its encoding (like nginx's mtime-length tag), and answers a
//!   matching `If-None-Match` with 304. When `If-None-Match` is present, `If-Modified-Since` is
//!   ignored (RFC 9110 §13.2.2), so the date check cannot overrule the tag.
//! - **Caching.** A file name carrying a content hash (`name.<16+ hex>.ext`, written by
//!   `cargo xtask`) never changes: `public, max-age=31536000, immutable`. Everything else is
//!   `no-cache`, i.e. revalidated with the validators above on every use.
//! - **Negotiation.** `Vary: Accept-Encoding` on everything, as brotli/gzip siblings or on-the-fly
//!   compression may answer the same URL differently.
//! - **Pages.** HTML gets a strict Content-Security-Policy (no inline script or style, no eval;
//!   wasm compilation allowed). The app (index.html and its SPA routes) must never be framed;
//!   the demo pages (`*.html`) may be framed by this origin only.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The policy of the app: strict scripts and styles, never inside a frame.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the other pages (host demos, gallery, benchmarks): as strict, framable by this
/// origin only.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Middleware: see the module docs.
pub async fn apply(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let readable = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if if_none_match.is_some() {
        req.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let mut response = next.run(req).await;
    let status = response.status();
    let found = status.is_success() || status == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let cache = if found && is_hashed(&path) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if is_html(headers) {
        let (csp, frames) = if path.ends_with(".html") && path != "/index.html" {
            (PAGE_CSP, "SAMEORIGIN")
        } else {
            (APP_CSP, "DENY")
        };
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(frames));
    }
    let Some(tag) = etag(status, headers) else {
        return response;
    };
    headers.insert(header::ETAG, tag.clone());
    let matched = if_none_match.is_some_and(|list| matches(&list, &tag));
    if readable && matched {
        return not_modified(response);
    }
    response
}

/// `name.<hash>.ext` with a hex hash of at least 16 digits between the first and last dot.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 16 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The entity tag of a 200/206 file response: strong when the representation's full length is
/// known (precompressed or identity files), weak when compressed on the fly.
fn etag(status: StatusCode, headers: &HeaderMap) -> Option<HeaderValue> {
    if status != StatusCode::OK && status != StatusCode::PARTIAL_CONTENT {
        return None;
    }
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    let full_length = match headers.get(header::CONTENT_RANGE) {
        Some(range) => range.to_str().ok()?.rsplit('/').next().map(str::to_owned),
        None => headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let digest = Sha256::digest(format!(
        "{modified}|{}|{encoding}",
        full_length.as_deref().unwrap_or("?")
    ));
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    let tag = match full_length {
        Some(_) => format!("\"{hex}\""),
        None => format!("W/\"{hex}\""),
    };
    HeaderValue::from_str(&tag).ok()
}

/// Weak comparison (RFC 9110 §13.1.2): `*` or any listed tag equal to ours, `W/` ignored.
fn matches(list: &str, tag: &HeaderValue) -> bool {
    let ours = tag.to_str().unwrap_or_default().trim_start_matches("W/");
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == ours)
}

/// Turns a file response into 304, keeping its validators, caching, `Vary` and CORS headers.
fn not_modified(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.status = StatusCode::NOT_MODIFIED;
    for name in [
        header::CONTENT_LENGTH,
        header::CONTENT_RANGE,
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
    ] {
        parts.headers.remove(name);
    }
    Response::from_parts(parts, Body::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/app/vantage_app.3f2a9c0d1e4b5a67.js"));
        assert!(is_hashed("/app/vantage_app_bg.3f2a9c0d1e4b5a67.wasm"));
        assert!(!is_hashed("/pkg/vantage_embed.js"));
        assert!(!is_hashed("/vendor/echarts/echarts.min.js"));
        assert!(!is_hashed("/app/3f2a9c0d1e4b5a67.js"));
        assert!(!is_hashed("/app/x.3f2a9c0d.js"));
    }

    #[test]
    fn etags_differ_by_encoding_and_ranges_share_the_full_tag() {
        let mut identity = HeaderMap::new();
        identity.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_static("Wed, 02 Dec 2026 17:00:00 GMT"),
        );
        identity.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1000"));
        let full = etag(StatusCode::OK, &identity).unwrap();
        let mut brotli = identity.clone();
        brotli.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        assert_ne!(etag(StatusCode::OK, &brotli).unwrap(), full);
        let mut range = identity.clone();
        range.insert(header::CONTENT_LENGTH, HeaderValue::from_static("10"));
        range.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_static("bytes 0-9/1000"),
        );
        assert_eq!(etag(StatusCode::PARTIAL_CONTENT, &range).unwrap(), full);
        assert!(etag(StatusCode::NOT_FOUND, &identity).is_none());
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(matches("\"abc\"", &tag));
        assert!(matches("W/\"abc\", \"def\"", &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"abd\"", &tag));
    }
}
