//! Drill-down targets: which raw rows sit behind a clicked chart datum.
//!
//! A click on a time-series point narrows the window to that point's time bucket; a click on a
//! category (bar, pie slice, series of a pivoted line) adds an equality filter on the dimension it
//! stands for. The widget's own filters and the dashboard's current filters always apply.

use vantage_contract::{CrossFilter, Filter, TimeRange, Widget};
use vantage_widgets::ChartClick;

/// The rows to show for a click: dataset, window and filters.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillTarget {
    pub dataset: String,
    pub from: i64,
    pub to: i64,
    pub filters: Vec<Filter>,
    /// What the rows are, for the page heading ("By status — INVALID").
    pub title: String,
}

impl DrillTarget {
    /// The app URL of the drill-down page for this target.
    pub fn url(&self, back: &str) -> String {
        let filters = serde_json::to_string(&self.filters).unwrap_or_else(|_| "[]".into());
        format!(
            "/drill?dataset={}&from={}&to={}&filters={}&title={}&back={}",
            enc(&self.dataset),
            self.from,
            self.to,
            enc(&filters),
            enc(&self.title),
            enc(back)
        )
    }
}

fn enc(s: &str) -> String {
    // Percent-encodes everything outside the unreserved set (RFC 3986).
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A timestamp (epoch ms) carried by a click, if the datum is a point in time.
fn click_time(click: &ChartClick) -> Option<i64> {
    let plausible = |ms: f64| (1e12..1e14).contains(&ms).then_some(ms as i64);
    let from_value = match &click.value {
        serde_json::Value::Array(items) => items.first().and_then(serde_json::Value::as_f64),
        other => other.as_f64(),
    };
    from_value.and_then(plausible).or_else(|| {
        click
            .name
            .as_deref()?
            .parse::<f64>()
            .ok()
            .and_then(plausible)
    })
}

/// Where a click on `widget` leads, given the dashboard's window `(from, to)` and its current
/// filters. `None` when the widget has no query behind it.
pub fn drill_target(
    widget: &Widget,
    click: &ChartClick,
    window: (i64, i64),
    dashboard_filters: &[Filter],
) -> Option<DrillTarget> {
    let query = widget.query.as_ref()?;
    let mut filters = query.filters.clone();
    filters.extend(dashboard_filters.iter().cloned());
    let (mut from, mut to) = window;
    let mut title = widget.title.clone();
    let measures: Vec<String> = query.measures.iter().map(|m| m.output_name()).collect();
    let dimension = query.dimensions.first();
    match (query.granularity, click_time(click)) {
        (Some(granularity), Some(time)) => {
            from = time;
            to = time + granularity.ms();
            // In a pivoted time series each series is one value of the dimension.
            if let (Some(dim), Some(series)) = (dimension, click.series_name.as_ref()) {
                if !measures.contains(series) {
                    filters.push(Filter::eq(dim.clone(), series.clone()));
                    title = format!("{title} — {series}");
                }
            }
        }
        _ => {
            if let (Some(dim), Some(name)) = (dimension, click.name.as_ref()) {
                if !name.is_empty() && !measures.contains(name) {
                    filters.push(Filter::eq(dim.clone(), name.clone()));
                    title = format!("{title} — {name}");
                }
            }
        }
    }
    Some(DrillTarget {
        dataset: query.dataset.clone(),
        from,
        to,
        filters,
        title,
    })
}

/// `target` narrowed by the dashboard's cross-filters: their filters on fields the widget's
/// dataset has (the ones not in `unapplied`), and their time windows. The widget's own
/// selection counts: drilling from a clicked widget shows the rows behind the selection.
pub fn with_cross_filters(
    mut target: DrillTarget,
    cross: &[CrossFilter],
    unapplied: &[String],
) -> DrillTarget {
    for pick in cross {
        for filter in &pick.filters {
            let applies = !unapplied.contains(&filter.field);
            let present = target.filters.iter().any(|f| f == filter);
            if applies && !present {
                target.filters.push(filter.clone());
                let value = filter
                    .value
                    .as_ref()
                    .map(vantage_contract::result::value_text)
                    .unwrap_or_default();
                target.title = format!("{} — {value}", target.title);
            }
        }
        if let Some(TimeRange {
            from: Some(from),
            to: Some(to),
            ..
        }) = pick.time_window
        {
            target.from = target.from.max(from);
            target.to = target.to.min(to).max(target.from);
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn widget(query: serde_json::Value) -> Widget {
        serde_json::from_value(json!({
            "id": "w", "kind": "line", "title": "By status",
            "position": {"x": 0, "y": 0, "w": 6, "h": 3}, "query": query
        }))
        .unwrap()
    }

    fn click(series: Option<&str>, name: Option<&str>, value: serde_json::Value) -> ChartClick {
        serde_json::from_value(json!({"seriesName": series, "name": name, "value": value})).unwrap()
    }

    #[test]
    fn a_time_series_point_narrows_to_its_bucket_and_series() {
        let w = widget(json!({"dataset": "validations", "dimensions": ["status"],
            "measures": [{"field": "*", "agg": "count"}], "granularity": "1h",
            "filters": [{"field": "intent", "op": "eq", "value": "billing"}]}));
        let t = 1_700_000_000_000_i64;
        let target = drill_target(
            &w,
            &click(Some("INVALID"), None, json!([t, 12])),
            (0, 2_000_000_000_000),
            &[Filter::eq("model", "m1")],
        )
        .unwrap();
        assert_eq!((target.from, target.to), (t, t + 3_600_000));
        assert_eq!(target.dataset, "validations");
        assert_eq!(
            target.filters,
            vec![
                Filter::eq("intent", "billing"),
                Filter::eq("model", "m1"),
                Filter::eq("status", "INVALID")
            ]
        );
        assert_eq!(target.title, "By status — INVALID");
    }

    #[test]
    fn a_measure_series_adds_no_dimension_filter() {
        let w = widget(json!({"dataset": "validations",
            "measures": [{"field": "latency_ms", "agg": "p95"}], "granularity": "5m"}));
        let target = drill_target(
            &w,
            &click(
                Some("p95_latency_ms"),
                None,
                json!([1_700_000_000_000_i64, 3]),
            ),
            (0, 1),
            &[],
        )
        .unwrap();
        assert!(target.filters.is_empty());
        assert_eq!(target.to - target.from, 300_000);
    }

    #[test]
    fn a_category_keeps_the_dashboard_window_and_filters_on_the_dimension() {
        let w = widget(json!({"dataset": "sales", "dimensions": ["region"],
            "measures": [{"field": "revenue", "agg": "sum"}]}));
        let target = drill_target(
            &w,
            &click(Some("sum_revenue"), Some("EMEA"), json!(1234.5)),
            (10, 20),
            &[],
        )
        .unwrap();
        assert_eq!((target.from, target.to), (10, 20));
        assert_eq!(target.filters, vec![Filter::eq("region", "EMEA")]);
    }

    #[test]
    fn cross_filters_narrow_the_rows_on_the_fields_the_dataset_has() {
        let target = DrillTarget {
            dataset: "validations".into(),
            from: 0,
            to: 10_000,
            filters: vec![Filter::eq("model", "m1")],
            title: "By intent".into(),
        };
        let cross = [
            CrossFilter {
                widget_id: "intents".into(),
                filters: vec![Filter::eq("intent", "billing")],
                time_window: None,
            },
            CrossFilter {
                widget_id: "by-status".into(),
                filters: vec![Filter::eq("region", "EU")],
                time_window: Some(TimeRange::absolute(2_000, 5_000)),
            },
        ];
        let got = with_cross_filters(target, &cross, &["region".to_owned()]);
        assert_eq!(
            got.filters,
            vec![Filter::eq("model", "m1"), Filter::eq("intent", "billing")]
        );
        assert_eq!((got.from, got.to), (2_000, 5_000));
        assert_eq!(got.title, "By intent — billing");
    }

    #[test]
    fn widgets_without_a_query_have_no_drill_down() {
        let mut w =
            widget(json!({"dataset": "sales", "measures": [{"field": "*", "agg": "count"}]}));
        w.query = None;
        assert!(drill_target(&w, &click(None, Some("x"), json!(1)), (0, 1), &[]).is_none());
    }

    #[test]
    fn urls_encode_every_part() {
        let target = DrillTarget {
            dataset: "validations".into(),
            from: 1,
            to: 2,
            filters: vec![Filter::eq("status", "A&B")],
            title: "a b".into(),
        };
        let url = target.url("/dashboards/x?range=last1h");
        assert!(url.starts_with("/drill?dataset=validations&from=1&to=2&filters=%5B%7B"));
        assert!(url.contains("A%26B"));
        assert!(url.ends_with("&title=a%20b&back=%2Fdashboards%2Fx%3Frange%3Dlast1h"));
    }
}
