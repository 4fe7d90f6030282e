//! Host-page event handlers (`dash.on(name, handler)`), stored by event name.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::Function;
use wasm_bindgen::JsValue;

/// The documented event names.
pub const EVENTS: [&str; 8] = [
    "ready",
    "rendered",
    "error",
    "filtersChanged",
    "dataClick",
    "liveStatus",
    "tokenRefreshed",
    "authExpired",
];

/// Registered handlers.
#[derive(Default)]
pub struct Emitter {
    handlers: RefCell<HashMap<String, Vec<Function>>>,
}

impl Emitter {
    /// Adds `handler` for `event` (an unknown name is an error naming the valid ones).
    ///
    /// # Errors
    /// When `event` is not one of [`EVENTS`].
    pub fn on(&self, event: &str, handler: Function) -> Result<(), String> {
        if !EVENTS.contains(&event) {
            return Err(format!(
                "unknown event '{event}'; expected one of {}",
                EVENTS.join(", ")
            ));
        }
        self.handlers
            .borrow_mut()
            .entry(event.to_owned())
            .or_default()
            .push(handler);
        Ok(())
    }

    /// Removes `handler` from `event` (no-op when absent).
    pub fn off(&self, event: &str, handler: &Function) {
        if let Some(list) = self.handlers.borrow_mut().get_mut(event) {
            list.retain(|h| !JsValue::from(h.clone()).loose_eq(handler));
        }
    }

    /// Calls every handler of `event` with `payload`; a throwing handler does not stop others.
    pub fn emit(&self, event: &str, payload: &JsValue) {
        let handlers = self
            .handlers
            .borrow()
            .get(event)
            .cloned()
            .unwrap_or_default();
        for handler in handlers {
            if let Err(error) = handler.call1(&JsValue::NULL, payload) {
                web_sys::console::error_2(
                    &format!("vantage-embed: a '{event}' handler threw").into(),
                    &error,
                );
            }
        }
    }

    /// Number of handlers registered (for leak checks).
    pub fn count(&self) -> usize {
        self.handlers.borrow().values().map(Vec::len).sum()
    }

    /// Drops every handler.
    pub fn clear(&self) {
        self.handlers.borrow_mut().clear();
    }
}
