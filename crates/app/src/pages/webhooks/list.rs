//! The webhooks as a table: name and address, events in words, enabled, the latest delivery's
//! outcome ("Delivered · 200 · 2 min ago"), and the row actions. Rows are keyed by the webhook's
//! id and read it from the list, so a reload or a save changes their text in place and keeps
//! the button that has the focus.

use leptos::prelude::*;
use vantage_contract::{Webhook, WebhookFormat};

use super::model::{events_text, Outcome};
use super::t;
use crate::i18n::{tr, P, R, W};

/// What the rows' buttons do, and what they need to know (all cheap to copy).
#[derive(Clone, Copy)]
pub struct RowActions {
    /// An action or a save is running: the buttons wait.
    pub busy: RwSignal<bool>,
    /// The webhook whose deliveries are shown.
    pub shown: Signal<Option<String>>,
    pub edit: Callback<Webhook>,
    pub test: Callback<Webhook>,
    /// Shows (or hides) the webhook's deliveries.
    pub deliveries: Callback<Webhook>,
    pub rotate: Callback<Webhook>,
    pub delete: Callback<Webhook>,
}

/// The table of `items` (loaded and not empty); `now` (epoch ms) words the outcomes' times.
#[component]
pub fn WebhooksTable(
    items: RwSignal<Option<Result<Vec<Webhook>, String>>>,
    now: RwSignal<i64>,
    actions: RowActions,
) -> impl IntoView {
    let ids = move || {
        items.with(|i| match i {
            Some(Ok(list)) => list.iter().map(|w| w.id.clone()).collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="card table-card">
            <table class="app-table webhooks-table">
                <caption class="sr-only">{t(W::Title)}</caption>
                <thead><tr>
                    <th scope="col">{t(W::Webhook)}</th>
                    <th scope="col">{t(W::Events)}</th>
                    <th scope="col">{t(P::Status)}</th>
                    <th scope="col">{t(W::LastDelivery)}</th>
                    <th scope="col"><span class="sr-only">{t(P::Actions)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=ids key=String::clone let:id>
                        <WebhookRow id items now actions />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// One webhook (`id`, read from `items`): what it is, where its latest delivery stands, and
/// its actions.
#[component]
fn WebhookRow(
    id: String,
    items: RwSignal<Option<Result<Vec<Webhook>, String>>>,
    now: RwSignal<i64>,
    actions: RowActions,
) -> impl IntoView {
    let (key, row_id) = (id.clone(), id.clone());
    let found = Memo::new(move |_| {
        items.with(|i| match i {
            Some(Ok(list)) => list.iter().find(|w| w.id == key).cloned(),
            _ => None,
        })
    });
    // The row is removed with its webhook; until then this is the webhook as listed.
    let webhook = move || found.get_untracked();
    let read = move |f: fn(&Webhook) -> String| move || found.with(|w| w.as_ref().map(f));
    let enabled = move || found.with(|w| w.as_ref().is_some_and(|w| w.enabled));
    let outcome =
        move || found.with(|w| Outcome::of(w.as_ref().and_then(|w| w.last_delivery.as_ref())));
    let RowActions { busy, shown, .. } = actions;
    let open = Signal::derive(move || shown.with(|s| s.as_deref() == Some(id.as_str())));
    let run = move |action: Callback<Webhook>| {
        move || {
            if let Some(w) = webhook() {
                action.run(w);
            }
        }
    };
    view! {
        <tr data-webhook-id=row_id class:inactive=move || !enabled()>
            <td>
                <strong>{read(|w| w.name.clone())}</strong>
                <div class="webhook-url muted small">{read(|w| w.url.clone())}</div>
            </td>
            <td data-label=move || tr(W::Events)>{read(|w| {
                let events = events_text(&w.events);
                match w.format {
                    WebhookFormat::Chat => format!("{events} · {}", tr(W::FormatChatShort)),
                    WebhookFormat::Event => events,
                }
            })}</td>
            <td><span class="role-pill" class:off=move || !enabled()>{move || tr(if enabled() { W::Enabled } else { W::Disabled })}</span></td>
            <td class=move || format!("webhook-outcome {}", outcome().class()) data-label=move || tr(W::LastDelivery)>
                {move || outcome().text(now.get())}
            </td>
            <td><div class="row-actions">
                {action("app-button ghost", t(R::Edit), busy, run(actions.edit))}
                {action("app-button", t(W::SendTest), busy, run(actions.test))}
                <button type="button" class="app-button" aria-expanded=move || open.get().to_string()
                    aria-controls=move || open.get().then_some("webhook-deliveries")
                    on:click={
                        let show = run(actions.deliveries);
                        move |_| show()
                    }>
                    {move || tr(if open.get() { W::HideDeliveries } else { W::ShowDeliveries })}
                </button>
                {action("app-button", t(W::NewSecret), busy, run(actions.rotate))}
                {action("app-button danger", t(R::Delete), busy, run(actions.delete))}
            </div></td>
        </tr>
    }
}

/// A row's button that runs `run`. While `busy` it says so (`aria-disabled`) and ignores
/// presses, but stays focusable: a disabled button would drop the keyboard focus to the page.
fn action(
    class: &'static str,
    label: impl IntoView + 'static,
    busy: RwSignal<bool>,
    run: impl Fn() + Send + Sync + 'static,
) -> AnyView {
    let press = move |_| {
        if !busy.get_untracked() {
            run();
        }
    };
    view! {
        <button type="button" class=class aria-disabled=move || busy.get().to_string() on:click=press>{label}</button>
    }
    .into_any()
}
