//! The webhooks section of the alerts page, for tenant admins: where a tenant's alerts are sent
//! to its own systems (a pager, a chat relay). The list says what each webhook asks for and how
//! its latest delivery went; a form creates or edits one (its rules checked before anything is
//! sent, the server's 422 shown beside the field it names); the signing secret is shown once,
//! after creating a webhook and after "New secret"; "Send test" queues a `ping` and follows it in
//! the deliveries table until the receiver answered.
//!
//! [`model`] holds the form as plain data and the outcome's wording (native tests); the
//! components only wire it. Every request runs in a [`Latest`], aborted when the page is left.

mod deliveries;
mod form;
mod list;
mod model;

use leptos::prelude::*;
use vantage_contract::{CreatedWebhook, Webhook};

use self::deliveries::{Deliveries, Panel};
use self::form::{SecretBox, WebhookForm};
use self::list::{RowActions, WebhooksTable};
use self::model::{control_of, rule_message, WebhookDraft};
use super::password::{field_error, FormError};
use super::tenants::confirm;
use crate::i18n::{tr, trf, Key, P, W};
use crate::request::Latest;
use crate::session::use_session;

/// `key` as text that follows the viewer's language (one closure type for every key).
fn t<K: Key + Send + Sync>(key: K) -> impl IntoView {
    move || tr(key)
}

/// The time now, epoch ms.
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A form error naming `field` as the control that shows it (`events[1]` → `events`).
fn form_error(field: Option<String>, message: String) -> (Option<String>, String) {
    let field = field.map(|f| control_of(&f).map_or(f, str::to_owned));
    (field, message)
}

/// Runs `run` every `secs` seconds while the calling component is mounted.
fn every(secs: u64, run: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(run, std::time::Duration::from_secs(secs)) {
        on_cleanup(move || handle.clear());
    }
}

/// What the list shows.
#[derive(Debug, Clone, PartialEq)]
enum ListState {
    Loading,
    Failed(String),
    Empty,
    Rows,
}

/// The section (render it for tenant admins only: the server refuses everyone else).
#[component]
pub fn Webhooks() -> impl IntoView {
    let session = use_session();
    let api = StoredValue::new_local(session.api.clone());
    let user = session.user;
    let items = RwSignal::new(None::<Result<Vec<Webhook>, String>>);
    let reload = RwSignal::new(0_u32);
    let now = RwSignal::new(now_ms());
    let load = Latest::new();
    // Effect: (re)loads the list once someone is signed in, after Retry or Refresh, every minute
    // (deliveries are retried in the background) and after a test was answered.
    Effect::new(move |_| {
        reload.track();
        if user.with(Option::is_none) {
            return;
        }
        let api = api.get_value();
        load.run(async move {
            let list = api.webhooks().await;
            now.set(now_ms());
            items.set(Some(list.map(|l| l.items).map_err(|e| e.user_message())));
        });
    });
    // "2 min ago" stays true while the page is open; deliveries are retried in the background,
    // so the list is asked again every minute.
    every(30, move || now.set(now_ms()));
    every(60, move || reload.update(|n| *n += 1));
    let draft = RwSignal::new(WebhookDraft::default());
    let editing = RwSignal::new(None::<String>);
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<CreatedWebhook>);
    let panel = RwSignal::new(None::<Panel>);
    let name_input = NodeRef::<leptos::html::Input>::new();
    // Puts the server's answer for one webhook in the list (or removes it: `None`).
    let put = move |id: &str, webhook: Option<Webhook>| {
        items.update(|list| {
            if let Some(Ok(list)) = list {
                let at = list.iter().position(|w| w.id == id);
                match (at, webhook) {
                    (Some(i), Some(w)) => list[i] = w,
                    (None, Some(w)) => list.push(w),
                    (Some(i), None) => drop(list.remove(i)),
                    (None, None) => {}
                }
            }
        })
    };
    let reset_form = move || {
        editing.set(None);
        error.set(None);
        draft.set(WebhookDraft::default());
    };
    // Row actions and saves, one at a time (the buttons wait for it), aborted if the page is
    // left.
    let save = Latest::new();
    let test = Callback::new(move |w: Webhook| {
        let api = api.get_value();
        busy.set(true);
        action_error.set(None);
        save.run(async move {
            match api.test_webhook(&w.id).await {
                Ok(d) => panel.set(Some(Panel::following(w, d.id))),
                Err(e) => action_error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    });
    let toggle_deliveries = Callback::new(move |w: Webhook| {
        let open = panel.with_untracked(|p| p.as_ref().is_some_and(|p| p.webhook.id == w.id));
        panel.set((!open).then(|| Panel::new(w)));
    });
    let rotate = Callback::new(move |w: Webhook| {
        if !confirm(&trf(W::NewSecretQuestion, &[&w.name])) {
            return;
        }
        let api = api.get_value();
        busy.set(true);
        action_error.set(None);
        save.run(async move {
            match api.rotate_webhook_secret(&w.id).await {
                Ok(created) => {
                    put(&w.id, Some(created.webhook.clone()));
                    secret.set(Some(created));
                }
                Err(e) => action_error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    });
    let delete = Callback::new(move |w: Webhook| {
        if !confirm(&trf(W::DeleteQuestion, &[&w.name, &w.url])) {
            return;
        }
        let api = api.get_value();
        busy.set(true);
        action_error.set(None);
        save.run(async move {
            match api.delete_webhook(&w.id).await {
                Ok(()) => {
                    put(&w.id, None);
                    if editing.get_untracked().as_deref() == Some(w.id.as_str()) {
                        reset_form();
                    }
                    let gone = |id: &str| id == w.id;
                    if panel.with_untracked(|p| p.as_ref().is_some_and(|p| gone(&p.webhook.id))) {
                        panel.set(None);
                    }
                    if secret.with_untracked(|s| s.as_ref().is_some_and(|s| gone(&s.webhook.id))) {
                        secret.set(None);
                    }
                }
                Err(e) => action_error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    });
    let edit = Callback::new(move |w: Webhook| {
        draft.set(WebhookDraft::from_webhook(&w));
        editing.set(Some(w.id));
        error.set(None);
        // Focusing the first field also scrolls the form into view.
        if let Some(input) = name_input.get_untracked() {
            let _ = input.focus();
        }
    });
    let submit = Callback::new(move |()| {
        let input = match draft.with_untracked(WebhookDraft::to_input) {
            Ok(input) => input,
            Err(e) => return error.set(Some(form_error(Some(e.field.clone()), rule_message(&e)))),
        };
        let api = api.get_value();
        let id = editing.get_untracked();
        busy.set(true);
        error.set(None);
        save.run(async move {
            let saved = match &id {
                Some(id) => api.update_webhook(id, &input).await.map(|w| (w, None)),
                None => api
                    .create_webhook(&input)
                    .await
                    .map(|c| (c.webhook.clone(), Some(c))),
            };
            match saved {
                Ok((webhook, created)) => {
                    put(&webhook.id.clone(), Some(webhook));
                    if created.is_some() {
                        secret.set(created);
                    }
                    reset_form();
                }
                Err(e) => {
                    let (field, message) = field_error(&e);
                    error.set(Some(form_error(field, message)));
                }
            }
            busy.set(false);
        });
    });
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    let shown = Signal::derive(move || panel.with(|p| p.as_ref().map(|p| p.webhook.id.clone())));
    let actions = RowActions {
        busy,
        shown,
        edit,
        test,
        deliveries: toggle_deliveries,
        rotate,
        delete,
    };
    // Built again only when the list's state changes: its rows are keyed (`WebhooksTable`).
    let state = Memo::new(move |_| {
        items.with(|i| match i {
            None => ListState::Loading,
            Some(Err(message)) => ListState::Failed(message.clone()),
            Some(Ok(list)) if list.is_empty() => ListState::Empty,
            Some(Ok(_)) => ListState::Rows,
        })
    });
    let table = move || match state.get() {
        ListState::Loading => view! {
            <div class="list-skeleton" aria-busy="true"><div class="row skeleton"></div></div>
        }
        .into_any(),
        ListState::Failed(message) => super::load_failed(message, retry),
        ListState::Empty => view! { <p class="app-empty">{t(W::NoWebhooks)}</p> }.into_any(),
        ListState::Rows => view! { <WebhooksTable items now actions /> }.into_any(),
    };
    view! {
        <section class="webhooks" id="webhooks" aria-labelledby="webhooks-title">
            <div class="section-head">
                <h2 class="section-title" id="webhooks-title">{t(W::Title)}</h2>
                <button type="button" class="app-button" on:click=move |_| retry.run(())>{t(P::Refresh)}</button>
            </div>
            <p class="muted">{t(W::Intro)}</p>
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || secret.get().map(|created| view! {
                <SecretBox created dismiss=Callback::new(move |()| secret.set(None)) />
            })}
            {table}
            {move || panel.get().map(|p| view! {
                <Deliveries panel=p answered=retry close=Callback::new(move |()| panel.set(None)) />
            })}
            <WebhookForm draft editing busy error name_input submit
                cancel=Callback::new(move |()| reset_form()) />
        </section>
    }
}
