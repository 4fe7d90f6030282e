//! Live updates: one connection per dashboard view, WebSocket first with Server-Sent Events as
//! the fallback, gap-free resume across reconnects.
//!
//! Semantics (see [`resume`]): every message carries `(epoch, seq)`; the connection resumes from
//! the last applied position, drops duplicates from replays, and asks its owner to refetch a
//! snapshot ([`LiveEvent::Resync`]) on a gap, an epoch change or a server `reset`. Together with
//! the snapshot's own cursor this yields no gaps and no duplicates across reconnects and server
//! restarts.
//!
//! Lifetime: a [`LiveConnection`] owns its socket or event source, its timers and its
//! `visibilitychange`/`online`/`offline` listeners. `close()` or dropping the last clone releases
//! all of them.

pub mod backoff;
mod connection;
pub mod resume;

pub use backoff::Backoff;
pub use connection::{LiveConnection, LiveEvent, LiveMode, LiveOptions, LiveStatus, Transport};
pub use resume::{Delivery, LiveCursor, ResumeTracker};
