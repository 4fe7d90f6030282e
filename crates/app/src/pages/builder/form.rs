//! [`WidgetForm`]: what the widget editor's controls hold (dataset → measures with aggregation →
//! dimensions → chart kind, title, options), and its conversion to and from a contract
//! [`Widget`]. Pure, so the rules (which kinds need a time bucket, what makes a query invalid)
//! are tested natively. Its words (suggested titles, check messages, the contract's query rules
//! through [`query_problem`]) come from the active language's catalog ([`B`]); native tests see
//! English.

use vantage_contract::{
    Aggregation, Dataset, Granularity, Measure, Position, Query, TimePreset, TimeRange, Widget,
    WidgetKind,
};

use super::super::filter_rows::{FilterDraft, Filtered};
use super::checks::query_problem;
use crate::i18n::{tr, trf, B, R};

/// Editor state for one widget.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetForm {
    /// Set when editing an existing widget.
    pub id: Option<String>,
    pub dataset: String,
    /// Chosen measures: field (`*` for row count) and aggregation.
    pub measures: Vec<(String, Aggregation)>,
    pub dimensions: Vec<String>,
    pub granularity: Option<Granularity>,
    /// `None`: the dashboard's time range.
    pub time_range: Option<TimePreset>,
    pub kind: WidgetKind,
    pub title: String,
    /// The options object as JSON text.
    pub options: String,
    /// Only rows matching these are shown (typed; another dataset drops them).
    pub filters: Vec<FilterDraft>,
    /// The query being edited, so parts the form has no controls for (sort, limit,
    /// previous-period comparison) survive an edit.
    pub base: Option<Query>,
}

impl Filtered for WidgetForm {
    fn dataset_id(&self) -> &str {
        &self.dataset
    }
    fn rows(&self) -> &Vec<FilterDraft> {
        &self.filters
    }
    fn rows_mut(&mut self) -> &mut Vec<FilterDraft> {
        &mut self.filters
    }
}

impl WidgetForm {
    /// A new widget on `dataset`: row count as a bar chart.
    pub fn new(dataset: &str) -> Self {
        Self {
            id: None,
            dataset: dataset.to_owned(),
            measures: vec![("*".into(), Aggregation::Count)],
            dimensions: Vec::new(),
            granularity: None,
            time_range: None,
            kind: WidgetKind::Bar,
            title: String::new(),
            options: "{}".into(),
            filters: Vec::new(),
            base: None,
        }
    }

    /// The form for an existing widget.
    pub fn from_widget(widget: &Widget) -> Self {
        let query = widget.query.clone();
        let options = if widget.options.is_null() {
            "{}".to_owned()
        } else {
            serde_json::to_string_pretty(&widget.options).unwrap_or_else(|_| "{}".into())
        };
        Self {
            id: Some(widget.id.clone()),
            dataset: query
                .as_ref()
                .map(|q| q.dataset.clone())
                .unwrap_or_default(),
            measures: query
                .as_ref()
                .map(|q| {
                    q.measures
                        .iter()
                        .map(|m| (m.field.clone(), m.agg))
                        .collect()
                })
                .unwrap_or_default(),
            dimensions: query
                .as_ref()
                .map(|q| q.dimensions.clone())
                .unwrap_or_default(),
            granularity: query.as_ref().and_then(|q| q.granularity),
            time_range: query
                .as_ref()
                .and_then(|q| q.time_range)
                .and_then(|t| t.preset),
            kind: widget.kind,
            title: widget.title.clone(),
            options,
            filters: query.as_ref().map_or_else(Vec::new, |q| {
                q.filters.iter().map(FilterDraft::from_filter).collect()
            }),
            base: query,
        }
    }

    /// Switches dataset: measures and dimensions of the old one no longer apply.
    pub fn set_dataset(&mut self, dataset: &str) {
        if self.dataset != dataset {
            *self = Self {
                id: self.id.take(),
                kind: self.kind,
                title: std::mem::take(&mut self.title),
                options: std::mem::take(&mut self.options),
                base: None,
                ..Self::new(dataset)
            };
        }
    }

    /// Turns a measure on (with its first allowed aggregation) or off.
    pub fn toggle_measure(&mut self, field: &str, default: Aggregation) {
        if let Some(i) = self.measures.iter().position(|(f, _)| f == field) {
            self.measures.remove(i);
        } else {
            self.measures.push((field.to_owned(), default));
        }
    }

    /// Changes a chosen measure's aggregation.
    pub fn set_aggregation(&mut self, field: &str, agg: Aggregation) {
        if let Some(m) = self.measures.iter_mut().find(|(f, _)| f == field) {
            m.1 = agg;
        }
    }

    /// Turns a group-by dimension on or off.
    pub fn toggle_dimension(&mut self, name: &str) {
        if let Some(i) = self.dimensions.iter().position(|d| d == name) {
            self.dimensions.remove(i);
        } else {
            self.dimensions.push(name.to_owned());
        }
    }

    /// Changes the chart kind; time-series kinds get an hourly bucket if they have none.
    pub fn set_kind(&mut self, kind: WidgetKind) {
        self.kind = kind;
        if needs_time_bucket(kind) && self.granularity.is_none() {
            self.granularity = Some(Granularity::Hour);
        }
    }

    /// The query the form describes (for the preview and the saved widget); `dataset`: the
    /// form's, which types the filters' operands (a row that cannot be sent yet is left out:
    /// [`Self::to_widget`] refuses it).
    pub fn query(&self, dataset: Option<&Dataset>) -> Option<Query> {
        if self.kind == WidgetKind::Alerts {
            return None;
        }
        let mut query = self
            .base
            .clone()
            .filter(|b| b.dataset == self.dataset)
            .unwrap_or_else(|| Query::new(self.dataset.clone(), Vec::new()));
        let kept: Vec<Measure> = std::mem::take(&mut query.measures);
        query.measures = self
            .measures
            .iter()
            .map(|(field, agg)| {
                // An unchanged measure keeps its alias.
                kept.iter()
                    .find(|m| &m.field == field && m.agg == *agg)
                    .cloned()
                    .unwrap_or_else(|| Measure::new(field.clone(), *agg))
            })
            .collect();
        query.dimensions = self.dimensions.clone();
        query.filters = self
            .filters
            .iter()
            .filter_map(|f| f.to_filter(dataset).ok())
            .collect();
        query.granularity = self.granularity;
        if query.time_range.and_then(|t| t.preset) != self.time_range {
            query.time_range = self.time_range.map(TimeRange::preset);
        }
        let columns = query.output_columns();
        query.sort.retain(|s| columns.contains(&s.field));
        if query.time_range.is_none() || query.granularity.is_some() {
            query.compare_previous = false;
        }
        Some(query)
    }

    /// The title shown when none was typed, e.g. "Count by intent".
    pub fn suggested_title(&self) -> String {
        let measures: Vec<String> = self
            .measures
            .iter()
            .map(|(field, agg)| match field.as_str() {
                "*" => tr(B::SuggestedCount).to_owned(),
                f => format!("{} {}", agg.as_str(), f.replace('_', " ")),
            })
            .collect();
        let measures = if measures.is_empty() {
            tr(B::NewWidget).to_owned()
        } else {
            measures.join(", ")
        };
        if self.dimensions.is_empty() {
            measures
        } else {
            let dimensions = self.dimensions.join(", ").replace('_', " ");
            trf(B::TitleBy, &[&measures, &dimensions])
        }
    }

    /// The widget, checked against the dataset schema.
    ///
    /// # Errors
    /// A message naming the field to fix (`measures[0].agg: …`, `options: …`, `title: …`).
    pub fn to_widget(&self, id: &str, dataset: Option<&Dataset>) -> Result<Widget, String> {
        let options: serde_json::Value = serde_json::from_slice(self.options.trim().as_bytes())
            .map_err(|e| trf(B::OptionsNotJson, &[&e.to_string()]))?;
        if !options.is_object() {
            return Err(tr(B::OptionsNotObject).into());
        }
        let title = match self.title.trim() {
            "" => self.suggested_title(),
            t => t.to_owned(),
        };
        if title.chars().count() > 200 {
            return Err(tr(B::TitleTooLong).into());
        }
        let query = self.query(dataset);
        if let Some(q) = &query {
            let dataset = dataset.ok_or_else(|| tr(B::ChooseDataset).to_owned())?;
            let bad = self.filters.iter().enumerate().find_map(|(i, f)| {
                let (_, key) = f.to_filter(Some(dataset)).err()?;
                Some(trf(R::FilterProblem, &[&(i + 1).to_string(), tr(key)]))
            });
            if let Some(problem) = bad {
                return Err(problem);
            }
            q.validate(dataset).map_err(|e| query_problem(&e, q))?;
        }
        Ok(Widget {
            id: id.to_owned(),
            kind: self.kind,
            title,
            position: Position {
                x: 0,
                y: 0,
                w: 1,
                h: 1,
            },
            query,
            options,
        })
    }
}

/// Kinds that plot values over time.
pub fn needs_time_bucket(kind: WidgetKind) -> bool {
    matches!(
        kind,
        WidgetKind::Line | WidgetKind::Area | WidgetKind::Heatmap
    )
}

/// A sensible first size (columns × rows) for a new widget of `kind`.
pub fn default_size(kind: WidgetKind) -> (u32, u32) {
    match kind {
        WidgetKind::Kpi | WidgetKind::Gauge => (3, 2),
        WidgetKind::Line | WidgetKind::Area | WidgetKind::Table => (6, 3),
        _ => (4, 3),
    }
}

/// The user-facing name of a kind, in the active language.
pub fn kind_label(kind: WidgetKind) -> &'static str {
    tr(match kind {
        WidgetKind::Line => B::KindLine,
        WidgetKind::Area => B::KindArea,
        WidgetKind::Bar => B::KindBar,
        WidgetKind::Pie => B::KindPie,
        WidgetKind::Scatter => B::KindScatter,
        WidgetKind::Heatmap => B::KindHeatmap,
        WidgetKind::Gauge => B::KindGauge,
        WidgetKind::Kpi => B::KindKpi,
        WidgetKind::Table => B::KindTable,
        WidgetKind::Alerts => B::KindAlerts,
    })
}

/// The wire name of a kind (`line`, …), used as `<option>` values.
pub fn kind_value(kind: WidgetKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Parses a wire name back (`serde` keeps this in step with the contract).
pub fn parse_wire<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    vantage_sdk::json::from_wire_name(value)
}

/// The wire name of any contract enum (`p95`, `1h`, `last24h`, …).
pub fn wire<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::{ColumnType, DimensionDef, MeasureDef};

    fn dataset() -> Dataset {
        Dataset {
            id: "validations".into(),
            name: "Validations".into(),
            description: String::new(),
            time_field: "ts".into(),
            dimensions: vec![DimensionDef {
                name: "intent".into(),
                label: "Intent".into(),
                column_type: ColumnType::String,
                values: vec![],
            }],
            measures: vec![MeasureDef {
                name: "latency_ms".into(),
                label: "Latency".into(),
                column_type: ColumnType::Float,
                aggregations: vec![Aggregation::Avg, Aggregation::P95],
                unit: Some("ms".into()),
            }],
            fields: vec![],
            retention_days: 365,
            version: 0,
        }
    }

    #[test]
    fn the_form_builds_a_valid_widget_with_a_suggested_title() {
        let mut form = WidgetForm::new("validations");
        form.toggle_dimension("intent");
        form.toggle_measure("latency_ms", Aggregation::Avg);
        form.set_aggregation("latency_ms", Aggregation::P95);
        let w = form.to_widget("w1", Some(&dataset())).unwrap();
        assert_eq!(w.title, "Count, p95 latency ms by intent");
        let q = w.query.unwrap();
        assert_eq!(q.dimensions, vec!["intent".to_string()]);
        assert_eq!(q.measures[1], Measure::new("latency_ms", Aggregation::P95));
        assert_eq!(w.kind, WidgetKind::Bar);
    }

    #[test]
    fn errors_name_the_field() {
        let ds = dataset();
        let mut form = WidgetForm::new("validations");
        form.toggle_measure("*", Aggregation::Count);
        assert!(form
            .to_widget("w", Some(&ds))
            .unwrap_err()
            .starts_with("measures"));
        let mut form = WidgetForm::new("validations");
        form.toggle_measure("latency_ms", Aggregation::Sum);
        let err = form.to_widget("w", Some(&ds)).unwrap_err();
        assert!(err.contains("measures[1].agg"), "{err}");
        let mut form = WidgetForm::new("validations");
        form.options = "[1]".into();
        assert!(form
            .to_widget("w", Some(&ds))
            .unwrap_err()
            .starts_with("options"));
        form.options = "{nope".into();
        assert!(form
            .to_widget("w", Some(&ds))
            .unwrap_err()
            .starts_with("options"));
        form.options = "{}".into();
        assert!(form
            .to_widget("w", None)
            .unwrap_err()
            .starts_with("dataset"));
    }

    #[test]
    fn time_series_kinds_get_a_bucket_and_alerts_need_no_query() {
        let mut form = WidgetForm::new("validations");
        form.set_kind(WidgetKind::Line);
        assert_eq!(form.granularity, Some(Granularity::Hour));
        form.granularity = Some(Granularity::FiveMinutes);
        form.set_kind(WidgetKind::Area);
        assert_eq!(form.granularity, Some(Granularity::FiveMinutes));
        form.set_kind(WidgetKind::Alerts);
        assert_eq!(form.query(None), None);
        assert!(form.to_widget("w", None).is_ok());
    }

    #[test]
    fn widgets_round_trip_through_the_form() {
        let mut form = WidgetForm::new("validations");
        form.title = "Latency".into();
        form.set_kind(WidgetKind::Line);
        form.time_range = Some(TimePreset::Last1h);
        form.options = "{\"unit\": \"ms\"}".into();
        let widget = form.to_widget("w3", Some(&dataset())).unwrap();
        let back = WidgetForm::from_widget(&widget);
        assert_eq!(back.id.as_deref(), Some("w3"));
        assert_eq!(back.to_widget("w3", Some(&dataset())).unwrap(), widget);
    }

    #[test]
    fn parts_without_controls_survive_an_edit() {
        let mut query = Query::new("validations", vec![Measure::new("*", Aggregation::Count)]);
        query.filters = vec![vantage_contract::Filter::eq("intent", "billing")];
        query.sort = vec![vantage_contract::Sort {
            field: "count".into(),
            dir: vantage_contract::SortDir::Desc,
        }];
        query.time_range = Some(TimeRange::preset(TimePreset::Last24h));
        query.compare_previous = true;
        let widget = Widget {
            id: "k".into(),
            kind: WidgetKind::Kpi,
            title: "Billing".into(),
            position: Position {
                x: 0,
                y: 0,
                w: 3,
                h: 2,
            },
            query: Some(query.clone()),
            options: serde_json::json!({}),
        };
        let mut form = WidgetForm::from_widget(&widget);
        let ds = dataset();
        assert_eq!(form.query(Some(&ds)), Some(query.clone()));
        // A time bucket rules out the comparison; a dropped measure drops its sort.
        form.set_kind(WidgetKind::Line);
        form.measures = vec![("latency_ms".into(), Aggregation::Avg)];
        let edited = form.query(Some(&ds)).unwrap();
        assert_eq!(edited.filters, query.filters);
        assert!(edited.sort.is_empty() && !edited.compare_previous);
        assert!(form.to_widget("k", Some(&dataset())).is_ok());
    }

    #[test]
    fn filter_rows_become_the_querys_filters_and_one_that_cannot_be_sent_stops_the_widget() {
        let ds = dataset();
        let mut form = WidgetForm::new("validations");
        form.filters.push(FilterDraft::new(Some(&ds)));
        form.filters[0].set_field("intent", Some(&ds));
        form.filters[0].set_op("in");
        form.filters[0].text = "billing, refunds".into();
        form.filters.push(FilterDraft::new(Some(&ds)));
        form.filters[1].set_field("intent", Some(&ds));
        // The preview leaves out the row not typed yet; saving names it.
        let query = form.query(Some(&ds)).unwrap();
        assert_eq!(query.filters.len(), 1);
        assert_eq!(
            query.filters[0].values,
            Some(vec!["billing".into(), "refunds".into()])
        );
        assert_eq!(
            form.to_widget("w", Some(&ds)).unwrap_err(),
            "Filter 2: Enter a value"
        );
        form.filters.remove(1);
        let widget = form.to_widget("w", Some(&ds)).unwrap();
        // Edited again, the rows come back as typed.
        let back = WidgetForm::from_widget(&widget);
        assert_eq!(back.filters[0].text, "billing, refunds");
        assert_eq!(back.to_widget("w", Some(&ds)).unwrap(), widget);
    }

    #[test]
    fn switching_dataset_resets_fields_but_keeps_title_and_kind() {
        let mut form = WidgetForm::new("validations");
        form.toggle_dimension("intent");
        form.title = "Mine".into();
        form.kind = WidgetKind::Pie;
        form.filters.push(FilterDraft::new(Some(&dataset())));
        form.set_dataset("orders");
        assert_eq!(form.dimensions, Vec::<String>::new());
        assert!(form.filters.is_empty());
        assert_eq!((form.title.as_str(), form.kind), ("Mine", WidgetKind::Pie));
        assert_eq!(form.measures, vec![("*".to_string(), Aggregation::Count)]);
    }

    #[test]
    fn wire_names_follow_the_contract() {
        assert_eq!(kind_value(WidgetKind::Kpi), "kpi");
        assert_eq!(
            parse_wire::<WidgetKind>("heatmap"),
            Some(WidgetKind::Heatmap)
        );
        assert_eq!(wire(&Granularity::FiveMinutes), "5m");
        assert_eq!(parse_wire::<TimePreset>("last7d"), Some(TimePreset::Last7d));
        assert_eq!(parse_wire::<Aggregation>("nope"), None);
    }
}
