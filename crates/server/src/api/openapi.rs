//! The OpenAPI document, generated from the contract types and the handler annotations.
//! Served at `/api/v1/openapi.json` and committed as `openapi.json` (a test keeps them equal).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vantage API", version = "1.0.0", description = "The Vantage contract v1. Every non-2xx response carries ErrorBody."),
    modifiers(&BearerAuth),
    paths(
        super::health::health,
        super::health::ready,
        super::setup::status, super::setup::complete,
        super::auth::login, super::auth::refresh, super::auth::logout, super::auth::me, super::auth::change_password,
        super::tenants::list, super::tenants::create, super::tenants::update,
        super::users::list, super::users::invite, super::users::update, super::users::issue_reset,
        super::users::accept, super::users::complete_reset,
        super::audit::list, super::audit::csv,
        super::tenant::get_tenant, super::tenant::put_branding, super::tenant::put_embed_origins,
        super::dashboards::list, super::dashboards::create, super::dashboards::get_one, super::dashboards::update, super::dashboards::delete,
        super::datasets::list, super::datasets::get_one, super::datasets::create, super::datasets::update, super::datasets::delete,
        super::data::run_query, super::data::dashboard_data, super::data::rows,
        super::ingest::post_events, super::ingest::delete_events,
        super::ingest::list_keys, super::ingest::create_key, super::ingest::revoke_key,
        super::alerts::list, super::alerts::acknowledge, super::alerts::resolve,
        super::embed::create_token, super::embed::list_tokens, super::embed::revoke_token, super::embed::dashboard,
        crate::live::sse::sse, crate::live::ws::ws,
    ),
    components(schemas(
        vantage_contract::ErrorBody, vantage_contract::ApiError, vantage_contract::ErrorCode, vantage_contract::FieldError,
        vantage_contract::LiveEnvelope, vantage_contract::LiveKind, vantage_contract::MetricRollup, vantage_contract::WsClientMessage,
        vantage_contract::Role, vantage_contract::Permission, vantage_contract::WidgetKind,
        vantage_contract::AuditAction, vantage_contract::AuditEntry,
        vantage_contract::BatchErrorDetails, vantage_contract::RowError,
    ))
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline (the committed file's exact bytes).
pub fn document() -> String {
    let mut s = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Json<serde_json::Value> {
    Json(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}
