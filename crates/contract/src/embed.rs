//! Embed tokens: short-lived, scoped to one dashboard, origins, permissions and locked filters.

use crate::validation::{FieldError, Validated};
use crate::{Branding, Dashboard, Filter, Permission, Role};
use serde::{Deserialize, Serialize};

/// The least role that may issue, list and revoke its tenant's embed tokens (the server enforces
/// it; the app shows the embed page and the revoke buttons only to these roles).
pub const EMBED_TOKEN_ROLE: Role = Role::Manager;

/// Whether `role` may issue, list and revoke embed tokens ([`EMBED_TOKEN_ROLE`] or above).
pub fn may_manage_embed_tokens(role: Role) -> bool {
    role.at_least(EMBED_TOKEN_ROLE)
}

/// Longest embed token lifetime, in seconds.
pub const EMBED_MAX_TTL_SECS: u64 = 24 * 3600;

/// `POST /api/v1/embed/tokens` (manager or above).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmbedTokenRequest {
    pub dashboard_id: String,
    /// Subset of the issuer's permissions; `view_dashboard` is implied.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Must be a subset of the tenant's embed origins; at least one.
    pub allowed_origins: Vec<String>,
    /// Always applied to the token's data requests; the embedding page cannot remove them.
    #[serde(default)]
    pub locked_filters: Vec<Filter>,
    /// Seconds, 1..=86400 (default 3600).
    #[serde(default = "default_ttl")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 86_400))]
    pub expires_in: u64,
}

fn default_ttl() -> u64 {
    3600
}

impl EmbedTokenRequest {
    /// Checks the parts that need no server state.
    ///
    /// # Errors
    /// Bad lifetime or origins.
    pub fn validate(&self) -> Validated {
        if self.expires_in == 0 || self.expires_in > EMBED_MAX_TTL_SECS {
            return Err(FieldError::new("expiresIn", "must be 1 to 86400 seconds"));
        }
        if self.allowed_origins.is_empty() {
            return Err(FieldError::new(
                "allowedOrigins",
                "needs at least one origin",
            ));
        }
        for (i, o) in self.allowed_origins.iter().enumerate() {
            crate::tenant::validate_origin(o)
                .map_err(|m| FieldError::new(format!("allowedOrigins[{i}]"), m))?;
        }
        Ok(())
    }
}

/// Answer of `POST /api/v1/embed/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmbedTokenResponse {
    /// The token's id (its `jti`): list it with `GET /api/v1/embed/tokens`, revoke it with
    /// `DELETE /api/v1/embed/tokens/{id}`.
    pub id: String,
    pub token: String,
    /// Epoch ms.
    pub expires_at: i64,
}

/// One issued embed token as its tenant sees it (`GET /api/v1/embed/tokens`); the token
/// itself is never shown again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmbedTokenInfo {
    /// The token's `jti`.
    pub id: String,
    pub dashboard_id: String,
    /// The issuing user's id.
    pub issued_by: String,
    /// Epoch ms.
    pub issued_at: i64,
    /// Epoch ms.
    pub expires_at: i64,
    pub allowed_origins: Vec<String>,
    pub permissions: Vec<Permission>,
    pub locked_filters: Vec<Filter>,
    /// Epoch ms when it was revoked; absent while it works (until `expiresAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// `GET /api/v1/embed/tokens`: the tenant's embed tokens that have not expired, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmbedTokenList {
    pub items: Vec<EmbedTokenInfo>,
}

/// `GET /api/v1/embed/dashboard`: everything an embed needs to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EmbedDashboard {
    pub dashboard: Dashboard,
    pub branding: Branding,
    pub tenant_name: String,
    pub permissions: Vec<Permission>,
    pub locked_filters: Vec<Filter>,
    pub expires_at: i64,
}
