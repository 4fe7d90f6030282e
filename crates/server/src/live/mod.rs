//! Live updates: the bus, the SSE and WebSocket endpoints, and the demo event generator.

pub mod bus;
pub mod generator;
pub mod limits;
pub mod revoke;
pub mod rules;
pub mod scope;
pub mod sse;
pub mod stream;
pub mod ws;

pub use bus::Bus;
pub use limits::LiveSlots;
pub use revoke::{Owner, Revocations, Revoked};
