//! Scatter charts: the first two numeric columns are x and y. A leading text column groups
//! the points into one series per distinct value (at most [`MAX_GROUPS`]).

use std::collections::BTreeMap;

use crate::charts::Chart;
use charming::component::Axis;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AxisType, Trigger};
use charming::series::Scatter;
use serde_json::Value;
use vantage_contract::{ColumnType, QueryResult};

use super::common::{base_chart, grid, legend_if, measures, validated, value_axis};
use super::large;
use crate::WidgetError;

/// Most series a scatter chart splits into; the rest are merged into "other".
pub const MAX_GROUPS: usize = 12;

/// Points above which a scatter series is drawn in ECharts' `large` mode (all symbols in one
/// path, <https://echarts.apache.org/en/option.html#series-scatter.large>) and reaches ECharts
/// as one typed array.
pub const LARGE_SCATTER: usize = 5_000;

/// Builds the scatter chart option.
///
/// # Errors
/// [`WidgetError::Data`] when fewer than two numeric columns exist.
pub fn scatter_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    validated(result)?;
    let grouped = result.columns[0].column_type == ColumnType::String;
    let numeric = measures(result, usize::from(grouped));
    let [x, y, ..] = numeric[..] else {
        return Err(WidgetError::Data(
            "a scatter chart needs two numeric columns (x and y)".into(),
        ));
    };
    // Whole-column reads (see `packed`); NaN marks a missing value.
    let xs = super::packed::f64_column(result, x);
    let ys = super::packed::f64_column(result, y);
    let groups = if grouped {
        result.labels_at(0)
    } else {
        vec![result.columns[y].title(); result.row_count()]
    };
    // Flat [x0, y0, x1, y1, …] per group: cheap to build, and long groups go to ECharts as
    // typed arrays (see `large`).
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((x, y), group) in xs.iter().zip(ys.iter()).zip(groups) {
        if x.is_nan() || y.is_nan() {
            continue;
        }
        let key = if series.len() >= MAX_GROUPS && !series.contains_key(&group) {
            "other".to_owned()
        } else {
            group
        };
        series.entry(key).or_default().extend([*x, *y]);
    }
    let x_axis = Axis::new()
        .type_(AxisType::Value)
        .name(result.columns[x].title())
        .scale(true);
    let mut chart = base_chart(Trigger::Item, options)
        .grid(grid())
        .x_axis(x_axis)
        .y_axis(value_axis(options).scale(true));
    chart = legend_if(chart, series.len());
    for (name, flat) in series {
        let scatter = Scatter::new().name(name).symbol_size(8);
        chart = chart.series(if flat.len() / 2 > LARGE_SCATTER {
            scatter
                .symbol_size(3)
                .id(large::register(large::LargeData::Interleaved(flat)))
        } else {
            let points: Vec<DataPoint> = flat
                .chunks_exact(2)
                .map(|p| DataPoint::from(CompositeValue::from(vec![p[0], p[1]])))
                .collect();
            scatter.data(points)
        });
    }
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::Column;

    #[test]
    fn groups_points_by_leading_text_column() {
        let result = QueryResult::new(
            vec![
                Column::new("channel", ColumnType::String),
                Column::new("latency", ColumnType::Float),
                Column::new("errors", ColumnType::Integer),
            ],
            vec![
                vec![json!("web"), json!("api"), json!("web")],
                vec![json!(120), json!(80), json!(null)],
                vec![json!(1), json!(0), json!(4)],
            ],
        )
        .unwrap();
        let o = serde_json::to_value(scatter_chart_option(&result, &json!({})).unwrap()).unwrap();
        let series = o["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["name"], "api");
        assert_eq!(series[0]["data"], json!([[80.0, 0.0]]));
        assert_eq!(
            series[1]["data"],
            json!([[120.0, 1.0]]),
            "null x is skipped"
        );
        assert_eq!(o["xAxis"]["name"], "latency");
    }

    #[test]
    fn more_than_five_thousand_points_take_the_large_path() {
        let n = LARGE_SCATTER + 1;
        let result = QueryResult::new(
            vec![
                Column::new("x", ColumnType::Float),
                Column::new("y", ColumnType::Float),
            ],
            vec![
                (0..n).map(|i| json!(i)).collect(),
                (0..n).map(|i| json!(i % 17)).collect(),
            ],
        )
        .unwrap();
        let o = serde_json::to_value(scatter_chart_option(&result, &json!({})).unwrap()).unwrap();
        let id = o["series"][0]["id"].as_str().unwrap();
        assert!(o["series"][0].get("data").is_none(), "no per-point JSON");
        assert_eq!(large::lookup(id).expect("registered").points().len(), n);
        // `finish_option` adds `large: true` in the browser (charming has no setter for it).
    }

    #[test]
    fn one_numeric_column_is_an_error() {
        let result = QueryResult::new(
            vec![Column::new("n", ColumnType::Integer)],
            vec![vec![json!(1)]],
        )
        .unwrap();
        assert!(scatter_chart_option(&result, &json!({})).is_err());
    }
}
