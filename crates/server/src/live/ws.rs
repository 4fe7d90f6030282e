//! `GET /api/v1/live/ws` (WebSocket). The first client message authenticates and subscribes:
//! `{"type":"auth","token":"…","channels":["metrics"],"since":"<epoch>:<seq>"}`. Then the
//! server sends one JSON `LiveEnvelope` per text frame. Auth failures get an `{error}` frame
//! and close code 4401 (bad token) / 4403 (origin) / 4400 (bad message).

use super::stream::{parse_channels, pump, Request};
use crate::auth::principal_from_claims;
use crate::error::AppError;
use crate::state::SharedState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use vantage_contract::{ErrorCode, LiveCursor, WsClientMessage};

/// Upgrades the connection.
#[utoipa::path(get, path = "/api/v1/live/ws", tag = "live",
    responses((status = 101, description = "WebSocket; first message is WsClientMessage::Auth, then LiveEnvelope frames")))]
pub async fn ws(
    State(state): State<SharedState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    upgrade.on_upgrade(move |socket| session(state, socket, origin))
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

async fn authenticate(
    state: &SharedState,
    text: &str,
    origin: Option<&str>,
) -> Result<Request, (AppError, u16)> {
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
    let p = principal_from_claims(claims, origin).map_err(|e| {
        let code = if e.code == ErrorCode::Forbidden {
            4403
        } else {
            4401
        };
        (e, code)
    })?;
    let channels = parse_channels(&channels).map_err(|m| (AppError::field("channels", m), 4400))?;
    let since = since
        .map(|s| {
            s.parse::<LiveCursor>()
                .map_err(|_| (AppError::field("since", "must be '<epoch>:<seq>'"), 4400))
        })
        .transpose()?;
    Ok(Request {
        tenant: p.tenant_id,
        channels,
        since,
        expires_at: p.expires_at,
    })
}

async fn session(state: SharedState, mut socket: WebSocket, origin: Option<String>) {
    let first = tokio::time::timeout(Duration::from_secs(10), socket.recv()).await;
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
    let req = match authenticate(&state, &text, origin.as_deref()).await {
        Ok(r) => r,
        Err((e, code)) => return fail(socket, e, code).await,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let pump_task = tokio::spawn(pump(state, req, tx));
    let (mut sink, mut incoming) = socket.split();
    loop {
        tokio::select! {
            m = rx.recv() => match m {
                Some(m) => {
                    let text = serde_json::to_string(&*m).unwrap_or_default();
                    if sink.send(Message::Text(text.into())).await.is_err() { break; }
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
