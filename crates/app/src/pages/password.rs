//! Pieces the account forms share (setup, accepting an invitation, resetting and changing a
//! password): a new-password field that checks the contract's password rule as you type — the
//! rule the server applies — and the mapping of a backend error to the field it names.

use leptos::prelude::*;
use vantage_contract::password::{check_password, PASSWORD_MIN_CHARS};
use vantage_contract::{FieldError, Rule};
use vantage_sdk::SdkError;

use crate::i18n::{tr, trf, A};

/// What the form says about a new password while it is typed: `None` while empty, else whether
/// it meets the rule or what to change (a sentence starting with "Password").
pub fn password_feedback(password: &str, email: Option<&str>) -> Option<Result<(), String>> {
    if password.is_empty() {
        return None;
    }
    Some(
        check_password(password, "password", email.filter(|e| !e.trim().is_empty()))
            .map_err(|e| trf(A::PasswordSays, &[&rule_message(&e)])),
    )
}

/// A form's own check of a contract rule, in the active language: the rule's wording from the
/// catalog when the error names one ([`Rule`]), else the English message every backend uses.
pub fn rule_message(e: &FieldError) -> String {
    let count = |n: usize| n.to_string();
    match e.rule {
        Some(Rule::Required) => tr(A::IsRequired).to_owned(),
        Some(Rule::AtMostChars(max)) => trf(A::AtMostChars, &[&count(max)]),
        Some(Rule::NoControlCharacters) => tr(A::NoControlChars).to_owned(),
        Some(Rule::Email) => tr(A::NotAnEmail).to_owned(),
        Some(Rule::PasswordTooShort(min)) => trf(A::PasswordTooShort, &[&count(min)]),
        Some(Rule::PasswordTooLong(max)) => trf(A::PasswordTooLong, &[&count(max)]),
        Some(Rule::PasswordRepetitive) => tr(A::PasswordRepetitive).to_owned(),
        Some(Rule::PasswordIsEmail) => tr(A::PasswordIsEmail).to_owned(),
        Some(Rule::PasswordCommonWords) => tr(A::PasswordCommonWords).to_owned(),
        Some(Rule::PasswordSequence) => tr(A::PasswordSequence).to_owned(),
        _ => e.message.clone(),
    }
}

/// A form's own check failing, as the form's error state: the field and [`rule_message`].
pub fn check_failed(e: &FieldError) -> Option<(Option<String>, String)> {
    Some((Some(e.field.clone()), rule_message(e)))
}

/// A backend error as (the form field it names, the message to show).
pub fn field_error(error: &SdkError) -> (Option<String>, String) {
    (error.field(), error.user_message())
}

/// A form's error state: the field a message belongs to (`None` for the whole form).
pub type FormError = RwSignal<Option<(Option<String>, String)>>;

/// The message of `error` when it names `field`.
pub fn error_for(error: FormError, field: &'static str) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|(f, _)| f.as_deref() == Some(field))
            .map(|(_, m)| m.clone())
    })
}

/// The message of `error` when it names no field shown by the form.
pub fn general_error(error: FormError, shown: &'static [&'static str]) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|(f, _)| f.as_deref().is_none_or(|f| !shown.contains(&f)))
            .map(|(_, m)| m.clone())
    })
}

/// A new-password input with live feedback on the password rule.
#[component]
pub fn NewPasswordField(
    /// The visible label (in the active language: `|| tr(T::Password)`).
    label: fn() -> &'static str,
    /// The input's `name` and the contract field it reports errors on.
    name: &'static str,
    value: RwSignal<String>,
    /// The account's email, which must not be the password (when known).
    #[prop(into)]
    email: Signal<Option<String>>,
    /// A server error for this field.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let feedback = Memo::new(move |_| {
        let email = email.get();
        value.with(|p| password_feedback(p, email.as_deref()))
    });
    let hint_id = format!("{name}-hint");
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="password" name=name autocomplete="new-password" required
                minlength=PASSWORD_MIN_CHARS.to_string() bind:value=value
                aria-describedby=hint_id.clone()
                aria-invalid=move || (error.get().is_some() || matches!(feedback.get(), Some(Err(_)))).to_string() />
            <small id=hint_id class="password-hint" aria-live="polite" data-ok=move || match feedback.get() {
                Some(Ok(())) => "true",
                Some(Err(_)) => "false",
                None => "",
            }>
                {move || match feedback.get() {
                    None => trf(A::PasswordRuleHint, &[&PASSWORD_MIN_CHARS.to_string()]),
                    Some(Ok(())) => tr(A::StrongEnough).to_owned(),
                    Some(Err(m)) => m,
                }}
            </small>
            {move || error.get().map(|m| view! { <small class="field-error" role="alert">{m}</small> })}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_silent_until_something_is_typed() {
        assert_eq!(password_feedback("", None), None);
    }

    #[test]
    fn feedback_says_what_to_change_with_the_servers_rule() {
        let short = password_feedback("abc", None).unwrap().unwrap_err();
        assert_eq!(short, "Password must be at least 12 characters long.");
        assert!(password_feedback("password1234", None).unwrap().is_err());
        assert_eq!(
            password_feedback("correct horse battery", None),
            Some(Ok(()))
        );
    }

    /// Every rule the account forms check is worded by the catalog, and its English wording is
    /// the contract's own message (what a backend says), so the two cannot drift apart.
    #[test]
    fn each_rule_is_worded_by_the_catalog_as_the_contract_says_it_in_english() {
        use vantage_contract::setup::{validate_email, validate_name};
        let long = "x".repeat(vantage_contract::password::PASSWORD_MAX_BYTES + 1);
        let broken = [
            check_password("short", "password", None),
            check_password(&long, "password", None),
            check_password("aaaabbbbaaaabbbb", "password", None),
            check_password(
                "ada.lovelace@example.com",
                "password",
                Some("ada.lovelace@example.com"),
            ),
            check_password("password1234", "password", None),
            check_password("9876543210987", "password", None),
            validate_name("  ", "name", 10),
            validate_name("a name longer than ten", "name", 10),
            validate_name("tab\there", "name", 10),
            validate_email("not an email", "email"),
        ];
        let mut rules = Vec::new();
        for result in broken {
            let e = result.unwrap_err();
            let rule = e.rule.unwrap_or_else(|| panic!("no rule for {e}"));
            assert!(
                !rules.contains(&rule),
                "{rule:?} twice: the cases should differ"
            );
            rules.push(rule);
            assert_eq!(rule_message(&e), e.message, "{rule:?}");
        }
        assert_eq!(rules.len(), 10);
    }

    #[test]
    fn feedback_refuses_the_accounts_email() {
        let e = password_feedback("ada.lovelace@example.com", Some("ada.lovelace@example.com"));
        assert!(e.unwrap().unwrap_err().contains("email"));
        assert_eq!(
            password_feedback("ada.lovelace@example.com", Some("")),
            Some(Ok(()))
        );
    }
}
