//! # vantage-widgets
//!
//! The visual vocabulary of Vantage dashboards: Leptos components that take data and options
//! as props or signals and render them. Components never fetch; the SDK's store owns IO.
//!
//! Charts render with Apache ECharts through [`echarts`], a small binding of our own: charming's
//! `WasmRenderer` looks its target up by element id, uses a global `echarts` and offers no
//! `dispose`, events or `resize`, none of which an embeddable widget can live without. We still
//! use charming's typed components and series to build chart options, which serialize straight
//! into JS objects; the option that holds them is our own [`charts::Chart`] (charming's links
//! the serialisation of every ECharts component and series kind into the wasm).
//!
//! The entry point for dashboards is [`WidgetView`] (one widget in a card, any kind, any state)
//! placed in a [`GridLayout`] by [`GridCell`].
//!
//! ## Where things happen
//! - **Data is loaded** elsewhere: by the SDK's `DashboardStore`, the one place that fetches a
//!   dashboard. Widgets receive a [`WidgetState`] signal and render it.
//! - **A live message changes a widget** in the SDK store (`store/apply_live.rs`), which sets the
//!   widget's [`WidgetState`]; the widget's chart follows that signal in [`EChart`]'s effect.
//! - **Embed events** are emitted by the SDK (`embed/events.rs`); widgets only report clicks
//!   through their `on_click` callbacks ([`ChartClick`]).
//! - **Chart images** are exported by the chart's own [`EChartsHandle`] (`to_png`/`to_svg`,
//!   on the theme's background), found through the view's [`ChartRegistry`].
//! - **Branding → theme** is [`Theme::for_branding`]; a light/dark/system choice becomes a
//!   [`Mode`] with [`Mode::resolve`].
//!
//! ## Large data
//! - **Line and area series** on a time axis with more than 2,000 points reach ECharts as one
//!   `Float64Array` ([`charts::large`]). When such a series has more than four points per pixel
//!   column of the plot, it is drawn decimated with M4 ([`charts::m4`]): per pixel column only
//!   the first, lowest, highest and last point, which draws the same picture as every point.
//!   The full series stays in wasm memory and the pick is redone on resize, on `datazoom` (for
//!   the visible window) and with new data, as merge-mode updates that keep legend, zoom and
//!   tooltip state. Clicks and hovers report the point's index in the full series. Smooth lines,
//!   category axes and x values that go backwards are drawn in full.
//! - **Streaming windows** ([`SlidingWindow`] + [`EChartsHandle::push_window`]) are decimated
//!   the same way on every push.
//! - **Scatter series** above 5,000 points use ECharts' `large` mode
//!   ([`charts::scatter::LARGE_SCATTER`]).

pub mod alerts;
pub mod charts;
pub mod echarts;
pub mod error;
pub mod failures;
pub mod filters;
pub mod format;
pub mod gallery;
pub mod grid;
pub mod kpi;
pub mod locale;
pub mod messages;
pub mod sort;
pub mod state;
pub mod styles;
pub mod table;
pub mod theme;
pub mod widget_view;

pub use alerts::{AlertAction, AlertBanner, AlertList};
pub use charts::line::{line_chart_option, line_chart_option_inline, LineChart};
pub use charts::{chart_option, ChartView};
pub use echarts::{
    provide_echarts, streaming_line_option, to_js, ChartClick, ChartRef, ChartRegistry, EChart,
    EChartsHandle, EChartsModule, Merge, Renderer, SlidingWindow,
};
pub use error::WidgetError;
pub use filters::{MultiSelect, StatusBadge, TextFilter, TimeRangePicker};
pub use format::NumberFormat;
pub use gallery::{mount_gallery, ThemeScope, WidgetGallery};
pub use grid::{paced, GridCell, GridLayout};
pub use kpi::{KpiCard, KpiModel};
pub use state::WidgetState;
pub use table::DataTable;
pub use theme::{Mode, Rgb, Theme, ThemeError};
pub use widget_view::WidgetView;
