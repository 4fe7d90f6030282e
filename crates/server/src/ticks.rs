//! The clock of the server's periodic work (alert rules, the demo generator, retention, the
//! work lease): a tick every period until the server shuts down, written once so each loop
//! says only what it does per tick.
//!
//! ```ignore
//! let mut ticks = Ticks::new(Duration::from_secs(60), MissedTickBehavior::Delay, state.shutdown.clone());
//! while ticks.next().await {
//!     // one round of work; shutdown ends the loop at the next wait, not in the middle
//! }
//! ```

use std::time::Duration;
use tokio::sync::watch;
use tokio::time::{Interval, MissedTickBehavior};

/// Ticks every `period` (the first at once) until shutdown is signalled.
pub struct Ticks {
    interval: Interval,
    shutdown: watch::Receiver<bool>,
}

impl Ticks {
    /// `missed` says what a round that took longer than the period does to the next ticks
    /// (see [`MissedTickBehavior`]).
    ///
    /// # Panics
    /// If `period` is zero (as [`tokio::time::interval`]).
    pub fn new(
        period: Duration,
        missed: MissedTickBehavior,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(missed);
        Self { interval, shutdown }
    }

    /// Waits for the next tick: `true`, or `false` as soon as shutdown is signalled (or nobody
    /// can signal it any more) without waiting for the tick.
    pub async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.interval.tick() => true,
            _ = self.shutdown.changed() => false,
        }
    }

    /// Whether shutdown has been signalled: a long round checks it between its steps.
    pub fn shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn the_first_tick_comes_at_once() {
        let (_tx, rx) = watch::channel(false);
        let mut ticks = Ticks::new(HOUR, MissedTickBehavior::Delay, rx);
        assert!(ticks.next().await);
        assert!(!ticks.shutting_down());
    }

    #[tokio::test]
    async fn shutdown_ends_the_wait_without_waiting_for_the_tick() {
        let (tx, rx) = watch::channel(false);
        let mut ticks = Ticks::new(HOUR, MissedTickBehavior::Delay, rx);
        assert!(ticks.next().await);
        tx.send(true).unwrap();
        assert!(ticks.shutting_down());
        assert!(!ticks.next().await);
    }

    #[tokio::test]
    async fn a_gone_shutdown_sender_ends_the_ticks() {
        let (tx, rx) = watch::channel(false);
        let mut ticks = Ticks::new(HOUR, MissedTickBehavior::Skip, rx);
        assert!(ticks.next().await);
        drop(tx);
        assert!(!ticks.next().await);
    }
}
