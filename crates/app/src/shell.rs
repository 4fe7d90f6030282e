//! The app frame: router, header with product name and user menu, theme.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use vantage_widgets::Theme;

use crate::pages::{DashboardPage, DashboardsPage, LoginPage};
use crate::session::{provide_session, use_session, Session};

/// Applies `theme` to the whole document (see `vantage_widgets::styles::apply_theme`).
/// Returns the ECharts theme name.
pub fn apply_theme(theme: &Theme) -> Option<String> {
    let root = web_sys::window()?.document()?.document_element()?;
    let root = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&root)?;
    vantage_widgets::styles::apply_theme(root, theme, None)
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    session.restore();
    provide_session(session);
    let prefers_dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    let dark = RwSignal::new(prefers_dark);
    let chart_theme = Memo::new(move |_| {
        let theme = if dark.get() {
            Theme::dark()
        } else {
            Theme::light()
        };
        apply_theme(&theme)
    });
    provide_context(ChartTheme(chart_theme));
    view! {
        <Router>
            <Header dark=dark />
            <main class="app-main">
                <Routes fallback=|| view! { <p class="app-empty">"This page does not exist."</p> }>
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/") view=DashboardsPage />
                    <Route path=path!("/dashboards/:id") view=DashboardPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The registered ECharts theme name for charts, as context.
#[derive(Clone, Copy)]
pub struct ChartTheme(pub Memo<Option<String>>);

#[component]
fn Header(dark: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let user = session.user;
    let session = send_wrapper::SendWrapper::new(session);
    view! {
        <header class="app-header">
            <A href="/" attr:class="app-brand">
                <span class="app-logo" aria-hidden="true"></span>
                "Vantage"
            </A>
            <nav class="app-nav">
                {move || user.get().map(|u| view! { <span class="app-tenant">{u.tenant_name}</span> })}
            </nav>
            <div class="app-actions">
                <button
                    type="button"
                    class="app-button ghost"
                    aria-pressed=move || dark.get().to_string()
                    on:click=move |_| dark.update(|d| *d = !*d)
                >
                    {move || if dark.get() { "Light mode" } else { "Dark mode" }}
                </button>
                {move || {
                    user.get()
                        .map(|u| {
                            view! {
                                <span class="app-user" title=u.email.clone()>
                                    {u.name.clone()}
                                    <small>{format!("{:?}", u.role)}</small>
                                </span>
                                <button type="button" class="app-button ghost" on:click={
                                    let session = session.clone();
                                    move |_| {
                                        session.logout();
                                        if let Some(window) = web_sys::window() {
                                            let _ = window.location().set_href("/login");
                                        }
                                    }
                                }>
                                    "Sign out"
                                </button>
                            }
                        })
                }}
            </div>
        </header>
    }
}
