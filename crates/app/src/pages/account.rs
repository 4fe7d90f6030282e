//! The signed-in user's account: who they are, and changing their own password (the current
//! password is required; every other session of theirs is signed out, this one stays).

use leptos::prelude::*;
use vantage_contract::ChangePasswordRequest;

use super::password::{
    error_for, field_error, general_error, password_feedback, FormError, NewPasswordField,
};
use super::require_login;
use crate::brand::use_page_title;
use crate::i18n::{tr, trf, A};
use crate::preferences::{self, Preferences};
use crate::session::use_session;
use crate::shell::role_label;

#[component]
pub fn AccountPage() -> impl IntoView {
    require_login();
    use_page_title(|| tr(A::AccountTitle).into());
    let session = use_session();
    let user = session.user;
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error: FormError = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let email = Signal::derive(move || user.with(|u| u.as_ref().map(|u| u.email.clone())));
    let api = send_wrapper::SendWrapper::new(session.api.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        if current.with_untracked(String::is_empty) {
            error.set(Some((
                Some("currentPassword".into()),
                tr(A::IsRequired).into(),
            )));
            return;
        }
        let email = email.get_untracked();
        match new.with_untracked(|p| password_feedback(p, email.as_deref())) {
            Some(Ok(())) => {}
            Some(Err(m)) => {
                error.set(Some((Some("newPassword".into()), m)));
                return;
            }
            None => {
                error.set(Some((Some("newPassword".into()), tr(A::IsRequired).into())));
                return;
            }
        }
        let request = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let api = (*api).clone();
        busy.set(true);
        error.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            match api.change_password(&request).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    done.set(true);
                }
                Err(e) => error.set(Some(field_error(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page account-page">
            <div class="page-head">
                <div>
                    <h1>{move || tr(A::AccountTitle)}</h1>
                    {move || user.get().map(|u| view! {
                        <p class="muted">{trf(A::AccountLine, &[&u.name, &u.email, role_label(u.role), &u.tenant_name])}</p>
                    })}
                </div>
            </div>
            <LocaleForm />
            <form class="card account-form" on:submit=submit on:input=move |_| error.set(None) novalidate aria-label=move || tr(A::ChangePassword)>
                <h2 class="section-title">{move || tr(A::ChangePassword)}</h2>
                <label class="field">
                    <span>{move || tr(A::CurrentPassword)}</span>
                    <input type="password" name="currentPassword" autocomplete="current-password" required bind:value=current />
                    {move || error_for(error, "currentPassword").map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
                </label>
                <NewPasswordField label=|| tr(A::NewPassword) name="newPassword" value=new email=email
                    error=Signal::derive(move || error_for(error, "newPassword")) />
                {move || general_error(error, &["currentPassword", "newPassword"]).map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {move || done.get().then(|| view! {
                    <p class="notice" role="status">{move || tr(A::PasswordChanged)}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="app-button primary" disabled=move || busy.get()>
                        {move || tr(if busy.get() { A::Changing } else { A::ChangePassword })}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Language and time zone, remembered per user in this browser (see [`crate::preferences`]).
#[component]
fn LocaleForm() -> impl IntoView {
    let user = use_session().user;
    let user_id = move || user.with_untracked(|u| u.as_ref().map(|u| u.id.clone()));
    let stored = user_id()
        .map(|id| preferences::load(&id))
        .unwrap_or_default();
    let locale = RwSignal::new(stored.locale.unwrap_or_default());
    let zone = RwSignal::new(stored.time_zone.unwrap_or_default());
    let saved = RwSignal::new(false);
    let zones = preferences::known_time_zones();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let prefs = Preferences::from_form(&locale.get_untracked(), &zone.get_untracked());
        if let Some(id) = user_id() {
            preferences::save(&id, &prefs);
        }
        prefs.apply();
        saved.set(true);
    };
    view! {
        <form class="card account-form locale-form" on:submit=save on:change=move |_| saved.set(false) aria-label=move || tr(A::LanguageAndZone)>
            <h2 class="section-title">{move || tr(A::LanguageAndZone)}</h2>
            <label class="field">
                <span>{move || tr(A::LanguageAndFormat)}</span>
                <select name="locale" prop:value=move || locale.get() on:change=move |ev| locale.set(event_target_value(&ev))>
                    {preferences::LOCALES.iter().map(|(tag, name)| view! { <option value=*tag>{*name}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || tr(A::ZoneFor)}</span>
                <select name="timeZone" prop:value=move || zone.get() on:change=move |ev| zone.set(event_target_value(&ev))>
                    <option value="">{move || tr(A::UtcDefault)}</option>
                    {zones.into_iter().map(|z| { let label = z.clone(); view! { <option value=z>{label}</option> } }).collect_view()}
                </select>
            </label>
            {move || saved.get().then(|| view! { <p class="notice" role="status">{move || tr(A::SavedForBrowser)}</p> })}
            <div class="form-actions">
                <button type="submit" class="app-button primary">{move || tr(A::Save)}</button>
            </div>
        </form>
    }
}
