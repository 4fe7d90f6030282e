//! Issuing user tokens (shared by sign-in, refresh, setup and invitation acceptance) and the
//! `User` view of a user row.

use crate::auth::{now_secs, random_token, token_hash, Claims};
use crate::db::now_ms;
use crate::error::AppResult;
use crate::state::SharedState;
use crate::store::{self, sessions, UserRow};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vantage_contract::{TokenResponse, User};

/// The API view of a user.
///
/// # Errors
/// Database failures.
pub fn user_dto(c: &crate::sql::Conn, u: &UserRow) -> AppResult<User> {
    let tenant_name = store::tenant(c, &u.tenant_id)?
        .map(|t| t.name)
        .unwrap_or_default();
    Ok(User {
        id: u.id.clone(),
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role,
        tenant_id: u.tenant_id.clone(),
        tenant_name,
        permissions: u.role.permissions().to_vec(),
        active: u.active,
    })
}

/// Issues an access token and a new refresh token for `u`, in `session` (a new session when
/// `None`).
///
/// # Errors
/// Database or signing failures.
pub fn issue(
    state: &SharedState,
    c: &crate::sql::Conn,
    u: &UserRow,
    session: Option<String>,
) -> AppResult<TokenResponse> {
    let now = now_secs();
    let ttl = state.config.access_token_ttl;
    let session = match session {
        Some(s) => s,
        None => sessions::start(c, &u.id, now_ms())?,
    };
    let claims = Claims::access(&u.id, &u.tenant_id, u.role, &session, now, now + ttl);
    let access_token = state.keys.sign(&claims)?;
    let refresh_token = random_token(32);
    sessions::insert_refresh_token(
        c,
        &token_hash(&refresh_token),
        &u.id,
        &session,
        now + state.config.refresh_token_ttl,
    )?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        expires_in: ttl,
        user: user_dto(c, u)?,
    })
}

/// A token response that no cache may keep.
pub fn no_store(resp: TokenResponse) -> Response {
    let mut r = Json(resp).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
