//! Static serving as browsers and caches meet it: validators and 304, ranges, precompressed
//! brotli/gzip chosen by `Accept-Encoding`, immutable caching of hashed names, CORS on `/pkg` and
//! `/vendor` for embed origins only, the pages' CSP, and the SPA fallback. The server runs with
//! real folders this test writes (the `.br`/`.gz` siblings hold marker bytes, so the body shows
//! which file was chosen).

mod common;

use common::Server;
use std::path::Path;

const ALLOWED: &str = "http://embed-host.test:5173";
const HASHED_JS: &str = "vantage_app.0123456789abcdef.js";

struct Site {
    server: Server,
    _dir: tempfile::TempDir,
}

fn write(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let www = root.join("www");
    write(&www.join("index.html"), "<!doctype html><title>app</title>");
    write(
        &www.join("gallery.html"),
        "<!doctype html><title>gallery</title>",
    );
    write(
        &www.join("vantage.css"),
        &"body { color: var(--vt-text); }\n".repeat(200),
    );
    let app = root.join("app");
    write(&app.join(HASHED_JS), "export const app = 'plain';");
    write(&app.join(format!("{HASHED_JS}.br")), "BROTLI");
    write(&app.join(format!("{HASHED_JS}.gz")), "GZIP");
    write(&app.join("boot.js"), "import './x.js';");
    let pkg = root.join("pkg");
    write(&pkg.join("vantage_embed.js"), "0123456789abcdefghij");
    let echarts = root.join("echarts");
    write(&echarts.join("echarts.min.js"), "globalThis.echarts = {};");
    let arg = |p: &Path| p.to_str().unwrap().to_owned();
    let (www, app, pkg, echarts) = (arg(&www), arg(&app), arg(&pkg), arg(&echarts));
    let server = Server::start(&[
        "--www",
        &www,
        "--app-dir",
        &app,
        "--pkg-dir",
        &pkg,
        "--echarts-dir",
        &echarts,
        "--demo-origin",
        ALLOWED,
        "--events-per-sec",
        "0",
    ]);
    Site { server, _dir: dir }
}

fn get(site: &Site, path: &str, headers: &[(&str, &str)]) -> ureq::Response {
    request(site, "GET", path, headers)
}

fn request(site: &Site, method: &str, path: &str, headers: &[(&str, &str)]) -> ureq::Response {
    let mut req = site
        .server
        .agent()
        .request(method, &format!("{}{path}", site.server.base));
    for (name, value) in headers {
        req = req.set(name, value);
    }
    match req.call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    }
}

fn body(r: ureq::Response) -> String {
    r.into_string().unwrap()
}

#[test]
fn static_files_follow_the_http_caching_and_negotiation_rules() {
    let site = site();

    // Validators: a repeated request with the ETag gets 304 and keeps the cache headers.
    let first = get(&site, "/pkg/vantage_embed.js", &[]);
    assert_eq!(first.status(), 200);
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    assert!(first.header("last-modified").is_some());
    let etag = first.header("etag").expect("ETag").to_owned();
    assert_eq!(body(first), "0123456789abcdefghij");
    let again = get(&site, "/pkg/vantage_embed.js", &[("If-None-Match", &etag)]);
    assert_eq!(again.status(), 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("cache-control"), Some("no-cache"));
    assert_eq!(body(again), "");
    // A stale tag is not a match, even when the date alone would say "not modified".
    let stale = get(
        &site,
        "/pkg/vantage_embed.js",
        &[
            ("If-None-Match", "\"stale\""),
            ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        ],
    );
    assert_eq!(stale.status(), 200);

    // Range: a slice with Content-Range, under the same full-file ETag.
    let part = get(&site, "/pkg/vantage_embed.js", &[("Range", "bytes=10-13")]);
    assert_eq!(part.status(), 206);
    assert_eq!(part.header("content-range"), Some("bytes 10-13/20"));
    assert_eq!(part.header("etag"), Some(etag.as_str()));
    assert_eq!(body(part), "abcd");

    // Precompressed siblings by Accept-Encoding, with Vary, each with its own tag.
    let app = format!("/app/{HASHED_JS}");
    let br = get(&site, &app, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br
        .header("vary")
        .unwrap()
        .to_lowercase()
        .contains("accept-encoding"));
    assert_eq!(
        br.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let br_tag = br.header("etag").unwrap().to_owned();
    assert_eq!(body(br), "BROTLI");
    let gz = get(&site, &app, &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_ne!(gz.header("etag").unwrap(), br_tag);
    assert_eq!(body(gz), "GZIP");
    let plain = get(&site, &app, &[]);
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.header("content-type").unwrap().contains("javascript"));
    assert_eq!(body(plain), "export const app = 'plain';");
    // Unhashed names are revalidated.
    let boot = get(&site, "/app/boot.js", &[]);
    assert_eq!(boot.header("cache-control"), Some("no-cache"));
    // Hand-written www files are compressed on the fly.
    let css = get(&site, "/vantage.css", &[("Accept-Encoding", "gzip")]);
    assert_eq!(css.header("content-encoding"), Some("gzip"));
    assert!(css
        .header("vary")
        .unwrap()
        .to_lowercase()
        .contains("accept-encoding"));
    assert!(get(&site, "/missing.js", &[]).status() == 404);
}

#[test]
fn pkg_and_vendor_carry_cors_for_embed_origins_only() {
    let site = site();
    for path in ["/pkg/vantage_embed.js", "/vendor/echarts/echarts.min.js"] {
        let allowed = get(&site, path, &[("Origin", ALLOWED)]);
        assert_eq!(allowed.status(), 200);
        assert_eq!(
            allowed.header("access-control-allow-origin"),
            Some(ALLOWED),
            "{path}"
        );
        assert!(allowed
            .header("vary")
            .unwrap()
            .to_lowercase()
            .contains("origin"));
        let other = get(&site, path, &[("Origin", "http://evil.test")]);
        assert_eq!(other.status(), 200);
        assert_eq!(other.header("access-control-allow-origin"), None, "{path}");
    }
    let preflight = request(
        &site,
        "OPTIONS",
        "/pkg/vantage_embed.js",
        &[
            ("Origin", ALLOWED),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert!(preflight.status() < 300);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(ALLOWED)
    );
    // The app bundle is same-origin only.
    let app = get(&site, "/app/boot.js", &[("Origin", ALLOWED)]);
    assert_eq!(app.header("access-control-allow-origin"), None);
}

#[test]
fn pages_get_a_strict_csp_and_app_routes_fall_back_to_the_app() {
    let site = site();
    for path in [
        "/",
        "/index.html",
        "/dashboards/healthco-ai-quality",
        "/login",
    ] {
        let page = get(&site, path, &[]);
        assert_eq!(page.status(), 200, "{path}");
        let csp = page.header("content-security-policy").unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{path}: {csp}"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("cache-control"), Some("no-cache"));
        assert_eq!(body(page), "<!doctype html><title>app</title>", "{path}");
    }
    let gallery = get(&site, "/gallery.html", &[]);
    let csp = gallery
        .header("content-security-policy")
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"));
    // A missing asset is a 404, not the app; an unknown API path keeps the error shape.
    assert_eq!(get(&site, "/app/missing.js", &[]).status(), 404);
    assert_eq!(get(&site, "/pkg/missing.wasm", &[]).status(), 404);
    let api = get(&site, "/api/v2/nothing", &[]);
    assert_eq!(api.status(), 404);
    let error: serde_json::Value = api.into_json().unwrap();
    assert_eq!(error["error"]["code"], "not_found");
}
