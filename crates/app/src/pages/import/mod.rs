//! New dataset from a file (tenant admins): pick or drop a CSV, check the guessed columns
//! (type, role, label, which one is the time field) against a preview of the first rows, then
//! create the dataset and send the rows through the ingest API with a progress bar, Cancel, and
//! a summary of what was stored and refused (downloadable as CSV). The file is read in slices
//! and parsed in the browser as it streams (see [`run`]); the pure parts are [`parse`],
//! [`values`], [`columns`], [`checks`] (the definition's rules in the user's language) and
//! [`outcome`].

mod checks;
mod columns;
mod outcome;
mod parse;
mod run;
mod values;

use leptos::prelude::*;
use vantage_contract::{FieldRole, FieldType, Role};

use self::checks::definition_problem;
use self::columns::{field_name, ImportPlan};
use self::outcome::{refused_rows, stored_rows, Ending, Tally};
use self::run::{ImportJob, Preview};
use super::require_login;
use crate::brand::use_page_title;
use crate::download::{download_bytes, file_stem};
use crate::i18n::{tr, trf, I};
use crate::request::Latest;
use crate::session::use_session;

/// Rows of the file shown under the column editor.
const PREVIEW_SHOWN: usize = 5;
/// Refusals listed on the page (all of them are in the download).
const REFUSALS_SHOWN: usize = 200;

const TYPES: [(FieldType, I); 4] = [
    (FieldType::Time, I::TypeTime),
    (FieldType::Number, I::TypeNumber),
    (FieldType::Boolean, I::TypeBoolean),
    (FieldType::String, I::TypeText),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Choose,
    Preview,
    Running,
    Done,
}

#[component]
pub fn ImportPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(I::NewDatasetFromFile).into());
    let user = use_session().user;
    let allowed = move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.role.at_least(Role::TenantAdmin))
        })
    };
    view! {
        <section class="page import-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(I::NewDatasetFromFile)}</h1>
                    <p class="muted">{move || tr(I::Intro)}</p>
                </div>
            </div>
            {move || if allowed() {
                view! { <Importer /> }.into_any()
            } else {
                view! { <p class="notice">{move || tr(I::NeedsTenantAdmin)}</p> }.into_any()
            }}
        </section>
    }
}

/// The whole flow; state lives here, the steps below only read and write it.
#[derive(Clone, Copy)]
struct Flow {
    phase: RwSignal<Phase>,
    file: RwSignal<Option<web_sys::File>, LocalStorage>,
    preview: RwSignal<Option<Preview>>,
    plan: RwSignal<Option<ImportPlan>>,
    name: RwSignal<String>,
    retention: RwSignal<String>,
    error: RwSignal<Option<String>>,
    progress: RwSignal<Tally>,
    cancel: RwSignal<bool>,
    result: RwSignal<Option<(Tally, Ending)>>,
    dataset: RwSignal<String>,
    api: StoredValue<vantage_sdk::ApiClient, LocalStorage>,
    work: Latest,
}

#[component]
fn Importer() -> impl IntoView {
    let flow = Flow {
        phase: RwSignal::new(Phase::Choose),
        file: RwSignal::new_local(None),
        preview: RwSignal::new(None),
        plan: RwSignal::new(None),
        name: RwSignal::new(String::new()),
        retention: RwSignal::new("365".into()),
        error: RwSignal::new(None),
        progress: RwSignal::new(Tally::default()),
        cancel: RwSignal::new(false),
        result: RwSignal::new(None),
        dataset: RwSignal::new(String::new()),
        api: StoredValue::new_local(use_session().api),
        work: Latest::new(),
    };
    // Leaving mid-import stops it after the batch in flight (the summary would be lost with the
    // page), so a link or closing the tab asks first.
    let guard = StoredValue::new_local(crate::leave_guard::LeaveGuard::install(
        move || flow.phase.try_get_untracked() == Some(Phase::Running),
        untrack(|| tr(I::LeaveRunning)),
    ));
    on_cleanup(move || guard.update_value(|g| *g = None));
    view! {
        {move || match flow.phase.get() {
            Phase::Choose => view! { <ChooseFile flow=flow /> }.into_any(),
            Phase::Preview => view! { <ColumnsStep flow=flow /> }.into_any(),
            Phase::Running => view! { <ProgressStep flow=flow /> }.into_any(),
            Phase::Done => view! { <SummaryStep flow=flow /> }.into_any(),
        }}
        {move || flow.error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

impl Flow {
    /// Reads the start of `file` and moves to the column step.
    fn open(self, file: web_sys::File) {
        self.error.set(None);
        let name = file.name();
        let stem = name
            .rsplit_once('.')
            .map_or(name.as_str(), |(s, _)| s)
            .replace(['_', '-'], " ");
        self.name.set(stem.trim().to_owned());
        self.file.set(Some(file.clone()));
        self.work.run(async move {
            match run::read_preview(&file).await {
                Ok(preview) => {
                    let sample: Vec<Vec<String>> =
                        preview.rows.iter().map(|r| r.fields.clone()).collect();
                    // Labels for unnamed columns are words of the active language, read once.
                    let plan = untrack(|| ImportPlan::infer(&preview.headers, &sample));
                    self.plan.set(Some(plan));
                    self.preview.set(Some(preview));
                    self.phase.set(Phase::Preview);
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Creates the dataset, then runs the import.
    fn start(self) {
        self.error.set(None);
        let (Some(plan), Some(file), Some(preview)) = (
            self.plan.get_untracked(),
            self.file.get_untracked(),
            self.preview.get_untracked(),
        ) else {
            return;
        };
        if let Some(problem) = plan.problem() {
            self.error.set(Some(problem));
            return;
        }
        let Ok(retention) = self.retention.get_untracked().trim().parse::<u32>() else {
            self.error.set(Some(tr(I::RetentionNotNumber).into()));
            return;
        };
        let name = self.name.get_untracked();
        let id = field_name(&name, 0);
        let input = plan.dataset_input(&id, name.trim(), retention);
        if let Err(e) = input.validate() {
            self.error.set(Some(definition_problem(&e, &input)));
            return;
        }
        let api = self.api.get_value();
        self.work.run(async move {
            if let Err(e) = api.create_dataset(&input).await {
                let message = untrack(|| trf(I::CouldNotCreate, &[&e.to_string()]));
                self.error.set(Some(message));
                return;
            }
            self.dataset.set(id.clone());
            self.cancel.set(false);
            self.progress.set(Tally::default());
            self.phase.set(Phase::Running);
            let job = ImportJob {
                api,
                file,
                delimiter: preview.delimiter,
                plan,
                dataset: id,
            };
            let outcome = run::run(job, self.progress, self.cancel).await;
            self.result.try_set(Some(outcome));
            self.phase.try_set(Phase::Done);
        });
    }

    fn reset(self) {
        self.phase.set(Phase::Choose);
        self.file.set(None);
        self.preview.set(None);
        self.plan.set(None);
        self.result.set(None);
        self.error.set(None);
    }
}

#[component]
fn ChooseFile(flow: Flow) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            flow.open(file);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            flow.open(file);
        }
    };
    view! {
        <div
            class="drop-zone"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <p class="drop-title">{move || tr(I::ChooseFileTitle)}</p>
            <p class="muted">{move || tr(I::ChooseFileHint)}</p>
            <label class="app-button primary file-button">
                {move || tr(I::ChooseCsv)}
                <input class="visually-hidden" type="file" accept=".csv,.tsv,.txt,text/csv" on:change=on_change />
            </label>
        </div>
    }
}

#[component]
fn ColumnsStep(flow: Flow) -> impl IntoView {
    let count = flow
        .plan
        .with_untracked(|p| p.as_ref().map_or(0, |p| p.columns.len()));
    let file_name = flow
        .file
        .with_untracked(|f| f.as_ref().map(web_sys::File::name).unwrap_or_default());
    let dataset_id = move || field_name(&flow.name.get(), 0);
    let rows = (0..count)
        .map(|i| view! { <ColumnRow flow=flow index=i /> })
        .collect_view();
    view! {
        <form class="import-form" on:submit=move |ev| { ev.prevent_default(); flow.start(); }>
            <div class="import-settings">
                <label class="field">
                    <span>{move || tr(I::DatasetName)}</span>
                    <input type="text" required maxlength="120" prop:value=move || flow.name.get()
                        on:input=move |ev| flow.name.set(event_target_value(&ev)) />
                    <small class="muted">
                        {move || tr(I::IdLabel)} " " <code>{dataset_id}</code> " · "
                        {move || trf(I::FromFile, &[&file_name])}
                    </small>
                </label>
                <label class="field">
                    <span>{move || tr(I::KeepRowsFor)}</span>
                    <input type="number" min="1" max="36500" required prop:value=move || flow.retention.get()
                        on:input=move |ev| flow.retention.set(event_target_value(&ev)) />
                    <small class="muted">{move || tr(I::RetentionHint)}</small>
                </label>
            </div>
            <h2 class="import-h2">{move || tr(I::Columns)}</h2>
            <p class="muted small">{move || tr(I::ColumnsHint)}</p>
            <div class="table-scroll">
                <table class="app-table import-columns">
                    <thead><tr>
                        <th scope="col">{move || tr(I::Include)}</th><th scope="col">{move || tr(I::Column)}</th>
                        <th scope="col">{move || tr(I::Label)}</th><th scope="col">{move || tr(I::Unit)}</th>
                        <th scope="col">{move || tr(I::Type)}</th><th scope="col">{move || tr(I::Role)}</th>
                        <th scope="col">{move || tr(I::TimeField)}</th><th scope="col">{move || tr(I::FirstValues)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2 class="import-h2">{move || tr(I::FirstRowsOfFile)}</h2>
            <FirstRows flow=flow />
            <div class="form-actions import-actions">
                <button type="submit" class="app-button primary">{move || tr(I::CreateAndImport)}</button>
                <button type="button" class="app-button ghost" on:click=move |_| flow.reset()>{move || tr(I::ChooseAnother)}</button>
            </div>
        </form>
    }
}

#[component]
fn ColumnRow(flow: Flow, index: usize) -> impl IntoView {
    let plan = flow.plan;
    let col = move |f: fn(&columns::ColumnPlan) -> String| {
        plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.columns.get(index))
                .map(f)
                .unwrap_or_default()
        })
    };
    let header = col(|c| c.header.clone());
    let field_type = move || {
        plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.columns.get(index))
                .map(|c| c.field_type)
        })
    };
    let is_measure = move || {
        plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.columns.get(index))
                .is_some_and(|c| c.role == FieldRole::Measure)
        })
    };
    let included = move || {
        plan.with(|p| {
            p.as_ref()
                .and_then(|p| p.columns.get(index))
                .is_some_and(|c| c.include)
        })
    };
    let is_time = move || plan.with(|p| p.as_ref().is_some_and(|p| p.time_column == Some(index)));
    let edit = move |f: &dyn Fn(&mut ImportPlan)| {
        plan.update(|p| {
            if let Some(p) = p {
                f(p)
            }
        })
    };
    let samples = flow.preview.with_untracked(|p| {
        p.as_ref()
            .map(|p| {
                p.rows
                    .iter()
                    .filter_map(|r| r.fields.get(index))
                    .filter(|v| !v.trim().is_empty())
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    });
    let on_type = move |ev: leptos::ev::Event| {
        let t = match event_target_value(&ev).as_str() {
            "time" => FieldType::Time,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            _ => FieldType::String,
        };
        edit(&|p| p.set_type(index, t));
    };
    let type_value = move || match field_type() {
        Some(FieldType::Time) => "time",
        Some(FieldType::Number) => "number",
        Some(FieldType::Boolean) => "boolean",
        _ => "string",
    };
    let h1 = header.clone();
    let h2 = header.clone();
    let h3 = header.clone();
    let h4 = header.clone();
    let h5 = header.clone();
    let h6 = header.clone();
    view! {
        <tr class:excluded=move || !included()>
            <td data-label=move || tr(I::Include)><input type="checkbox" aria-label=move || trf(I::IncludeColumn, &[&h1]) prop:checked=included
                on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.include = on; }); } /></td>
            <th scope="row" class="import-header">{header}<br /><code class="muted small">{move || col(|c| c.name.clone())}</code></th>
            <td data-label=move || tr(I::Label)><input type="text" maxlength="120" aria-label=move || trf(I::LabelOf, &[&h2]) prop:value=move || col(|c| c.label.clone())
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.label = v.clone(); }); } /></td>
            <td data-label=move || tr(I::Unit)><input type="text" maxlength="32" size="6" aria-label=move || trf(I::UnitOf, &[&h3]) prop:value=move || col(|c| c.unit.clone().unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.unit = Some(v.trim().to_owned()).filter(|u| !u.is_empty()); }); } /></td>
            <td data-label=move || tr(I::Type)><select aria-label=move || trf(I::TypeOf, &[&h4]) prop:value=type_value on:change=on_type>
                {TYPES.iter().map(|(t, label)| {
                    let value = match t { FieldType::Time => "time", FieldType::Number => "number", FieldType::Boolean => "boolean", FieldType::String => "string" };
                    view! { <option value=value selected=move || type_value() == value>{move || tr(*label)}</option> }
                }).collect_view()}
            </select></td>
            <td data-label=move || tr(I::Role)><select aria-label=move || trf(I::RoleOf, &[&h5]) prop:value=move || if is_measure() { "measure" } else { "dimension" }
                on:change=move |ev| { let m = event_target_value(&ev) == "measure"; edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.role = if m { FieldRole::Measure } else { FieldRole::Dimension }; }); }>
                <option value="dimension" selected=move || !is_measure()>{move || tr(I::Dimension)}</option>
                <option value="measure" selected=is_measure disabled=move || field_type() != Some(FieldType::Number)>{move || tr(I::Measure)}</option>
            </select></td>
            <td data-label=move || tr(I::TimeField)><input type="radio" name="time-field" aria-label=move || trf(I::IsTimeField, &[&h6]) prop:checked=is_time
                on:change=move |_| edit(&|p| p.set_time_column(index)) /></td>
            <td class="import-samples" data-label=move || tr(I::FirstValues)>{samples}</td>
        </tr>
    }
}

#[component]
fn FirstRows(flow: Flow) -> impl IntoView {
    let (headers, rows) = flow.preview.with_untracked(|p| {
        p.as_ref()
            .map(|p| {
                (
                    p.headers.clone(),
                    p.rows
                        .iter()
                        .take(PREVIEW_SHOWN)
                        .cloned()
                        .collect::<Vec<_>>(),
                )
            })
            .unwrap_or_default()
    });
    // The wrappers of tables with nothing focusable in them are focusable themselves, so a
    // keyboard can scroll them sideways on a phone.
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || tr(I::FirstRowsCaption)>
            <table class="app-table import-rows">
                <caption class="visually-hidden">{move || tr(I::FirstRowsCaption)}</caption>
                <thead><tr>
                    <th scope="col">{move || tr(I::Line)}</th>
                    {headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr><td class="muted">{r.line}</td>{r.fields.into_iter().map(|f| view! { <td>{f}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ProgressStep(flow: Flow) -> impl IntoView {
    let p = flow.progress;
    let percent = move || p.with(Tally::percent);
    let status = move || {
        p.with(|t| {
            let percent = t.percent().to_string();
            let stored = stored_rows(t.rows_stored);
            let refused = refused_rows(t.rows_refused);
            trf(I::ProgressStatus, &[&percent, &stored, &refused])
        })
    };
    let cancelling = move || flow.cancel.get();
    view! {
        <div class="import-progress card">
            <h2 class="import-h2" id="import-progress-label">{move || trf(I::ImportingInto, &[&flow.name.get()])}</h2>
            <progress max="100" value=percent aria-labelledby="import-progress-label"
                aria-valuetext=status></progress>
            <p class="import-status" aria-live="polite">{status}</p>
            <button type="button" class="app-button" disabled=cancelling on:click=move |_| flow.cancel.set(true)>
                {move || tr(if cancelling() { I::CancellingAfterBatch } else { I::Cancel })}
            </button>
        </div>
    }
}

#[component]
fn SummaryStep(flow: Flow) -> impl IntoView {
    let Some((tally, ending)) = flow.result.get_untracked() else {
        return view! { <p class="app-empty">{move || tr(I::NothingImported)}</p> }.into_any();
    };
    let sentence = {
        let (tally, ending) = (tally.clone(), ending.clone());
        move || tally.sentence(&ending)
    };
    let dataset = flow.dataset.get_untracked();
    let csv = tally.refusals_csv();
    let stem = file_stem(&flow.name.get_untracked());
    let download = move |_| {
        let _ = download_bytes(
            &format!("{stem}-refused-rows.csv"),
            "text/csv",
            csv.as_bytes(),
        );
    };
    let listed = tally.refusals.len();
    let mut refusals = tally.refusals.clone();
    vantage_widgets::sort::sort_by_key(&mut refusals, |r| r.line);
    refusals.truncate(REFUSALS_SHOWN);
    let failed = matches!(ending, Ending::Failed(_));
    view! {
        <div class="import-summary card">
            <h2 class="import-h2">{move || tr(I::Summary)}</h2>
            <p class="import-sentence" class:form-error=failed role="status">{sentence}</p>
            <dl class="import-counts">
                <div><dt>{move || tr(I::RowsRead)}</dt><dd>{tally.rows_read}</dd></div>
                <div><dt>{move || tr(I::Stored)}</dt><dd data-testid="rows-stored">{tally.rows_stored}</dd></div>
                <div><dt>{move || tr(I::Refused)}</dt><dd data-testid="rows-refused">{tally.rows_refused}</dd></div>
                <div><dt>{move || tr(I::Dataset)}</dt><dd class="import-dataset">{flow.name.get_untracked()}<br /><code class="muted small">{dataset.clone()}</code></dd></div>
            </dl>
            {(listed > 0).then(|| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || refusals_caption(listed)>
                    <table class="app-table import-refusals">
                        <caption>{move || refusals_caption(listed)}</caption>
                        <thead><tr>
                            <th scope="col">{move || tr(I::Line)}</th><th scope="col">{move || tr(I::Column)}</th>
                            <th scope="col">{move || tr(I::Reason)}</th>
                        </tr></thead>
                        <tbody>{refusals.into_iter().map(|r| view! {
                            <tr><td>{r.line}</td><td>{r.field}</td><td>{r.reason}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            })}
            <div class="form-actions import-actions">
                {(listed > 0).then(|| view! { <button type="button" class="app-button" on:click=download>{move || tr(I::DownloadRefused)}</button> })}
                <a class="app-button primary" href="/builder/new">{move || tr(I::BuildDashboard)}</a>
                <button type="button" class="app-button ghost" on:click=move |_| flow.reset()>{move || tr(I::ImportAnother)}</button>
            </div>
        </div>
    }
    .into_any()
}

/// "Refused rows", saying how many are listed when not all of them are.
fn refusals_caption(listed: usize) -> String {
    if listed > REFUSALS_SHOWN {
        let shown = REFUSALS_SHOWN.to_string();
        trf(I::RefusedRowsFirst, &[&shown, &listed.to_string()])
    } else {
        tr(I::RefusedRows).to_owned()
    }
}
