//! Reconnect delays: exponential backoff with full jitter.
//!
//! Attempt `n` (1-based) waits a uniformly random time in `[0, min(cap, base · 2^(n-1))]`
//! ("full jitter"), so a fleet of clients that lost the same server does not reconnect in
//! lockstep. Defaults: base 1 s, cap 30 s.

use std::time::Duration;

/// The reconnect schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The upper bound of the delay before attempt `attempt` (1-based).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        self.base.saturating_mul(1_u32 << exponent).min(self.cap)
    }

    /// The delay before attempt `attempt`, given a uniform random number in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit_random: f64) -> Duration {
        self.ceiling(attempt).mul_f64(unit_random.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_from_one_second_up_to_the_cap() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=7).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(
            b.ceiling(1000),
            Duration::from_secs(30),
            "no overflow on long outages"
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let b = Backoff::default();
        assert_eq!(b.delay(3, 0.0), Duration::ZERO);
        assert_eq!(b.delay(3, 0.5), Duration::from_secs(2));
        assert_eq!(
            b.delay(3, 7.0),
            Duration::from_secs(4),
            "random input is clamped"
        );
    }
}
