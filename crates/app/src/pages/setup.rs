//! First run (`/setup?token=…`, the URL an empty server prints): the organisation's name and
//! the system admin's email and password; on success the admin is signed in and sent to the
//! tenants page. Once setup is done the page says so and sends the visitor to sign in.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use vantage_contract::SetupRequest;

use super::password::{
    check_failed, error_for, field_error, general_error, FormError, NewPasswordField,
};
use crate::brand::use_page_title;
use crate::i18n::{tr, A, T};
use crate::request::Latest;
use crate::session::use_session;

/// Where the setup status stands.
#[derive(Clone, PartialEq)]
enum Status {
    Checking,
    Pending,
    Done,
    Failed(String),
}

const FIELDS: &[&str] = &["token", "organisationName", "name", "email", "password"];

#[component]
pub fn SetupPage() -> impl IntoView {
    use_page_title(|| tr(A::SetUpVantage).into());
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let status = RwSignal::new(Status::Checking);
    let token = RwSignal::new(query.with_untracked(|q| q.get("token")).unwrap_or_default());
    let organisation = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let check_api = api.clone();
    let has_url_token = query.with_untracked(|q| q.get("token").is_some_and(|t| !t.is_empty()));
    let user = session.user;
    // Inside the reactive view below, so kept Send (it is only used on this thread).
    let session = send_wrapper::SendWrapper::new(session);
    Latest::new().run(async move {
        status.set(match check_api.setup_status().await {
            Ok(s) if s.pending => Status::Pending,
            Ok(_) => Status::Done,
            Err(e) => Status::Failed(e.user_message()),
        });
    });
    // Effect: setup is done (or was just completed elsewhere): off to the sign-in page.
    let to_login = navigate.clone();
    Effect::new(move |_| {
        if status.get() == Status::Done && user.with_untracked(Option::is_none) {
            to_login("/login", Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = SetupRequest {
            token: token.get_untracked().trim().to_owned(),
            organisation_name: organisation.get_untracked(),
            name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(e) = request.validate() {
            error.set(check_failed(&e));
            return;
        }
        let (api, session, navigate) = ((*api).clone(), (*session).clone(), navigate.clone());
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.complete_setup(&request).await {
                Ok(tokens) => {
                    session.sign_in_with(tokens);
                    navigate("/tenants", Default::default());
                }
                Err(e) if e.status() == Some(404) => status.set(Status::Done),
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    let field_msg = move |field: &'static str| {
        move || {
            error_for(error, field)
                .map(|m| view! { <small class="field-error" role="alert">{m}</small> })
        }
    };
    view! {
        <section class="login-card setup-card">
            <h1>{move || tr(A::SetUpVantage)}</h1>
            {move || match status.get() {
                Status::Checking => view! { <p class="muted" aria-busy="true">{move || tr(A::CheckingSetup)}</p> }.into_any(),
                Status::Done => view! {
                    <p class="notice">{move || tr(A::AlreadySetUp)}" "<a href="/login">{move || tr(A::SignInInstead)}</a></p>
                }.into_any(),
                Status::Failed(m) => view! { <p class="form-error" role="alert">{m}</p> }.into_any(),
                Status::Pending => view! {
                    <p class="muted">{move || tr(A::SetupIntro)}</p>
                    <form on:submit=submit.clone() on:input=move |_| error.set(None) novalidate>
                        {move || token.with(String::is_empty).then(|| view! {
                            <p class="notice">{move || tr(A::SetupNoToken)}</p>
                        })}
                        {(!has_url_token).then(|| view! {
                            <label class="field">
                                <span>{move || tr(A::SetupToken)}</span>
                                <input type="text" name="token" autocomplete="off" required bind:value=token />
                            </label>
                        })}
                        {field_msg("token")}
                        <label class="field">
                            <span>{move || tr(A::OrganisationName)}</span>
                            <input type="text" name="organisationName" required maxlength="80" bind:value=organisation />
                            <small class="muted">{move || tr(A::OrgNameHint)}</small>
                            {field_msg("organisationName")}
                        </label>
                        <label class="field">
                            <span>{move || tr(A::YourName)}</span>
                            <input type="text" name="name" autocomplete="name" maxlength="80" placeholder=move || tr(T::RoleSystemAdmin) bind:value=name />
                            {field_msg("name")}
                        </label>
                        <label class="field">
                            <span>{move || tr(T::Email)}</span>
                            <input type="email" name="email" autocomplete="username" required bind:value=email />
                            {field_msg("email")}
                        </label>
                        <NewPasswordField label=|| tr(T::Password) name="password" value=password
                            email=Signal::derive(move || Some(email.get()))
                            error=Signal::derive(move || error_for(error, "password")) />
                        {move || general_error(error, FIELDS).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                        <button type="submit" class="app-button primary" disabled=move || busy.get()>
                            {move || tr(if busy.get() { A::SettingUp } else { A::CreateOrganisation })}
                        </button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}
