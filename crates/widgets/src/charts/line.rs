//! Line charts: the first column is the x axis (a time axis when it holds timestamps, else
//! categories); every other numeric column becomes one series.

use charming::component::{Aria, Axis, Grid, Legend};
use charming::datatype::{CompositeValue, DataPoint};
use charming::element::{AxisType, Tooltip, Trigger};
use charming::series::Line;
use charming::Chart;
use leptos::prelude::*;
use vantage_contract::{ColumnType, QueryResult};

use crate::{EChart, WidgetError};

/// Builds the line chart option for `result`.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed or has no numeric column to plot.
pub fn line_chart_option(result: &QueryResult) -> Result<Chart, WidgetError> {
    result
        .validate()
        .map_err(|e| WidgetError::Data(e.to_string()))?;
    let Some(x_column) = result.columns.first() else {
        return Err(WidgetError::Data("the result has no columns".into()));
    };
    let time_axis = x_column.column_type == ColumnType::Timestamp;
    let measures: Vec<usize> = (1..result.columns.len())
        .filter(|&i| result.columns[i].column_type.is_numeric())
        .collect();
    if measures.is_empty() {
        return Err(WidgetError::Data(
            "a line chart needs at least one numeric measure column".into(),
        ));
    }

    let x_axis = if time_axis {
        Axis::new().type_(AxisType::Time)
    } else {
        Axis::new()
            .type_(AxisType::Category)
            .data(result.labels_at(0))
    };
    let mut chart = Chart::new()
        .aria(Aria::new().enabled(true))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(
            Grid::new()
                .left(48)
                .right(16)
                .top(32)
                .bottom(28)
                .contain_label(true),
        )
        .x_axis(x_axis)
        .y_axis(Axis::new().type_(AxisType::Value));
    if measures.len() > 1 {
        chart = chart.legend(Legend::new().top(0));
    }
    let xs = result.numbers_at(0);
    for index in measures {
        let ys = result.numbers_at(index);
        let data: Vec<DataPoint> = if time_axis {
            xs.iter().zip(&ys).map(|(x, y)| pair(*x, *y)).collect()
        } else {
            ys.iter().map(|y| number(*y).into()).collect()
        };
        chart = chart.series(
            Line::new()
                .name(result.columns[index].name.as_str())
                .show_symbol(false)
                .data(data),
        );
    }
    Ok(chart)
}

fn number(value: Option<f64>) -> CompositeValue {
    // ECharts draws a gap for '-' (its documented "empty value" marker).
    value.map_or_else(|| CompositeValue::from("-"), CompositeValue::from)
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
    let option = Memo::new(move |_| result.with(line_chart_option));
    let chart = Signal::derive(move || option.get().unwrap_or_default());
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
    use vantage_contract::Column;

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
}
