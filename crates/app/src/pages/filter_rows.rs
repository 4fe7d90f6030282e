//! Filter rows ("only rows where Intent equals billing") of the alert rule form and the widget
//! editor: each one a field, an operator the field's type allows and its operand(s) as typed,
//! turned into the contract's [`Filter`] when the form is saved. Lists (`is one of`) and ranges
//! (`between`) are typed comma-separated. The time field is not offered: the rule's window, or
//! the widget's time range, already bounds time.
//!
//! [`FilterDraft`] is plain data (native tests below); [`FilterRows`] wires it to a form.

use leptos::prelude::*;
use serde_json::Value;
use vantage_contract::wire::name_of;
use vantage_contract::{ColumnType, Dataset, Filter, FilterOp};

use super::alert_rules::RuleDraft;
use super::password::FormError;
use crate::i18n::{tr, trf, R};

/// The operators a field of type `ty` takes, in the order the form lists them (the contract's
/// rule: `contains` only on text, comparisons and ranges only on numbers).
pub fn ops_for(ty: ColumnType) -> &'static [FilterOp] {
    use FilterOp::*;
    match ty {
        ColumnType::String => &[Eq, Neq, In, NotIn, Contains],
        ColumnType::Boolean => &[Eq, Neq],
        ColumnType::Integer | ColumnType::Float | ColumnType::Timestamp => {
            &[Eq, Neq, Gt, Gte, Lt, Lte, Between, In, NotIn]
        }
    }
}

/// An operator in words, in the viewer's language ("is one of").
pub fn op_label(op: FilterOp) -> &'static str {
    tr(match op {
        FilterOp::Eq => R::OpEq,
        FilterOp::Neq => R::OpNeq,
        FilterOp::In => R::OpIn,
        FilterOp::NotIn => R::OpNotIn,
        FilterOp::Gt => R::OpGt,
        FilterOp::Gte => R::OpGte,
        FilterOp::Lt => R::OpLt,
        FilterOp::Lte => R::OpLte,
        FilterOp::Between => R::OpBetween,
        FilterOp::Contains => R::OpContains,
    })
}

/// The fields a rule may filter on: `(name, label, type)` of the dataset's measures, then its
/// dimensions (the time field is not among them).
pub fn filter_fields(dataset: Option<&Dataset>) -> Vec<(String, String, ColumnType)> {
    let Some(ds) = dataset else {
        return Vec::new();
    };
    let measures = ds
        .measures
        .iter()
        .map(|m| (&m.name, &m.label, m.column_type));
    let dimensions = ds
        .dimensions
        .iter()
        .map(|d| (&d.name, &d.label, d.column_type));
    measures
        .chain(dimensions)
        .map(|(name, label, ty)| (name.clone(), label.clone(), ty))
        .collect()
}

/// A filter in words in the viewer's language, with the dataset's labels when it is given:
/// "Intent is one of billing, refunds" (a rule's filters), "intent equals billing" (a drill-down's
/// chips, an embed token's locked filters).
pub fn filter_text(filter: &Filter, dataset: Option<&Dataset>) -> String {
    let label = filter_fields(dataset)
        .into_iter()
        .find(|(name, ..)| *name == filter.field)
        .map_or_else(|| filter.field.clone(), |(_, label, _)| label);
    let operands = operand_text(
        filter,
        if filter.op == FilterOp::Between {
            " – "
        } else {
            ", "
        },
    );
    format!("{label} {} {operands}", op_label(filter.op))
}

/// `filter`'s operands as text, joined by `separator` (strings without quotes, whole numbers
/// without a decimal point). In a list, a string that holds a comma or a double quote, or
/// starts or ends with a space, is written in double quotes with its quotes doubled, as
/// [`split_list`] reads it back.
fn operand_text(filter: &Filter, separator: &str) -> String {
    let list = takes_list(filter.op);
    let text = filter.operands().into_iter().map(|v| match v {
        Value::String(s) if list && needs_quotes(s) => format!("\"{}\"", s.replace('"', "\"\"")),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    });
    text.collect::<Vec<_>>().join(separator)
}

fn needs_quotes(s: &str) -> bool {
    s.contains([',', '"']) || s.trim() != s
}

/// A list as typed: values separated by commas, each trimmed; a value in double quotes keeps
/// its commas and spaces, and `""` inside it is one quote (as in CSV). Empty values are left
/// out. A quote left open runs to the end.
fn split_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.next_if_eq(&'"').is_some() {
                        value.push('"');
                    } else {
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            // Anything between the closing quote and the comma is kept, trimmed.
            let mut tail = String::new();
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
                tail.push(c);
            }
            value.push_str(tail.trim());
        } else {
            for c in chars.by_ref() {
                if c == ',' {
                    break;
                }
                value.push(c);
            }
            value = value.trim().to_owned();
        }
        if !value.is_empty() {
            out.push(value);
        }
        if chars.peek().is_none() {
            return out;
        }
    }
}

/// Whether `op` takes a list of operands (typed comma-separated).
fn takes_list(op: FilterOp) -> bool {
    matches!(op, FilterOp::In | FilterOp::NotIn | FilterOp::Between)
}

/// One filter as typed in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterDraft {
    pub field: String,
    pub op: FilterOp,
    /// The operand(s) as typed; lists and ranges comma-separated.
    pub text: String,
}

impl FilterDraft {
    /// A new filter on the dataset's first filterable field (`equals`, nothing typed yet).
    pub fn new(dataset: Option<&Dataset>) -> Self {
        let field = filter_fields(dataset).into_iter().next();
        Self {
            field: field.map(|(name, ..)| name).unwrap_or_default(),
            op: FilterOp::Eq,
            text: String::new(),
        }
    }

    /// A stored filter, to edit it.
    pub fn from_filter(filter: &Filter) -> Self {
        Self {
            field: filter.field.clone(),
            op: filter.op,
            text: operand_text(filter, ", "),
        }
    }

    /// The field's type (`None`: not a field of `dataset`). The time field has one too: a
    /// filter on it set through the API is kept and can be edited, though not offered.
    fn column_type(&self, dataset: Option<&Dataset>) -> Option<ColumnType> {
        dataset?.field_type(&self.field)
    }

    /// Another field: the operator stays when the new field's type takes it, else `equals`.
    pub fn set_field(&mut self, field: &str, dataset: Option<&Dataset>) {
        self.field = field.to_owned();
        let ty = self.column_type(dataset).unwrap_or(ColumnType::String);
        if !ops_for(ty).contains(&self.op) {
            self.op = FilterOp::Eq;
        }
    }

    /// Another operator (by its wire name); an unknown name changes nothing.
    pub fn set_op(&mut self, op: &str) {
        if let Some(op) = FilterOp::ALL.iter().copied().find(|o| name_of(o) == op) {
            self.op = op;
        }
    }

    /// The contract's filter.
    ///
    /// # Errors
    /// The part of the filter that is wrong (`"field"`, `"value"` or `"values"`, as the
    /// server names them) and what to type instead.
    pub fn to_filter(&self, dataset: Option<&Dataset>) -> Result<Filter, (&'static str, R)> {
        let ty = self.column_type(dataset).ok_or(("field", R::ChooseField))?;
        let list = takes_list(self.op);
        let parts: Vec<String> = if list {
            split_list(&self.text)
        } else {
            vec![self.text.trim().to_owned()]
        };
        let part = if list { "values" } else { "value" };
        if parts.iter().all(|p| p.is_empty()) {
            return Err((part, R::EnterValue));
        }
        if self.op == FilterOp::Between && parts.len() != 2 {
            return Err((part, R::EnterRange));
        }
        let values = parts
            .into_iter()
            .map(|p| operand(&p, ty))
            .collect::<Option<Vec<Value>>>()
            .ok_or((
                part,
                match ty {
                    ColumnType::Boolean => R::EnterTrueFalse,
                    ColumnType::Integer | ColumnType::Timestamp => R::EnterWholeNumber,
                    ColumnType::Float => R::EnterNumber,
                    ColumnType::String => R::EnterValue,
                },
            ))?;
        let (value, values) = if list {
            (None, Some(values))
        } else {
            (values.into_iter().next(), None)
        };
        Ok(Filter {
            field: self.field.clone(),
            op: self.op,
            value,
            values,
        })
    }
}

/// `text` as an operand for a field of type `ty` (`None`: it is not one).
fn operand(text: &str, ty: ColumnType) -> Option<Value> {
    match ty {
        ColumnType::String => Some(Value::String(text.to_owned())),
        ColumnType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ColumnType::Integer | ColumnType::Timestamp => text.parse::<i64>().ok().map(Value::from),
        ColumnType::Float => {
            let n = text.parse::<f64>().ok().filter(|n| n.is_finite())?;
            serde_json::Number::from_f64(n).map(Value::Number)
        }
    }
}

/// `rows` as the contract's filters on `dataset`.
///
/// # Errors
/// The first row that cannot be sent, named as the server names it (`filters[1].value`), and
/// what to type instead.
pub fn to_filters(
    rows: &[FilterDraft],
    dataset: Option<&Dataset>,
) -> Result<Vec<Filter>, (String, R)> {
    let filters = rows.iter().enumerate().map(|(i, f)| {
        f.to_filter(dataset)
            .map_err(|(part, key)| (format!("filters[{i}].{part}"), key))
    });
    filters.collect()
}

/// A form whose draft holds filter rows on one dataset: the rule form's [`RuleDraft`], the
/// widget editor's form.
pub trait Filtered: Send + Sync + 'static {
    /// The id of the dataset the rows filter.
    fn dataset_id(&self) -> &str;
    /// The rows.
    fn rows(&self) -> &Vec<FilterDraft>;
    /// The rows, to change them.
    fn rows_mut(&mut self) -> &mut Vec<FilterDraft>;
}

impl Filtered for RuleDraft {
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

/// Runs `f` with `draft`'s dataset (`None`: not among `datasets`).
fn with_dataset<D: Filtered, T>(
    draft: RwSignal<D>,
    datasets: RwSignal<Vec<Dataset>>,
    f: impl FnOnce(Option<&Dataset>) -> T,
) -> T {
    let id = draft.with(|d| d.dataset_id().to_owned());
    datasets.with(|sets| f(sets.iter().find(|d| d.id == id)))
}

/// A form's filter rows ([`Filtered::rows`]): field, operator and operand per row, Remove on
/// each, and Add filter; the fields offered are those of the draft's dataset (in `datasets`).
/// `error`: the form's error, shown beside the row it names (`filters[i]…`); `id`: the prefix
/// of the controls' ids (`rule-filter` → `rule-filter-0-value`). The rows read the form's own
/// signals rather than signals of their own (each signal type costs the page's module a copy
/// of the reactive code: see BENCHMARKS.md).
#[component]
pub fn FilterRows<D: Filtered>(
    draft: RwSignal<D>,
    datasets: RwSignal<Vec<Dataset>>,
    error: FormError,
    id: &'static str,
) -> impl IntoView {
    let count = Memo::new(move |_| draft.with(|d| d.rows().len()));
    let rows = move || {
        (0..count.get())
            .map(|i| filter_row(i, id, draft, datasets, error))
            .collect_view()
    };
    let add = move |_| {
        let new = with_dataset(draft, datasets, FilterDraft::new);
        draft.update(|d| d.rows_mut().push(new));
    };
    view! {
        <fieldset class="rule-filters">
            <legend>{move || tr(R::OnlyRowsWhere)}</legend>
            {move || (count.get() == 0).then(|| view! { <p class="muted small">{move || tr(R::AllRowsCount)}</p> })}
            {rows}
            <button type="button" class="app-button ghost" on:click=add>{move || tr(R::AddFilter)}</button>
        </fieldset>
    }
}

/// Row `i` of [`FilterRows`].
fn filter_row<D: Filtered>(
    i: usize,
    id: &'static str,
    draft: RwSignal<D>,
    datasets: RwSignal<Vec<Dataset>>,
    error: FormError,
) -> AnyView {
    // What the row shows, read from the draft (`None` once the row is gone).
    let read = move |f: &dyn Fn(&FilterDraft) -> String| {
        draft.with(|d| d.rows().get(i).map(f).unwrap_or_default())
    };
    let change = move |edit: &dyn Fn(&mut FilterDraft, Option<&Dataset>)| {
        datasets.with_untracked(|sets| {
            draft.update(|d| {
                let ds = sets.iter().find(|x| x.id == d.dataset_id());
                if let Some(row) = d.rows_mut().get_mut(i) {
                    edit(row, ds);
                }
            });
        });
        error.set(None);
    };
    let op = move || draft.with(|d| d.rows().get(i).map_or(FilterOp::Eq, |r| r.op));
    let fields = move || {
        let current = read(&|r| r.field.clone());
        let mut fields = with_dataset(draft, datasets, filter_fields);
        // A field not offered (the time field, one the dataset no longer has, set through the
        // API) is still shown as the row's, not silently replaced by the first.
        if !current.is_empty() && !fields.iter().any(|f| f.0 == current) {
            fields.insert(0, (current.clone(), current.clone(), ColumnType::String));
        }
        let options = fields.into_iter().map(|(name, label, _)| {
            let selected = name == current;
            view! { <option value=name selected=selected>{label}</option> }
        });
        options.collect_view()
    };
    let ops = move || {
        let (op, field) = (op(), read(&|r| r.field.clone()));
        let ty = with_dataset(draft, datasets, |ds| ds?.field_type(&field));
        let options = ops_for(ty.unwrap_or(ColumnType::String)).iter().map(|&o| {
            view! { <option value=name_of(&o) selected=o == op>{op_label(o)}</option> }
        });
        options.collect_view()
    };
    let hint = move || match op() {
        FilterOp::Between => Some(tr(R::RangeHint)),
        FilterOp::In | FilterOp::NotIn => Some(tr(R::ListHint)),
        _ => None,
    };
    // The dataset's known values of a text field, offered while typing.
    let known = move || {
        let field = read(&|r| r.field.clone());
        with_dataset(draft, datasets, |ds| {
            let values = &ds?.dimensions.iter().find(|d| d.name == field)?.values;
            let options = values
                .iter()
                .map(|v| view! { <option value=v.clone()></option> });
            Some(options.collect_view())
        })
    };
    let message = move || {
        error.with(|e| {
            let (field, message) = e.as_ref()?;
            let prefix = format!("filters[{i}]");
            field
                .as_deref()
                .filter(|f| f.starts_with(&prefix))
                .map(|_| message.clone())
        })
    };
    let (field_id, op_id, value_id) = (
        format!("{id}-{i}-field"),
        format!("{id}-{i}-op"),
        format!("{id}-{i}-value"),
    );
    let list_id = format!("{id}-{i}-known");
    view! {
        <div class="rule-filter" data-filter=i.to_string()>
            <label class="field" for=field_id.clone()>
                <span>{move || tr(R::Field)}</span>
                <select id=field_id.clone() on:change=move |ev| {
                    let value = event_target_value(&ev);
                    change(&|d, ds| d.set_field(&value, ds));
                }>{fields}</select>
            </label>
            <label class="field" for=op_id.clone()>
                <span>{move || tr(R::Operator)}</span>
                <select id=op_id.clone() on:change=move |ev| {
                    let value = event_target_value(&ev);
                    change(&|d, _| d.set_op(&value));
                }>{ops}</select>
            </label>
            <label class="field" for=value_id.clone()>
                <span>{move || tr(R::Value)}</span>
                <input id=value_id.clone() type="text" list=list_id.clone() autocomplete="off"
                    aria-invalid=move || message().is_some().to_string()
                    prop:value=move || read(&|r| r.text.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        change(&|d, _| d.text.clone_from(&value));
                    } />
                <datalist id=list_id>{known}</datalist>
                {move || hint().map(|h| view! { <small class="muted">{h}</small> })}
                {move || message().map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
            </label>
            <button type="button" class="app-button ghost rule-filter-remove"
                aria-label=move || trf(R::RemoveFilterNamed, &[&(i + 1).to_string()])
                on:click=move |_| draft.update(|d| {
                    if i < d.rows().len() {
                        d.rows_mut().remove(i);
                    }
                })>{move || tr(R::Remove)}</button>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::dataset::{DatasetInput, FieldDef, FieldRole, FieldType};

    fn dataset() -> Dataset {
        DatasetInput {
            id: Some("validations".into()),
            name: "Validations".into(),
            description: String::new(),
            time_field: "ts".into(),
            fields: vec![
                FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time"),
                FieldDef::new("intent", FieldType::String, FieldRole::Dimension, "Intent")
                    .with_values(&["billing", "refunds"]),
                FieldDef::new("passed", FieldType::Boolean, FieldRole::Dimension, "Passed"),
                FieldDef::new(
                    "latency_ms",
                    FieldType::Number,
                    FieldRole::Measure,
                    "Latency",
                ),
                FieldDef::new("tokens", FieldType::Number, FieldRole::Measure, "Tokens")
                    .with_format("integer"),
            ],
            retention_days: 90,
        }
        .into_dataset("validations".into(), 1)
    }

    fn draft(field: &str, op: FilterOp, text: &str) -> FilterDraft {
        FilterDraft {
            field: field.into(),
            op,
            text: text.into(),
        }
    }

    #[test]
    fn each_type_offers_the_operators_the_contract_takes() {
        let ds = dataset();
        for (name, _, ty) in filter_fields(Some(&ds)) {
            for &op in ops_for(ty) {
                let text = match (ty, op) {
                    (ColumnType::String, _) => "a, b",
                    (ColumnType::Boolean, _) => "true",
                    (_, FilterOp::Between) => "1, 2",
                    _ => "3",
                };
                let filter = draft(&name, op, text).to_filter(Some(&ds)).unwrap();
                assert_eq!(filter.validate(&ds), Ok(()), "{name} {op:?}");
            }
        }
        let names: Vec<String> = filter_fields(Some(&ds)).into_iter().map(|f| f.0).collect();
        assert_eq!(
            names,
            ["latency_ms", "tokens", "intent", "passed"],
            "no time field"
        );
    }

    #[test]
    fn operands_are_parsed_as_the_field_types_them() {
        let ds = Some(dataset());
        let ds = ds.as_ref();
        let f = draft("intent", FilterOp::In, " billing, refunds ,").to_filter(ds);
        assert_eq!(
            f.unwrap().values,
            Some(vec!["billing".into(), "refunds".into()])
        );
        let f = draft("latency_ms", FilterOp::Between, "100, 250.5").to_filter(ds);
        assert_eq!(f.unwrap().values, Some(vec![100.0.into(), 250.5.into()]));
        let f = draft("passed", FilterOp::Eq, "False")
            .to_filter(ds)
            .unwrap();
        assert_eq!(f.value, Some(false.into()));
        let f = draft("tokens", FilterOp::Gt, "12").to_filter(ds).unwrap();
        assert_eq!(f.value, Some(12.into()));
        assert_eq!(f.values, None);
    }

    #[test]
    fn what_cannot_be_sent_names_its_part_and_what_to_type() {
        let ds = Some(dataset());
        let ds = ds.as_ref();
        let err = |d: FilterDraft| d.to_filter(ds).unwrap_err();
        assert_eq!(
            err(draft("intent", FilterOp::Eq, "  ")),
            ("value", R::EnterValue)
        );
        assert_eq!(
            err(draft("intent", FilterOp::In, " , ")),
            ("values", R::EnterValue)
        );
        assert_eq!(
            err(draft("tokens", FilterOp::Eq, "1.5")),
            ("value", R::EnterWholeNumber)
        );
        assert_eq!(
            err(draft("latency_ms", FilterOp::Lt, "fast")),
            ("value", R::EnterNumber)
        );
        assert_eq!(
            err(draft("latency_ms", FilterOp::Lt, "NaN")),
            ("value", R::EnterNumber)
        );
        assert_eq!(
            err(draft("passed", FilterOp::Eq, "yes")),
            ("value", R::EnterTrueFalse)
        );
        assert_eq!(
            err(draft("latency_ms", FilterOp::Between, "1, 2, 3")),
            ("values", R::EnterRange)
        );
        // The time field is not offered, but a filter on it (set through the API) is kept.
        let since = draft("ts", FilterOp::Gt, "1700000000000").to_filter(ds);
        assert_eq!(since.unwrap().value, Some(1_700_000_000_000_i64.into()));
        assert_eq!(
            err(draft("ts", FilterOp::Gt, "soon")),
            ("value", R::EnterWholeNumber)
        );
        assert_eq!(
            err(draft("gone", FilterOp::Eq, "x")),
            ("field", R::ChooseField)
        );
    }

    #[test]
    fn a_stored_filter_round_trips_and_reads_in_words() {
        let ds = dataset();
        let stored = Filter {
            field: "intent".into(),
            op: FilterOp::NotIn,
            value: None,
            values: Some(vec!["billing".into(), "refunds".into()]),
        };
        let edited = FilterDraft::from_filter(&stored);
        assert_eq!(edited.text, "billing, refunds");
        assert_eq!(edited.to_filter(Some(&ds)).unwrap(), stored);
        assert_eq!(
            filter_text(&stored, Some(&ds)),
            "Intent is none of billing, refunds"
        );
        let range = draft("latency_ms", FilterOp::Between, "1, 2").to_filter(Some(&ds));
        assert_eq!(
            filter_text(&range.unwrap(), None),
            "latency_ms is between 1 – 2"
        );
    }

    #[test]
    fn list_values_with_commas_and_quotes_are_typed_in_double_quotes() {
        assert_eq!(split_list(" a , b,,c, "), ["a", "b", "c"]);
        assert_eq!(
            split_list(r#""Smith, John", Doe , "say ""hi""", " padded ""#),
            ["Smith, John", "Doe", r#"say "hi""#, " padded "]
        );
        assert_eq!(split_list(r#""open, quote"#), ["open, quote"]);
        assert_eq!(split_list(r#""a" b, c"#), ["ab", "c"]);
        assert!(split_list("  ").is_empty());
        let ds = dataset();
        let stored = Filter {
            field: "intent".into(),
            op: FilterOp::In,
            value: None,
            values: Some(vec![
                "Smith, John".into(),
                r#"say "hi""#.into(),
                "plain".into(),
                " padded".into(),
            ]),
        };
        let edited = FilterDraft::from_filter(&stored);
        assert_eq!(
            edited.text,
            r#""Smith, John", "say ""hi""", plain, " padded""#
        );
        assert_eq!(edited.to_filter(Some(&ds)).unwrap(), stored);
        // One value (equals) is taken as typed, commas and all.
        let one = draft("intent", FilterOp::Eq, "a, b").to_filter(Some(&ds));
        assert_eq!(one.unwrap().value, Some(Value::from("a, b")));
    }

    #[test]
    fn another_field_keeps_the_operator_only_when_its_type_takes_it() {
        let ds = Some(dataset());
        let mut d = draft("latency_ms", FilterOp::Gt, "5");
        d.set_field("tokens", ds.as_ref());
        assert_eq!(d.op, FilterOp::Gt);
        d.set_field("intent", ds.as_ref());
        assert_eq!(d.op, FilterOp::Eq);
        d.set_op("contains");
        assert_eq!(d.op, FilterOp::Contains);
        d.set_op("nonsense");
        assert_eq!(d.op, FilterOp::Contains);
        assert_eq!(FilterDraft::new(ds.as_ref()).field, "latency_ms");
    }
}
