//! Chart widgets: contract query results in, ECharts options out.
//!
//! Each chart kind is a pure `*_option` function (tested natively); [`chart_option`] picks one
//! by [`WidgetKind`] and [`ChartView`] feeds it to [`crate::EChart`]. Builders never panic on
//! bad data: they return [`WidgetError::Data`], which the widget shows as its error state.

pub mod area;
pub mod bar;
pub mod common;
pub mod gauge;
pub mod heatmap;
pub mod js;
pub mod large;
pub mod line;
pub mod m4;
pub mod option;
pub mod packed;
pub mod pie;
pub mod pivot;
pub mod scatter;
pub mod ticks;

use std::sync::Arc;

use leptos::prelude::*;
pub use option::Chart;
use serde_json::Value;
use vantage_contract::{QueryResult, WidgetKind};

use crate::{ChartClick, EChart, WidgetError};

/// The chart option for a widget of `kind`.
///
/// # Errors
/// [`WidgetError::Data`] when the data does not fit the chart, or `kind` is not a chart.
pub fn chart_option(
    kind: WidgetKind,
    result: &QueryResult,
    options: &Value,
) -> Result<Chart, WidgetError> {
    match kind {
        WidgetKind::Line => line::series_chart_option(result, options, false),
        WidgetKind::Area => area::area_chart_option(result, options),
        WidgetKind::Bar => bar::bar_chart_option(result, options),
        WidgetKind::Pie => pie::pie_chart_option(result, options),
        WidgetKind::Scatter => scatter::scatter_chart_option(result, options),
        WidgetKind::Heatmap => heatmap::heatmap_chart_option(result, options),
        WidgetKind::Gauge => gauge::gauge_chart_option(result, options),
        other => Err(WidgetError::Data(format!("{other:?} is not a chart kind"))),
    }
}

/// Whether `kind` is drawn by ECharts.
pub fn is_chart(kind: WidgetKind) -> bool {
    !matches!(
        kind,
        WidgetKind::Kpi | WidgetKind::Table | WidgetKind::Alerts
    )
}

/// Any chart kind, following `result`; bad data shows an error message instead of a chart.
#[component]
pub fn ChartView(
    kind: WidgetKind,
    /// The data.
    #[prop(into)]
    result: Signal<Arc<QueryResult>>,
    /// The widget's options (`stacked`, `horizontal`, `donut`, `format`, `unit`, …).
    #[prop(optional)]
    options: Value,
    /// Accessible name of the chart.
    #[prop(into, optional)]
    label: MaybeProp<String>,
    /// Name of a registered ECharts theme.
    #[prop(into, optional)]
    theme: MaybeProp<String>,
    /// Called when a data item is clicked.
    #[prop(optional)]
    on_click: Option<Callback<ChartClick>>,
) -> impl IntoView {
    let option = built_option(move || result.with(|r| chart_option(kind, r, &options)));
    let chart = shown_option(option);
    // A memo so the chart is re-created only when the error state flips, not on every update.
    let error = Memo::new(move |_| option.with(|o| o.as_ref().err().map(ToString::to_string)));
    view! {
        <div class="vt-chart">
            {move || match error.get() {
                Some(message) => {
                    view! { <div class="vt-widget-error" role="alert">{message}</div> }.into_any()
                }
                None => {
                    view! { <EChart option=chart label=label theme=theme on_click=on_click.unwrap_or_else(|| Callback::new(|_| {})) /> }
                        .into_any()
                }
            }}
        </div>
    }
}

/// A chart's option, rebuilt when its data changes and shared as it is (`Arc`), never compared
/// with the previous one: comparing would cost as much as building (a large series holds every
/// point), and deriving `Clone` and `PartialEq` for it would link them for every series kind
/// (≈ 40 KB of code before wasm-opt with charming's `Chart`; issue 18 item 3).
pub(crate) fn built_option(
    build: impl Fn() -> Result<Chart, WidgetError> + Send + Sync + 'static,
) -> Memo<Result<Arc<Chart>, WidgetError>> {
    Memo::new_with_compare(move |_| build().map(Arc::new), |_, _| true)
}

/// What [`EChart`] draws: the option, or an empty chart while [`built_option`] has an error
/// (shown instead of the chart).
pub(crate) fn shown_option(option: Memo<Result<Arc<Chart>, WidgetError>>) -> Signal<Arc<Chart>> {
    Signal::derive(move || {
        option
            .with(|o| o.as_ref().ok().cloned())
            .unwrap_or_default()
    })
}
