//! The rules section of the alerts page: the tenant's alert rules (what each watches, in words,
//! and what its last check found) and, for roles that may configure alerts, a form to create or
//! edit one plus Enable/Disable and Delete per rule. The server checks a rule when it is saved
//! and every minute after; the list reloads every minute and when alerts change live (a rule
//! may just have fired).
//!
//! [`RuleDraft`] is the form as plain data (native tests below); the components only wire it.

use std::future::Future;

use leptos::prelude::*;
use vantage_contract::wire::name_of;
use vantage_contract::{
    Aggregation, Alert, AlertRule, AlertRuleInput, Comparison, Dataset, Measure, Severity,
};
use vantage_sdk::SdkError;
use vantage_widgets::format::{format_time, group, tick_decimals, TimeStyle};

use super::alerts::severity_label;
use super::filter_rows::{filter_text, to_filters, FilterDraft, FilterRows};
use super::password::{error_for, field_error, FormError};
use super::tenants::confirm;
use crate::i18n::{tr, trf, P, R};
use crate::request::Latest;
use crate::session::use_session;
use crate::toasts::{severity_class, use_alert_news};

/// The aggregations `field` of `dataset` allows — the contract's rule: `*` only counts, a
/// dimension counts (distinct) values, a measure allows what its definition lists.
pub fn aggregations_for(dataset: Option<&Dataset>, field: &str) -> Vec<Aggregation> {
    if field == "*" {
        return vec![Aggregation::Count];
    }
    let Some(ds) = dataset else {
        return Vec::new();
    };
    if let Some(m) = ds.measures.iter().find(|m| m.name == field) {
        m.aggregations.clone()
    } else if ds.dimensions.iter().any(|d| d.name == field) {
        vec![Aggregation::Count, Aggregation::CountDistinct]
    } else {
        Vec::new()
    }
}

/// An aggregation in words, in the viewer's language ("average").
pub fn aggregation_label(agg: Aggregation) -> &'static str {
    tr(match agg {
        Aggregation::Count => R::AggCount,
        Aggregation::Sum => R::AggSum,
        Aggregation::Avg => R::AggAvg,
        Aggregation::Min => R::AggMin,
        Aggregation::Max => R::AggMax,
        Aggregation::P50 => R::AggP50,
        Aggregation::P95 => R::AggP95,
        Aggregation::P99 => R::AggP99,
        Aggregation::CountDistinct => R::AggCountDistinct,
    })
}

/// `text` with its first letter upper-case (a sentence or an option starting with a word).
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A field as people know it: its label in the dataset, "rows" for `*`, else its name.
pub fn field_label(dataset: Option<&Dataset>, field: &str) -> String {
    if field == "*" {
        return tr(R::Rows).to_owned();
    }
    let ds = dataset.into_iter();
    ds.flat_map(|d| {
        let measures = d.measures.iter().map(|m| (&m.name, &m.label));
        measures.chain(d.dimensions.iter().map(|x| (&x.name, &x.label)))
    })
    .find(|(name, _)| *name == field)
    .map_or_else(|| field.to_owned(), |(_, label)| label.clone())
}

/// A value or threshold as text: grouped, with the decimals it needs (at most 2, 4 below 1).
pub fn number(value: f64) -> String {
    let most = if value.abs() < 1.0 { 4 } else { 2 };
    group(value, tick_decimals(value).min(most))
}

/// What a rule watches, in words: "P95 of Latency above 800 over 15 min".
pub fn condition_text(rule: &AlertRuleInput, dataset: Option<&Dataset>) -> String {
    let key = match rule.condition {
        Comparison::Above => R::ConditionAbove,
        Comparison::Below => R::ConditionBelow,
    };
    capitalized(&trf(
        key,
        &[
            aggregation_label(rule.measure.agg),
            &field_label(dataset, &rule.measure.field),
            &number(rule.threshold),
            &rule.window_minutes.to_string(),
        ],
    ))
}

/// What an alert raised by `rule` found, in words in the viewer's language ("P95 of Latency was
/// 912 over the last 15 min, above the threshold 800"), when `rule` is the definition that
/// raised it (not changed since); `None`: the server's message stands.
pub fn alert_message(alert: &Alert, rule: &AlertRule, dataset: Option<&Dataset>) -> Option<String> {
    let def = &rule.definition;
    if rule.id != alert.rule || rule.updated_at > alert.created_at || def.dataset != alert.dataset {
        return None;
    }
    let key = match def.condition {
        Comparison::Above => R::MessageAbove,
        Comparison::Below => R::MessageBelow,
    };
    Some(capitalized(&trf(
        key,
        &[
            aggregation_label(def.measure.agg),
            &field_label(dataset, &def.measure.field),
            &number(alert.value),
            &def.window_minutes.to_string(),
            &number(alert.threshold),
        ],
    )))
}

/// The rule form's content as typed (numbers as text until saved).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDraft {
    pub name: String,
    pub dataset: String,
    pub field: String,
    pub agg: Aggregation,
    pub condition: Comparison,
    pub threshold: String,
    pub window: String,
    pub severity: Severity,
    pub enabled: bool,
    /// Only rows matching these count (another dataset drops them).
    pub filters: Vec<FilterDraft>,
}

impl RuleDraft {
    /// An empty form on `dataset`: count of rows above a threshold over 15 minutes, a warning.
    pub fn new(dataset: &str) -> Self {
        Self {
            name: String::new(),
            dataset: dataset.to_owned(),
            field: "*".into(),
            agg: Aggregation::Count,
            condition: Comparison::Above,
            threshold: String::new(),
            window: "15".into(),
            severity: Severity::Warning,
            enabled: true,
            filters: Vec::new(),
        }
    }

    /// The form filled with a stored rule, to edit it.
    pub fn from_rule(rule: &AlertRuleInput) -> Self {
        Self {
            name: rule.name.clone(),
            dataset: rule.dataset.clone(),
            field: rule.measure.field.clone(),
            agg: rule.measure.agg,
            condition: rule.condition,
            threshold: rule.threshold.to_string(),
            window: rule.window_minutes.to_string(),
            severity: rule.severity,
            enabled: rule.enabled,
            filters: rule.filters.iter().map(FilterDraft::from_filter).collect(),
        }
    }

    /// Another dataset: its fields differ, so the measure starts again at the row count.
    pub fn set_dataset(&mut self, dataset: &str) {
        if self.dataset != dataset {
            self.dataset = dataset.to_owned();
            self.field = "*".into();
            self.agg = Aggregation::Count;
            self.filters.clear();
        }
    }

    /// Another field: the aggregation stays when the field allows it, else the field's first.
    pub fn set_field(&mut self, field: &str, dataset: Option<&Dataset>) {
        self.field = field.to_owned();
        let allowed = aggregations_for(dataset, field);
        if !allowed.contains(&self.agg) {
            self.agg = allowed.first().copied().unwrap_or(Aggregation::Count);
        }
    }

    /// The request body; `datasets`: the tenant's (a filter's operands are typed by its field).
    ///
    /// # Errors
    /// The field whose text cannot be sent (a number that does not parse, a filter without its
    /// operands), named as the server names it (`filters[1].value`), and what to type instead.
    /// Everything else is the server's to check (its 422 names the field).
    pub fn to_input(&self, datasets: &[Dataset]) -> Result<AlertRuleInput, (String, R)> {
        let threshold = self.threshold.trim().parse::<f64>().ok();
        let threshold = threshold
            .filter(|t| t.is_finite())
            .ok_or(("threshold".to_owned(), R::EnterNumber))?;
        let window_minutes = self
            .window
            .trim()
            .parse::<u32>()
            .map_err(|_| ("windowMinutes".to_owned(), R::EnterMinutes))?;
        let ds = datasets.iter().find(|d| d.id == self.dataset);
        let filters = to_filters(&self.filters, ds)?;
        Ok(AlertRuleInput {
            name: self.name.trim().to_owned(),
            dataset: self.dataset.clone(),
            measure: Measure::new(self.field.clone(), self.agg),
            filters,
            window_minutes,
            condition: self.condition,
            threshold,
            severity: self.severity,
            enabled: self.enabled,
        })
    }
}

/// One control of the rule form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Name,
    Dataset,
    Field,
    Agg,
    Condition,
    Threshold,
    Window,
    Severity,
}

impl Part {
    /// The form's controls, in order.
    pub const ALL: [Part; 8] = [
        Part::Name,
        Part::Dataset,
        Part::Field,
        Part::Agg,
        Part::Condition,
        Part::Threshold,
        Part::Window,
        Part::Severity,
    ];

    /// The control's element id.
    fn id(self) -> &'static str {
        match self {
            Part::Name => "rule-name",
            Part::Dataset => "rule-dataset",
            Part::Field => "rule-field",
            Part::Agg => "rule-agg",
            Part::Condition => "rule-condition",
            Part::Threshold => "rule-threshold",
            Part::Window => "rule-window",
            Part::Severity => "rule-severity",
        }
    }

    /// The contract field a server error names for this control.
    pub fn field(self) -> &'static str {
        match self {
            Part::Name => "name",
            Part::Dataset => "dataset",
            Part::Field => "measure.field",
            Part::Agg => "measure.agg",
            Part::Condition => "condition",
            Part::Threshold => "threshold",
            Part::Window => "windowMinutes",
            Part::Severity => "severity",
        }
    }

    /// The control's label in the viewer's language.
    fn label(self) -> &'static str {
        match self {
            Part::Name => tr(R::Name),
            Part::Dataset => tr(R::Dataset),
            Part::Field => tr(R::Field),
            Part::Agg => tr(R::Aggregation),
            Part::Condition => tr(R::Condition),
            Part::Threshold => tr(R::Threshold),
            Part::Window => tr(R::WindowMinutes),
            Part::Severity => tr(P::Severity),
        }
    }

    /// Typed into (a text or number input) rather than chosen from a list.
    fn typed(self) -> bool {
        matches!(self, Part::Name | Part::Threshold | Part::Window)
    }
}

impl RuleDraft {
    /// What `part` shows: the text typed, or the wire name of the choice.
    pub fn value(&self, part: Part) -> String {
        match part {
            Part::Name => self.name.clone(),
            Part::Dataset => self.dataset.clone(),
            Part::Field => self.field.clone(),
            Part::Agg => self.agg.as_str().into(),
            Part::Condition => self.condition.as_str().into(),
            Part::Threshold => self.threshold.clone(),
            Part::Window => self.window.clone(),
            Part::Severity => name_of(&self.severity).into(),
        }
    }

    /// `part` typed or chosen (`value` as [`Self::value`] gives it); `datasets`: the tenant's.
    pub fn set(&mut self, part: Part, value: &str, datasets: &[Dataset]) {
        match part {
            Part::Name => self.name = value.into(),
            Part::Dataset => self.set_dataset(value),
            Part::Field => {
                let ds = datasets.iter().find(|d| d.id == self.dataset);
                self.set_field(value, ds);
            }
            Part::Agg => self.agg = by_name(&Aggregation::ALL, value).unwrap_or(self.agg),
            Part::Condition => {
                self.condition = by_name(&Comparison::ALL, value).unwrap_or(self.condition)
            }
            Part::Threshold => self.threshold = value.into(),
            Part::Window => self.window = value.into(),
            Part::Severity => {
                self.severity = by_name(&Severity::ALL, value).unwrap_or(self.severity)
            }
        }
    }

    /// The (value, label) choices of a list `part` (empty for typed ones), in the viewer's
    /// language: the fields are "* (rows)", the dataset's measures, then its dimensions.
    pub fn choices(&self, part: Part, datasets: &[Dataset]) -> Vec<(String, String)> {
        let ds = datasets.iter().find(|d| d.id == self.dataset);
        match part {
            Part::Dataset => datasets
                .iter()
                .map(|d| (d.id.clone(), d.name.clone()))
                .collect(),
            Part::Field => {
                let mut all = vec![("*".to_owned(), format!("* ({})", tr(R::Rows)))];
                if let Some(d) = ds {
                    all.extend(d.measures.iter().map(|m| {
                        let unit = m.unit.as_ref().map(|u| format!(" ({u})"));
                        (m.name.clone(), m.label.clone() + &unit.unwrap_or_default())
                    }));
                    all.extend(
                        d.dimensions
                            .iter()
                            .map(|x| (x.name.clone(), x.label.clone())),
                    );
                }
                all
            }
            Part::Agg => aggregations_for(ds, &self.field)
                .into_iter()
                .map(|a| (a.as_str().into(), capitalized(aggregation_label(a))))
                .collect(),
            Part::Condition => vec![
                ("above".into(), tr(R::Above).into()),
                ("below".into(), tr(R::Below).into()),
            ],
            Part::Severity => Severity::ALL
                .map(|s| (name_of(&s).into(), severity_label(s).into()))
                .into(),
            Part::Name | Part::Threshold | Part::Window => Vec::new(),
        }
    }
}

/// The variant of `all` whose wire name is `name`.
fn by_name<T: serde::Serialize + Copy>(all: &[T], name: &str) -> Option<T> {
    all.iter().copied().find(|v| name_of(v) == name)
}

/// The fields the form shows a server message beside (the others show below the form).
const FORM_FIELDS: &[&str] = &[
    "name",
    "measure.field",
    "dataset",
    "measure.agg",
    "condition",
    "threshold",
    "windowMinutes",
    "severity",
];

/// `key` as text that follows the viewer's language (one closure type for every key).
fn t<K: crate::i18n::Key + Send + Sync>(key: K) -> impl IntoView {
    move || tr(key)
}

/// The rules section. `may_edit`: the viewer may configure alerts; `changed` runs after a rule
/// was saved (its first check may have raised an alert).
#[component]
pub fn AlertRules(
    may_edit: Signal<bool>,
    changed: Callback<()>,
    /// The tenant's rules as loaded (`None` until the first answer); the page words alerts with them.
    rules: RwSignal<Option<Result<Vec<AlertRule>, String>>>,
    /// The tenant's datasets (their fields' labels).
    datasets: RwSignal<Vec<Dataset>>,
) -> impl IntoView {
    let session = use_session();
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let user = session.user;
    let draft = RwSignal::new(RuleDraft::new(""));
    let editing = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let reload = RwSignal::new(0_u32);
    let changes = use_alert_news().map(|n| n.changes);
    let load = Latest::new();
    let load_api = api.clone();
    // Effect: (re)loads the rules and the datasets once someone is signed in, when alerts change
    // live (a rule fired, so its last check changed) and on Retry.
    Effect::new(move |_| {
        reload.track();
        if let Some(changes) = changes {
            changes.track();
        }
        if user.with(Option::is_none) {
            return;
        }
        let api = (*load_api).clone();
        load.run(async move {
            let (list, sets) = futures::join!(api.alert_rules(), api.datasets());
            if let Ok(sets) = sets {
                if let Some(first) = sets.items.first() {
                    draft.update(|d| {
                        if d.dataset.is_empty() {
                            d.set_dataset(&first.id);
                        }
                    });
                }
                datasets.set(sets.items);
            }
            rules.set(Some(list.map(|l| l.items).map_err(|e| e.user_message())));
        });
    });
    // The server checks every rule each minute; the list asks for what it found as often.
    if let Ok(handle) = set_interval_with_handle(
        move || reload.update(|n| *n += 1),
        std::time::Duration::from_secs(60),
    ) {
        on_cleanup(move || handle.clear());
    }
    // Puts the server's answer for one rule in the list (or removes it: `None`).
    let put = move |id: &str, rule: Option<AlertRule>| {
        rules.update(|list| {
            if let Some(Ok(list)) = list {
                let at = list.iter().position(|r| r.id == id);
                match (at, rule) {
                    (Some(i), Some(rule)) => list[i] = rule,
                    (None, Some(rule)) => list.push(rule),
                    (Some(i), None) => drop(list.remove(i)),
                    (None, None) => {}
                }
            }
        })
    };
    // Saves and deletes, aborted if the page is left (one at a time: the buttons wait for it).
    let save = Latest::new();
    let act = move |work: std::pin::Pin<Box<dyn Future<Output = Result<(), SdkError>>>>| {
        busy.set(true);
        action_error.set(None);
        save.run(async move {
            if let Err(e) = work.await {
                action_error.set(Some(e.user_message()));
            }
            busy.set(false);
        });
    };
    let toggle_api = api.clone();
    let toggle = Callback::new(move |rule: AlertRule| {
        let api = (*toggle_api).clone();
        let mut input = rule.definition;
        input.enabled = !input.enabled;
        act(Box::pin(async move {
            let saved = api.update_alert_rule(&rule.id, &input).await?;
            put(&rule.id, Some(saved));
            changed.run(());
            Ok(())
        }));
    });
    let delete_api = api.clone();
    let delete = Callback::new(move |rule: AlertRule| {
        if !confirm(&trf(R::DeleteQuestion, &[&rule.definition.name])) {
            return;
        }
        let api = (*delete_api).clone();
        act(Box::pin(async move {
            api.delete_alert_rule(&rule.id).await?;
            put(&rule.id, None);
            if editing.get_untracked().as_deref() == Some(rule.id.as_str()) {
                editing.set(None);
                draft.update(|d| *d = RuleDraft::new(&d.dataset));
            }
            Ok(())
        }));
    });
    let error: FormError = RwSignal::new(None);
    let name_input = NodeRef::<leptos::html::Input>::new();
    let edit = Callback::new(move |rule: AlertRule| {
        draft.set(RuleDraft::from_rule(&rule.definition));
        editing.set(Some(rule.id));
        error.set(None);
        // Focusing the first field also scrolls the form into view.
        if let Some(input) = name_input.get_untracked() {
            let _ = input.focus();
        }
    });
    let submit = Callback::new(move |()| {
        let input = datasets.with_untracked(|sets| draft.with_untracked(|d| d.to_input(sets)));
        let input = match input {
            Ok(input) => input,
            Err((field, key)) => return error.set(Some((Some(field), tr(key).into()))),
        };
        let api = (*api).clone();
        let id = editing.get_untracked();
        busy.set(true);
        error.set(None);
        save.run(async move {
            let saved = match &id {
                Some(id) => api.update_alert_rule(id, &input).await,
                None => api.create_alert_rule(&input).await,
            };
            match saved {
                Ok(rule) => {
                    put(&rule.id.clone(), Some(rule));
                    editing.set(None);
                    draft.update(|d| *d = RuleDraft::new(&d.dataset));
                    changed.run(());
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    });
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    let table = move || match rules.get() {
        None => view! {
            <div class="list-skeleton" aria-busy="true"><div class="row skeleton"></div></div>
        }
        .into_any(),
        Some(Err(message)) => super::load_failed(message, retry),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p class="app-empty">{t(R::NoRules)}</p> }.into_any()
        }
        Some(Ok(list)) => {
            let rows = list.into_iter().map(|rule| {
                view! { <RuleRow rule datasets may_edit busy edit toggle delete /> }
            });
            let rows = rows.collect_view().into_any();
            view! { <RulesTable may_edit rows /> }.into_any()
        }
    };
    view! {
        <section class="alert-rules" aria-labelledby="alert-rules-title">
            <h2 class="section-title" id="alert-rules-title">{t(R::RulesTitle)}</h2>
            <p class="muted">{t(R::RulesIntro)}</p>
            {move || (!may_edit.get()).then(|| view! { <p class="muted small">{t(R::RulesViewOnly)}</p> })}
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {table}
            {move || may_edit.get().then(|| view! {
                <RuleForm draft=draft datasets=datasets editing=editing busy=busy error=error name_input=name_input submit=submit />
            })}
        </section>
    }
}

/// The rules as a table with headers (the actions column only for roles that may edit).
#[component]
fn RulesTable(may_edit: Signal<bool>, rows: AnyView) -> impl IntoView {
    view! {
        <div class="card table-card">
            <table class="app-table rules-table">
                <caption class="sr-only">{t(R::RulesTitle)}</caption>
                <thead><tr>
                    <th scope="col">{t(R::Rule)}</th>
                    <th scope="col">{t(P::Severity)}</th>
                    <th scope="col">{t(P::Status)}</th>
                    <th scope="col">{t(R::LastCheck)}</th>
                    {move || may_edit.get().then(|| view! {
                        <th scope="col"><span class="sr-only">{t(P::Actions)}</span></th>
                    })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One rule in the list: its name and condition, severity, whether it is enabled, its last
/// check, and the actions for roles that may configure alerts.
#[component]
fn RuleRow(
    rule: AlertRule,
    datasets: RwSignal<Vec<Dataset>>,
    may_edit: Signal<bool>,
    busy: RwSignal<bool>,
    edit: Callback<AlertRule>,
    toggle: Callback<AlertRule>,
    delete: Callback<AlertRule>,
) -> impl IntoView {
    let stored = StoredValue::new(rule.clone());
    let input = rule.definition.clone();
    let condition = move || {
        datasets.with(|sets| {
            let ds = sets.iter().find(|d| d.id == input.dataset);
            let name = ds.map_or(input.dataset.as_str(), |d| d.name.as_str());
            let mut text = format!("{name} · {}", condition_text(&input, ds));
            for f in &input.filters {
                text.push_str(" · ");
                text.push_str(&filter_text(f, ds));
            }
            text
        })
    };
    let (enabled, severity) = (rule.definition.enabled, rule.definition.severity);
    let firing = rule.firing();
    let checked = rule.evaluated_at.map(|at| {
        move || {
            trf(
                R::CheckedAt,
                &[&format_time(at as f64, TimeStyle::DateTime)],
            )
        }
    });
    let last = match (&rule.error, rule.value) {
        (Some(error), _) => {
            let error = error.clone();
            view! { <span class="field-error">{move || trf(R::CheckFailed, &[&error])}</span> }
                .into_any()
        }
        (None, Some(value)) => view! {
            <strong class="rule-value">{number(value)}</strong>
            {if firing {
                view! { <span class=format!("sev-pill {}", severity_class(severity))>{t(R::Firing)}</span> }.into_any()
            } else {
                view! { <span class="role-pill">{t(R::NotFiring)}</span> }.into_any()
            }}
        }
        .into_any(),
        (None, None) if checked.is_some() => {
            view! { <span>{t(P::NoRowsInWindow)}</span> }.into_any()
        }
        (None, None) => view! { <span class="muted">{t(R::NotCheckedYet)}</span> }.into_any(),
    };
    view! {
        <tr data-rule-id=rule.id.clone() data-firing=firing.to_string() class:inactive=!enabled>
            <td>
                <strong>{rule.definition.name.clone()}</strong>
                <div class="muted small">{condition}</div>
            </td>
            <td><span class=format!("sev-pill {}", severity_class(severity))>{move || severity_label(severity)}</span></td>
            <td><span class="role-pill" class:off=!enabled>{move || tr(if enabled { R::Enabled } else { R::Disabled })}</span></td>
            <td class="rule-check">
                <div class="rule-last">{last}</div>
                {checked.map(|c| view! { <div class="muted small">{c}</div> })}
            </td>
            {move || may_edit.get().then(|| view! {
                <td><div class="row-actions">
                    <button type="button" class="app-button ghost" disabled=move || busy.get() on:click=move |_| edit.run(stored.get_value())>{t(R::Edit)}</button>
                    <button type="button" class="app-button" disabled=move || busy.get() on:click=move |_| toggle.run(stored.get_value())>
                        {move || tr(if enabled { R::Disable } else { R::Enable })}
                    </button>
                    <button type="button" class="app-button danger" disabled=move || busy.get() on:click=move |_| delete.run(stored.get_value())>{t(R::Delete)}</button>
                </div></td>
            })}
        </tr>
    }
}

/// One labelled control of the form (`part`), with the server's message for it beneath.
fn control(
    part: Part,
    draft: RwSignal<RuleDraft>,
    datasets: RwSignal<Vec<Dataset>>,
    error: FormError,
    node: NodeRef<leptos::html::Input>,
) -> AnyView {
    let (id, field) = (part.id(), part.field());
    let set = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        datasets.with_untracked(|sets| draft.update(|d| d.set(part, &value, sets)));
    };
    let state = Memo::new(move |_| {
        draft.with(|d| (d.value(part), datasets.with(|sets| d.choices(part, sets))))
    });
    let input = if part.typed() {
        let name = part == Part::Name;
        view! {
            <input id=id type=if name { "text" } else { "number" } node_ref=node required
                maxlength=name.then_some("120") aria-describedby=name.then_some("rule-name-hint")
                step=match part { Part::Window => "1", _ => "any" }
                min=(part == Part::Window).then_some("1") max=(part == Part::Window).then_some("1440")
                aria-invalid=move || error_for(error, field).is_some().to_string()
                prop:value=move || state.with(|s| s.0.clone()) on:input=set />
            {name.then(|| view! { <small id="rule-name-hint" class="muted">{t(R::NameHint)}</small> })}
        }
        .into_any()
    } else {
        let options = move || {
            let (current, choices) = state.get();
            let options = choices.into_iter().map(|(value, label)| {
                let selected = value == current;
                view! { <option value=value selected=selected>{label}</option> }
            });
            options.collect_view()
        };
        view! { <select id=id on:change=set>{options}</select> }.into_any()
    };
    view! {
        <label class="field" class:rule-name=part == Part::Name for=id>
            <span>{move || part.label()}</span>
            {input}
            {move || error_for(error, field).map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
        </label>
    }
    .into_any()
}

/// The new-rule / edit-rule form.
#[component]
fn RuleForm(
    draft: RwSignal<RuleDraft>,
    datasets: RwSignal<Vec<Dataset>>,
    editing: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    error: FormError,
    name_input: NodeRef<leptos::html::Input>,
    submit: Callback<()>,
) -> impl IntoView {
    let title = move || match editing.get() {
        Some(_) => trf(R::EditRule, &[&draft.with(|d| d.name.clone())]),
        None => tr(R::NewRule).to_owned(),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.run(());
    };
    let cancel = move |_| {
        editing.set(None);
        error.set(None);
        draft.update(|d| *d = RuleDraft::new(&d.dataset));
    };
    let controls = Part::ALL.map(|part| {
        let node = if part == Part::Name {
            name_input
        } else {
            NodeRef::new()
        };
        control(part, draft, datasets, error, node)
    });
    // A message naming no control of the form (a filter's is shown beside its row).
    let general = move || {
        error.with(|e| {
            let (field, message) = e.as_ref()?;
            let shown = field.as_deref().is_some_and(|f| {
                FORM_FIELDS.contains(&f) || (f.starts_with("filters[") && f.contains("]."))
            });
            (!shown).then(|| message.clone())
        })
    };
    view! {
        <form class="card inline-form rule-form" on:submit=on_submit on:input=move |_| error.set(None)
            novalidate aria-labelledby="rule-form-title">
            <h3 class="section-title" id="rule-form-title">{title}</h3>
            <div class="rule-form-fields">{controls.into_iter().collect_view()}</div>
            <FilterRows draft datasets error id="rule-filter" />
            <div class="form-actions">
                <button type="submit" class="app-button primary" disabled=move || busy.get()>
                    {move || tr(if busy.get() { R::Saving } else if editing.get().is_some() { R::SaveRule } else { R::CreateRule })}
                </button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" class="app-button ghost" on:click=cancel>{t(R::Cancel)}</button>
                })}
            </div>
            {move || general().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::dataset::{DatasetInput, FieldDef, FieldRole, FieldType};

    fn dataset() -> Dataset {
        let mut ds = DatasetInput {
            id: Some("validations".into()),
            name: "Validations".into(),
            description: String::new(),
            time_field: "ts".into(),
            fields: vec![
                FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time"),
                FieldDef::new("intent", FieldType::String, FieldRole::Dimension, "Intent"),
                FieldDef::new(
                    "latency_ms",
                    FieldType::Number,
                    FieldRole::Measure,
                    "Latency",
                ),
            ],
            retention_days: 90,
        }
        .into_dataset("validations".into(), 1);
        ds.measures[0].aggregations = vec![Aggregation::Avg, Aggregation::P95];
        ds
    }

    #[test]
    fn each_field_allows_the_aggregations_the_contract_allows() {
        let ds = dataset();
        assert_eq!(aggregations_for(None, "*"), vec![Aggregation::Count]);
        assert_eq!(
            aggregations_for(Some(&ds), "latency_ms"),
            vec![Aggregation::Avg, Aggregation::P95]
        );
        assert_eq!(
            aggregations_for(Some(&ds), "intent"),
            vec![Aggregation::Count, Aggregation::CountDistinct]
        );
        assert!(aggregations_for(Some(&ds), "ts").is_empty());
        // Every aggregation offered passes the server's check.
        for field in ["*", "latency_ms", "intent"] {
            for agg in aggregations_for(Some(&ds), field) {
                let mut d = RuleDraft::new("validations");
                d.name = "r".into();
                d.threshold = "1".into();
                d.field = field.into();
                d.agg = agg;
                assert_eq!(d.to_input(&[]).unwrap().validate(Some(&ds)), Ok(()));
            }
        }
    }

    #[test]
    fn a_condition_reads_as_a_sentence_with_the_field_labels() {
        let ds = dataset();
        let mut d = RuleDraft::new("validations");
        d.set_field("latency_ms", Some(&ds));
        d.agg = Aggregation::P95;
        d.threshold = "800".into();
        let input = d.to_input(&[]).unwrap();
        assert_eq!(
            condition_text(&input, Some(&ds)),
            "P95 of Latency above 800 over 15 min"
        );
        let mut rows = RuleDraft::new("validations");
        (rows.threshold, rows.window, rows.condition) =
            ("0.5".into(), "60".into(), Comparison::Below);
        assert_eq!(
            condition_text(&rows.to_input(&[]).unwrap(), None),
            "Count of rows below 0.5 over 60 min"
        );
        // Without the dataset, the field's name stands in for its label.
        assert_eq!(
            condition_text(&input, None),
            "P95 of latency_ms above 800 over 15 min"
        );
        assert_eq!(number(1234.5), "1,234.5");
        assert_eq!(number(0.81234), "0.8123");
    }

    #[test]
    fn an_alert_is_worded_from_the_rule_that_raised_it_while_unchanged() {
        let ds = dataset();
        let mut d = RuleDraft::new("validations");
        d.name = "Slow".into();
        d.threshold = "800".into();
        d.set_field("latency_ms", Some(&ds));
        d.agg = Aggregation::P95;
        let rule = AlertRule {
            id: "r1".into(),
            definition: d.to_input(&[]).unwrap(),
            created_at: 100,
            updated_at: 100,
            evaluated_at: Some(100),
            value: Some(912.0),
            error: None,
        };
        let alert = Alert {
            id: "a1".into(),
            rule: "r1".into(),
            severity: Severity::Warning,
            status: vantage_contract::AlertStatus::Open,
            title: "Slow".into(),
            message: "p95 of latency_ms was 912 …".into(),
            dataset: "validations".into(),
            value: 912.25,
            threshold: 800.0,
            created_at: 100,
            acknowledged_at: None,
            acknowledged_by: None,
            acknowledged_by_name: None,
            resolved_at: None,
        };
        assert_eq!(
            alert_message(&alert, &rule, Some(&ds)).as_deref(),
            Some("P95 of Latency was 912.25 over the last 15 min, above the threshold 800")
        );
        // Changed after the alert was raised, or another rule: the server's words stand.
        let later = AlertRule {
            updated_at: 101,
            ..rule.clone()
        };
        assert_eq!(alert_message(&alert, &later, Some(&ds)), None);
        let other = AlertRule {
            id: "r2".into(),
            ..rule
        };
        assert_eq!(alert_message(&alert, &other, Some(&ds)), None);
    }

    #[test]
    fn changing_dataset_or_field_keeps_the_measure_valid() {
        let ds = dataset();
        let mut d = RuleDraft::new("validations");
        d.set_field("latency_ms", Some(&ds));
        assert_eq!(d.agg, Aggregation::Avg, "count is not allowed on latency");
        d.agg = Aggregation::P95;
        d.set_field("intent", Some(&ds));
        assert_eq!(d.agg, Aggregation::Count);
        d.set_dataset("sales");
        assert_eq!((d.field.as_str(), d.agg), ("*", Aggregation::Count));
    }

    #[test]
    fn the_form_offers_the_choices_the_field_allows_and_reads_them_back() {
        let sets = [dataset()];
        let mut d = RuleDraft::new("validations");
        let values = |d: &RuleDraft, part| -> Vec<String> {
            d.choices(part, &sets).into_iter().map(|c| c.0).collect()
        };
        assert_eq!(values(&d, Part::Field), ["*", "latency_ms", "intent"]);
        assert_eq!(d.choices(Part::Field, &sets)[0].1, "* (rows)");
        assert_eq!(values(&d, Part::Agg), ["count"]);
        d.set(Part::Field, "latency_ms", &sets);
        assert_eq!(values(&d, Part::Agg), ["avg", "p95"]);
        d.set(Part::Agg, "p95", &sets);
        d.set(Part::Severity, "critical", &sets);
        d.set(Part::Condition, "below", &sets);
        d.set(Part::Agg, "bogus", &sets);
        assert_eq!(
            Part::ALL.map(|p| d.value(p))[1..],
            [
                "validations",
                "latency_ms",
                "p95",
                "below",
                "",
                "15",
                "critical"
            ]
        );
        assert!(values(&d, Part::Name).is_empty());
        // Every control's server field is shown beside it.
        assert!(Part::ALL.iter().all(|p| FORM_FIELDS.contains(&p.field())));
        assert_eq!(FORM_FIELDS.len(), Part::ALL.len());
    }

    #[test]
    fn numbers_that_do_not_parse_name_their_field_and_a_stored_rule_round_trips() {
        let sets = [dataset()];
        let err = |d: &RuleDraft| {
            let (field, key) = d.to_input(&sets).unwrap_err();
            (field, key)
        };
        let mut d = RuleDraft::new("validations");
        d.name = "  Busy  ".into();
        assert_eq!(err(&d), ("threshold".into(), R::EnterNumber));
        d.threshold = "1e999".into();
        assert_eq!(err(&d), ("threshold".into(), R::EnterNumber));
        d.threshold = "3".into();
        d.window = "1.5".into();
        assert_eq!(err(&d), ("windowMinutes".into(), R::EnterMinutes));
        d.window = "5000".into();
        // A filter's operands are typed by its field; its error names it as the server would.
        d.filters.push(FilterDraft::new(sets.first()));
        d.filters.push(FilterDraft::new(sets.first()));
        d.filters[0].text = "250".into();
        assert_eq!(err(&d), ("filters[1].value".into(), R::EnterValue));
        d.filters[1].set_field("intent", sets.first());
        d.filters[1].set_op("in");
        d.filters[1].text = "billing, refunds".into();
        let input = d.to_input(&sets).unwrap();
        assert_eq!((input.name.as_str(), input.window_minutes), ("Busy", 5000));
        assert_eq!(input.filters.len(), 2);
        assert_eq!(input.filters[0].value, Some(250.0.into()));
        assert_eq!(RuleDraft::from_rule(&input).to_input(&sets).unwrap(), input);
        // The form's words for a stored rule's filters.
        assert_eq!(
            filter_text(&input.filters[1], sets.first()),
            "Intent is one of billing, refunds"
        );
        // Another dataset drops them.
        d.set_dataset("sales");
        assert!(d.filters.is_empty());
    }
}
