//! Who may send events: an ingest key (`Authorization: Bearer vk_…`, scoped to some datasets),
//! or a tenant admin's ordinary access token (any dataset of their tenant). An ingest key can
//! do nothing else: the user-token extractor refuses it with 403.

use super::keys;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::SharedState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use vantage_contract::ingest::INGEST_KEY_PREFIX;
use vantage_contract::Role;

/// The caller of an ingest endpoint.
#[derive(Debug, Clone)]
pub struct IngestCaller {
    pub tenant_id: String,
    /// The ingest key used, if any (`None` for a tenant admin's token).
    pub key_id: Option<String>,
    /// The datasets a key may write; `None` means every dataset of the tenant.
    pub datasets: Option<Vec<String>>,
}

impl IngestCaller {
    /// 403 unless the caller may write `dataset`.
    ///
    /// # Errors
    /// 403 naming the dataset.
    pub fn check_dataset(&self, dataset: &str) -> AppResult<()> {
        match &self.datasets {
            Some(list) if !list.iter().any(|d| d == dataset) => Err(AppError::forbidden(format!(
                "this ingest key is not allowed to write dataset '{dataset}'"
            ))),
            _ => Ok(()),
        }
    }
}

/// Whether `token` looks like an ingest key secret.
pub fn is_ingest_key(token: &str) -> bool {
    token.starts_with(INGEST_KEY_PREFIX)
}

impl FromRequestParts<SharedState> for IngestCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> AppResult<Self> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        match token {
            Some(t) if is_ingest_key(&t) => {
                state.limiter.check(&t)?;
                let key = state
                    .db
                    .read(move |c| keys::by_secret(c, &t))
                    .await?
                    .ok_or_else(|| AppError::unauthenticated("unknown or revoked ingest key"))?;
                Ok(Self {
                    tenant_id: key.tenant_id,
                    key_id: Some(key.key.id),
                    datasets: Some(key.key.datasets),
                })
            }
            _ => {
                let p = Principal::from_request_parts(parts, state).await?;
                p.require_role(Role::TenantAdmin).map_err(|_| {
                    AppError::forbidden("sending events needs an ingest key or a tenant admin")
                })?;
                Ok(Self {
                    tenant_id: p.tenant_id,
                    key_id: None,
                    datasets: None,
                })
            }
        }
    }
}
