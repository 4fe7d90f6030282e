//! Static files: `/app/*`, `/pkg/*`, `/vendor/echarts/*` and the `www` root with an SPA fallback
//! (an extension-less path that matches no file gets `<www>/index.html`, so app routes load the
//! app). Everything is sent with `Cache-Control: no-cache`; `.wasm` as `application/wasm`.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The configured directories.
#[derive(Debug, Clone, Default)]
pub struct StaticDirs {
    pub www: Option<PathBuf>,
    pub app: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    pub echarts: Option<PathBuf>,
}

/// Fallback handler for every non-API path.
pub async fn serve(State(dirs): State<Arc<StaticDirs>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return crate::error::AppError::not_found("no such endpoint").into_response();
    }
    let mounts: [(&str, &Option<PathBuf>); 3] = [
        ("/app/", &dirs.app),
        ("/pkg/", &dirs.pkg),
        ("/vendor/echarts/", &dirs.echarts),
    ];
    for (prefix, dir) in mounts {
        if let Some(rest) = path.strip_prefix(prefix) {
            return match dir {
                Some(dir) => file_or_404(dir, rest, method == Method::HEAD).await,
                None => not_found(),
            };
        }
    }
    let Some(www) = &dirs.www else {
        return not_found();
    };
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    };
    if let Some(resp) = file(www, &rel, method == Method::HEAD).await {
        return resp;
    }
    let has_extension = Path::new(path).extension().is_some();
    if !has_extension {
        if let Some(resp) = file(www, "index.html", method == Method::HEAD).await {
            return resp;
        }
    }
    not_found()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-cache")],
        "not found",
    )
        .into_response()
}

async fn file_or_404(dir: &Path, rel: &str, head: bool) -> Response {
    file(dir, rel, head).await.unwrap_or_else(not_found)
}

/// Resolves `rel` under `dir` without escaping it; `None` if there is no such file.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    let decoded = percent_decode(rel)?;
    let mut out = dir.to_path_buf();
    for comp in Path::new(&decoded).components() {
        match comp {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The Content-Security-Policy sent with every HTML page we serve.
pub const STRICT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'";

async fn file(dir: &Path, rel: &str, head: bool) -> Option<Response> {
    let mut path = resolve(dir, rel)?;
    let meta = tokio::fs::metadata(&path).await.ok()?;
    if meta.is_dir() {
        path.push("index.html");
        if !tokio::fs::metadata(&path).await.ok()?.is_file() {
            return None;
        }
    }
    let bytes = tokio::fs::read(&path).await.ok()?;
    let mime = content_type(&path);
    let len = bytes.len();
    let is_html = mime.starts_with("text/html");
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut builder = Response::builder();
    if is_html {
        // Our pages prove the SDK and app run under a strict policy: no inline script or style,
        // no eval; only wasm compilation is allowed.
        builder = builder.header(header::CONTENT_SECURITY_POLICY, STRICT_CSP);
    }
    Some(
        builder
            .header(header::CONTENT_TYPE, mime)
            .header(header::CONTENT_LENGTH, len)
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(body)
            .unwrap_or_else(|_| not_found()),
    )
}

fn content_type(path: &Path) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm".into(),
        Some("js" | "mjs") => "text/javascript; charset=utf-8".into(),
        Some("html") => "text/html; charset=utf-8".into(),
        Some("css") => "text/css; charset=utf-8".into(),
        Some("json" | "map") => "application/json".into(),
        _ => mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains('\0') && !s.contains('\\')).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_to_escape() {
        let d = Path::new("/srv");
        assert_eq!(resolve(d, "a/b.js"), Some(PathBuf::from("/srv/a/b.js")));
        assert_eq!(resolve(d, "../etc/passwd"), None);
        assert_eq!(resolve(d, "%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(d, "/etc/passwd"), None);
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
    }
}
