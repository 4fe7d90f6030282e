//! The demo live generator: every second it inserts that second's synthetic events for every
//! tenant into the demo datasets in one transaction (the same row writer ingest uses), publishes one per-second
//! `MetricRollup` per tenant on the `metrics` channel, and evaluates the alert rules
//! (error rate > 10% and p95 latency > 800 ms over the last 60 s), publishing new alerts.
//! On shutdown it finishes the second it is writing, so nothing acknowledged is lost.
//! In a cluster it runs only on the replica holding the work lease (`cluster::lease`): the others
//! skip their ticks, and the one that takes the lease over starts its alert windows afresh.

use crate::auth::random_token;
use crate::db::now_ms;
use crate::error::AppResult;
use crate::events::{self, AgentEvent, Validation};
use crate::query::percentile;
use crate::seed::TENANTS;
use crate::state::SharedState;
use crate::store;
use crate::ticks::Ticks;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::MissedTickBehavior;
use vantage_contract::live::CHANNEL_METRICS;
use vantage_contract::{Alert, AlertStatus, LiveKind, MetricRollup, Severity};

const WINDOW_SECS: usize = 60;
const ERROR_RATE_THRESHOLD: f64 = 0.10;
const P95_THRESHOLD_MS: f64 = 800.0;
const MIN_EVENTS: u64 = 50;

/// Sliding window of recent seconds for one tenant's alert rules.
#[derive(Default)]
struct Window {
    seconds: VecDeque<(u64, u64, Vec<f64>)>,
}

impl Window {
    fn push(&mut self, total: u64, invalid: u64, latencies: Vec<f64>) {
        self.seconds.push_back((total, invalid, latencies));
        while self.seconds.len() > WINDOW_SECS {
            self.seconds.pop_front();
        }
    }

    fn error_rate(&self) -> Option<f64> {
        let (t, i) = self
            .seconds
            .iter()
            .fold((0, 0), |(t, i), s| (t + s.0, i + s.1));
        (t >= MIN_EVENTS).then(|| i as f64 / t as f64)
    }

    fn p95(&self) -> Option<f64> {
        let mut all: Vec<f64> = self
            .seconds
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .collect();
        if (all.len() as u64) < MIN_EVENTS {
            return None;
        }
        all.sort_by(f64::total_cmp);
        percentile(&all, 0.95)
    }
}

/// Live incidents: each tenant gets one stressed minute every ten.
fn live_stress(now: i64, tenant_idx: usize) -> f64 {
    let minute = now / 60_000;
    if minute % 10 == (tenant_idx as i64 * 3) % 10 {
        0.8
    } else {
        0.0
    }
}

fn rollup(ts: i64, vals: &[Validation], agents: &[AgentEvent]) -> MetricRollup {
    let mut m = MetricRollup {
        ts,
        dataset: "validations".into(),
        total: vals.len() as u64,
        ..MetricRollup::default()
    };
    let mut lat: Vec<f64> = vals.iter().map(|v| v.latency_ms).collect();
    lat.sort_by(f64::total_cmp);
    for v in vals {
        match v.status {
            "VALID" => m.valid += 1,
            "INVALID" => m.invalid += 1,
            _ => m.unknown += 1,
        }
        if let Some(e) = v.error_type {
            *m.by_error_type.entry(e.to_owned()).or_default() += 1;
        }
        *m.by_intent.entry(v.intent.to_owned()).or_default() += 1;
    }
    for a in agents {
        *m.agent_events.entry(a.event_type.to_owned()).or_default() += 1;
        m.agent_cost_usd += a.cost_usd;
    }
    m.agent_cost_usd = (m.agent_cost_usd * 10_000.0).round() / 10_000.0;
    if !lat.is_empty() {
        m.avg_latency_ms = (lat.iter().sum::<f64>() / lat.len() as f64 * 10.0).round() / 10.0;
        m.p95_latency_ms = percentile(&lat, 0.95).map_or(0.0, |p| (p * 10.0).round() / 10.0);
        m.error_rate = m.invalid as f64 / m.total as f64;
    }
    m
}

/// `x` rounded up or down at random so that the mean is exactly `x` (fractional rates).
fn whole<R: Rng>(rng: &mut R, x: f64) -> usize {
    let floor = x.floor();
    floor as usize + usize::from(rng.random::<f64>() < x - floor)
}

/// Runs until shutdown.
pub async fn run(state: SharedState) {
    let per_sec = state.config.events_per_sec;
    if !(per_sec > 0.0 && per_sec.is_finite()) {
        return;
    }
    let mut rng = StdRng::from_os_rng();
    let mut windows: Vec<Window> = TENANTS.iter().map(|_| Window::default()).collect();
    let mut ticks = Ticks::new(
        Duration::from_secs(1),
        MissedTickBehavior::Skip,
        state.shutdown.clone(),
    );
    while ticks.next().await {
        if !state.lease.held() {
            continue;
        }
        let now = now_ms();
        let second = now / 1000 * 1000;
        // The same rate and daily pattern as the seeded history (see `live_rate`), so charts
        // show no cliff where the past meets the present.
        let factor = events::daily_factor(now);
        let mut batches = Vec::new();
        for (ti, _) in TENANTS.iter().enumerate() {
            let rate = per_sec / TENANTS.len() as f64 * factor;
            let n = whole(&mut rng, rate);
            let stress = live_stress(now, ti);
            let vals: Vec<Validation> = (0..n)
                .map(|_| {
                    let ts = second + rng.random_range(0..1000);
                    events::validation(&mut rng, ti, ts, stress)
                })
                .collect();
            let agents: Vec<AgentEvent> = (0..whole(&mut rng, rate / 20.0))
                .map(|_| {
                    let ts = second + rng.random_range(0..1000);
                    events::agent_event(&mut rng, ts, stress)
                })
                .collect();
            let sales: Vec<_> = (0..whole(&mut rng, rate / 20.0))
                .map(|_| {
                    let ts = second + rng.random_range(0..1000);
                    events::sale(&mut rng, ts)
                })
                .collect();
            batches.push((vals, agents, sales));
        }
        let db = state.db.clone();
        let to_write: Vec<_> = batches
            .iter()
            .map(|(v, a, s)| {
                (
                    v.iter().map(Validation::row).collect::<Vec<_>>(),
                    a.iter().map(AgentEvent::row).collect::<Vec<_>>(),
                    s.clone(),
                )
            })
            .collect();
        let written = db
            .write(move |c| {
                let tx = c.transaction()?;
                for ((tenant, ..), (vals, agents, sales)) in TENANTS.iter().zip(&to_write) {
                    events::insert(
                        &tx,
                        tenant,
                        "validations",
                        &events::VALIDATION_COLUMNS,
                        vals,
                    )?;
                    events::insert(&tx, tenant, "agent_events", &events::AGENT_COLUMNS, agents)?;
                    events::insert(&tx, tenant, "sales", &events::SALE_COLUMNS, sales)?;
                }
                tx.commit()?;
                Ok(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!("generator write failed: {e}");
            continue;
        }
        for (ti, ((tenant, ..), (vals, agents, _))) in TENANTS.iter().zip(&batches).enumerate() {
            let m = rollup(second, vals, agents);
            windows[ti].push(
                m.total,
                m.invalid,
                vals.iter().map(|v| v.latency_ms).collect(),
            );
            if let Ok(data) = serde_json::to_value(&m) {
                state
                    .bus
                    .publish(tenant, CHANNEL_METRICS, LiveKind::Metric, data)
                    .await;
            }
            if let Err(e) = evaluate_rules(&state, tenant, &windows[ti], now).await {
                tracing::warn!("alert rules failed: {e}");
            }
        }
    }
    tracing::info!("generator stopped");
}

/// Raises an alert per rule whose condition holds, unless one is already open/acknowledged.
async fn evaluate_rules(state: &SharedState, tenant: &str, w: &Window, now: i64) -> AppResult<()> {
    let mut fired = Vec::new();
    if let Some(rate) = w.error_rate().filter(|r| *r > ERROR_RATE_THRESHOLD) {
        fired.push((
            "error_rate",
            Severity::Critical,
            "Error rate above 10%",
            (rate * 1000.0).round() / 1000.0,
            ERROR_RATE_THRESHOLD,
        ));
    }
    if let Some(p95) = w.p95().filter(|p| *p > P95_THRESHOLD_MS) {
        fired.push((
            "latency_p95",
            Severity::Warning,
            "p95 latency above 800 ms",
            p95.round(),
            P95_THRESHOLD_MS,
        ));
    }
    for (rule, severity, title, value, threshold) in fired {
        let tenant_id = tenant.to_owned();
        let alert = Alert {
            id: format!("a_{}", random_token(9)),
            rule: rule.into(),
            severity,
            status: AlertStatus::Open,
            title: title.into(),
            message: format!(
                "{title}: {value} over the last {WINDOW_SECS} s (threshold {threshold})"
            ),
            dataset: "validations".into(),
            value,
            threshold,
            created_at: now,
            acknowledged_at: None,
            acknowledged_by: None,
            acknowledged_by_name: None,
            resolved_at: None,
        };
        let created = state
            .db
            .write(move |c| {
                // The alert and its webhook events are one change.
                let tx = c.transaction()?;
                let c: &crate::sql::Conn = &tx;
                let active: i64 = c.query_row(
                    "SELECT COUNT(*) FROM alerts WHERE tenant_id = ?1 AND rule = ?2 AND status != 'resolved' AND created_at > ?3",
                    crate::sql::params![tenant_id, rule, now - 15 * 60_000],
                    |r| r.get(0),
                )?;
                if active > 0 {
                    return Ok(None);
                }
                store::insert_alert(c, &tenant_id, &alert)?;
                tx.commit()?;
                Ok(Some(alert))
            })
            .await?;
        if let Some(alert) = created {
            super::rules::publish(state, tenant, &alert).await?;
        }
    }
    Ok(())
}
