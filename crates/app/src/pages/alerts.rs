//! Alerts center: every alert of the tenant, filtered by severity and status (in the URL),
//! acknowledge/resolve for roles that may, refreshed live when alerts change, each alert linked to
//! the dashboard and time window it concerns.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use vantage_contract::{
    Alert, AlertRule, AlertStatus, Dataset, Filter, Permission, Role, Severity,
};
use vantage_widgets::format::{format_time, TimeStyle};

use super::alert_rules::{alert_message, AlertRules};
use super::require_login;
use crate::brand::use_page_title;
use crate::i18n::{tr, trf, P, T};
use crate::lazy::{webhooks_section, LazyPage};
use crate::session::use_session;
use crate::shell::{can, has_role};
use crate::toasts::{severity_class, use_alert_news};

/// The first of the tenant's dashboards with a widget on `dataset` (`shown_on`: each
/// dashboard's id and its widgets' datasets, in the list's order); `None`: none shows it.
fn dashboard_for(shown_on: &[(String, Vec<String>)], dataset: &str) -> Option<String> {
    shown_on
        .iter()
        .find(|(_, sets)| sets.iter().any(|s| s == dataset))
        .map(|(id, _)| id.clone())
}

/// A severity for people, in the viewer's language ("Critical").
pub(super) fn severity_label(severity: Severity) -> &'static str {
    tr(match severity {
        Severity::Critical => P::Critical,
        Severity::Warning => P::Warning,
        Severity::Info => P::Info,
    })
}

/// A status for people, in the viewer's language ("Acknowledged").
fn status_label(status: AlertStatus) -> &'static str {
    tr(match status {
        AlertStatus::Open => P::Open,
        AlertStatus::Acknowledged => P::Acknowledged,
        AlertStatus::Resolved => P::Resolved,
    })
}

/// `from`/`to` (epoch ms) of the hour around an alert, for the drill-down link.
pub fn alert_window(alert: &Alert) -> (i64, i64) {
    (
        alert.created_at - 30 * 60_000,
        alert.created_at + 30 * 60_000,
    )
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(T::Alerts).into());
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let may_act = can(Permission::ConfigureAlerts);
    // Webhooks are the tenant admins' (the server refuses everyone else).
    let may_send = has_role(Role::TenantAdmin);
    let items = RwSignal::new(None::<Result<Vec<Alert>, String>>);
    let action_error = RwSignal::new(None::<String>);
    let severity = move || query.with(|q| q.get("severity")).filter(|s| !s.is_empty());
    let status = move || query.with(|q| q.get("status")).filter(|s| !s.is_empty());
    let focus = move || query.with(|q| q.get("focus"));
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let user = session.user;
    let changes = use_alert_news().map(|n| n.changes);
    let load_api = api.clone();
    // Bumped by Retry after a failed load.
    let reload = RwSignal::new(0_u32);
    // The rules and datasets the rules section loads: an alert a rule raised is worded from it.
    let rules = RwSignal::new(None::<Result<Vec<AlertRule>, String>>);
    let datasets = RwSignal::new(Vec::<Dataset>::new());
    // Which datasets each dashboard shows, for the "open dashboard" links (loaded once).
    let shown_on = RwSignal::new(Vec::<(String, Vec<String>)>::new());
    let boards_api = api.clone();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || user.with(Option::is_none) {
            return done.unwrap_or(false);
        }
        let api = (*boards_api).clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(list) = api.dashboards().await {
                shown_on.set(
                    list.items
                        .into_iter()
                        .map(|d| {
                            let sets = d
                                .widgets
                                .into_iter()
                                .filter_map(|w| w.query.map(|q| q.dataset));
                            (d.id, sets.collect())
                        })
                        .collect(),
                );
            }
        });
        true
    });
    // Effect: (re)loads when the filters in the URL change, someone signs in, alerts change live
    // or Retry is pressed.
    Effect::new(move |_| {
        let (severity, status) = (severity(), status());
        reload.track();
        if user.with(Option::is_none) {
            return;
        }
        if let Some(changes) = changes {
            changes.track();
        }
        let api = (*load_api).clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = api
                .alerts(severity.as_deref(), status.as_deref())
                .await
                .map(|l| vantage_widgets::alerts::ordered(&l.items))
                .map_err(|e| e.user_message());
            items.set(Some(result));
        });
    });
    let set_param = move |name: &'static str, value: String| {
        let mut params = Vec::new();
        for (key, current) in [("severity", severity()), ("status", status())] {
            let v = if key == name {
                Some(value.clone())
            } else {
                current
            };
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                params.push(format!("{key}={v}"));
            }
        }
        navigate(&format!("/alerts?{}", params.join("&")), Default::default());
    };
    let set_param2 = set_param.clone();
    let act = Callback::new(move |(id, resolve): (String, bool)| {
        let api = (*api).clone();
        action_error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let result = if resolve {
                api.resolve_alert(&id).await
            } else {
                api.acknowledge_alert(&id).await
            };
            match result {
                Ok(updated) => items.update(|list| {
                    if let Some(Ok(list)) = list {
                        for a in list.iter_mut().filter(|a| a.id == updated.id) {
                            *a = updated.clone();
                        }
                    }
                }),
                Err(e) => action_error.set(Some(e.user_message())),
            }
        });
    });
    view! {
        <section class="page alerts-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(T::Alerts)}</h1>
                    <p class="muted">{move || tr(P::AlertsIntro)}</p>
                    {move || may_send.get().then(|| view! {
                        <p><a href="/alerts#webhooks">{move || tr(P::WebhooksLink)}</a></p>
                    })}
                </div>
                <div class="page-tools">
                    <select aria-label=move || tr(P::Severity) prop:value=move || severity().unwrap_or_default()
                        on:change=move |ev| set_param("severity", event_target_value(&ev))>
                        <option value="">{move || tr(P::AllSeverities)}</option>
                        <option value="critical">{move || severity_label(Severity::Critical)}</option>
                        <option value="warning">{move || severity_label(Severity::Warning)}</option>
                        <option value="info">{move || severity_label(Severity::Info)}</option>
                    </select>
                    <select aria-label=move || tr(P::Status) prop:value=move || status().unwrap_or_default()
                        on:change=move |ev| set_param2("status", event_target_value(&ev))>
                        <option value="">{move || tr(P::AllStatuses)}</option>
                        <option value="open">{move || status_label(AlertStatus::Open)}</option>
                        <option value="acknowledged">{move || status_label(AlertStatus::Acknowledged)}</option>
                        <option value="resolved">{move || status_label(AlertStatus::Resolved)}</option>
                    </select>
                </div>
            </div>
            {move || (!may_act.get()).then(|| view! {
                <p class="notice">{move || tr(P::AlertsViewOnly)}</p>
            })}
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || match items.get() {
                None => view! { <div class="list-skeleton" aria-busy="true">{(0..5).map(|_| view! { <div class="row skeleton"></div> }).collect_view()}</div> }.into_any(),
                Some(Err(message)) => super::load_failed(message, Callback::new(move |()| reload.update(|n| *n += 1))),
                Some(Ok(list)) if list.is_empty() => view! { <p class="app-empty">{move || tr(P::NoAlertsMatch)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="alert-rows">
                        {list.into_iter().map(|alert| {
                            let dashboard = shown_on.with(|s| dashboard_for(s, &alert.dataset));
                            let raised_by = raised_by(&alert, rules, datasets);
                            view! { <AlertRow alert=alert dashboard=dashboard raised_by=raised_by may_act=may_act focused=focus() act=act /> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <AlertRules may_edit=may_act changed=Callback::new(move |()| reload.update(|n| *n += 1)) rules datasets />
            {move || may_send.get().then(|| view! { <LazyPage load=webhooks_section /> })}
        </section>
    }
}

/// What the rule that raised `alert` says about it: the alert's message in the viewer's language
/// and the rule's filters (for "See the rows"), when the rule is loaded and unchanged since.
fn raised_by(
    alert: &Alert,
    rules: RwSignal<Option<Result<Vec<AlertRule>, String>>>,
    datasets: RwSignal<Vec<Dataset>>,
) -> Option<(String, Vec<Filter>)> {
    rules.with(|rules| {
        let rule = rules
            .as_ref()?
            .as_ref()
            .ok()?
            .iter()
            .find(|r| r.id == alert.rule)?;
        let message = datasets.with(|sets| {
            let ds = sets.iter().find(|d| d.id == alert.dataset);
            alert_message(alert, rule, ds)
        })?;
        Some((message, rule.definition.filters.clone()))
    })
}

#[component]
fn AlertRow(
    alert: Alert,
    /// The dashboard to open at the alert's time (none shows its dataset: no link).
    dashboard: Option<String>,
    /// The alert's message worded from its rule and the rule's filters ([`raised_by`]).
    raised_by: Option<(String, Vec<Filter>)>,
    may_act: Signal<bool>,
    focused: Option<String>,
    act: Callback<(String, bool)>,
) -> impl IntoView {
    let (from, to) = alert_window(&alert);
    let dashboard_link = dashboard.map(|d| format!("/dashboards/{d}?from={from}&to={to}"));
    let (message, filters) = raised_by.unwrap_or_else(|| (alert.message.clone(), Vec::new()));
    // The rows the rule counted: the alert's hour and the rule's filters.
    let drill = crate::drill::DrillTarget {
        dataset: alert.dataset.clone(),
        from,
        to,
        filters,
        title: alert.title.clone(),
    };
    let drill_link = drill.url("/alerts");
    let (id_ack, id_res) = (alert.id.clone(), alert.id.clone());
    let (status, severity) = (alert.status, alert.severity);
    let reason = move || (!may_act.get()).then(|| tr(P::NeedsManager));
    let created_at = alert.created_at;
    // Who acknowledged it, by name (the id when the server gave no name: a user since deleted,
    // or a server that does not send names).
    let acknowledged_by = alert
        .acknowledged_by_name
        .clone()
        .or_else(|| alert.acknowledged_by.clone());
    let status_line = move || {
        let raised = format_time(created_at as f64, TimeStyle::DateTime);
        match &acknowledged_by {
            Some(by) => trf(
                P::StatusRaisedAcknowledged,
                &[status_label(status), &raised, by],
            ),
            None => trf(P::StatusRaised, &[status_label(status), &raised]),
        }
    };
    let class = format!(
        "alert-row {}{}",
        severity_class(alert.severity),
        if focused.as_deref() == Some(alert.id.as_str()) {
            " focused"
        } else {
            ""
        }
    );
    view! {
        <li class=class data-alert-id=alert.id.clone() data-status=status_name(status)>
            <span class="sev-pill">{move || severity_label(severity)}</span>
            <div class="alert-body">
                <strong>{alert.title.clone()}</strong>
                <p>{message}</p>
                <p class="muted small">{status_line}</p>
                <p class="alert-links">
                    {dashboard_link.map(|href| view! { <a href=href>{move || tr(P::OpenDashboardAtThatTime)}</a> })}
                    <a href=drill_link>{move || tr(P::SeeTheRows)}</a>
                </p>
            </div>
            <div class="alert-actions">
                {(status == AlertStatus::Open).then(|| view! {
                    <button type="button" class="app-button" disabled=move || !may_act.get()
                        title=reason
                        on:click=move |_| act.run((id_ack.clone(), false))>{move || tr(P::Acknowledge)}</button>
                })}
                {(status != AlertStatus::Resolved).then(|| view! {
                    <button type="button" class="app-button" disabled=move || !may_act.get()
                        title=reason
                        on:click=move |_| act.run((id_res.clone(), true))>{move || tr(P::Resolve)}</button>
                })}
            </div>
        </li>
    }
}

fn status_name(s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::Open => "open",
        AlertStatus::Acknowledged => "acknowledged",
        AlertStatus::Resolved => "resolved",
    }
}
