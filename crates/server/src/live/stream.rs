//! One subscriber's message pump, shared by SSE and WebSocket: replay (or `reset`), then live
//! messages filtered by channel, heartbeats, and an end on shutdown, disconnect or token expiry.

use crate::auth::now_secs;
use crate::live::bus::{Msg, Start};
use crate::state::SharedState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use vantage_contract::live::{CHANNELS, CHANNEL_SYSTEM};
use vantage_contract::{LiveCursor, LiveEnvelope, LiveKind};

/// What to subscribe to.
pub struct Request {
    /// Whose stream it is (the tenant, and for user tokens the user and session).
    pub owner: crate::live::Owner,
    /// Empty: every channel.
    pub channels: Vec<String>,
    pub since: Option<LiveCursor>,
    /// Unix seconds when the token expires (the stream ends then).
    pub expires_at: u64,
}

/// Parses a comma-separated channel list.
///
/// # Errors
/// The first unknown channel name.
pub fn parse_channels(list: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for c in list
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !CHANNELS.contains(&c) {
            return Err(format!("unknown channel '{c}'"));
        }
        out.push(c.to_owned());
    }
    Ok(out)
}

fn system(epoch: u64, seq: u64, kind: LiveKind, data: serde_json::Value) -> Msg {
    Arc::new(LiveEnvelope {
        epoch,
        seq,
        channel: CHANNEL_SYSTEM.into(),
        kind,
        data,
    })
}

/// Feeds `tx` until the client goes away, the server shuts down, the token expires or its
/// tenant, user or session is revoked.
pub async fn pump(state: SharedState, req: Request, tx: mpsc::Sender<Msg>) {
    let wanted = |m: &Msg| {
        req.channels.is_empty() || m.channel == CHANNEL_SYSTEM || req.channels.contains(&m.channel)
    };
    let sub = state.bus.subscribe(&req.owner.tenant, req.since);
    let epoch = sub.cursor.epoch;
    let mut last = sub.cursor.seq;
    let mut rx = sub.rx;
    match sub.start {
        Start::Replay(msgs) => {
            for m in msgs {
                if wanted(&m) && tx.send(m).await.is_err() {
                    return;
                }
            }
        }
        Start::Reset(reason) => {
            let m = system(
                epoch,
                last,
                LiveKind::Reset,
                serde_json::json!({ "reason": reason }),
            );
            if tx.send(m).await.is_err() {
                return;
            }
        }
    }
    let mut shutdown = state.shutdown.clone();
    let mut revoked = state.revocations.subscribe();
    let period = Duration::from_secs(state.config.heartbeat_secs.max(1));
    let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let until_expiry = Duration::from_secs(req.expires_at.saturating_sub(now_secs()));
    let expiry = tokio::time::sleep(until_expiry);
    tokio::pin!(expiry);
    loop {
        let msg = tokio::select! {
            r = rx.recv() => match r {
                Ok(m) if m.seq > last => {
                    last = m.seq;
                    if !wanted(&m) { continue; }
                    m
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    last = state.bus.cursor(&req.owner.tenant).seq;
                    rx = rx.resubscribe();
                    system(epoch, last, LiveKind::Reset, serde_json::json!({ "reason": "subscriber too slow" }))
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = heartbeat.tick() => system(epoch, last, LiveKind::Heartbeat, serde_json::json!({ "serverTime": crate::db::now_ms() })),
            _ = shutdown.changed() => break,
            r = revoked.recv() => match r {
                Ok(r) if req.owner.is_revoked_by(&r) => break,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = &mut expiry => break,
            () = tx.closed() => break,
        };
        if tx.send(msg).await.is_err() {
            break;
        }
    }
}
