//! `<vantage-dashboard>`: the custom element around [`EmbeddedDashboard`], defined in
//! `js/element.js` (a custom element class must be JS) and registered from here.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::EmbeddedDashboard;

#[wasm_bindgen(module = "/js/element.js")]
extern "C" {
    #[wasm_bindgen(js_name = defineVantageDashboard)]
    fn define_vantage_dashboard(tag: &str, create: &Function) -> bool;
}

/// Registers the `<vantage-dashboard base-url dashboard-id theme live>` custom element (or
/// `tag`). Give it a token through its `token` property or by answering its bubbling
/// `vantage-token-request` event (`event.detail.respondWith(tokenOrPromise)`); its events are
/// re-dispatched as `vantage-<name>` DOM events; removing it from the page destroys the embed.
/// Returns false where there is no DOM.
#[wasm_bindgen(js_name = defineElement)]
pub fn define_element(tag: Option<String>) -> bool {
    let create = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(|config: JsValue| {
        EmbeddedDashboard::new(config).map(JsValue::from)
    });
    let defined = define_vantage_dashboard(
        tag.as_deref().unwrap_or("vantage-dashboard"),
        create.as_ref().unchecked_ref(),
    );
    // The element class keeps calling the factory for the page's lifetime.
    create.forget();
    defined
}
