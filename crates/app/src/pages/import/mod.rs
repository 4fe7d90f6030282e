//! New dataset from a file (tenant admins): pick or drop a CSV, check the guessed columns
//! (type, role, label, which one is the time field) against a preview of the first rows, then
//! create the dataset and send the rows through the ingest API with a progress bar, Cancel, and
//! a summary of what was stored and refused (downloadable as CSV). The file is read in slices
//! and parsed in the browser as it streams (see [`run`]); the pure parts are [`parse`],
//! [`values`], [`columns`] and [`outcome`].

mod columns;
mod outcome;
mod parse;
mod run;
mod values;

use leptos::prelude::*;
use vantage_contract::{FieldRole, FieldType, Role};

use self::columns::{field_name, ImportPlan};
use self::outcome::{plural, Ending, Tally};
use self::run::{ImportJob, Preview};
use super::require_login;
use crate::brand::use_page_title;
use crate::download::{download_bytes, file_stem};
use crate::request::Latest;
use crate::session::use_session;

/// Rows of the file shown under the column editor.
const PREVIEW_SHOWN: usize = 5;
/// Refusals listed on the page (all of them are in the download).
const REFUSALS_SHOWN: usize = 200;

const TYPES: [(FieldType, &str); 4] = [
    (FieldType::Time, "Time"),
    (FieldType::Number, "Number"),
    (FieldType::Boolean, "Boolean"),
    (FieldType::String, "Text"),
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
    use_page_title(|| "New dataset from a file".into());
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
                    <h1>"New dataset from a file"</h1>
                    <p class="muted">"Import a CSV file: its columns become the dataset's fields and its rows are sent through the ingest API."</p>
                </div>
            </div>
            {move || if allowed() {
                view! { <Importer /> }.into_any()
            } else {
                view! { <p class="notice">"Creating datasets needs the tenant admin role."</p> }.into_any()
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
        "An import is running. Leaving this page stops it after the current batch. Leave anyway?",
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
                    self.plan
                        .set(Some(ImportPlan::infer(&preview.headers, &sample)));
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
            self.error
                .set(Some("Keep rows for: enter a whole number of days.".into()));
            return;
        };
        let name = self.name.get_untracked();
        let id = field_name(&name, 0);
        let input = plan.dataset_input(&id, name.trim(), retention);
        if let Err(e) = input.validate() {
            self.error.set(Some(format!("{}: {}", e.field, e.message)));
            return;
        }
        let api = self.api.get_value();
        self.work.run(async move {
            if let Err(e) = api.create_dataset(&input).await {
                self.error
                    .set(Some(format!("The dataset could not be created: {e}")));
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
            <p class="drop-title">"Drop a CSV file here"</p>
            <p class="muted">"The first line names the columns. Commas, semicolons or tabs; UTF-8. Any size: the file is read in slices in your browser."</p>
            <label class="app-button primary file-button">
                "Choose a CSV file"
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
                    <span>"Dataset name"</span>
                    <input type="text" required maxlength="120" prop:value=move || flow.name.get()
                        on:input=move |ev| flow.name.set(event_target_value(&ev)) />
                    <small class="muted">"Id: " <code>{dataset_id}</code> " · from " {file_name}</small>
                </label>
                <label class="field">
                    <span>"Keep rows for (days)"</span>
                    <input type="number" min="1" max="36500" required prop:value=move || flow.retention.get()
                        on:input=move |ev| flow.retention.set(event_target_value(&ev)) />
                    <small class="muted">"Rows older than this are refused and later deleted."</small>
                </label>
            </div>
            <h2 class="import-h2">"Columns"</h2>
            <p class="muted small">"Types and roles are guessed from the first rows; change them if the guess is wrong. Measures can be summed and averaged; dimensions group and filter."</p>
            <div class="table-scroll">
                <table class="app-table import-columns">
                    <thead><tr>
                        <th scope="col">"Include"</th><th scope="col">"Column"</th><th scope="col">"Label"</th>
                        <th scope="col">"Unit"</th><th scope="col">"Type"</th><th scope="col">"Role"</th>
                        <th scope="col">"Time field"</th><th scope="col">"First values"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2 class="import-h2">"First rows of the file"</h2>
            <FirstRows flow=flow />
            <div class="form-actions import-actions">
                <button type="submit" class="app-button primary">"Create dataset and import"</button>
                <button type="button" class="app-button ghost" on:click=move |_| flow.reset()>"Choose another file"</button>
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
            <td data-label="Include"><input type="checkbox" aria-label=format!("Include {h1}") prop:checked=included
                on:change=move |ev| { let on = event_target_checked(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.include = on; }); } /></td>
            <th scope="row" class="import-header">{header}<br /><code class="muted small">{move || col(|c| c.name.clone())}</code></th>
            <td data-label="Label"><input type="text" maxlength="120" aria-label=format!("Label of {h2}") prop:value=move || col(|c| c.label.clone())
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.label = v.clone(); }); } /></td>
            <td data-label="Unit"><input type="text" maxlength="32" size="6" aria-label=format!("Unit of {h3}") prop:value=move || col(|c| c.unit.clone().unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.unit = Some(v.trim().to_owned()).filter(|u| !u.is_empty()); }); } /></td>
            <td data-label="Type"><select aria-label=format!("Type of {h4}") prop:value=type_value on:change=on_type>
                {TYPES.iter().map(|(t, label)| {
                    let value = match t { FieldType::Time => "time", FieldType::Number => "number", FieldType::Boolean => "boolean", FieldType::String => "string" };
                    view! { <option value=value selected=move || type_value() == value>{*label}</option> }
                }).collect_view()}
            </select></td>
            <td data-label="Role"><select aria-label=format!("Role of {h5}") prop:value=move || if is_measure() { "measure" } else { "dimension" }
                on:change=move |ev| { let m = event_target_value(&ev) == "measure"; edit(&|p| if let Some(c) = p.columns.get_mut(index) { c.role = if m { FieldRole::Measure } else { FieldRole::Dimension }; }); }>
                <option value="dimension" selected=move || !is_measure()>"Dimension"</option>
                <option value="measure" selected=is_measure disabled=move || field_type() != Some(FieldType::Number)>"Measure"</option>
            </select></td>
            <td data-label="Time field"><input type="radio" name="time-field" aria-label=format!("{h6} is the time field") prop:checked=is_time
                on:change=move |_| edit(&|p| p.set_time_column(index)) /></td>
            <td class="import-samples" data-label="First values">{samples}</td>
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
    view! {
        <div class="table-scroll">
            <table class="app-table import-rows">
                <caption class="visually-hidden">"The first rows of the file, as text"</caption>
                <thead><tr>
                    <th scope="col">"Line"</th>
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
            format!(
                "{}% read · {} stored · {} refused",
                t.percent(),
                plural(t.rows_stored, "row"),
                plural(t.rows_refused, "row")
            )
        })
    };
    let cancelling = move || flow.cancel.get();
    view! {
        <div class="import-progress card">
            <h2 class="import-h2" id="import-progress-label">{move || format!("Importing into “{}”", flow.name.get())}</h2>
            <progress max="100" value=percent aria-labelledby="import-progress-label"
                aria-valuetext=status></progress>
            <p class="import-status" aria-live="polite">{status}</p>
            <button type="button" class="app-button" disabled=cancelling on:click=move |_| flow.cancel.set(true)>
                {move || if cancelling() { "Cancelling after this batch…" } else { "Cancel" }}
            </button>
        </div>
    }
}

#[component]
fn SummaryStep(flow: Flow) -> impl IntoView {
    let Some((tally, ending)) = flow.result.get_untracked() else {
        return view! { <p class="app-empty">"Nothing was imported."</p> }.into_any();
    };
    let sentence = tally.sentence(&ending);
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
    refusals.sort_by_key(|r| r.line);
    refusals.truncate(REFUSALS_SHOWN);
    let failed = matches!(ending, Ending::Failed(_));
    view! {
        <div class="import-summary card">
            <h2 class="import-h2">"Summary"</h2>
            <p class="import-sentence" class:form-error=failed role="status">{sentence}</p>
            <dl class="import-counts">
                <div><dt>"Rows read"</dt><dd>{tally.rows_read}</dd></div>
                <div><dt>"Stored"</dt><dd data-testid="rows-stored">{tally.rows_stored}</dd></div>
                <div><dt>"Refused"</dt><dd data-testid="rows-refused">{tally.rows_refused}</dd></div>
                <div><dt>"Dataset"</dt><dd class="import-dataset">{flow.name.get_untracked()}<br /><code class="muted small">{dataset.clone()}</code></dd></div>
            </dl>
            {(listed > 0).then(|| view! {
                <div class="table-scroll">
                    <table class="app-table import-refusals">
                        <caption>{format!("Refused rows{}", if listed > REFUSALS_SHOWN { format!(" (first {REFUSALS_SHOWN} of {listed}; all are in the download)") } else { String::new() })}</caption>
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Reason"</th></tr></thead>
                        <tbody>{refusals.into_iter().map(|r| view! {
                            <tr><td>{r.line}</td><td>{r.field}</td><td>{r.reason}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                </div>
            })}
            <div class="form-actions import-actions">
                {(listed > 0).then(|| view! { <button type="button" class="app-button" on:click=download>"Download refused rows (CSV)"</button> })}
                <a class="app-button primary" href="/builder/new">"Build a dashboard"</a>
                <button type="button" class="app-button ghost" on:click=move |_| flow.reset()>"Import another file"</button>
            </div>
        </div>
    }
    .into_any()
}
