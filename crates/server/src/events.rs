//! Synthetic domain events shared by the demo seed and the live generator: validations of
//! conversational-AI answers, AI-agent activity and sales orders, as rows of the demo's
//! ordinary datasets (written through the same code path as ingested rows), and the one daily
//! pattern both the seeded history and the live generator follow.

use crate::datasets::catalog;
use crate::datasets::demo::{
    AGENTS, AGENT_EVENTS, ERROR_TYPES, INTENTS, MODELS, PRODUCTS, REGIONS, REPOS, SALES_CHANNELS,
};
use crate::datasets::rows;
use crate::error::AppResult;
use crate::sql::Conn;
use crate::sql::Value as SqlValue;
use rand::Rng;

/// Columns of a validation row, in [`Validation::row`] order.
pub const VALIDATION_COLUMNS: [&str; 8] = [
    "ts",
    "intent",
    "status",
    "error_type",
    "model",
    "latency_ms",
    "confidence",
    "session_id",
];
/// Columns of an agent event row, in [`AgentEvent::row`] order.
pub const AGENT_COLUMNS: [&str; 7] = [
    "ts",
    "event_type",
    "agent",
    "repo",
    "cost_usd",
    "duration_ms",
    "tokens",
];
/// Columns of a sale row, in [`sale`] order.
pub const SALE_COLUMNS: [&str; 6] = ["ts", "region", "product", "channel", "revenue", "units"];

/// Relative traffic at `ts` (UTC): a smooth daily curve, lowest around 03:00, highest around
/// 15:00, averaging 1.0 over a day. Seeded history and the live generator both scale their
/// rate by it, so a chart shows the same rhythm in the past and the present.
pub fn daily_factor(ts: i64) -> f64 {
    let hours = (ts.rem_euclid(86_400_000)) as f64 / 3_600_000.0;
    1.0 + 0.6 * ((hours - 9.0) / 24.0 * std::f64::consts::TAU).sin()
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

/// One validation event.
#[derive(Debug, Clone)]
pub struct Validation {
    pub ts: i64,
    pub intent: &'static str,
    pub status: &'static str,
    pub error_type: Option<&'static str>,
    pub model: &'static str,
    pub latency_ms: f64,
    pub confidence: f64,
    pub session_id: String,
}

/// One agent event.
#[derive(Debug, Clone)]
pub struct AgentEvent {
    pub ts: i64,
    pub event_type: &'static str,
    pub agent: &'static str,
    pub repo: &'static str,
    pub cost_usd: f64,
    pub duration_ms: f64,
    pub tokens: i64,
}

fn pick<R: Rng>(rng: &mut R, items: &'static [&'static str], weights: &[u32]) -> &'static str {
    let total: u32 = weights.iter().sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items.iter().zip(weights) {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[0]
}

/// A validation at `ts`; `stress` in `0..=1` raises error rate and latency (incidents).
pub fn validation<R: Rng>(rng: &mut R, tenant_idx: usize, ts: i64, stress: f64) -> Validation {
    let hour = (ts / 3_600_000) % 24;
    let busy = if (8..20).contains(&hour) { 1.0 } else { 0.0 };
    let invalid_p = 0.06 + 0.02 * tenant_idx as f64 + 0.25 * stress;
    let r: f64 = rng.random();
    let status = if r < invalid_p {
        "INVALID"
    } else if r < invalid_p + 0.04 {
        "UNKNOWN"
    } else {
        "VALID"
    };
    let error_type = match status {
        "INVALID" => Some(pick(rng, &ERROR_TYPES, &[35, 20, 15, 20, 10])),
        _ => None,
    };
    let model = pick(rng, &MODELS, &[50, 35, 15]);
    let base = match model {
        "gpt-4o" => 260.0,
        "claude-sonnet" => 230.0,
        _ => 340.0,
    };
    let u: f64 = rng.random::<f64>().max(1e-9);
    let tail = -u.ln() * (90.0 + 60.0 * busy + 700.0 * stress);
    let latency_ms = ((base + tail + rng.random_range(-40.0..40.0)) * 10.0).round() / 10.0;
    let confidence = match status {
        "VALID" => rng.random_range(0.75..0.99),
        "INVALID" => rng.random_range(0.2..0.7),
        _ => rng.random_range(0.4..0.8),
    };
    Validation {
        ts,
        intent: pick(rng, &INTENTS, &[25, 20, 15, 15, 15, 10]),
        status,
        error_type,
        model,
        latency_ms: latency_ms.max(20.0),
        confidence: (confidence * 1000.0_f64).round() / 1000.0,
        session_id: format!("s{:05}", rng.random_range(0..20_000)),
    }
}

/// An agent event at `ts`.
pub fn agent_event<R: Rng>(rng: &mut R, ts: i64, stress: f64) -> AgentEvent {
    let err_w = (4.0 + 30.0 * stress) as u32;
    let event_type = pick(rng, &AGENT_EVENTS, &[15, 15, 25, 8, err_w, 1, 20]);
    let tokens = if event_type == "code_generated" || event_type == "cost_incurred" {
        rng.random_range(200..8000)
    } else {
        0
    };
    AgentEvent {
        ts,
        event_type,
        agent: pick(rng, &AGENTS, &[35, 30, 20, 15]),
        repo: pick(rng, &REPOS, &[35, 30, 15, 20]),
        cost_usd: if tokens > 0 {
            (tokens as f64 * 0.00002 * 10000.0).round() / 10000.0
        } else {
            0.0
        },
        duration_ms: (rng.random_range(50.0..5000.0_f64) * 10.0).round() / 10.0,
        tokens,
    }
}

impl Validation {
    /// The row in [`VALIDATION_COLUMNS`] order.
    pub fn row(&self) -> Vec<SqlValue> {
        vec![
            SqlValue::Integer(self.ts),
            text(self.intent),
            text(self.status),
            self.error_type.map_or(SqlValue::Null, text),
            text(self.model),
            SqlValue::Real(self.latency_ms),
            SqlValue::Real(self.confidence),
            SqlValue::Text(self.session_id.clone()),
        ]
    }
}

impl AgentEvent {
    /// The row in [`AGENT_COLUMNS`] order.
    pub fn row(&self) -> Vec<SqlValue> {
        vec![
            SqlValue::Integer(self.ts),
            text(self.event_type),
            text(self.agent),
            text(self.repo),
            SqlValue::Real(self.cost_usd),
            SqlValue::Real(self.duration_ms),
            SqlValue::Integer(self.tokens),
        ]
    }
}

/// One sales order at `ts`, in [`SALE_COLUMNS`] order.
pub fn sale<R: Rng>(rng: &mut R, ts: i64) -> Vec<SqlValue> {
    let product = pick(rng, &PRODUCTS, &[30, 25, 20, 15, 10]);
    let price = match product {
        "basic" => 40.0,
        "plus" => 75.0,
        "premium" => 140.0,
        "family" => 210.0,
        _ => 900.0,
    };
    let units: i64 = rng.random_range(1..6);
    let revenue = (price * units as f64 * rng.random_range(0.85..1.1) * 100.0).round() / 100.0;
    vec![
        SqlValue::Integer(ts),
        text(pick(rng, &REGIONS, &[30, 25, 25, 20])),
        text(product),
        text(pick(rng, &SALES_CHANNELS, &[50, 30, 20])),
        SqlValue::Real(revenue),
        SqlValue::Integer(units),
    ]
}

/// Writes `rows` into `tenant`'s dataset `dataset` (a demo dataset an admin may have deleted
/// or changed: then nothing is written and `false` returned).
///
/// # Errors
/// Database failures.
pub fn insert(
    c: &Conn,
    tenant: &str,
    dataset: &str,
    columns: &[&str],
    rows: &[Vec<SqlValue>],
) -> AppResult<bool> {
    let Some(source) = catalog::find(c, tenant, dataset)? else {
        return Ok(false);
    };
    if columns.iter().any(|c| source.schema.field(c).is_none()) {
        return Ok(false);
    }
    rows::insert(c, &source, columns, rows)?;
    Ok(true)
}
