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
//! - [`embed`]: the embed's Rust core ([`embed::Embed`]) and its thin JS façade
//!   ([`EmbeddedDashboard`]); [`export`]: CSV/JSON/XLSX files from loaded data.
//! - [`lazy`]: what the package fetches on first use (the exporters, the live transport) as
//!   separate wasm modules, with the `split` feature `cargo xtask` builds it with.
//!
//! ## Where things happen (each in one place)
//! - **A dashboard's data is loaded** by [`DashboardStore`] (`store/mod.rs`, `query`): the only
//!   writer of the store's state; views and embeds call its intents (`set_view`, `refresh`…)
//!   and await [`DashboardStore::loaded`].
//! - **A live message changes a widget** in `store/apply_live.rs`: the store applies what its
//!   [`live::LiveConnection`] delivers (patches in an animation frame, or coalesced re-queries).
//! - **An embed event is emitted** from [`embed::events`]: [`embed::events::wire`] mirrors the
//!   store into `ready`/`rendered`/`error`/`liveStatus`; clicks and filter changes go through
//!   the same [`embed::Emitter`].
//!
//! ## Features
//! `js-api` (default): the `vantage-embed` JS exports ([`EmbeddedDashboard`], `defineElement`,
//! `version`). Rust users such as the app turn it off, which keeps those exports (and all they
//! reach) out of their wasm.
//!
//! ## Development entry points
//! The `dev-entry-points` feature adds JS exports used only by this repository's pages: the
//! benchmarks' (`bench`, `LiveProbe`) and the widget gallery's (`mountGallery`). The published
//! package is built without it.
//!
//! ## Lifetime rules
//! Everything that holds a browser resource is owned by a Rust value whose `Drop` releases it;
//! nothing is registered globally, so "drop it" is always enough.
//!
//! - **A request** lives as long as its future. Dropping the future (or the value awaiting it)
//!   fires its `AbortSignal`: the `fetch` is cancelled and no answer is applied. A timeout is
//!   reported as [`SdkError::Timeout`], an abort as [`SdkError::Aborted`].
//! - **A [`live::LiveConnection`]** lives as long as its value. Dropping it (or `close()`)
//!   closes the WebSocket/EventSource and removes its reconnect and heartbeat timers and its
//!   `visibilitychange`/`online`/`offline` listeners.
//! - **A [`DashboardStore`]** (all clones) owns its in-flight request, its live connection, its
//!   coalesced-refresh timer and its pending animation frame. `close()` releases them at once;
//!   dropping the last clone does the same. Its signals belong to the reactive owner it was
//!   created under (a component, or the root of `mount_to`), so unmounting the view, i.e.
//!   dropping the `mount_to` handle, frees the signals, the charts and, with the store, every
//!   request, socket and timer.
//! - **[`EmbeddedDashboard::destroy`]** (JS `destroy()`, or dropping an [`EmbedHandle`]) closes the store, unmounts the view
//!   (disposing every ECharts instance and `ResizeObserver`), removes the root element and
//!   clears the host's event handlers. Without it the wasm memory and the live connection are
//!   kept until the page unloads.
//! - **A [`TokenStore`]** holds no browser resource; a token change (renewal) only changes the
//!   `Authorization` header of later requests and the token of the next live (re)connect: data
//!   is never reloaded and nothing re-renders because of it.
//!
//! ## Live semantics
//! - Transport: WebSocket first, Server-Sent Events when the WebSocket cannot open (or forced
//!   with `live: "websocket" | "sse" | "off"`). Status is observable: connecting, open,
//!   reconnecting (attempt, next delay), paused, closed, failed.
//! - Every message carries `(epoch, seq)`; `seq` grows by one per message of the tenant's
//!   stream within a server epoch. The connection resumes from the last applied position,
//!   drops replayed duplicates, and on a gap, an epoch change (server restart) or an explicit
//!   `reset` asks its owner to refetch the snapshot, whose own cursor then anchors the stream:
//!   no gap and no duplicate across reconnects and restarts.
//! - Reconnects back off exponentially with full jitter (1 s up to 30 s). No message for twice
//!   the heartbeat interval counts as a dead peer. A hidden page or an offline browser pauses
//!   the connection; it resumes on return. A token renewal that cannot reach the backend is
//!   retried like a connection failure; a refused one ends in `failed` (`authExpired`).
//! - The store applies metric rollups in place to the count widgets they describe exactly
//!   (time series keep a bounded sliding window) and re-queries only the other widgets,
//!   coalesced; many messages in one frame cause one update per widget
//!   ([`store::live_patch`], [`store::coalesce`]). While the connection is down, widgets keep
//!   their data and are marked stale; nothing blanks.

pub mod api;
pub mod auth;
#[cfg(feature = "dev-entry-points")]
pub mod bench;
pub mod crossfilter;
pub mod embed;
pub mod error;
pub mod export;
pub mod filters;
#[cfg(feature = "dev-entry-points")]
pub mod gallery;
pub mod json;
pub mod lazy;
pub mod live;
pub mod store;
pub mod view;

pub use api::{ApiClient, AuditFilter, ClientConfig};
pub use auth::{TokenSource, TokenStore};
#[cfg(feature = "js-api")]
pub use embed::EmbeddedDashboard;
pub use embed::{Embed, EmbedHandle, EmbedOptions};
pub use error::{SdkError, ERROR_CODES};
pub use filters::{FilterChange, FilterError, FilterSet};
pub use store::{DashboardStore, StoreError};
pub use view::DashboardView;

#[cfg(feature = "js-api")]
use wasm_bindgen::prelude::*;

/// The version of this package, as host pages see it.
#[cfg(feature = "js-api")]
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
