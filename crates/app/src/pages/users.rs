//! Users & roles (tenant admins): the tenant's people, their roles and what each role may do.
//! Read-only: the contract has no user-management writes yet.

use leptos::prelude::*;
use vantage_contract::{Permission, Role, User};

use super::require_login;
use crate::brand::use_page_title;
use crate::session::use_session;
use crate::shell::{can, role_label};

fn permission_label(p: Permission) -> &'static str {
    match p {
        Permission::ViewDashboard => "View dashboards",
        Permission::ExportData => "Export data",
        Permission::ConfigureAlerts => "Handle alerts",
        Permission::ManageUsers => "Manage users & branding",
        Permission::GenerateReports => "Reports",
        Permission::EditDashboards => "Edit dashboards",
        Permission::AccessAuditLog => "Audit log",
        Permission::ManageTenants => "Manage tenants",
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    require_login();
    use_page_title(|| "Users & roles".into());
    let session = use_session();
    let allowed = can(Permission::ManageUsers);
    let users = RwSignal::new(None::<Result<Vec<User>, String>>);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let started = StoredValue::new(false);
    // Effect: loads the list once the user is known to be allowed.
    Effect::new(move |_| {
        if allowed.get() && !started.get_value() {
            started.set_value(true);
            let api = (*api).clone();
            wasm_bindgen_futures::spawn_local(async move {
                users.set(Some(
                    api.users()
                        .await
                        .map(|l| l.items)
                        .map_err(|e| e.user_message()),
                ));
            });
        }
    });
    let roles = [
        Role::TenantAdmin,
        Role::Manager,
        Role::Analyst,
        Role::Viewer,
    ];
    view! {
        <section class="page users-page">
            <div class="page-head">
                <div>
                    <h1>"Users & roles"</h1>
                    <p class="muted">"Who has access to this tenant. Inviting and changing roles is not available yet."</p>
                </div>
            </div>
            {move || (!allowed.get()).then(|| view! { <p class="notice">"Only tenant admins can see the users of the tenant."</p> })}
            {move || match users.get() {
                None => ().into_any(),
                Some(Err(m)) => view! { <p class="app-error" role="alert">{m}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="card table-card">
                        <table class="app-table">
                            <caption class="sr-only">"Users"</caption>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| view! {
                                    <tr><td>{u.name}</td><td>{u.email}</td><td><span class="role-pill">{role_label(u.role)}</span></td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <h2 class="section-title">"What each role may do"</h2>
            <div class="card table-card">
                <table class="app-table matrix">
                    <thead><tr><th scope="col">"Permission"</th>
                        {roles.map(|r| view! { <th scope="col">{role_label(r)}</th> }).into_iter().collect_view()}
                    </tr></thead>
                    <tbody>
                        {Permission::ALL.into_iter().map(|p| view! {
                            <tr>
                                <th scope="row">{permission_label(p)}</th>
                                {roles.map(|r| {
                                    let yes = r.can(p);
                                    view! { <td class=if yes { "yes" } else { "no" }>{if yes { "✓" } else { "—" }}<span class="sr-only">{if yes { "allowed" } else { "not allowed" }}</span></td> }
                                }).into_iter().collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
