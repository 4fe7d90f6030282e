//! One subscriber's message pump, shared by SSE and WebSocket: replay (or `reset`), then live
//! messages filtered by channel and, for embed tokens, by the token's scope ([`super::scope`]),
//! heartbeats, and an end on shutdown, disconnect, token expiry or revocation.
//!
//! A message that follows held-back ones is preceded by a `heartbeat` at the seq just before
//! it, so the client's cursor skips the gap instead of taking it for a loss.

use crate::auth::now_secs;
use crate::live::bus::{Msg, Start, Subscription};
use crate::live::revoke::Revoked;
use crate::live::scope::{load, EmbedView};
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
    /// An embed token's scope (`None`: a user token, the whole tenant stream).
    pub embed: Option<crate::auth::EmbedScope>,
}

impl Request {
    /// The stream of `p` (a user token: the whole tenant's; an embed token: its scope).
    pub fn of(p: crate::auth::Principal, channels: Vec<String>, since: Option<LiveCursor>) -> Self {
        Self {
            owner: crate::live::Owner {
                tenant: p.tenant_id,
                user: p.embed.is_none().then_some(p.user_id),
                session: p.session_id,
                embed: p.embed.as_ref().map(|e| e.jti.clone()),
            },
            channels,
            since,
            expires_at: p.expires_at,
            embed: p.embed,
        }
    }
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
    crate::live::bus::msg(LiveEnvelope {
        epoch,
        seq,
        channel: CHANNEL_SYSTEM.into(),
        kind,
        data,
    })
}

/// What a pump has sent: the cursor the client holds, and the view of an embed token.
struct Sent {
    upto: u64,
    view: Option<EmbedView>,
}

impl Sent {
    /// `m` as this subscriber may see it, or `None`.
    fn admit(&self, m: &Msg, channels: &[String]) -> Option<Msg> {
        let wanted =
            channels.is_empty() || m.channel == CHANNEL_SYSTEM || channels.contains(&m.channel);
        if !wanted {
            return None;
        }
        match &self.view {
            Some(v) => v.admit(m),
            None => Some(m.clone()),
        }
    }

    /// Sends `m`, preceded by a heartbeat when messages before it were held back.
    async fn send(&mut self, tx: &mpsc::Sender<Msg>, m: Msg) -> Result<(), ()> {
        if m.seq > self.upto + 1 {
            let skip = system(
                m.epoch,
                m.seq - 1,
                LiveKind::Heartbeat,
                serde_json::json!({ "serverTime": crate::db::now_ms() }),
            );
            tx.send(skip).await.map_err(drop)?;
        }
        self.upto = self.upto.max(m.seq);
        tx.send(m).await.map_err(drop)
    }
}

/// Feeds `tx` until the client goes away, the server shuts down, the token expires, its
/// tenant, user, session or embed token is revoked, or an embed token's dashboard is deleted.
///
/// The bus and revocation subscriptions are taken here, before the response is sent: a message
/// published — or a revocation made — between the answer and the pump's first poll (or while an
/// embed token's view loads) is then still seen.
///
/// # Errors
/// `503` when the live bus is down (the client retries).
pub async fn start(
    state: SharedState,
    req: Request,
    tx: mpsc::Sender<Msg>,
) -> crate::error::AppResult<tokio::task::JoinHandle<()>> {
    let revoked = state.revocations.subscribe();
    let sub = state.bus.subscribe(&req.owner.tenant, req.since).await?;
    Ok(tokio::spawn(pump(state, req, sub, revoked, tx)))
}

async fn pump(
    state: SharedState,
    req: Request,
    sub: Subscription,
    mut revoked: broadcast::Receiver<Arc<Revoked>>,
    tx: mpsc::Sender<Msg>,
) {
    let view = match &req.embed {
        Some(scope) => match load(&state, &req.owner.tenant, scope).await {
            Ok(Some(v)) => Some(v),
            Ok(None) | Err(_) => return,
        },
        None => None,
    };
    let epoch = sub.cursor.epoch;
    let mut last = sub.cursor.seq;
    let mut rx = sub.rx;
    let mut sent = Sent {
        upto: match (&sub.start, req.since) {
            (Start::Replay(_), Some(c)) => c.seq,
            _ => last,
        },
        view,
    };
    match sub.start {
        Start::Replay(msgs) => {
            for m in msgs {
                if let Some(m) = sent.admit(&m, &req.channels) {
                    if sent.send(&tx, m).await.is_err() {
                        return;
                    }
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
                    let own_change = sent.view.as_ref().is_some_and(|v| v.is_own_dashboard_change(&m));
                    let admitted = sent.admit(&m, &req.channels);
                    if own_change {
                        // The scope follows the dashboard as it is now.
                        let reloaded = match &req.embed {
                            Some(scope) => load(&state, &req.owner.tenant, scope).await,
                            None => Ok(None),
                        };
                        if let Some(m) = admitted {
                            if sent.send(&tx, m).await.is_err() { break; }
                        }
                        match reloaded {
                            Ok(Some(v)) => { sent.view = Some(v); continue; }
                            Ok(None) | Err(_) => break,
                        }
                    }
                    match admitted { Some(m) => m, None => continue }
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let now = state.bus.cursor(&req.owner.tenant).await;
                    if now.epoch != epoch { break; }
                    last = now.seq;
                    rx = rx.resubscribe();
                    sent.upto = last;
                    system(epoch, last, LiveKind::Reset, serde_json::json!({ "reason": "subscriber too slow" }))
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = heartbeat.tick() => {
                sent.upto = last;
                system(epoch, last, LiveKind::Heartbeat, serde_json::json!({ "serverTime": crate::db::now_ms() }))
            }
            _ = shutdown.changed() => break,
            r = revoked.recv() => match r {
                Ok(r) if req.owner.is_revoked_by(&r) => break,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = &mut expiry => break,
            () = tx.closed() => break,
        };
        let result = if msg.channel == CHANNEL_SYSTEM {
            tx.send(msg).await.map_err(drop)
        } else {
            sent.send(&tx, msg).await
        };
        if result.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: u64, channel: &str) -> Msg {
        crate::live::bus::msg(LiveEnvelope {
            epoch: 1,
            seq,
            channel: channel.into(),
            kind: LiveKind::Metric,
            data: serde_json::json!({}),
        })
    }

    #[tokio::test]
    async fn a_message_after_held_back_ones_is_preceded_by_a_heartbeat() {
        let (tx, mut rx) = mpsc::channel(8);
        let mut sent = Sent {
            upto: 3,
            view: None,
        };
        for seq in [4, 7, 8] {
            assert!(sent.send(&tx, msg(seq, "metrics")).await.is_ok());
        }
        drop(tx);
        let mut got = Vec::new();
        while let Some(m) = rx.recv().await {
            got.push((m.seq, m.kind));
        }
        assert_eq!(
            got,
            [
                (4, LiveKind::Metric),
                (6, LiveKind::Heartbeat),
                (7, LiveKind::Metric),
                (8, LiveKind::Metric)
            ]
        );
    }

    #[test]
    fn the_channel_list_selects_and_system_messages_always_pass() {
        let sent = Sent {
            upto: 0,
            view: None,
        };
        let metrics = vec!["metrics".to_owned()];
        assert!(sent.admit(&msg(1, "metrics"), &metrics).is_some());
        assert!(sent.admit(&msg(1, "alerts"), &metrics).is_none());
        assert!(sent.admit(&msg(1, CHANNEL_SYSTEM), &metrics).is_some());
        assert!(sent.admit(&msg(1, "alerts"), &[]).is_some());
    }
}
