//! The app's pages, one per route.

mod account;
mod alert_rules;
mod alerts;
mod audit;
mod branding;
pub mod builder;
pub(crate) mod dashboard;
mod dashboards;
mod drill;
mod embed;
mod embed_tokens;
mod filter_rows;
mod import;
mod links;
mod login;
mod password;
mod report;
mod setup;
mod tenant_picker;
mod tenants;
mod users;
mod webhooks;

pub use account::AccountPage;
pub use alerts::AlertsPage;
pub use audit::AuditPage;
pub use branding::BrandingPage;
pub use builder::BuilderPage;
pub use dashboard::DashboardPage;
pub use dashboards::DashboardsPage;
pub use drill::DrillPage;
pub use embed::EmbedPage;
pub use import::ImportPage;
pub use links::{AcceptInvitationPage, ResetPasswordPage};
pub use login::LoginPage;
pub use report::ReportPage;
pub use setup::SetupPage;
pub use tenants::TenantsPage;
pub use users::UsersPage;
pub use webhooks::Webhooks;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::session::use_session;

/// What a page shows when what it loads is refused or does not arrive: the reason, as text, and
/// a Retry that asks again (`retry`). One view for every page, so each shows it the same way.
pub(crate) fn load_failed(message: String, retry: Callback<()>) -> AnyView {
    view! {
        <div class="app-error" role="alert">
            <p>{message}</p>
            <button type="button" class="app-button" on:click=move |_| retry.run(())>
                {move || crate::i18n::tw(vantage_widgets::messages::Msg::Retry)}
            </button>
        </div>
    }
    .into_any()
}

/// Sends the visitor to the login page (remembering where they were) once it is known that
/// there is no session.
pub fn require_login() {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if session.restored.get() && session.user.get().is_none() {
            let here = web_sys::window()
                .and_then(|w| {
                    let l = w.location();
                    Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
                })
                .unwrap_or_else(|| "/".into());
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(&format!("/login?next={next}"), Default::default());
        }
    });
}
