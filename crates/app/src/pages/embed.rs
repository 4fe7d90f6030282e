//! Embed (managers and up): pick a dashboard, the permissions the embed gets, the origins allowed
//! to host it, filters locked into the token and its lifetime; the app asks the API for an embed
//! token and shows copy-ready snippets (npm and `<script type="module">`) plus a live preview that
//! runs the real `vantage-embed` code path on this page.

use leptos::prelude::*;
use vantage_contract::{
    may_manage_embed_tokens, Dashboard, EmbedTokenRequest, Filter, Permission, Tenant,
};
use vantage_sdk::{Embed, EmbedOptions};

use super::embed_tokens::EmbedTokens;
use super::require_login;
use crate::brand::{use_brand, use_page_title};
use crate::i18n::{tr, trf, P, T};
use crate::session::use_session;

const LIFETIMES: [(u64, P); 4] = [
    (900, P::Minutes15),
    (3600, P::Hour1),
    (8 * 3600, P::Hours8),
    (86_400, P::Hours24),
];

/// Why the form cannot ask for a token: our own check (shown in the viewer's language, also
/// after a language change) or the server's message (already localised by its code).
#[derive(Debug, Clone)]
enum FormError {
    Check(P),
    Server(String),
}

impl FormError {
    fn text(&self) -> String {
        match self {
            Self::Check(key) => tr(*key).to_owned(),
            Self::Server(message) => message.clone(),
        }
    }
}

/// The npm/bundler snippet for a token.
pub fn npm_snippet(base_url: &str, dashboard_id: &str, token: &str) -> String {
    format!(
        r##"// npm install vantage-embed echarts
import * as echarts from "echarts";
import {{ EmbeddedDashboard }} from "vantage-embed";

const dash = new EmbeddedDashboard({{
  baseUrl: "{base_url}",
  dashboardId: "{dashboard_id}",
  token: "{token}", // or fetchToken: () => yourBackend.embedToken()
  echarts,
}});
await dash.render("#dashboard");
"##
    )
}

/// The plain-HTML snippet for a token.
pub fn script_snippet(base_url: &str, dashboard_id: &str, token: &str) -> String {
    format!(
        r##"<div id="dashboard" style="height: 720px"></div>
<script src="{base_url}/vendor/echarts/echarts-vantage.min.js"></script>
<script type="module">
  import {{ EmbeddedDashboard }} from "{base_url}/pkg/index.js";
  const dash = new EmbeddedDashboard({{
    baseUrl: "{base_url}",
    dashboardId: "{dashboard_id}",
    token: "{token}",
  }});
  await dash.render("#dashboard");
</script>
"##
    )
}

#[component]
pub fn EmbedPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(T::Embed).into());
    let user = use_session().user;
    let allowed =
        move || user.with(|u| u.as_ref().is_some_and(|u| may_manage_embed_tokens(u.role)));
    view! {
        {move || if allowed() {
            view! { <EmbedBuilder /> }.into_any()
        } else {
            view! { <section class="page"><h1>{move || tr(T::Embed)}</h1><p class="notice">{move || tr(P::EmbedNeedsManager)}</p></section> }.into_any()
        }}
    }
}

#[component]
fn EmbedBuilder() -> impl IntoView {
    let session = use_session();
    let brand = use_brand();
    let dashboards = RwSignal::new(Vec::<Dashboard>::new());
    let dashboard_id = RwSignal::new(String::new());
    let export = RwSignal::new(true);
    let origins = RwSignal::new(Vec::<String>::new());
    let lock_field = RwSignal::new(String::new());
    let lock_value = RwSignal::new(String::new());
    let lifetime = RwSignal::new(3600_u64);
    let error = RwSignal::new(None::<FormError>);
    let created = RwSignal::new(None::<(String, String, i64)>);
    // Counts the tokens issued on this page, so the token list below reloads after each.
    let issued = RwSignal::new(0_u32);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let list_api = api.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(list) = list_api.dashboards().await {
            let mut items = list.items;
            vantage_widgets::sort::sort_by_key(&mut items, |d| d.name.to_lowercase());
            if let Some(first) = items.first() {
                dashboard_id.set(first.id.clone());
            }
            dashboards.set(items);
        }
    });
    let tenant_origins = move || {
        brand.tenant.with(|t| {
            t.as_ref()
                .map(|t: &Tenant| t.embed_origins.clone())
                .unwrap_or_default()
        })
    };
    // Effect: pre-select the first allowed origin once the tenant is known.
    Effect::new(move |_| {
        let all = tenant_origins();
        if origins.with_untracked(Vec::is_empty) {
            if let Some(first) = all.first() {
                origins.set(vec![first.clone()]);
            }
        }
    });
    let base_url = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let mut locked_filters = Vec::new();
        let (field, value) = (lock_field.get_untracked(), lock_value.get_untracked());
        if !field.trim().is_empty() {
            if value.trim().is_empty() {
                error.set(Some(FormError::Check(P::LockedFilterNeedsValue)));
                return;
            }
            locked_filters.push(Filter::eq(field.trim(), value.trim()));
        }
        let request = EmbedTokenRequest {
            dashboard_id: dashboard_id.get_untracked(),
            permissions: if export.get_untracked() {
                vec![Permission::ExportData]
            } else {
                vec![]
            },
            allowed_origins: origins.get_untracked(),
            locked_filters,
            expires_in: lifetime.get_untracked(),
        };
        if request.allowed_origins.is_empty() {
            error.set(Some(FormError::Check(P::OriginsNeeded)));
            return;
        }
        let api = (*api).clone();
        wasm_bindgen_futures::spawn_local(async move {
            match api.create_embed_token(&request).await {
                Ok(response) => {
                    created.set(Some((
                        request.dashboard_id,
                        response.token,
                        response.expires_at,
                    )));
                    issued.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(FormError::Server(e.user_message()))),
            }
        });
    };
    let base = base_url.clone();
    view! {
        <section class="page embed-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(P::EmbedADashboard)}</h1>
                    <p class="muted">{move || tr(P::EmbedIntro)}</p>
                </div>
            </div>
            <div class="embed-layout">
                <form class="card embed-form" on:submit=create>
                    <label class="field">
                        <span>{move || tr(T::Dashboard)}</span>
                        <select name="dashboard" prop:value=dashboard_id on:change=move |ev| dashboard_id.set(event_target_value(&ev))>
                            {move || dashboards.get().into_iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <fieldset class="field">
                        <legend>{move || tr(P::Permissions)}</legend>
                        <label class="check"><input type="checkbox" checked disabled />{move || tr(P::ViewTheDashboard)}</label>
                        <label class="check"><input type="checkbox" name="export" prop:checked=export on:change=move |ev| export.set(event_target_checked(&ev)) />{move || tr(P::ExportData)}</label>
                    </fieldset>
                    <fieldset class="field">
                        <legend>{move || tr(P::AllowedOrigins)}</legend>
                        {move || {
                            let all = tenant_origins();
                            if all.is_empty() {
                                return view! { <p class="muted small">{move || tr(P::NoOriginsYet)}</p> }.into_any();
                            }
                            all.into_iter().map(|o| {
                                let (o1, o2) = (o.clone(), o.clone());
                                view! {
                                    <label class="check">
                                        <input type="checkbox" name="origin" value=o.clone()
                                            prop:checked=move || origins.with(|list| list.contains(&o1))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                origins.update(|list| { list.retain(|x| *x != o2); if on { list.push(o2.clone()); } });
                                            } />
                                        <code>{o.clone()}</code>
                                    </label>
                                }
                            }).collect_view().into_any()
                        }}
                    </fieldset>
                    <fieldset class="field">
                        <legend>{move || tr(P::LockedFilterOptional)}</legend>
                        <div class="inline-fields">
                            <input type="text" name="lockField" placeholder=move || tr(P::LockFieldPlaceholder) prop:value=lock_field on:input=move |ev| lock_field.set(event_target_value(&ev)) />
                            <input type="text" name="lockValue" placeholder=move || tr(P::LockValuePlaceholder) prop:value=lock_value on:input=move |ev| lock_value.set(event_target_value(&ev)) />
                        </div>
                        <small class="muted">{move || tr(P::LockedFilterHint)}</small>
                    </fieldset>
                    <label class="field">
                        <span>{move || tr(P::Lifetime)}</span>
                        <select name="lifetime" prop:value=move || lifetime.get().to_string() on:change=move |ev| lifetime.set(event_target_value(&ev).parse().unwrap_or(3600))>
                            {LIFETIMES.iter().map(|&(s, label)| view! { <option value=s.to_string()>{move || tr(label)}</option> }).collect_view()}
                        </select>
                    </label>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{move || e.text()}</p> })}
                    <button type="submit" class="app-button primary">{move || tr(P::CreateEmbedToken)}</button>
                </form>
                <div class="embed-result">
                    {move || match created.get() {
                        None => view! { <div class="card muted">{move || tr(P::SnippetAppearsHere)}</div> }.into_any(),
                        Some((id, token, expires)) => view! { <Snippets base_url=base.clone() dashboard_id=id token=token expires_at=expires /> }.into_any(),
                    }}
                </div>
            </div>
            <EmbedTokens dashboards=dashboards.read_only() refresh=issued />
        </section>
    }
}

#[component]
fn Snippets(
    base_url: String,
    dashboard_id: String,
    token: String,
    expires_at: i64,
) -> impl IntoView {
    let npm = npm_snippet(&base_url, &dashboard_id, &token);
    let script = script_snippet(&base_url, &dashboard_id, &token);
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |text: String, which: &'static str| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
            copied.set(Some(which));
        }
    };
    let (npm2, script2) = (npm.clone(), script.clone());
    let copy_label = move |which: &'static str| {
        move || {
            tr(if copied.get() == Some(which) {
                P::Copied
            } else {
                P::Copy
            })
        }
    };
    let expiry_note = move || {
        let expires = vantage_widgets::format::format_time(
            expires_at as f64,
            vantage_widgets::format::TimeStyle::DateTime,
        );
        trf(P::TokenExpires, &[&expires])
    };
    view! {
        <div class="card snippet">
            <div class="snippet-head"><h2>{move || tr(P::NpmBundler)}</h2>
                <button type="button" class="app-button" on:click=move |_| copy(npm2.clone(), "npm")>
                    {copy_label("npm")}</button></div>
            // Long lines scroll sideways: focusable, so a keyboard can scroll them too.
            <pre tabindex="0" role="region" aria-label=move || tr(P::NpmBundler)><code class="snippet-npm">{npm}</code></pre>
        </div>
        <div class="card snippet">
            <div class="snippet-head"><h2>{move || tr(P::PlainHtml)}</h2>
                <button type="button" class="app-button" on:click=move |_| copy(script2.clone(), "html")>
                    {copy_label("html")}</button></div>
            <pre tabindex="0" role="region" aria-label=move || tr(P::PlainHtml)><code class="snippet-html">{script}</code></pre>
            <p class="muted small">{expiry_note}</p>
        </div>
        <EmbedPreview base_url=base_url dashboard_id=dashboard_id token=token />
    }
}

/// Runs the real embed (the SDK's [`Embed`], the core under `EmbeddedDashboard`) with the new
/// token inside this page.
#[component]
fn EmbedPreview(base_url: String, dashboard_id: String, token: String) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let embed = StoredValue::new_local(None::<Embed>);
    let failed = RwSignal::new(None::<String>);
    // Effect: renders the embed once the preview box exists; destroyed with the component.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(element) = node.get() else {
            return false;
        };
        let mut options = EmbedOptions::new(base_url.clone(), dashboard_id.clone(), token.clone());
        // The locale is one setting per page and an embed sets it when it mounts: hand the
        // preview the app's, or mounting it switches the whole app to the browser's language.
        let locale = vantage_widgets::locale::active();
        options.locale = locale.tag;
        options.time_zone = locale.time_zone;
        match Embed::new(options) {
            Ok(dash) => {
                embed.set_value(Some(dash.clone()));
                let host: web_sys::HtmlElement = element.into();
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = dash.render(&host).await {
                        let _ = failed.try_set(Some(e.to_string()));
                    }
                });
            }
            Err(e) => failed.set(Some(e.to_string())),
        }
        true
    });
    on_cleanup(move || {
        embed.update_value(|e| {
            if let Some(e) = e.take() {
                e.destroy();
            }
        })
    });
    view! {
        <div class="card embed-preview-card">
            <h2>{move || tr(P::LivePreview)}</h2>
            {move || failed.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <div class="embed-preview" node_ref=node></div>
        </div>
    }
}
