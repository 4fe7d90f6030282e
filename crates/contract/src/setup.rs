//! First run: an empty server prints a one-time setup URL (`/setup?token=…`); the setup form
//! posts [`SetupRequest`] once to create the organisation and its system admin. Afterwards
//! `POST /api/v1/setup` answers 404 for good.

use crate::password::check_password;
use crate::validation::{FieldError, Rule, Validated};
use serde::{Deserialize, Serialize};

/// Longest organisation or tenant name, in characters.
pub const ORG_NAME_MAX: usize = 80;
/// Longest person name, in characters.
pub const PERSON_NAME_MAX: usize = 80;
/// Longest email address, in bytes.
pub const EMAIL_MAX: usize = 254;

/// `GET /api/v1/setup`: whether the server still waits for its first system admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SetupStatus {
    /// `true` until setup is done; nothing but setup works while it is `true`.
    pub pending: bool,
}

/// `POST /api/v1/setup`: creates the organisation (the first tenant) and the system admin.
/// Answers with a signed-in `TokenResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetupRequest {
    /// The token from the setup URL the server printed.
    pub token: String,
    /// The organisation's name; also the product name shown in the app (1..=80 characters).
    pub organisation_name: String,
    /// The system admin's display name (defaults to "System admin").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub email: String,
    /// Checked by [`check_password`].
    pub password: String,
}

impl SetupRequest {
    /// Checks every field but the token.
    ///
    /// # Errors
    /// The first invalid field.
    pub fn validate(&self) -> Validated {
        validate_name(&self.organisation_name, "organisationName", ORG_NAME_MAX)?;
        if let Some(n) = &self.name {
            validate_name(n, "name", PERSON_NAME_MAX)?;
        }
        validate_email(&self.email, "email")?;
        check_password(&self.password, "password", Some(&self.email))
    }
}

/// A display name: trimmed, 1..=`max` characters, no control characters.
///
/// # Errors
/// Empty, too long or with control characters.
pub fn validate_name(name: &str, field: &str, max: usize) -> Validated {
    let t = name.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "is required").with_rule(Rule::Required));
    }
    if t.chars().count() > max {
        return Err(
            FieldError::new(field, format!("must be at most {max} characters"))
                .with_rule(Rule::AtMostChars(max)),
        );
    }
    if t.chars().any(char::is_control) {
        return Err(
            FieldError::new(field, "must not contain control characters")
                .with_rule(Rule::NoControlCharacters),
        );
    }
    Ok(())
}

/// A plausible email address: `local@domain.tld`, no spaces, at most [`EMAIL_MAX`] bytes.
///
/// # Errors
/// Anything else.
pub fn validate_email(email: &str, field: &str) -> Validated {
    let e = email.trim();
    let ok = e.len() <= EMAIL_MAX
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err(
            FieldError::new(field, "must be an email address like name@example.com")
                .with_rule(Rule::Email),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> SetupRequest {
        SetupRequest {
            token: "t".into(),
            organisation_name: "Acme".into(),
            name: None,
            email: "ops@acme.example".into(),
            password: "correct horse battery".into(),
        }
    }

    #[test]
    fn a_complete_request_is_valid() {
        assert!(req().validate().is_ok());
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut r = req();
        r.organisation_name = "  ".into();
        assert_eq!(r.validate().unwrap_err().field, "organisationName");
        let mut r = req();
        r.email = "not-an-email".into();
        assert_eq!(r.validate().unwrap_err().field, "email");
        let mut r = req();
        r.password = "password1234".into();
        assert_eq!(r.validate().unwrap_err().field, "password");
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(validate_email("a@b.co", "email").is_ok());
        for e in ["a@b", "@b.co", "a b@c.de", "a@@b.co", "a@.co"] {
            assert!(validate_email(e, "email").is_err(), "{e}");
        }
    }
}
