//! Synthetic domain events shared by the demo seed and the live generator: validations of
//! conversational-AI answers, AI-agent activity and sales orders, plus batched inserts that
//! keep the per-minute validation rollup up to date.

use crate::datasets::{
    AGENTS, AGENT_EVENTS, ERROR_TYPES, INTENTS, MODELS, PRODUCTS, REGIONS, REPOS, SALES_CHANNELS,
};
use crate::error::AppResult;
use rand::Rng;
use rusqlite::{params, Transaction};

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

/// Inserts validations and folds them into `validations_1m`.
pub fn insert_validations(
    tx: &Transaction<'_>,
    tenant: &str,
    rows: &[Validation],
) -> AppResult<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO validations (tenant_id, ts, intent, status, error_type, model, latency_ms, confidence, session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut roll = tx.prepare_cached(
        "INSERT INTO validations_1m (tenant_id, minute, intent, status, error_type, model, n, latency_sum, latency_min, latency_max)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?7)
         ON CONFLICT (tenant_id, minute, intent, status, error_type, model) DO UPDATE SET
           n = n + 1, latency_sum = latency_sum + excluded.latency_sum,
           latency_min = min(latency_min, excluded.latency_min), latency_max = max(latency_max, excluded.latency_max)",
    )?;
    for v in rows {
        ins.execute(params![
            tenant,
            v.ts,
            v.intent,
            v.status,
            v.error_type,
            v.model,
            v.latency_ms,
            v.confidence,
            v.session_id
        ])?;
        roll.execute(params![
            tenant,
            v.ts / 60_000 * 60_000,
            v.intent,
            v.status,
            v.error_type.unwrap_or(""),
            v.model,
            v.latency_ms
        ])?;
    }
    Ok(())
}

/// Inserts validations without touching the rollup (bulk seed; rebuild the rollup afterwards).
pub fn insert_validations_raw(
    tx: &Transaction<'_>,
    tenant: &str,
    rows: &[Validation],
) -> AppResult<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO validations (tenant_id, ts, intent, status, error_type, model, latency_ms, confidence, session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for v in rows {
        ins.execute(params![
            tenant,
            v.ts,
            v.intent,
            v.status,
            v.error_type,
            v.model,
            v.latency_ms,
            v.confidence,
            v.session_id
        ])?;
    }
    Ok(())
}

pub fn insert_agent_events(
    tx: &Transaction<'_>,
    tenant: &str,
    rows: &[AgentEvent],
) -> AppResult<()> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO agent_events (tenant_id, ts, event_type, agent, repo, cost_usd, duration_ms, tokens) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in rows {
        ins.execute(params![
            tenant,
            e.ts,
            e.event_type,
            e.agent,
            e.repo,
            e.cost_usd,
            e.duration_ms,
            e.tokens
        ])?;
    }
    Ok(())
}

/// Inserts one sales order at `ts`.
pub fn insert_sale<R: Rng>(
    tx: &Transaction<'_>,
    rng: &mut R,
    tenant: &str,
    ts: i64,
) -> AppResult<()> {
    let product = pick(rng, &PRODUCTS, &[30, 25, 20, 15, 10]);
    let price = match product {
        "basic" => 40.0,
        "plus" => 75.0,
        "premium" => 140.0,
        "family" => 210.0,
        _ => 900.0,
    };
    let units: i64 = rng.random_range(1..6);
    let mut ins = tx.prepare_cached(
        "INSERT INTO sales (tenant_id, ts, region, product, channel, revenue, units) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let revenue = (price * units as f64 * rng.random_range(0.85..1.1) * 100.0).round() / 100.0;
    ins.execute(params![
        tenant,
        ts,
        pick(rng, &REGIONS, &[30, 25, 25, 20]),
        product,
        pick(rng, &SALES_CHANNELS, &[50, 30, 20]),
        revenue,
        units
    ])?;
    Ok(())
}

/// Rebuilds the per-minute rollup from raw validations.
pub fn rebuild_rollup(tx: &Transaction<'_>) -> AppResult<()> {
    tx.execute_batch(
        "DELETE FROM validations_1m;
         INSERT INTO validations_1m (tenant_id, minute, intent, status, error_type, model, n, latency_sum, latency_min, latency_max)
         SELECT tenant_id, ts / 60000 * 60000, intent, status, COALESCE(error_type, ''), model, COUNT(*), SUM(latency_ms), MIN(latency_ms), MAX(latency_ms)
         FROM validations GROUP BY 1, 2, 3, 4, 5, 6;",
    )?;
    Ok(())
}
