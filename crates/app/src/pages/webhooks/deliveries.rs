//! One webhook's latest deliveries as a table (event, status, attempts, the receiver's answer,
//! the error, when), below the list while "Show deliveries" is on. After "Send test" it follows
//! the test: the server sends it within about a second and has no way to tell the page, so the
//! table is loaded again after growing pauses until the test has its answer (about eight
//! seconds at most; Refresh asks again later), and then the section reloads its list.

use std::time::Duration;

use leptos::prelude::*;
use vantage_contract::wire::name_of;
use vantage_contract::{Webhook, WebhookDelivery};
use vantage_sdk::ApiClient;
use vantage_widgets::format::{format_time, TimeStyle};

use super::model::{event_label, status_label, test_settled, Outcome};
use super::{now_ms, t};
use crate::i18n::{tr, trf, P, W};
use crate::request::Latest;
use crate::session::use_session;

/// The pauses (ms) before each further load while a test is followed.
const FOLLOW_PAUSES_MS: [u64; 7] = [300, 700, 1_000, 1_000, 1_500, 1_500, 2_000];

/// What the deliveries table shows: whose deliveries, and the test delivery to follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub webhook: Webhook,
    pub follow: Option<String>,
}

impl Panel {
    /// `webhook`'s deliveries.
    pub fn new(webhook: Webhook) -> Self {
        Self {
            webhook,
            follow: None,
        }
    }

    /// `webhook`'s deliveries, following the test delivery `delivery` until it has its answer.
    pub fn following(webhook: Webhook, delivery: String) -> Self {
        Self {
            webhook,
            follow: Some(delivery),
        }
    }
}

type Loaded = RwSignal<Option<Result<Vec<WebhookDelivery>, String>>>;

/// Loads `webhook`'s deliveries into `list`; with `test`, again after each of
/// [`FOLLOW_PAUSES_MS`] until that delivery has its answer ([`test_settled`]) or a load fails.
async fn load(api: ApiClient, webhook: String, test: Option<String>, list: Loaded) {
    let pauses = FOLLOW_PAUSES_MS.into_iter().filter(|_| test.is_some());
    for pause in std::iter::once(0).chain(pauses) {
        if pause > 0 {
            gloo_timers::future::sleep(Duration::from_millis(pause)).await;
        }
        let result = api.webhook_deliveries(&webhook).await.map(|l| l.items);
        let done = match (&result, &test) {
            (Ok(items), Some(id)) => test_settled(items, id),
            _ => true,
        };
        list.set(Some(result.map_err(|e| e.user_message())));
        if done {
            break;
        }
    }
}

/// The deliveries of `panel`'s webhook. `answered` runs once a followed test has its answer;
/// `close` hides the table.
#[component]
pub fn Deliveries(panel: Panel, answered: Callback<()>, close: Callback<()>) -> impl IntoView {
    let api = StoredValue::new_local(use_session().api.clone());
    let list: Loaded = RwSignal::new(None);
    let waiting = RwSignal::new(panel.follow.is_some());
    let reload = RwSignal::new(0_u32);
    let running = Latest::new();
    let id = StoredValue::new(panel.webhook.id.clone());
    // The test to follow until its follow-up ends (a Refresh meanwhile starts it again).
    let follow = StoredValue::new(panel.follow);
    // Effect: loads when shown and on Refresh.
    Effect::new(move |_| {
        reload.track();
        let test = follow.get_value();
        waiting.set(test.is_some());
        let work = load(api.get_value(), id.get_value(), test.clone(), list);
        running.run(async move {
            work.await;
            waiting.set(false);
            if test.is_some() {
                follow.set_value(None);
                answered.run(());
            }
        });
    });
    let name = panel.webhook.name;
    let retry = Callback::new(move |()| reload.update(|n| *n += 1));
    let table = move || match list.get() {
        None => view! {
            <div class="list-skeleton" aria-busy="true"><div class="row skeleton"></div></div>
        }
        .into_any(),
        Some(Err(message)) => super::super::load_failed(message, retry),
        Some(Ok(items)) if items.is_empty() => {
            view! { <p class="app-empty">{t(W::NoDeliveries)}</p> }.into_any()
        }
        Some(Ok(items)) => {
            let now = now_ms();
            let rows = items.into_iter().map(|d| delivery_row(d, now));
            view! { <DeliveriesTable rows=rows.collect_view().into_any() /> }.into_any()
        }
    };
    view! {
        <section class="card webhook-deliveries" id="webhook-deliveries" aria-labelledby="webhook-deliveries-title">
            <div class="section-head">
                <h3 id="webhook-deliveries-title">{move || trf(W::DeliveriesOf, &[&name])}</h3>
                <div class="row-actions">
                    <button type="button" class="app-button" on:click=move |_| retry.run(())>{t(P::Refresh)}</button>
                    <button type="button" class="app-button ghost" on:click=move |_| close.run(())>{t(W::HideDeliveries)}</button>
                </div>
            </div>
            <p class="muted small">{t(W::DeliveriesIntro)}</p>
            <p class="muted webhook-waiting" role="status">
                {move || waiting.get().then(|| tr(W::WaitingForTest))}
            </p>
            {table}
        </section>
    }
}

/// The table's frame with its headers.
#[component]
fn DeliveriesTable(rows: AnyView) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="app-table deliveries-table" aria-labelledby="webhook-deliveries-title">
                <thead><tr>
                    <th scope="col">{t(W::Event)}</th>
                    <th scope="col">{t(P::Status)}</th>
                    <th scope="col">{t(W::Attempts)}</th>
                    <th scope="col">{t(W::Response)}</th>
                    <th scope="col">{t(W::Error)}</th>
                    <th scope="col">{t(W::Time)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One delivery; `now` (epoch ms) words a pending one's next try.
fn delivery_row(d: WebhookDelivery, now: i64) -> AnyView {
    let (event, status) = (d.event, d.status);
    let outcome = Outcome::of(Some(&d));
    let when = d.last_attempt_at.unwrap_or(d.created_at);
    let dash = || "—".to_owned();
    let response = d.response_status.map_or_else(dash, |s| s.to_string());
    let error = d.error.clone().unwrap_or_else(dash);
    view! {
        <tr data-delivery-id=d.id.clone() data-status=name_of(&status) data-event=event.as_str()>
            <td>{move || event_label(event)}</td>
            <td class=format!("webhook-outcome {}", outcome.class())>
                {move || match outcome {
                    // A refused attempt says when it is tried again.
                    Outcome::Failing { .. } => outcome.text(now),
                    _ => status_label(status).to_owned(),
                }}
            </td>
            <td class="num" data-label=move || tr(W::Attempts)>{d.attempts}</td>
            <td class="num" data-label=move || tr(W::Response)>{response}</td>
            <td class="webhook-error small" data-label=move || tr(W::Error)>{error}</td>
            <td class="small nowrap">{format_time(when as f64, TimeStyle::DateTime)}</td>
        </tr>
    }
    .into_any()
}
