//! The webhook form (new and edit: name, address, the alert events to send, the message
//! format, enabled), each message beside the control it names, and the box that shows a
//! signing secret once.

use leptos::prelude::*;
use vantage_contract::{CreatedWebhook, WebhookFormat};

use super::model::{event_label, WebhookDraft, ALERT_EVENTS};
use super::t;
use crate::i18n::{tr, trf, P, R, W};
use crate::pages::password::{error_for, general_error, FormError};

/// The fields the form shows a message beside (the others show below it).
const FORM_FIELDS: &[&str] = &["name", "url", "events"];

/// `aria-describedby` of a control: its hint, and its message while it has one.
fn described_by(error: FormError, field: &'static str, hint: &'static str) -> String {
    match error_for(error, field) {
        Some(_) => format!("{hint} webhook-{field}-error"),
        None => hint.to_owned(),
    }
}

/// The message for `field`, beside its control.
fn message(error: FormError, field: &'static str) -> impl IntoView {
    move || {
        error_for(error, field).map(|m| {
            let id = format!("webhook-{field}-error");
            view! { <small class="field-error" id=id role="alert">{m}</small> }
        })
    }
}

/// A typed field of the form: `name` or `url`.
fn text_field(
    field: &'static str,
    draft: RwSignal<WebhookDraft>,
    error: FormError,
    node: NodeRef<leptos::html::Input>,
) -> AnyView {
    let url = field == "url";
    let (id, hint) = if url {
        ("webhook-url", "webhook-url-hint")
    } else {
        ("webhook-name", "webhook-name-hint")
    };
    let value = move || draft.with(|d| if url { d.url.clone() } else { d.name.clone() });
    let set = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        draft.update(|d| if url { d.url = v } else { d.name = v });
    };
    view! {
        <label class="field" class:webhook-url-field=url for=id>
            <span>{t(if url { W::Address } else { W::Name })}</span>
            <input id=id name=field type=if url { "url" } else { "text" } node_ref=node required
                maxlength=if url { "2000" } else { "120" } autocomplete="off"
                placeholder=url.then_some("https://")
                aria-describedby=move || described_by(error, field, hint)
                aria-invalid=move || error_for(error, field).is_some().to_string()
                prop:value=value on:input=set />
            <small id=hint class="muted">{t(if url { W::AddressHint } else { W::NameHint })}</small>
            {message(error, field)}
        </label>
    }
    .into_any()
}

/// The alert events as checkboxes (`ping` is sent by a test only).
fn events_field(draft: RwSignal<WebhookDraft>, error: FormError) -> AnyView {
    let boxes = ALERT_EVENTS.into_iter().enumerate().map(|(i, event)| {
        let id = format!("webhook-event-{i}");
        let checked = move || draft.with(|d| d.has(event));
        let set = move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            draft.update(|d| d.set_event(event, on));
        };
        view! {
            <label class="check">
                <input type="checkbox" id=id name="events" value=event.as_str()
                    aria-invalid=move || error_for(error, "events").is_some().to_string()
                    prop:checked=checked on:change=set />
                {move || event_label(event)}
            </label>
        }
    });
    view! {
        <fieldset class="webhook-events" id="webhook-events"
            aria-describedby=move || error_for(error, "events").map(|_| "webhook-events-error")>
            <legend>{t(W::SendEvents)}</legend>
            {boxes.collect_view()}
            {message(error, "events")}
        </fieldset>
    }
    .into_any()
}

/// The new-webhook / edit-webhook form.
#[component]
pub fn WebhookForm(
    draft: RwSignal<WebhookDraft>,
    /// The id of the webhook being edited (`None`: a new one).
    editing: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    error: FormError,
    name_input: NodeRef<leptos::html::Input>,
    submit: Callback<()>,
    cancel: Callback<()>,
) -> impl IntoView {
    let title = move || match editing.get() {
        Some(_) => trf(W::EditWebhook, &[&draft.with(|d| d.name.clone())]),
        None => tr(W::NewWebhook).to_owned(),
    };
    // While a save runs the button says so but stays focusable (see the list's row actions).
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            submit.run(());
        }
    };
    let format = move || draft.with(|d| d.format);
    let set_format = move |ev: leptos::ev::Event| {
        let chat = event_target_value(&ev) == "chat";
        draft.update(|d| {
            d.format = if chat {
                WebhookFormat::Chat
            } else {
                WebhookFormat::Event
            }
        });
    };
    let enabled = move || draft.with(|d| d.enabled);
    let set_enabled = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        draft.update(|d| d.enabled = on);
    };
    let save_label = move || {
        if busy.get() {
            tr(R::Saving)
        } else if editing.get().is_some() {
            tr(W::SaveWebhook)
        } else {
            tr(W::CreateWebhook)
        }
    };
    view! {
        <form class="card inline-form webhook-form" on:submit=on_submit on:input=move |_| error.set(None)
            novalidate aria-labelledby="webhook-form-title">
            <h3 class="section-title" id="webhook-form-title">{title}</h3>
            <div class="webhook-form-fields">
                {text_field("name", draft, error, name_input)}
                {text_field("url", draft, error, NodeRef::new())}
            </div>
            {events_field(draft, error)}
            <label class="field" for="webhook-format">
                <span>{t(W::Format)}</span>
                <select id="webhook-format" name="format" on:change=set_format>
                    <option value="event" selected=move || format() == WebhookFormat::Event>{t(W::FormatEvent)}</option>
                    <option value="chat" selected=move || format() == WebhookFormat::Chat>{t(W::FormatChat)}</option>
                </select>
            </label>
            <label class="check webhook-enabled" for="webhook-enabled">
                <input type="checkbox" id="webhook-enabled" name="enabled" prop:checked=enabled on:change=set_enabled />
                {t(W::EnabledCheck)}
            </label>
            <div class="form-actions">
                <button type="submit" class="app-button primary" aria-disabled=move || busy.get().to_string()>{save_label}</button>
                {move || editing.get().is_some().then(|| view! {
                    <button type="button" class="app-button ghost" on:click=move |_| cancel.run(())>{t(R::Cancel)}</button>
                })}
            </div>
            {move || general_error(error, FORM_FIELDS).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </form>
    }
}

/// A signing secret, shown once (after creating a webhook or "New secret"): read-only, selected
/// and focused when it appears, with Copy, and how a receiver checks a delivery with it.
#[component]
pub fn SecretBox(created: CreatedWebhook, dismiss: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let secret = created.secret.clone();
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&secret);
            copied.set(true);
        }
    };
    let node = NodeRef::<leptos::html::Input>::new();
    // Effect (once mounted): focus the secret, which scrolls it into view and selects it.
    node.on_load(|input| {
        let _ = input.focus();
        input.select();
    });
    let name = created.webhook.name.clone();
    view! {
        <div class="card link-box secret-box" role="status" data-webhook-id=created.webhook.id.clone()>
            <div class="snippet-head">
                <h3>{move || trf(W::SecretTitle, &[&name])}</h3>
                <button type="button" class="app-button ghost" on:click=move |_| dismiss.run(())>{t(W::Done)}</button>
            </div>
            <p class="muted small">{t(W::SecretOnce)}</p>
            <div class="inline-fields">
                <input type="text" id="webhook-secret" name="webhook-secret" readonly node_ref=node
                    aria-label=move || tr(W::Secret) prop:value=created.secret.clone()
                    on:focus=|ev| select_target(&ev) />
                <button type="button" class="app-button primary" on:click=copy>
                    {move || tr(if copied.get() { P::Copied } else { P::Copy })}
                </button>
            </div>
            <p class="muted small secret-verify">{move || trf(W::HowToVerify, &["Vantage-Signature"])}</p>
        </div>
    }
}

/// Selects the text of the input an event happened on.
fn select_target(ev: &leptos::ev::FocusEvent) {
    use wasm_bindgen::JsCast;
    if let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}
