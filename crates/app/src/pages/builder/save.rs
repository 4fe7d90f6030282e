//! Saving: the toolbar (undo, redo, add widget, save), the version check and the "changed by
//! someone else" dialog. A new dashboard is created with POST; an existing one is replaced with
//! PUT carrying the version it was loaded at, and a 409 opens the dialog — reload theirs (yours
//! stay one Undo away), overwrite with yours (re-saved on their version) or keep editing.

use leptos::prelude::*;
use vantage_sdk::SdkError;

use super::draft;
use super::form::WidgetForm;
use super::Builder;

/// Where saving stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saving,
    /// A new dashboard was stored under this id (the page moves to its edit URL).
    Created(String),
    Saved,
    /// Someone else saved first: the dialog is open.
    Conflict,
    /// Something the user should know that is not a failure.
    Notice(String),
    Error(String),
}

/// Validates locally, then creates or updates the dashboard.
pub fn save(b: Builder) {
    let Some(state) = b.state.get_untracked() else {
        return;
    };
    let input = state.to_input();
    let datasets = b.datasets.get_untracked();
    if let Err(e) = input.validate(|id| datasets.iter().find(|d| d.id == id)) {
        b.status
            .set(SaveStatus::Error(format!("Cannot save — {e}")));
        return;
    }
    b.status.set(SaveStatus::Saving);
    let api = b.api.get_value();
    let old_key = b.draft_key();
    wasm_bindgen_futures::spawn_local(async move {
        let result = match &state.dashboard_id {
            Some(id) => api.update_dashboard(id, &input).await,
            None => api.create_dashboard(&input).await,
        };
        match result {
            Ok(saved) => {
                b.edit(|s| s.mark_saved(&saved));
                draft::clear(&old_key);
                draft::clear(&b.draft_key());
                b.announce.set("Dashboard saved".into());
                b.status.set(match state.dashboard_id {
                    None => SaveStatus::Created(saved.id),
                    Some(_) => SaveStatus::Saved,
                });
            }
            Err(e) if e.status() == Some(409) => b.status.set(SaveStatus::Conflict),
            Err(e) => b.status.set(SaveStatus::Error(failure_message(&e))),
        }
    });
}

fn failure_message(e: &SdkError) -> String {
    match e {
        SdkError::AuthExpired(_) => "Your session has expired. Your changes are kept on this \
            device: sign in again (in another tab or after reloading) and save."
            .into(),
        SdkError::Api { status: 403, .. } => {
            "You need the tenant admin role to edit dashboards.".into()
        }
        e => format!("Not saved: {}", e.user_message()),
    }
}

/// Conflict choice: replace the document with the stored one (undo brings ours back).
fn take_theirs(b: Builder) {
    let Some(id) = b.read(|s| s.dashboard_id.clone()).flatten() else {
        return;
    };
    let api = b.api.get_value();
    b.status.set(SaveStatus::Saving);
    wasm_bindgen_futures::spawn_local(async move {
        match api.dashboard(&id).await {
            Ok(theirs) => {
                b.edit(|s| s.take_theirs(&theirs));
                b.status.set(SaveStatus::Notice(
                    "Showing their version. Undo brings yours back.".into(),
                ));
            }
            Err(e) => b.status.set(SaveStatus::Error(failure_message(&e))),
        }
    });
}

/// Conflict choice: save ours on top of the newest stored version.
fn overwrite(b: Builder) {
    let Some(id) = b.read(|s| s.dashboard_id.clone()).flatten() else {
        return;
    };
    let api = b.api.get_value();
    b.status.set(SaveStatus::Saving);
    wasm_bindgen_futures::spawn_local(async move {
        match api.dashboard(&id).await {
            Ok(theirs) => {
                b.edit(|s| s.rebase_on(theirs.version));
                save(b);
            }
            Err(e) => b.status.set(SaveStatus::Error(failure_message(&e))),
        }
    });
}

/// Undo, redo, add widget, save, and the save status.
#[component]
pub fn SaveToolbar(b: Builder) -> impl IntoView {
    let can_undo = move || b.read(|s| s.can_undo()).unwrap_or(false);
    let can_redo = move || b.read(|s| s.can_redo()).unwrap_or(false);
    let dirty = move || b.read(|s| s.is_dirty()).unwrap_or(false);
    let saving = move || b.status.with(|s| *s == SaveStatus::Saving);
    let view_href = Memo::new(move |_| {
        b.read(|s| s.dashboard_id.clone())
            .flatten()
            .map(|id| format!("/dashboards/{id}"))
    });
    let add = move |_| {
        let first = b
            .datasets
            .with_untracked(|d| d.first().map(|d| d.id.clone()));
        b.editing
            .set(Some(WidgetForm::new(&first.unwrap_or_default())));
    };
    let status_text = move || match b.status.get() {
        SaveStatus::Saving => "Saving…".to_owned(),
        SaveStatus::Error(message) | SaveStatus::Notice(message) => message,
        _ if dirty() => "Unsaved changes".into(),
        _ if view_href.with(Option::is_some) => "All changes saved".into(),
        _ => "New dashboard, not saved yet".into(),
    };
    let status_class = move || {
        let kind = match b.status.get() {
            SaveStatus::Error(_) => "error",
            _ if dirty() => "dirty",
            _ => "clean",
        };
        format!("builder-status {kind}")
    };
    view! {
        <div class="builder-toolbar" role="toolbar" aria-label="Builder">
            <button type="button" class="app-button" on:click=add>"Add widget"</button>
            <button type="button" class="app-button ghost" title="Undo (Ctrl+Z)" disabled=move || !can_undo()
                on:click=move |_| b.edit(|s| { s.undo(); })>"Undo"</button>
            <button type="button" class="app-button ghost" title="Redo (Shift+Ctrl+Z)" disabled=move || !can_redo()
                on:click=move |_| b.edit(|s| { s.redo(); })>"Redo"</button>
            <span class=status_class role="status">{status_text}</span>
            {move || view_href.get().map(|href| view! { <a class="app-button ghost" href=href>"View dashboard"</a> })}
            <button type="button" class="app-button primary" disabled=saving on:click=move |_| save(b)>"Save"</button>
        </div>
        <ConflictDialog b=b />
    }
}

/// The "changed by someone else" choice.
#[component]
fn ConflictDialog(b: Builder) -> impl IntoView {
    let open = move || b.status.with(|s| *s == SaveStatus::Conflict);
    move || {
        open().then(|| view! {
            <div class="builder-dialog-backdrop">
                <div class="builder-dialog" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title" aria-describedby="conflict-text">
                    <h2 id="conflict-title">"This dashboard was changed by someone else"</h2>
                    <p id="conflict-text">
                        "Someone saved a newer version while you were editing. Your changes are not lost: choose what to do."
                    </p>
                    <div class="builder-dialog-actions">
                        <button type="button" class="app-button" on:click=move |_| take_theirs(b)>"Reload theirs"</button>
                        <button type="button" class="app-button primary" on:click=move |_| overwrite(b)>"Overwrite with mine"</button>
                        <button type="button" class="app-button ghost" autofocus on:click=move |_| {
                            b.status.set(SaveStatus::Error("Not saved: someone else changed this dashboard.".into()))
                        }>"Keep editing"</button>
                    </div>
                </div>
            </div>
        })
    }
}
