//! The embed: a dashboard (or one widget) inside any element of a host page, no iframe.
//!
//! - [`mount`]: [`Embed`], the Rust core. `Embed::mount(host, EmbedOptions)` mounts a
//!   dashboard and returns an [`EmbedHandle`] (dropping it destroys the embed); intents,
//!   exports and teardown are its methods. The app's embed page uses it directly.
//! - [`facade`]: [`EmbeddedDashboard`], the `vantage-embed` JS API. It only converts JS values
//!   and forwards to [`Embed`]; every thrown or rejected error is a `VantageError`.
//! - [`events`]: the host's handlers and the one place where embed events are emitted.
//! - [`element`] defines `<vantage-dashboard>`.
//! - [`options`] / [`config`]: the options and their checks (pure), and their parsing from JS.
//! - `types`: the TypeScript declarations of the package.
//!
//! [`facade`], [`element`] and `types` are the `js-api` feature (on by default; the app turns it
//! off and uses [`Embed`] directly).
//!
//! ```js
//! import init, { EmbeddedDashboard } from "vantage-embed";
//! await init();
//! const dash = new EmbeddedDashboard({ baseUrl, dashboardId, token });
//! const off = dash.on("ready", (e) => console.log(e.name));
//! await dash.render("#analytics");
//! ```
//!
//! Lifetime: `destroy()` unmounts the view (disposing every ECharts instance and reactive
//! owner), closes the live connection, aborts requests, drops event handlers and removes the
//! embed's root element, and disposes the reactive owner that holds the store's signals (the
//! loaded data), so wasm memory is reused by the next embed. Until `destroy()` the embed keeps it.

pub mod config;
#[cfg(feature = "js-api")]
pub mod element;
pub mod events;
#[cfg(feature = "js-api")]
pub mod facade;
pub mod mount;
pub mod options;
#[cfg(feature = "js-api")]
mod types;

pub use config::ThemeChoice;
#[cfg(feature = "js-api")]
pub use element::define_element;
pub use events::{Emitter, EVENTS};
#[cfg(feature = "js-api")]
pub use facade::{vantage_error, EmbeddedDashboard};
pub use mount::{Embed, EmbedHandle, EmbedState, ImageFormat};
pub use options::{ClickBehavior, EmbedOptions};
