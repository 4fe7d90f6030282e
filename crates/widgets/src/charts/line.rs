//! Line charts: the first column is the x axis (a time axis when it holds timestamps, else
//! categories); every other numeric column becomes one series.

use crate::charts::Chart;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AreaStyle, LineStyle, Sampling, Trigger};
use charming::series::Line;
use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::QueryResult;

use super::common::{
    base_chart, dimension_axis, grid, has_time_axis, legend_if, number, require_measures,
    validated, value_axis,
};
use super::large::{self, LargeData, LARGE_THRESHOLD};
use super::packed;
use crate::{EChart, WidgetError};

/// Points above which a line on a category axis is downsampled (LTTB) for drawing. Time series
/// above [`LARGE_THRESHOLD`] are decimated with M4 instead, which keeps the picture exact
/// (see [`crate::charts::m4`]).
const SAMPLING_THRESHOLD: usize = 2_000;

/// The grid's right margin (px) when the x axis is a time axis: half the widest time label
/// ("12:00 PM", "Dec 31" at 12 px ≈ 52 px wide) and a little air, instead of 16.
const TIME_LABEL_ROOM: i32 = 32;

/// Builds the line chart option for `result` with default options.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed or has no numeric column to plot.
pub fn line_chart_option(result: &QueryResult) -> Result<Chart, WidgetError> {
    series_chart_option(result, &Value::Null, false)
}

/// Builds a line (or, with `area`, an area) chart option. Reads `options.stacked` (areas stack
/// by default), `options.smooth` and the number format options.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed or has no numeric column to plot.
pub fn series_chart_option(
    result: &QueryResult,
    options: &Value,
    area: bool,
) -> Result<Chart, WidgetError> {
    build(result, options, area, true)
}

/// The line chart of [`line_chart_option`] with every point inline as an `[x, y]` pair, never
/// the typed-array path: a fully JSON-serialisable option (for exports, and the benchmark's
/// "serde_json string + `JSON.parse`" route).
///
/// # Errors
/// As [`line_chart_option`].
pub fn line_chart_option_inline(result: &QueryResult) -> Result<Chart, WidgetError> {
    build(result, &Value::Null, false, false)
}

fn build(
    result: &QueryResult,
    options: &Value,
    area: bool,
    typed: bool,
) -> Result<Chart, WidgetError> {
    validated(result)?;
    // `time, category, value` rows become one series per category.
    let pivoted = super::pivot::pivot_long(result);
    let result = pivoted.as_ref().unwrap_or(result);
    let band = Band::from_options(result, options);
    let measures: Vec<usize> = require_measures(result, 1, if area { "area" } else { "line" })?
        .into_iter()
        .filter(|i| band.is_none_or(|b| *i != b.lower && *i != b.upper))
        .collect();
    let time_axis = has_time_axis(result);
    let stacked = options
        .get("stacked")
        .and_then(Value::as_bool)
        .unwrap_or(area);
    let smooth = options
        .get("smooth")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // A time axis' last label sits centred on a tick that can be the plot's right edge, and
    // `containLabel` does not make room for its right half ("04:00 AM" was cut to "04:00 A"):
    // the grid keeps that half-label's room on the right.
    let grid = if time_axis {
        grid().right(TIME_LABEL_ROOM)
    } else {
        grid()
    };
    let mut chart = base_chart(Trigger::Axis, options)
        .grid(grid)
        .x_axis(dimension_axis(result))
        .y_axis(value_axis(options));
    chart = legend_if(chart, measures.len());
    let rows = result.row_count();
    let typed_path = typed && time_axis && rows > LARGE_THRESHOLD;
    // The typed path reads whole `f64` columns (decoded from the columnar body, see `packed`);
    // the others build per-point options and read the cells.
    let xs = if typed_path {
        Vec::new()
    } else {
        result.numbers_at(0)
    };
    let x_column = typed_path.then(|| packed::f64_column(result, 0));
    for index in measures {
        let mut line = Line::new()
            .name(result.columns[index].title())
            .show_symbol(rows <= 1);
        if let Some(x_column) = &x_column {
            // The typed-array path (see `large`): one Float64Array instead of 2 × n values,
            // drawn decimated for the plot's pixel columns (`EChartsHandle::apply`).
            // The columns are read in place (shared with the decoded result, not copied).
            let ys = packed::f64_column(result, index);
            line = line.id(large::register(LargeData::Columns(x_column.clone(), ys)));
            chart = chart.series(decorate(line, smooth, area, stacked));
            continue;
        }
        let mut ys = result.numbers_at(index);
        if stacked {
            // A stack has no holes: a bucket without rows of this series (a category missing
            // from an hour of a `time, category, count` result: the pivot's null) adds nothing
            // to the stack. Left as a gap, it cut this layer and left the layers above it
            // floating over nothing.
            for y in &mut ys {
                y.get_or_insert(0.0);
            }
        }
        line = if time_axis {
            line.data(
                xs.iter()
                    .zip(&ys)
                    .map(|(x, y)| pair(*x, *y))
                    .collect::<Vec<_>>(),
            )
        } else {
            line.data(
                ys.iter()
                    .map(|y| number(*y).into())
                    .collect::<Vec<DataPoint>>(),
            )
        };
        if rows > SAMPLING_THRESHOLD {
            line = line.sampling(Sampling::Lttb);
        }
        chart = chart.series(decorate(line, smooth, area, stacked));
    }
    if let Some(band) = band {
        chart = band.add_to(chart, result, time_axis);
    }
    Ok(chart)
}

/// A confidence band (e.g. a forecast's `yhat_lower`..`yhat_upper`) from
/// `options.band: {"lower": column, "upper": column}`, drawn as a shaded area between the two.
#[derive(Debug, Clone, Copy)]
struct Band {
    lower: usize,
    upper: usize,
}

impl Band {
    fn from_options(result: &QueryResult, options: &Value) -> Option<Self> {
        let band = options.get("band")?;
        let column = |key: &str| {
            band.get(key)
                .and_then(Value::as_str)
                .and_then(|name| result.column_index(name))
        };
        Some(Self {
            lower: column("lower")?,
            upper: column("upper")?,
        })
    }

    /// Two stacked series: an invisible lower bound and the band's height, filled.
    fn add_to(self, chart: Chart, result: &QueryResult, time_axis: bool) -> Chart {
        let xs = result.numbers_at(0);
        let lows = result.numbers_at(self.lower);
        let highs = result.numbers_at(self.upper);
        let heights: Vec<Option<f64>> = lows
            .iter()
            .zip(&highs)
            .map(|(lo, hi)| hi.zip(*lo).map(|(h, l)| h - l))
            .collect();
        let points = |ys: &[Option<f64>]| -> Vec<DataPoint> {
            if time_axis {
                xs.iter().zip(ys).map(|(x, y)| pair(*x, *y)).collect()
            } else {
                ys.iter().map(|y| number(*y).into()).collect()
            }
        };
        let hidden = || LineStyle::new().opacity(0);
        chart
            .series(
                Line::new()
                    .name(result.columns[self.lower].title())
                    .stack("vt-band")
                    .show_symbol(false)
                    .line_style(hidden())
                    .silent(true)
                    .data(points(&lows)),
            )
            .series(
                Line::new()
                    .name("band")
                    .stack("vt-band")
                    .show_symbol(false)
                    .line_style(hidden())
                    .area_style(AreaStyle::new().opacity(0.18))
                    .silent(true)
                    .data(points(&heights)),
            )
    }
}

/// The series' smoothing, area fill and stacking.
fn decorate(mut line: Line, smooth: bool, area: bool, stacked: bool) -> Line {
    if smooth {
        line = line.smooth(0.3);
    }
    if area {
        line = line.area_style(AreaStyle::new().opacity(if stacked { 0.5 } else { 0.25 }));
    }
    if stacked {
        line = line.stack("total");
    }
    line
}

fn pair(x: Option<f64>, y: Option<f64>) -> DataPoint {
    DataPoint::from(CompositeValue::from(vec![number(x), number(y)]))
}

/// A line chart of a query result.
#[component]
pub fn LineChart(
    /// The data; the first column is the x axis.
    #[prop(into)]
    result: Signal<QueryResult>,
    /// Accessible name of the chart.
    #[prop(into, optional)]
    label: MaybeProp<String>,
    /// Name of a registered ECharts theme.
    #[prop(into, optional)]
    theme: MaybeProp<String>,
) -> impl IntoView {
    let option = super::built_option(move || result.with(line_chart_option));
    let chart = super::shown_option(option);
    // A memo so the chart is re-created only when the error state flips, not on every update.
    let error = Memo::new(move |_| option.with(|o| o.as_ref().err().map(ToString::to_string)));
    view! {
        <div class="vt-line-chart">
            {move || match error.get() {
                Some(message) => view! { <div class="vt-widget-error" role="alert">{message}</div> }.into_any(),
                None => view! { <EChart option=chart label=label theme=theme /> }.into_any(),
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    fn series_result() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("minute", ColumnType::Timestamp),
                Column::new("valid", ColumnType::Integer),
                Column::new("intent", ColumnType::String),
                Column::new("invalid", ColumnType::Integer),
            ],
            vec![
                vec![json!(0), json!(60_000)],
                vec![json!(10), json!(null)],
                vec![json!("a"), json!("b")],
                vec![json!(1), json!(2)],
            ],
        )
        .unwrap()
    }

    #[test]
    fn time_column_becomes_time_axis_and_numeric_columns_become_series() {
        let option = serde_json::to_value(line_chart_option(&series_result()).unwrap()).unwrap();
        assert_eq!(option["xAxis"]["type"], "time");
        let series = option["series"].as_array().unwrap();
        assert_eq!(series.len(), 2, "the string column is not plotted");
        assert_eq!(series[0]["name"], "valid");
        assert_eq!(series[0]["data"], json!([[0.0, 10.0], [60000.0, "-"]]));
        assert_eq!(series[1]["name"], "invalid");
        assert_eq!(option["aria"]["enabled"], true);
        assert!(option["legend"].is_object(), "two series get a legend");
    }

    #[test]
    fn series_are_named_by_the_field_label_and_unit_not_the_storage_name() {
        let result = QueryResult::new(
            vec![
                Column::new("time", ColumnType::Timestamp),
                Column::new("sum_cost_usd", ColumnType::Float)
                    .with_label("Cost (total)", Some("USD".into())),
                Column::new("count", ColumnType::Integer).with_label("Count", None),
            ],
            vec![vec![json!(0)], vec![json!(1.5)], vec![json!(3)]],
        )
        .unwrap();
        let option = serde_json::to_value(line_chart_option(&result).unwrap()).unwrap();
        let names: Vec<_> = option["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].clone())
            .collect();
        assert_eq!(names, [json!("Cost (total) (USD)"), json!("Count")]);
    }

    #[test]
    fn category_column_becomes_category_axis() {
        let result = QueryResult::new(
            vec![
                Column::new("intent", ColumnType::String),
                Column::new("n", ColumnType::Float),
            ],
            vec![
                vec![json!("billing"), json!("claims")],
                vec![json!(1.5), json!(2)],
            ],
        )
        .unwrap();
        let option = serde_json::to_value(line_chart_option(&result).unwrap()).unwrap();
        assert_eq!(option["xAxis"]["type"], "category");
        assert_eq!(option["xAxis"]["data"], json!(["billing", "claims"]));
        assert_eq!(option["series"][0]["data"], json!([1.5, 2.0]));
    }

    #[test]
    fn data_without_measures_is_an_error_not_an_empty_chart() {
        let result = QueryResult::new(
            vec![Column::new("intent", ColumnType::String)],
            vec![vec![json!("billing")]],
        )
        .unwrap();
        let err = line_chart_option(&result).unwrap_err();
        assert!(err.to_string().contains("numeric measure"), "{err}");
    }

    #[test]
    fn forecast_band_is_a_shaded_stack_between_bounds() {
        let result = QueryResult::new(
            vec![
                Column::new("day", ColumnType::Timestamp),
                Column::new("yhat", ColumnType::Float),
                Column::new("yhat_lower", ColumnType::Float),
                Column::new("yhat_upper", ColumnType::Float),
            ],
            vec![
                vec![json!(0), json!(1)],
                vec![json!(10), json!(12)],
                vec![json!(8), json!(9)],
                vec![json!(13), json!(null)],
            ],
        )
        .unwrap();
        let options = json!({"band": {"lower": "yhat_lower", "upper": "yhat_upper"}});
        let o =
            serde_json::to_value(series_chart_option(&result, &options, false).unwrap()).unwrap();
        let series = o["series"].as_array().unwrap();
        assert_eq!(series.len(), 3, "the measure plus the two band series");
        assert_eq!(series[0]["name"], "yhat");
        assert_eq!(series[1]["stack"], "vt-band");
        assert_eq!(series[2]["data"], json!([[0.0, 5.0], [1.0, "-"]]));
        assert!(series[2]["areaStyle"].is_object());
    }

    #[test]
    fn long_time_series_take_the_typed_array_path() {
        let n = LARGE_THRESHOLD + 1;
        let result = QueryResult::new(
            vec![
                Column::new("t", ColumnType::Timestamp),
                Column::new("v", ColumnType::Float),
            ],
            vec![
                (0..n).map(|i| json!(i)).collect(),
                (0..n).map(|i| json!(i * 2)).collect(),
            ],
        )
        .unwrap();
        let o = serde_json::to_value(line_chart_option(&result).unwrap()).unwrap();
        let id = o["series"][0]["id"].as_str().unwrap();
        assert!(o["series"][0].get("data").is_none(), "no per-point JSON");
        assert!(
            o["series"][0].get("sampling").is_none(),
            "M4 decimation when drawn, not LTTB"
        );
        let flat = large::lookup(id)
            .expect("registered")
            .points()
            .to_interleaved();
        assert_eq!(flat.len(), 2 * n);
        assert_eq!(flat[2 * n - 1], 2.0 * (n - 1) as f64);

        let inline = serde_json::to_value(line_chart_option_inline(&result).unwrap()).unwrap();
        let data = inline["series"][0]["data"].as_array().unwrap();
        assert_eq!(
            data.len(),
            n,
            "the inline variant keeps every point as JSON"
        );
        assert_eq!(data[n - 1], json!([(n - 1) as f64, 2.0 * (n - 1) as f64]));
        assert_eq!(inline["series"][0]["sampling"], "lttb");
    }
}
