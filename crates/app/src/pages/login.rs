//! Sign-in page. On a server that is not set up yet (no account exists) it sends the visitor to
//! the setup page instead.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::i18n::{tr, T};
use crate::request::Latest;
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    crate::brand::use_page_title(|| tr(T::SignIn).into());
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (api, to_setup) = (session.api.clone(), navigate.clone());
    Latest::new().run(async move {
        if api.setup_status().await.is_ok_and(|s| s.pending) {
            to_setup("/setup", Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (session, navigate) = (session.clone(), navigate.clone());
        let next = query
            .with_untracked(|q| q.get("next"))
            .filter(|n| crate::redirect::same_origin_path(n).is_some());
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match session
                .login(&email.get_untracked(), &password.get_untracked())
                .await
            {
                Ok(()) => navigate(&next.unwrap_or_else(|| "/".into()), Default::default()),
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="login-card">
            <h1>{move || tr(T::SignIn)}</h1>
            <p class="muted">{move || tr(T::UseYourAccount)}</p>
            <form on:submit=submit>
                <label>
                    {move || tr(T::Email)}
                    <input type="email" name="email" autocomplete="username" required bind:value=email />
                </label>
                <label>
                    {move || tr(T::Password)}
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password />
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="submit" class="app-button primary" disabled=move || busy.get()>
                    {move || tr(if busy.get() { T::SigningIn } else { T::SignIn })}
                </button>
            </form>
        </section>
    }
}
