//! Alert rules on tenants' own datasets (`/api/v1/alert-rules`): every rule is evaluated when
//! it is saved, and every `--alert-interval-secs` (a minute by default) all enabled rules of
//! active tenants are, on the replica holding the work lease (`cluster::lease`), like the demo
//! generator's built-in rules.
//!
//! One evaluation runs the rule's query (its measure over the last `windowMinutes`, filtered)
//! with the tenant's scope and the data query time limit, records the value (or why it could
//! not be had) on the rule, and, when the condition holds and no alert of the rule is open or
//! acknowledged, stores an alert and publishes it on the live `alerts` channel. When the
//! condition no longer holds (or the window has no rows), the rule's open and acknowledged
//! alerts are resolved and published so: the next incident raises a new alert even if nobody
//! resolved the last one. An evaluation that failed changes no alert. Recording and
//! raising happen in one transaction that first updates the rule's row, so evaluations of the
//! same rule on two replicas (a save on one, the minute's tick on the other) take turns and
//! raise one alert; an evaluation of a definition changed meanwhile records nothing.

use crate::auth::random_token;
use crate::db::now_ms;
use crate::error::AppResult;
use crate::query;
use crate::state::SharedState;
use crate::store::{self, alert_rules};
use crate::ticks::Ticks;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::MissedTickBehavior;
use vantage_contract::live::CHANNEL_ALERTS;
use vantage_contract::{Alert, AlertRule, AlertStatus, ErrorCode, LiveKind};

/// Runs until shutdown.
pub async fn run(state: SharedState) {
    let mut ticks = Ticks::new(
        state.config.alert_interval,
        MissedTickBehavior::Delay,
        state.shutdown.clone(),
    );
    while ticks.next().await {
        if !state.lease.held() {
            continue;
        }
        let rules = match state.db.read(alert_rules::enabled).await {
            Ok(rules) => rules,
            Err(e) => {
                tracing::warn!("alert rules not read: {e}");
                continue;
            }
        };
        let ticks = &ticks;
        let state = &state;
        futures_util::stream::iter(rules)
            .for_each_concurrent(AT_ONCE, |(tenant, rule)| async move {
                if ticks.shutting_down() {
                    return;
                }
                if let Err(e) = evaluate(state, &tenant, &rule).await {
                    tracing::warn!(tenant, rule = rule.id, "alert rule not evaluated: {e}");
                }
            })
            .await;
    }
}

/// Rules evaluated at the same time in one round: a round of many rules with slow queries (each
/// bounded by the query time limit) would otherwise outlast the interval, while the readers the
/// dashboards use stay mostly free. Different rules only: one round evaluates each rule once.
const AT_ONCE: usize = 4;

/// What one evaluation found: the value, or why there is none that the rule's owner can fix
/// (the dataset is gone, the query ran past the time limit); other failures are the caller's.
fn finding(
    result: AppResult<vantage_contract::QueryResult>,
) -> AppResult<(Option<f64>, Option<String>)> {
    match result {
        Ok(r) => Ok((
            r.data
                .first()
                .and_then(|c| c.first())
                .and_then(serde_json::Value::as_f64),
            None,
        )),
        Err(e) if e.code == ErrorCode::ValidationFailed => Ok((None, Some(e.message))),
        Err(e) => Err(e),
    }
}

/// The alert a rule raises for `value`.
fn alert_for(rule: &AlertRule, value: f64, now: i64) -> Alert {
    let r = &rule.definition;
    let shown = (value * 1000.0).round() / 1000.0;
    // A sentence: "Sum of amount …", "P95 of latency_ms …".
    let agg = r.measure.agg.as_str();
    let agg = agg[..1].to_ascii_uppercase() + &agg[1..];
    Alert {
        id: format!("a_{}", random_token(9)),
        rule: rule.id.clone(),
        severity: r.severity,
        status: AlertStatus::Open,
        title: r.name.clone(),
        message: format!(
            "{agg} of {} was {shown} over the last {} min, {} the threshold {}",
            if r.measure.field == "*" {
                "rows"
            } else {
                &r.measure.field
            },
            r.window_minutes,
            r.condition.as_str(),
            r.threshold
        ),
        dataset: r.dataset.clone(),
        value,
        threshold: r.threshold,
        created_at: now,
        acknowledged_at: None,
        acknowledged_by: None,
        acknowledged_by_name: None,
        resolved_at: None,
    }
}

/// Evaluates one rule now (see the module docs) and returns it as recorded (`None`: it was
/// changed or deleted meanwhile).
///
/// # Errors
/// Database failures.
pub async fn evaluate(
    state: &SharedState,
    tenant: &str,
    rule: &AlertRule,
) -> AppResult<Option<AlertRule>> {
    let now = now_ms();
    let limit: Option<Duration> = state.config.query_timeout;
    let (t, q) = (tenant.to_owned(), rule.definition.query(now));
    let (value, error) = finding(
        state
            .db
            .read_within(limit, move |c| query::run(c, &t, &q, &[], now))
            .await,
    )?;
    let alert = value
        .filter(|v| {
            rule.definition
                .condition
                .holds(*v, rule.definition.threshold)
        })
        .map(|v| alert_for(rule, v, now));
    let (t, id, updated_at) = (tenant.to_owned(), rule.id.clone(), rule.updated_at);
    let (recorded, changed) = state
        .db
        .write(move |c| {
            let tx = c.transaction()?;
            if !alert_rules::record(&tx, &t, &id, updated_at, now, value, error.as_deref())? {
                return Ok((None, Vec::new()));
            }
            let changed = match alert {
                Some(a) if !alert_rules::has_unresolved_alert(&tx, &t, &id)? => {
                    store::insert_alert(&tx, &t, &a)?;
                    vec![a]
                }
                Some(_) => Vec::new(),
                // Not holding (or no rows to say): the incident is over.
                None if error.is_none() => alert_rules::resolve_alerts(&tx, &t, &id, now)?,
                None => Vec::new(),
            };
            let recorded = alert_rules::get(&tx, &t, &id)?;
            tx.commit()?;
            Ok((recorded, changed))
        })
        .await?;
    for alert in &changed {
        publish(state, tenant, alert).await?;
    }
    Ok(recorded)
}

/// Sends a new or changed alert to the tenant's live subscribers of the `alerts` channel.
///
/// # Errors
/// Only if the alert does not serialize.
pub async fn publish(state: &SharedState, tenant: &str, alert: &Alert) -> AppResult<()> {
    let data = serde_json::to_value(alert)?;
    state
        .bus
        .publish(tenant, CHANNEL_ALERTS, LiveKind::Alert, data)
        .await;
    Ok(())
}
