//! # vantage-app
//!
//! The Vantage dashboard app for end users: sign in, browse dashboards, watch them live. A Leptos
//! client-side-rendered app on top of `vantage-sdk` (IO, state) and `vantage-widgets` (visuals),
//! served by the reference server at `/`.

mod pages;
mod session;
mod shell;

use wasm_bindgen::prelude::*;

/// Entry point: mounts the app into `<body>` when the wasm module is initialised.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(shell::App);
}
