//! Signals between replicas (Redis Pub/Sub on `vantage:control`): a revocation made on one
//! replica ends the matching live streams on every replica, and a change of a tenant's embed
//! origins makes every replica reload its CORS list from the shared database.
//!
//! Signals are best effort: one sent while Redis is down is lost, but then every live stream was
//! closed anyway (the bus is down), reconnecting re-checks the token against the database, and a
//! replica reloads its CORS list whenever it (re)subscribes.

use crate::live::Revoked;
use crate::state::SharedState;
use crate::store;
use ::redis::aio::ConnectionManager;
use ::redis::Client;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc;

const CHANNEL: &str = "vantage:control";

/// What one replica tells the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    Revoked(Revoked),
    CorsChanged,
}

impl Signal {
    fn encode(&self) -> String {
        match self {
            Signal::Revoked(Revoked::Tenant(id)) => format!("revoke-tenant:{id}"),
            Signal::Revoked(Revoked::User(id)) => format!("revoke-user:{id}"),
            Signal::Revoked(Revoked::Session(id)) => format!("revoke-session:{id}"),
            Signal::Revoked(Revoked::Embed(id)) => format!("revoke-embed:{id}"),
            Signal::CorsChanged => "cors:".into(),
        }
    }

    fn decode(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once(':')?;
        let id = id.to_owned();
        Some(match kind {
            "revoke-tenant" => Signal::Revoked(Revoked::Tenant(id)),
            "revoke-user" => Signal::Revoked(Revoked::User(id)),
            "revoke-session" => Signal::Revoked(Revoked::Session(id)),
            "revoke-embed" => Signal::Revoked(Revoked::Embed(id)),
            "cors" => Signal::CorsChanged,
            _ => return None,
        })
    }
}

/// The sending side kept in the state (`None` without a cluster).
#[derive(Default)]
pub struct Control {
    tx: Option<mpsc::UnboundedSender<Signal>>,
}

impl Control {
    /// Tells the other replicas (no-op without a cluster).
    pub fn send(&self, signal: Signal) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(signal);
        }
    }
}

/// A control channel for replica `me`: the [`Control`] for the state and the receiver that
/// [`run`] publishes from.
pub fn channel() -> (Control, mpsc::UnboundedReceiver<Signal>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Control { tx: Some(tx) }, rx)
}

/// Publishes this replica's signals and applies the others' until shutdown.
pub async fn run(
    state: SharedState,
    client: Client,
    conn: ConnectionManager,
    me: String,
    outgoing: mpsc::UnboundedReceiver<Signal>,
) {
    tokio::spawn(publish(conn, me.clone(), outgoing));
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            () = listen(&state, &client, &me) => {}
            _ = shutdown.changed() => return,
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn publish(
    conn: ConnectionManager,
    me: String,
    mut outgoing: mpsc::UnboundedReceiver<Signal>,
) {
    while let Some(signal) = outgoing.recv().await {
        let mut conn = conn.clone();
        let message = format!("{me}|{}", signal.encode());
        let sent = tokio::time::timeout(
            Duration::from_secs(2),
            ::redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(message)
                .query_async::<i64>(&mut conn),
        )
        .await;
        if !matches!(sent, Ok(Ok(_))) {
            tracing::warn!(?signal, "could not tell the other replicas");
        }
    }
}

/// One subscription, until Redis fails.
async fn listen(state: &SharedState, client: &Client, me: &str) {
    let subscribed = tokio::time::timeout(Duration::from_secs(2), async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        Ok::<_, ::redis::RedisError>(pubsub)
    })
    .await;
    let pubsub = match subscribed {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return tracing::debug!("control channel: {e}"),
        Err(_) => return,
    };
    // Whatever changed while we were not listening.
    reload_cors(state).await;
    let mut messages = pubsub.into_on_message();
    while let Some(msg) = messages.next().await {
        let Ok(text) = msg.get_payload::<String>() else {
            continue;
        };
        let Some((from, body)) = text.split_once('|') else {
            continue;
        };
        if from == me {
            continue;
        }
        match Signal::decode(body) {
            Some(Signal::Revoked(r)) => state.revocations.publish(r),
            Some(Signal::CorsChanged) => reload_cors(state).await,
            None => tracing::warn!(body, "unknown control signal"),
        }
    }
    tracing::warn!("control channel closed; resubscribing");
}

async fn reload_cors(state: &SharedState) {
    match state.db.read(store::all_embed_origins).await {
        Ok(all) => state.set_cors_origins_here(all),
        Err(e) => tracing::warn!("reloading embed origins failed: {}", e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_survive_the_wire() {
        for s in [
            Signal::Revoked(Revoked::Tenant("t".into())),
            Signal::Revoked(Revoked::User("u:1".into())),
            Signal::Revoked(Revoked::Session("s".into())),
            Signal::Revoked(Revoked::Embed("j".into())),
            Signal::CorsChanged,
        ] {
            assert_eq!(Signal::decode(&s.encode()), Some(s));
        }
        assert_eq!(Signal::decode("nonsense"), None);
    }
}
