//! Which changes to a dataset definition are safe. Adding fields and changing labels, units,
//! formats, known values, name, description or retention always are. Dropping a field, or
//! changing a field's type or role, breaks the dashboard widgets and alert rules that use it:
//! such a change is refused with `409` naming each dependant (dashboard and widget, or rule).
//! A type change, or a new time field, is also refused while the dataset holds rows (the stored
//! values would not fit).

use crate::error::{AppError, AppResult};
use crate::sql::Conn;
use crate::store;
use serde::Serialize;
use serde_json::json;
use vantage_contract::{Dataset, DatasetInput, Query};

/// A widget that uses a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependant {
    pub dashboard_id: String,
    pub dashboard_name: String,
    pub widget_id: String,
    pub widget_title: String,
    pub field: String,
}

/// An alert rule that uses a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleDependant {
    pub alert_rule_id: String,
    pub alert_rule_name: String,
    pub field: String,
}

/// The alert rules of `tenant` over `dataset` that read one of `fields`.
///
/// # Errors
/// Database failures.
pub fn rule_dependants(
    c: &Conn,
    tenant: &str,
    dataset: &str,
    fields: &[String],
) -> AppResult<Vec<RuleDependant>> {
    let mut out = Vec::new();
    for r in store::alert_rules::list(c, tenant)? {
        let q = r.definition.query(0);
        if q.dataset != dataset {
            continue;
        }
        for f in fields.iter().filter(|f| uses(&q, f)) {
            out.push(RuleDependant {
                alert_rule_id: r.id.clone(),
                alert_rule_name: r.definition.name.clone(),
                field: f.clone(),
            });
        }
    }
    Ok(out)
}

/// The fields a change breaks: `(dropped or re-roled fields, re-typed fields)`.
pub fn breaking_fields(old: &Dataset, new: &DatasetInput) -> (Vec<String>, Vec<String>) {
    let mut broken = Vec::new();
    let mut retyped = Vec::new();
    for f in &old.fields {
        match new.fields.iter().find(|n| n.name == f.name) {
            None => broken.push(f.name.clone()),
            Some(n) if n.field_type != f.field_type => {
                broken.push(f.name.clone());
                retyped.push(f.name.clone());
            }
            Some(n) if n.role != f.role => broken.push(f.name.clone()),
            Some(_) => {}
        }
    }
    if old.time_field != new.time_field {
        retyped.push(new.time_field.clone());
    }
    (broken, retyped)
}

/// Whether `query` over `dataset` reads `field`.
fn uses(query: &Query, field: &str) -> bool {
    query.dimensions.iter().any(|d| d == field)
        || query.measures.iter().any(|m| m.field == field)
        || query.filters.iter().any(|f| f.field == field)
}

/// The widgets of `tenant` whose query over `dataset` reads one of `fields`.
///
/// # Errors
/// Database failures.
pub fn dependants(
    c: &Conn,
    tenant: &str,
    dataset: &str,
    fields: &[String],
) -> AppResult<Vec<Dependant>> {
    let mut out = Vec::new();
    for d in store::dashboards(c, tenant)? {
        for w in &d.widgets {
            let Some(q) = w.query.as_ref().filter(|q| q.dataset == dataset) else {
                continue;
            };
            for f in fields.iter().filter(|f| uses(q, f)) {
                out.push(Dependant {
                    dashboard_id: d.id.clone(),
                    dashboard_name: d.name.clone(),
                    widget_id: w.id.clone(),
                    widget_title: w.title.clone(),
                    field: f.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// `Ok` when replacing `old` by `new` is safe, else the `409` to answer.
///
/// # Errors
/// 409 naming the dependants (or the stored rows); database failures.
pub fn check_change(
    c: &Conn,
    tenant: &str,
    old: &Dataset,
    new: &DatasetInput,
    has_rows: bool,
) -> AppResult<()> {
    let (broken, retyped) = breaking_fields(old, new);
    let deps = dependants(c, tenant, &old.id, &broken)?;
    let rules = rule_dependants(c, tenant, &old.id, &broken)?;
    if !deps.is_empty() || !rules.is_empty() {
        let list = deps
            .iter()
            .map(|d| {
                format!(
                    "'{}' in widget '{}' of dashboard '{}'",
                    d.field, d.widget_title, d.dashboard_name
                )
            })
            .chain(
                rules
                    .iter()
                    .map(|r| format!("'{}' in alert rule '{}'", r.field, r.alert_rule_name)),
            )
            .collect::<Vec<_>>()
            .join("; ");
        return Err(AppError::conflict(format!(
            "the change drops or retypes fields that widgets or alert rules use: {list}"
        ))
        .with_details(json!({ "dependants": deps, "alertRules": rules, "fields": broken })));
    }
    if has_rows && !retyped.is_empty() {
        return Err(AppError::conflict(format!(
            "the dataset has rows, so the type of {} cannot change (delete its rows first, or add a new field)",
            retyped.join(", ")
        ))
        .with_details(json!({ "dependants": [], "fields": retyped })));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::demo;
    use vantage_contract::{FieldRole, FieldType};

    fn sales() -> (Dataset, DatasetInput) {
        let (_, input) = demo::definitions().remove(2);
        (input.clone().into_dataset("sales".into(), 1), input)
    }

    #[test]
    fn adding_fields_and_relabelling_break_nothing() {
        let (old, mut new) = sales();
        new.fields[1].label = "Sales region".into();
        new.fields.push(vantage_contract::FieldDef::new(
            "coupon",
            FieldType::String,
            FieldRole::Dimension,
            "Coupon",
        ));
        assert_eq!(breaking_fields(&old, &new), (vec![], vec![]));
    }

    #[test]
    fn drops_and_type_changes_are_breaking() {
        let (old, mut new) = sales();
        new.fields.retain(|f| f.name != "channel");
        new.fields[1].field_type = FieldType::Number;
        let (broken, retyped) = breaking_fields(&old, &new);
        assert_eq!(broken, vec!["region".to_owned(), "channel".to_owned()]);
        assert_eq!(retyped, vec!["region".to_owned()]);
    }
}
