//! # vantage-contract
//!
//! The Vantage API contract, version 1, as plain serde types plus the pure logic that both
//! sides of the wire must agree on. Nothing here performs IO, so the crate builds for native
//! targets (the reference server, the conformance suite) and for `wasm32` (the SDK, widgets and
//! app).
//!
//! JSON field names are camelCase throughout. Every non-2xx response carries [`ErrorBody`].

pub mod error;
pub mod result;

pub use error::{ApiError, ErrorBody, ErrorCode};
pub use result::{Column, ColumnType, QueryMeta, QueryResult, QueryResultError};
