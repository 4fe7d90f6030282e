//! Users of a tenant (`manage_users`): list, invite, change role or status, issue a password
//! reset; and the two unauthenticated link endpoints (accept an invitation, complete a reset).
//! A tenant always keeps an active tenant admin: the last one cannot be demoted or
//! deactivated (409).

use super::auth::hash_off_thread;
use super::json::ApiJson;
use super::tokens::{issue, no_store, user_dto};
use crate::auth::{random_token, token_hash, Principal};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::live::Revoked;
use crate::state::SharedState;
use crate::store::accounts::{self, NewUser};
use crate::store::audit::NewEntry;
use crate::store::links::{self, Link, LinkKind};
use crate::store::{self, sessions, UserRow};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use vantage_contract::password::check_password;
use vantage_contract::{
    AcceptInvitationRequest, AuditAction, CompletePasswordResetRequest, ErrorBody, Invitation,
    InvitationRequest, PasswordResetLink, Permission, Role, TokenResponse, UpdateUserRequest, User,
    UserList,
};

fn require_manager_of_users(p: &Principal) -> AppResult<()> {
    p.require_user()?;
    p.require(Permission::ManageUsers)
}

fn expiry(now: i64, ttl_secs: u64) -> i64 {
    now.saturating_add(i64::try_from(ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX))
}

fn entry(p: &Principal, action: AuditAction) -> NewEntry {
    NewEntry::new(&p.tenant_id, action, Some(&p.user_id), p.email.as_deref())
}

/// `GET /api/v1/users`: the caller's tenant's users (needs `manage_users`).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(State(state): State<SharedState>, p: Principal) -> AppResult<Json<UserList>> {
    require_manager_of_users(&p)?;
    let tenant = p.tenant_id.clone();
    let include_system = p.role == Role::SystemAdmin;
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

/// `POST /api/v1/users/invitations`: a single-use invitation link for `email` with `role`.
#[utoipa::path(post, path = "/api/v1/users/invitations", tag = "users", security(("bearer" = [])), request_body = InvitationRequest,
    responses((status = 201, body = Invitation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "The email already has an account"), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<SharedState>,
    p: Principal,
    ApiJson(req): ApiJson<InvitationRequest>,
) -> AppResult<(StatusCode, Json<Invitation>)> {
    require_manager_of_users(&p)?;
    req.validate()?;
    let token = random_token(24);
    let now = now_ms();
    let email = req.email.trim().to_owned();
    let link = Link {
        token_hash: token_hash(&token),
        kind: LinkKind::Invitation,
        tenant_id: Some(p.tenant_id.clone()),
        user_id: None,
        email: Some(email.clone()),
        role: Some(req.role),
        created_by: Some(p.user_id.clone()),
        created_at: now,
        expires_at: expiry(now, state.config.invitation_ttl),
    };
    let record = entry(&p, AuditAction::UserInvited)
        .target(&email)
        .details(serde_json::json!({ "role": req.role, "expiresAt": link.expires_at }));
    let expires_at = link.expires_at;
    let e2 = email.clone();
    state
        .db
        .write(move |c| {
            if store::user_by_email(c, &e2)?.is_some() {
                return Err(accounts::email_taken());
            }
            let tx = c.transaction()?;
            links::insert(&tx, &link)?;
            record.append(&tx)?;
            Ok(tx.commit()?)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Invitation {
            email,
            role: req.role,
            tenant_id: p.tenant_id,
            path: format!("/accept-invitation?token={token}"),
            token,
            expires_at,
        }),
    ))
}

fn link_gone(what: &str) -> AppError {
    AppError::not_found(format!(
        "this {what} link is invalid, already used or expired"
    ))
    .with_details(serde_json::json!({ "field": "token" }))
}

/// `POST /api/v1/invitations/accept` (no sign-in): creates the invited account, signs it in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "users", request_body = AcceptInvitationRequest,
    responses((status = 201, body = TokenResponse, description = "Account created and signed in (Cache-Control: no-store)"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "The tenant is deactivated"),
        (status = 404, body = ErrorBody, description = "Invalid, used or expired link"),
        (status = 409, body = ErrorBody, description = "The email already has an account"), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<SharedState>,
    ApiJson(req): ApiJson<AcceptInvitationRequest>,
) -> AppResult<Response> {
    let hash = token_hash(&req.token);
    let h2 = hash.clone();
    let link = state
        .db
        .read(move |c| links::find_usable(c, &h2, LinkKind::Invitation, now_ms()))
        .await?
        .ok_or_else(|| link_gone("invitation"))?;
    req.validate(link.email.as_deref())?;
    let password_hash = hash_off_thread(req.password.clone()).await?;
    let st = state.clone();
    let resp = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !links::use_up(&tx, &hash, LinkKind::Invitation, now_ms())? {
                return Err(link_gone("invitation"));
            }
            let (Some(tenant), Some(email), Some(role)) = (link.tenant_id, link.email, link.role)
            else {
                return Err(AppError::internal("invitation row incomplete"));
            };
            if accounts::tenant_active(&tx, &tenant)? != Some(true) {
                return Err(AppError::forbidden("this tenant is deactivated"));
            }
            let id = format!("u_{}", random_token(9));
            accounts::insert_user(
                &tx,
                &NewUser {
                    id: &id,
                    tenant_id: &tenant,
                    email: &email,
                    name: req.name.trim(),
                    role,
                    password_hash: &password_hash,
                },
            )?;
            NewEntry::new(
                &tenant,
                AuditAction::InvitationAccepted,
                Some(&id),
                Some(&email),
            )
            .target(&id)
            .details(serde_json::json!({ "role": role, "invitedBy": link.created_by }))
            .append(&tx)?;
            let user = store::user_by_id(&tx, &id)?
                .ok_or_else(|| AppError::internal("new user vanished"))?;
            let resp = issue(&st, &tx, &user, None)?;
            tx.commit()?;
            Ok(resp)
        })
        .await?;
    let mut r = no_store(resp);
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

/// The target user of an admin action: in the caller's tenant, and not a system admin (those
/// are managed with the CLI).
fn target_user(c: &crate::sql::Conn, p: &Principal, id: &str) -> AppResult<UserRow> {
    let u = store::user_by_id(c, id)?
        .filter(|u| u.tenant_id == p.tenant_id)
        .ok_or_else(|| AppError::not_found("no such user"))?;
    if u.role == Role::SystemAdmin {
        return Err(AppError::forbidden(
            "system admins are managed with `vantage-server admin`",
        ));
    }
    Ok(u)
}

/// `PATCH /api/v1/users/{id}`: change role and/or (de)activate.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])), request_body = UpdateUserRequest,
    params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Would leave the tenant without an active tenant admin"),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> AppResult<Json<User>> {
    require_manager_of_users(&p)?;
    req.validate()?;
    let (user, deactivated) = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let u = target_user(&tx, &p, &id)?;
            let role = req.role.unwrap_or(u.role);
            let active = req.active.unwrap_or(u.active);
            let was_admin = u.role == Role::TenantAdmin && u.active;
            let stays_admin = role == Role::TenantAdmin && active;
            if was_admin && !stays_admin && accounts::active_admin_count(&tx, &u.tenant_id)? <= 1 {
                return Err(AppError::conflict(
                    "this is the tenant's last active tenant admin: make another user tenant admin first",
                ));
            }
            if role != u.role {
                accounts::set_user_role(&tx, &u.id, role)?;
                entry(&p, AuditAction::UserRoleChanged)
                    .target(&u.id)
                    .details(serde_json::json!({ "email": u.email, "from": u.role, "to": role }))
                    .append(&tx)?;
            }
            let mut deactivated = false;
            if active != u.active {
                accounts::set_user_active(&tx, &u.id, active)?;
                let action = if active {
                    AuditAction::UserReactivated
                } else {
                    deactivated = true;
                    sessions::end_all_of_user(&tx, &u.id, None, now_ms())?;
                    AuditAction::UserDeactivated
                };
                entry(&p, action)
                    .target(&u.id)
                    .details(serde_json::json!({ "email": u.email }))
                    .append(&tx)?;
            }
            let after = store::user_by_id(&tx, &u.id)?
                .ok_or_else(|| AppError::internal("user vanished"))?;
            let dto = user_dto(&tx, &after)?;
            tx.commit()?;
            Ok((dto, deactivated))
        })
        .await?;
    if deactivated {
        state.revoke(Revoked::User(user.id.clone()));
    }
    Ok(Json(user))
}

/// `POST /api/v1/users/{id}/password-reset`: a single-use password-reset link for the user.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = PasswordResetLink), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn issue_reset(
    State(state): State<SharedState>,
    p: Principal,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<PasswordResetLink>)> {
    require_manager_of_users(&p)?;
    let token = random_token(24);
    let hash = token_hash(&token);
    let ttl = state.config.password_reset_ttl;
    let (user_id, email, expires_at) = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            let u = target_user(&tx, &p, &id)?;
            let now = now_ms();
            let link = Link {
                token_hash: hash,
                kind: LinkKind::PasswordReset,
                tenant_id: Some(u.tenant_id.clone()),
                user_id: Some(u.id.clone()),
                email: Some(u.email.clone()),
                role: None,
                created_by: Some(p.user_id.clone()),
                created_at: now,
                expires_at: expiry(now, ttl),
            };
            links::insert(&tx, &link)?;
            entry(&p, AuditAction::PasswordResetIssued)
                .target(&u.id)
                .details(serde_json::json!({ "email": u.email, "expiresAt": link.expires_at }))
                .append(&tx)?;
            tx.commit()?;
            Ok((u.id, u.email, link.expires_at))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PasswordResetLink {
            user_id,
            email,
            path: format!("/reset-password?token={token}"),
            token,
            expires_at,
        }),
    ))
}

/// `POST /api/v1/password-reset/complete` (no sign-in): sets the new password and signs out
/// every session of the user.
#[utoipa::path(post, path = "/api/v1/password-reset/complete", tag = "users", request_body = CompletePasswordResetRequest,
    responses((status = 204, description = "Password set; every session signed out"), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Invalid, used or expired link"), (status = 422, body = ErrorBody)))]
pub async fn complete_reset(
    State(state): State<SharedState>,
    ApiJson(req): ApiJson<CompletePasswordResetRequest>,
) -> AppResult<StatusCode> {
    let hash = token_hash(&req.token);
    let h2 = hash.clone();
    let link = state
        .db
        .read(move |c| links::find_usable(c, &h2, LinkKind::PasswordReset, now_ms()))
        .await?
        .ok_or_else(|| link_gone("password-reset"))?;
    check_password(&req.password, "password", link.email.as_deref())?;
    let password_hash = hash_off_thread(req.password).await?;
    let user_id = link
        .user_id
        .ok_or_else(|| AppError::internal("reset link without user"))?;
    let uid = user_id.clone();
    state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !links::use_up(&tx, &hash, LinkKind::PasswordReset, now_ms())? {
                return Err(link_gone("password-reset"));
            }
            let u = store::user_by_id(&tx, &uid)?.ok_or_else(|| link_gone("password-reset"))?;
            accounts::set_password_hash(&tx, &u.id, &password_hash)?;
            let ended = sessions::end_all_of_user(&tx, &u.id, None, now_ms())?;
            NewEntry::new(
                &u.tenant_id,
                AuditAction::PasswordResetCompleted,
                Some(&u.id),
                Some(&u.email),
            )
            .target(&u.id)
            .details(serde_json::json!({ "sessionsEnded": ended.len() }))
            .append(&tx)?;
            Ok(tx.commit()?)
        })
        .await?;
    state.revoke(Revoked::User(user_id));
    Ok(StatusCode::NO_CONTENT)
}
