//! The live stream: one envelope for WebSocket and SSE, resume cursors and metric payloads.
//!
//! Every message on a tenant's stream has a strictly increasing `seq` within a server `epoch`.
//! `heartbeat` and `reset` messages carry the stream's current `seq` without advancing it.
//!
//! A subscriber may see only part of the stream: the channels it asked for and, for an embed
//! token, only what its dashboard shows ([`MetricRollup::withheld`]). Its `seq`s then skip the
//! messages held back. A `heartbeat` at `seq` N means "every message up to N meant for you has
//! been sent": the server sends one before a message that follows held-back ones, so a client
//! that moves its cursor to a heartbeat's `seq` sees no gap where nothing was lost.
//!
//! ```
//! use vantage_contract::LiveCursor;
//! let c: LiveCursor = "1700000000000:42".parse().unwrap();
//! assert_eq!((c.epoch, c.seq), (1_700_000_000_000, 42));
//! assert_eq!(c.to_string(), "1700000000000:42");
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::wire::unit_enum;

/// Channel of per-second metric rollups.
pub const CHANNEL_METRICS: &str = "metrics";
/// Channel of alert creations and status changes.
pub const CHANNEL_ALERTS: &str = "alerts";
/// Channel of dashboard changes (`dashboardChanged`).
pub const CHANNEL_DASHBOARDS: &str = "dashboards";
/// Channel of `heartbeat` and `reset`; always delivered.
pub const CHANNEL_SYSTEM: &str = "system";
/// Channels a client may subscribe to.
pub const CHANNELS: [&str; 3] = [CHANNEL_METRICS, CHANNEL_ALERTS, CHANNEL_DASHBOARDS];

unit_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "camelCase")]
    pub enum LiveKind {
        Metric,
        Alert,
        DashboardChanged,
        Heartbeat,
        Reset,
    }
}

/// Every live message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LiveEnvelope {
    /// Server stream epoch (changes on restart).
    pub epoch: u64,
    pub seq: u64,
    pub channel: String,
    pub kind: LiveKind,
    /// `MetricRollup` for metric, `Alert` for alert, `{dashboardId, version}` for
    /// dashboardChanged, `{serverTime}` for heartbeat, `{reason}` for reset.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

impl LiveEnvelope {
    /// The resume cursor of this message.
    pub fn cursor(&self) -> LiveCursor {
        LiveCursor {
            epoch: self.epoch,
            seq: self.seq,
        }
    }
}

/// `epoch:seq`, used as SSE `id`, `Last-Event-ID`, `?since=` and WS `since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LiveCursor {
    pub epoch: u64,
    pub seq: u64,
}

impl fmt::Display for LiveCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.epoch, self.seq)
    }
}

/// A cursor that is not `<u64>:<u64>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor must be '<epoch>:<seq>'")]
pub struct BadCursor;

impl FromStr for LiveCursor {
    type Err = BadCursor;

    fn from_str(s: &str) -> Result<Self, BadCursor> {
        let (e, q) = s.trim().split_once(':').ok_or(BadCursor)?;
        Ok(LiveCursor {
            epoch: e.parse().map_err(|_| BadCursor)?,
            seq: q.parse().map_err(|_| BadCursor)?,
        })
    }
}

/// The first (and only) message a WebSocket client sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum WsClientMessage {
    /// `{"type":"auth","token":"…","channels":["metrics"],"since":"<epoch>:<seq>"}`
    Auth {
        token: String,
        /// Empty means every channel.
        #[serde(default)]
        channels: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<String>,
    },
}

/// One second of one dataset, as published on the `metrics` channel. Apply it directly:
/// append `(ts, value)` to time series, add `total` to counters. The demo generator publishes
/// one per tenant and second for `validations` (with the validation-specific fields); an
/// ingested batch publishes one for its dataset with `total`, `sums` and `counts` (the
/// validation-specific fields are zero, so check `dataset` before adding them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MetricRollup {
    /// Start of the second, epoch ms.
    pub ts: i64,
    /// The dataset the rows belong to (`validations` for the demo generator's rollup, which
    /// also carries the agent events of that second).
    pub dataset: String,
    /// Rows of `dataset` in this rollup.
    pub total: u64,
    pub valid: u64,
    pub invalid: u64,
    pub unknown: u64,
    pub avg_latency_ms: f64,
    pub p95_latency_ms: f64,
    /// Invalid validations per error type.
    pub by_error_type: BTreeMap<String, u64>,
    /// Validations per intent.
    pub by_intent: BTreeMap<String, u64>,
    /// Agent events in this second, per event type.
    pub agent_events: BTreeMap<String, u64>,
    /// Agent cost incurred in this second (USD).
    pub agent_cost_usd: f64,
    /// `invalid / total` (0 when total is 0).
    pub error_rate: f64,
    /// Any dataset: the sum of each measure over the rows of this rollup (ingested rows).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sums: BTreeMap<String, f64>,
    /// Any dataset: rows per value of each string dimension (at most 100 values per
    /// dimension; the rest are left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, BTreeMap<String, u64>>,
    /// `true` when the numbers were held back from this subscriber: an embed token whose
    /// locked (or dashboard) filters select part of `dataset`, or whose dashboard shows that
    /// dataset only through filtered widgets, gets this change notice (only `ts` and
    /// `dataset` set) instead of numbers computed over every row. Refetch the widgets over
    /// `dataset`; the server applies the filters.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursor_round_trip_and_rejects_garbage() {
        assert_eq!(
            "5:7".parse::<LiveCursor>().unwrap(),
            LiveCursor { epoch: 5, seq: 7 }
        );
        for bad in ["", "5", "a:b", "5:-1", "5:7:9"] {
            assert!(bad.parse::<LiveCursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn envelope_and_ws_auth_shapes() {
        let env = LiveEnvelope {
            epoch: 1,
            seq: 2,
            channel: "metrics".into(),
            kind: LiveKind::DashboardChanged,
            data: json!({}),
        };
        assert_eq!(
            serde_json::to_value(&env).unwrap(),
            json!({"epoch": 1, "seq": 2, "channel": "metrics", "kind": "dashboardChanged", "data": {}})
        );
        let msg: WsClientMessage = serde_json::from_value(
            json!({"type": "auth", "token": "t", "channels": ["metrics"], "since": "1:2"}),
        )
        .unwrap();
        assert_eq!(
            msg,
            WsClientMessage::Auth {
                token: "t".into(),
                channels: vec!["metrics".into()],
                since: Some("1:2".into())
            }
        );
    }
}
