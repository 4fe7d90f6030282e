//! # vantage-sdk
//!
//! The engine under the `vantage-embed` npm package and the Vantage app: the typed API client,
//! token lifecycle, live transport (WebSocket with SSE fallback) and the dashboard store, plus the
//! JS facade (`EmbeddedDashboard`, `<vantage-dashboard>`). Built into `pkg/` by
//! `cargo xtask demo` / `cargo xtask test` through wasm-pack.

use wasm_bindgen::prelude::*;

/// The version of this package, as host pages see it.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
