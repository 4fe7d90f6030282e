//! Static files on `tower-http`: `/app/*` (the app bundle), `/pkg/*` (the `vantage-embed`
//! package), `/vendor/echarts/*` and the `www` root with an SPA fallback (an extension-less path
//! that matches no file gets `<www>/index.html`, so app routes such as `/dashboards/x` load the app).
//!
//! Every mount is a [`ServeDir`]: `Last-Modified` + `If-Modified-Since`, `Range` (206), and the
//! brotli/gzip files `cargo xtask` writes next to each asset, chosen by `Accept-Encoding`. `www`
//! files, which are not precompressed, are compressed on the fly. [`headers`] adds what `ServeDir`
//! lacks: `ETag` + `If-None-Match` (304), `Cache-Control` (hashed names immutable, the rest
//! `no-cache`), `Vary: Accept-Encoding` and the pages' Content-Security-Policy. `/pkg` and
//! `/vendor` carry CORS for every tenant's embed origins (see `api::cors::assets`).
//!
//! ```text
//! GET /app/vantage_app.3f2a9c0d1e4b5a67.js   → Cache-Control: public, max-age=31536000, immutable
//! GET /pkg/vantage_embed.js                   → Cache-Control: no-cache; ETag: "…"
//! GET /dashboards/healthco                    → index.html, CSP frame-ancestors 'none'
//! ```

mod headers;

use crate::error::AppError;
use axum::body::Body;
use axum::http::{Extensions, HeaderMap, Request, Response, StatusCode, Version};
use axum::response::IntoResponse;
use axum::Router;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use tower::{Layer, ServiceExt};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::{ServeDir, ServeFile};

/// The configured directories.
#[derive(Debug, Clone, Default)]
pub struct StaticDirs {
    pub www: Option<PathBuf>,
    pub app: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    pub echarts: Option<PathBuf>,
}

/// Everything outside `/api`: the mounts, the SPA fallback and the header policy. `cors` applies
/// to `/pkg` and `/vendor` (assets host pages on other origins load).
pub fn router(dirs: &StaticDirs, cors: CorsLayer) -> Router {
    let mut router = Router::new();
    if let Some(app) = &dirs.app {
        router = router.nest_service("/app", assets(app));
    }
    if let Some(pkg) = &dirs.pkg {
        router = router.nest_service("/pkg", cors.clone().layer(assets(pkg)));
    }
    if let Some(echarts) = &dirs.echarts {
        router = router.nest_service("/vendor/echarts", cors.layer(assets(echarts)));
    }
    let router = match &dirs.www {
        Some(www) => router.fallback_service(site(www)),
        None => router.fallback(|| async { not_found("/") }),
    };
    router.layer(axum::middleware::from_fn(headers::apply))
}

/// A folder of built assets: precompressed `.br`/`.gz` siblings are preferred when accepted.
fn assets(dir: &Path) -> ServeDir<tower::util::ServiceFn<NotFoundFn>> {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(tower::service_fn(missing as NotFoundFn))
}

type NotFoundFn = fn(Request<Body>) -> std::future::Ready<Result<Response<Body>, Infallible>>;

fn missing(req: Request<Body>) -> std::future::Ready<Result<Response<Body>, Infallible>> {
    std::future::ready(Ok(not_found(req.uri().path())))
}

/// The `www` root: hand-written pages, styles and scripts (not precompressed, so compressed on
/// the fly), with the SPA fallback.
fn site(www: &Path) -> Router {
    let index = www.join("index.html");
    let spa = tower::service_fn(move |req: Request<Body>| {
        let index = index.clone();
        async move {
            let path = req.uri().path();
            if path == "/api" || path.starts_with("/api/") || Path::new(path).extension().is_some()
            {
                return Ok::<_, Infallible>(not_found(path));
            }
            Ok(ServeFile::new(index)
                .oneshot(req)
                .await
                .map(|r| r.map(Body::new))
                .unwrap_or_else(|e| match e {}))
        }
    });
    let serve = ServeDir::new(www).fallback(spa);
    // Ranges are served as they are: a partial body is never compressed.
    let compressible = DefaultPredicate::new().and(full_body as FullBodyFn);
    Router::new()
        .fallback_service(serve)
        .layer(CompressionLayer::new().compress_when(compressible))
}

type FullBodyFn = fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool;

fn full_body(status: StatusCode, _: Version, _: &HeaderMap, _: &Extensions) -> bool {
    status == StatusCode::OK
}

/// 404 for a path with no file: the contract's error shape under `/api`, plain text elsewhere.
fn not_found(path: &str) -> Response<Body> {
    if path == "/api" || path.starts_with("/api/") {
        return AppError::not_found("no such endpoint").into_response();
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}
