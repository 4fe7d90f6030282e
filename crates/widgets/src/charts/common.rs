//! What every chart option shares: result validation, measure columns, the safe tooltip, `aria`,
//! and formatter markers that the browser side turns into Rust-backed functions.
//!
//! ECharts formatters are JS functions, which an option built in Rust (and serialized) cannot
//! hold, and `new Function` is refused under a strict CSP. So builders put a marker string such
//! as `vt-fmt:num:axis:{...}` where a formatter goes and [`super::js::finish_option`] swaps it
//! for a `wasm-bindgen` closure that calls [`crate::format`].

use crate::charts::Chart;
use charming::component::{Aria, Axis, Grid, Legend};
use charming::datatype::CompositeValue;
use charming::element::{AxisLabel, AxisTick, AxisType, Formatter, Tooltip, Trigger};
use serde_json::Value;
use vantage_contract::columnar::ColumnStats;
use vantage_contract::{ColumnType, QueryResult};

use crate::format::{NumberFormat, NumberKind, TimeStyle};
use crate::WidgetError;

/// Prefix of every formatter marker.
pub const MARKER: &str = "vt-fmt:";

/// Checks that `result` is well-formed before any indexing.
///
/// # Errors
/// [`WidgetError::Data`] naming what is wrong.
pub fn validated(result: &QueryResult) -> Result<(), WidgetError> {
    result
        .validate()
        .map_err(|e| WidgetError::Data(e.to_string()))?;
    if result.columns.is_empty() {
        return Err(WidgetError::Data("the result has no columns".into()));
    }
    Ok(())
}

/// Indexes of numeric columns after `skip` leading dimension columns; `*_previous` comparison
/// columns are left out (they belong to KPIs).
pub fn measures(result: &QueryResult, skip: usize) -> Vec<usize> {
    (skip..result.columns.len())
        .filter(|&i| {
            let column = &result.columns[i];
            column.column_type.is_numeric()
                && column.column_type != ColumnType::Timestamp
                && !column.name.ends_with("_previous")
        })
        .collect()
}

/// Like [`measures`] but an error when there is none.
///
/// # Errors
/// [`WidgetError::Data`] when no numeric measure column exists.
pub fn require_measures(
    result: &QueryResult,
    skip: usize,
    chart: &str,
) -> Result<Vec<usize>, WidgetError> {
    let found = measures(result, skip);
    if found.is_empty() {
        return Err(WidgetError::Data(format!(
            "a {chart} chart needs at least one numeric measure column"
        )));
    }
    Ok(found)
}

/// A number, or ECharts' documented empty-value marker `'-'` (drawn as a gap).
pub fn number(value: Option<f64>) -> CompositeValue {
    value.map_or_else(|| CompositeValue::from("-"), CompositeValue::from)
}

/// Whether column 0 is a timestamp column.
pub fn has_time_axis(result: &QueryResult) -> bool {
    result
        .columns
        .first()
        .is_some_and(|c| c.column_type == ColumnType::Timestamp)
}

/// The base every chart starts from: `aria` on, a tooltip (made safe in the browser by
/// [`super::js::finish_option`]) with values formatted from `options`.
pub fn base_chart(trigger: Trigger, options: &Value) -> Chart {
    Chart::new().aria(Aria::new().enabled(true)).tooltip(
        Tooltip::new()
            .trigger(trigger)
            .value_formatter(number_marker(options, false)),
    )
}

/// The plot grid used by cartesian charts.
pub fn grid() -> Grid {
    Grid::new()
        .left(16)
        .right(16)
        .top(36)
        .bottom(12)
        .contain_label(true)
}

/// A legend when there is more than one series.
pub fn legend_if(chart: Chart, series: usize) -> Chart {
    if series > 1 {
        chart.legend(
            Legend::new()
                .top(0)
                .type_(charming::component::LegendType::Scroll),
        )
    } else {
        chart
    }
}

/// A value axis whose labels follow the widget's number format.
pub fn value_axis(options: &Value) -> Axis {
    Axis::new()
        .type_(AxisType::Value)
        .axis_label(AxisLabel::new().formatter(number_marker(options, true)))
}

/// The x axis from column 0: a time axis (labels in the viewer's locale) or categories.
pub fn dimension_axis(result: &QueryResult) -> Axis {
    if has_time_axis(result) {
        // Whole-column read (no per-cell JSON conversion for a decoded columnar body).
        let xs = super::packed::f64_column(result, 0);
        // The decoder's stats when it saw the column go by (no pass of our own: 0.6 ms natively
        // for a 1M-point column, more in wasm); worked out here for cells from a JSON body.
        let stats = xs.stats().unwrap_or_else(|| ColumnStats::of(&xs));
        let (lo, hi) = extent(&xs, &stats).unwrap_or((0.0, 0.0));
        let axis = Axis::new().type_(AxisType::Time);
        // Ticks on the viewer's zone's clock, not the browser's (see `ticks`).
        let (ticks, style) = match TimeStyle::for_span(hi - lo) {
            TimeStyle::Date => match super::ticks::date_ticks(lo, hi, crate::format::zone_offset) {
                Some((ticks, style)) => (Some(ticks), style),
                None => (None, TimeStyle::Date),
            },
            style => (
                super::ticks::time_ticks(lo, hi, crate::format::zone_offset),
                style,
            ),
        };
        let mut label = AxisLabel::new().formatter(time_marker(style));
        match ticks {
            Some(ticks) => {
                // charming's label setter adds one value (its tick setter takes them all).
                for tick in &ticks {
                    label = label.custom_values(*tick);
                }
                axis.axis_label(label)
                    .axis_tick(AxisTick::new().custom_values(ticks))
            }
            None => axis.axis_label(label),
        }
    } else {
        Axis::new()
            .type_(AxisType::Category)
            .data(result.labels_at(0))
    }
}

/// The lowest and highest of `xs` (`stats` are theirs), missing values aside; `None` when
/// every value is missing.
fn extent(xs: &[f64], stats: &ColumnStats) -> Option<(f64, f64)> {
    let at = |i: Option<usize>| i.and_then(|i| xs.get(i).copied());
    match (at(stats.low), at(stats.high)) {
        (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
        _ => None,
    }
}

/// A marker for a number formatter following `options` (`axis`: the short form).
pub fn number_marker(options: &Value, axis: bool) -> Formatter {
    let format = NumberFormat::from_options(options);
    let spec = serde_json::json!({
        "kind": match &format.kind {
            NumberKind::Number => "number",
            NumberKind::Percent => "percent",
            NumberKind::Millis => "ms",
            NumberKind::Currency(_) => "currency",
            NumberKind::Compact => "compact",
        },
        "currency": match &format.kind { NumberKind::Currency(c) => Some(c.clone()), _ => None },
        "unit": format.unit,
        "decimals": format.decimals,
    });
    let scope = if axis { "axis" } else { "full" };
    Formatter::String(format!("{MARKER}num:{scope}:{spec}"))
}

/// A marker for a time formatter in the viewer's locale and time zone.
pub fn time_marker(style: TimeStyle) -> Formatter {
    let name = match style {
        TimeStyle::Time => "time",
        TimeStyle::Date => "date",
        TimeStyle::DateTime => "datetime",
        TimeStyle::Month => "month",
    };
    Formatter::String(format!("{MARKER}time:{name}"))
}

/// Decodes a marker into a function of one number, or `None` for other strings.
pub fn decode_marker(marker: &str) -> Option<Box<dyn Fn(f64) -> String>> {
    let rest = marker.strip_prefix(MARKER)?;
    if let Some(style) = rest.strip_prefix("time:") {
        let style = match style {
            "time" => TimeStyle::Time,
            "date" => TimeStyle::Date,
            "month" => TimeStyle::Month,
            _ => TimeStyle::DateTime,
        };
        return Some(Box::new(move |ms| crate::format::format_time(ms, style)));
    }
    let rest = rest.strip_prefix("num:")?;
    let (scope, spec) = rest.split_once(':')?;
    let spec: Value = serde_json::from_slice(spec.as_bytes()).ok()?;
    let options = serde_json::json!({
        "format": spec.get("kind").and_then(Value::as_str).map(|k| if k == "number" { "" } else { k }),
        "currency": spec.get("currency"),
        "unit": spec.get("unit"),
        "decimals": spec.get("decimals"),
    });
    let format = NumberFormat::from_options(&options);
    Some(if scope == "axis" {
        Box::new(move |v| format.format_axis(v))
    } else {
        Box::new(move |v| format.format(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A time axis reads its extent from a columnar result's stats and scans a JSON one's
    /// cells: the same labels either way, missing x values aside.
    #[test]
    fn a_time_axis_is_the_same_from_stats_and_from_a_scan() {
        use std::sync::Arc;
        use vantage_contract::{columnar, Column, ColumnType};
        for (xs, style) in [
            (vec![json!(null), json!(0), json!(3_600_000)], "time"),
            (vec![json!(0), json!(null), json!(3 * 86_400_000)], "date"),
            (vec![json!(2 * 86_400_000), json!(0)], "time"),
            (vec![json!(null)], "time"),
        ] {
            let n = xs.len();
            let result = QueryResult::new(
                vec![
                    Column::new("t", ColumnType::Timestamp),
                    Column::new("v", ColumnType::Float),
                ],
                vec![xs, vec![json!(1); n]],
            )
            .unwrap();
            let decoded = columnar::decode_result(&columnar::encode_result(&result)).unwrap();
            let columnar_result = Arc::new(decoded.result);
            super::super::packed::attach(&columnar_result, decoded.numbers);
            assert!(super::super::packed::f64_column(&columnar_result, 0)
                .stats()
                .is_some());
            let scanned = serde_json::to_value(dimension_axis(&result)).unwrap();
            let from_stats = serde_json::to_value(dimension_axis(&columnar_result)).unwrap();
            assert_eq!(scanned, from_stats);
            let formatter = scanned["axisLabel"]["formatter"]
                .as_str()
                .unwrap_or_default();
            assert!(formatter.ends_with(&format!("time:{style}")), "{formatter}");
            // Dates get their ticks at the zone's midnights (UTC natively), times at round
            // times on its clock; no extent, ECharts' own.
            let ticks = &scanned["axisLabel"]["customValues"];
            assert_eq!(ticks, &scanned["axisTick"]["customValues"], "{scanned}");
            match (style, n) {
                ("date", _) => assert_eq!(
                    ticks,
                    &json!([0.0, 86_400_000.0, 172_800_000.0, 259_200_000.0])
                ),
                (_, 1) => assert!(ticks.is_null(), "{scanned}"),
                _ => assert!(
                    ticks
                        .as_array()
                        .is_some_and(|t| t.len() >= 3 && t[0] == json!(0.0)),
                    "{scanned}"
                ),
            }
        }
        let extent = |xs: &[f64]| extent(xs, &ColumnStats::of(xs));
        assert_eq!(extent(&[f64::NAN, 2.0, -1.0]), Some((-1.0, 2.0)));
        assert_eq!(extent(&[f64::NAN]), None);
    }

    #[test]
    fn markers_round_trip_to_formatters() {
        let Formatter::String(marker) = number_marker(&json!({"format": "ms"}), false) else {
            panic!("a string marker");
        };
        let f = decode_marker(&marker).expect("decodes");
        assert_eq!(f(1500.0), "1,500 ms");
        let Formatter::String(marker) =
            number_marker(&json!({"format": "currency", "currency": "EUR"}), true)
        else {
            panic!("a string marker");
        };
        assert_eq!(decode_marker(&marker).expect("decodes")(2.5), "€2.50");
        let Formatter::String(marker) = number_marker(&json!({"unit": "req/s"}), true) else {
            panic!("a string marker");
        };
        assert_eq!(
            decode_marker(&marker).expect("decodes")(25_000.0),
            "25k req/s"
        );
        assert!(decode_marker("{b}: {c}").is_none());
    }
}
