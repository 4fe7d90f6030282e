//! KPI cards: one big number, its change against the previous period and a sparkline.
//!
//! The value is the last non-null value of the measure (`options.measure`, else the first
//! numeric column). The previous value comes from the `<measure>_previous` column a query with
//! `comparePrevious` returns. Whether a rise is good follows `options.goodDirection`
//! (`"up"`, the default, or `"down"` for things like latency and error counts).

use std::sync::Arc;

use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::{ColumnType, QueryResult};

use crate::charts::common::{measures, validated};
use crate::format::NumberFormat;
use crate::WidgetError;

/// Whether the change is welcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    Good,
    Bad,
    Neutral,
}

impl Sentiment {
    fn class(self) -> &'static str {
        match self {
            Sentiment::Good => "vt-kpi-delta vt-good",
            Sentiment::Bad => "vt-kpi-delta vt-bad",
            Sentiment::Neutral => "vt-kpi-delta vt-neutral",
        }
    }
}

/// Everything a KPI card shows, computed from a result.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiModel {
    /// The measure's column name.
    pub measure: String,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// `(value - previous) / |previous|`, when both exist and `previous` is not zero.
    pub change: Option<f64>,
    pub sentiment: Sentiment,
    /// The measure over time when column 0 holds timestamps (for the sparkline).
    pub trend: Vec<f64>,
}

impl KpiModel {
    /// Builds the model from a result and the widget's options.
    ///
    /// # Errors
    /// [`WidgetError::Data`] when there is no numeric measure (or `options.measure` is unknown).
    pub fn from_result(result: &QueryResult, options: &Value) -> Result<Self, WidgetError> {
        validated(result)?;
        let index = match options.get("measure").and_then(Value::as_str) {
            Some(name) => result
                .column_index(name)
                .ok_or_else(|| WidgetError::Data(format!("no column named '{name}'")))?,
            None => *measures(result, 0)
                .first()
                .ok_or_else(|| WidgetError::Data("a KPI needs a numeric measure column".into()))?,
        };
        let measure = result.columns[index].name.clone();
        let last = |column: usize| result.numbers_at(column).into_iter().rev().flatten().next();
        let value = last(index);
        let previous = result
            .column_index(&format!("{measure}_previous"))
            .and_then(last);
        let change = match (value, previous) {
            (Some(v), Some(p)) if p != 0.0 => Some((v - p) / p.abs()),
            _ => None,
        };
        let down_is_good = options.get("goodDirection").and_then(Value::as_str) == Some("down");
        let sentiment = match change {
            Some(c) if c.abs() < 1e-9 => Sentiment::Neutral,
            Some(c) if (c > 0.0) != down_is_good => Sentiment::Good,
            Some(_) => Sentiment::Bad,
            None => Sentiment::Neutral,
        };
        let trend = if result.columns[0].column_type == ColumnType::Timestamp {
            result.numbers_at(index).into_iter().flatten().collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            measure,
            value,
            previous,
            change,
            sentiment,
            trend,
        })
    }

    /// `▲ 12.5%` / `▼ 3.0%` / `0.0%`.
    pub fn change_text(&self) -> Option<String> {
        self.change.map(|c| {
            let arrow = if c > 1e-9 {
                "▲ "
            } else if c < -1e-9 {
                "▼ "
            } else {
                ""
            };
            format!("{arrow}{}%", crate::format::group(c.abs() * 100.0, 1))
        })
    }
}

/// SVG polyline points for `values` in a 100×32 box.
pub fn sparkline_points(values: &[f64]) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = 100.0 / (values.len() - 1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.2},{:.2}",
                i as f64 * step,
                30.0 - (v - lo) / span * 28.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A KPI card body: value, change and sparkline.
#[component]
pub fn KpiCard(
    /// The data (see the module docs for which columns are read).
    #[prop(into)]
    result: Signal<Arc<QueryResult>>,
    /// Widget options: `measure`, `goodDirection`, and number format options.
    #[prop(optional)]
    options: Value,
) -> impl IntoView {
    let format = NumberFormat::from_options(&options);
    let model = Memo::new(move |_| result.with(|r| KpiModel::from_result(r, &options)));
    move || match model.get() {
        Err(error) => {
            view! { <div class="vt-widget-error" role="alert">{error.to_string()}</div> }.into_any()
        }
        Ok(model) => {
            let value = model
                .value
                .map_or_else(|| "–".to_owned(), |v| format.format(v));
            let previous = model.previous.map(|p| {
                crate::messages::tf(crate::messages::Msg::VsPreviousPeriod, &[&format.format(p)])
            });
            let points = sparkline_points(&model.trend);
            let change = model.change_text().map(|text| {
                view! { <span class=model.sentiment.class()>{text}</span> }
            });
            view! {
                <div class="vt-kpi">
                    <div class="vt-kpi-value" aria-label=format!("{}: {value}", model.measure)>{value.clone()}</div>
                    <div class="vt-kpi-meta">
                        {change}
                        {previous.map(|p| view! { <span class="vt-kpi-previous">{p}</span> })}
                    </div>
                    {(!points.is_empty()).then(|| view! {
                        <svg class="vt-sparkline" viewBox="0 0 100 32" preserveAspectRatio="none" aria-hidden="true">
                            <polyline points=points.clone() />
                        </svg>
                    })}
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::Column;

    fn kpi(value: Value, previous: Value) -> QueryResult {
        QueryResult::new(
            vec![
                Column::new("p95_latency", ColumnType::Float),
                Column::new("p95_latency_previous", ColumnType::Float),
            ],
            vec![vec![value], vec![previous]],
        )
        .unwrap()
    }

    #[test]
    fn a_latency_rise_is_bad_and_a_success_rise_is_good() {
        let down = json!({"goodDirection": "down"});
        let m = KpiModel::from_result(&kpi(json!(120), json!(100)), &down).unwrap();
        assert_eq!(m.change, Some(0.2));
        assert_eq!(m.sentiment, Sentiment::Bad);
        assert_eq!(m.change_text().as_deref(), Some("▲ 20.0%"));
        let m = KpiModel::from_result(&kpi(json!(120), json!(100)), &json!({})).unwrap();
        assert_eq!(m.sentiment, Sentiment::Good);
        let m = KpiModel::from_result(&kpi(json!(80), json!(100)), &down).unwrap();
        assert_eq!(m.sentiment, Sentiment::Good);
        assert_eq!(m.change_text().as_deref(), Some("▼ 20.0%"));
    }

    #[test]
    fn no_previous_or_zero_previous_means_no_change() {
        let m = KpiModel::from_result(&kpi(json!(5), json!(0)), &json!({})).unwrap();
        assert_eq!(m.change, None);
        assert_eq!(m.sentiment, Sentiment::Neutral);
        assert_eq!(m.measure, "p95_latency");
    }

    #[test]
    fn time_series_gives_last_value_and_trend() {
        let result = QueryResult::new(
            vec![
                Column::new("time", ColumnType::Timestamp),
                Column::new("count", ColumnType::Integer),
            ],
            vec![
                vec![json!(0), json!(1), json!(2)],
                vec![json!(1), json!(3), json!(null)],
            ],
        )
        .unwrap();
        let m = KpiModel::from_result(&result, &json!({})).unwrap();
        assert_eq!(m.value, Some(3.0));
        assert_eq!(m.trend, vec![1.0, 3.0]);
        assert_eq!(sparkline_points(&m.trend), "0.00,30.00 100.00,2.00");
    }

    #[test]
    fn text_only_results_are_an_error() {
        let result = QueryResult::new(
            vec![Column::new("name", ColumnType::String)],
            vec![vec![json!("x")]],
        )
        .unwrap();
        assert!(KpiModel::from_result(&result, &json!({})).is_err());
    }
}
