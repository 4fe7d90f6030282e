//! # vantage-app
//!
//! The Vantage dashboard app for end users: sign in, browse dashboards, watch them live, drill
//! down, handle alerts, brand the tenant, create embed snippets and print reports. A Leptos
//! client-side-rendered app on top of `vantage-sdk` (IO, state) and `vantage-widgets` (visuals),
//! served by the reference server at `/`.
//!
//! Role-aware: navigation and actions follow the signed-in user's permissions from the contract's
//! matrix (hidden, or disabled with the reason); the server enforces them regardless.
//!
//! Built for wasm with Leptos' type-erased views (`--cfg erase_components`, set for the wasm
//! target in `.cargo/config.toml`): components return `AnyView` and every `{move || …}` in a
//! view is boxed as one shared closure type, which keeps Leptos' generic code from being
//! copied per view (each lazily loaded page module 7–29% smaller; BENCHMARKS.md, "App first
//! load").
//! A native build (`cargo test`) does not set it; the wasm tests and the shipped wasm do.

mod brand;
mod download;
mod drill;
mod i18n;
mod lazy;
mod leave_guard;
mod pages;
mod preferences;
mod redirect;
mod request;
mod session;
mod shell;
mod toasts;

use wasm_bindgen::prelude::*;

/// Entry point: mounts the app into `<body>` when the wasm module is initialised.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(shell::App);
}
