//! A single-use link to hand to someone (an invitation or a password reset): the full URL on
//! this app's origin, a copy button and when it stops working. The token is shown only here.

use leptos::prelude::*;
use vantage_widgets::format::{format_time, TimeStyle};

use crate::i18n::{tr, trf, A};

/// A link the server answered: what it is for, its app path (`/accept-invitation?token=…`)
/// and its expiry (epoch ms).
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedLink {
    pub title: String,
    pub path: String,
    pub expires_at: i64,
}

/// `path` on the page's own origin.
fn full_url(path: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{path}")
}

#[component]
pub fn LinkBox(link: IssuedLink, dismiss: Callback<()>) -> impl IntoView {
    let url = full_url(&link.path);
    let copied = RwSignal::new(false);
    let copy_text = url.clone();
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&copy_text);
            copied.set(true);
        }
    };
    let expires = format_time(link.expires_at as f64, TimeStyle::DateTime);
    view! {
        <div class="card link-box" role="status">
            <div class="snippet-head">
                <h2>{link.title}</h2>
                <button type="button" class="app-button ghost" on:click=move |_| dismiss.run(())>{move || tr(A::Done)}</button>
            </div>
            <p class="muted small">{move || trf(A::SendLinkYourself, &[&expires])}</p>
            <div class="inline-fields">
                <input type="text" name="issued-link" readonly aria-label=move || tr(A::Link) prop:value=url
                    on:focus=|ev| { if let Some(i) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) { i.select(); } } />
                <button type="button" class="app-button primary" on:click=copy>
                    {move || tr(if copied.get() { A::Copied } else { A::CopyLink })}
                </button>
            </div>
        </div>
    }
}
