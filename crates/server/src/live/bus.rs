//! The live bus: every tenant's ordered stream of [`LiveEnvelope`]s, with the same semantics on
//! both implementations (DESIGN.md, "Live updates"):
//!
//! - [`LocalBus`] (the default): in-process, the `epoch` is the process's start time.
//! - [`RedisBus`] (`--bus-url redis://…`): one Redis stream per tenant shared by every replica;
//!   `epoch` and `seq` are assigned in Redis, so they are the same on every replica and a client
//!   resumes on any of them with no gap and no duplicate.
//!
//! A subscriber first gets a [`Start`] (the messages it missed, or a `reset`), then live
//! messages from a broadcast receiver. When the bus cannot serve (Redis down), subscribing fails
//! with `503` and open receivers are closed, so clients reconnect and resume (or reset) once it
//! is back; publishing logs and drops the message (what it announces is already stored).

mod local;
mod redis_streams;

pub use local::LocalBus;
pub use redis_streams::{parse_url as redis_client, RedisBus};

use crate::error::{AppError, AppResult};
use std::sync::Arc;
use tokio::sync::broadcast;
use vantage_contract::{ErrorCode, LiveCursor, LiveEnvelope, LiveKind};

/// A message as the bus hands it out: one allocation shared by every subscriber it goes to.
pub type Msg = Arc<Shared>;

/// A [`LiveEnvelope`] and its JSON text, written once — by the first connection that sends it —
/// and reused by every other (with 5,000 subscribers, serialising per connection was 5,000
/// encodings of the same message). A view that changes the message (an embed token's reduced
/// rollup) makes a new one.
#[derive(Debug)]
pub struct Shared {
    envelope: LiveEnvelope,
    json: std::sync::OnceLock<String>,
}

impl Shared {
    /// The envelope.
    pub fn envelope(&self) -> &LiveEnvelope {
        &self.envelope
    }

    /// The envelope as JSON (serialised on first use).
    pub fn json(&self) -> &str {
        self.json
            .get_or_init(|| serde_json::to_string(&self.envelope).unwrap_or_default())
    }
}

impl std::ops::Deref for Shared {
    type Target = LiveEnvelope;
    fn deref(&self) -> &LiveEnvelope {
        &self.envelope
    }
}

/// `envelope` as a bus message.
pub fn msg(envelope: LiveEnvelope) -> Msg {
    Arc::new(Shared {
        envelope,
        json: std::sync::OnceLock::new(),
    })
}

/// What a subscriber gets first.
pub enum Start {
    /// Missed messages to send before live ones (may be empty).
    Replay(Vec<Msg>),
    /// The cursor cannot be served; send `reset` (with this reason) and go live.
    Reset(&'static str),
}

/// A subscriber's start, its receiver of live messages (only those with `seq > cursor.seq` are
/// new) and the stream's cursor when it subscribed.
pub struct Subscription {
    pub start: Start,
    pub rx: broadcast::Receiver<Msg>,
    pub cursor: LiveCursor,
}

/// The bus a server runs with.
pub enum Bus {
    Local(LocalBus),
    Redis(RedisBus),
}

impl Bus {
    /// The stream epoch this server knows (with Redis: the cluster's; 0 before Redis answered).
    pub fn epoch(&self) -> u64 {
        match self {
            Bus::Local(b) => b.epoch(),
            Bus::Redis(b) => b.epoch(),
        }
    }

    /// Publishes on `tenant`'s stream. With Redis down the message is dropped (and logged):
    /// callers publish after storing, so nothing acknowledged is lost, and subscribers were
    /// disconnected and will resume or reset.
    pub async fn publish(
        &self,
        tenant: &str,
        channel: &str,
        kind: LiveKind,
        data: serde_json::Value,
    ) {
        match self {
            Bus::Local(b) => {
                b.publish(tenant, channel, kind, data);
            }
            Bus::Redis(b) => {
                if let Err(e) = b.publish(tenant, channel, kind, data).await {
                    tracing::warn!(tenant, channel, "live message dropped: {e}");
                }
            }
        }
    }

    /// The current cursor of `tenant`'s stream; `0:0` when the bus cannot answer (a client that
    /// resumes from it later gets `reset`, never a wrong replay).
    pub async fn cursor(&self, tenant: &str) -> LiveCursor {
        match self {
            Bus::Local(b) => b.cursor(tenant),
            Bus::Redis(b) => b.cursor(tenant).await.unwrap_or_else(|e| {
                tracing::warn!(tenant, "live cursor unavailable: {e}");
                LiveCursor { epoch: 0, seq: 0 }
            }),
        }
    }

    /// Subscribes to `tenant`'s stream, replaying what came after `since`.
    ///
    /// # Errors
    /// `503 unavailable` when the bus (Redis) does not answer.
    pub async fn subscribe(
        &self,
        tenant: &str,
        since: Option<LiveCursor>,
    ) -> AppResult<Subscription> {
        match self {
            Bus::Local(b) => Ok(b.subscribe(tenant, since)),
            Bus::Redis(b) => b.subscribe(tenant, since).await.map_err(|e| {
                tracing::warn!(tenant, "live subscription failed: {e}");
                unavailable()
            }),
        }
    }

    /// Whether the bus answers (readiness).
    ///
    /// # Errors
    /// What went wrong, for the log.
    pub async fn ping(&self) -> Result<(), String> {
        match self {
            Bus::Local(_) => Ok(()),
            Bus::Redis(b) => b.ping().await.map_err(|e| e.to_string()),
        }
    }
}

/// The error a client gets while the bus is down.
pub fn unavailable() -> AppError {
    AppError::new(
        ErrorCode::Unavailable,
        "the live bus is not available; retry shortly",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_serialised_once_and_as_its_envelope() {
        let envelope = LiveEnvelope {
            epoch: 7,
            seq: 42,
            channel: "metrics".into(),
            kind: LiveKind::Metric,
            data: serde_json::json!({ "dataset": "sales", "sums": { "amount": 1.5 } }),
        };
        let m = msg(envelope.clone());
        let shared = Arc::clone(&m);
        assert_eq!(m.json(), serde_json::to_string(&envelope).unwrap());
        assert!(
            std::ptr::eq(m.json(), shared.json()),
            "every holder gets the same text"
        );
        assert_eq!(*m.envelope(), envelope);
    }
}
