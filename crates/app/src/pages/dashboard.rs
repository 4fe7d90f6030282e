//! One dashboard, live: time range in the URL (`?range=last24h`) so links can be shared, live
//! status badge, every widget through the SDK's `DashboardView`.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use vantage_contract::{TimePreset, TimeRange};
use vantage_sdk::live::{LiveOptions, LiveStatus};
use vantage_sdk::{DashboardStore, DashboardView, FilterSet};

use super::require_login;
use crate::session::use_session;
use crate::shell::ChartTheme;

const PRESETS: [(&str, &str); 5] = [
    ("last15m", "Last 15 minutes"),
    ("last1h", "Last hour"),
    ("last24h", "Last 24 hours"),
    ("last7d", "Last 7 days"),
    ("last30d", "Last 30 days"),
];

fn preset(value: &str) -> Option<TimePreset> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    require_login();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    view! { {move || { let id = id(); view! { <DashboardScreen id=id /> } }} }
}

#[component]
fn DashboardScreen(id: String) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let theme = use_context::<ChartTheme>().map(|t| t.0);
    let store = DashboardStore::new(
        session.api.clone(),
        id.clone(),
        FilterSet::default(),
        LiveOptions::default(),
    );
    let range = move || query.with(|q| q.get("range"));
    let initial = range().as_deref().and_then(preset).map(TimeRange::preset);
    store.time_range.set(initial);
    store.load();
    // Effect: follows the URL's time range (back/forward included).
    let follow = store.clone();
    Effect::new(move |previous: Option<Option<String>>| {
        let current = range();
        if previous.is_some_and(|p| p != current) {
            follow.set_time_range(current.as_deref().and_then(preset).map(TimeRange::preset));
        }
        current
    });
    let definition = store.definition;
    let status = store.live_status;
    let on_range = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let path = format!(
            "/dashboards/{}?range={}",
            js_sys::encode_uri_component(&id),
            value
        );
        navigate(&path, Default::default());
    };
    let cleanup = send_wrapper::SendWrapper::new(store.clone());
    on_cleanup(move || cleanup.close());
    let chart_theme = Signal::derive(move || theme.and_then(|t| t.get()));
    view! {
        <section class="page dashboard-page">
            <div class="page-head">
                <div>
                    <h1>{move || definition.get().map(|d| d.name).unwrap_or_else(|| "Dashboard".into())}</h1>
                    <p class="muted">{move || definition.get().map(|d| d.description).unwrap_or_default()}</p>
                </div>
                <div class="page-tools">
                    <LiveBadge status=status />
                    <select aria-label="Time range" on:change=on_range prop:value=move || range().unwrap_or_else(|| "default".into())>
                        <option value="default">"Dashboard default"</option>
                        {PRESETS.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <DashboardView store=store theme=chart_theme />
        </section>
    }
}

#[component]
fn LiveBadge(status: RwSignal<LiveStatus>) -> impl IntoView {
    let text = move || match status.get() {
        LiveStatus::Open(_) => "Live".to_owned(),
        LiveStatus::Connecting => "Connecting…".to_owned(),
        LiveStatus::Reconnecting { next_delay_ms, .. } => {
            format!("Reconnecting in {}s", next_delay_ms.div_ceil(1000))
        }
        LiveStatus::Paused => "Paused".to_owned(),
        LiveStatus::Closed => "Offline".to_owned(),
        LiveStatus::Failed(_) => "Offline · showing last data".to_owned(),
    };
    let class = move || format!("live-badge {}", status.get().name());
    view! { <span class=class role="status" aria-live="polite">{text}</span> }
}
