//! Alerts raised by server-side rules (`GET /api/v1/alerts`, acknowledge, resolve).

use serde::{Deserialize, Serialize};

use crate::FieldError;

use crate::wire::unit_enum;

unit_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Severity {
        Info,
        Warning,
        Critical,
    }
}

unit_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum AlertStatus {
        Open,
        Acknowledged,
        Resolved,
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: String,
    /// Which rule raised it (`error_rate`, `latency_p95`, …).
    pub rule: String,
    pub severity: Severity,
    pub status: AlertStatus,
    pub title: String,
    pub message: String,
    pub dataset: String,
    /// The observed value and the rule's threshold.
    pub value: f64,
    pub threshold: f64,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<i64>,
    /// The id of the user who acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// That user's name as it is now (absent when nobody acknowledged it or the user no
    /// longer exists), for showing who did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<i64>,
}

/// `GET /api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub items: Vec<Alert>,
}

/// At most this many alert rules per tenant.
pub const MAX_ALERT_RULES: usize = 100;
/// The longest window a rule may look back over (a day), in minutes.
pub const MAX_WINDOW_MINUTES: u32 = 1440;
/// At most this many filters on one rule.
pub const MAX_RULE_FILTERS: usize = 20;

unit_enum! {
    /// Whether a rule fires when its value is above or below the threshold (strictly).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Comparison {
        Above,
        Below,
    }
}

impl Comparison {
    /// Whether `value` breaks `threshold` this way.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }

    /// The wire name (`above`, `below`).
    pub fn as_str(self) -> &'static str {
        crate::wire::name_of(&self)
    }
}

/// Body of `POST /api/v1/alert-rules` and `PUT /api/v1/alert-rules/{id}`: a rule over one of
/// the tenant's datasets. Every evaluation aggregates `measure` over the rows of the last
/// `windowMinutes` that match `filters`; when the value is above (below) `threshold` and no
/// alert of this rule is open or acknowledged, an alert is raised (titled with the rule's name)
/// and published on the live `alerts` channel; when it no longer holds, the rule's open and
/// acknowledged alerts are resolved (and published so), so the next incident raises a new one.
/// A window with no rows gives no value (except a count, which is 0): nothing is raised, and
/// the incident counts as over. Rules are evaluated when saved and then every minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertRuleInput {
    /// Becomes the title of the alerts it raises.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// A dataset id of the tenant.
    pub dataset: String,
    /// The one value the rule watches, e.g. `{"field":"latency_ms","agg":"p95"}` or
    /// `{"field":"*","agg":"count"}`.
    pub measure: crate::Measure,
    /// Only rows matching all of these count (at most 20).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub filters: Vec<crate::Filter>,
    /// How far back each evaluation looks, 1 to 1440 minutes.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub window_minutes: u32,
    pub condition: Comparison,
    /// A finite number.
    pub threshold: f64,
    pub severity: Severity,
    /// A disabled rule is kept but not evaluated; saving it disabled resolves its open and
    /// acknowledged alerts.
    #[serde(default = "enabled_default")]
    pub enabled: bool,
}

fn enabled_default() -> bool {
    true
}

impl AlertRuleInput {
    /// Checks the rule against its dataset (`None`: the tenant has no such dataset).
    ///
    /// # Errors
    /// The first invalid field, e.g. `measure.agg` or `filters[1].value`.
    pub fn validate(&self, dataset: Option<&crate::Dataset>) -> crate::Validated {
        crate::setup::validate_name(&self.name, "name", 120)?;
        let Some(dataset) = dataset else {
            return Err(FieldError::new(
                "dataset",
                format!("unknown dataset '{}'", self.dataset),
            ));
        };
        self.measure
            .validate(dataset)
            .map_err(|e| e.within("measure"))?;
        if self.filters.len() > MAX_RULE_FILTERS {
            return Err(FieldError::new(
                "filters",
                format!("at most {MAX_RULE_FILTERS} filters"),
            ));
        }
        for (i, f) in self.filters.iter().enumerate() {
            f.validate(dataset)
                .map_err(|e| e.within(&format!("filters[{i}]")))?;
        }
        if !(1..=MAX_WINDOW_MINUTES).contains(&self.window_minutes) {
            return Err(FieldError::new(
                "windowMinutes",
                format!("must be 1 to {MAX_WINDOW_MINUTES}"),
            ));
        }
        if !self.threshold.is_finite() {
            return Err(FieldError::new("threshold", "must be a finite number"));
        }
        Ok(())
    }

    /// The query one evaluation at `now` (ms) runs: the measure over the window, filtered.
    pub fn query(&self, now: i64) -> crate::Query {
        let mut q = crate::Query::new(self.dataset.clone(), vec![self.measure.clone()]);
        q.filters = self.filters.clone();
        q.time_range = Some(crate::TimeRange::absolute(
            now - i64::from(self.window_minutes) * 60_000,
            now,
        ));
        q
    }
}

/// A stored alert rule and what its last evaluation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    /// `r_…`; the `rule` of the alerts it raises.
    pub id: String,
    /// The rule as saved (send it back, changed, with `PUT`).
    pub definition: AlertRuleInput,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it was last evaluated (absent: not yet, or disabled since it was saved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_at: Option<i64>,
    /// The value the last evaluation found (absent: no rows in the window, or it failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why the last evaluation failed (e.g. the dataset was deleted or a field removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl AlertRule {
    /// Whether the last evaluation found the condition holding.
    pub fn firing(&self) -> bool {
        self.value.is_some_and(|v| {
            self.definition
                .condition
                .holds(v, self.definition.threshold)
        })
    }
}

/// `GET /api/v1/alert-rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRuleList {
    pub items: Vec<AlertRule>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{DatasetInput, FieldDef, FieldRole, FieldType};
    use crate::{Aggregation, Dataset, Filter, Measure};
    use serde_json::json;

    fn dataset() -> Dataset {
        DatasetInput {
            id: Some("orders".into()),
            name: "Orders".into(),
            description: String::new(),
            time_field: "ts".into(),
            fields: vec![
                FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time"),
                FieldDef::new("region", FieldType::String, FieldRole::Dimension, "Region"),
                FieldDef::new("amount", FieldType::Number, FieldRole::Measure, "Amount"),
            ],
            retention_days: 90,
        }
        .into_dataset("orders".into(), 1)
    }

    fn input() -> AlertRuleInput {
        AlertRuleInput {
            name: "Big orders".into(),
            dataset: "orders".into(),
            measure: Measure::new("amount", Aggregation::Sum),
            filters: vec![Filter::eq("region", "EU")],
            window_minutes: 15,
            condition: Comparison::Above,
            threshold: 1000.0,
            severity: Severity::Warning,
            enabled: true,
        }
    }

    #[test]
    fn a_rule_is_checked_against_its_dataset_naming_the_field() {
        let ds = dataset();
        assert_eq!(input().validate(Some(&ds)), Ok(()));
        let field = |f: fn(&mut AlertRuleInput), ds: Option<&Dataset>| {
            let mut i = input();
            f(&mut i);
            i.validate(ds).map_err(|e| e.field)
        };
        assert_eq!(field(|_| {}, None), Err("dataset".into()));
        assert_eq!(
            field(|i| i.name = " ".into(), Some(&ds)),
            Err("name".into())
        );
        assert_eq!(
            field(
                |i| i.measure = Measure::new("nope", Aggregation::Sum),
                Some(&ds)
            ),
            Err("measure.field".into())
        );
        assert_eq!(
            field(
                |i| i.measure = Measure::new("region", Aggregation::Avg),
                Some(&ds)
            ),
            Err("measure.agg".into())
        );
        assert_eq!(
            field(|i| i.filters = vec![Filter::eq("nope", 1)], Some(&ds)),
            Err("filters[0].field".into())
        );
        assert_eq!(
            field(|i| i.window_minutes = 0, Some(&ds)),
            Err("windowMinutes".into())
        );
        assert_eq!(
            field(|i| i.window_minutes = MAX_WINDOW_MINUTES + 1, Some(&ds)),
            Err("windowMinutes".into())
        );
        assert_eq!(
            field(|i| i.threshold = f64::NAN, Some(&ds)),
            Err("threshold".into())
        );
    }

    #[test]
    fn a_stored_rule_reads_back_from_the_wire() {
        let rule = AlertRule {
            id: "r_1".into(),
            definition: input(),
            created_at: 1,
            updated_at: 2,
            evaluated_at: Some(3),
            value: Some(1200.5),
            error: None,
        };
        let v = serde_json::to_value(&rule).unwrap();
        assert_eq!(v["definition"]["name"], "Big orders");
        assert_eq!(v["definition"]["windowMinutes"], 15);
        assert_eq!(v["definition"]["condition"], "above");
        assert_eq!(v["value"], 1200.5);
        assert!(v.get("error").is_none());
        assert_eq!(serde_json::from_value::<AlertRule>(v).unwrap(), rule);
        assert!(rule.firing());
        // The input refuses what it does not know, and `enabled` defaults to true.
        let mut body = json!({ "name": "n", "dataset": "orders", "measure": { "field": "*", "agg": "count" },
            "windowMinutes": 5, "condition": "below", "threshold": 1, "severity": "info" });
        assert!(
            serde_json::from_value::<AlertRuleInput>(body.clone())
                .unwrap()
                .enabled
        );
        body["extra"] = json!(1);
        assert!(serde_json::from_value::<AlertRuleInput>(body).is_err());
    }

    #[test]
    fn the_query_looks_back_over_the_window() {
        let q = input().query(3_600_000);
        assert_eq!(
            q.time_range,
            Some(crate::TimeRange::absolute(2_700_000, 3_600_000))
        );
        assert_eq!(q.measures, vec![Measure::new("amount", Aggregation::Sum)]);
        assert_eq!(q.validate(&dataset()), Ok(()));
    }
}
