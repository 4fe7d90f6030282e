//! User administration inside a tenant (tenant admins): invitations, role and status changes,
//! password resets, and a user's own password change. Links carry single-use tokens that are
//! shown once and stored hashed; the app turns `path` into a full URL with its own origin.

use crate::setup::{validate_email, validate_name, PERSON_NAME_MAX};
use crate::validation::{FieldError, Validated};
use crate::Role;
use serde::{Deserialize, Serialize};

/// How long an invitation link works, in seconds (7 days).
pub const INVITATION_TTL_SECS: u64 = 7 * 24 * 3600;
/// How long a password-reset link works, in seconds (24 hours).
pub const PASSWORD_RESET_TTL_SECS: u64 = 24 * 3600;

/// Whether a tenant admin may give `role` to someone through the API (system admins are made
/// only at setup or with the CLI).
pub fn assignable_role(role: Role) -> bool {
    role != Role::SystemAdmin
}

/// `POST /api/v1/users/invitations` (`manage_users`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvitationRequest {
    pub email: String,
    /// Any role but `system_admin`.
    pub role: Role,
}

impl InvitationRequest {
    /// # Errors
    /// A bad email or a role that cannot be assigned.
    pub fn validate(&self) -> Validated {
        validate_email(&self.email, "email")?;
        validate_role(self.role, "role")
    }
}

/// Answer of `POST /api/v1/users/invitations` (201). The token is shown only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub tenant_id: String,
    /// Single-use secret; send it (inside `path`) to the invitee.
    pub token: String,
    /// App path with the token, e.g. `/accept-invitation?token=…`.
    pub path: String,
    /// Epoch ms after which the link no longer works.
    pub expires_at: i64,
}

/// `POST /api/v1/invitations/accept` (no sign-in): creates the account and signs it in
/// (answers a `TokenResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub token: String,
    /// The new user's display name, 1..=80 characters.
    pub name: String,
    /// Checked by [`crate::password::check_password`].
    pub password: String,
}

impl AcceptInvitationRequest {
    /// # Errors
    /// A bad name or weak password (the email is checked by the server, which knows it).
    pub fn validate(&self, email: Option<&str>) -> Validated {
        validate_name(&self.name, "name", PERSON_NAME_MAX)?;
        crate::password::check_password(&self.password, "password", email)
    }
}

/// `PATCH /api/v1/users/{id}` (`manage_users`). 409 when it would leave the tenant without an
/// active tenant admin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Any role but `system_admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// `false` deactivates: no sign-in, no refresh, access tokens refused on the next request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl UpdateUserRequest {
    /// # Errors
    /// A role that cannot be assigned.
    pub fn validate(&self) -> Validated {
        match self.role {
            Some(r) => validate_role(r, "role"),
            None => Ok(()),
        }
    }
}

/// Answer of `POST /api/v1/users/{id}/password-reset` (201). The token is shown only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasswordResetLink {
    pub user_id: String,
    pub email: String,
    /// Single-use secret.
    pub token: String,
    /// App path with the token, e.g. `/reset-password?token=…`.
    pub path: String,
    /// Epoch ms.
    pub expires_at: i64,
}

/// `POST /api/v1/password-reset/complete` (no sign-in). Answers 204; every session of the
/// user is signed out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompletePasswordResetRequest {
    pub token: String,
    /// Checked by [`crate::password::check_password`] (field `password`).
    pub password: String,
}

/// `POST /api/v1/auth/password` (signed-in user). Answers 204; the user's other sessions are
/// signed out, the current one keeps working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Checked by [`crate::password::check_password`] (field `newPassword`).
    pub new_password: String,
}

fn validate_role(role: Role, field: &str) -> Validated {
    if assignable_role(role) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "system_admin cannot be given here; use `vantage-server admin create-system-admin`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitations_refuse_system_admin_and_bad_emails() {
        let ok = InvitationRequest {
            email: "m@acme.example".into(),
            role: Role::Manager,
        };
        assert!(ok.validate().is_ok());
        let sys = InvitationRequest {
            role: Role::SystemAdmin,
            ..ok.clone()
        };
        assert_eq!(sys.validate().unwrap_err().field, "role");
        let bad = InvitationRequest {
            email: "nope".into(),
            ..ok
        };
        assert_eq!(bad.validate().unwrap_err().field, "email");
    }

    #[test]
    fn updates_refuse_system_admin() {
        let u = UpdateUserRequest {
            role: Some(Role::SystemAdmin),
            active: None,
        };
        assert_eq!(u.validate().unwrap_err().field, "role");
        assert!(UpdateUserRequest::default().validate().is_ok());
    }
}
