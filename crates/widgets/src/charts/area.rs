//! Area charts: line charts with filled areas, stacked unless `options.stacked` is `false`.

use crate::charts::Chart;
use serde_json::Value;
use vantage_contract::QueryResult;

use super::line::series_chart_option;
use crate::WidgetError;

/// Builds the area chart option.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed or has no numeric column to plot.
pub fn area_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    series_chart_option(result, options, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    #[test]
    fn areas_stack_by_default_and_can_overlap() {
        let result = QueryResult::new(
            vec![
                Column::new("minute", ColumnType::Timestamp),
                Column::new("a", ColumnType::Integer),
                Column::new("b", ColumnType::Integer),
            ],
            vec![vec![json!(0)], vec![json!(1)], vec![json!(2)]],
        )
        .unwrap();
        let o = serde_json::to_value(area_chart_option(&result, &json!({})).unwrap()).unwrap();
        assert_eq!(o["series"][0]["stack"], "total");
        assert!(o["series"][1]["areaStyle"].is_object());
        let o =
            serde_json::to_value(area_chart_option(&result, &json!({"stacked": false})).unwrap())
                .unwrap();
        assert!(o["series"][0].get("stack").is_none());
    }

    #[test]
    fn a_category_missing_from_a_bucket_is_zero_in_a_stack_and_a_gap_in_overlapping_lines() {
        // `time, type, count`: no HALLUCINATION row in the second hour.
        let result = QueryResult::new(
            vec![
                Column::new("hour", ColumnType::Timestamp),
                Column::new("type", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![
                    json!(0),
                    json!(0),
                    json!(3_600_000),
                    json!(7_200_000),
                    json!(7_200_000),
                ],
                vec![
                    json!("CALCULATION"),
                    json!("HALLUCINATION"),
                    json!("CALCULATION"),
                    json!("CALCULATION"),
                    json!("HALLUCINATION"),
                ],
                vec![json!(4), json!(2), json!(5), json!(1), json!(3)],
            ],
        )
        .unwrap();
        let ys = |options: Value| {
            let o = serde_json::to_value(area_chart_option(&result, &options).unwrap()).unwrap();
            assert_eq!(o["series"][1]["name"], "HALLUCINATION");
            o["series"][1]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|point| point[1].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ys(json!({})), vec![json!(2.0), json!(0.0), json!(3.0)]);
        assert_eq!(
            ys(json!({"stacked": false})),
            vec![json!(2.0), json!("-"), json!(3.0)]
        );
    }
}
