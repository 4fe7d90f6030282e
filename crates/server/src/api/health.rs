//! `GET /api/v1/health` (liveness) and `GET /api/v1/ready` (readiness: the database and, with
//! `--bus-url`, the live bus in Redis answer).

use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store::settings;
use axum::extract::State;
use axum::Json;
use vantage_contract::{ErrorBody, ErrorCode, Health, Readiness};

/// Liveness, version and the live stream epoch.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<SharedState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract_versions: vantage_contract::version::SERVED_VERSIONS
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
        epoch: state.bus.epoch(),
        server_time: now_ms(),
    })
}

/// Readiness for load balancers and orchestrators: 200 when the database answers a read (and,
/// in a cluster, the live bus answers), 503 (error shape) when not.
#[utoipa::path(get, path = "/api/v1/ready", tag = "system",
    responses((status = 200, body = Readiness), (status = 503, body = ErrorBody, description = "The database (or, with --bus-url, the live bus) does not answer")))]
pub async fn ready(State(state): State<SharedState>) -> AppResult<Json<Readiness>> {
    if let Err(e) = state.bus.ping().await {
        tracing::warn!("readiness check failed: the live bus: {e}");
        return Err(AppError::new(
            ErrorCode::Unavailable,
            "the live bus is not available",
        ));
    }
    if !state.db.is_prepared() {
        return Err(AppError::new(
            ErrorCode::Unavailable,
            "the database is not prepared yet (migrations or the demo seed are running)",
        ));
    }
    let checked = state
        .db
        .read(|c| {
            settings::ping(c)?;
            settings::setup_pending(c)
        })
        .await;
    match checked {
        Ok(setup_pending) => Ok(Json(Readiness {
            status: "ready".into(),
            setup_pending,
        })),
        Err(e) => {
            tracing::warn!("readiness check failed: {}", e.message);
            Err(AppError::new(
                ErrorCode::Unavailable,
                "the database is not available",
            ))
        }
    }
}
