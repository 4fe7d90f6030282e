//! Saving: the toolbar (undo, redo, add widget, save), the version check and the "changed by
//! someone else" dialog. A new dashboard is created with POST; an existing one is replaced with
//! PUT carrying the version it was loaded at, and a 409 opens the dialog — reload theirs (yours
//! stay one Undo away), overwrite with yours (re-saved on their version) or keep editing.

use leptos::prelude::*;
use vantage_sdk::SdkError;

use super::draft;
use super::form::WidgetForm;
use super::Builder;
use crate::i18n::{tr, trf, B};

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
        // Also called from the conflict dialog's async task: read the text without subscribing.
        let message = untrack(|| trf(B::CannotSave, &[&e.to_string()]));
        b.status.set(SaveStatus::Error(message));
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
                b.announce.set(untrack(|| tr(B::DashboardSaved)).into());
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

/// What a failed request means for the save, in the active language. Called from async
/// tasks, so the text is read without subscribing to the locale.
fn failure_message(e: &SdkError) -> String {
    untrack(|| match e {
        SdkError::AuthExpired(_) => tr(B::SessionExpired).into(),
        SdkError::Api { status: 403, .. } => tr(B::NeedsTenantAdmin).into(),
        e => trf(B::NotSaved, &[&e.user_message()]),
    })
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
                b.status
                    .set(SaveStatus::Notice(untrack(|| tr(B::ShowingTheirs)).into()));
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
        SaveStatus::Saving => tr(B::Saving).to_owned(),
        SaveStatus::Error(message) | SaveStatus::Notice(message) => message,
        _ if dirty() => tr(B::UnsavedChanges).into(),
        _ if view_href.with(Option::is_some) => tr(B::AllChangesSaved).into(),
        _ => tr(B::NewNotSavedYet).into(),
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
        <div class="builder-toolbar" role="toolbar" aria-label=move || tr(B::Toolbar)>
            <button type="button" class="app-button" on:click=add>{move || tr(B::AddWidget)}</button>
            <button type="button" class="app-button ghost" title=move || tr(B::UndoTitle) disabled=move || !can_undo()
                on:click=move |_| b.edit(|s| { s.undo(); })>{move || tr(B::Undo)}</button>
            <button type="button" class="app-button ghost" title=move || tr(B::RedoTitle) disabled=move || !can_redo()
                on:click=move |_| b.edit(|s| { s.redo(); })>{move || tr(B::Redo)}</button>
            <span class=status_class role="status">{status_text}</span>
            {move || view_href.get().map(|href| view! { <a class="app-button ghost" href=href>{move || tr(B::ViewDashboard)}</a> })}
            <button type="button" class="app-button primary" disabled=saving on:click=move |_| save(b)>{move || tr(B::Save)}</button>
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
                    <h2 id="conflict-title">{move || tr(B::ConflictTitle)}</h2>
                    <p id="conflict-text">{move || tr(B::ConflictText)}</p>
                    <div class="builder-dialog-actions">
                        <button type="button" class="app-button" on:click=move |_| take_theirs(b)>{move || tr(B::ReloadTheirs)}</button>
                        <button type="button" class="app-button primary" on:click=move |_| overwrite(b)>{move || tr(B::OverwriteWithMine)}</button>
                        <button type="button" class="app-button ghost" autofocus on:click=move |_| {
                            b.status.set(SaveStatus::Error(tr(B::NotSavedConflict).into()))
                        }>{move || tr(B::KeepEditing)}</button>
                    </div>
                </div>
            </div>
        })
    }
}
