//! [`LiveProbe`]: a dashboard store exposed to JS with a callback per applied live message, so a
//! page can time "server publish → store updated" (`www/bench/live-latency.html`) or watch the
//! live path while debugging. It renders nothing.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::filters::FilterSet;
use crate::live::{LiveMode, LiveOptions};
use crate::store::DashboardStore;
use crate::{ApiClient, ClientConfig, TokenSource, TokenStore};

/// A headless dashboard store reporting each live message it applied.
#[wasm_bindgen]
pub struct LiveProbe {
    store: DashboardStore,
}

#[wasm_bindgen]
impl LiveProbe {
    /// Loads `dashboard_id` from `base_url` with `token` and follows its live stream over
    /// `transport` (`"auto" | "websocket" | "sse"`), calling `on_applied(kind, seq)` after each
    /// message was applied (alerts at once, metric rollups in their animation frame).
    ///
    /// # Errors
    /// An unknown `transport`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        base_url: &str,
        token: &str,
        dashboard_id: &str,
        transport: &str,
        on_applied: Function,
    ) -> Result<LiveProbe, JsError> {
        let mode = LiveMode::parse(transport)
            .filter(|m| *m != LiveMode::Off)
            .ok_or_else(|| {
                JsError::new(&format!(
                    "transport: expected 'auto', 'websocket' or 'sse', got '{transport}'"
                ))
            })?;
        let api = ApiClient::new(
            ClientConfig::new(base_url),
            TokenStore::new(Some(token.to_owned()), TokenSource::Static),
        );
        let store = DashboardStore::new(
            api,
            dashboard_id,
            FilterSet::default(),
            LiveOptions {
                mode,
                ..LiveOptions::default()
            },
        );
        store.on_live_applied(move |kind, seq| {
            let kind = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = on_applied.call2(
                &JsValue::NULL,
                &JsValue::from_str(&kind),
                &JsValue::from_f64(seq as f64),
            );
        });
        store.load();
        Ok(LiveProbe { store })
    }

    /// The live status name (`connecting`, `open`, `reconnecting`, …).
    pub fn status(&self) -> String {
        use leptos::prelude::GetUntracked;
        self.store.live_status().get_untracked().name().to_owned()
    }

    /// Closes the live connection and aborts requests (also on `free()`).
    pub fn close(&self) {
        self.store.close();
    }
}
