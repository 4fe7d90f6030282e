//! Tenants (system admins): every tenant with its user and dashboard counts; create one, rename
//! it, deactivate it (its users and embeds stop at once) or reactivate it; jump to its users or
//! audit log.

use leptos::prelude::*;
use vantage_contract::{CreateTenantRequest, Permission, TenantSummary, UpdateTenantRequest};
use vantage_widgets::format::{format_time, TimeStyle};

use super::password::{check_failed, error_for, field_error, general_error, FormError};
use super::require_login;
use crate::brand::use_page_title;
use crate::i18n::{tr, trf, A, T};
use crate::request::Latest;
use crate::session::use_session;
use crate::shell::can;

/// Asks the browser's confirm dialog; `false` when there is no window.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

#[component]
pub fn TenantsPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(T::Tenants).into());
    let allowed = can(Permission::ManageTenants);
    view! {
        {move || if allowed.get() {
            view! { <TenantsAdmin /> }.into_any()
        } else {
            view! { <section class="page"><div class="page-head"><h1>{move || tr(T::Tenants)}</h1></div>
                <p class="notice">{move || tr(A::OnlySystemAdmins)}</p></section> }.into_any()
        }}
    }
}

#[component]
fn TenantsAdmin() -> impl IntoView {
    let session = use_session();
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let items = RwSignal::new(None::<Result<Vec<TenantSummary>, String>>);
    let load = Latest::new();
    let reload_api = api.clone();
    let reload = Callback::new(move |()| {
        let api = (*reload_api).clone();
        load.run(async move {
            items.set(Some(
                api.tenants()
                    .await
                    .map(|l| l.items)
                    .map_err(|e| e.user_message()),
            ));
        });
    });
    reload.run(());
    // Replaces one tenant in the list with the server's answer.
    let replace = move |t: TenantSummary| {
        items.update(|list| {
            if let Some(Ok(list)) = list {
                match list.iter_mut().find(|x| x.id == t.id) {
                    Some(x) => *x = t,
                    None => list.push(t),
                }
            }
        })
    };
    let action_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let update_api = api.clone();
    let update = Callback::new(move |(id, req): (String, UpdateTenantRequest)| {
        let api = (*update_api).clone();
        action_error.set(None);
        busy.set(Some(id.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            match api.update_tenant(&id, &req).await {
                Ok(t) => replace(t),
                Err(e) => action_error.set(Some(e.user_message())),
            }
            busy.set(None);
        });
    });
    view! {
        <section class="page tenants-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(T::Tenants)}</h1>
                    <p class="muted">{move || tr(A::TenantsIntro)}</p>
                </div>
            </div>
            <CreateTenant api=(*api).clone() created=Callback::new(replace) />
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || match items.get() {
                None => view! { <div class="list-skeleton" aria-busy="true">{(0..3).map(|_| view! { <div class="row skeleton"></div> }).collect_view()}</div> }.into_any(),
                Some(Err(m)) => super::load_failed(m, reload),
                Some(Ok(list)) if list.is_empty() => view! { <p class="app-empty">{move || tr(A::NoTenantsYet)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="card table-card">
                        <table class="app-table tenants-table">
                            <caption class="sr-only">{move || tr(T::Tenants)}</caption>
                            <thead><tr>
                                <th scope="col">{move || tr(A::Name)}</th><th scope="col">{move || tr(T::Users)}</th><th scope="col">{move || tr(T::Dashboards)}</th>
                                <th scope="col">{move || tr(A::Status)}</th><th scope="col"><span class="sr-only">{move || tr(A::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| view! { <TenantRow tenant=t update=update busy=busy /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CreateTenant(api: vantage_sdk::ApiClient, created: Callback<TenantSummary>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let api = send_wrapper::SendWrapper::new(api);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateTenantRequest {
            id: Some(id.get_untracked().trim().to_owned()).filter(|i| !i.is_empty()),
            name: name.get_untracked(),
        };
        if let Err(e) = request.validate() {
            error.set(check_failed(&e));
            return;
        }
        let api = (*api).clone();
        busy.set(true);
        error.set(None);
        notice.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.create_tenant(&request).await {
                Ok(t) => {
                    notice.set(Some(trf(A::CreatedTenant, &[&t.name, &t.id])));
                    name.set(String::new());
                    id.set(String::new());
                    created.run(t);
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    let msg = move |f: &'static str| {
        move || {
            error_for(error, f)
                .map(|m| view! { <small class="field-error" role="alert">{m}</small> })
        }
    };
    view! {
        <form class="card inline-form" on:submit=submit on:input=move |_| error.set(None) novalidate aria-label=move || tr(A::NewTenant)>
            <h2 class="section-title">{move || tr(A::NewTenant)}</h2>
            <div class="inline-form-fields">
                <label class="field">
                    <span>{move || tr(A::Name)}</span>
                    <input type="text" name="tenant-name" required maxlength="80" bind:value=name />
                    {msg("name")}
                </label>
                <label class="field">
                    <span>{move || tr(A::TenantId)} " " <small class="muted">{move || tr(A::Optional)}</small></span>
                    <input type="text" name="tenant-id" maxlength="40" placeholder=move || tr(A::MadeFromName) bind:value=id />
                    {msg("id")}
                </label>
                <button type="submit" class="app-button primary" disabled=move || busy.get()>
                    {move || tr(if busy.get() { A::Creating } else { A::CreateTenant })}
                </button>
            </div>
            {move || general_error(error, &["name", "id"]).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || notice.get().map(|n| view! { <p class="muted" role="status">{n}</p> })}
        </form>
    }
}

#[component]
fn TenantRow(
    tenant: TenantSummary,
    update: Callback<(String, UpdateTenantRequest)>,
    busy: RwSignal<Option<String>>,
) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let draft = RwSignal::new(tenant.name.clone());
    let id = tenant.id.clone();
    let this_busy = {
        let id = id.clone();
        move || busy.with(|b| b.as_deref() == Some(id.as_str()))
    };
    let (rename_id, toggle_id) = (id.clone(), id.clone());
    let save_rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        renaming.set(false);
        update.run((
            rename_id.clone(),
            UpdateTenantRequest {
                name: Some(draft.get_untracked()),
                active: None,
            },
        ));
    };
    let (active, name) = (tenant.active, tenant.name.clone());
    let toggle = move |_| {
        let question = if active {
            trf(A::ConfirmDeactivateTenant, &[&name])
        } else {
            trf(A::ConfirmReactivateTenant, &[&name])
        };
        if confirm(&question) {
            update.run((
                toggle_id.clone(),
                UpdateTenantRequest {
                    name: None,
                    active: Some(!active),
                },
            ));
        }
    };
    let created_at = tenant.created_at;
    let created = move || {
        (created_at > 0).then(|| {
            trf(
                A::CreatedOn,
                &[&format_time(created_at as f64, TimeStyle::Date)],
            )
        })
    };
    let users_link = format!("/users?tenant={}", js_sys::encode_uri_component(&id));
    let audit_link = format!("/audit?tenant={}", js_sys::encode_uri_component(&id));
    let this_busy2 = this_busy.clone();
    view! {
        <tr data-tenant-id=id.clone() class:inactive=!tenant.active>
            <td>
                {move || if renaming.get() { view! {
                    <form class="inline-fields" on:submit=save_rename.clone()>
                        <input type="text" name="rename" aria-label=move || tr(A::NewName) maxlength="80" required bind:value=draft />
                        <button type="submit" class="app-button primary">{move || tr(A::Save)}</button>
                        <button type="button" class="app-button ghost" on:click=move |_| renaming.set(false)>{move || tr(A::Cancel)}</button>
                    </form>
                }.into_any() } else { view! {
                    <strong>{tenant.name.clone()}</strong>
                    <div class="muted small">{tenant.id.clone()}{created().map(|c| format!(" · {c}"))}</div>
                }.into_any() }}
            </td>
            <td class="num" data-label=move || tr(T::Users)>{tenant.user_count}</td>
            <td class="num" data-label=move || tr(T::Dashboards)>{tenant.dashboard_count}</td>
            <td>{if tenant.active { view! { <span class="role-pill">{move || tr(A::Active)}</span> }.into_any() } else { view! { <span class="role-pill off">{move || tr(A::Deactivated)}</span> }.into_any() }}</td>
            <td><div class="row-actions">
                <a href=users_link>{move || tr(T::Users)}</a>
                <a href=audit_link>{move || tr(A::AuditLog)}</a>
                <button type="button" class="app-button ghost" disabled=this_busy on:click=move |_| renaming.set(true)>{move || tr(A::Rename)}</button>
                <button type="button" class=if active { "app-button danger" } else { "app-button" } disabled=this_busy2 on:click=toggle>
                    {move || tr(if active { A::Deactivate } else { A::Reactivate })}
                </button>
            </div></td>
        </tr>
    }
}
