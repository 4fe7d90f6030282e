//! Getting a tenant's own events in: ingest keys ([`keys`], checked by the [`auth`]
//! extractor), batch decoding ([`body`]: JSON array or NDJSON, optionally gzip, bounded before
//! and after decompression), row validation against the dataset ([`validate`]), idempotent
//! retries ([`idempotency`]), live rollups of accepted rows ([`rollup`]) and retention
//! ([`retention`]). The HTTP handlers are in `api/ingest.rs`.
//!
//! A batch is all-or-nothing: it is validated completely before anything is written, and then
//! written in one transaction together with its idempotency record.

pub mod auth;
pub mod body;
pub mod idempotency;
pub mod keys;
pub mod retention;
pub mod rollup;
pub mod validate;
