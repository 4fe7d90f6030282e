//! The tenant a tenant-scoped page (users, audit log) acts in. Everyone acts in their own tenant;
//! a system admin picks another one, kept in the URL (`?tenant=acme`) so the tenants page can link
//! to it and a reload keeps it. Requests then carry `X-Tenant-Id` (see `Session::api_for`).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use vantage_contract::{Permission, TenantSummary};

use crate::i18n::{tr, trf, A};
use crate::request::Latest;
use crate::session::use_session;
use crate::shell::can;

/// The `?tenant=` a system admin picked (`None`: their own tenant). Ignored for everyone else.
pub fn use_acting_tenant() -> Memo<Option<String>> {
    let query = use_query_map();
    let system = can(Permission::ManageTenants);
    Memo::new(move |_| {
        system
            .get()
            .then(|| query.with(|q| q.get("tenant")))
            .flatten()
            .filter(|t| !t.is_empty())
    })
}

/// A "Tenant" select for system admins (nothing for anyone else) that moves `path` to the
/// chosen tenant.
#[component]
pub fn TenantPicker(path: &'static str, acting: Memo<Option<String>>) -> impl IntoView {
    let system = can(Permission::ManageTenants);
    let session = use_session();
    let user = session.user;
    let navigate = use_navigate();
    let tenants = RwSignal::new(Vec::<TenantSummary>::new());
    let load = Latest::new();
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    // Effect: a system admin's tenant list, loaded once they are known to be one.
    Effect::new(move |_| {
        if system.get() {
            let api = (*api).clone();
            load.run(async move {
                if let Ok(list) = api.tenants().await {
                    tenants.set(list.items);
                }
            });
        }
    });
    let own = move || user.with(|u| u.as_ref().map(|u| u.tenant_id.clone()).unwrap_or_default());
    let current = move || acting.get().unwrap_or_else(own);
    let choose = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        let target = if id == own() {
            path.to_owned()
        } else {
            format!("{path}?tenant={}", js_sys::encode_uri_component(&id))
        };
        navigate(&target, Default::default());
    };
    view! {
        <Show when=move || system.get()>
            <label class="tenant-picker">
                <span>{move || tr(A::Tenant)}</span>
                <select name="tenant" prop:value=current on:change=choose.clone()>
                    {move || {
                        let mut list = tenants.get();
                        let cur = current();
                        if !list.iter().any(|t| t.id == cur) {
                            // Not loaded yet (or unknown): still show what the URL says.
                            list.insert(0, TenantSummary { id: cur.clone(), name: cur, active: true, user_count: 0, dashboard_count: 0, created_at: 0 });
                        }
                        list.into_iter().map(|t| {
                            let label = if t.active { t.name.clone() } else { trf(A::DeactivatedName, &[&t.name]) };
                            view! { <option value=t.id.clone() selected=t.id == current()>{label}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
        </Show>
    }
}
