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
}
