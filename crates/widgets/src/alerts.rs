//! Alert lists: newest first, severity colours, acknowledge/resolve delegated to callbacks (the
//! SDK performs the request; the widget never fetches).

use leptos::prelude::*;
use vantage_contract::{Alert, AlertStatus, Severity};

use crate::format::{format_time, TimeStyle};

/// What the user asked to do with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Acknowledge,
    Resolve,
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "vt-alert vt-sev-info",
        Severity::Warning => "vt-alert vt-sev-warning",
        Severity::Critical => "vt-alert vt-sev-critical",
    }
}

/// A severity for people ("Critical").
pub fn severity_text(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Info",
        Severity::Warning => "Warning",
        Severity::Critical => "Critical",
    }
}

/// A status for people ("Acknowledged").
pub fn status_text(status: AlertStatus) -> &'static str {
    match status {
        AlertStatus::Open => "Open",
        AlertStatus::Acknowledged => "Acknowledged",
        AlertStatus::Resolved => "Resolved",
    }
}

/// Alerts in display order: unresolved first, then by severity (critical first), newest first.
pub fn ordered(alerts: &[Alert]) -> Vec<Alert> {
    let mut sorted = alerts.to_vec();
    let severity_rank = |s: Severity| match s {
        Severity::Critical => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    };
    crate::sort::sort_by(&mut sorted, |a, b| {
        (a.status == AlertStatus::Resolved)
            .cmp(&(b.status == AlertStatus::Resolved))
            .then(severity_rank(a.severity).cmp(&severity_rank(b.severity)))
            .then(b.created_at.cmp(&a.created_at))
    });
    sorted
}

/// A list of alerts with acknowledge/resolve buttons (shown only when `on_action` is given).
#[component]
pub fn AlertList(
    /// The alerts to show.
    #[prop(into)]
    alerts: Signal<Vec<Alert>>,
    /// Called with the alert id and the action the user chose.
    #[prop(optional)]
    on_action: Option<Callback<(String, AlertAction)>>,
) -> impl IntoView {
    let rows = move || {
        ordered(&alerts.get())
            .into_iter()
            .map(|alert| {
                let id = alert.id.clone();
                let id2 = alert.id.clone();
                let actions = on_action.map(|callback| {
                    view! {
                        <div class="vt-alert-actions">
                            {(alert.status == AlertStatus::Open).then(|| view! {
                                <button type="button" class="vt-button" on:click=move |_| callback.run((id.clone(), AlertAction::Acknowledge))>"Acknowledge"</button>
                            })}
                            {(alert.status != AlertStatus::Resolved).then(|| view! {
                                <button type="button" class="vt-button" on:click=move |_| callback.run((id2.clone(), AlertAction::Resolve))>"Resolve"</button>
                            })}
                        </div>
                    }
                });
                view! {
                    <li class=severity_class(alert.severity) class:vt-resolved=alert.status == AlertStatus::Resolved>
                        <div class="vt-alert-main">
                            <span class="vt-alert-severity">{severity_text(alert.severity)}</span>
                            <span class="vt-alert-title">{alert.title.clone()}</span>
                            <span class="vt-alert-message">{alert.message.clone()}</span>
                            <span class="vt-alert-meta">
                                {status_text(alert.status)} " · " {format_time(alert.created_at as f64, TimeStyle::DateTime)}
                            </span>
                        </div>
                        {actions}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="vt-alerts">
            {move || alerts.with(Vec::is_empty).then(|| view! { <div class="vt-empty">"No alerts"</div> })}
            <ul class="vt-alert-list">{rows}</ul>
        </div>
    }
}

/// `(open, critical)`: how many alerts are not resolved, and how many of those are critical.
pub fn open_counts(alerts: &[Alert]) -> (usize, usize) {
    let open: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.status != AlertStatus::Resolved)
        .collect();
    let critical = open
        .iter()
        .filter(|a| a.severity == Severity::Critical)
        .count();
    (open.len(), critical)
}

/// A one-line banner summarising unresolved alerts; renders nothing when all are resolved.
#[component]
pub fn AlertBanner(
    /// The alerts to summarise.
    #[prop(into)]
    alerts: Signal<Vec<Alert>>,
    /// Called by the "View" button (e.g. to open the alert list).
    #[prop(optional)]
    on_view: Option<Callback<()>>,
) -> impl IntoView {
    move || {
        let (open, critical) = alerts.with(|a| open_counts(a));
        (open > 0).then(|| {
            let class = if critical > 0 {
                "vt-alert-banner vt-sev-critical"
            } else {
                "vt-alert-banner vt-sev-warning"
            };
            let text = match (open, critical) {
                (1, 0) => "1 open alert".to_owned(),
                (n, 0) => format!("{n} open alerts"),
                (n, c) => format!("{n} open alert{} · {c} critical", if n == 1 { "" } else { "s" }),
            };
            let role = if critical > 0 { "alert" } else { "status" };
            view! {
                <div class=class role=role>
                    <span class="vt-alert-banner-text">{text}</span>
                    {on_view.map(|view_alerts| view! {
                        <button type="button" class="vt-button" on:click=move |_| view_alerts.run(())>"View"</button>
                    })}
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, severity: Severity, status: AlertStatus, created_at: i64) -> Alert {
        Alert {
            id: id.into(),
            rule: "error_rate".into(),
            severity,
            status,
            title: id.into(),
            message: String::new(),
            dataset: "validations".into(),
            value: 1.0,
            threshold: 0.5,
            created_at,
            acknowledged_at: None,
            acknowledged_by: None,
            acknowledged_by_name: None,
            resolved_at: None,
        }
    }

    #[test]
    fn open_critical_and_newest_come_first() {
        let list = vec![
            alert("resolved", Severity::Critical, AlertStatus::Resolved, 9),
            alert("old-warn", Severity::Warning, AlertStatus::Open, 1),
            alert("crit", Severity::Critical, AlertStatus::Acknowledged, 2),
            alert("new-warn", Severity::Warning, AlertStatus::Open, 5),
        ];
        let ids: Vec<_> = ordered(&list).into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["crit", "new-warn", "old-warn", "resolved"]);
        assert_eq!(open_counts(&list), (3, 1));
    }
}
