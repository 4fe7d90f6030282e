//! The tenant's issued embed tokens on the embed page: which dashboard each shows, the origins
//! it is bound to, its locked filters, when it was issued and when it expires, whether it still
//! works — and a Revoke button (after a confirm) for the roles that may revoke. The server lists
//! tokens that have not expired yet; a revoked one stays listed, marked, until its expiry.

use leptos::prelude::*;
use vantage_contract::{may_manage_embed_tokens, Dashboard, EmbedTokenInfo};
use vantage_widgets::format::{format_time, TimeStyle};

use super::filter_rows::filter_text;
use super::tenants::confirm;
use crate::i18n::{tr, trf, P, T};
use crate::request::Latest;
use crate::session::use_session;

/// Whether a listed token still opens its dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Revoked,
    /// Expired while the list was on screen (the server lists only unexpired tokens).
    Expired,
}

impl TokenStatus {
    /// The status of `token` at `now_ms` (epoch ms); revocation wins over expiry.
    pub fn of(token: &EmbedTokenInfo, now_ms: i64) -> Self {
        if token.revoked_at.is_some() {
            Self::Revoked
        } else if token.expires_at <= now_ms {
            Self::Expired
        } else {
            Self::Active
        }
    }

    fn label(self) -> &'static str {
        tr(match self {
            Self::Active => P::Active,
            Self::Revoked => P::Revoked,
            Self::Expired => P::Expired,
        })
    }
}

/// The dashboard's name for a token row, or its id when the dashboard is gone or not loaded.
fn dashboard_name(dashboards: &[Dashboard], id: &str) -> String {
    dashboards
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}

/// The list with its Revoke actions. `refresh` changes whenever the page issued a new token.
#[component]
pub fn EmbedTokens(
    dashboards: ReadSignal<Vec<Dashboard>>,
    #[prop(into)] refresh: Signal<u32>,
) -> impl IntoView {
    let session = use_session();
    let may_revoke = move || {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| may_manage_embed_tokens(u.role)))
    };
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let items = RwSignal::new(None::<Result<Vec<EmbedTokenInfo>, String>>);
    let load = Latest::new();
    let load_api = api.clone();
    let reload = Callback::new(move |()| {
        let api = (*load_api).clone();
        load.run(async move {
            let result = api.embed_tokens().await.map(|l| l.items);
            items.set(Some(result.map_err(|e| e.user_message())));
        });
    });
    // Effect: reload when the page issues a token (and once on mount).
    Effect::new(move |_| {
        refresh.track();
        reload.run(());
    });
    // The server's message when a revoke failed.
    let action_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<String>);
    let revoke = Callback::new(move |token: EmbedTokenInfo| {
        let name = dashboards.with_untracked(|d| dashboard_name(d, &token.dashboard_id));
        if !confirm(&trf(P::RevokeQuestion, &[&name])) {
            return;
        }
        let api = (*api).clone();
        action_error.set(None);
        busy.set(Some(token.id.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = api.revoke_embed_token(&token.id).await {
                action_error.set(Some(e.user_message()));
            }
            busy.set(None);
            reload.run(());
        });
    });
    view! {
        <section class="embed-tokens">
            <div class="section-head">
                <h2 class="section-title">{move || tr(P::IssuedTokens)}</h2>
                <button type="button" class="app-button" on:click=move |_| reload.run(())>{move || tr(P::Refresh)}</button>
            </div>
            <p class="muted small">{move || tr(P::IssuedTokensIntro)}</p>
            {move || action_error.get().map(|e| view! { <p class="form-error" role="alert">{move || trf(P::RevokeFailed, &[&e])}</p> })}
            {move || match items.get() {
                None => view! { <div class="list-skeleton" aria-busy="true">{(0..2).map(|_| view! { <div class="row skeleton"></div> }).collect_view()}</div> }.into_any(),
                Some(Err(m)) => super::load_failed(m, reload),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="app-empty">{move || tr(P::NoTokens)}</p>
                }.into_any(),
                Some(Ok(list)) => {
                    let now = js_sys::Date::now() as i64;
                    let can_revoke = may_revoke();
                    view! {
                        <div class="card table-card">
                            <table class="app-table embed-tokens-table">
                                <caption class="sr-only">{move || tr(P::IssuedTokens)}</caption>
                                <thead><tr>
                                    <th scope="col">{move || tr(T::Dashboard)}</th><th scope="col">{move || tr(P::Origins)}</th>
                                    <th scope="col">{move || tr(P::LockedFilters)}</th><th scope="col">{move || tr(P::Issued)}</th>
                                    <th scope="col">{move || tr(P::Expires)}</th><th scope="col">{move || tr(P::Status)}</th>
                                    {can_revoke.then(|| view! { <th scope="col"><span class="sr-only">{move || tr(P::Actions)}</span></th> })}
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <TokenRow token=t now=now dashboards=dashboards can_revoke=can_revoke busy=busy revoke=revoke />
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn TokenRow(
    token: EmbedTokenInfo,
    now: i64,
    dashboards: ReadSignal<Vec<Dashboard>>,
    can_revoke: bool,
    busy: RwSignal<Option<String>>,
    revoke: Callback<EmbedTokenInfo>,
) -> impl IntoView {
    let status = TokenStatus::of(&token, now);
    let id = token.id.clone();
    let dashboard_id = token.dashboard_id.clone();
    let dashboard = move || dashboards.with(|d| dashboard_name(d, &dashboard_id));
    let filters = if token.locked_filters.is_empty() {
        "—".to_owned()
    } else {
        let described: Vec<String> = token
            .locked_filters
            .iter()
            .map(|f| filter_text(f, None))
            .collect();
        described.join("; ")
    };
    let when = |ms: i64| format_time(ms as f64, TimeStyle::DateTime);
    let is_busy = {
        let id = id.clone();
        move || busy.with(|b| b.as_deref() == Some(id.as_str()))
    };
    let action = (can_revoke && status == TokenStatus::Active).then(|| {
        let t = token.clone();
        view! {
            <button type="button" class="app-button danger" disabled=is_busy
                on:click=move |_| revoke.run(t.clone())>{move || tr(P::Revoke)}</button>
        }
    });
    view! {
        <tr data-token-id=id class:inactive=status != TokenStatus::Active>
            <td><strong>{dashboard}</strong></td>
            <td data-label=move || tr(P::Origins)>{token.allowed_origins.iter().map(|o| view! { <code class="origin">{o.clone()}</code> }).collect_view()}</td>
            <td class="small" data-label=move || tr(P::LockedFilters)>{filters}</td>
            <td class="small" data-label=move || tr(P::Issued)>{when(token.issued_at)}</td>
            <td class="small" data-label=move || tr(P::Expires)>{when(token.expires_at)}</td>
            <td><span class="role-pill" class:off=status != TokenStatus::Active>{move || status.label()}</span></td>
            {can_revoke.then(|| view! { <td><div class="row-actions">{action}</div></td> })}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vantage_contract::Filter;

    fn token(expires_at: i64, revoked_at: Option<i64>) -> EmbedTokenInfo {
        EmbedTokenInfo {
            id: "jti".into(),
            dashboard_id: "d1".into(),
            issued_by: "u1".into(),
            issued_at: 0,
            expires_at,
            allowed_origins: vec!["https://host.example".into()],
            permissions: vec![],
            locked_filters: vec![Filter::eq("region", "north")],
            revoked_at,
        }
    }

    #[test]
    fn a_token_is_active_until_it_expires() {
        assert_eq!(
            TokenStatus::of(&token(1_000, None), 999),
            TokenStatus::Active
        );
        assert_eq!(
            TokenStatus::of(&token(1_000, None), 1_000),
            TokenStatus::Expired
        );
    }

    #[test]
    fn revocation_wins_over_expiry() {
        assert_eq!(
            TokenStatus::of(&token(1_000, Some(5)), 0),
            TokenStatus::Revoked
        );
        assert_eq!(
            TokenStatus::of(&token(1_000, Some(5)), 2_000),
            TokenStatus::Revoked
        );
    }

    #[test]
    fn a_row_names_the_dashboard_or_falls_back_to_its_id() {
        assert_eq!(dashboard_name(&[], "gone"), "gone");
    }
}
