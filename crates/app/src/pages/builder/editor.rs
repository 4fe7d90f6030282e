//! The widget editor panel: dataset → measures (with aggregation) → dimensions → time bucket →
//! chart kind, then title and options, with a live preview from a real query. "Add to
//! dashboard" / "Apply" commits the widget as one undo step.

use leptos::prelude::*;
use vantage_contract::{Aggregation, Granularity, TimePreset, WidgetKind};

use super::super::filter_rows::{to_filters, FilterRows};
use super::super::password::FormError;
use super::form::{self, kind_label, kind_value, parse_wire, wire, WidgetForm};
use super::preview::PreviewCard;
use super::Builder;
use crate::i18n::{tr, trf, tw, B};
use vantage_widgets::messages::Msg;

const GRANULARITIES: [(Granularity, B); 7] = [
    (Granularity::Minute, B::PerMinute),
    (Granularity::FiveMinutes, B::Per5Minutes),
    (Granularity::FifteenMinutes, B::Per15Minutes),
    (Granularity::Hour, B::PerHour),
    (Granularity::Day, B::PerDay),
    (Granularity::Week, B::PerWeek),
    (Granularity::Month, B::PerMonth),
];

const RANGES: [(TimePreset, B); 6] = [
    (TimePreset::Today, B::Today),
    (TimePreset::Last15m, B::Last15Minutes),
    (TimePreset::Last1h, B::LastHour),
    (TimePreset::Last24h, B::Last24Hours),
    (TimePreset::Last7d, B::Last7Days),
    (TimePreset::Last30d, B::Last30Days),
];

/// The panel; edits a copy of the form and commits on "Add"/"Apply".
#[component]
pub fn WidgetEditor(b: Builder) -> impl IntoView {
    let initial = b.editing.get_untracked();
    let adding = initial.as_ref().is_none_or(|f| f.id.is_none());
    let form = RwSignal::new(initial.unwrap_or_else(|| WidgetForm::new("")));
    let dataset = Memo::new(move |_| {
        let id = form.with(|f| f.dataset.clone());
        b.datasets
            .with(|list| list.iter().find(|d| d.id == id).cloned())
    });
    let checked = Memo::new(move |_| {
        let f = form.get();
        f.to_widget(f.id.as_deref().unwrap_or("preview"), dataset.get().as_ref())
    });
    let preview = Signal::derive(move || checked.get().ok());
    let problem = move || checked.get().err();
    let placeholder =
        Signal::derive(move || problem().unwrap_or_else(|| tr(B::ChooseDataForPreview).into()));
    let commit = move |_| {
        let Ok(widget) = checked.get_untracked() else {
            return;
        };
        let f = form.get_untracked();
        match f.id {
            Some(_) => b.edit(|s| {
                s.update_widget(widget);
            }),
            None => {
                let (w, h) = form::default_size(widget.kind);
                let mut new_id = String::new();
                b.edit(|s| {
                    new_id = s.add_widget(
                        widget.kind,
                        &widget.title,
                        widget.query,
                        widget.options,
                        w,
                        h,
                    )
                });
                b.announce.set(trf(B::AddedWidget, &[&new_id]));
            }
        }
        b.editing.set(None);
    };
    let close = move |_| b.editing.set(None);
    let on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            b.editing.set(None);
        }
    };
    view! {
        <aside class="builder-editor" aria-label=move || tr(B::WidgetEditor) on:keydown=on_escape>
            <h2>{move || tr(if adding { B::AddAWidget } else { B::EditWidget })}</h2>
            // The preview leads, so every change below is seen right away.
            <div class="builder-preview" aria-label=move || tr(B::Preview)>
                <PreviewCard b=b widget=preview placeholder=placeholder />
            </div>
            <DataFields b=b form=form />
            <fieldset class="builder-group">
                <legend>{move || tr(B::Chart)}</legend>
                <label class="builder-field">
                    <span>{move || tr(B::ChartKind)}</span>
                    <select
                        name="kind"
                        prop:value=move || kind_value(form.with(|f| f.kind))
                        on:change=move |ev| {
                            if let Some(kind) = parse_wire::<WidgetKind>(&event_target_value(&ev)) {
                                form.update(|f| f.set_kind(kind));
                            }
                        }
                    >
                        {WidgetKind::ALL.iter().map(|k| view! { <option value=kind_value(*k)>{move || kind_label(*k)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="builder-field">
                    <span>{move || tr(B::Title)}</span>
                    <input
                        type="text"
                        name="widget-title"
                        maxlength="200"
                        placeholder=move || form.with(WidgetForm::suggested_title)
                        prop:value=move || form.with(|f| f.title.clone())
                        on:input=move |ev| form.update(|f| f.title = event_target_value(&ev))
                    />
                </label>
                <label class="builder-field">
                    <span>{move || tr(B::OptionsJson)}</span>
                    <textarea
                        name="widget-options"
                        rows="3"
                        spellcheck="false"
                        prop:value=move || form.with(|f| f.options.clone())
                        on:input=move |ev| form.update(|f| f.options = event_target_value(&ev))
                    ></textarea>
                    <small class="muted">{move || tr(B::OptionsExample)}</small>
                </label>
            </fieldset>
            {move || problem().map(|p| view! { <p class="form-error" role="alert">{p}</p> })}
            <div class="builder-editor-actions">
                <button type="button" class="app-button ghost" on:click=close>{move || tr(B::Cancel)}</button>
                <button type="button" class="app-button primary" disabled=move || checked.with(Result::is_err) on:click=commit>
                    {move || tr(if adding { B::AddToDashboard } else { B::ApplyChanges })}
                </button>
            </div>
        </aside>
    }
}

/// Dataset, measures, dimensions, time bucket and range.
#[component]
fn DataFields(b: Builder, form: RwSignal<WidgetForm>) -> impl IntoView {
    let dataset = Memo::new(move |_| {
        let id = form.with(|f| f.dataset.clone());
        b.datasets
            .with(|list| list.iter().find(|d| d.id == id).cloned())
    });
    let is_alerts = move || form.with(|f| f.kind == WidgetKind::Alerts);
    // A filter row that cannot be sent, named beside it as soon as it is typed.
    let filter_error: FormError = RwSignal::new(None);
    Effect::new(move |_| {
        let problem = dataset.with(|ds| form.with(|f| to_filters(&f.filters, ds.as_ref()).err()));
        filter_error.set(problem.map(|(field, key)| (Some(field), tr(key).to_owned())));
    });
    let measures = move || {
        let Some(ds) = dataset.get() else {
            return ().into_any();
        };
        let count = measure_row(
            form,
            "*".into(),
            tr(B::RowCount).into(),
            vec![Aggregation::Count],
        );
        let rest = ds
            .measures
            .iter()
            .map(|m| {
                let label = match &m.unit {
                    Some(unit) => format!("{} ({unit})", m.label),
                    None => m.label.clone(),
                };
                measure_row(form, m.name.clone(), label, m.aggregations.clone())
            })
            .collect_view();
        view! { {count} {rest} }.into_any()
    };
    let dimensions = move || {
        dataset.get().map(|ds| {
            ds.dimensions
                .into_iter()
                .map(|d| {
                    let name = StoredValue::new(d.name.clone());
                    view! {
                        <label class="builder-check">
                            <input
                                type="checkbox"
                                prop:checked=move || form.with(|f| f.dimensions.contains(&name.get_value()))
                                on:change=move |_| form.update(|f| f.toggle_dimension(&name.get_value()))
                            />
                            {d.label}
                        </label>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <fieldset class="builder-group" disabled=is_alerts>
            <legend>{move || tr(B::Data)}</legend>
            <label class="builder-field">
                <span>{move || tr(B::Dataset)}</span>
                <select
                    name="dataset"
                    prop:value=move || form.with(|f| f.dataset.clone())
                    on:change=move |ev| form.update(|f| f.set_dataset(&event_target_value(&ev)))
                >
                    {move || b.datasets.get().into_iter().map(|d| view! { <option value=d.id.clone()>{d.name}</option> }).collect_view()}
                </select>
            </label>
            <div class="builder-subgroup" role="group" aria-label=move || tr(B::Measures)>
                <span class="builder-subhead">{move || tr(B::Measures)}</span>
                {measures}
            </div>
            <div class="builder-subgroup" role="group" aria-label=move || tr(B::GroupBy)>
                <span class="builder-subhead">{move || tr(B::GroupBy)}</span>
                {dimensions}
            </div>
            <FilterRows draft=form datasets=b.datasets error=filter_error id="widget-filter" />
            <div class="builder-row">
                <label class="builder-field">
                    <span>{move || tr(B::TimeBucket)}</span>
                    <select
                        name="granularity"
                        prop:value=move || form.with(|f| f.granularity.map(|g| wire(&g)).unwrap_or_default())
                        on:change=move |ev| form.update(|f| f.granularity = parse_wire(&event_target_value(&ev)))
                    >
                        <option value="">{move || tr(B::NoTimeBucket)}</option>
                        {GRANULARITIES.iter().map(|(g, label)| view! { <option value=wire(g)>{move || tr(*label)}</option> }).collect_view()}
                    </select>
                </label>
                <label class="builder-field">
                    <span>{move || tw(Msg::TimeRange)}</span>
                    <select
                        name="range"
                        prop:value=move || form.with(|f| f.time_range.map(|t| wire(&t)).unwrap_or_default())
                        on:change=move |ev| form.update(|f| f.time_range = parse_wire(&event_target_value(&ev)))
                    >
                        <option value="">{move || tr(B::DashboardDefault)}</option>
                        {RANGES.iter().map(|(t, label)| view! { <option value=wire(t)>{move || tr(*label)}</option> }).collect_view()}
                    </select>
                </label>
            </div>
        </fieldset>
    }
}

/// One measure: a checkbox and its aggregation.
fn measure_row(
    form: RwSignal<WidgetForm>,
    field: String,
    label: String,
    aggregations: Vec<Aggregation>,
) -> impl IntoView {
    let field = StoredValue::new(field);
    // Averages are the usual first question about a numeric measure.
    let first = if aggregations.contains(&Aggregation::Avg) {
        Aggregation::Avg
    } else {
        aggregations.first().copied().unwrap_or(Aggregation::Count)
    };
    let chosen = move || {
        form.with(|f| {
            f.measures
                .iter()
                .find(|(m, _)| *m == field.get_value())
                .map(|(_, a)| *a)
        })
    };
    let single = aggregations.len() <= 1;
    view! {
        <div class="builder-measure">
            <label class="builder-check">
                <input
                    type="checkbox"
                    prop:checked=move || chosen().is_some()
                    on:change=move |_| form.update(|f| f.toggle_measure(&field.get_value(), first))
                />
                {label.clone()}
            </label>
            {(!single).then(|| view! {
                <select
                    aria-label=move || trf(B::AggregationOf, &[&label])
                    disabled=move || chosen().is_none()
                    prop:value=move || wire(&chosen().unwrap_or(first))
                    on:change=move |ev| {
                        if let Some(agg) = parse_wire::<Aggregation>(&event_target_value(&ev)) {
                            form.update(|f| f.set_aggregation(&field.get_value(), agg));
                        }
                    }
                >
                    {aggregations.iter().map(|a| view! { <option value=wire(a)>{a.as_str()}</option> }).collect_view()}
                </select>
            })}
        </div>
    }
}
