//! The typed REST client: one async method per contract endpoint (see [`ApiClient`]).

mod admin;
mod client;
mod columnar;
mod endpoints;

pub use admin::AuditFilter;
pub use client::{ApiClient, ClientConfig};
