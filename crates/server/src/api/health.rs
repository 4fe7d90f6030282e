//! `GET /api/v1/health`.

use crate::db::now_ms;
use crate::state::SharedState;
use axum::extract::State;
use axum::Json;
use vantage_contract::Health;

/// Liveness, version and the live stream epoch.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<SharedState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        epoch: state.bus.epoch(),
        server_time: now_ms(),
    })
}
