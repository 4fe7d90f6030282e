//! Pages whose code is loaded on demand (issue 18 item 3, "a small first load").
//!
//! Each function below is a split point (`wasm_split_helpers`' `#[wasm_split]`, which Leptos
//! re-exports as `leptos::wasm_split`): `cargo xtask` links the app with `--emit-relocs`, and its
//! split step (`wasm_split_cli_support`) moves the code that only these functions reach into its
//! own wasm file, fetched the first time the function is called. Only the sign-in page and the
//! app frame stay in the main module. The dashboard list and a dashboard (the first chart) are one
//! module, fetched as soon as someone is signed in ([`preload_dashboards`]), which the build
//! merges with the chunks it shares with other pages into one file
//! (`xtask/src/artifacts/merge.rs`); the builder, CSV
//! import, the administration, embed, alert, report, drill, account and link pages are four
//! more, fetched when one of their pages opens; the alerts page's webhooks section is one more,
//! fetched only for tenant admins; the XLSX writer ([`xlsx_workbook`]) is one more,
//! fetched on the first spreadsheet export.
//!
//! The split points are `fallible`: a chunk that does not arrive gives [`ChunkError`] (the
//! load is not cached, so calling again retries) instead of a panic, which would abort the whole
//! wasm module. [`LazyPage`] shows a loading state while the chunk arrives and an error with a
//! retry button when it does not. Outside wasm (native tests) the functions are called directly.
//!
//! ```ignore
//! <Route path=path!("/users") view=|| view! { <LazyPage load=users_page /> } />
//! ```

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use vantage_widgets::messages::Msg;

use crate::i18n::{tr, tw, T};
use crate::pages;

/// A page's chunk did not arrive (network, server or a stale deploy); the browser console has the
/// details. Loading again starts a fresh attempt.
#[derive(Debug, Clone, Copy)]
pub struct ChunkError;

impl From<SplitLoaderError> for ChunkError {
    fn from(_: SplitLoaderError) -> Self {
        ChunkError
    }
}

/// What a split point returns: the page's view, built inside its chunk.
pub type PageResult = Result<AnyView, ChunkError>;

/// Mounts the view a split point returns: a loading state while its chunk arrives, then the page,
/// or an error with a retry button when the chunk does not arrive.
#[component]
pub fn LazyPage<F, Fut>(load: F) -> impl IntoView
where
    F: Fn() -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = PageResult> + Send + 'static,
{
    let attempt = RwSignal::new(0u32);
    let loading =
        || view! { <p class="app-loading muted" role="status">{move || tw(Msg::Loading)}</p> };
    view! {
        <Suspense fallback=loading>
            {move || {
                attempt.track();
                Suspend::new(async move {
                    match load().await {
                        Ok(page) => page,
                        Err(ChunkError) => view! {
                            <div class="app-error" role="alert">
                                <p>{move || tr(T::PageDidNotLoad)}</p>
                                <button type="button" class="app-button" on:click=move |_| attempt.update(|n| *n += 1)>
                                    {move || tw(Msg::Retry)}
                                </button>
                            </div>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Declares one split point per page: `fn name() -> PageResult` in split module `chunk`, building
/// `<Page/>`. Each needs its own function name: the split macro derives the exported symbols from
/// it. Pages used together share a module: every distinct set of modules that shares code gets a
/// chunk file of its own, so one module per page made ~150 small files.
macro_rules! split_pages {
    ($($(#[$doc:meta])* $name:ident in $chunk:ident => $page:ident;)*) => {$(
        $(#[$doc])*
        #[wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        pub fn $name() -> PageResult {
            Ok(view! { <pages::$page /> }.into_any())
        }
    )*};
}

split_pages! {
    /// The dashboard list (the home page once signed in).
    dashboards_page in dashboard => DashboardsPage;
    /// A dashboard and its charts.
    dashboard_page in dashboard => DashboardPage;
    /// The dashboard builder (new and edit).
    builder_page in builder => BuilderPage;
    /// CSV import ("New dataset from a file").
    import_page in import => ImportPage;
    /// The tenant's branding.
    branding_page in admin => BrandingPage;
    /// Embed snippets and embed tokens.
    embed_page in admin => EmbedPage;
    /// Users administration.
    users_page in admin => UsersPage;
    /// Tenants administration (system admins).
    tenants_page in admin => TenantsPage;
    /// The audit log.
    audit_page in admin => AuditPage;
    /// The signed-in user's account (password, language, time zone).
    account_page in account => AccountPage;
    /// Alerts.
    alerts_page in extras => AlertsPage;
    /// The alerts page's webhooks section (tenant admins only): its own module, so the alerts
    /// page of everyone else does not fetch it.
    webhooks_section in webhooks => Webhooks;
    /// The printable report of a dashboard.
    report_page in extras => ReportPage;
    /// The drill-down page.
    drill_page in extras => DrillPage;
    /// First-run setup.
    setup_page in account => SetupPage;
    /// Accepting an invitation.
    accept_invitation_page in account => AcceptInvitationPage;
    /// Choosing a new password from a reset link.
    reset_password_page in account => ResetPasswordPage;
}

/// A one-sheet XLSX workbook (sheet `sheet`) of `result`. The XLSX writer and its DEFLATE are a
/// module of their own, fetched the first time someone exports a spreadsheet: a dashboard and
/// the drill page open without them.
#[wasm_split(xlsx, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn xlsx_workbook(
    sheet: String,
    result: std::sync::Arc<vantage_contract::QueryResult>,
) -> Result<Vec<u8>, ChunkError> {
    Ok(vantage_sdk::export::xlsx::workbook(&[(
        sheet.as_str(),
        &result,
    )]))
}

/// Starts fetching the dashboard pages' module (once someone is signed in, before they open a
/// dashboard); a failure is left to [`LazyPage`], which retries when the page opens.
pub fn preload_dashboards() {
    leptos::task::spawn_local(async {
        let _ = __wasm_split_preload_dashboards_page().await;
    });
}
