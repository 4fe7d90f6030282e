//! The dashboard builder (`/builder/new`, `/dashboards/:id/edit`): name and describe a dashboard,
//! add widgets (dataset → measures → dimensions → chart kind) with a live preview, arrange them
//! on the 12-column grid with pointer or keyboard, undo/redo, and save with the version check.
//!
//! - [`state`]: the editing model ([`BuilderState`]), plain data with native tests.
//! - [`form`]: the widget editor's model ([`form::WidgetForm`]); [`checks`]: the contract's query
//!   rules it can break, in the user's language.
//! - [`draft`]: the local draft in `localStorage` (an expired session never loses work).
//! - [`guard`]: the unsaved-changes warning (tab close/reload and in-app links).
//! - [`canvas`], [`editor`], [`preview`]: the components.
//!
//! Only roles with [`Permission::EditDashboards`] get the editor; the server enforces it too.

pub mod canvas;
pub mod checks;
pub mod draft;
pub mod editor;
pub mod form;
pub mod preview;
pub mod save;
pub mod state;

pub use state::BuilderState;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use vantage_contract::{Dashboard, Dataset, Permission};
use vantage_sdk::ApiClient;
use vantage_widgets::format::{format_time, TimeStyle};
use vantage_widgets::messages::Msg;

use self::draft::Draft;
use self::form::WidgetForm;
use self::save::{SaveStatus, SaveToolbar};
use self::state::TextField;
use super::require_login;
use crate::i18n::{tr, trf, tw, B};
use crate::session::use_session;

/// What the route needs to know before mounting an editor.
#[derive(Debug, Clone, PartialEq)]
enum Gate {
    Waiting,
    Forbidden,
    Edit { user_id: String, id: Option<String> },
}

/// The builder route. Waits for the session, then shows the editor or why it is not available.
#[component]
pub fn BuilderPage() -> impl IntoView {
    require_login();
    let session = use_session();
    let params = use_params_map();
    let user = session.user;
    // A memo so the editor is re-mounted only when the user or the dashboard changes.
    let gate = Memo::new(move |_| {
        let id = params.with(|p| p.get("id"));
        user.with(|u| match u {
            None => Gate::Waiting,
            Some(u) if !u.permissions.contains(&Permission::EditDashboards) => Gate::Forbidden,
            Some(u) => Gate::Edit {
                user_id: u.id.clone(),
                id,
            },
        })
    });
    move || match gate.get() {
        Gate::Waiting => {
            view! { <p class="app-empty" aria-busy="true">{move || tw(Msg::Loading)}</p> }
                .into_any()
        }
        Gate::Forbidden => view! {
            <section class="page builder-forbidden">
                <div class="app-error" role="alert">
                    <h1>{move || tr(B::EditingNotAvailable)}</h1>
                    <p>{move || tr(B::NeedsTenantAdmin)}</p>
                    <a class="app-button" href="/">{move || tr(B::BackToDashboards)}</a>
                </div>
            </section>
        }
        .into_any(),
        Gate::Edit { user_id, id } => view! { <BuilderScreen user_id=user_id id=id /> }.into_any(),
    }
}

/// Everything the builder's components share. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct Builder {
    /// `None` while the dashboard loads.
    pub state: RwSignal<Option<BuilderState>>,
    pub datasets: RwSignal<Vec<Dataset>>,
    /// The widget editor's form, when open.
    pub editing: RwSignal<Option<WidgetForm>>,
    /// A widget being dragged or resized: its id and where it would land.
    pub ghost: RwSignal<Option<(String, vantage_contract::Position)>>,
    pub status: RwSignal<SaveStatus>,
    /// A draft from an earlier visit, offered for restore.
    pub offered_draft: RwSignal<Option<Draft>>,
    /// Screen-reader announcements (moves, saves).
    pub announce: RwSignal<String>,
    pub api: StoredValue<ApiClient, LocalStorage>,
    /// The stored dashboard as loaded (for draft restore).
    pub loaded: StoredValue<Option<Dashboard>>,
    pub user_id: StoredValue<String>,
}

impl Builder {
    /// Applies an edit to the document (no-op while loading).
    pub fn edit(&self, f: impl FnOnce(&mut BuilderState)) {
        self.state.update(|s| {
            if let Some(s) = s {
                f(s);
            }
        });
    }

    /// Reads the document.
    pub fn read<T>(&self, f: impl FnOnce(&BuilderState) -> T) -> Option<T> {
        self.state.with(|s| s.as_ref().map(f))
    }

    pub fn is_dirty(&self) -> bool {
        self.state
            .try_with_untracked(|s| s.as_ref().is_some_and(BuilderState::is_dirty))
            .unwrap_or(false)
    }

    /// The draft key of the document as it is now.
    pub fn draft_key(&self) -> String {
        let id = self
            .state
            .with_untracked(|s| s.as_ref().and_then(|s| s.dashboard_id.clone()));
        draft::key(&self.user_id.get_value(), id.as_deref())
    }
}

#[component]
fn BuilderScreen(user_id: String, id: Option<String>) -> impl IntoView {
    let session = use_session();
    crate::brand::use_page_title(|| tr(B::BuilderHeading).into());
    let b = Builder {
        state: RwSignal::new(None),
        datasets: RwSignal::new(Vec::new()),
        editing: RwSignal::new(None),
        ghost: RwSignal::new(None),
        status: RwSignal::new(SaveStatus::Idle),
        offered_draft: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        api: StoredValue::new_local(session.api.clone()),
        loaded: StoredValue::new(None),
        user_id: StoredValue::new(user_id),
    };
    let load_error = RwSignal::new(None::<String>);
    let load = move || load_all(b, id.clone(), load_error);
    load();
    keep_draft(b);
    let guard = StoredValue::new_local(crate::leave_guard::LeaveGuard::install(
        move || b.is_dirty(),
        untrack(|| tr(B::LeaveUnsaved)),
    ));
    on_cleanup(move || guard.update_value(|g| *g = None));
    let keys = StoredValue::new_local(install_shortcuts(b));
    on_cleanup(move || {
        keys.update_value(|k| {
            if let Some(handle) = k.take() {
                handle.remove();
            }
        })
    });
    let navigate = StoredValue::new_local(use_navigate());
    Effect::new(move |_| {
        // Effect: after the first save of a new dashboard, its URL becomes the edit URL.
        if let SaveStatus::Created(id) = b.status.get() {
            b.status.set(SaveStatus::Saved);
            let path = format!("/dashboards/{}/edit", js_sys::encode_uri_component(&id));
            navigate.with_value(|n| {
                n(
                    &path,
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                )
            });
        }
    });
    let retry = load.clone();
    // A memo: the editor is built once when the document arrives, not again on every edit.
    let ready = Memo::new(move |_| b.state.with(Option::is_some));
    view! {
        <section class="page builder-page">
            {move || load_error.get().map(|message| {
                let retry = retry.clone();
                crate::pages::load_failed(message, Callback::new(move |()| retry()))
            })}
            {move || ready.get().then(|| view! {
                <DraftOffer b=b />
                <Header b=b />
                <SaveToolbar b=b />
                <div class="builder-body" class:editing=move || b.editing.with(Option::is_some)>
                    <canvas::Canvas b=b />
                    // Re-created whenever another widget is opened, so the form starts from it.
                    {move || b.editing.get().map(|_| view! { <editor::WidgetEditor b=b /> })}
                </div>
            })}
            <p class="sr-only" role="status" aria-live="polite">{move || b.announce.get()}</p>
        </section>
    }
}

/// Loads datasets and (when editing) the dashboard, then checks for a draft.
fn load_all(b: Builder, id: Option<String>, error: RwSignal<Option<String>>) {
    let api = b.api.get_value();
    error.set(None);
    wasm_bindgen_futures::spawn_local(async move {
        match api.datasets().await {
            Ok(list) => b.datasets.set(list.items),
            Err(e) => {
                error.set(Some(untrack(|| {
                    trf(B::CouldNotLoadDatasets, &[&e.user_message()])
                })));
                return;
            }
        }
        let state = match &id {
            None => BuilderState::blank(untrack(|| tr(B::UntitledDashboard))),
            Some(id) => match api.dashboard(id).await {
                Ok(d) => {
                    let state = BuilderState::from_dashboard(&d);
                    b.loaded.set_value(Some(d));
                    state
                }
                Err(e) => {
                    error.set(Some(untrack(|| {
                        trf(B::CouldNotLoadDashboard, &[&e.user_message()])
                    })));
                    return;
                }
            },
        };
        let key = draft::key(&b.user_id.get_value(), id.as_deref());
        // The offer goes first: the draft effect must not see a clean document without it.
        b.offered_draft
            .set(draft::load(&key).filter(|d| d.doc != state.doc));
        b.state.set(Some(state));
    });
}

/// Effect: mirrors the document into `localStorage` (see [`draft`]) while it has unsaved
/// changes, and drops the draft once it has none (saved, or undone back to the stored state).
fn keep_draft(b: Builder) {
    Effect::new(move |_| {
        let Some(draft) = b.state.with(|s| {
            s.as_ref().map(|s| {
                s.is_dirty().then(|| Draft {
                    dashboard_id: s.dashboard_id.clone(),
                    base_version: s.base_version,
                    doc: s.doc.clone(),
                    saved_at: js_sys::Date::now(),
                })
            })
        }) else {
            return;
        };
        // While a restore is on offer, the old draft must stay as it is.
        if b.offered_draft.with_untracked(Option::is_some) {
            return;
        }
        match draft {
            Some(draft) => {
                if !draft::store(&b.draft_key(), &draft) {
                    // Inside an effect: the message is read once, not subscribed to.
                    b.announce.set(untrack(|| tr(B::DraftNotKept)).into());
                }
            }
            None => draft::clear(&b.draft_key()),
        }
    });
}

/// Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z or Ctrl+Y redoes, outside text fields (where the browser's
/// own text undo applies).
fn install_shortcuts(b: Builder) -> Option<leptos::prelude::WindowListenerHandle> {
    Some(window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) || in_text_field(&ev) {
            return;
        }
        let key = ev.key().to_lowercase();
        let redo = (key == "z" && ev.shift_key()) || key == "y";
        if key != "z" && !redo {
            return;
        }
        ev.prevent_default();
        b.edit(|s| {
            if redo {
                s.redo();
            } else {
                s.undo();
            }
        });
    }))
}

fn in_text_field(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.has_attribute("contenteditable")
        })
}

/// Name and description fields.
#[component]
fn Header(b: Builder) -> impl IntoView {
    let name = move || b.read(|s| s.doc.name.clone()).unwrap_or_default();
    let description = move || b.read(|s| s.doc.description.clone()).unwrap_or_default();
    view! {
        <div class="builder-head">
            <h1 class="visually-hidden">{move || tr(B::BuilderHeading)}</h1>
            <label class="builder-field">
                <span>{move || tr(B::Name)}</span>
                <input
                    type="text"
                    name="dashboard-name"
                    maxlength="120"
                    prop:value=name
                    on:input=move |ev| b.edit(|s| s.set_text(TextField::Name, event_target_value(&ev)))
                />
            </label>
            <label class="builder-field wide">
                <span>{move || tr(B::Description)}</span>
                <input
                    type="text"
                    name="dashboard-description"
                    maxlength="2000"
                    prop:value=description
                    on:input=move |ev| b.edit(|s| s.set_text(TextField::Description, event_target_value(&ev)))
                />
            </label>
        </div>
    }
}

/// "You have unsaved changes from …": restore or discard a draft left by an earlier visit.
#[component]
fn DraftOffer(b: Builder) -> impl IntoView {
    let restore = move |_| {
        let Some(draft) = b.offered_draft.get_untracked() else {
            return;
        };
        let base = match b.loaded.get_value() {
            Some(stored) => BuilderState::from_dashboard(&stored),
            None => BuilderState::blank(tr(B::UntitledDashboard)),
        };
        b.state.set(Some(BuilderState::restored(
            base,
            draft.doc,
            draft.dashboard_id,
            draft.base_version,
        )));
        b.offered_draft.set(None);
        b.announce.set(tr(B::DraftRestored).into());
    };
    let discard = move |_| {
        draft::clear(&b.draft_key());
        b.offered_draft.set(None);
    };
    move || {
        b.offered_draft.get().map(|d| {
            // In the viewer's locale and time zone, like the dashboards' own times.
            let when = move || format_time(d.saved_at, TimeStyle::DateTime);
            view! {
                <div class="builder-banner" role="alert">
                    <p>{move || trf(B::UnsavedDraftFrom, &[&when()])}</p>
                    <button type="button" class="app-button primary" on:click=restore>{move || tr(B::RestoreMyChanges)}</button>
                    <button type="button" class="app-button ghost" on:click=discard>{move || tr(B::DiscardThem)}</button>
                </div>
            }
        })
    }
}
