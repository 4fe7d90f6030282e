//! `GET /api/v1/live/ws` (WebSocket). The first client message authenticates and subscribes:
//! `{"type":"auth","token":"…","channels":["metrics"],"since":"<epoch>:<seq>"}`. Then the
//! server sends one JSON `LiveEnvelope` per text frame. Auth failures get an `{error}` frame
//! and close code 4401 (bad token) / 4403 (origin) / 4400 (bad message) / 4429 (too many
//! connections for this token). The auth message must arrive within
//! [`WS_AUTH_DEADLINE_SECS`](super::limits::WS_AUTH_DEADLINE_SECS) and no client message may be
//! larger than [`WS_MAX_MESSAGE_BYTES`](super::limits::WS_MAX_MESSAGE_BYTES): an unauthenticated
//! socket cannot hold memory or a pump. An embed token must come from one of its allowed
//! origins (browsers always send `Origin` on a WebSocket handshake; without one → 4403).

use super::limits::{LiveSlot, WS_AUTH_DEADLINE_SECS, WS_MAX_MESSAGE_BYTES, WS_READ_BUFFER_BYTES};
use super::stream::{parse_channels, start, Request};
use crate::auth::{check_current, check_user_origin, principal_from_claims, CallerOrigin};
use crate::error::AppError;
use crate::state::SharedState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use vantage_contract::{ErrorCode, LiveCursor, WsClientMessage};

/// Upgrades the connection.
#[utoipa::path(get, path = "/api/v1/live/ws", tag = "live",
    responses((status = 101, description = "WebSocket; first message is WsClientMessage::Auth, then LiveEnvelope frames"),
        (status = 429, description = "Too many open live connections from this address", body = vantage_contract::ErrorBody)))]
pub async fn ws(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let origin = CallerOrigin::of(&headers);
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (raw_origin, host) = (
        header(axum::http::header::ORIGIN),
        header(axum::http::header::HOST),
    );
    let address_slot = match state.live_slots.for_address(peer.ip()) {
        Ok(slot) => slot,
        Err(e) => return e.into_response(),
    };
    upgrade
        .max_message_size(WS_MAX_MESSAGE_BYTES)
        .max_frame_size(WS_MAX_MESSAGE_BYTES)
        // tungstenite zero-fills its whole read buffer before every read attempt, and the
        // session polls the socket again after every message it sends: at the default 128 KiB
        // that was a 128 KiB memset per message per subscriber (13% of a replica's time in
        // the 5,000-subscriber fan-out). Clients send only small control messages.
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .on_upgrade(move |socket| {
            let caller = Caller {
                origin,
                raw_origin,
                host,
            };
            session(state, socket, caller, address_slot)
        })
}

async fn fail(mut socket: WebSocket, err: AppError, close_code: u16) {
    let body = serde_json::json!({ "error": err.to_api_error() });
    let _ = socket.send(Message::Text(body.to_string().into())).await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: close_code,
            reason: err.message.into(),
        })))
        .await;
}

/// Where the upgrade request came from.
struct Caller {
    origin: CallerOrigin,
    raw_origin: Option<String>,
    host: Option<String>,
}

async fn authenticate(
    state: &SharedState,
    text: &str,
    caller: &Caller,
) -> Result<(Request, LiveSlot), (AppError, u16)> {
    let msg: WsClientMessage = serde_json::from_str(text).map_err(|e| {
        (
            AppError::bad_request(format!("expected auth message: {e}")),
            4400,
        )
    })?;
    let WsClientMessage::Auth {
        token,
        channels,
        since,
    } = msg;
    let claims = state.keys.verify(&token).map_err(|e| (e, 4401))?;
    let token_slot = state.live_slots.for_token(&token).map_err(|e| (e, 4429))?;
    let p = principal_from_claims(claims, &caller.origin).map_err(|e| {
        let code = if e.code == ErrorCode::Forbidden {
            4403
        } else {
            4401
        };
        (e, code)
    })?;
    let p = check_current(&state.db, p, None).await.map_err(|e| {
        let code = if e.code == ErrorCode::Forbidden {
            4403
        } else {
            4401
        };
        (e, code)
    })?;
    check_user_origin(
        &state.db,
        &p,
        caller.raw_origin.as_deref(),
        caller.host.as_deref(),
        state.config.public_url.as_deref(),
    )
    .await
    .map_err(|e| (e, 4403))?;
    let channels = parse_channels(&channels).map_err(|m| (AppError::field("channels", m), 4400))?;
    let since = since
        .map(|s| {
            s.parse::<LiveCursor>()
                .map_err(|_| (AppError::field("since", "must be '<epoch>:<seq>'"), 4400))
        })
        .transpose()?;
    let req = Request::of(p, channels, since);
    Ok((req, token_slot))
}

/// One connection. `_address_slot` (and the token slot taken at auth) are held until it ends.
async fn session(
    state: SharedState,
    mut socket: WebSocket,
    caller: Caller,
    _address_slot: LiveSlot,
) {
    let deadline = Duration::from_secs(WS_AUTH_DEADLINE_SECS);
    let first = tokio::time::timeout(deadline, socket.recv()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(t)))) => t.to_string(),
        _ => {
            return fail(
                socket,
                AppError::unauthenticated("first message must be the auth message"),
                4401,
            )
            .await
        }
    };
    let (req, _token_slot) = match authenticate(&state, &text, &caller).await {
        Ok(r) => r,
        Err((e, code)) => return fail(socket, e, code).await,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let pump_task = match start(state, req, tx).await {
        Ok(task) => task,
        // 1013: try again later (the live bus is down); the client reconnects with backoff.
        Err(e) => return fail(socket, e, 1013).await,
    };
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Some(m) => {
                    if sink.send(Message::Text(m.json().into())).await.is_err() { break; }
                }
                None => {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: 1001, reason: "stream ended".into() }))).await;
                    break;
                }
            },
            m = incoming.next() => match m {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    pump_task.abort();
}
