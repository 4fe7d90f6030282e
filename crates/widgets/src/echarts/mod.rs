//! Our ECharts binding and the `<EChart>` component built on it.
//!
//! - [`EChartsModule`] finds ECharts (injected namespace or `globalThis.echarts`).
//! - [`EChartsHandle`] owns one instance: init on an element (shadow DOM included), `setOption`,
//!   resize from a `ResizeObserver` once per animation frame, events, theme switch, dispose on drop.
//! - [`EChart`] wires a reactive option to a handle; unmounting disposes the instance.
//! - [`SlidingWindow`] + [`EChartsHandle::push_window`]: streaming append with a bounded window
//!   per series, sending only the series data (see [`stream`]).
//! - Line and area series with more than four points per pixel column are drawn decimated
//!   ([M4](crate::charts::m4)), picked again on resize, zoom and new data (`decimate.rs`).
//! - Charts created together (a dashboard's data arriving) are created over several tasks once
//!   one task has spent [`pace::BUDGET_MS`] on them, and charts updated together (a live tick)
//!   once it has spent [`pace::UPDATE_BUDGET_MS`] ([`pace`]), so no long task blocks input; the
//!   answer to the viewer's own change (a filter, a cross-filter) updates them all at once.
//! - A chart whose data arrives while it is more than half a viewport away from the view is
//!   created when it comes that near (an `IntersectionObserver`), or at once when an export or
//!   printing needs it (`view.rs`): on a phone most of a dashboard is below the fold.
//!
//! ```ignore
//! view! { <EChart option=option label="Validations per minute" /> }
//! ```

mod binding;
mod decimate;
mod handle;
mod layout;
pub mod loader;
pub mod pace;
mod registry;
pub mod stream;
mod view;

pub use binding::{EChartsInstance, EChartsModule, Renderer};
pub use handle::{EChartsHandle, Merge};
pub use registry::{ChartRef, ChartRegistry};
pub use stream::{streaming_line_option, SlidingWindow};

use std::sync::Arc;

use crate::charts::Chart;
use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::WidgetError;

/// Context value that tells every `<EChart>` below it which ECharts to use.
/// Without it, charts use `globalThis.echarts` (waiting for the page's loader, see [`loader`]).
#[derive(Clone, Debug)]
pub struct EChartsContext(pub SendWrapper<EChartsModule>);

/// Makes `module` the ECharts used by charts rendered under the current owner.
pub fn provide_echarts(module: EChartsModule) {
    provide_context(EChartsContext(SendWrapper::new(module)));
}

/// The ECharts to draw with; `Ok(None)` while the page's loader is still loading it.
fn current_module() -> Result<Option<EChartsModule>, WidgetError> {
    match use_context::<EChartsContext>() {
        Some(ctx) => Ok(Some((*ctx.0).clone())),
        None => loader::request(),
    }
}

/// Converts a serializable value (a chart option, a theme, an event's payload) into a plain JS
/// value: written as JSON text by serde_json, read back by the browser's `JSON.parse`.
///
/// serde_json is the serializer the client already carries for every request body, so each
/// type's `Serialize` is compiled for that one serializer. serde-wasm-bindgen's, used here
/// before, built the object with a JS call per field and is about twice as fast for a series of
/// 1,000 points inlined in an option (0.29 against 0.57 ms in Chromium; the same for an option
/// of 60 points, 0.03 against 0.05 ms), but it compiled a second `Serialize` of every option
/// type: 4–7 KB brotli of each wasm module that draws charts (BENCHMARKS.md, "App first load").
/// Series over [`crate::charts::large::LARGE_THRESHOLD`] points do not go through here (one
/// `Float64Array` each). Like serde-wasm-bindgen's JSON-compatible mode, `None` becomes `null`
/// and maps become plain objects; a NaN or infinite number becomes `null`, which ECharts reads
/// as a missing value, as it does NaN.
///
/// # Errors
/// When the value cannot be written as JSON (a map whose keys are not strings or numbers).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, WidgetError> {
    let text = serde_json::to_string(value).map_err(|e| WidgetError::Data(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| WidgetError::Data("not valid JSON".into()))
}

/// A JS value as a `T` (a host's option or method argument, a chart click's value): written
/// out by the browser's `JSON.stringify` and read with serde_json's slice deserialiser, the
/// copy of each type's `Deserialize` that response bodies already compile — not
/// serde-wasm-bindgen's, which compiled another. `undefined` reads as `null` (so as `None` for
/// an `Option`); what JSON cannot hold reads as JSON writes it (a function or `undefined`
/// property is left out, `NaN` is `null`, a `Date` its ISO text). For small values, not bulk
/// data.
///
/// # Errors
/// serde_json's message, without a position, when the value does not have `T`'s shape (it
/// names the field and what was expected); the browser's message when `JSON.stringify`
/// refuses the value (a cycle, a `BigInt`).
pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    let text = if value.is_undefined() {
        String::from("null")
    } else {
        match js_sys::JSON::stringify(value) {
            // `JSON.stringify` answers `undefined` for a function or a symbol.
            Ok(text) => text.as_string().ok_or("not a JSON value (a function?)")?,
            // A cycle or a BigInt (a `TypeError`), or whatever a `toJSON` method threw.
            Err(refused) => {
                let message = refused
                    .dyn_ref::<js_sys::Error>()
                    .map_or_else(|| format!("{refused:?}"), |e| String::from(e.message()));
                return Err(format!("not a JSON value: {message}"));
            }
        }
    };
    serde_json::from_slice(text.as_bytes()).map_err(|e| without_position(e).to_string())
}

/// serde_json's error without its " at line … column …": the position is in text the caller
/// never wrote (JSON written for them).
pub fn without_position(error: serde_json::Error) -> serde_json::Error {
    let message = error.to_string();
    let message = message
        .rfind(" at line ")
        .map_or(message.as_str(), |at| &message[..at]);
    serde::de::Error::custom(message)
}

/// What the user clicked on in a chart.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartClick {
    #[serde(default)]
    pub series_name: Option<String>,
    /// The category or item name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub data_index: Option<u32>,
    #[serde(default)]
    pub value: serde_json::Value,
}

impl ChartClick {
    /// What ECharts' click `params` say. Only these four fields are read: the params' `event`
    /// holds zrender's element tree, which is not data (and has cycles).
    fn from_params(params: &JsValue) -> Self {
        let get = |key: &str| js_sys::Reflect::get(params, &key.into()).unwrap_or_default();
        let index = get("dataIndex").as_f64();
        let value = get("value");
        Self {
            series_name: get("seriesName").as_string(),
            name: get("name").as_string(),
            data_index: index
                .filter(|i| i.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(i))
                .map(|i| i as u32),
            // The clicked item's value: a number, a category, or an array of both.
            value: from_js(&value).unwrap_or_default(),
        }
    }
}

/// Renders an ECharts chart that follows `option` reactively.
///
/// The element fills its parent; give the parent a size. The chart is disposed when the
/// component unmounts.
#[component]
pub fn EChart(
    /// The chart option. The first one is drawn as it is; later ones (new data, live updates)
    /// are merged in ([`Merge::Update`]) so legend selection, tooltip, zoom and a click in
    /// progress survive.
    #[prop(into)]
    option: Signal<Arc<Chart>>,
    /// Name of a theme registered with ECharts; changing it restyles without losing data.
    #[prop(into, optional)]
    theme: MaybeProp<String>,
    /// Accessible name of the chart.
    #[prop(into, optional)]
    label: MaybeProp<String>,
    /// Called when a data item is clicked.
    #[prop(optional)]
    on_click: Option<Callback<ChartClick>>,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    let slot = registry::Slot::default();
    // Exports reach this chart through the registry of the view it is in, if any.
    if let Some(charts) = use_context::<ChartRegistry>() {
        charts.register(&slot);
    }
    let handle = StoredValue::new_local(slot);
    let (error, set_error) = signal(None::<String>);
    // Bumped when drawing was deferred to a later task (see `pace`).
    let paced = RwSignal::new(0u32);
    // The option and theme on screen, so a deferred draw that finds them drawn already (a
    // newer option was drawn meanwhile) does nothing.
    let drawn = StoredValue::new_local(None::<OnScreen>);

    // A chart far below the fold is created when it comes near the view, not when its data
    // arrives (see `view`).
    let lazy = StoredValue::new_local(Lazy::default());

    let drawer = Drawer {
        handle,
        drawn,
        paced,
        on_click,
        set_error,
    };
    // Redraws from a later microtask (the effect below).
    let rerun = move || {
        paced.try_update(|n| *n += 1);
    };

    // Effect: synchronises the reactive option/theme with the ECharts instance.
    Effect::new(move |_| {
        let chart = option.get();
        let current_theme = theme.get();
        paced.track();
        let Some(element) = node.get() else { return };
        let created = handle
            .try_with_value(|slot| slot.borrow().is_some())
            .unwrap_or(false);
        let (near, watching) = lazy.with_value(|l| (l.near, l.watch.is_some()));
        // Once a chart waits, its observer reports when it comes near: a live update while it
        // waits only keeps the latest option, without reading the layout again.
        if !created && !near && (watching || !view::is_near(&element)) {
            // Far out of view: drawn when it comes near (or at once for an export or print).
            lazy.try_update_value(|l| l.latest = Some((chart.clone(), current_theme.clone())));
            if !watching {
                let on_near = move || {
                    lazy.try_update_value(|l| l.near = true);
                    rerun();
                };
                let draw_now = move || {
                    let latest = lazy.try_update_value(|l| {
                        l.near = true;
                        l.latest.take()
                    });
                    if let (Some(element), Some(Some((chart, theme)))) =
                        (node.get_untracked(), latest)
                    {
                        drawer.draw(element, chart, theme, false);
                        rerun();
                    }
                };
                match view::Watch::new(&element, on_near, draw_now) {
                    Ok(w) => lazy.update_value(|l| l.watch = Some(w)),
                    // No IntersectionObserver: drawn now, as before.
                    Err(_) => drawer.draw(element, chart, current_theme, true),
                }
            }
            return;
        }
        // Drawn from now on, even if the pacer defers it and the page scrolls away meanwhile.
        // (Dropping the watch here is not from the observer's callback: effects run in a later
        // microtask.)
        lazy.update_value(|l| {
            l.near = true;
            l.watch = None;
            l.latest = None;
        });
        drawer.draw(element, chart, current_theme, true);
    });

    on_cleanup(move || {
        lazy.try_update_value(|l| l.watch = None);
        let chart = handle.try_with_value(|slot| slot.borrow_mut().take());
        drop(chart);
    });

    view! {
        // ECharts writes its generated data description into the chart element's aria-label;
        // the accessible name goes on the figure around it.
        <div class="vt-echart-wrap" role="figure" aria-label=move || label.get()>
            <div class="vt-echart" node_ref=node></div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        // A chart library that did not load can be tried again: the reader
                        // gets a sentence in their language and Retry; the technical detail
                        // (which file, why) stays in the tooltip.
                        if loader::failed() {
                            view! {
                                <div class="vt-widget-error" role="alert" title=message>
                                    {crate::messages::t(crate::messages::Msg::ChartLibraryDidNotLoad)}
                                    <button
                                        type="button"
                                        class="vt-button"
                                        on:click=move |_| loader::retry()
                                    >
                                        {crate::messages::t(crate::messages::Msg::Retry)}
                                    </button>
                                </div>
                            }
                                .into_any()
                        } else {
                            view! {
                                <div class="vt-widget-error" role="alert">
                                    {message}
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}

/// The option and theme a chart was last drawn with.
type OnScreen = (Arc<Chart>, Option<String>);

/// A chart waiting to come near the view (`view`).
#[derive(Default)]
struct Lazy {
    /// It has come near (or was drawn for an export or print): drawn from now on.
    near: bool,
    /// Watching for it to come near, while it waits.
    watch: Option<view::Watch>,
    /// The newest option and theme it waits with.
    latest: Option<OnScreen>,
}

/// What drawing one `<EChart>` needs (all of it `Copy` handles), so the drawing code exists once
/// for the effect and for an export or printing that draws a waiting chart at once.
#[derive(Clone, Copy)]
struct Drawer {
    handle: StoredValue<registry::Slot, LocalStorage>,
    drawn: StoredValue<Option<OnScreen>, LocalStorage>,
    paced: RwSignal<u32>,
    on_click: Option<Callback<ChartClick>>,
    set_error: WriteSignal<Option<String>>,
}

impl Drawer {
    /// Draws `chart` with `theme` unless they are on screen already; with `paced_draw` the
    /// pacer may put it off to a later task (an export or printing draws at once). Not inlined:
    /// it is called from three places and is most of the component's code.
    #[inline(never)]
    fn draw(
        self,
        element: web_sys::HtmlDivElement,
        chart: Arc<Chart>,
        theme: Option<String>,
        paced_draw: bool,
    ) {
        let Self {
            handle,
            drawn,
            paced,
            on_click,
            set_error,
        } = self;
        crate::styles::ensure_installed(&element);
        let up_to_date = drawn.with_value(|on_screen| {
            on_screen
                .as_ref()
                .is_some_and(|(c, t)| Arc::ptr_eq(c, &chart) && *t == theme)
        });
        if up_to_date {
            return;
        }
        let retry = move || {
            paced.try_update(|n| *n += 1);
        };
        let outcome = handle.try_with_value(|slot| -> Result<bool, WidgetError> {
            let mut slot = slot.borrow_mut();
            let mut merge = Merge::Replace;
            let chart_handle = match &mut *slot {
                Some(existing) => {
                    // Several charts updated in one task would make one long task (except
                    // for the answer to the viewer's own change: `pace::draw_together`).
                    if paced_draw && !pace::may_update(retry) {
                        return Ok(false);
                    }
                    existing.set_theme(theme.clone())?;
                    merge = Merge::Update;
                    existing
                }
                None => {
                    // Still loading: this effect runs again when it has arrived.
                    let Some(module) = current_module()? else {
                        return Ok(false);
                    };
                    // Several charts created in one task would make one long task.
                    if paced_draw && !pace::may_draw(pace::BUDGET_MS, retry) {
                        return Ok(false);
                    }
                    let mut created = EChartsHandle::new(
                        module,
                        element.into(),
                        theme.clone(),
                        Renderer::Canvas,
                    )?;
                    if let Some(callback) = on_click {
                        created.on("click", move |params| {
                            callback.run(ChartClick::from_params(&params));
                        });
                    }
                    slot.insert(created)
                }
            };
            chart_handle.apply(to_js(chart.as_ref())?, merge)?;
            Ok(true)
        });
        if let Some(Ok(true)) = outcome {
            drawn.set_value(Some((chart, theme)));
        }
        set_error.set(outcome.and_then(Result::err).map(|e| e.to_string()));
    }
}
