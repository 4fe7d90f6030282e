//! The contract's query rules ([`Query::validate`]) that the widget editor's controls can break,
//! worded in the active language ([`B`]) from the [`Rule`] the error carries, with the field's
//! path in front as the form's own checks have it (`measures: …`). A name the message holds (a
//! result column) is read from the query that was checked.
//!
//! Left in the contract's English, as the controls cannot break them: an unknown dimension or
//! measure and an aggregation the field does not allow (the controls offer only the dataset's
//! fields and their aggregations; only a dataset redefined through the API leaves a widget with
//! one), an alias, a sort, a limit, `comparePrevious` and a time zone (no controls: kept from the
//! widget as saved, or dropped when the edit makes them wrong), a custom time range (the
//! controls offer presets), the dataset (chosen from the list) and a filter's field, operator
//! and operand types (the filter rows name those beside the row first).

use vantage_contract::{FieldError, Query, Rule};

use crate::i18n::{trf, B};

/// `e`, found by `query.validate(…)`, as the editor shows it: `field: what to change`.
pub fn query_problem(e: &FieldError, query: &Query) -> String {
    let field = e.field.as_str();
    let n = |n: usize| n.to_string();
    match e.rule {
        Some(Rule::OneToMeasures(max)) => trf(B::RuleMeasures, &[field, &n(max)]),
        Some(Rule::AtMostDimensions(max)) => trf(B::RuleDimensions, &[field, &n(max)]),
        Some(Rule::DuplicateColumn(i)) => match query.output_columns().get(i) {
            Some(column) => trf(B::RuleDuplicateColumn, &[field, column]),
            None => e.to_string(),
        },
        Some(Rule::AtMostFilters(max)) => trf(B::RuleFilters, &[field, &n(max)]),
        Some(Rule::OneToValues(max)) => trf(B::RuleFilterValues, &[field, &n(max)]),
        Some(Rule::TooManyTimeBuckets) => trf(B::RuleTimeBuckets, &[field]),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::filter_rows::FilterDraft;
    use super::super::form::WidgetForm;
    use super::*;
    use vantage_contract::dataset::{DatasetInput, FieldDef, FieldRole, FieldType};
    use vantage_contract::{Aggregation, Dataset, Granularity, Position, TimeRange, Widget};

    /// A dataset with more dimensions and measures than a query may take, and a dimension
    /// named `count`, like the row count's result column (a CSV column "Count" becomes one).
    fn big() -> Dataset {
        let mut fields = vec![
            FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time"),
            FieldDef::new("count", FieldType::String, FieldRole::Dimension, "Count"),
        ];
        for i in 0..11 {
            let name = format!("d{i}");
            fields.push(FieldDef::new(
                &name,
                FieldType::String,
                FieldRole::Dimension,
                &name,
            ));
        }
        for i in 0..21 {
            let name = format!("m{i}");
            fields.push(FieldDef::new(
                &name,
                FieldType::Number,
                FieldRole::Measure,
                &name,
            ));
        }
        let input = DatasetInput {
            id: Some("big".into()),
            name: "Big".into(),
            description: String::new(),
            time_field: "ts".into(),
            fields,
            retention_days: 365,
        };
        input.validate().unwrap();
        input.into_dataset("big".into(), 1)
    }

    fn filter_row(ds: &Dataset, op: &str, text: String) -> FilterDraft {
        let mut row = FilterDraft::new(Some(ds));
        row.set_field("d0", Some(ds));
        row.set_op(op);
        row.text = text;
        row
    }

    /// A saved widget over the last 30 days as a custom range (made through the API: the
    /// editor offers presets only).
    fn widget_over_30_days() -> Widget {
        let mut query = Query::new(
            "big",
            vec![vantage_contract::Measure::new("*", Aggregation::Count)],
        );
        query.time_range = Some(TimeRange::absolute(0, 30 * 86_400_000));
        Widget {
            id: "w".into(),
            kind: vantage_contract::WidgetKind::Bar,
            title: "Rows".into(),
            position: Position {
                x: 0,
                y: 0,
                w: 4,
                h: 3,
            },
            query: Some(query),
            options: serde_json::json!({}),
        }
    }

    /// Each rule the editor's controls can break, broken with those controls: the catalog words
    /// it, and its English is the contract's own message (what a backend says), so the two
    /// cannot drift apart. The others keep the contract's message.
    #[test]
    fn query_rules_the_editor_can_break_are_worded_by_the_catalog_as_the_contract_says_them() {
        let ds = big();
        type Change = fn(&mut WidgetForm, &Dataset);
        let cases: [(Change, bool); 8] = [
            // The row count unticked and nothing else chosen.
            (|f, _| f.toggle_measure("*", Aggregation::Count), true),
            (
                |f, _| (0..21).for_each(|i| f.toggle_measure(&format!("m{i}"), Aggregation::Avg)),
                true,
            ),
            (
                |f, _| (0..11).for_each(|i| f.toggle_dimension(&format!("d{i}"))),
                true,
            ),
            (|f, _| f.toggle_dimension("count"), true),
            (
                |f, ds| f.filters = vec![filter_row(ds, "eq", "x".into()); 51],
                true,
            ),
            (
                |f, ds| {
                    let values: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
                    f.filters = vec![filter_row(ds, "in", values.join(", "))];
                },
                true,
            ),
            (
                |f, _| {
                    *f = WidgetForm::from_widget(&widget_over_30_days());
                    f.granularity = Some(Granularity::Minute);
                },
                true,
            ),
            // Not offered by the controls: an aggregation a dimension does not allow.
            (
                |f, _| f.measures = vec![("d0".into(), Aggregation::Avg)],
                false,
            ),
        ];
        let mut rules = Vec::new();
        for (change, worded) in cases {
            let mut form = WidgetForm::new("big");
            change(&mut form, &ds);
            let query = form.query(Some(&ds)).unwrap();
            let e = query.validate(&ds).unwrap_err();
            assert_eq!(e.rule.is_some(), worded, "{e}");
            // None and too many measures break the same rule.
            if let Some(rule) = e.rule.filter(|r| !rules.contains(r)) {
                rules.push(rule);
            }
            assert_eq!(query_problem(&e, &query), e.to_string(), "{e}");
            assert_eq!(form.to_widget("w", Some(&ds)).unwrap_err(), e.to_string());
        }
        assert_eq!(rules.len(), 6);
        assert!(rules.contains(&Rule::DuplicateColumn(1)), "{rules:?}");
    }
}
