//! The two pages a single-use link opens, both public: `/accept-invitation?token=…` (name and
//! password → the new account is signed in) and `/reset-password?token=…` (a new password →
//! every session of the account is signed out; sign in again).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use vantage_contract::{AcceptInvitationRequest, CompletePasswordResetRequest};

use super::password::{
    check_failed, error_for, field_error, general_error, password_feedback, FormError,
    NewPasswordField,
};
use crate::brand::use_page_title;
use crate::i18n::{tr, A, T};
use crate::session::use_session;

/// The `token` query parameter (empty when missing).
fn url_token() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get("token")).unwrap_or_default())
}

fn missing_token() -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {move || tr(A::LinkNoToken)}
        </p>
    }
}

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    use_page_title(|| tr(A::AcceptInvitation).into());
    // Used inside the reactive view, so kept Send (it is only used on this thread).
    let session = send_wrapper::SendWrapper::new(use_session());
    let navigate = use_navigate();
    let token = url_token();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = AcceptInvitationRequest {
            token: token.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(e) = request.validate(None) {
            error.set(check_failed(&e));
            return;
        }
        let (session, navigate) = ((*session).clone(), navigate.clone());
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match session.api.accept_invitation(&request).await {
                Ok(tokens) => {
                    session.sign_in_with(tokens);
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="login-card">
            <h1>{move || tr(A::AcceptYourInvitation)}</h1>
            <p class="muted">{move || tr(A::InvitationIntro)}</p>
            {move || if token.with(String::is_empty) { missing_token().into_any() } else { view! {
                <form on:submit=submit.clone() on:input=move |_| error.set(None) novalidate>
                    <label class="field">
                        <span>{move || tr(A::YourName)}</span>
                        <input type="text" name="name" autocomplete="name" required maxlength="80" bind:value=name />
                        {move || error_for(error, "name").map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                    </label>
                    <NewPasswordField label=|| tr(T::Password) name="password" value=password email=no_email()
                        error=Signal::derive(move || error_for(error, "password")) />
                    {move || general_error(error, &["name", "password"]).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button type="submit" class="app-button primary" disabled=move || busy.get()>
                        {move || tr(if busy.get() { A::CreatingAccount } else { A::CreateAccount })}
                    </button>
                </form>
            }.into_any() }}
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    use_page_title(|| tr(A::ResetPassword).into());
    let api = send_wrapper::SendWrapper::new(use_session().api);
    let token = url_token();
    let password = RwSignal::new(String::new());
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(Err(m)) = password.with_untracked(|p| password_feedback(p, None)) {
            error.set(Some((Some("password".into()), m)));
            return;
        }
        let request = CompletePasswordResetRequest {
            token: token.get_untracked(),
            password: password.get_untracked(),
        };
        let api = (*api).clone();
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.complete_password_reset(&request).await {
                Ok(()) => done.set(true),
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="login-card">
            <h1>{move || tr(A::ChooseNewPassword)}</h1>
            {move || if done.get() { view! {
                <p class="notice" role="status">{move || tr(A::PasswordIsChanged)}" "
                    <a href="/login">{move || tr(A::SignInWithNew)}</a></p>
            }.into_any() } else if token.with(String::is_empty) { missing_token().into_any() } else { view! {
                <p class="muted">{move || tr(A::ResetIntro)}</p>
                <form on:submit=submit.clone() on:input=move |_| error.set(None) novalidate>
                    <NewPasswordField label=|| tr(A::NewPassword) name="password" value=password email=no_email()
                        error=Signal::derive(move || error_for(error, "password")) />
                    {move || general_error(error, &["password"]).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <button type="submit" class="app-button primary" disabled=move || busy.get()>
                        {move || tr(if busy.get() { A::Saving } else { A::SetPassword })}
                    </button>
                </form>
            }.into_any() }}
        </section>
    }
}

/// A link's page does not know the account's email (the server checks that one).
fn no_email() -> Signal<Option<String>> {
    Signal::stored(None)
}
