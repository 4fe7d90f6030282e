//! Sign-in throttling: `POST /auth/login` and `/auth/refresh` are rate-limited per client
//! address and (login) per account, with `governor`'s keyed limiters (GCRA). Over a limit →
//! `429 rate_limited` in the error shape with `Retry-After`. The limits are checked before
//! any password work, so a flood costs the server no argon2 time once it is refused, and
//! password hashing never runs under the database writer (see `api::auth`), so a flood does
//! not stall other users' saves either.
//!
//! Limits are attempts per minute, with bursts of the same size (`--signin-per-address`,
//! `--signin-per-account`; 0 disables one). The address is the TCP peer (behind a reverse
//! proxy every client shares the proxy's address: raise or disable the per-address limit
//! there and let the proxy limit by client). The account key is the email as typed, trimmed
//! and lower-cased, whether or not such a user exists, so unknown emails are throttled alike.

use crate::error::{AppError, AppResult};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use vantage_contract::ErrorCode;

/// Keys kept before idle ones are dropped (a limiter whose key is full again holds no state
/// worth keeping).
const SWEEP_AT: usize = 10_000;

/// The sign-in limiters of one server.
pub struct SignInLimits {
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_account: Option<DefaultKeyedRateLimiter<String>>,
}

/// A keyed limiter allowing `per_minute` attempts a minute (bursts of as many); `None` for 0.
fn keyed<K: Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|n| governor::RateLimiter::keyed(Quota::per_minute(n)))
}

/// Takes one attempt for `key`; 429 with `Retry-After` (whole seconds, at least 1) when none is left.
fn take<K: Hash + Eq + Clone>(
    limiter: Option<&DefaultKeyedRateLimiter<K>>,
    key: &K,
    what: &str,
) -> AppResult<()> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    if limiter.len() > SWEEP_AT {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut e = AppError::new(
            ErrorCode::RateLimited,
            format!(
                "too many sign-in attempts {what}; try again in {} s",
                secs.max(1)
            ),
        );
        e.retry_after = Some(secs.max(1));
        e
    })
}

/// The account key of an email: trimmed and lower-cased.
pub fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl SignInLimits {
    /// Limits of `per_address` and `per_account` attempts a minute (0 disables one).
    pub fn new(per_address: u32, per_account: u32) -> Self {
        Self {
            per_address: keyed(per_address),
            per_account: keyed(per_account),
        }
    }

    /// One login attempt: the address first, then the account.
    ///
    /// # Errors
    /// 429 (`rate_limited`) with `Retry-After`.
    pub fn login(&self, addr: Option<IpAddr>, email: &str) -> AppResult<()> {
        self.address(addr)?;
        take(
            self.per_account.as_ref(),
            &account_key(email),
            "for this account",
        )
    }

    /// One refresh attempt (or one login attempt's address part).
    ///
    /// # Errors
    /// 429 (`rate_limited`) with `Retry-After`.
    pub fn address(&self, addr: Option<IpAddr>) -> AppResult<()> {
        match addr {
            Some(a) => take(self.per_address.as_ref(), &a, "from this address"),
            None => Ok(()),
        }
    }
}

/// The client's address (the TCP peer), when the server runs with connect info.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn account_limit_is_per_email_case_insensitive() {
        let l = SignInLimits::new(0, 3);
        for i in 0..3 {
            assert!(l.login(ip(i), " Ann@Example.test").is_ok());
        }
        // From any address, any spelling of the same account.
        let e = l.login(ip(9), "ann@example.test").unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(e.retry_after.is_some_and(|s| s >= 1));
        assert!(l.login(ip(9), "bob@example.test").is_ok());
    }

    #[test]
    fn address_limit_covers_login_and_refresh() {
        let l = SignInLimits::new(3, 0);
        assert!(l.login(ip(1), "a@x.test").is_ok());
        assert!(l.address(ip(1)).is_ok());
        assert!(l.login(ip(1), "b@x.test").is_ok());
        assert!(l.address(ip(1)).is_err());
        assert!(l.login(ip(1), "c@x.test").is_err());
        // Another address is not affected; no address (in-process calls) is not limited.
        assert!(l.login(ip(2), "a@x.test").is_ok());
        assert!(l.address(None).is_ok());
    }

    #[test]
    fn zero_disables() {
        let l = SignInLimits::new(0, 0);
        for _ in 0..1000 {
            assert!(l.login(ip(1), "a@x.test").is_ok());
        }
    }
}
