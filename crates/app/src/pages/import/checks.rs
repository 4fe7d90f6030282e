//! The dataset definition's rules ([`DatasetInput::validate`]) that the import page can break,
//! worded in the active language ([`I`]) from the [`Rule`] the error carries, with the field's
//! path in front as the page has always named it (`timeField: …`). A name the message holds
//! (the time field) is read from the definition that was checked.
//!
//! The page can break: the dataset's name (blank, or a file name longer than the most
//! characters, which the name starts as), the retention (outside 1 to 36500 days; the number
//! field's own bounds usually stop it first), the number of fields (a file of more than 200
//! columns) and the time field (its column's Include unticked). Left in the contract's English,
//! as the page cannot break them: the id and the field names (made from the name and the
//! headers: identifiers, unique, never reserved), a label or unit too long (the inputs' length
//! limits, headers cut to fit), a format, known values or a description (never set), a measure
//! that is not a number (offered for numbers only) and a time field that is not a time (the
//! time field follows the type).

use vantage_contract::{DatasetInput, FieldError, Rule};

use crate::i18n::{trf, I};

/// `e`, found by `input.validate()`, as the page shows it: `field: what to change`.
pub fn definition_problem(e: &FieldError, input: &DatasetInput) -> String {
    let field = e.field.as_str();
    let n = |n: usize| n.to_string();
    match e.rule {
        Some(Rule::OneToChars(max)) => trf(I::RuleOneToChars, &[field, &n(max)]),
        Some(Rule::OneTo(max)) => trf(I::RuleOneTo, &[field, &n(max)]),
        Some(Rule::OneToFields(max)) => trf(I::RuleOneToFields, &[field, &n(max)]),
        Some(Rule::TimeFieldNotAField) => {
            trf(I::RuleTimeFieldNotAField, &[field, &input.time_field])
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::{field_name, ImportPlan};
    use super::*;

    fn plan(headers: &[&str]) -> ImportPlan {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let mut plan = ImportPlan::infer(&headers, &[]);
        plan.set_time_column(0);
        plan
    }

    /// The definition the page makes when "Create dataset and import" is pressed.
    fn submitted(plan: &ImportPlan, name: &str, retention_days: u32) -> DatasetInput {
        plan.dataset_input(&field_name(name, 0), name.trim(), retention_days)
    }

    /// Each rule the page's controls can break, broken with those controls: the catalog words it,
    /// and its English is the contract's own message (what a backend says), so the two cannot
    /// drift apart. The others keep the contract's message.
    #[test]
    fn definition_rules_the_page_can_break_are_worded_by_the_catalog_as_the_contract_says_them() {
        let small = plan(&["Time", "Region", "Amount (USD)"]);
        let mut headers = vec!["Time".to_owned()];
        headers.extend((1..=200).map(|i| format!("c{i}")));
        let wide = plan(&headers.iter().map(String::as_str).collect::<Vec<_>>());
        let mut no_time = small.clone();
        no_time.columns[0].include = false;
        let mut long_label = small.clone();
        long_label.columns[1].label = "x".repeat(121);
        let cases = [
            (submitted(&small, "   ", 365), true),
            (submitted(&small, &"Sales ".repeat(21), 365), true),
            (submitted(&small, "Sales", 0), true),
            (submitted(&small, "Sales", 36_501), true),
            (submitted(&wide, "Sales", 365), true),
            (submitted(&no_time, "Sales", 365), true),
            // Not possible on the page: the label input takes 120 characters.
            (submitted(&long_label, "Sales", 365), false),
        ];
        let mut rules = Vec::new();
        for (input, worded) in cases {
            let e = input.validate().unwrap_err();
            assert_eq!(e.rule.is_some(), worded, "{e}");
            // Too short and too long break the same rule.
            if let Some(rule) = e.rule.filter(|r| !rules.contains(r)) {
                rules.push(rule);
            }
            assert_eq!(definition_problem(&e, &input), e.to_string(), "{e}");
        }
        assert_eq!(rules.len(), 4);
        assert_eq!(
            submitted(&no_time, "Sales", 365)
                .validate()
                .unwrap_err()
                .to_string(),
            "timeField: no field 'time_value' in fields"
        );
    }
}
