//! `GET /api/v1/live/sse?channels=…&since=…&access_token=…` (Server-Sent Events).
//! Each event's `id` is `<epoch>:<seq>`; `Last-Event-ID` (or `since`) resumes.

use super::stream::{parse_channels, start, Request};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use vantage_contract::LiveCursor;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SseParams {
    /// Comma-separated: metrics, alerts, dashboards (default: all).
    pub channels: Option<String>,
    /// Resume cursor `<epoch>:<seq>` (for clients that cannot send `Last-Event-ID`).
    pub since: Option<String>,
    /// The bearer token (EventSource cannot send headers).
    pub access_token: Option<String>,
}

/// Reads the resume cursor from `Last-Event-ID` or `since`.
///
/// # Errors
/// 400 for a malformed cursor.
pub fn resume_cursor(headers: &HeaderMap, since: Option<&str>) -> AppResult<Option<LiveCursor>> {
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
        .or(since);
    raw.map(|s| {
        s.parse()
            .map_err(|_| AppError::bad_request("resume cursor must be '<epoch>:<seq>'"))
    })
    .transpose()
}

/// Opens the stream.
#[utoipa::path(get, path = "/api/v1/live/sse", tag = "live", security(("bearer" = [])), params(SseParams),
    responses((status = 200, description = "text/event-stream of LiveEnvelope; an embed token gets only what its dashboard shows (see MetricRollup.withheld)"),
        (status = 400, body = vantage_contract::ErrorBody), (status = 401, body = vantage_contract::ErrorBody),
        (status = 403, body = vantage_contract::ErrorBody, description = "Embed token from a foreign origin or without Origin; tenant deactivated"),
        (status = 422, body = vantage_contract::ErrorBody),
        (status = 429, description = "Too many open live connections for this token or address", body = vantage_contract::ErrorBody)))]
pub async fn sse(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    p: Principal,
    headers: HeaderMap,
    Query(params): Query<SseParams>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or(params.access_token.as_deref())
        .unwrap_or_default();
    // Held by the stream below: the places are given back when the client goes away.
    let slots = (
        state.live_slots.for_address(peer.ip())?,
        state.live_slots.for_token(token.trim())?,
    );
    let channels = parse_channels(&params.channels.into_iter().collect::<Vec<_>>())
        .map_err(|m| AppError::field("channels", m))?;
    let since = resume_cursor(&headers, params.since.as_deref())?;
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    let req = Request::of(p, channels, since);
    // Ends by itself when the client goes away (the receiver below is dropped).
    drop(start(state, req, tx).await?);
    let stream = ReceiverStream::new(rx).map(move |m| {
        let _held = &slots;
        Ok(Event::default().id(m.cursor().to_string()).data(m.json()))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
