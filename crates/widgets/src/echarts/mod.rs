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
//!   one task has spent [`pace::BUDGET_MS`] on them, and charts updated together (a live tick,
//!   a cross-filter) once it has spent [`pace::UPDATE_BUDGET_MS`] ([`pace`]), so no long task
//!   blocks input.
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
use wasm_bindgen::JsValue;

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

/// Converts a serializable option into a plain JS object (no JSON string round trip).
///
/// # Errors
/// When the value cannot be represented in JS.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, WidgetError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| WidgetError::Data(e.to_string()))
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
    let drawn = StoredValue::new_local(None::<(Arc<Chart>, Option<String>)>);

    // Effect: synchronises the reactive option/theme with the ECharts instance.
    Effect::new(move |_| {
        let chart = option.get();
        let theme = theme.get();
        paced.track();
        let Some(element) = node.get() else { return };
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
                    // Several charts updated in one task would make one long task.
                    if !pace::may_draw(pace::UPDATE_BUDGET_MS, retry) {
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
                    if !pace::may_draw(pace::BUDGET_MS, retry) {
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
                            if let Ok(click) = serde_wasm_bindgen::from_value::<ChartClick>(params)
                            {
                                callback.run(click);
                            }
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
    });

    on_cleanup(move || {
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
