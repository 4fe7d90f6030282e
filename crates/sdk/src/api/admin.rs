//! Running Vantage for real: first-run setup, tenants (system admins), users, invitations and
//! password resets (tenant admins), a user's own password, and the audit log. A system admin
//! calls the tenant-scoped ones for another tenant through [`ApiClient::with_tenant`].

use serde::Serialize;
use vantage_contract::{
    AcceptInvitationRequest, AuditAction, AuditPage, ChangePasswordRequest,
    CompletePasswordResetRequest, CreateTenantRequest, Invitation, InvitationRequest,
    PasswordResetLink, Role, SetupRequest, SetupStatus, TenantList, TenantSummary, TokenResponse,
    UpdateTenantRequest, UpdateUserRequest, User,
};

use super::ApiClient;
use crate::SdkError;

/// Filters and paging for `GET /audit` and `GET /audit.csv`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// The actor's user id or email.
    pub actor: Option<String>,
    /// Epoch ms, inclusive.
    pub from: Option<i64>,
    /// Epoch ms, exclusive.
    pub to: Option<i64>,
    /// Records per page (1..=500; the server's default is 100). Ignored by the CSV export.
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

impl AuditFilter {
    /// The query string (`action=sign_in&limit=50`), values percent-encoded with `encode`.
    pub fn to_query(&self, encode: impl Fn(&str) -> String) -> String {
        let mut params = Vec::new();
        if let Some(a) = self.action {
            params.push(format!("action={}", a.as_str()));
        }
        if let Some(a) = self
            .actor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            params.push(format!("actor={}", encode(a)));
        }
        if let Some(f) = self.from {
            params.push(format!("from={f}"));
        }
        if let Some(t) = self.to {
            params.push(format!("to={t}"));
        }
        if let Some(l) = self.limit {
            params.push(format!("limit={l}"));
        }
        if let Some(c) = self.cursor.as_deref().filter(|c| !c.is_empty()) {
            params.push(format!("cursor={}", encode(c)));
        }
        if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        }
    }
}

fn enc(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// An empty JSON object body.
#[derive(Serialize)]
struct Empty {}

impl ApiClient {
    /// `GET /setup` (no sign-in): whether the server still waits for its first system admin.
    ///
    /// # Errors
    /// Transport errors.
    pub async fn setup_status(&self) -> Result<SetupStatus, SdkError> {
        self.get_anonymous("/setup").await
    }

    /// `POST /setup` (no sign-in): creates the organisation and its system admin with the
    /// printed one-time token; answers signed in. Does not store the token.
    ///
    /// # Errors
    /// 403 for a wrong, used or expired token, 404 once setup is done, 422 naming the field.
    pub async fn complete_setup(&self, request: &SetupRequest) -> Result<TokenResponse, SdkError> {
        self.post_anonymous("/setup", request).await
    }

    /// `GET /tenants` (system admins): every tenant with user and dashboard counts.
    ///
    /// # Errors
    /// 403 without `manage_tenants`.
    pub async fn tenants(&self) -> Result<TenantList, SdkError> {
        self.get("/tenants").await
    }

    /// `POST /tenants` (system admins).
    ///
    /// # Errors
    /// 409 when the id is taken, 422 naming the field.
    pub async fn create_tenant(
        &self,
        request: &CreateTenantRequest,
    ) -> Result<TenantSummary, SdkError> {
        self.post("/tenants", request).await
    }

    /// `PATCH /tenants/{id}` (system admins): rename and/or (de)activate.
    ///
    /// # Errors
    /// 404 for an unknown tenant, 422 naming the field.
    pub async fn update_tenant(
        &self,
        id: &str,
        request: &UpdateTenantRequest,
    ) -> Result<TenantSummary, SdkError> {
        self.patch(&format!("/tenants/{}", enc(id)), request).await
    }

    /// `POST /users/invitations` (`manage_users`): a single-use invitation link (`path`) to
    /// hand to the invitee.
    ///
    /// # Errors
    /// 409 when the email already has an account, 422 naming the field.
    pub async fn invite_user(&self, email: &str, role: Role) -> Result<Invitation, SdkError> {
        let body = InvitationRequest {
            email: email.to_owned(),
            role,
        };
        self.post("/users/invitations", &body).await
    }

    /// `PATCH /users/{id}` (`manage_users`): change role and/or (de)activate.
    ///
    /// # Errors
    /// 409 when it would leave the tenant without an active tenant admin.
    pub async fn update_user(
        &self,
        id: &str,
        request: &UpdateUserRequest,
    ) -> Result<User, SdkError> {
        self.patch(&format!("/users/{}", enc(id)), request).await
    }

    /// `POST /users/{id}/password-reset` (`manage_users`): a single-use reset link.
    ///
    /// # Errors
    /// 404 for a user outside the tenant, 403 for a system admin.
    pub async fn issue_password_reset(&self, id: &str) -> Result<PasswordResetLink, SdkError> {
        self.post(&format!("/users/{}/password-reset", enc(id)), &Empty {})
            .await
    }

    /// `POST /invitations/accept` (no sign-in): creates the invited account and answers signed
    /// in. Does not store the token.
    ///
    /// # Errors
    /// 404 for an invalid, used or expired link, 422 naming the field.
    pub async fn accept_invitation(
        &self,
        request: &AcceptInvitationRequest,
    ) -> Result<TokenResponse, SdkError> {
        self.post_anonymous("/invitations/accept", request).await
    }

    /// `POST /password-reset/complete` (no sign-in): every session of the user is signed out.
    ///
    /// # Errors
    /// 404 for an invalid, used or expired link, 422 for a weak password.
    pub async fn complete_password_reset(
        &self,
        request: &CompletePasswordResetRequest,
    ) -> Result<(), SdkError> {
        self.post_anonymous("/password-reset/complete", request)
            .await
    }

    /// `POST /auth/password`: changes the caller's own password; their other sessions are
    /// signed out, this one keeps working.
    ///
    /// # Errors
    /// 422 on `currentPassword` (wrong) or `newPassword` (weak).
    pub async fn change_password(&self, request: &ChangePasswordRequest) -> Result<(), SdkError> {
        self.post("/auth/password", request).await
    }

    /// `GET /audit`: one page of the tenant's audit log, newest first.
    ///
    /// # Errors
    /// 403 without `access_audit_log`, 422 naming a bad filter.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, SdkError> {
        self.get(&format!("/audit{}", filter.to_query(enc))).await
    }

    /// `GET /audit.csv`: every record matching `filter` (paging ignored) as CSV text.
    ///
    /// # Errors
    /// As [`ApiClient::audit`].
    pub async fn audit_csv(&self, filter: &AuditFilter) -> Result<String, SdkError> {
        let filter = AuditFilter {
            limit: None,
            cursor: None,
            ..filter.clone()
        };
        self.get_text(&format!("/audit.csv{}", filter.to_query(enc)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_has_no_query() {
        assert_eq!(AuditFilter::default().to_query(str::to_owned), "");
    }

    #[test]
    fn filters_become_encoded_query_parameters() {
        let f = AuditFilter {
            action: Some(AuditAction::SignIn),
            actor: Some(" a+b@x.co ".into()),
            from: Some(10),
            to: Some(20),
            limit: Some(50),
            cursor: Some("99".into()),
        };
        let q = f.to_query(|v| v.replace('+', "%2B").replace('@', "%40"));
        assert_eq!(
            q,
            "?action=sign_in&actor=a%2Bb%40x.co&from=10&to=20&limit=50&cursor=99"
        );
    }
}
