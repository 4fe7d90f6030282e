//! `GET /api/v1/health`.

use crate::db::now_ms;
use crate::state::SharedState;
use axum::extract::State;
use axum::Json;
use vantage_contract::Health;

/// Liveness and version.
pub async fn health(State(state): State<SharedState>) -> Json<Health> {
    let _ = &state;
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        epoch: 0,
        server_time: now_ms(),
    })
}
