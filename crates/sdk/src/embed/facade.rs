//! `EmbeddedDashboard`: the `vantage-embed` JS API. It only converts JS values to Rust and back
//! and forwards to [`Embed`]; every failure reaches JS as a `VantageError` ([`vantage_error`]).

use std::cell::RefCell;

use js_sys::{Array, Function, Promise, Reflect};
use vantage_contract::{CrossFilter, Filter, TimeRange};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::HtmlElement;

use super::config::{options_from_js, ThemeChoice};
use super::events::Emitter;
use super::mount::{Embed, ImageFormat};
use super::options::{config, filter_ops};
use crate::export::{DataFormat, ExportFile};
use crate::SdkError;

/// The JS error for `error`: an `Error` named `VantageError` with `code`, and `field`,
/// `status` and `requestId` when known (see `ERROR_CODES` and the package README).
pub fn vantage_error(error: &SdkError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("VantageError");
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&js, &key.into(), &value);
    };
    set("code", error.code().into());
    if let Some(field) = error.field() {
        set("field", field.into());
    }
    if let Some(status) = error.status() {
        set("status", status.into());
    }
    if let Some(request_id) = error.request_id() {
        set("requestId", request_id.into());
    }
    js.into()
}

/// Whether `value` is an error thrown or rejected by this package.
#[wasm_bindgen(js_name = isVantageError, skip_typescript)]
pub fn is_vantage_error(value: &JsValue) -> bool {
    value
        .dyn_ref::<js_sys::Error>()
        .is_some_and(|e| e.name() == "VantageError")
}

fn promise<F>(work: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, SdkError>> + 'static,
{
    future_to_promise(async move { work.await.map_err(|e| vantage_error(&e)) })
}

fn thrown(error: SdkError) -> JsValue {
    vantage_error(&error)
}

/// An embedded dashboard (or single widget) in a host page. See the module docs.
#[wasm_bindgen]
pub struct EmbeddedDashboard {
    embed: Embed,
}

#[wasm_bindgen]
impl EmbeddedDashboard {
    /// Checks the configuration; nothing is fetched until `render`.
    ///
    /// # Errors
    /// A `VantageError` (`code: "config"`) naming the invalid field in `field`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EmbedConfig")] config: JsValue,
    ) -> Result<EmbeddedDashboard, JsValue> {
        let emitter = Emitter::default();
        let options = options_from_js(&config, &emitter).map_err(thrown)?;
        let embed = Embed::with_emitter(options, emitter).map_err(thrown)?;
        Ok(Self { embed })
    }

    /// Renders into `container` (a CSS selector or an element). Resolves once the dashboard
    /// and its first data are loaded; rejects with a `VantageError` otherwise.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn render(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | HTMLElement")] container: JsValue,
    ) -> Promise {
        let embed = self.embed.clone();
        // A destroy() right after this call (before the promise's task runs) cancels it too.
        let generation = embed.generation();
        promise(async move {
            let host = resolve_container(&container)?;
            keep_alive(&embed);
            let outcome = embed.render_asked_at(&host, generation).await;
            if embed.store().is_err() {
                // Destroyed (or never mounted): nothing to keep alive.
                release(&embed);
            }
            outcome.map(|()| JsValue::UNDEFINED)
        })
    }

    /// Adds an event handler (`ready`, `rendered`, `error`, `filtersChanged`, `dataClick`,
    /// `liveStatus`, `tokenRefreshed`, `authExpired`) and returns a function that removes it.
    ///
    /// # Errors
    /// A `VantageError` (`code: "config"`, `field: "event"`) for an unknown event name.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, event: &str, handler: Function) -> Result<Function, JsValue> {
        let emitter = self.embed.events().clone();
        emitter.on(event, handler.clone()).map_err(thrown)?;
        let event = event.to_owned();
        // Callable any number of times (a second call finds nothing to remove); freed with the
        // JS function by the garbage collector.
        let unsubscribe = Closure::<dyn Fn()>::new(move || emitter.off(&event, &handler));
        Ok(unsubscribe.into_js_value().unchecked_into())
    }

    /// Removes an event handler.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, event: &str, handler: &Function) {
        self.embed.events().off(event, handler);
    }

    /// Changes filters. `ops` is an array of filters (replacing the viewer's filters) or of
    /// operations `{op: "set", filter}`, `{op: "remove", field}`, `{op: "clear"}`.
    /// Rejects (`code: "filterLocked"`), changing nothing, when an operation touches a filter
    /// locked by the embed token.
    #[wasm_bindgen(js_name = setFilters, unchecked_return_type = "Promise<void>")]
    pub fn set_filters(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Filter[] | FilterOp[]")] ops: JsValue,
    ) -> Promise {
        let embed = self.embed.clone();
        promise(async move {
            let items: Vec<serde_json::Value> = crate::json::from_js(&ops)
                .map_err(|e| config("filters", format!("expected an array: {e}")))?;
            embed.set_filters(filter_ops(items)?).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The filters in effect (locked first), as contract `Filter` objects.
    #[wasm_bindgen(js_name = getFilters, unchecked_return_type = "Filter[]")]
    pub fn get_filters(&self) -> Result<JsValue, JsValue> {
        let filters = self.embed.filters().map_err(thrown)?;
        vantage_widgets::to_js(&filters).map_err(|e| thrown(SdkError::Chart(e)))
    }

    /// Re-queries every widget; resolves when the new data is in.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn refresh(&self) -> Promise {
        let embed = self.embed.clone();
        promise(async move {
            embed.refresh().await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Exports data already loaded, as a `Blob`: `{ widgetId?, format: "csv" | "json" | "xlsx", bom? }`.
    /// XLSX has one sheet per widget (only the given widget with `widgetId`).
    #[wasm_bindgen(js_name = exportData, unchecked_return_type = "Promise<Blob>")]
    pub fn export_data(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportDataOptions")] options: JsValue,
    ) -> Promise {
        let embed = self.embed.clone();
        promise(async move {
            let format = string_option(&options, "format").unwrap_or_else(|| "csv".into());
            let widget_id = string_option(&options, "widgetId");
            let bom = Reflect::get(&options, &"bom".into()).is_ok_and(|v| v.is_truthy());
            // The data check comes first (its error names what is missing), then the format,
            // both before the exporters' module is fetched.
            let results = embed.widget_results(widget_id.as_deref())?;
            let format = DataFormat::parse(&format).ok_or_else(|| {
                config(
                    "format",
                    format!("expected \"csv\", \"json\" or \"xlsx\", got \"{format}\""),
                )
            })?;
            let file = crate::lazy::export(results, format, widget_id.is_some(), bom).await?;
            blob(&file)
        })
    }

    /// Exports a chart as an image `Blob`: `{ widgetId, format: "png" | "svg" }` (PNG at twice the
    /// chart's size; SVG re-rendered by ECharts' SVG renderer), on the theme's background.
    #[wasm_bindgen(js_name = exportImage, unchecked_return_type = "Promise<Blob>")]
    pub fn export_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImageOptions")] options: JsValue,
    ) -> Promise {
        let embed = self.embed.clone();
        promise(async move {
            let widget_id = string_option(&options, "widgetId")
                .ok_or_else(|| config("widgetId", "is required for exportImage"))?;
            let format = match string_option(&options, "format").as_deref() {
                None | Some("png") => ImageFormat::Png,
                Some("svg") => ImageFormat::Svg,
                Some(other) => {
                    return Err(config(
                        "format",
                        format!("expected \"png\" or \"svg\", got \"{other}\""),
                    ))
                }
            };
            blob(&embed.export_image(&widget_id, format)?)
        })
    }

    /// Switches theme at run time (`"light" | "dark" | "system" | Branding`) without reloading data.
    ///
    /// # Errors
    /// A `VantageError` naming the invalid theme field.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Theme")] theme: JsValue,
    ) -> Result<(), JsValue> {
        let choice = ThemeChoice::from_js(&theme).map_err(thrown)?;
        self.embed.set_theme(choice);
        Ok(())
    }

    /// Switches the locale (a BCP 47 tag such as `"de-DE"`): the root's `lang`, number and
    /// date formats and the UI text, without reloading data. Page-wide (see `locale`).
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, locale: String) {
        self.embed.set_locale(locale);
    }

    /// `{ filters, timeRange, crossFilters }` for deep links; feed it back to `setState`.
    #[wasm_bindgen(js_name = getState, unchecked_return_type = "EmbedState")]
    pub fn get_state(&self) -> Result<JsValue, JsValue> {
        let state = self.embed.state().map_err(thrown)?;
        let state = serde_json::json!({
            "filters": state.filters,
            "timeRange": state.time_range,
            "crossFilters": state.cross_filters,
        });
        vantage_widgets::to_js(&state).map_err(|e| thrown(SdkError::Chart(e)))
    }

    /// Restores `{ filters?, timeRange?, crossFilters? }` from `getState`; resolves when the
    /// data is in.
    #[wasm_bindgen(js_name = setState, unchecked_return_type = "Promise<void>")]
    pub fn set_state(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EmbedState")] state: JsValue,
    ) -> Promise {
        let embed = self.embed.clone();
        promise(async move {
            embed.store()?;
            let get = |key: &str| Reflect::get(&state, &key.into()).unwrap_or(JsValue::UNDEFINED);
            let filters: Option<Vec<Filter>> =
                crate::json::from_js(&get("filters")).map_err(|e| config("state.filters", e))?;
            let range: Option<TimeRange> = crate::json::from_js(&get("timeRange"))
                .map_err(|e| config("state.timeRange", e))?;
            let cross: Option<Vec<CrossFilter>> = crate::json::from_js(&get("crossFilters"))
                .map_err(|e| config("state.crossFilters", e))?;
            embed.set_state(filters, range, cross).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Releases everything: DOM, charts, live connection, timers, handlers.
    pub fn destroy(&self) {
        self.embed.destroy();
        release(&self.embed);
    }

    /// Number of registered event handlers (for leak checks in tests and host apps).
    #[wasm_bindgen(getter, js_name = handlerCount)]
    pub fn handler_count(&self) -> usize {
        self.embed.events().count()
    }
}

fn string_option(options: &JsValue, key: &str) -> Option<String> {
    Reflect::get(options, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

fn blob(file: &ExportFile) -> Result<JsValue, SdkError> {
    let parts = Array::of1(&js_sys::Uint8Array::from(file.bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(file.mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map(Into::into)
        .map_err(|_| SdkError::Browser("cannot create a Blob".into()))
}

fn resolve_container(container: &JsValue) -> Result<HtmlElement, SdkError> {
    if let Some(selector) = container.as_string() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| config("container", "no document: render() must run in a browser"))?;
        let found = document.query_selector(&selector).ok().flatten();
        return found
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            .ok_or_else(|| config("container", format!("container '{selector}' not found")));
    }
    container
        .clone()
        .dyn_into::<HtmlElement>()
        .map_err(|_| config("container", "must be a CSS selector or an HTMLElement"))
}

thread_local! {
    /// Rendered embeds, kept alive until `destroy()`.
    ///
    /// A host commonly writes `const dash = new EmbeddedDashboard(…); await dash.render(…)` at
    /// the top of a module and never touches `dash` again. The engine may then collect the JS
    /// wrapper, and wasm-bindgen's finaliser would drop the embed under the user's eyes (its
    /// requests aborted, its DOM emptied). A rendered embed therefore lives until `destroy()`,
    /// which is also the documented way to release it.
    static RENDERED: RefCell<Vec<Embed>> = const { RefCell::new(Vec::new()) };
}

fn keep_alive(embed: &Embed) {
    RENDERED.with(|r| {
        let mut rendered = r.borrow_mut();
        if !rendered.iter().any(|kept| kept.same(embed)) {
            rendered.push(embed.clone());
        }
    });
}

fn release(embed: &Embed) {
    RENDERED.with(|r| r.borrow_mut().retain(|kept| !kept.same(embed)));
}
