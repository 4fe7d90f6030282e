//! Errors a widget can show in its error state.

/// What went wrong while turning data into pixels.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WidgetError {
    /// Neither an injected ECharts module nor `globalThis.echarts` exists.
    #[error(
        "ECharts is not loaded: pass the `echarts` module in the config or load echarts.min.js before Vantage"
    )]
    EChartsMissing,
    /// ECharts threw while initialising or applying an option.
    #[error("ECharts failed: {0}")]
    ECharts(String),
    /// An image export failed.
    #[error("image export failed: {0}")]
    Export(String),
    /// An SVG export needs ECharts' SVG renderer, which this ECharts build lacks.
    #[error(
        "\"svg\" needs ECharts' SVG renderer: the dist build has it; with echarts/core add SVGRenderer to echarts.use([...])"
    )]
    SvgRendererMissing,
    /// The data does not fit the widget (e.g. no numeric measure column).
    #[error("cannot chart this data: {0}")]
    Data(String),
}
