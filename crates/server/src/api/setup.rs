//! First-run setup: `GET /api/v1/setup` (is it pending?) and `POST /api/v1/setup` (create the
//! organisation and its system admin with the printed one-time token). Once a system admin
//! exists, `POST` answers 404 for good.

use super::auth::hash_off_thread;
use super::json::ApiJson;
use super::tokens::{issue, no_store};
use crate::auth::token_hash;
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store::accounts::{self, NewUser};
use crate::store::audit::NewEntry;
use crate::store::links::{self, LinkKind};
use crate::store::{self, settings};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vantage_contract::admin::tenant_id_from_name;
use vantage_contract::{AuditAction, ErrorBody, Role, SetupRequest, SetupStatus, TokenResponse};

/// `GET /api/v1/setup`.
#[utoipa::path(get, path = "/api/v1/setup", tag = "setup",
    responses((status = 200, body = SetupStatus)))]
pub async fn status(State(state): State<SharedState>) -> AppResult<Json<SetupStatus>> {
    let pending = state.db.read(settings::setup_pending).await?;
    Ok(Json(SetupStatus { pending }))
}

fn already_done() -> AppError {
    AppError::not_found("setup is already done; sign in instead")
}

fn bad_token() -> AppError {
    AppError::forbidden("setup token invalid, used or expired; restart the server for a new one")
        .with_details(serde_json::json!({ "field": "token" }))
}

/// `POST /api/v1/setup`: answers 201 with the new system admin signed in.
#[utoipa::path(post, path = "/api/v1/setup", tag = "setup", request_body = SetupRequest,
    responses((status = 201, body = TokenResponse, description = "Set up; the system admin is signed in (Cache-Control: no-store)"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "Wrong, used or expired setup token"),
        (status = 404, body = ErrorBody, description = "Setup is already done"), (status = 422, body = ErrorBody)))]
pub async fn complete(
    State(state): State<SharedState>,
    ApiJson(req): ApiJson<SetupRequest>,
) -> AppResult<Response> {
    let hash = token_hash(&req.token);
    let h2 = hash.clone();
    let (pending, link) = state
        .db
        .read(move |c| {
            Ok((
                settings::setup_pending(c)?,
                links::find_usable(c, &h2, LinkKind::Setup, now_ms())?,
            ))
        })
        .await?;
    if !pending {
        return Err(already_done());
    }
    if link.is_none() {
        return Err(bad_token());
    }
    req.validate()?;
    let password_hash = hash_off_thread(req.password.clone()).await?;
    let st = state.clone();
    let resp = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !settings::setup_pending(&tx)? {
                return Err(already_done());
            }
            let now = now_ms();
            if !links::use_up(&tx, &hash, LinkKind::Setup, now)? {
                return Err(bad_token());
            }
            let org = req.organisation_name.trim();
            let tenant_id = tenant_id_from_name(org);
            accounts::create_tenant(&tx, &tenant_id, org, now)?;
            let email = req.email.trim();
            let user_id = format!("u_{}", crate::auth::random_token(9));
            let name = req.name.as_deref().map_or("System admin", str::trim);
            accounts::insert_user(
                &tx,
                &NewUser {
                    id: &user_id,
                    tenant_id: &tenant_id,
                    email,
                    name,
                    role: Role::SystemAdmin,
                    password_hash: &password_hash,
                },
            )?;
            let user = store::user_by_id(&tx, &user_id)?
                .ok_or_else(|| AppError::internal("setup user vanished"))?;
            for action in [AuditAction::SetupCompleted, AuditAction::TenantCreated] {
                NewEntry::new(&tenant_id, action, Some(&user_id), Some(email))
                    .target(&tenant_id)
                    .details(serde_json::json!({ "name": org }))
                    .append(&tx)?;
            }
            let resp = issue(&st, &tx, &user, None)?;
            tx.commit()?;
            Ok(resp)
        })
        .await?;
    let mut r = no_store(resp);
    *r.status_mut() = StatusCode::CREATED;
    Ok(r.into_response())
}

/// Creates a fresh setup token (withdrawing older ones) when setup is pending; returns it.
///
/// # Errors
/// Database failures.
pub fn issue_setup_token(c: &crate::sql::Conn, ttl_secs: u64) -> AppResult<Option<String>> {
    if !settings::setup_pending(c)? {
        return Ok(None);
    }
    let token = crate::auth::random_token(24);
    let now = now_ms();
    links::withdraw_all(c, LinkKind::Setup)?;
    links::insert(
        c,
        &links::Link {
            token_hash: token_hash(&token),
            kind: LinkKind::Setup,
            tenant_id: None,
            user_id: None,
            email: None,
            role: None,
            created_by: None,
            created_at: now,
            expires_at: now
                .saturating_add(i64::try_from(ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX)),
        },
    )?;
    Ok(Some(token))
}
