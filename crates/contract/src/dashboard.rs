//! Dashboards: a 12-column grid of widgets, each with a structured query, plus global filters.
//! Also the one-round-trip data endpoint's request and response.

use crate::validation::{FieldError, Validated};
use crate::{ApiError, Dataset, Filter, Query, QueryResult, TimeRange};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::wire::unit_enum;

/// Columns of the layout grid.
pub const GRID_COLUMNS: u32 = 12;
/// Most widgets on one dashboard.
pub const MAX_WIDGETS: usize = 50;

unit_enum! {
    /// What a widget renders. The strings are part of the contract.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum WidgetKind {
        Line,
        Area,
        Bar,
        Pie,
        Scatter,
        Heatmap,
        Gauge,
        Kpi,
        Table,
        /// The tenant's recent alerts; needs no query.
        Alerts,
    }
}

/// A widget's cell in the grid (columns `x..x+w` of 12, rows `y..y+h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// One widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Widget {
    /// Unique within the dashboard.
    pub id: String,
    pub kind: WidgetKind,
    pub title: String,
    pub position: Position,
    /// Required for every kind except `alerts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Query>,
    /// Visualization options (axis labels, stacking, thresholds, units…), free-form JSON object.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

impl Widget {
    /// The time range this widget's query runs over: the viewer's override (`view`), else the
    /// widget's own, else the dashboard's default. The one statement of the rule the server
    /// applies to `POST /dashboards/{id}/data`; the SDK's live patching and the app's
    /// drill-down use it to agree with the server.
    pub fn effective_time_range(
        &self,
        view: Option<TimeRange>,
        dashboard_default: Option<TimeRange>,
    ) -> Option<TimeRange> {
        view.or_else(|| self.query.as_ref().and_then(|q| q.time_range))
            .or(dashboard_default)
    }
}

/// Grid settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Layout {
    /// Always 12.
    #[cfg_attr(feature = "openapi", schema(minimum = 12, maximum = 12))]
    pub columns: u32,
    /// Pixel height of one grid row, 10 to 400.
    #[cfg_attr(feature = "openapi", schema(minimum = 10, maximum = 400))]
    pub row_height: u32,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            columns: GRID_COLUMNS,
            row_height: 80,
        }
    }
}

/// A stored dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub id: String,
    pub name: String,
    pub description: String,
    pub layout: Layout,
    pub widgets: Vec<Widget>,
    /// Applied to every widget whose dataset has the filter's field.
    pub filters: Vec<Filter>,
    /// Default time range for widgets whose query has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range: Option<TimeRange>,
    /// Seconds between refetches when live updates are unavailable; 0 = never.
    pub refresh_interval_sec: u32,
    /// Increments on every update; send it back with PUT (stale → 409).
    pub version: u64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `GET /api/v1/dashboards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardList {
    pub items: Vec<Dashboard>,
}

/// Body of `POST /api/v1/dashboards` and `PUT /api/v1/dashboards/{id}` (PUT needs `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardInput {
    // The bounds in the `schema` attributes are the ones `validate` checks.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    #[serde(default)]
    pub layout: Layout,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub widgets: Vec<Widget>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range: Option<TimeRange>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 86_400))]
    pub refresh_interval_sec: u32,
    /// The version the edit is based on (required for PUT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

impl DashboardInput {
    /// Checks names, grid positions, widget ids and every query against its dataset.
    ///
    /// # Errors
    /// The first invalid field, e.g. `widgets[2].query.measures[0].agg`.
    pub fn validate<'a>(&self, datasets: impl Fn(&str) -> Option<&'a Dataset>) -> Validated {
        let name_len = self.name.trim().chars().count();
        if name_len == 0 || self.name.chars().count() > 120 {
            return Err(FieldError::new("name", "must be 1 to 120 characters"));
        }
        if self.description.chars().count() > 2000 {
            return Err(FieldError::new("description", "at most 2000 characters"));
        }
        if self.layout.columns != GRID_COLUMNS || !(10..=400).contains(&self.layout.row_height) {
            return Err(FieldError::new(
                "layout",
                "columns must be 12, rowHeight 10..=400",
            ));
        }
        if self.widgets.len() > MAX_WIDGETS {
            return Err(FieldError::new(
                "widgets",
                format!("at most {MAX_WIDGETS} widgets"),
            ));
        }
        if self.refresh_interval_sec > 86_400 {
            return Err(FieldError::new("refreshIntervalSec", "at most 86400"));
        }
        if let Some(tr) = &self.time_range {
            tr.validate().map_err(|e| e.within("timeRange"))?;
        }
        if self.filters.len() > crate::query::MAX_FILTERS {
            return Err(FieldError::new(
                "filters",
                format!("at most {} filters", crate::query::MAX_FILTERS),
            ));
        }
        for (i, f) in self.filters.iter().enumerate() {
            f.validate_shape()
                .map_err(|e| e.within(&format!("filters[{i}]")))?;
            let known = self
                .widgets
                .iter()
                .filter_map(|w| w.query.as_ref())
                .any(|q| datasets(&q.dataset).is_some_and(|d| d.field_type(&f.field).is_some()))
                || self.widgets.iter().all(|w| w.query.is_none());
            if !known {
                return Err(FieldError::new(
                    format!("filters[{i}].field"),
                    "no widget's dataset has this field",
                ));
            }
            for w in self.widgets.iter().filter_map(|w| w.query.as_ref()) {
                if let Some(d) = datasets(&w.dataset).filter(|d| d.field_type(&f.field).is_some()) {
                    f.validate(d)
                        .map_err(|e| e.within(&format!("filters[{i}]")))?;
                }
            }
        }
        for (i, w) in self.widgets.iter().enumerate() {
            validate_widget(w, &self.widgets[..i], &datasets)
                .map_err(|e| e.within(&format!("widgets[{i}]")))?;
        }
        Ok(())
    }
}

fn validate_widget<'a>(
    w: &Widget,
    before: &[Widget],
    datasets: &impl Fn(&str) -> Option<&'a Dataset>,
) -> Validated {
    if w.id.is_empty()
        || w.id.len() > 64
        || !w
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::new("id", "1 to 64 letters, digits, - or _"));
    }
    if before.iter().any(|b| b.id == w.id) {
        return Err(FieldError::new("id", "duplicate widget id"));
    }
    if w.title.chars().count() > 200 {
        return Err(FieldError::new("title", "at most 200 characters"));
    }
    let p = w.position;
    // `x + w` is checked: both are client numbers up to u32::MAX.
    let fits = p.x.checked_add(p.w).is_some_and(|end| end <= GRID_COLUMNS);
    if p.w == 0 || p.h == 0 || !fits || p.h > 50 || p.y > 1000 {
        return Err(FieldError::new(
            "position",
            "must fit the 12-column grid (w, h ≥ 1)",
        ));
    }
    if !(w.options.is_object() || w.options.is_null()) {
        return Err(FieldError::new("options", "must be an object"));
    }
    match (&w.query, w.kind) {
        (None, WidgetKind::Alerts) => Ok(()),
        (None, _) => Err(FieldError::new("query", "required for this widget kind")),
        (Some(q), _) => {
            let d = datasets(&q.dataset).ok_or_else(|| {
                FieldError::new("query.dataset", format!("unknown dataset '{}'", q.dataset))
            })?;
            q.validate(d).map_err(|e| e.within("query"))
        }
    }
}

/// Body of `POST /api/v1/dashboards/{id}/data`: runtime overrides from the viewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardDataRequest {
    /// Extra filters (e.g. from the filter bar), applied like dashboard filters.
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Overrides every widget's time range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range: Option<TimeRange>,
    /// Only these widgets (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_ids: Option<Vec<String>>,
    /// Cross-filters set by clicking a datum: each applies to every widget except the one
    /// clicked, and only to widgets whose dataset has the field (the others list it in
    /// `meta.unappliedFilters`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cross_filters: Vec<CrossFilter>,
    /// IANA time zone (`Asia/Tokyo`) in which every widget's time buckets and `today` preset
    /// are computed, overriding the widgets' own; default: each widget's, else UTC. An unknown
    /// zone is a 422 on `timeZone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A cross-filter: what a click on widget `widgetId` selected. `filters` are equality filters
/// on the clicked dimension values; `timeWindow` (absolute `{from, to}`) is the clicked time
/// bucket, applied to each widget's dataset time field. At least one of the two is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrossFilter {
    /// The widget clicked; it is not filtered by its own selection.
    pub widget_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_window: Option<TimeRange>,
}

impl CrossFilter {
    /// Checks the shape (not the fields, which need the datasets).
    ///
    /// # Errors
    /// No `widgetId`, neither `filters` nor `timeWindow`, or a `timeWindow` that is not an
    /// absolute `{from, to}` range.
    pub fn validate(&self) -> Validated {
        if self.widget_id.trim().is_empty() {
            return Err(FieldError::new("widgetId", "is required"));
        }
        if self.filters.is_empty() && self.time_window.is_none() {
            return Err(FieldError::new("filters", "give 'filters' or 'timeWindow'"));
        }
        if let Some(window) = &self.time_window {
            if window.preset.is_some() {
                return Err(FieldError::new(
                    "timeWindow",
                    "must be an absolute {from, to} range",
                ));
            }
            window.validate().map_err(|e| e.within("timeWindow"))?;
        }
        Ok(())
    }
}

/// One widget's outcome: a result, or an error that does not fail the whole response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum WidgetData {
    Error { error: ApiError },
    Result(QueryResult),
}

// On the wire either `{"error": {…}}` or a `QueryResult`'s object (untagged). Read by hand
// rather than by serde's untagged derive, which buffers the whole result in an intermediate
// tree before trying each form (a second copy of every cell, and ≈ 26 KB of wasm in a client):
// one pass over the object's fields, and a missing field is named (`missing field `columns``)
// instead of "did not match any variant". (Not a doc comment: the schema's description comes
// from the type's doc.)
impl<'de> Deserialize<'de> for WidgetData {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        /// The fields of both forms; which are present says which form it is.
        #[derive(Deserialize)]
        struct Either {
            #[serde(default)]
            error: Option<ApiError>,
            #[serde(default)]
            columns: Option<Vec<crate::Column>>,
            #[serde(default)]
            data: Option<Vec<Vec<serde_json::Value>>>,
            #[serde(default)]
            meta: Option<crate::QueryMeta>,
        }
        let either = Either::deserialize(deserializer)?;
        match (either.error, either.columns, either.data) {
            (Some(error), _, _) => Ok(WidgetData::Error { error }),
            (None, Some(columns), Some(data)) => Ok(WidgetData::Result(QueryResult {
                columns,
                data,
                meta: either.meta.unwrap_or_default(),
            })),
            (None, None, _) => Err(D::Error::missing_field("columns")),
            (None, Some(_), None) => Err(D::Error::missing_field("data")),
        }
    }
}

/// Answer of `POST /api/v1/dashboards/{id}/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DashboardData {
    pub dashboard_id: String,
    pub version: u64,
    /// Keyed by widget id.
    pub widgets: BTreeMap<String, WidgetData>,
    /// Server time the data is as of (epoch ms).
    pub generated_at: i64,
    /// Live cursor (`epoch:seq`) at snapshot time; resume the live stream from here.
    pub live_cursor: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_widget_runs_over_the_view_range_else_its_own_else_the_dashboards() {
        use crate::TimePreset;
        let hour = TimeRange::preset(TimePreset::Last1h);
        let day = TimeRange::preset(TimePreset::Last24h);
        let week = TimeRange::preset(TimePreset::Last7d);
        let mut widget: Widget = serde_json::from_value(serde_json::json!({
            "id": "w", "kind": "kpi", "title": "W", "position": {"x": 0, "y": 0, "w": 3, "h": 2},
            "query": {"dataset": "validations", "measures": [{"field": "*", "agg": "count"}]}
        }))
        .unwrap();
        assert_eq!(widget.effective_time_range(None, Some(week)), Some(week));
        assert_eq!(widget.effective_time_range(None, None), None);
        widget.query.as_mut().unwrap().time_range = Some(day);
        assert_eq!(widget.effective_time_range(None, Some(week)), Some(day));
        assert_eq!(
            widget.effective_time_range(Some(hour), Some(week)),
            Some(hour)
        );
    }
    use crate::{Aggregation, ColumnType, DimensionDef, Measure};
    use serde_json::json;

    fn ds() -> Dataset {
        Dataset {
            id: "validations".into(),
            name: "V".into(),
            description: String::new(),
            time_field: "ts".into(),
            dimensions: vec![DimensionDef {
                name: "status".into(),
                label: "S".into(),
                column_type: ColumnType::String,
                values: vec![],
            }],
            measures: vec![],
            fields: vec![],
            retention_days: 365,
            version: 0,
        }
    }

    fn widget(id: &str, kind: WidgetKind, x: u32, w: u32) -> Widget {
        Widget {
            id: id.into(),
            kind,
            title: "t".into(),
            position: Position { x, y: 0, w, h: 2 },
            query: (kind != WidgetKind::Alerts)
                .then(|| Query::new("validations", vec![Measure::new("*", Aggregation::Count)])),
            options: json!({}),
        }
    }

    fn input(widgets: Vec<Widget>) -> DashboardInput {
        DashboardInput {
            name: "D".into(),
            description: String::new(),
            layout: Layout::default(),
            widgets,
            filters: vec![],
            time_range: None,
            refresh_interval_sec: 0,
            version: None,
        }
    }

    #[test]
    fn validates_grid_ids_and_queries() {
        let d = ds();
        let lookup = |id: &str| (id == "validations").then_some(&d);
        input(vec![
            widget("a", WidgetKind::Kpi, 0, 6),
            widget("b", WidgetKind::Alerts, 6, 6),
        ])
        .validate(lookup)
        .unwrap();
        let err = input(vec![widget("a", WidgetKind::Kpi, 8, 6)])
            .validate(lookup)
            .unwrap_err();
        assert_eq!(err.field, "widgets[0].position");
        let err = input(vec![
            widget("a", WidgetKind::Kpi, 0, 6),
            widget("a", WidgetKind::Bar, 6, 6),
        ])
        .validate(lookup)
        .unwrap_err();
        assert_eq!(err.field, "widgets[1].id");
        let mut w = widget("a", WidgetKind::Line, 0, 6);
        w.query.as_mut().unwrap().dataset = "nope".into();
        assert_eq!(
            input(vec![w]).validate(lookup).unwrap_err().field,
            "widgets[0].query.dataset"
        );
        let mut w = widget("a", WidgetKind::Line, 0, 6);
        w.query = None;
        assert_eq!(
            input(vec![w]).validate(lookup).unwrap_err().field,
            "widgets[0].query"
        );
        let mut i = input(vec![widget("a", WidgetKind::Line, 0, 6)]);
        i.filters.push(Filter::eq("region", "eu"));
        assert_eq!(i.validate(lookup).unwrap_err().field, "filters[0].field");
        i.filters[0] = Filter::eq("status", "VALID");
        i.validate(lookup).unwrap();
        i.name = " ".into();
        assert_eq!(i.validate(lookup).unwrap_err().field, "name");
    }

    #[test]
    fn huge_positions_and_filter_counts_are_field_errors() {
        let d = ds();
        let lookup = |id: &str| (id == "validations").then_some(&d);
        // x + w would overflow u32: a field error, not a panic or a wrap-around that fits.
        let mut w = widget("a", WidgetKind::Kpi, 0, 6);
        w.position.x = u32::MAX;
        assert_eq!(
            input(vec![w]).validate(lookup).unwrap_err().field,
            "widgets[0].position"
        );
        let w = widget("a", WidgetKind::Kpi, 4, u32::MAX - 1);
        assert_eq!(
            input(vec![w]).validate(lookup).unwrap_err().field,
            "widgets[0].position"
        );
        let mut i = input(vec![widget("a", WidgetKind::Line, 0, 6)]);
        i.filters = vec![Filter::eq("status", "VALID"); crate::query::MAX_FILTERS + 1];
        assert_eq!(i.validate(lookup).unwrap_err().field, "filters");
        i.filters.truncate(crate::query::MAX_FILTERS);
        i.validate(lookup).unwrap();
    }

    #[test]
    fn dashboard_filters_are_checked_even_without_widgets() {
        // Found by the OpenAPI fuzzer: with no widget naming a dataset, a filter of any shape
        // was stored (and then broke the response's own schema).
        let d = ds();
        let lookup = |id: &str| (id == "validations").then_some(&d);
        let with_filter = |f: serde_json::Value| {
            let mut dashboard = input(vec![]);
            dashboard.filters = vec![serde_json::from_value(f).unwrap()];
            dashboard.validate(lookup).unwrap_err().field
        };
        assert_eq!(
            with_filter(serde_json::json!({"field": "status", "op": "eq", "values": [{}]})),
            "filters[0].value"
        );
        assert_eq!(
            with_filter(serde_json::json!({"field": "status", "op": "in", "values": [{}]})),
            "filters[0].values"
        );
        assert_eq!(
            with_filter(serde_json::json!({"field": " ", "op": "eq", "value": "x"})),
            "filters[0].field"
        );
    }

    #[test]
    fn widget_kinds_use_contract_strings() {
        let names: Vec<_> = WidgetKind::ALL
            .iter()
            .map(|k| serde_json::to_value(k).unwrap())
            .collect();
        assert_eq!(
            names,
            vec![
                json!("line"),
                json!("area"),
                json!("bar"),
                json!("pie"),
                json!("scatter"),
                json!("heatmap"),
                json!("gauge"),
                json!("kpi"),
                json!("table"),
                json!("alerts")
            ]
        );
    }

    #[test]
    fn widget_data_is_result_or_error() {
        let ok: WidgetData = serde_json::from_value(json!({"columns": [], "data": [], "meta": {"executionMs": 1.0, "totalRows": 0, "truncated": false}})).unwrap();
        assert!(matches!(ok, WidgetData::Result(_)));
        let err: WidgetData = serde_json::from_value(
            json!({"error": {"code": "validation_failed", "message": "m", "requestId": "r"}}),
        )
        .unwrap();
        assert!(matches!(err, WidgetData::Error { .. }));
    }

    #[test]
    fn widget_data_reads_back_what_it_writes_and_names_a_missing_field() {
        let result = QueryResult::new(
            vec![crate::Column::new("n", crate::ColumnType::Integer)],
            vec![vec![json!(1), json!(null), json!(3)]],
        )
        .unwrap();
        let error = ApiError {
            code: crate::ErrorCode::ValidationFailed,
            message: "m".into(),
            request_id: "r".into(),
            details: Some(json!({"field": "query.measures"})),
        };
        for data in [WidgetData::Result(result), WidgetData::Error { error }] {
            let text = serde_json::to_vec(&data).unwrap();
            assert_eq!(serde_json::from_slice::<WidgetData>(&text).unwrap(), data);
        }
        // `meta` may be left out, as in a bare QueryResult.
        let bare: WidgetData = serde_json::from_slice(br#"{"columns": [], "data": []}"#).unwrap();
        assert_eq!(bare, WidgetData::Result(QueryResult::default()));
        for (text, missing) in [
            (r#"{"data": []}"#, "missing field `columns`"),
            (r#"{"columns": []}"#, "missing field `data`"),
            ("{}", "missing field `columns`"),
        ] {
            let err = serde_json::from_slice::<WidgetData>(text.as_bytes()).unwrap_err();
            assert!(err.to_string().starts_with(missing), "{text}: {err}");
        }
        assert!(serde_json::from_slice::<WidgetData>(b"[1]").is_err());
    }
}
