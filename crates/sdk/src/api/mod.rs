//! The typed REST client: one async method per contract endpoint (see [`ApiClient`]).

mod client;
mod endpoints;

pub use client::{ApiClient, ClientConfig};
