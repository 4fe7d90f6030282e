//! Cross-filtering: a click on a datum of one widget filters the other widgets of the dashboard
//! on that value. Pure rules, tested natively; the store keeps a [`CrossFilterSet`] and sends it
//! with every data request (`crossFilters`), the server applies each cross-filter to every widget
//! except the one clicked.
//!
//! - [`selection`] turns a click (bar, pie slice, heatmap cell, table row, time-series point)
//!   into a [`CrossFilter`]: equality filters on the clicked dimension values, and for a time
//!   bucket its window `[t, t + granularity)`.
//! - [`CrossFilterSet::toggle`]: one cross-filter per widget; clicking the same value again
//!   clears it, another value of the same widget replaces it.
//! - [`CrossFilterSet::to_param`] / [`CrossFilterSet::from_param`]: the app's URL form.
//!
//! ```
//! use vantage_contract::{CrossFilter, Filter};
//! use vantage_sdk::crossfilter::{CrossFilterSet, Toggled};
//! let pick = CrossFilter { widget_id: "intents".into(), filters: vec![Filter::eq("intent", "billing")], time_window: None };
//! let mut set = CrossFilterSet::default();
//! assert_eq!(set.toggle(pick.clone()), Toggled::Added);
//! assert_eq!(set.toggle(pick), Toggled::Cleared);
//! assert!(set.is_empty());
//! ```

use serde_json::Value;
use vantage_contract::query::TIME_COLUMN;
use vantage_contract::{
    ColumnType, CrossFilter, Filter, QueryResult, TimeRange, Widget, WidgetKind,
};
use vantage_widgets::ChartClick;

/// What [`CrossFilterSet::toggle`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggled {
    /// The widget had no cross-filter; now it has this one.
    Added,
    /// The widget's other selection was replaced.
    Replaced,
    /// The same selection was clicked again: removed.
    Cleared,
}

/// The active cross-filters, at most one per widget, in the order they were set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrossFilterSet {
    items: Vec<CrossFilter>,
}

impl CrossFilterSet {
    /// A set holding `items` (later items for the same widget win).
    pub fn new(items: Vec<CrossFilter>) -> Self {
        let mut set = Self::default();
        for item in items {
            set.items.retain(|c| c.widget_id != item.widget_id);
            set.items.push(item);
        }
        set
    }

    /// Sets `pick` as its widget's cross-filter, or clears it when it is already the one set.
    pub fn toggle(&mut self, pick: CrossFilter) -> Toggled {
        match self
            .items
            .iter()
            .position(|c| c.widget_id == pick.widget_id)
        {
            Some(i) if self.items[i] == pick => {
                self.items.remove(i);
                Toggled::Cleared
            }
            Some(i) => {
                self.items[i] = pick;
                Toggled::Replaced
            }
            None => {
                self.items.push(pick);
                Toggled::Added
            }
        }
    }

    /// Removes widget `widget_id`'s cross-filter; `false` when it had none.
    pub fn remove(&mut self, widget_id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|c| c.widget_id != widget_id);
        self.items.len() != before
    }

    /// Removes every cross-filter.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The cross-filters, oldest first.
    pub fn items(&self) -> &[CrossFilter] {
        &self.items
    }

    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether widget `widget_id`'s data is narrowed by a cross-filter (one set by another
    /// widget).
    pub fn affects(&self, widget_id: &str) -> bool {
        self.items.iter().any(|c| c.widget_id != widget_id)
    }

    /// The URL form: the cross-filters as compact JSON (empty string when none).
    pub fn to_param(&self) -> String {
        if self.items.is_empty() {
            return String::new();
        }
        serde_json::to_string(&self.items).unwrap_or_default()
    }

    /// Parses [`Self::to_param`]'s form; anything malformed is dropped (a hand-edited link
    /// must not break the page), as is an item that fails [`CrossFilter::validate`].
    pub fn from_param(param: &str) -> Self {
        let items: Vec<CrossFilter> = serde_json::from_slice(param.as_bytes()).unwrap_or_default();
        Self::new(items.into_iter().filter(|c| c.validate().is_ok()).collect())
    }
}

/// The cross-filter without the filters on `locked` fields (locked embed filters win); `None`
/// when nothing is left.
pub fn without_locked(mut pick: CrossFilter, locked: &[Filter]) -> Option<CrossFilter> {
    pick.filters
        .retain(|f| !locked.iter().any(|l| l.field == f.field));
    (!pick.filters.is_empty() || pick.time_window.is_some()).then_some(pick)
}

/// A short text for a chip: `intent: billing`, several values joined with ` · `; a time
/// window's part is left to the caller (it needs the viewer's locale), see [`window_of`].
pub fn values_label(pick: &CrossFilter) -> String {
    pick.filters
        .iter()
        .map(|f| {
            let value = f
                .operands()
                .iter()
                .map(|v| vantage_contract::result::value_text(v))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {value}", f.field)
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The `(from, to)` of a cross-filter's time window.
pub fn window_of(pick: &CrossFilter) -> Option<(i64, i64)> {
    match pick.time_window {
        Some(TimeRange {
            from: Some(from),
            to: Some(to),
            ..
        }) => Some((from, to)),
        _ => None,
    }
}

/// The cross-filter a click on `widget` (showing `result`) selects; `None` for kinds and
/// clicks that select nothing (a gauge, a KPI, a scatter point, a click beside the data).
///
/// Bars, pie slices and category lines select the value of their first column; a time-series
/// point selects its bucket (and, in a pivoted series, the series' value); a heatmap cell its x
/// and y values; a table row (`click.data_index` = the row in `result`) the values of its
/// dimension columns.
pub fn selection(widget: &Widget, click: &ChartClick, result: &QueryResult) -> Option<CrossFilter> {
    let query = widget.query.as_ref()?;
    let bucket = query.granularity.map(|g| g.ms());
    let mut pick = Pick::new(result, bucket);
    match widget.kind {
        WidgetKind::Bar | WidgetKind::Pie => {
            let row = click
                .data_index
                .map(|i| i as usize)
                .filter(|&i| label_at(result, 0, i).as_deref() == click.name.as_deref());
            match row {
                Some(row) => pick.column_row(0, row),
                None => pick.column_label(0, click.name.as_deref()?),
            }
        }
        WidgetKind::Line | WidgetKind::Area => {
            let time = click_time(click);
            match (time, bucket) {
                (Some(t), Some(_)) => pick.window_at(t),
                _ => pick.column_label(0, click.name.as_deref()?),
            }
            let series = widget.options.get("series").and_then(Value::as_str);
            if let (Some(field), Some(name)) = (series, click.series_name.as_deref()) {
                if let Some(column) = result.columns.iter().position(|c| c.name == field) {
                    pick.column_label(column, name);
                }
            }
        }
        WidgetKind::Heatmap => {
            let Value::Array(cell) = &click.value else {
                return None;
            };
            for (column, index) in [(0, cell.first()), (1, cell.get(1))] {
                let index = index.and_then(Value::as_u64)? as usize;
                let categories = vantage_widgets::charts::heatmap::categories(result, column);
                pick.column_label(column, categories.get(index)?);
            }
        }
        WidgetKind::Table => {
            let row = click.data_index? as usize;
            for (column, c) in result.columns.iter().enumerate() {
                if c.name == TIME_COLUMN || query.dimensions.contains(&c.name) {
                    pick.column_row(column, row);
                }
            }
        }
        _ => return None,
    }
    pick.finish(&widget.id)
}

/// Builds a cross-filter from the values picked out of a result.
struct Pick<'a> {
    result: &'a QueryResult,
    bucket: Option<i64>,
    filters: Vec<Filter>,
    window: Option<(i64, i64)>,
}

impl<'a> Pick<'a> {
    fn new(result: &'a QueryResult, bucket: Option<i64>) -> Self {
        Self {
            result,
            bucket,
            filters: Vec::new(),
            window: None,
        }
    }

    /// The value of `column` in `row`: a time bucket becomes a window, anything else an
    /// equality filter (a null selects nothing: `= NULL` matches no row).
    fn column_row(&mut self, column: usize, row: usize) {
        let Some(value) = self.result.data.get(column).and_then(|d| d.get(row)) else {
            return;
        };
        let Some(meta) = self.result.columns.get(column) else {
            return;
        };
        if value.is_null() {
            return;
        }
        if meta.name == TIME_COLUMN && meta.column_type == ColumnType::Timestamp {
            if let Some(t) = value.as_i64() {
                self.window_at(t);
            }
            return;
        }
        if !self.filters.iter().any(|f| f.field == meta.name) {
            self.filters
                .push(Filter::eq(meta.name.clone(), value.clone()));
        }
    }

    /// The value of `column` whose text is `label` (so a number stays a number).
    fn column_label(&mut self, column: usize, label: &str) {
        let row = self.result.data.get(column).and_then(|d| {
            d.iter()
                .position(|v| vantage_contract::result::value_text(v) == label)
        });
        if let Some(row) = row {
            self.column_row(column, row);
        }
    }

    fn window_at(&mut self, t: i64) {
        if let Some(size) = self.bucket {
            self.window = Some((t, t + self.bucket_length(t, size)));
        }
    }

    /// The length of the bucket starting at `t`: the nominal `size`, unless the result's next
    /// bucket starts within a tenth of it (days of 23 or 25 hours in a time zone with daylight
    /// saving, months of 28 to 31 days), which is then the bucket's true end.
    fn bucket_length(&self, t: i64, size: i64) -> i64 {
        let column = self
            .result
            .columns
            .iter()
            .position(|c| c.name == TIME_COLUMN && c.column_type == ColumnType::Timestamp);
        let next = column
            .and_then(|c| self.result.data.get(c))
            .and_then(|times| {
                times
                    .iter()
                    .filter_map(Value::as_i64)
                    .filter(|&n| n > t)
                    .min()
            });
        match next {
            Some(n) if (n - t - size).abs() <= size / 10 => n - t,
            _ => size,
        }
    }

    fn finish(self, widget_id: &str) -> Option<CrossFilter> {
        if self.filters.is_empty() && self.window.is_none() {
            return None;
        }
        Some(CrossFilter {
            widget_id: widget_id.to_owned(),
            filters: self.filters,
            time_window: self.window.map(|(f, t)| TimeRange::absolute(f, t)),
        })
    }
}

fn label_at(result: &QueryResult, column: usize, row: usize) -> Option<String> {
    result
        .data
        .get(column)?
        .get(row)
        .map(vantage_contract::result::value_text)
}

/// The epoch-ms time a click carries (`[t, y]` points, or a numeric category name).
fn click_time(click: &ChartClick) -> Option<i64> {
    let plausible = |ms: f64| (1e11..1e14).contains(&ms).then_some(ms as i64);
    let from_value = match &click.value {
        Value::Array(items) => items.first().and_then(Value::as_f64),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn widget(kind: &str, query: Value, options: Value) -> Widget {
        serde_json::from_value(json!({
            "id": "w1", "kind": kind, "title": "W",
            "position": {"x": 0, "y": 0, "w": 6, "h": 3}, "query": query, "options": options
        }))
        .unwrap()
    }

    fn result(columns: Value, data: Value) -> QueryResult {
        serde_json::from_value(json!({ "columns": columns, "data": data })).unwrap()
    }

    fn click(
        series: Option<&str>,
        name: Option<&str>,
        index: Option<u32>,
        value: Value,
    ) -> ChartClick {
        serde_json::from_value(
            json!({"seriesName": series, "name": name, "dataIndex": index, "value": value}),
        )
        .unwrap()
    }

    fn pick(widget: &str, filters: Vec<Filter>) -> CrossFilter {
        CrossFilter {
            widget_id: widget.into(),
            filters,
            time_window: None,
        }
    }

    #[test]
    fn clicking_the_same_value_twice_clears_it_and_another_value_replaces_it() {
        let billing = pick("intents", vec![Filter::eq("intent", "billing")]);
        let claims = pick("intents", vec![Filter::eq("intent", "claims")]);
        let status = pick("status", vec![Filter::eq("status", "INVALID")]);
        let mut set = CrossFilterSet::default();
        assert_eq!(set.toggle(billing.clone()), Toggled::Added);
        assert_eq!(set.toggle(status.clone()), Toggled::Added);
        assert_eq!(set.toggle(claims.clone()), Toggled::Replaced);
        assert_eq!(set.items(), &[claims.clone(), status.clone()]);
        assert_eq!(set.toggle(claims), Toggled::Cleared);
        assert_eq!(set.items(), &[status]);
        assert!(set.affects("intents"));
        assert!(
            !set.affects("status"),
            "a widget is not filtered by its own selection"
        );
        assert!(set.remove("status"));
        assert!(!set.remove("status"));
        assert!(set.is_empty());
    }

    #[test]
    fn the_url_form_round_trips_and_bad_links_are_dropped() {
        let mut set = CrossFilterSet::default();
        set.toggle(pick("intents", vec![Filter::eq("intent", "a&b=c")]));
        set.toggle(CrossFilter {
            widget_id: "by-status".into(),
            filters: vec![Filter::eq("status", "OK")],
            time_window: Some(TimeRange::absolute(1_000, 3_601_000)),
        });
        let param = set.to_param();
        assert_eq!(CrossFilterSet::from_param(&param), set);
        assert_eq!(CrossFilterSet::default().to_param(), "");
        assert!(CrossFilterSet::from_param("").is_empty());
        assert!(CrossFilterSet::from_param("[{\"widgetId\":1}]").is_empty());
        let no_selection = r#"[{"widgetId":"w"}]"#;
        assert!(CrossFilterSet::from_param(no_selection).is_empty());
    }

    #[test]
    fn locked_fields_are_taken_out_of_a_selection() {
        let locked = [Filter::eq("intent", "billing")];
        let both = pick(
            "heat",
            vec![Filter::eq("intent", "claims"), Filter::eq("model", "m1")],
        );
        let kept = without_locked(both, &locked).unwrap();
        assert_eq!(kept.filters, vec![Filter::eq("model", "m1")]);
        assert!(without_locked(pick("i", vec![Filter::eq("intent", "x")]), &locked).is_none());
    }

    #[test]
    fn a_bar_or_slice_selects_its_category_with_its_type() {
        let w = widget(
            "bar",
            json!({"dataset": "sales", "dimensions": ["units"], "measures": [{"field": "*", "agg": "count"}]}),
            json!({}),
        );
        let r = result(
            json!([{"name": "units", "type": "integer"}, {"name": "count", "type": "integer"}]),
            json!([[1, 2, 3], [10, 20, 30]]),
        );
        let got = selection(&w, &click(Some("count"), Some("2"), Some(1), json!(20)), &r).unwrap();
        assert_eq!(got.filters, vec![Filter::eq("units", 2)]);
        assert_eq!(got.widget_id, "w1");
        // Without a matching index (a sorted pie), the label finds the row.
        let got = selection(&w, &click(None, Some("3"), Some(0), json!(30)), &r).unwrap();
        assert_eq!(got.filters, vec![Filter::eq("units", 3)]);
        assert!(selection(&w, &click(None, Some("9"), None, json!(1)), &r).is_none());
    }

    #[test]
    fn a_calendar_bucket_ends_where_the_next_one_starts() {
        let day = 86_400_000;
        // Europe/Berlin days around the spring change: 23 hours, then 24; then a gap in the data.
        let starts = [1_711_753_200_000_i64, 1_711_839_600_000, 1_711_922_400_000];
        let result = QueryResult::new(
            vec![
                vantage_contract::Column::new("time", ColumnType::Timestamp),
                vantage_contract::Column::new("count", ColumnType::Integer),
            ],
            vec![
                starts.iter().map(|&t| json!(t)).collect(),
                vec![json!(1), json!(2), json!(3)],
            ],
        )
        .unwrap();
        let pick = Pick::new(&result, Some(day));
        assert_eq!(pick.bucket_length(starts[1], day), 23 * 3_600_000);
        assert_eq!(pick.bucket_length(starts[0], day), day);
        assert_eq!(
            pick.bucket_length(starts[2], day),
            day,
            "the last bucket: nominal"
        );
        let sparse = Pick::new(&result, Some(3_600_000));
        assert_eq!(
            sparse.bucket_length(starts[0], 3_600_000),
            3_600_000,
            "a later bucket far away is not this one's end"
        );
    }

    #[test]
    fn a_time_series_point_selects_its_bucket_and_series() {
        let w = widget(
            "line",
            json!({"dataset": "validations", "dimensions": ["status"], "measures": [{"field": "*", "agg": "count"}], "granularity": "1h"}),
            json!({"x": "time", "series": "status", "y": "count"}),
        );
        let t = 1_700_000_000_000_i64;
        let r = result(
            json!([{"name": "time", "type": "timestamp"}, {"name": "status", "type": "string"}, {"name": "count", "type": "integer"}]),
            json!([[t, t], ["OK", "INVALID"], [5, 2]]),
        );
        let got = selection(
            &w,
            &click(Some("INVALID"), None, Some(0), json!([t, 2])),
            &r,
        )
        .unwrap();
        assert_eq!(got.time_window, Some(TimeRange::absolute(t, t + 3_600_000)));
        assert_eq!(got.filters, vec![Filter::eq("status", "INVALID")]);
    }

    #[test]
    fn a_heatmap_cell_selects_both_of_its_values() {
        let w = widget(
            "heatmap",
            json!({"dataset": "sales", "dimensions": ["region", "product"], "measures": [{"field": "units", "agg": "sum"}]}),
            json!({"x": "region", "y": "product", "value": "sum_units"}),
        );
        let r = result(
            json!([{"name": "region", "type": "string"}, {"name": "product", "type": "string"}, {"name": "sum_units", "type": "float"}]),
            json!([["EU", "US", "EU"], ["a", "b", "b"], [1, 2, 3]]),
        );
        let got = selection(&w, &click(None, None, Some(2), json!([0, 1, 3])), &r).unwrap();
        assert_eq!(
            got.filters,
            vec![Filter::eq("region", "EU"), Filter::eq("product", "b")]
        );
    }

    #[test]
    fn a_table_row_selects_its_dimension_values_and_gauges_select_nothing() {
        let query = json!({"dataset": "validations", "dimensions": ["model"],
            "measures": [{"field": "*", "agg": "count"}]});
        let w = widget("table", query.clone(), json!({}));
        let r = result(
            json!([{"name": "model", "type": "string"}, {"name": "count", "type": "integer"}]),
            json!([["m1", "m2", null], [4, 5, 6]]),
        );
        let got = selection(&w, &click(None, None, Some(1), Value::Null), &r).unwrap();
        assert_eq!(got.filters, vec![Filter::eq("model", "m2")]);
        assert!(selection(&w, &click(None, None, Some(2), Value::Null), &r).is_none());
        let gauge = widget("gauge", query, json!({}));
        assert!(selection(&gauge, &click(None, Some("m1"), Some(0), json!(1)), &r).is_none());
    }

    #[test]
    fn chip_labels_name_field_and_value() {
        let p = pick(
            "heat",
            vec![Filter::eq("region", "EU"), Filter::eq("units", 3)],
        );
        assert_eq!(values_label(&p), "region: EU · units: 3");
    }
}
