//! Live updates: the bus, the SSE and WebSocket endpoints, and the demo event generator.

pub mod bus;
pub mod generator;
pub mod sse;
pub mod stream;
pub mod ws;

pub use bus::Bus;
