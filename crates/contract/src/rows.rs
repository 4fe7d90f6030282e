//! Drill-down: paginated raw rows of a dataset (`GET /api/v1/datasets/{id}/rows`).
//!
//! Query parameters: `limit` (1..=1000, default 100), `cursor` (opaque, from `nextCursor`),
//! `filters` (a JSON array of [`crate::Filter`]), and `preset` or `from`/`to` (epoch ms).
//! Rows come newest first.

use crate::QueryResult;
use serde::{Deserialize, Serialize};

/// Most rows per page.
pub const MAX_PAGE: u32 = 1000;

/// One page of raw rows, columnar like every result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RowsPage {
    pub result: QueryResult,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok`.
    pub status: String,
    pub version: String,
    /// The contract versions this backend serves (see `x-vantage-contract`).
    #[serde(default)]
    pub contract_versions: Vec<String>,
    /// Current live cursor (`epoch:seq`) of the server.
    pub epoch: u64,
    pub server_time: i64,
}
