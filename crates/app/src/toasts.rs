//! Live alert notifications: while someone is signed in, one live connection listens for the
//! tenant's `alert` messages, shows a toast for each newly raised alert and bumps a counter that
//! the alerts center watches to refresh itself.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use vantage_contract::{Alert, AlertStatus, LiveKind, Severity};
use vantage_sdk::live::{LiveConnection, LiveEvent, LiveOptions};

use crate::i18n::{tr, T};
use crate::session::use_session;

/// How long a toast stays unless closed.
const TOAST_LIFETIME: Duration = Duration::from_secs(10);
/// Most toasts on screen at once (the oldest goes first).
const MAX_TOASTS: usize = 4;

#[derive(Clone, PartialEq)]
struct Toast {
    key: u64,
    alert: Alert,
}

/// Toast list and alert counter, provided as context.
#[derive(Clone, Copy)]
pub struct AlertNews {
    toasts: RwSignal<Vec<Toast>>,
    next_key: StoredValue<u64>,
    /// Increments on every live alert message (raised, acknowledged or resolved).
    pub changes: RwSignal<u64>,
}

impl AlertNews {
    fn push(&self, alert: Alert) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.toasts.update(|list| {
            list.push(Toast { key, alert });
            if list.len() > MAX_TOASTS {
                list.remove(0);
            }
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|list| list.retain(|t| t.key != key)),
            TOAST_LIFETIME,
        );
    }

    fn dismiss(&self, key: u64) {
        self.toasts.update(|list| list.retain(|t| t.key != key));
    }
}

/// Provides [`AlertNews`] to the app.
pub fn provide_toasts() {
    provide_context(AlertNews {
        toasts: RwSignal::new(Vec::new()),
        next_key: StoredValue::new(0),
        changes: RwSignal::new(0),
    });
}

/// The alert news from context.
pub fn use_alert_news() -> Option<AlertNews> {
    use_context::<AlertNews>()
}

/// Keeps a live connection open while someone is signed in and feeds [`AlertNews`].
#[component]
pub fn AlertFeed() -> impl IntoView {
    let session = use_session();
    let Some(news) = use_alert_news() else {
        return;
    };
    let connection = StoredValue::new_local(None::<LiveConnection>);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    // Effect: the socket follows the sign-in state; dropping the connection closes it.
    Effect::new(move |_| {
        let signed_in = session.user.with(Option::is_some);
        if !signed_in {
            connection.update_value(|c| {
                if let Some(c) = c.take() {
                    c.close();
                }
            });
            return;
        }
        if connection.with_value(Option::is_some) {
            return;
        }
        let opened = LiveConnection::open(
            (*api).clone(),
            LiveOptions::default(),
            None,
            move |event| {
                if let LiveEvent::Message(envelope) = event {
                    if envelope.kind != LiveKind::Alert {
                        return;
                    }
                    news.changes.update(|n| *n += 1);
                    if let Ok(alert) = vantage_sdk::json::from_value::<Alert>(&envelope.data) {
                        if alert.status == AlertStatus::Open {
                            news.push(alert);
                        }
                    }
                }
            },
            |_| {},
        );
        connection.set_value(Some(opened));
    });
    on_cleanup(move || {
        connection.update_value(|c| {
            if let Some(c) = c.take() {
                c.close();
            }
        })
    });
}

/// The toast stack (bottom right; announced politely to screen readers).
#[component]
pub fn Toasts() -> impl IntoView {
    let Some(news) = use_alert_news() else {
        return ().into_any();
    };
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || news.toasts.get() key=|t| t.key let:toast>
                <div class=format!("toast {}", severity_class(toast.alert.severity))>
                    <div>
                        <strong>{toast.alert.title.clone()}</strong>
                        <p>{toast.alert.message.clone()}</p>
                        <A href=format!("/alerts?focus={}", toast.alert.id)>{move || tr(T::OpenInAlerts)}</A>
                    </div>
                    <button type="button" class="toast-close" aria-label=move || tr(T::Dismiss)
                        on:click=move |_| news.dismiss(toast.key)>"×"</button>
                </div>
            </For>
        </div>
    }
    .into_any()
}

/// CSS class for a severity.
pub fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Critical => "critical",
    }
}
