//! The password policy every backend and form applies: at least [`PASSWORD_MIN_CHARS`]
//! characters, not one of the passwords everyone tries first, not mostly one repeated character
//! or a keyboard run, and not the account's own email.
//!
//! ```
//! use vantage_contract::password::check_password;
//! assert!(check_password("correct horse battery", "password", None).is_ok());
//! let e = check_password("short", "newPassword", None).unwrap_err();
//! assert_eq!(e.field, "newPassword");
//! ```

use crate::validation::{FieldError, Rule, Validated};

/// Shortest accepted password, in characters.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest accepted password, in bytes (hashing cost is bounded).
pub const PASSWORD_MAX_BYTES: usize = 1024;

/// Fragments that make a password trivially guessable when they are most of it.
const WEAK: &[&str] = &[
    "password", "passw0rd", "qwerty", "azerty", "123456", "abcdef", "letmein", "welcome",
    "iloveyou", "admin", "vantage", "changeme", "secret", "monkey", "dragon", "football",
];

/// Checks `password` against the policy; `field` names the form field in the error and
/// `email` (when known) must not be the password.
///
/// # Errors
/// A [`FieldError`] on `field` saying what to change.
pub fn check_password(password: &str, field: &str, email: Option<&str>) -> Validated {
    let err = |m: &str, rule: Rule| Err(FieldError::new(field, m).with_rule(rule));
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return err(
            &format!("must be at least {PASSWORD_MIN_CHARS} characters long"),
            Rule::PasswordTooShort(PASSWORD_MIN_CHARS),
        );
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return err(
            &format!("must be at most {PASSWORD_MAX_BYTES} bytes long"),
            Rule::PasswordTooLong(PASSWORD_MAX_BYTES),
        );
    }
    let lower = password.to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return err(
            "is too repetitive: use more different characters",
            Rule::PasswordRepetitive,
        );
    }
    if email.is_some_and(|e| {
        let e = e.trim().to_lowercase();
        let local = e.split('@').next().unwrap_or_default();
        lower == e
            || (!local.is_empty() && lower.trim_end_matches(|c: char| c.is_ascii_digit()) == local)
    }) {
        return err("must not be your email address", Rule::PasswordIsEmail);
    }
    let mut rest = lower.clone();
    for w in WEAK {
        rest = rest.replace(w, "");
    }
    let rest_distinct = {
        let mut d: Vec<char> = rest.chars().filter(|c| c.is_alphanumeric()).collect();
        d.sort_unstable();
        d.dedup();
        d.len()
    };
    if rest.chars().count() < 6 || rest_distinct < 4 {
        return err(
            "is too easy to guess: avoid common words and sequences",
            Rule::PasswordCommonWords,
        );
    }
    if is_run(&lower) {
        return err(
            "is too easy to guess: avoid keyboard and number sequences",
            Rule::PasswordSequence,
        );
    }
    Ok(())
}

/// Whether the password is one ascending or descending run (`abcdefghijkl`, `987654321098`).
fn is_run(s: &str) -> bool {
    let b: Vec<u32> = s.chars().map(u32::from).collect();
    let up = b
        .windows(2)
        .all(|w| w[1] == w[0] + 1 || (w[0] == u32::from('9') && w[1] == u32::from('0')));
    let down = b
        .windows(2)
        .all(|w| w[0] == w[1] + 1 || (w[0] == u32::from('0') && w[1] == u32::from('9')));
    up || down
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_long_varied_passwords() {
        for p in [
            "correct horse battery",
            "Tr0ub4dor&3xyz",
            "vantage-demo-2026!x",
        ] {
            assert!(check_password(p, "password", None).is_ok(), "{p}");
        }
    }

    #[test]
    fn rejects_short_repetitive_common_and_sequential_passwords_naming_the_field() {
        for p in [
            "short",
            "aaaaaaaaaaaaaaaa",
            "password1234",
            "Password123456",
            "qwerty123456",
            "abcdefghijklm",
            "123456789012",
            "adminadminadmin",
        ] {
            let e = check_password(p, "newPassword", None).unwrap_err();
            assert_eq!(e.field, "newPassword", "{p}");
        }
    }

    #[test]
    fn rejects_the_email_as_password() {
        let e = check_password(
            "ada.lovelace@example.com",
            "password",
            Some("Ada.Lovelace@example.com"),
        );
        assert!(e.unwrap_err().message.contains("email"));
        assert!(check_password("adalovelace1", "password", Some("adalovelace@x.org")).is_err());
    }

    #[test]
    fn bounds_the_length() {
        let long = "ab1-".repeat(300);
        assert!(check_password(&long, "password", None).is_err());
    }
}
