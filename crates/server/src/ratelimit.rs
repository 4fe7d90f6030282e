//! Per-token rate limiting with `governor`'s keyed GCRA limiter: each bearer token (keyed by a
//! hash of it) may make `--rate-limit` requests per second with bursts of four seconds' worth.
//! Over the limit → `429 rate_limited` with `Retry-After`.

use crate::error::{AppError, AppResult};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use vantage_contract::ErrorCode;

/// Keys kept before idle ones (whose bucket is full again) are dropped.
const SWEEP_AT: usize = 100_000;

pub struct RateLimiter {
    limiter: Option<DefaultKeyedRateLimiter<u64>>,
}

/// The limiter key of a token (the token itself is not kept).
fn key(token: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.hash(&mut h);
    h.finish()
}

impl RateLimiter {
    /// `per_sec` requests a second per token (bursts of four times as many); 0 disables it.
    pub fn new(per_sec: u32) -> Self {
        let limiter = NonZeroU32::new(per_sec).map(|rate| {
            let burst = NonZeroU32::new(per_sec.saturating_mul(4)).unwrap_or(rate);
            governor::RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self { limiter }
    }

    /// Takes one request from `token`'s allowance.
    ///
    /// # Errors
    /// 429 with `Retry-After` (whole seconds, at least 1) when none is left.
    pub fn check(&self, token: &str) -> AppResult<()> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if limiter.len() > SWEEP_AT {
            limiter.retain_recent();
        }
        limiter.check_key(&key(token)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let mut e = AppError::new(ErrorCode::RateLimited, "too many requests for this token");
            e.retry_after = Some(secs);
            e
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_after_burst() {
        let l = RateLimiter::new(1);
        for _ in 0..4 {
            l.check("t").unwrap();
        }
        let e = l.check("t").unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert_eq!(e.retry_after, Some(1));
        l.check("other").unwrap();
        RateLimiter::new(0).check("t").unwrap();
    }
}
