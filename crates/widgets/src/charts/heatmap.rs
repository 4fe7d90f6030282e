//! Heatmaps: column 0 is x, column 1 is y, the first numeric column after them the value
//! (e.g. hour × weekday × validations). Numeric dimensions are ordered numerically, text
//! dimensions in order of first appearance (so a query sorted by weekday keeps that order).

use crate::charts::Chart;
use charming::component::{Axis, VisualMap};
use charming::datatype::DataPoint;
use charming::element::{AxisType, Orient, SplitArea, Trigger};
use charming::series::Heatmap;
use serde_json::Value;
use vantage_contract::QueryResult;

use super::common::{base_chart, grid, require_measures, validated};
use crate::WidgetError;

/// Builds the heatmap option.
///
/// # Errors
/// [`WidgetError::Data`] when there are fewer than two dimension columns or no value column.
pub fn heatmap_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    validated(result)?;
    if result.columns.len() < 3 {
        return Err(WidgetError::Data(
            "a heatmap needs x and y dimension columns and a value column".into(),
        ));
    }
    let value_column = require_measures(result, 2, "heatmap")?[0];
    let xs = categories(result, 0);
    let ys = categories(result, 1);
    let x_labels = result.labels_at(0);
    let y_labels = result.labels_at(1);
    let values = result.numbers_at(value_column);
    let mut data = Vec::with_capacity(values.len());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for ((x, y), v) in x_labels.iter().zip(&y_labels).zip(&values) {
        let (Some(xi), Some(yi), Some(v)) = (
            xs.iter().position(|c| c == x),
            ys.iter().position(|c| c == y),
            v,
        ) else {
            continue;
        };
        lo = lo.min(*v);
        hi = hi.max(*v);
        data.push(vec![
            DataPoint::from(xi as f64),
            DataPoint::from(yi as f64),
            DataPoint::from(*v),
        ]);
    }
    if data.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    let axis = |labels: Vec<String>| {
        Axis::new()
            .type_(AxisType::Category)
            .data(labels)
            .split_area(SplitArea::new().show(true))
    };
    // Time buckets on the x axis read as times in the viewer's locale, not epoch numbers.
    let x_axis = if result.columns[0].column_type == vantage_contract::ColumnType::Timestamp {
        let times: Vec<f64> = result.numbers_at(0).into_iter().flatten().collect();
        let span = times.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - times.iter().copied().fold(f64::INFINITY, f64::min);
        let style = crate::format::TimeStyle::for_span(if span.is_finite() { span } else { 0.0 });
        axis(xs).axis_label(
            charming::element::AxisLabel::new().formatter(super::common::time_marker(style)),
        )
    } else {
        axis(xs)
    };
    Ok(base_chart(Trigger::Item, options)
        // No legend above (the scale sits below, under the time labels).
        .grid(grid().top(12).bottom(44))
        .x_axis(x_axis)
        // The first y category (e.g. Monday) reads at the top, like a calendar.
        .y_axis(axis(ys).inverse(true))
        .visual_map(
            VisualMap::new()
                .min(lo)
                .max(hi.max(lo + f64::EPSILON))
                .calculable(true)
                .orient(Orient::Horizontal)
                .left("center")
                .bottom(0),
        )
        .series(
            Heatmap::new()
                .name(result.columns[value_column].title())
                .data(data),
        ))
}

/// Distinct values of a dimension column in display order.
/// The distinct labels of `column` in axis order (the index a clicked cell carries).
pub fn categories(result: &QueryResult, column: usize) -> Vec<String> {
    let labels = result.labels_at(column);
    let mut distinct: Vec<String> = Vec::new();
    for label in labels {
        if !distinct.contains(&label) {
            distinct.push(label);
        }
    }
    if result.columns[column].column_type.is_numeric() {
        crate::sort::sort_by(&mut distinct, |a, b| {
            let (a, b) = (a.parse::<f64>().ok(), b.parse::<f64>().ok());
            a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    distinct
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    #[test]
    fn maps_cells_to_category_indexes_and_scales_colours() {
        let result = QueryResult::new(
            vec![
                Column::new("hour", ColumnType::Integer),
                Column::new("weekday", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!(10), json!(9), json!(10)],
                vec![json!("Mon"), json!("Tue"), json!("Tue")],
                vec![json!(5), json!(2), json!(9)],
            ],
        )
        .unwrap();
        let o = serde_json::to_value(heatmap_chart_option(&result, &json!({})).unwrap()).unwrap();
        assert_eq!(o["xAxis"]["data"], json!(["9", "10"]), "numeric x sorted");
        assert_eq!(o["yAxis"]["data"], json!(["Mon", "Tue"]));
        assert_eq!(
            o["series"][0]["data"],
            json!([[1.0, 0.0, 5.0], [0.0, 1.0, 2.0], [1.0, 1.0, 9.0]])
        );
        assert_eq!(o["visualMap"][0]["min"], 2.0);
        assert_eq!(o["visualMap"][0]["max"], 9.0);
    }
}
