//! `/auth/login`, `/auth/refresh`, `/auth/me`.

use super::json::ApiJson;
use crate::auth::{
    hash_password, now_secs, random_token, token_hash, verify_password, Claims, Principal,
};
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use crate::store::{self, UserRow};
use axum::extract::State;
use axum::Json;
use rusqlite::params;
use std::sync::OnceLock;
use vantage_contract::{LoginRequest, RefreshRequest, TokenResponse, User, UserList};

/// A hash to verify against when the email is unknown, so timing does not reveal accounts.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("dummy-password").unwrap_or_default())
}

fn user_dto(c: &rusqlite::Connection, u: &UserRow) -> AppResult<User> {
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
    })
}

/// Issues an access token and a new refresh token for `user`.
fn issue(state: &SharedState, c: &rusqlite::Connection, u: &UserRow) -> AppResult<TokenResponse> {
    let now = now_secs();
    let ttl = state.args.access_token_ttl;
    let claims = Claims {
        sub: u.id.clone(),
        tid: u.tenant_id.clone(),
        role: u.role,
        typ: "access".into(),
        iat: now,
        exp: now + ttl,
        dash: None,
        perms: None,
        origins: None,
        locked: None,
    };
    let access_token = state.keys.sign(&claims)?;
    let refresh_token = random_token(32);
    c.execute(
        "INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
        params![
            token_hash(&refresh_token),
            u.id,
            now + state.args.refresh_token_ttl
        ],
    )?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        expires_in: ttl,
        user: user_dto(c, u)?,
    })
}

/// `POST /api/v1/auth/login`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = vantage_contract::ErrorBody)))]
pub async fn login(
    State(state): State<SharedState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Json<TokenResponse>> {
    let st = state.clone();
    let resp = state
        .db
        .write(move |c| {
            let user = store::user_by_email(c, req.email.trim())?;
            let hash = user
                .as_ref()
                .map_or(dummy_hash(), |u| u.password_hash.as_str());
            let ok = verify_password(&req.password, hash);
            match user {
                Some(u) if ok => issue(&st, c, &u),
                _ => Err(AppError::unauthenticated("wrong email or password")),
            }
        })
        .await?;
    Ok(Json(resp))
}

/// `POST /api/v1/auth/refresh`: rotates the refresh token.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = vantage_contract::ErrorBody)))]
pub async fn refresh(
    State(state): State<SharedState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<Json<TokenResponse>> {
    let st = state.clone();
    let resp = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let hash = token_hash(&req.refresh_token);
            let n = tx.execute(
                "UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ?1 AND revoked = 0 AND expires_at > ?2",
                params![hash, now_secs()],
            )?;
            if n == 0 {
                return Err(AppError::unauthenticated("refresh token invalid, expired or already used"));
            }
            let user_id: String = tx.query_row("SELECT user_id FROM refresh_tokens WHERE token_hash = ?1", [&hash], |r| r.get(0))?;
            let user = store::user_by_id(&tx, &user_id)?.ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
            let resp = issue(&st, &tx, &user)?;
            tx.commit()?;
            Ok(resp)
        })
        .await?;
    Ok(Json(resp))
}

/// `GET /api/v1/auth/me`.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = vantage_contract::ErrorBody)))]
pub async fn me(State(state): State<SharedState>, p: Principal) -> AppResult<Json<User>> {
    p.require_user()?;
    let user = state
        .db
        .read(move |c| {
            let u = store::user_by_id(c, &p.user_id)?
                .ok_or_else(|| AppError::unauthenticated("user no longer exists"))?;
            let mut dto = user_dto(c, &u)?;
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

/// `GET /api/v1/users`: the caller's tenant's users (needs `manage_users`).
#[utoipa::path(get, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = vantage_contract::ErrorBody), (status = 403, body = vantage_contract::ErrorBody)))]
pub async fn users(State(state): State<SharedState>, p: Principal) -> AppResult<Json<UserList>> {
    p.require_user()?;
    p.require(vantage_contract::Permission::ManageUsers)?;
    let tenant = p.tenant_id.clone();
    let include_system = p.role == vantage_contract::Role::SystemAdmin;
    let items = state
        .db
        .read(move |c| {
            store::users_of_tenant(c, &tenant, include_system)?
                .iter()
                .map(|u| user_dto(c, u))
                .collect::<AppResult<Vec<_>>>()
        })
        .await?;
    Ok(Json(UserList { items }))
}
