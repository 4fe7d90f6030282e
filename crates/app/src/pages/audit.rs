//! Audit log (`access_audit_log`): who did what and when in the tenant, newest first, filtered by
//! action, actor and dates, paged with "Show older", and downloadable as CSV with the same
//! filters. A system admin picks the tenant (`?tenant=`).

use leptos::prelude::*;
use vantage_contract::{AuditAction, AuditEntry, Permission};
use vantage_sdk::AuditFilter;
use vantage_widgets::format::{format_time, TimeStyle};
use vantage_widgets::messages::Msg;

use super::require_login;
use super::tenant_picker::{use_acting_tenant, TenantPicker};
use crate::brand::use_page_title;
use crate::download::download_bytes;
use crate::i18n::{tr, trf, tw, A};
use crate::request::Latest;
use crate::session::use_session;
use crate::shell::can;

/// Records per page.
const PAGE: u32 = 50;

/// An action's name for people (`user_role_changed` → "User role changed").
pub fn action_label(action: AuditAction) -> &'static str {
    use AuditAction::*;
    tr(match action {
        SetupCompleted => A::ActSetupCompleted,
        SignIn => A::ActSignIn,
        SignInFailed => A::ActSignInFailed,
        SignOut => A::ActSignOut,
        UserInvited => A::ActUserInvited,
        InvitationAccepted => A::ActInvitationAccepted,
        UserRoleChanged => A::ActUserRoleChanged,
        UserDeactivated => A::ActUserDeactivated,
        UserReactivated => A::ActUserReactivated,
        PasswordResetIssued => A::ActPasswordResetIssued,
        PasswordResetCompleted => A::ActPasswordResetCompleted,
        PasswordChanged => A::ActPasswordChanged,
        EmbedTokenIssued => A::ActEmbedTokenIssued,
        EmbedTokenRevoked => A::ActEmbedTokenRevoked,
        DashboardCreated => A::ActDashboardCreated,
        DashboardUpdated => A::ActDashboardUpdated,
        DashboardDeleted => A::ActDashboardDeleted,
        AlertRuleCreated => A::ActAlertRuleCreated,
        AlertRuleUpdated => A::ActAlertRuleUpdated,
        AlertRuleDeleted => A::ActAlertRuleDeleted,
        BrandingChanged => A::ActBrandingChanged,
        EmbedOriginsChanged => A::ActEmbedOriginsChanged,
        TenantCreated => A::ActTenantCreated,
        TenantRenamed => A::ActTenantRenamed,
        TenantDeactivated => A::ActTenantDeactivated,
        TenantReactivated => A::ActTenantReactivated,
        WebhookCreated => A::ActWebhookCreated,
        WebhookUpdated => A::ActWebhookUpdated,
        WebhookDeleted => A::ActWebhookDeleted,
        WebhookSecretRotated => A::ActWebhookSecretRotated,
    })
}

/// An entry's details as one line of text (`from: viewer, to: manager`).
pub fn details_text(details: &serde_json::Value) -> String {
    match details {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// A `yyyy-mm-dd` date input's value as local midnight in epoch ms, `days` later.
fn local_day_ms(value: &str, days: u32) -> Option<i64> {
    let mut parts = value.split('-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) {
        return None;
    }
    let date = js_sys::Date::new_with_year_month_day(y, (m - 1) as i32, (d + days) as i32);
    let ms = date.get_time();
    ms.is_finite().then_some(ms as i64)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(A::AuditLog).into());
    let allowed = can(Permission::AccessAuditLog);
    let acting = use_acting_tenant();
    view! {
        <section class="page audit-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(A::AuditLog)}</h1>
                    <p class="muted">{move || tr(A::AuditIntro)}</p>
                </div>
                <div class="page-tools"><TenantPicker path="/audit" acting=acting /></div>
            </div>
            {move || if allowed.get() {
                let tenant = acting.get();
                view! { <AuditLog tenant=tenant /> }.into_any()
            } else {
                view! { <p class="notice">{move || tr(A::AuditNotAllowed)}</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn AuditLog(tenant: Option<String>) -> impl IntoView {
    let session = use_session();
    let api = send_wrapper::SendWrapper::new(session.api_for(tenant.as_deref()));
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let applied = RwSignal::new(AuditFilter {
        limit: Some(PAGE),
        ..AuditFilter::default()
    });
    let items = RwSignal::new(None::<Result<Vec<AuditEntry>, String>>);
    let next = RwSignal::new(None::<String>);
    let more_error = RwSignal::new(None::<String>);
    let loading_more = RwSignal::new(false);
    let load = Latest::new();
    let load_api = api.clone();
    // Effect: (re)loads the first page whenever the applied filters change; the newer request
    // aborts an older one still running (and a "Show older" in flight).
    Effect::new(move |_| {
        let filter = applied.get();
        let api = (*load_api).clone();
        items.set(None);
        next.set(None);
        more_error.set(None);
        loading_more.set(false);
        load.run(async move {
            match api.audit(&filter).await {
                Ok(page) => {
                    next.set(page.next_cursor);
                    items.set(Some(Ok(page.items)));
                }
                Err(e) => items.set(Some(Err(e.user_message()))),
            }
        });
    });
    let more_api = api.clone();
    let show_older = move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        let filter = AuditFilter {
            cursor: Some(cursor),
            ..applied.get_untracked()
        };
        let api = (*more_api).clone();
        loading_more.set(true);
        more_error.set(None);
        load.run(async move {
            match api.audit(&filter).await {
                Ok(page) => {
                    next.set(page.next_cursor);
                    items.update(|list| {
                        if let Some(Ok(list)) = list {
                            list.extend(page.items);
                        }
                    });
                }
                Err(e) => more_error.set(Some(e.user_message())),
            }
            loading_more.set(false);
        });
    };
    let filter_error = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parse_day = |value: String, days: u32, what: &str| -> Result<Option<i64>, String> {
            if value.is_empty() {
                return Ok(None);
            }
            local_day_ms(&value, days)
                .map(Some)
                .ok_or_else(|| trf(A::NotADate, &[what]))
        };
        let range = parse_day(from.get_untracked(), 0, tw(Msg::From))
            .and_then(|f| parse_day(to.get_untracked(), 1, tw(Msg::To)).map(|t| (f, t)));
        match range {
            Ok((Some(f), Some(t))) if f >= t => {
                filter_error.set(Some(tr(A::FromAfterTo).into()));
            }
            Ok((f, t)) => {
                filter_error.set(None);
                applied.set(AuditFilter {
                    action: AuditAction::parse(&action.get_untracked()),
                    actor: Some(actor.get_untracked()).filter(|a| !a.trim().is_empty()),
                    from: f,
                    to: t,
                    limit: Some(PAGE),
                    cursor: None,
                });
            }
            Err(m) => filter_error.set(Some(m)),
        }
    };
    let csv_error = RwSignal::new(None::<String>);
    let downloading = RwSignal::new(false);
    let csv_api = api.clone();
    let csv_load = Latest::new();
    let file = format!("audit-{}.csv", tenant.as_deref().unwrap_or("tenant"));
    let download = move |_| {
        let (api, filter, file) = ((*csv_api).clone(), applied.get_untracked(), file.clone());
        downloading.set(true);
        csv_error.set(None);
        csv_load.run(async move {
            match api.audit_csv(&filter).await {
                Ok(text) => {
                    if let Err(m) = download_bytes(&file, "text/csv", text.as_bytes()) {
                        csv_error.set(Some(m));
                    }
                }
                Err(e) => csv_error.set(Some(e.user_message())),
            }
            downloading.set(false);
        });
    };
    view! {
        <form class="card audit-filters" on:submit=apply aria-label=move || tr(A::FilterAuditLog)>
            <label class="field">
                <span>{move || tr(A::Action)}</span>
                <select name="action" prop:value=move || action.get() on:change=move |ev| action.set(event_target_value(&ev))>
                    <option value="">{move || tr(A::AllActions)}</option>
                    {AuditAction::ALL.into_iter().map(|a| view! { <option value=a.as_str()>{move || action_label(a)}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || tr(A::Actor)}</span>
                <input type="search" name="actor" placeholder=move || tr(A::ActorPlaceholder) bind:value=actor />
            </label>
            <label class="field">
                <span>{move || tw(Msg::From)}</span>
                <input type="date" name="from" bind:value=from />
            </label>
            <label class="field">
                <span>{move || tw(Msg::To)}</span>
                <input type="date" name="to" bind:value=to />
            </label>
            <div class="audit-filter-actions">
                <button type="submit" class="app-button primary">{move || tr(A::Filter)}</button>
                <button type="button" class="app-button" disabled=move || downloading.get() on:click=download>
                    {move || tr(if downloading.get() { A::PreparingCsv } else { A::DownloadCsv })}
                </button>
            </div>
        </form>
        {move || filter_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || csv_error.get().map(|e| view! { <p class="form-error" role="alert">{trf(A::CsvFailed, &[&e])}</p> })}
        {move || match items.get() {
            None => view! { <div class="list-skeleton" aria-busy="true">{(0..6).map(|_| view! { <div class="row skeleton"></div> }).collect_view()}</div> }.into_any(),
            Some(Err(m)) => super::load_failed(m, Callback::new(move |()| applied.update(|_| ()))),
            Some(Ok(list)) if list.is_empty() => view! { <p class="app-empty">{move || tr(A::NothingMatches)}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <div class="card table-card">
                    <table class="app-table audit-table">
                        <caption class="sr-only">{move || tr(A::AuditLog)}</caption>
                        <thead><tr><th scope="col">{move || tr(A::Time)}</th><th scope="col">{move || tr(A::Action)}</th><th scope="col">{move || tr(A::Actor)}</th>
                            <th scope="col">{move || tr(A::Target)}</th><th scope="col">{move || tr(A::Details)}</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|e| view! {
                                <tr data-action=e.action.as_str()>
                                    <td class="nowrap">{format_time(e.at as f64, TimeStyle::DateTime)}</td>
                                    <td>{move || action_label(e.action)}</td>
                                    <td>{e.actor_email.clone().or(e.actor_id.clone()).unwrap_or_else(|| "—".into())}</td>
                                    <td>{e.target.clone().unwrap_or_default()}</td>
                                    <td class="details">{details_text(&e.details)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        {move || more_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || next.get().is_some().then(|| view! {
            <div class="pager">
                <button type="button" class="app-button" disabled=move || loading_more.get() on:click=show_older.clone()>
                    {move || if loading_more.get() { tw(Msg::Loading) } else { tr(A::ShowOlder) }}
                </button>
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_as_sentences() {
        assert_eq!(
            action_label(AuditAction::UserRoleChanged),
            "User role changed"
        );
        assert_eq!(action_label(AuditAction::SignIn), "Sign in");
    }

    #[test]
    fn details_are_one_line_of_text() {
        let d = serde_json::json!({ "from": "viewer", "to": "manager" });
        assert_eq!(details_text(&d), "from: viewer, to: manager");
        let n = serde_json::json!({ "sessionsEnded": 2 });
        assert_eq!(details_text(&n), "sessionsEnded: 2");
        assert_eq!(details_text(&serde_json::Value::Null), "");
    }
}
