//! # vantage-sdk
//!
//! The engine under the `vantage-embed` npm package and the Vantage app: everything that talks
//! to a backend and keeps dashboard state. Components never do IO; this crate does.
//!
//! - [`ApiClient`]: typed REST calls with bearer tokens, timeouts, abort-on-drop, retries.
//! - [`auth::TokenStore`]: token renewal before expiry and once after a 401.
//! - [`live::LiveConnection`]: WebSocket with SSE fallback, backoff with jitter, heartbeats,
//!   pause while hidden/offline, gap-free resume (see the module docs for the semantics).
//! - [`DashboardStore`] + [`DashboardView`]: one dashboard's state as signals, and its rendering.
//!
//! ## Lifetime rules
//! A request lives as long as its future: dropping it aborts the fetch. A `LiveConnection` lives
//! as long as its value: dropping it closes the socket and removes its timers and listeners. A
//! `DashboardStore` owns its live connection and in-flight request; its signals belong to the
//! reactive owner it was created under, so unmounting the view (dropping the `mount_to` handle)
//! releases everything.

pub mod api;
pub mod auth;
pub mod embed;
pub mod error;
pub mod filters;
pub mod live;
pub mod store;
pub mod view;

pub use api::{ApiClient, ClientConfig};
pub use auth::{TokenSource, TokenStore};
pub use embed::EmbeddedDashboard;
pub use error::SdkError;
pub use filters::{FilterError, FilterOp, FilterSet};
pub use store::{DashboardStore, StoreSignals};
pub use view::DashboardView;

use wasm_bindgen::prelude::*;

/// The version of this package, as host pages see it.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
