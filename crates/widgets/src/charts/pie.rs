//! Pie and donut charts: column 0 names the slices, the first numeric column sizes them, and
//! labels show each slice's share in percent (names are in the legend). `options.donut: true` cuts the centre out.

use crate::charts::Chart;
use charming::component::{Legend, LegendType};
use charming::element::{Label, LabelPosition, Trigger};
use charming::series::Pie;
use serde_json::Value;
use vantage_contract::QueryResult;

use super::common::{base_chart, require_measures, validated};
use crate::WidgetError;

/// Builds the pie (or donut) chart option.
///
/// # Errors
/// [`WidgetError::Data`] when the result is malformed, has no numeric measure or holds
/// negative values (which a pie cannot show).
pub fn pie_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    validated(result)?;
    let measure = require_measures(result, 1, "pie")?[0];
    let names = result.labels_at(0);
    let values = result.numbers_at(measure);
    if values.iter().flatten().any(|v| *v < 0.0) {
        return Err(WidgetError::Data(format!(
            "a pie chart cannot show negative values ({})",
            result.columns[measure].title()
        )));
    }
    let slices: Vec<(f64, String)> = values
        .into_iter()
        .zip(names)
        .filter_map(|(value, name)| value.map(|v| (v, name)))
        .collect();
    let donut = options.get("donut").and_then(Value::as_bool) == Some(true);
    let radius: charming::datatype::CompositeValue = if donut {
        vec!["38%", "72%"].into()
    } else {
        "72%".into()
    };
    // Names go in the legend and percentages inside the slices, so narrow cards never
    // truncate labels.
    let legend = Legend::new().type_(LegendType::Scroll).top(0);
    Ok(base_chart(Trigger::Item, options).legend(legend).series(
        Pie::new()
            .name(result.columns[measure].title())
            .radius(radius)
            .center(vec!["50%", "56%"])
            .avoid_label_overlap(true)
            // `{d}` is ECharts' computed percentage; labels are drawn on the canvas as text.
            .label(
                Label::new()
                    .position(LabelPosition::Inside)
                    .formatter("{d}%"),
            )
            .data(
                slices
                    .iter()
                    .map(|(v, n)| (*v, n.as_str()))
                    .collect::<Vec<_>>(),
            ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    fn shares(values: Vec<Value>) -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("status", ColumnType::String),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!("valid"), json!("invalid"), json!("timeout")],
                values,
            ],
        )
        .unwrap()
    }

    #[test]
    fn slices_carry_names_and_percent_labels() {
        let result = shares(vec![json!(80), json!(15), json!(null)]);
        let o = serde_json::to_value(pie_chart_option(&result, &json!({"donut": true})).unwrap())
            .unwrap();
        let series = &o["series"][0];
        assert_eq!(series["type"], "pie");
        assert_eq!(series["radius"], json!(["38%", "72%"]));
        assert_eq!(series["label"]["formatter"], "{d}%");
        assert_eq!(
            series["data"],
            json!([{"value": 80.0, "name": "valid"}, {"value": 15.0, "name": "invalid"}])
        );
    }

    #[test]
    fn negative_values_are_an_error() {
        let result = shares(vec![json!(1), json!(-2), json!(3)]);
        assert!(pie_chart_option(&result, &json!({})).is_err());
    }
}
