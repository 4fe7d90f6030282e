//! `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/me`, `/auth/password`.
//!
//! Passwords are verified and hashed on the blocking pool before the database writer is
//! taken, so a burst of sign-ins never holds the writer for argon2's hundreds of
//! milliseconds. Token responses carry `Cache-Control: no-store`. Login and refresh attempts
//! are limited per client address and (login) per account first ([`crate::auth::throttle`]).

use super::json::ApiJson;
use super::tokens::{issue, no_store, user_dto};
use crate::auth::throttle::ClientAddr;
use crate::auth::{dummy_hash, hash_password, now_secs, token_hash, verify_password, Principal};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::Revoked;
use crate::state::SharedState;
use crate::store::audit::NewEntry;
use crate::store::sessions::{self, Rotation};
use crate::store::{self, UserRow};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use vantage_contract::password::check_password;
use vantage_contract::{
    AuditAction, ChangePasswordRequest, ErrorBody, LoginRequest, RefreshRequest, TokenResponse,
    User,
};

/// Runs argon2 verification on the blocking pool.
pub(super) async fn password_matches(password: String, hash: String) -> AppResult<bool> {
    Ok(tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await?)
}

/// Runs argon2 hashing on the blocking pool.
pub(super) async fn hash_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

/// Why a user with the right password still may not sign in.
fn refusal(c: &crate::sql::Conn, u: &UserRow) -> AppResult<Option<AppError>> {
    if !u.active {
        return Ok(Some(AppError::forbidden("this account is deactivated")));
    }
    let tenant_ok = store::accounts::tenant_active(c, &u.tenant_id)? == Some(true);
    if !tenant_ok && u.role != vantage_contract::Role::SystemAdmin {
        return Ok(Some(AppError::forbidden(
            "this account's tenant is deactivated",
        )));
    }
    Ok(None)
}

/// `POST /api/v1/auth/login`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse, description = "Signed in; sent with Cache-Control: no-store"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody, description = "Wrong email or password"),
        (status = 403, body = ErrorBody, description = "Account or tenant deactivated"), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many sign-in attempts from this address or for this account; see Retry-After")))]
pub async fn login(
    State(state): State<SharedState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    // Before any password work: a refused attempt costs no argon2 time.
    state.signin.login(addr, &req.email)?;
    let email = req.email.trim().to_owned();
    let lookup = email.clone();
    let user = state
        .db
        .read(move |c| store::user_by_email(c, &lookup))
        .await?;
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let ok = password_matches(req.password, hash).await?;
    let st = state.clone();
    let resp = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let out = match user {
                Some(u) if ok => match refusal(&tx, &u)? {
                    Some(e) => Err(e),
                    None => {
                        let resp = issue(&st, &tx, &u, None)?;
                        NewEntry::new(
                            &u.tenant_id,
                            AuditAction::SignIn,
                            Some(&u.id),
                            Some(&u.email),
                        )
                        .append(&tx)?;
                        Ok(resp)
                    }
                },
                Some(u) => {
                    NewEntry::new(&u.tenant_id, AuditAction::SignInFailed, None, Some(&email))
                        .target(&u.id)
                        .details(serde_json::json!({ "reason": "wrong password" }))
                        .append(&tx)?;
                    Err(AppError::unauthenticated("wrong email or password"))
                }
                None => Err(AppError::unauthenticated("wrong email or password")),
            };
            tx.commit()?;
            out
        })
        .await?;
    Ok(no_store(resp))
}

/// `POST /api/v1/auth/refresh`: rotates the refresh token. Presenting an already used token
/// ends its whole session (someone else holds a copy).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse, description = "New tokens; sent with Cache-Control: no-store"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many sign-in attempts from this address; see Retry-After")))]
pub async fn refresh(
    State(state): State<SharedState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<Response> {
    state.signin.address(addr)?;
    enum Outcome {
        Issued(Box<TokenResponse>),
        Reused(String),
        Invalid,
    }
    let st = state.clone();
    let hash = token_hash(&req.refresh_token);
    let outcome = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let out = match sessions::rotate(&tx, &hash, now_secs(), now_ms())? {
                Rotation::Rotated {
                    user_id,
                    session_id,
                } => {
                    let user = store::user_by_id(&tx, &user_id)?
                        .ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
                    if let Some(e) = refusal(&tx, &user)? {
                        return Err(e);
                    }
                    Outcome::Issued(Box::new(issue(&st, &tx, &user, Some(session_id))?))
                }
                Rotation::Reused { session_id } => Outcome::Reused(session_id),
                Rotation::Invalid => Outcome::Invalid,
            };
            tx.commit()?;
            Ok(out)
        })
        .await?;
    match outcome {
        Outcome::Issued(r) => Ok(no_store(*r)),
        Outcome::Reused(sid) => {
            state.revoke(Revoked::Session(sid));
            Err(AppError::unauthenticated(
                "refresh token was already used; this session has been signed out",
            ))
        }
        Outcome::Invalid => Err(AppError::unauthenticated(
            "refresh token invalid, expired or already used",
        )),
    }
}

/// `POST /api/v1/auth/logout`: ends the caller's session (its refresh tokens and every access
/// token issued in it; open live connections of the session close).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(state): State<SharedState>, p: Principal) -> AppResult<StatusCode> {
    p.require_user()?;
    let Some(sid) = p.session_id.clone() else {
        return Ok(StatusCode::NO_CONTENT);
    };
    let s2 = sid.clone();
    state
        .db
        .write(move |c| {
            sessions::end(c, &s2, now_ms())?;
            NewEntry::new(
                &p.tenant_id,
                AuditAction::SignOut,
                Some(&p.user_id),
                p.email.as_deref(),
            )
            .append(c)
        })
        .await?;
    state.revoke(Revoked::Session(sid));
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/auth/me`.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn me(State(state): State<SharedState>, p: Principal) -> AppResult<Json<User>> {
    p.require_user()?;
    let user = state
        .db
        .read(move |c| {
            let u = store::user_by_id(c, &p.user_id)?
                .ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
            let mut dto = user_dto(c, &u)?;
            dto.role = p.role;
            dto.permissions = p.role.permissions().to_vec();
            if dto.tenant_id != p.tenant_id {
                dto.tenant_id = p.tenant_id.clone();
                dto.tenant_name = store::tenant(c, &p.tenant_id)?
                    .map(|t| t.name)
                    .unwrap_or_default();
            }
            Ok(dto)
        })
        .await?;
    Ok(Json(user))
}

/// `POST /api/v1/auth/password`: changes the caller's own password (the current one is
/// required) and signs out every other session of theirs.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; other sessions signed out"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Wrong current password (field currentPassword) or weak new password (field newPassword)")))]
pub async fn change_password(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> AppResult<StatusCode> {
    p.require_user()?;
    let uid = p.user_id.clone();
    let user = state
        .db
        .read(move |c| store::user_by_id(c, &uid))
        .await?
        .ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
    if !password_matches(req.current_password, user.password_hash.clone()).await? {
        return Err(AppError::field(
            "currentPassword",
            "is not your current password",
        ));
    }
    check_password(&req.new_password, "newPassword", Some(&user.email))?;
    let hash = hash_off_thread(req.new_password).await?;
    let keep = p.session_id.clone();
    let ended = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            store::accounts::set_password_hash(&tx, &user.id, &hash)?;
            let ended = sessions::end_all_of_user(&tx, &user.id, keep.as_deref(), now_ms())?;
            NewEntry::new(
                &p.tenant_id,
                AuditAction::PasswordChanged,
                Some(&user.id),
                Some(&user.email),
            )
            .target(&user.id)
            .details(serde_json::json!({ "sessionsEnded": ended.len() }))
            .append(&tx)?;
            tx.commit()?;
            Ok(ended)
        })
        .await?;
    for sid in ended {
        state.revoke(Revoked::Session(sid));
    }
    Ok(StatusCode::NO_CONTENT)
}
