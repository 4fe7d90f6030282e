//! Caps on open live connections, per token and per client address, so one copied embed token
//! or one host cannot hold the server's sockets and pumps. A connection takes a [`LiveSlot`]
//! before its pump starts; dropping the slot (the connection ended) gives it back.
//!
//! Over a cap the request gets `429 rate_limited` with `Retry-After` (SSE, and the WebSocket
//! upgrade for the address cap) or, for a WebSocket whose token is only known after its first
//! frame, an error frame and close code 4429.

use crate::error::AppError;
use sha2::Digest;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use vantage_contract::ErrorCode;

/// Default open live connections allowed per token (a dashboard view holds one; tabs and
/// embeds add up); `--live-connections-per-token`.
pub const PER_TOKEN: usize = 16;
/// Default open live connections allowed per client address; `--live-connections-per-address`.
pub const PER_ADDRESS: usize = 256;
/// Largest WebSocket message a client may send (the auth message is well under 1 KiB plus the
/// token); bigger frames close the connection before anything is buffered.
pub const WS_MAX_MESSAGE_BYTES: usize = 8 * 1024;
/// What one read of a WebSocket takes in at most (a bigger message is read in several).
pub const WS_READ_BUFFER_BYTES: usize = 4 * 1024;
/// Seconds an unauthenticated WebSocket may stay open before its auth message.
pub const WS_AUTH_DEADLINE_SECS: u64 = 5;

/// Which counter a slot belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Token(String),
    Address(IpAddr),
}

/// Counts of open live connections and their caps (0: no cap).
#[derive(Clone)]
pub struct LiveSlots {
    counts: Arc<Mutex<HashMap<Key, usize>>>,
    per_token: usize,
    per_address: usize,
}

/// One held place in a counter; released on drop.
pub struct LiveSlot {
    counts: Arc<Mutex<HashMap<Key, usize>>>,
    key: Key,
}

impl Drop for LiveSlot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.lock() {
            if let Some(n) = counts.get_mut(&self.key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    counts.remove(&self.key);
                }
            }
        }
    }
}

fn too_many(what: &str, cap: usize) -> AppError {
    let mut e = AppError::new(
        ErrorCode::RateLimited,
        format!("too many open live connections for this {what} (at most {cap})"),
    );
    e.retry_after = Some(5);
    e
}

impl LiveSlots {
    /// Caps of `per_token` and `per_address` open connections; 0 disables a cap.
    pub fn new(per_token: usize, per_address: usize) -> Self {
        Self {
            counts: Arc::default(),
            per_token,
            per_address,
        }
    }

    fn acquire(&self, key: Key, cap: usize, what: &str) -> Result<LiveSlot, AppError> {
        let mut counts = self
            .counts
            .lock()
            .map_err(|_| AppError::internal("live slot lock poisoned"))?;
        let n = counts.entry(key.clone()).or_insert(0);
        if cap > 0 && *n >= cap {
            return Err(too_many(what, cap));
        }
        *n += 1;
        Ok(LiveSlot {
            counts: self.counts.clone(),
            key,
        })
    }

    /// Takes a place for a connection from `address`.
    ///
    /// # Errors
    /// 429 when the address already holds its cap of connections.
    pub fn for_address(&self, address: IpAddr) -> Result<LiveSlot, AppError> {
        self.acquire(Key::Address(address), self.per_address, "address")
    }

    /// Takes a place for a connection authenticated with `token` (kept as a hash only).
    ///
    /// # Errors
    /// 429 when the token already holds its cap of connections.
    pub fn for_token(&self, token: &str) -> Result<LiveSlot, AppError> {
        let hash = sha2::Sha256::digest(token.as_bytes());
        let key = Key::Token(hash.iter().map(|b| format!("{b:02x}")).collect());
        self.acquire(key, self.per_token, "token")
    }

    /// Open connections counted for `token` (tests and diagnostics).
    #[cfg(test)]
    fn open_for_token(&self, token: &str) -> usize {
        let hash = sha2::Sha256::digest(token.as_bytes());
        let key = Key::Token(hash.iter().map(|b| format!("{b:02x}")).collect());
        self.counts
            .lock()
            .map(|c| c.get(&key).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_at_most_its_cap_and_a_closed_connection_frees_its_place() {
        let slots = LiveSlots::new(PER_TOKEN, PER_ADDRESS);
        let held: Vec<_> = (0..PER_TOKEN)
            .map(|_| slots.for_token("t1").expect("under the cap"))
            .collect();
        let over = slots.for_token("t1").err().expect("over the cap");
        assert_eq!(over.code, ErrorCode::RateLimited);
        assert_eq!(over.retry_after, Some(5));
        assert!(
            slots.for_token("t2").is_ok(),
            "other tokens are not affected"
        );
        drop(held);
        assert_eq!(slots.open_for_token("t1"), 0);
        assert!(slots.for_token("t1").is_ok());
    }

    #[test]
    fn addresses_are_counted_separately_from_tokens() {
        let slots = LiveSlots::new(PER_TOKEN, PER_ADDRESS);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let held: Vec<_> = (0..PER_ADDRESS)
            .map(|_| slots.for_address(a).unwrap())
            .collect();
        assert!(slots.for_address(a).is_err());
        assert!(slots.for_address(b).is_ok());
        assert!(slots.for_token("t").is_ok());
        drop(held);
        assert!(slots.for_address(a).is_ok());
    }

    #[test]
    fn a_zero_cap_means_no_cap() {
        let slots = LiveSlots::new(0, 0);
        let held: Vec<_> = (0..PER_ADDRESS * 2)
            .map(|_| {
                slots
                    .for_token("t")
                    .and(slots.for_address([127, 0, 0, 1].into()))
            })
            .collect();
        assert!(held.iter().all(Result::is_ok));
    }
}
