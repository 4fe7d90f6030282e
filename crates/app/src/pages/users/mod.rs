//! Users & roles (`manage_users`): the tenant's people; invite someone by email with a role (a
//! single-use link to hand over), change a role, deactivate or reactivate, issue a password-reset
//! link — each action disabled, with the reason, where the rules forbid it ([`rules`]). A system
//! admin picks the tenant (`?tenant=`). Below: what each role may do.

mod link_box;
pub mod rules;

use leptos::prelude::*;
use vantage_contract::users::assignable_role;
use vantage_contract::{Permission, Role, UpdateUserRequest, User};
use vantage_sdk::ApiClient;

use self::link_box::{IssuedLink, LinkBox};
use self::rules::{active_admins, rules_for, UserRules, Why};
use super::password::{check_failed, error_for, field_error, general_error, FormError};
use super::require_login;
use super::tenant_picker::{use_acting_tenant, TenantPicker};
use super::tenants::confirm;
use crate::brand::use_page_title;
use crate::i18n::{tr, trf, A, T};
use crate::request::Latest;
use crate::session::use_session;
use crate::shell::{can, role_label};

fn permission_label(p: Permission) -> &'static str {
    tr(match p {
        Permission::ViewDashboard => A::PermViewDashboards,
        Permission::ExportData => A::PermExportData,
        Permission::ConfigureAlerts => A::PermHandleAlerts,
        Permission::ManageUsers => A::PermManageUsers,
        Permission::GenerateReports => A::PermReports,
        Permission::EditDashboards => A::PermEditDashboards,
        Permission::AccessAuditLog => A::AuditLog,
        Permission::ManageTenants => A::PermManageTenants,
    })
}

/// The roles a user admin may give, most powerful first.
fn assignable_roles() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|r| assignable_role(*r))
}

#[component]
pub fn UsersPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(A::UsersTitle).into());
    let allowed = can(Permission::ManageUsers);
    let acting = use_acting_tenant();
    view! {
        <section class="page users-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(A::UsersTitle)}</h1>
                    <p class="muted">{move || tr(A::UsersIntro)}</p>
                </div>
                <div class="page-tools"><TenantPicker path="/users" acting=acting /></div>
            </div>
            {move || if allowed.get() {
                // Everything below starts afresh when a system admin picks another tenant.
                let tenant = acting.get();
                view! { <UsersAdmin tenant=tenant /> }.into_any()
            } else {
                view! { <p class="notice">{move || tr(A::UsersOnlyAdmins)}</p> }.into_any()
            }}
            <RoleMatrix />
        </section>
    }
}

#[component]
fn UsersAdmin(tenant: Option<String>) -> impl IntoView {
    let session = use_session();
    let me = session.user;
    let api = send_wrapper::SendWrapper::new(session.api_for(tenant.as_deref()));
    let items = RwSignal::new(None::<Result<Vec<User>, String>>);
    let load = Latest::new();
    let reload_api = api.clone();
    let reload = Callback::new(move |()| {
        let api = (*reload_api).clone();
        load.run(async move {
            let result = api.users().await.map(|l| l.items);
            items.set(Some(result.map_err(|e| e.user_message())));
        });
    });
    reload.run(());
    let issued = RwSignal::new(None::<IssuedLink>);
    let action_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let replace = move |u: User| {
        items.update(|list| {
            if let Some(Ok(list)) = list {
                match list.iter_mut().find(|x| x.id == u.id) {
                    Some(x) => *x = u,
                    None => list.push(u),
                }
            }
        })
    };
    let act_api = api.clone();
    let act = Callback::new(move |(user, action): (User, RowAction)| {
        let api: ApiClient = (*act_api).clone();
        action_error.set(None);
        busy.set(Some(user.id.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match action {
                RowAction::Update(req) => api.update_user(&user.id, &req).await.map(replace),
                RowAction::Reset => api.issue_password_reset(&user.id).await.map(|l| {
                    issued.set(Some(IssuedLink {
                        title: trf(A::ResetLinkFor, &[&l.email]),
                        path: l.path,
                        expires_at: l.expires_at,
                    }));
                }),
            };
            if let Err(e) = outcome {
                action_error.set(Some(format!("{}: {}", user.email, e.user_message())));
                // The row shows the server's state again (e.g. the role select snaps back).
                reload.run(());
            }
            busy.set(None);
        });
    });
    view! {
        <InviteForm api=(*api).clone() issued=issued invited=reload />
        {move || issued.get().map(|link| view! { <LinkBox link=link dismiss=Callback::new(move |()| issued.set(None)) /> })}
        {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || match items.get() {
            None => view! { <div class="list-skeleton" aria-busy="true">{(0..4).map(|_| view! { <div class="row skeleton"></div> }).collect_view()}</div> }.into_any(),
            Some(Err(m)) => crate::pages::load_failed(m, reload),
            Some(Ok(list)) if list.is_empty() => view! {
                <p class="app-empty">{move || tr(A::NobodyYet)}</p>
            }.into_any(),
            Some(Ok(list)) => {
                let admins = active_admins(&list);
                let me = me.get_untracked();
                view! {
                    <div class="card table-card">
                        <table class="app-table users-table">
                            <caption class="sr-only">{move || tr(T::Users)}</caption>
                            <thead><tr><th scope="col">{move || tr(A::Name)}</th><th scope="col">{move || tr(A::Role)}</th><th scope="col">{move || tr(A::Status)}</th>
                                <th scope="col"><span class="sr-only">{move || tr(A::Actions)}</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let rules = me.as_ref().map(|me| rules_for(me, &u, admins));
                                    view! { <UserRow user=u rules=rules act=act busy=busy /> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }
        }}
    }
}

/// What a row asks the page to do.
#[derive(Clone)]
enum RowAction {
    Update(UpdateUserRequest),
    Reset,
}

#[component]
fn InviteForm(
    api: ApiClient,
    issued: RwSignal<Option<IssuedLink>>,
    invited: Callback<()>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let api = send_wrapper::SendWrapper::new(api);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = vantage_contract::InvitationRequest {
            email: email.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
        };
        if let Err(e) = request.validate() {
            error.set(check_failed(&e));
            return;
        }
        let api = (*api).clone();
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.invite_user(&request.email, request.role).await {
                Ok(inv) => {
                    issued.set(Some(IssuedLink {
                        title: trf(A::InvitationFor, &[&inv.email, role_label(inv.role)]),
                        path: inv.path,
                        expires_at: inv.expires_at,
                    }));
                    email.set(String::new());
                    invited.run(());
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card inline-form" on:submit=submit on:input=move |_| error.set(None) novalidate aria-label=move || tr(A::InviteSomeone)>
            <h2 class="section-title">{move || tr(A::InviteSomeone)}</h2>
            <div class="inline-form-fields">
                <label class="field">
                    <span>{move || tr(T::Email)}</span>
                    <input type="email" name="invite-email" required autocomplete="off" bind:value=email />
                    {move || error_for(error, "email").map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                </label>
                <label class="field">
                    <span>{move || tr(A::Role)}</span>
                    <select name="invite-role" prop:value=move || role.get().as_str()
                        on:change=move |ev| if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }>
                        {assignable_roles().map(|r| view! { <option value=r.as_str()>{move || role_label(r)}</option> }).collect_view()}
                    </select>
                    {move || error_for(error, "role").map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                </label>
                <button type="submit" class="app-button primary" disabled=move || busy.get()>
                    {move || tr(if busy.get() { A::CreatingLink } else { A::CreateInvitationLink })}
                </button>
            </div>
            {move || general_error(error, &["email", "role"]).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </form>
    }
}

#[component]
fn UserRow(
    user: User,
    rules: Option<UserRules>,
    act: Callback<(User, RowAction)>,
    busy: RwSignal<Option<String>>,
) -> impl IntoView {
    let rules = rules.unwrap_or(UserRules {
        change_role: Err(Why::Loading),
        deactivate: Err(Why::Loading),
        reactivate: Err(Why::Loading),
        reset_password: Err(Why::Loading),
    });
    let id = user.id.clone();
    let is_busy = move || busy.with(|b| b.as_deref() == Some(id.as_str()));
    let u = user.clone();
    let on_role = move |ev: leptos::ev::Event| {
        if let Some(role) = Role::parse(&event_target_value(&ev)) {
            let req = UpdateUserRequest {
                role: Some(role),
                active: None,
            };
            act.run((u.clone(), RowAction::Update(req)));
        }
    };
    let role_cell = match rules.change_role {
        Ok(()) => view! {
            <select name="role" aria-label=trf(A::RoleOf, &[&user.email]) prop:value=user.role.as_str()
                disabled=is_busy.clone() on:change=on_role>
                {assignable_roles().map(|r| view! { <option value=r.as_str() selected=r == user.role>{move || role_label(r)}</option> }).collect_view()}
            </select>
        }.into_any(),
        Err(why) => view! {
            <span class="role-pill">{move || role_label(user.role)}</span>
            <small class="muted reason">{move || why.text()}</small>
        }.into_any(),
    };
    let (toggle_rule, toggle_label) = if user.active {
        (rules.deactivate, A::Deactivate)
    } else {
        (rules.reactivate, A::Reactivate)
    };
    let u = user.clone();
    let toggle = move |_| {
        let question = if u.active {
            trf(A::ConfirmDeactivateUser, &[&u.email])
        } else {
            trf(A::ConfirmReactivateUser, &[&u.email])
        };
        if confirm(&question) {
            let req = UpdateUserRequest {
                role: None,
                active: Some(!u.active),
            };
            act.run((u.clone(), RowAction::Update(req)));
        }
    };
    let u = user.clone();
    let reset = move |_| act.run((u.clone(), RowAction::Reset));
    let (busy1, busy2) = (is_busy.clone(), is_busy);
    let toggle_reason = toggle_rule.err();
    let reset_reason = rules.reset_password.err();
    view! {
        <tr data-user-email=user.email.clone() class:inactive=!user.active>
            <td><strong>{user.name.clone()}</strong><div class="muted small">{user.email.clone()}</div></td>
            <td class="role-cell">{role_cell}</td>
            <td>{if user.active { view! { <span class="role-pill">{move || tr(A::Active)}</span> }.into_any() } else { view! { <span class="role-pill off">{move || tr(A::Deactivated)}</span> }.into_any() }}</td>
            <td><div class="row-actions">
                <button type="button" class=if user.active { "app-button danger" } else { "app-button" }
                    disabled=move || toggle_reason.is_some() || busy1() title=toggle_reason.map(Why::text) on:click=toggle>{move || tr(toggle_label)}</button>
                <button type="button" class="app-button"
                    disabled=move || reset_reason.is_some() || busy2() title=reset_reason.map(Why::text) on:click=reset>{move || tr(A::PasswordResetLink)}</button>
            </div></td>
        </tr>
    }
}

#[component]
fn RoleMatrix() -> impl IntoView {
    let roles = [
        Role::TenantAdmin,
        Role::Manager,
        Role::Analyst,
        Role::Viewer,
    ];
    view! {
        <h2 class="section-title" id="role-matrix-title">{move || tr(A::WhatEachRoleMayDo)}</h2>
        // It scrolls sideways on a phone and holds nothing focusable: focusable itself, so a
        // keyboard can scroll it.
        <div class="card table-card" tabindex="0" role="region" aria-labelledby="role-matrix-title">
            <table class="app-table matrix">
                <thead><tr><th scope="col">{move || tr(A::Permission)}</th>
                    {roles.map(|r| view! { <th scope="col">{move || role_label(r)}</th> }).into_iter().collect_view()}
                </tr></thead>
                <tbody>
                    {Permission::ALL.into_iter().map(|p| view! {
                        <tr>
                            <th scope="row">{move || permission_label(p)}</th>
                            {roles.map(|r| {
                                let yes = r.can(p);
                                view! { <td class=if yes { "yes" } else { "no" }>{if yes { "✓" } else { "—" }}<span class="sr-only">{move || tr(if yes { A::Allowed } else { A::NotAllowed })}</span></td> }
                            }).into_iter().collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
