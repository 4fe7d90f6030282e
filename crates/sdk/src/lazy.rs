//! What the SDK fetches on first use (issue 18 item 3, "a small first load").
//!
//! With the `split` feature — how `cargo xtask` builds the `vantage-embed` package — each
//! function below is a split point (`wasm_split_helpers`' `#[wasm_split]`, re-exported by
//! Leptos as `leptos::wasm_split`): the build's split step (`xtask/src/artifacts/split.rs`)
//! moves the code only these functions reach into a wasm module of its own, which the package's
//! `__wasm_split.js` fetches (relative to itself, `new URL(…, import.meta.url)`, so bundlers
//! rewrite it like the main wasm's URL) the first time one is called. Without the feature (the
//! app, which splits by page and never calls [`export`]; the wasm tests; native builds) they are
//! plain `async` functions. A split point must be called by the build that has it: its export
//! is a root of the link, so an unused one would stay in the first module.
//!
//! A module that does not arrive (offline, a stale deploy) is [`SdkError::Network`]; nothing is
//! cached, so the next call tries again.
//!
//! - [`export`]: the CSV, JSON and XLSX exporters (the XLSX writer and its DEFLATE), used by
//!   `exportData`.
//! - [`open_live`]: the live transport (WebSocket, SSE fallback, resume, reconnects) and what
//!   applies its messages, fetched once a dashboard's first snapshot is on screen, so the first
//!   chart does not wait for it.

use std::sync::Arc;

use vantage_contract::QueryResult;

use crate::export::{export_results, DataFormat, ExportFile};
use crate::{DashboardStore, SdkError};

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for SdkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        SdkError::Network(
            "a part of vantage-embed did not load (see the browser console); try again".into(),
        )
    }
}

/// Declares a function that is a split point in module `$module` with the `split` feature and
/// a plain `async fn` without it; either way callers `.await` it.
macro_rules! on_demand {
    ($(#[$doc:meta])* $module:ident => pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)]
        pub fn $name($($arg: $ty),*) -> $ret $body

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        #[allow(clippy::unused_async)]
        pub async fn $name($($arg: $ty),*) -> $ret $body
    };
}

on_demand! {
    /// [`export_results`], in the `export` module.
    export => pub fn export(
        results: Vec<(String, Arc<QueryResult>)>,
        format: DataFormat,
        single: bool,
        bom: bool,
    ) -> Result<ExportFile, SdkError> {
        Ok(export_results(&results, format, single, bom))
    }
}

on_demand! {
    /// Opens `store`'s live connection ([`DashboardStore`]'s `open_live`), in the `live` module.
    live => pub fn open_live(store: DashboardStore) -> Result<(), SdkError> {
        store.open_live();
        Ok(())
    }
}
