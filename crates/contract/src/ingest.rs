//! Getting data in: ingest keys (`/api/v1/ingest-keys`) and the answer of
//! `POST /api/v1/datasets/{id}/events`.
//!
//! A batch is validated row by row and stored all-or-nothing. When any row is bad the server
//! answers `422` with `details.rows` listing up to [`MAX_ROW_ERRORS`] problems
//! ([`RowError`]) and `details.moreErrors` counting the rest; nothing of the batch is stored.

use serde::{Deserialize, Serialize};

/// Most rows in one batch.
pub const MAX_BATCH_ROWS: usize = 10_000;
/// Largest batch body in bytes, after gzip decompression (and before it).
pub const MAX_BATCH_BYTES: usize = 10 * 1024 * 1024;
/// Row problems listed in a 422 answer; the rest are counted in `moreErrors`.
pub const MAX_ROW_ERRORS: usize = 100;
/// How far in the future a row's time may be (clock skew), in ms.
pub const MAX_FUTURE_MS: i64 = 86_400_000;
/// How long an `Idempotency-Key` is remembered, in ms.
pub const IDEMPOTENCY_TTL_MS: i64 = 86_400_000;
/// What every ingest key secret starts with.
pub const INGEST_KEY_PREFIX: &str = "vk_";

/// One bad row of a refused batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// 0-based position of the row in the batch (the line for NDJSON, minus one).
    pub index: usize,
    /// The field at fault (empty when the row itself is not an object).
    pub field: String,
    pub reason: String,
}

/// `details` of a refused batch (422).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BatchErrorDetails {
    pub rows: Vec<RowError>,
    /// Problems not listed in `rows`.
    pub more_errors: usize,
    /// Rows in the batch that had at least one problem.
    pub bad_rows: usize,
}

/// `200` answer of `POST /api/v1/datasets/{id}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IngestResult {
    pub dataset: String,
    /// Rows stored by this batch (all of it).
    pub accepted: usize,
    /// True when this answer is the stored answer of an earlier request with the same
    /// `Idempotency-Key` (nothing was stored again).
    #[serde(default)]
    pub replayed: bool,
}

/// `200` answer of `DELETE /api/v1/datasets/{id}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletedRows {
    pub deleted: u64,
}

/// `POST /api/v1/ingest-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngestKeyInput {
    /// What the key is for ("checkout service").
    pub name: String,
    /// The datasets the key may send events to (at least one).
    pub datasets: Vec<String>,
}

/// An ingest key as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IngestKey {
    pub id: String,
    pub name: String,
    /// The first characters of the secret (`vk_AbCd`), to recognise it.
    pub prefix: String,
    pub datasets: Vec<String>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
}

/// `201` answer of `POST /api/v1/ingest-keys`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedIngestKey {
    pub key: IngestKey,
    /// `vk_…`: send as `Authorization: Bearer <secret>`. Stored hashed; shown only now.
    pub secret: String,
}

/// `GET /api/v1/ingest-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestKeyList {
    pub items: Vec<IngestKey>,
}

impl IngestKeyInput {
    /// Name 1..=120 characters, 1..=100 dataset ids.
    ///
    /// # Errors
    /// The first problem, naming the field.
    pub fn validate(&self) -> crate::Validated {
        let n = self.name.trim().chars().count();
        if n == 0 || self.name.chars().count() > 120 {
            return Err(crate::FieldError::new(
                "name",
                "must be 1 to 120 characters",
            ));
        }
        if self.datasets.is_empty() || self.datasets.len() > 100 {
            return Err(crate::FieldError::new("datasets", "1 to 100 dataset ids"));
        }
        Ok(())
    }
}
