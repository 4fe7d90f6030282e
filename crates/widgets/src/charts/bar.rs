//! Bar charts: column 0 is the category (or time) axis, every numeric column a series.
//! `options.horizontal` (or `options.orientation: "horizontal"`) lays bars sideways and
//! `options.stacked` stacks the series instead of grouping them.

use crate::charts::Chart;
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::Trigger;
use charming::series::Bar;
use serde_json::Value;
use vantage_contract::QueryResult;

use super::common::{
    base_chart, dimension_axis, grid, has_time_axis, legend_if, number, require_measures,
    validated, value_axis,
};
use crate::WidgetError;

/// Builds the bar chart option.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed or has no numeric measure.
pub fn bar_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    validated(result)?;
    let measures = require_measures(result, 1, "bar")?;
    let horizontal = options.get("horizontal").and_then(Value::as_bool) == Some(true)
        || options.get("orientation").and_then(Value::as_str) == Some("horizontal");
    let stacked = options.get("stacked").and_then(Value::as_bool) == Some(true);
    let time_axis = has_time_axis(result);

    let mut chart = base_chart(Trigger::Axis, options).grid(grid());
    chart = if horizontal {
        chart
            .x_axis(value_axis(options))
            .y_axis(dimension_axis(result))
    } else {
        chart
            .x_axis(dimension_axis(result))
            .y_axis(value_axis(options))
    };
    chart = legend_if(chart, measures.len());
    let xs = result.numbers_at(0);
    for index in measures {
        let ys = result.numbers_at(index);
        let data: Vec<DataPoint> = if time_axis {
            xs.iter()
                .zip(&ys)
                .map(|(x, y)| {
                    let (x, y) = (number(*x), number(*y));
                    let pair = if horizontal { vec![y, x] } else { vec![x, y] };
                    DataPoint::from(CompositeValue::from(pair))
                })
                .collect()
        } else {
            ys.iter().map(|y| number(*y).into()).collect()
        };
        let mut bar = Bar::new().name(result.columns[index].title()).data(data);
        if stacked {
            bar = bar.stack("total");
        }
        chart = chart.series(bar);
    }
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    fn by_intent() -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("intent", ColumnType::String),
                Column::new("valid", ColumnType::Integer),
                Column::new("invalid", ColumnType::Integer),
            ],
            vec![
                vec![json!("billing"), json!("claims")],
                vec![json!(5), json!(7)],
                vec![json!(1), json!(null)],
            ],
        )
        .unwrap()
    }

    #[test]
    fn vertical_grouped_by_default() {
        let o = serde_json::to_value(bar_chart_option(&by_intent(), &json!({})).unwrap()).unwrap();
        assert_eq!(o["xAxis"]["type"], "category");
        assert_eq!(o["xAxis"]["data"], json!(["billing", "claims"]));
        assert_eq!(o["yAxis"]["type"], "value");
        assert_eq!(o["series"][0]["type"], "bar");
        assert_eq!(o["series"][1]["data"], json!([1.0, "-"]));
        assert!(o["series"][0].get("stack").is_none());
    }

    #[test]
    fn horizontal_and_stacked_from_options() {
        let options = json!({"horizontal": true, "stacked": true});
        let o = serde_json::to_value(bar_chart_option(&by_intent(), &options).unwrap()).unwrap();
        assert_eq!(o["yAxis"]["type"], "category");
        assert_eq!(o["xAxis"]["type"], "value");
        assert_eq!(o["series"][0]["stack"], "total");
        assert_eq!(o["series"][1]["stack"], "total");
    }
}
