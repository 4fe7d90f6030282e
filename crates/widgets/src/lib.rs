//! # vantage-widgets
//!
//! The visual vocabulary of Vantage dashboards: Leptos components that take data and options
//! as props or signals and render them. Components never fetch; the SDK's store owns IO.
//!
//! Charts render with Apache ECharts through [`echarts`], a small binding of our own: charming's
//! `WasmRenderer` looks its target up by element id, uses a global `echarts` and offers no
//! `dispose`, events or `resize`, none of which an embeddable widget can live without. We still
//! use charming to build typed chart options, which serialize straight into JS objects.

pub mod charts;
pub mod echarts;
pub mod error;
pub mod state;
pub mod styles;
pub mod theme;

pub use charts::line::{line_chart_option, LineChart};
pub use echarts::{
    provide_echarts, to_js, ChartClick, EChart, EChartsHandle, EChartsModule, Merge, Renderer,
};
pub use error::WidgetError;
pub use state::WidgetState;
pub use theme::{Mode, Rgb, Theme, ThemeError};
