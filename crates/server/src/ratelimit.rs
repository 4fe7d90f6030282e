//! Per-token rate limiting: a token bucket per bearer token (keyed by its hash), refilled at
//! `--rate-limit` per second with bursts of four seconds' worth. Over the limit → 429 with
//! `Retry-After`.

use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use vantage_contract::ErrorCode;

pub struct RateLimiter {
    per_sec: f64,
    buckets: Mutex<HashMap<u64, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_sec: u32) -> Self {
        Self {
            per_sec: f64::from(per_sec),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `token`'s bucket.
    ///
    /// # Errors
    /// 429 with `Retry-After` when the bucket is empty.
    pub fn check(&self, token: &str) -> AppResult<()> {
        if self.per_sec <= 0.0 {
            return Ok(());
        }
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        token.hash(&mut h);
        let key = h.finish();
        let burst = self.per_sec * 4.0;
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, t)| now.duration_since(*t).as_secs() < 60);
        }
        let (tokens, last) = buckets.entry(key).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.per_sec).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / self.per_sec).ceil().max(1.0) as u64;
            let mut e = AppError::new(ErrorCode::RateLimited, "too many requests for this token");
            e.retry_after = Some(wait);
            Err(e)
        }
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
        assert_eq!(e.retry_after, Some(1));
        l.check("other").unwrap();
        RateLimiter::new(0).check("t").unwrap();
    }
}
