//! The OpenAPI document, generated from the contract types and the handler annotations.
//! Served at `/api/v1/openapi.json` and committed as `openapi.json` (a test keeps them equal).

use axum::Json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, Response, ResponseBuilder};
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

/// Documents the error statuses that every operation of a kind can answer, once for all of them,
/// so no operation's list drifts from what the server's shared layers do:
/// - bearer-authenticated: 401 (no/invalid/revoked token), 403 (role, embed scope, origin,
///   token in the URL), 429 (per-token rate limit);
/// - with a JSON body: 400 (malformed JSON, wrong type, no JSON content type), 413 (over
///   `--max-body`), 422 (unknown/missing fields, failed validation);
/// - with path parameters: 404; with query parameters: 400 (unparsable value), 422 (a value out
///   of its range, e.g. `limit`).
///
/// Each added response carries `ErrorBody`; statuses an operation documents itself are kept.
struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for operation in operations_mut(openapi) {
            for status in standard_statuses(operation) {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(status).into());
            }
        }
    }
}

/// Every operation of the document (the methods this API uses).
fn operations_mut(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Makes operation ids unique, as OpenAPI requires (client generators name methods after them):
/// handlers in different modules share names (`list`, `create`), so an id used more than once
/// becomes `<tag>_<id>` (`dashboards_list`).
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut uses = std::collections::HashMap::<String, usize>::new();
        for id in operations_mut(openapi).filter_map(|o| o.operation_id.clone()) {
            *uses.entry(id).or_default() += 1;
        }
        for operation in operations_mut(openapi) {
            let tag = operation.tags.as_ref().and_then(|t| t.first()).cloned();
            if let (Some(id), Some(tag)) = (operation.operation_id.as_mut(), tag) {
                if uses.get(id.as_str()).is_some_and(|&n| n > 1) {
                    *id = format!("{tag}_{id}");
                }
            }
        }
    }
}

/// The statuses [`StandardErrors`] adds to one operation.
fn standard_statuses(operation: &Operation) -> Vec<&'static str> {
    let mut statuses = Vec::new();
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.extend(["401", "403", "429"]);
    }
    if operation.request_body.is_some() {
        statuses.extend(["400", "413", "422"]);
    }
    let located = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    if located(ParameterIn::Path) {
        statuses.push("404");
    }
    if located(ParameterIn::Query) {
        statuses.extend(["400", "422"]);
    }
    statuses
}

fn error_response(status: &str) -> Response {
    let description = match status {
        "400" => "Malformed request (JSON syntax, wrong type, unparsable parameter)",
        "401" => "No valid bearer token (missing, expired, revoked, wrong issuer or audience)",
        "403" => "The token's role or scope does not allow this",
        "404" => "No such resource in the caller's tenant",
        "413" => "Request body larger than the server accepts",
        "422" => "The request names an unknown field or fails validation",
        "429" => "Rate limited; see Retry-After",
        _ => "Error",
    };
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vantage API", version = "1.0.0", description = "The Vantage contract v1. Every non-2xx response carries ErrorBody."),
    modifiers(&BearerAuth, &StandardErrors, &UniqueOperationIds),
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
        super::alert_rules::list, super::alert_rules::create, super::alert_rules::update, super::alert_rules::delete,
        super::webhooks::list, super::webhooks::create, super::webhooks::get_one, super::webhooks::update,
        super::webhooks::delete, super::webhooks::rotate_secret, super::webhooks::test, super::webhooks::deliveries,
        super::embed::create_token, super::embed::list_tokens, super::embed::revoke_token, super::embed::dashboard,
        crate::live::sse::sse, crate::live::ws::ws,
    ),
    components(schemas(
        vantage_contract::ErrorBody, vantage_contract::ApiError, vantage_contract::ErrorCode, vantage_contract::FieldError,
        vantage_contract::LiveEnvelope, vantage_contract::LiveKind, vantage_contract::MetricRollup, vantage_contract::WsClientMessage,
        vantage_contract::Role, vantage_contract::Permission, vantage_contract::WidgetKind,
        vantage_contract::AuditAction, vantage_contract::AuditEntry,
        vantage_contract::BatchErrorDetails, vantage_contract::RowError,
        vantage_contract::WebhookPayload,
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
