//! The app frame: router, header with the tenant's brand, role-aware navigation, colour-mode
//! choice, user menu and live alert toasts.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use vantage_contract::Permission;

use crate::brand::{use_brand, Brand, ModeChoice};
use crate::i18n::{tr, trf, T};
use crate::lazy::{self, LazyPage};
use crate::pages::LoginPage;
use crate::session::{provide_session, use_session, Session};
use crate::toasts::{provide_toasts, AlertFeed, Toasts};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    session.restore();
    // A stored session is being renewed: its dashboards' module is fetched beside the renewal
    // rather than after it (one round trip less before a dashboard opened by its address).
    if !session.restored.get_untracked() {
        crate::lazy::preload_dashboards();
    }
    provide_session(session.clone());
    let brand = Brand::new();
    provide_context(brand);
    provide_context(ChartTheme(brand.chart_theme));
    provide_toasts();
    // The language and time zone in force on this browser, until the user is known again.
    crate::preferences::current().apply();
    // Effect: keeps the document themed (and the chart theme registered) as brand or mode change.
    Effect::new(move |_| brand.chart_theme.with(|_| ()));
    // Effect: once someone is signed in, load their tenant's branding and their mode choice.
    let user = session.user;
    let restored = session.restored;
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    Effect::new(move |_| match user.get() {
        Some(u) => {
            crate::lazy::preload_dashboards();
            brand.restore_choice(&u.id);
            crate::preferences::load(&u.id).apply();
            let api = (*api).clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(tenant) = api.tenant().await {
                    brand.tenant.set(Some(tenant));
                }
            });
        }
        // Signed out (or not yet restored): the tenant's branding is gone; the mode choice is
        // forgotten only once the stored session is known to be gone, so a reload keeps it.
        None => {
            brand.tenant.set(None);
            if restored.get() {
                brand.forget_choice();
                crate::preferences::Preferences::default().apply();
            }
        }
    });
    view! {
        <Router>
            <a class="skip-link" href="#main">{move || tr(T::SkipToContent)}</a>
            <Header />
            <AlertFeed />
            <main class="app-main" id="main" tabindex="-1">
                <Routes fallback=|| view! { <p class="app-empty">{move || tr(T::PageNotFound)}</p> }>
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/setup") view=|| view! { <LazyPage load=lazy::setup_page /> } />
                    <Route path=path!("/accept-invitation") view=|| view! { <LazyPage load=lazy::accept_invitation_page /> } />
                    <Route path=path!("/reset-password") view=|| view! { <LazyPage load=lazy::reset_password_page /> } />
                    <Route path=path!("/account") view=|| view! { <LazyPage load=lazy::account_page /> } />
                    <Route path=path!("/tenants") view=|| view! { <LazyPage load=lazy::tenants_page /> } />
                    <Route path=path!("/audit") view=|| view! { <LazyPage load=lazy::audit_page /> } />
                    <Route path=path!("/") view=|| view! { <LazyPage load=lazy::dashboards_page /> } />
                    <Route path=path!("/dashboards/:id") view=|| view! { <LazyPage load=lazy::dashboard_page /> } />
                    <Route path=path!("/dashboards/:id/report") view=|| view! { <LazyPage load=lazy::report_page /> } />
                    <Route path=path!("/drill") view=|| view! { <LazyPage load=lazy::drill_page /> } />
                    <Route path=path!("/alerts") view=|| view! { <LazyPage load=lazy::alerts_page /> } />
                    <Route path=path!("/branding") view=|| view! { <LazyPage load=lazy::branding_page /> } />
                    <Route path=path!("/embed") view=|| view! { <LazyPage load=lazy::embed_page /> } />
                    <Route path=path!("/datasets/import") view=|| view! { <LazyPage load=lazy::import_page /> } />
                    <Route path=path!("/users") view=|| view! { <LazyPage load=lazy::users_page /> } />
                    <Route path=path!("/builder/new") view=|| view! { <LazyPage load=lazy::builder_page /> } />
                    <Route path=path!("/dashboards/:id/edit") view=|| view! { <LazyPage load=lazy::builder_page /> } />
                </Routes>
            </main>
            <Toasts />
        </Router>
    }
}

/// The registered ECharts theme name for charts, as context.
#[derive(Clone, Copy)]
pub struct ChartTheme(pub Memo<Option<String>>);

/// Whether the signed-in user holds `permission` (false while signed out).
pub fn can(permission: Permission) -> Signal<bool> {
    let user = use_session().user;
    Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| u.permissions.contains(&permission))
        })
    })
}

/// Whether the signed-in user's role is `role` or above (false while signed out).
pub fn has_role(role: vantage_contract::Role) -> Signal<bool> {
    let user = use_session().user;
    Signal::derive(move || user.with(|u| u.as_ref().is_some_and(|u| u.role.at_least(role))))
}

#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let brand = use_brand();
    let user = session.user;
    let session = send_wrapper::SendWrapper::new(session);
    let logo = move || {
        brand
            .tenant
            .with(|t| t.as_ref().and_then(|t| t.branding.logo_url.clone()))
    };
    let signed_in = move || user.with(Option::is_some);
    // Signed in, or a stored session being renewed: the header has its signed-in height now (on
    // a phone, a second row for the navigation), so the page does not move when the user is known.
    let restored = session.restored;
    let with_nav = move || signed_in() || !restored.get();
    let can_admin = can(Permission::ManageUsers);
    let can_audit = can(Permission::AccessAuditLog);
    let can_tenants = can(Permission::ManageTenants);
    let can_alerts = can(Permission::ViewDashboard);
    let can_import = has_role(vantage_contract::Role::TenantAdmin);
    let can_embed = Signal::derive(move || {
        user.with(|u| {
            u.as_ref()
                .is_some_and(|u| vantage_contract::may_manage_embed_tokens(u.role))
        })
    });
    let on_mode = move |ev: leptos::ev::Event| {
        if let (Some(choice), Some(u)) = (
            ModeChoice::parse(&event_target_value(&ev)),
            user.get_untracked(),
        ) {
            brand.choose(&u.id, choice);
        }
    };
    view! {
        <header class="app-header" class:with-nav=with_nav>
            <A href="/" attr:class="app-brand">
                {move || match logo() {
                    Some(src) => view! { <img class="app-logo-img" src=src alt="" /> }.into_any(),
                    None => view! { <span class="app-logo" aria-hidden="true"></span> }.into_any(),
                }}
                <span class="app-product">{move || brand.product_name()}</span>
            </A>
            <Show when=signed_in>
                <nav class="app-nav" aria-label=move || tr(T::MainNav)>
                    <A href="/" exact=true>{move || tr(T::Dashboards)}</A>
                    <Show when=move || can_alerts.get()><A href="/alerts">{move || tr(T::Alerts)}</A></Show>
                    <Show when=move || can_embed.get()><A href="/embed">{move || tr(T::Embed)}</A></Show>
                    <Show when=move || can_import.get()><A href="/datasets/import">{move || tr(T::Import)}</A></Show>
                    <Show when=move || can_admin.get()>
                        <A href="/branding">{move || tr(T::Branding)}</A>
                        <A href="/users">{move || tr(T::Users)}</A>
                    </Show>
                    <Show when=move || can_audit.get()><A href="/audit">{move || tr(T::Audit)}</A></Show>
                    <Show when=move || can_tenants.get()><A href="/tenants">{move || tr(T::Tenants)}</A></Show>
                </nav>
            </Show>
            <div class="app-actions">
                <Show when=signed_in>
                    <select class="app-mode" aria-label=move || tr(T::ColourMode) on:change=on_mode
                        prop:value=move || brand.effective_choice().as_str()>
                        {ModeChoice::ALL.into_iter().map(|m| view! { <option value=m.as_str()>{move || m.label()}</option> }).collect_view()}
                    </select>
                </Show>
                {move || {
                    user.get()
                        .map(|u| {
                            view! {
                                <A href="/account" attr:class="app-user" attr:title=trf(T::YourAccount, &[&u.email])>
                                    {u.name.clone()}
                                    <small>{format!("{} · {}", u.tenant_name, role_label(u.role))}</small>
                                </A>
                                <button type="button" class="app-button ghost" on:click={
                                    let session = session.clone();
                                    move |_| {
                                        let session = session.clone();
                                        leptos::task::spawn_local(async move {
                                            session.sign_out().await;
                                            if let Some(window) = web_sys::window() {
                                                let _ = window.location().set_href("/login");
                                            }
                                        });
                                    }
                                }>
                                    {move || tr(T::SignOut)}
                                </button>
                            }
                        })
                }}
            </div>
        </header>
    }
}

/// A role's name for people.
pub fn role_label(role: vantage_contract::Role) -> &'static str {
    use vantage_contract::Role::*;
    match role {
        SystemAdmin => tr(T::RoleSystemAdmin),
        TenantAdmin => tr(T::RoleTenantAdmin),
        Manager => tr(T::RoleManager),
        Analyst => tr(T::RoleAnalyst),
        Viewer => tr(T::RoleViewer),
    }
}
