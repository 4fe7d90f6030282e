//! Token lifecycle: where bearer tokens come from and when they are renewed.
//!
//! A [`TokenStore`] holds the current access token and renews it through its [`TokenSource`]:
//! before it expires (at 80 % of its lifetime, read from the JWT's `iat`/`exp`), and once after a
//! 401. Concurrent requests share a single renewal. Renewal never touches data or views: only
//! the `Authorization` header of later requests changes.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine;
use futures::future::{FutureExt, LocalBoxFuture, Shared};

use crate::SdkError;

/// Fraction of a token's lifetime after which it is renewed proactively.
pub const REFRESH_AT: f64 = 0.8;

/// The claims of a JWT, decoded without verifying the signature.
pub fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Issued-at and expiry of a JWT, in epoch milliseconds, read without verifying the signature
/// (the server verifies; the client only schedules renewal).
pub fn jwt_times(token: &str) -> Option<(f64, f64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?.as_f64()? * 1000.0;
    let iat = claims
        .get("iat")
        .and_then(serde_json::Value::as_f64)
        .map_or(exp - 900_000.0, |s| s * 1000.0);
    Some((iat, exp))
}

/// When a token issued at `iat` and expiring at `exp` should be renewed.
pub fn refresh_due_at(iat: f64, exp: f64) -> f64 {
    iat + (exp - iat).max(0.0) * REFRESH_AT
}

/// Something that can produce a fresh access token.
pub type RenewFn = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<String, SdkError>>>;

/// Where tokens come from.
#[derive(Clone)]
pub enum TokenSource {
    /// No authentication (public endpoints only).
    Anonymous,
    /// A fixed token; when it expires the session ends with `authExpired`.
    Static,
    /// A renewal function: the host's `fetchToken`, or the app's refresh-token exchange.
    Renewing(RenewFn),
}

/// Called with each renewed token.
type RenewListener = Rc<dyn Fn(&str)>;

type SharedRenewal = Shared<LocalBoxFuture<'static, Result<String, SdkError>>>;

struct TokenState {
    access: Option<String>,
    refresh_due: Option<f64>,
    in_flight: Option<SharedRenewal>,
    on_renewed: Vec<RenewListener>,
}

/// The current token plus its renewal policy. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct TokenStore {
    source: TokenSource,
    state: Rc<RefCell<TokenState>>,
}

impl TokenStore {
    /// A store starting with `token` (if any) that renews through `source`.
    pub fn new(token: Option<String>, source: TokenSource) -> Self {
        let store = Self {
            source,
            state: Rc::new(RefCell::new(TokenState {
                access: None,
                refresh_due: None,
                in_flight: None,
                on_renewed: Vec::new(),
            })),
        };
        if let Some(token) = token {
            store.set(token);
        }
        store
    }

    /// Replaces the access token (e.g. after login).
    pub fn set(&self, token: String) {
        let due = jwt_times(&token).map(|(iat, exp)| refresh_due_at(iat, exp));
        let mut state = self.state.borrow_mut();
        state.access = Some(token);
        state.refresh_due = due;
    }

    /// Forgets the token (logout).
    pub fn clear(&self) {
        let mut state = self.state.borrow_mut();
        state.access = None;
        state.refresh_due = None;
    }

    /// Calls `listener` with every renewed token (for `tokenRefreshed` events and persistence).
    pub fn on_renewed(&self, listener: impl Fn(&str) + 'static) {
        self.state.borrow_mut().on_renewed.push(Rc::new(listener));
    }

    /// The token to send now, renewing first when it is due.
    ///
    /// # Errors
    /// [`SdkError::AuthExpired`] when renewal fails.
    pub async fn current(&self) -> Result<Option<String>, SdkError> {
        let (token, due) = {
            let state = self.state.borrow();
            (state.access.clone(), state.refresh_due)
        };
        let renewable = matches!(self.source, TokenSource::Renewing(_));
        let needs_renewal = token.is_none() || due.is_some_and(|d| js_sys::Date::now() >= d);
        if renewable && needs_renewal {
            return self.renew().await.map(Some);
        }
        Ok(token)
    }

    /// Renews now (after a 401), sharing one renewal between concurrent callers.
    ///
    /// # Errors
    /// [`SdkError::AuthExpired`] when the source cannot renew or renewal is refused; a
    /// transient failure (network, timeout, 5xx) is returned as is so the caller can retry.
    pub async fn renew(&self) -> Result<String, SdkError> {
        let TokenSource::Renewing(renew) = &self.source else {
            return Err(SdkError::AuthExpired(
                "the token expired and no fetchToken was given".into(),
            ));
        };
        let existing = self.state.borrow().in_flight.clone();
        let renewal = match existing {
            Some(shared) => shared,
            None => {
                let shared = renew().shared();
                self.state.borrow_mut().in_flight = Some(shared.clone());
                shared
            }
        };
        let outcome = renewal.await;
        self.state.borrow_mut().in_flight = None;
        match outcome {
            Ok(token) => {
                self.set(token.clone());
                let listeners = self.state.borrow().on_renewed.clone();
                for listener in listeners {
                    listener(&token);
                }
                Ok(token)
            }
            Err(SdkError::AuthExpired(m)) => Err(SdkError::AuthExpired(m)),
            // The backend could not be reached: the session may still be fine; callers retry.
            Err(other) if other.is_transient() => Err(other),
            Err(other) => Err(SdkError::AuthExpired(other.to_string())),
        }
    }

    /// Whether a failed request may be retried after renewing.
    pub fn can_renew(&self) -> bool {
        matches!(self.source, TokenSource::Renewing(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64(claims))
    }

    #[test]
    fn reads_issue_and_expiry_from_a_jwt() {
        let token = jwt(r#"{"iat":1000,"exp":1900,"sub":"u"}"#);
        assert_eq!(jwt_times(&token), Some((1_000_000.0, 1_900_000.0)));
        assert_eq!(jwt_times("not-a-jwt"), None);
        assert_eq!(jwt_times(&jwt(r#"{"sub":"no exp"}"#)), None);
    }

    #[test]
    fn renewal_is_due_at_eighty_percent_of_the_lifetime() {
        assert_eq!(refresh_due_at(0.0, 1000.0), 800.0);
        assert_eq!(
            refresh_due_at(5000.0, 5000.0),
            5000.0,
            "already expired: due now"
        );
    }
}
