//! `/webhooks`: where a tenant's alert events are sent (`crate::webhooks` sends them). Tenant
//! admins only, like ingest keys: a webhook sends the tenant's alerts out of the product. Every
//! change is audited. Answers are not compressed: two of them carry the secret, and an address
//! may hold one of the receiver's own (a path token).

use super::json::ApiJson;
use crate::auth::{random_token, Principal};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store::audit::NewEntry;
use crate::store::webhooks;
use crate::webhooks::{non_public, Policy};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use std::net::IpAddr;
use vantage_contract::webhook::MAX_WEBHOOKS;
use vantage_contract::{
    AuditAction, CreatedWebhook, ErrorBody, Role, Webhook, WebhookDelivery, WebhookDeliveryList,
    WebhookInput, WebhookList,
};

fn audit(p: &Principal, action: AuditAction, id: &str, name: &str) -> NewEntry {
    NewEntry::new(&p.tenant_id, action, Some(&p.user_id), p.email.as_deref())
        .target(id)
        .details(serde_json::json!({ "name": name }))
}

/// The contract's checks, then this server's: the address parses as a URL and, unless
/// `--allow-local-webhooks`, is `https://` and not a literal non-public IP or `localhost`
/// (a name is checked again when a delivery resolves it). The name is stored trimmed.
fn checked(input: &mut WebhookInput, policy: Policy) -> AppResult<()> {
    input.validate()?;
    input.name = input.name.trim().to_owned();
    let url = url::Url::parse(&input.url)
        .map_err(|e| AppError::field("url", format!("is not a valid address: {e}")))?;
    if policy.allow_local {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err(AppError::field(
            "url",
            "must be an https:// address (this server sends webhooks over TLS only)",
        ));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Err(AppError::field(
                    "url",
                    "must be a public address (localhost is this server itself)",
                ));
            }
            None
        }
        None => None,
    };
    if let Some(kind) = ip.and_then(non_public) {
        return Err(AppError::field(
            "url",
            format!("must be a public address ({kind} addresses are not sent to)"),
        ));
    }
    Ok(())
}

fn policy(state: &SharedState) -> Policy {
    Policy {
        allow_local: state.config.allow_local_webhooks,
    }
}

/// `GET /api/v1/webhooks` (tenant admins): each with its latest delivery, never its secret.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = WebhookList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<SharedState>, p: Principal) -> AppResult<Json<WebhookList>> {
    p.require_role(Role::TenantAdmin)?;
    let items = state
        .db
        .read(move |c| webhooks::list(c, &p.tenant_id))
        .await?;
    Ok(Json(WebhookList { items }))
}

/// `GET /api/v1/webhooks/{id}` (tenant admins).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Webhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<Webhook>> {
    p.require_role(Role::TenantAdmin)?;
    state
        .db
        .read(move |c| webhooks::get(c, &p.tenant_id, &id))
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("no such webhook"))
}

/// `POST /api/v1/webhooks` (tenant admins): the answer holds the signing secret, shown only
/// once. At most 20 webhooks per tenant (409 past that).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])), request_body = WebhookInput,
    responses((status = 201, body = CreatedWebhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody, description = "details.field names the field: name, url, events, events[i]")))]
pub async fn create(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(mut input): ApiJson<WebhookInput>,
) -> AppResult<(StatusCode, Json<CreatedWebhook>)> {
    p.require_role(Role::TenantAdmin)?;
    checked(&mut input, policy(&state))?;
    let id = format!("wh_{}", random_token(9));
    let secret = webhooks::new_secret();
    let entry = audit(&p, AuditAction::WebhookCreated, &id, &input.name);
    let (tenant, id2, secret2) = (p.tenant_id.clone(), id.clone(), secret.clone());
    let webhook = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if webhooks::count(&tx, &tenant)? >= MAX_WEBHOOKS {
                return Err(AppError::conflict(format!(
                    "the tenant has {MAX_WEBHOOKS} webhooks, the most allowed: delete one first"
                )));
            }
            webhooks::insert(&tx, &tenant, &id2, &input, &secret2, now_ms())?;
            entry.append(&tx)?;
            let webhook = webhooks::get(&tx, &tenant, &id2)?;
            tx.commit()?;
            Ok(webhook)
        })
        .await?
        .ok_or_else(|| AppError::internal("the webhook just stored was not found"))?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook { webhook, secret }),
    ))
}

/// `PUT /api/v1/webhooks/{id}` (tenant admins): replaces the definition (the secret stays).
/// Disabled, what it had still to send is given up (`failed`).
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), request_body = WebhookInput,
    params(("id" = String, Path)),
    responses((status = 200, body = Webhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(mut input): ApiJson<WebhookInput>,
) -> AppResult<Json<Webhook>> {
    p.require_role(Role::TenantAdmin)?;
    checked(&mut input, policy(&state))?;
    let entry = audit(&p, AuditAction::WebhookUpdated, &id, &input.name);
    let tenant = p.tenant_id.clone();
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !webhooks::update(&tx, &tenant, &id, &input, now_ms())? {
                return Ok(None);
            }
            entry.append(&tx)?;
            let webhook = webhooks::get(&tx, &tenant, &id)?;
            tx.commit()?;
            Ok(webhook)
        })
        .await?
        .map(Json)
        .ok_or_else(|| AppError::not_found("no such webhook"))
}

/// `DELETE /api/v1/webhooks/{id}` (tenant admins): the webhook and its deliveries.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    p.require_role(Role::TenantAdmin)?;
    let caller = p.clone();
    let deleted = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let Some(hook) = webhooks::get(&tx, &caller.tenant_id, &id)? else {
                return Ok(false);
            };
            webhooks::delete(&tx, &caller.tenant_id, &id)?;
            audit(&caller, AuditAction::WebhookDeleted, &id, &hook.name).append(&tx)?;
            tx.commit()?;
            Ok(true)
        })
        .await?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::not_found("no such webhook"))
    }
}

/// `POST /api/v1/webhooks/{id}/secret` (tenant admins): a new signing secret, shown only now;
/// deliveries from now on are signed with it (the old one stops at once).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/secret", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CreatedWebhook), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<CreatedWebhook>> {
    p.require_role(Role::TenantAdmin)?;
    let secret = webhooks::new_secret();
    let (caller, secret2) = (p.clone(), secret.clone());
    let webhook = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !webhooks::set_secret(&tx, &caller.tenant_id, &id, &secret2, now_ms())? {
                return Ok(None);
            }
            let webhook = webhooks::get(&tx, &caller.tenant_id, &id)?;
            if let Some(w) = &webhook {
                audit(&caller, AuditAction::WebhookSecretRotated, &id, &w.name).append(&tx)?;
            }
            tx.commit()?;
            Ok(webhook)
        })
        .await?
        .ok_or_else(|| AppError::not_found("no such webhook"))?;
    Ok(Json(CreatedWebhook { webhook, secret }))
}

/// `POST /api/v1/webhooks/{id}/test` (tenant admins): sends the webhook a `ping` event
/// (within about a second; retried like any delivery) and answers the pending delivery, whose
/// outcome `GET …/deliveries` then shows.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 202, body = WebhookDelivery), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<WebhookDelivery>)> {
    p.require_role(Role::TenantAdmin)?;
    let delivery = state
        .db
        .write(move |c| webhooks::enqueue_ping(c, &p.tenant_id, &id, now_ms()))
        .await?
        .ok_or_else(|| AppError::not_found("no such webhook"))?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// `GET /api/v1/webhooks/{id}/deliveries` (tenant admins): the latest 50, newest first
/// (finished ones are kept 30 days).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = WebhookDeliveryList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<Json<WebhookDeliveryList>> {
    p.require_role(Role::TenantAdmin)?;
    let items = state
        .db
        .read(move |c| {
            if webhooks::get(c, &p.tenant_id, &id)?.is_none() {
                return Ok(None);
            }
            webhooks::deliveries(c, &p.tenant_id, &id, webhooks::LISTED_DELIVERIES).map(Some)
        })
        .await?
        .ok_or_else(|| AppError::not_found("no such webhook"))?;
    Ok(Json(WebhookDeliveryList { items }))
}
