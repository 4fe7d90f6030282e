//! [`Latest`]: runs a page's requests so that only the newest one can write its answer. Starting
//! a request aborts the one before it (dropping its future aborts the `fetch`, see the SDK's
//! `AbortOnDrop`), and leaving the page aborts whatever is still running — so a slow, older
//! answer never overwrites a newer one and nothing writes into a page that is gone.
//!
//! ```ignore
//! let load = Latest::new();
//! load.run(async move { items.set(Some(api.users().await)) });
//! ```

use std::future::Future;

use futures::future::{abortable, AbortHandle};
use leptos::prelude::*;

/// One stream of requests of which only the newest matters. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Latest {
    running: StoredValue<Option<AbortHandle>>,
}

impl Latest {
    /// A new stream whose running request is aborted when the owning component is cleaned up.
    pub fn new() -> Self {
        let running = StoredValue::new(None::<AbortHandle>);
        on_cleanup(move || {
            if let Some(Some(handle)) = running.try_get_value() {
                handle.abort();
            }
        });
        Self { running }
    }

    /// Aborts the running request (if any) and runs `work` instead.
    pub fn run(&self, work: impl Future<Output = ()> + 'static) {
        self.cancel();
        let (work, handle) = abortable(work);
        self.running.set_value(Some(handle));
        wasm_bindgen_futures::spawn_local(async move {
            let _ = work.await;
        });
    }

    /// Aborts the running request, if any.
    pub fn cancel(&self) {
        if let Some(Some(handle)) = self.running.try_get_value() {
            handle.abort();
        }
    }
}
