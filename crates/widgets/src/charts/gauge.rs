//! Gauges: the last value of the first numeric column against `options.min`/`options.max`
//! (default 0–100, or 0–1 for ratios formatted as percent).

use crate::charts::Chart;
use charming::element::{AxisLabel, AxisTick, Pointer, SplitLine, Trigger};
use charming::series::{Gauge, GaugeDetail, GaugeProgress, GaugeTitle};
use serde_json::Value;
use vantage_contract::QueryResult;

use super::common::{base_chart, number_marker, require_measures, validated};
use crate::format::{NumberFormat, NumberKind};
use crate::WidgetError;

/// Builds the gauge option.
///
/// # Errors
/// [`WidgetError::Data`] when there is no numeric column, or `min >= max`.
pub fn gauge_chart_option(result: &QueryResult, options: &Value) -> Result<Chart, WidgetError> {
    validated(result)?;
    let column = require_measures(result, 0, "gauge")?[0];
    let value = result.numbers_at(column).into_iter().rev().flatten().next();
    let ratio = NumberFormat::from_options(options).kind == NumberKind::Percent
        && value.is_none_or(|v| v.abs() <= 1.5);
    let min = options.get("min").and_then(Value::as_f64).unwrap_or(0.0);
    let max = options
        .get("max")
        .and_then(Value::as_f64)
        .unwrap_or(if ratio { 1.0 } else { 100.0 });
    if min >= max {
        return Err(WidgetError::Data(format!(
            "gauge range is empty: min {min} must be below max {max}"
        )));
    }
    let name = result.columns[column].title();
    Ok(base_chart(Trigger::Item, options).series(
        Gauge::new()
            .name(name.as_str())
            .min(min)
            .max(max)
            .radius("90%")
            .center(("50%", "58%"))
            .progress(GaugeProgress::new().show(true).width(12).round_cap(true))
            // A KPI-style gauge: the arc and the number, no needle or tick clutter.
            .pointer(Pointer::new().show(false))
            .axis_tick(AxisTick::new().show(false))
            .split_line(SplitLine::new().show(false))
            .axis_label(AxisLabel::new().show(false))
            // The card title names the gauge.
            .title(GaugeTitle::new().show(false))
            // The number in the ring's middle (`offsetCenter`, set in the browser by
            // `js::fit_gauge_detail`): below the centre (ECharts' default) a value with a unit
            // ("543 ms") ran into the arc's ends in a short card. 20 px where it fits; the
            // chart shrinks it to the ring's hole for its size (`js::fit_gauge_numbers`).
            .detail(
                GaugeDetail::new()
                    .font_size(20)
                    .formatter(number_marker(options, false)),
            )
            .data(vec![(value.unwrap_or(min), name)]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, ColumnType};

    fn single(value: Value) -> QueryResult {
        QueryResult::new(
            vec![Column::new("success_rate", ColumnType::Float)],
            vec![vec![value]],
        )
        .unwrap()
    }

    #[test]
    fn ratio_gauges_default_to_zero_to_one() {
        let o = serde_json::to_value(
            gauge_chart_option(&single(json!(0.93)), &json!({"format": "percent"})).unwrap(),
        )
        .unwrap();
        assert_eq!(o["series"][0]["max"], 1.0);
        assert_eq!(o["series"][0]["data"][0]["value"], 0.93);
    }

    /// The number shrinks to fit the ring of a short chart and keeps 20 px where it fits.
    #[test]
    fn the_number_fits_inside_the_ring() {
        use crate::charts::js::gauge_font_size;
        // "1,125 ms" in a 300 × 110 px chart: a ring of radius 49.5 px, a hole of 67 px.
        let size = gauge_font_size(8, 300.0, 110.0);
        assert!((10.0..20.0).contains(&size), "{size}");
        assert!(8.0 * 0.65 * size <= 2.0 * (0.45 * 110.0 - 12.0) - 8.0);
        assert_eq!(gauge_font_size(8, 420.0, 280.0), 20.0);
        assert_eq!(gauge_font_size(40, 100.0, 60.0), 10.0, "never unreadable");
        assert_eq!(gauge_font_size(8, 0.0, 0.0), 20.0, "no size yet");
    }

    #[test]
    fn empty_range_is_an_error() {
        assert!(gauge_chart_option(&single(json!(5)), &json!({"min": 10, "max": 10})).is_err());
    }
}
