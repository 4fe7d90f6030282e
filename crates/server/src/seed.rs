//! Demo data (`--demo` on an empty database): three tenants, their users (password
//! `vantage-demo`), four dashboards each that together use every widget kind, 30 days of
//! history and a few historical alerts.

use crate::auth::hash_password;
use crate::datasets::{catalog, demo, Catalog};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::sql::{params, Conn};
use crate::store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use vantage_contract::{Alert, AlertStatus, Branding, DashboardInput, Severity};

pub const DEMO_PASSWORD: &str = "vantage-demo";
/// `(id, display name, primary colour)`.
pub const TENANTS: [(&str, &str, &str); 3] = [
    ("healthco", "HealthCo", "#0f766e"),
    ("autoinsure", "AutoInsure", "#1d4ed8"),
    ("innova", "Innova", "#7c3aed"),
];

/// Options for the history volume.
pub struct SeedOptions {
    pub days: u32,
    pub validations: u64,
    pub now: i64,
}

/// Seeds everything if the database has no tenants yet. Returns whether it seeded.
///
/// # Errors
/// Database failures.
pub fn seed_if_empty(conn: &mut Conn, opts: &SeedOptions, origins: &[String]) -> AppResult<bool> {
    // Replicas may start together on one file: the check and the seeding happen in one write
    // transaction, so one seeds and the others wait for it (a long wait: seeding a big history
    // takes longer than the usual busy timeout) and then find the tenants.
    conn.busy_timeout(std::time::Duration::from_secs(600))?;
    let tx = conn.exclusive_transaction("vantage:seed")?;
    tx.busy_timeout(crate::db::BUSY_TIMEOUT)?;
    let tenants: i64 = tx.query_row("SELECT COUNT(*) FROM tenants", (), |r| r.get(0))?;
    if tenants > 0 {
        // Keep the demo origins in sync with the port this run is bound to.
        for (id, ..) in TENANTS {
            if let Some(t) = store::tenant(&tx, id)? {
                let mut list = t.embed_origins;
                for o in origins {
                    if !list.contains(o) {
                        list.push(o.clone());
                    }
                }
                store::set_embed_origins(&tx, id, &list)?;
            }
        }
        tx.commit()?;
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let hash = hash_password(DEMO_PASSWORD)?;
    for (i, (id, name, colour)) in TENANTS.iter().enumerate() {
        let branding = Branding {
            product_name: format!("{name} Insights"),
            primary_color: (*colour).into(),
            ..Branding::default()
        };
        tx.execute(
            "INSERT INTO tenants (id, name, branding, embed_origins) VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                name,
                serde_json::to_string(&branding)?,
                serde_json::to_string(origins)?
            ],
        )?;
        for (role, label) in [
            ("tenant_admin", "admin"),
            ("manager", "manager"),
            ("analyst", "analyst"),
            ("viewer", "viewer"),
        ] {
            tx.execute(
                "INSERT INTO users (id, tenant_id, email, name, role, password_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![format!("u_{id}_{label}"), id, format!("{label}@{id}.test"), format!("{name} {label}"), role, hash],
            )?;
        }
        for (dataset, def) in demo::definitions() {
            catalog::create(&tx, id, dataset, &def, opts.now - 86_400_000)?;
        }
        let catalog = Catalog::load_blocking(&tx, id)?;
        for (slug, body) in dashboards() {
            let input: DashboardInput = serde_json::from_value(body)?;
            input
                .validate(|id| catalog.schema(id))
                .map_err(|e| AppError::internal(format!("demo dashboard {slug}: {e}")))?;
            store::insert_dashboard(
                &tx,
                id,
                &format!("{id}-{slug}"),
                &input,
                opts.now - 86_400_000 + i as i64,
            )?;
        }
        seed_alerts(&tx, id, opts.now)?;
        // One rule of the tenant's own kind (the built-in ones are the generator's): it shows
        // the live count it watches, and would fire if the sales feed stopped.
        let rule = demo_rule();
        rule.validate(catalog.schema(&rule.dataset))
            .map_err(|e| AppError::internal(format!("demo alert rule: {e}")))?;
        store::alert_rules::insert(
            &tx,
            id,
            &format!("r_{id}_no_sales"),
            &rule,
            opts.now - 86_400_000,
        )?;
    }
    tx.execute(
        "INSERT INTO users (id, tenant_id, email, name, role, password_hash) VALUES ('u_sysadmin', 'healthco', 'sysadmin@vantage.test', 'System admin', 'system_admin', ?1)",
        [&hash],
    )?;
    seed_history(&tx, opts)?;
    tx.commit()?;
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        events = opts.validations,
        "demo data seeded"
    );
    Ok(true)
}

/// The demo tenants' alert rule: fewer than one sale in 15 minutes.
fn demo_rule() -> vantage_contract::AlertRuleInput {
    vantage_contract::AlertRuleInput {
        name: "No sales in 15 minutes".into(),
        dataset: "sales".into(),
        measure: vantage_contract::Measure::new("*", vantage_contract::Aggregation::Count),
        filters: Vec::new(),
        window_minutes: 15,
        condition: vantage_contract::Comparison::Below,
        threshold: 1.0,
        severity: vantage_contract::Severity::Critical,
        enabled: true,
    }
}

/// The average rate (validation events per second, all tenants together) of a seeded history
/// of `events` over `days`: the live generator's default, so the present continues the past.
pub fn history_rate(days: u32, events: u64) -> f64 {
    events as f64 / (f64::from(days.max(1)) * 86_400.0)
}

/// `n` times spread over `[start, end)` following [`events::daily_factor`], in order.
fn pattern_times(rng: &mut StdRng, start: i64, end: i64, n: u64) -> Vec<i64> {
    let mut out = Vec::with_capacity(n as usize);
    // Rejection sampling against the curve's maximum (1.6) keeps the daily shape exact.
    while (out.len() as u64) < n {
        let ts = rng.random_range(start..end);
        if rng.random::<f64>() * 1.6 < events::daily_factor(ts) {
            out.push(ts);
        }
    }
    out.sort_unstable();
    out
}

fn seed_history(tx: &crate::sql::Tx<'_>, opts: &SeedOptions) -> AppResult<()> {
    let mut rng = StdRng::seed_from_u64(42);
    let span = i64::from(opts.days.max(1)) * 86_400_000;
    let start = opts.now - span;
    let per_tenant = (opts.validations / TENANTS.len() as u64).max(1);
    for (ti, (tenant, ..)) in TENANTS.iter().enumerate() {
        let times = pattern_times(&mut rng, start, opts.now, per_tenant);
        for chunk in times.chunks(10_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|&ts| events::validation(&mut rng, ti, ts, incident_stress(ts, ti)).row())
                .collect();
            events::insert(
                tx,
                tenant,
                "validations",
                &events::VALIDATION_COLUMNS,
                &rows,
            )?;
        }
        let agent_times = pattern_times(&mut rng, start, opts.now, (per_tenant / 20).max(100));
        let agents: Vec<_> = agent_times
            .iter()
            .map(|&ts| events::agent_event(&mut rng, ts, incident_stress(ts, ti)).row())
            .collect();
        events::insert(tx, tenant, "agent_events", &events::AGENT_COLUMNS, &agents)?;
        let sale_times = pattern_times(&mut rng, start, opts.now, (per_tenant / 20).max(100));
        let sales: Vec<_> = sale_times
            .iter()
            .map(|&ts| events::sale(&mut rng, ts))
            .collect();
        events::insert(tx, tenant, "sales", &events::SALE_COLUMNS, &sales)?;
    }
    Ok(())
}

/// A few hour-long incidents per week per tenant, so history has visible spikes.
pub fn incident_stress(ts: i64, tenant_idx: usize) -> f64 {
    let hour = ts / 3_600_000 + tenant_idx as i64 * 17;
    if hour % 53 == 0 {
        0.8
    } else {
        0.0
    }
}

fn seed_alerts(tx: &crate::sql::Tx<'_>, tenant: &str, now: i64) -> AppResult<()> {
    let samples = [
        (
            "error_rate",
            Severity::Critical,
            AlertStatus::Resolved,
            "Error rate above 10%",
            0.164,
            0.10,
            6,
        ),
        (
            "latency_p95",
            Severity::Warning,
            AlertStatus::Acknowledged,
            "p95 latency above 800 ms",
            912.0,
            800.0,
            30,
        ),
        (
            "latency_p95",
            Severity::Warning,
            AlertStatus::Open,
            "p95 latency above 800 ms",
            845.0,
            800.0,
            50,
        ),
    ];
    for (i, (rule, severity, status, title, value, threshold, hours_ago)) in
        samples.into_iter().enumerate()
    {
        let created_at = now - hours_ago * 3_600_000;
        let alert = Alert {
            id: format!("a_{tenant}_{i}"),
            rule: rule.into(),
            severity,
            status,
            title: title.into(),
            message: format!("{title}: observed {value} (threshold {threshold})"),
            dataset: "validations".into(),
            value,
            threshold,
            created_at,
            acknowledged_at: (status != AlertStatus::Open).then_some(created_at + 600_000),
            acknowledged_by: (status != AlertStatus::Open).then(|| format!("u_{tenant}_manager")),
            acknowledged_by_name: None,
            resolved_at: (status == AlertStatus::Resolved).then_some(created_at + 1_800_000),
        };
        store::insert_alert(tx, tenant, &alert)?;
    }
    Ok(())
}

fn count() -> Value {
    json!([{ "field": "*", "agg": "count" }])
}

fn w(id: &str, kind: &str, title: &str, pos: [u32; 4], query: Value, options: Value) -> Value {
    let mut v = json!({ "id": id, "kind": kind, "title": title,
        "position": { "x": pos[0], "y": pos[1], "w": pos[2], "h": pos[3] }, "options": options });
    if !query.is_null() {
        v["query"] = query;
    }
    v
}

/// The four demo dashboards `(slug, DashboardInput JSON)`; together they use every kind.
pub fn dashboards() -> Vec<(&'static str, Value)> {
    let invalid = json!([{ "field": "status", "op": "eq", "value": "INVALID" }]);
    vec![
        (
            "ai-quality",
            json!({
                "name": "AI quality overview",
                "description": "Validation outcomes of conversational-AI answers.",
                "timeRange": { "preset": "last24h" },
                "refreshIntervalSec": 60,
                "widgets": [
                    w("total", "kpi", "Validations (24h)", [0, 0, 3, 2], json!({ "dataset": "validations", "measures": count(), "timeRange": { "preset": "last24h" }, "comparePrevious": true }), json!({ "format": "integer" })),
                    w("invalid", "kpi", "Invalid answers (24h)", [3, 0, 3, 2], json!({ "dataset": "validations", "measures": count(), "filters": invalid, "timeRange": { "preset": "last24h" }, "comparePrevious": true }), json!({ "format": "integer", "goodDirection": "down" })),
                    w("confidence", "gauge", "Average confidence", [6, 0, 3, 2], json!({ "dataset": "validations", "measures": [{ "field": "confidence", "agg": "avg" }] }), json!({ "min": 0, "max": 1 })),
                    w("alerts", "alerts", "Open alerts", [9, 0, 3, 4], Value::Null, json!({})),
                    w("by-status", "line", "Validations per hour by status", [0, 2, 9, 3], json!({ "dataset": "validations", "dimensions": ["status"], "measures": count(), "granularity": "1h" }), json!({ "x": "time", "series": "status", "y": "count" })),
                    w("error-types", "pie", "Invalid answers by error type", [0, 5, 4, 3], json!({ "dataset": "validations", "dimensions": ["error_type"], "measures": count(), "filters": invalid }), json!({ "donut": true })),
                    w("intents", "bar", "Validations by intent", [4, 5, 4, 3], json!({ "dataset": "validations", "dimensions": ["intent"], "measures": count(), "sort": [{ "field": "count", "dir": "desc" }] }), json!({ "horizontal": true })),
                    w("heat", "heatmap", "Invalid answers per hour and intent", [8, 5, 4, 3], json!({ "dataset": "validations", "dimensions": ["intent"], "measures": count(), "filters": invalid, "granularity": "1h" }), json!({ "x": "time", "y": "intent", "value": "count" })),
                ]
            }),
        ),
        (
            "latency",
            json!({
                "name": "Latency & errors",
                "description": "Answer latency percentiles and error trends.",
                "timeRange": { "preset": "last24h" },
                "refreshIntervalSec": 30,
                "widgets": [
                    w("p95", "kpi", "p95 latency (1h)", [0, 0, 3, 2], json!({ "dataset": "validations", "measures": [{ "field": "latency_ms", "agg": "p95" }], "timeRange": { "preset": "last1h" }, "comparePrevious": true }), json!({ "unit": "ms", "goodDirection": "down" })),
                    w("p95-gauge", "gauge", "p95 latency vs 800 ms budget", [3, 0, 3, 2], json!({ "dataset": "validations", "measures": [{ "field": "latency_ms", "agg": "p95" }], "timeRange": { "preset": "last15m" } }), json!({ "min": 0, "max": 1200, "thresholds": [600, 800], "unit": "ms" })),
                    w("alerts", "alerts", "Alerts", [6, 0, 6, 4], Value::Null, json!({})),
                    w("latency-line", "line", "Latency percentiles (5 min)", [0, 2, 6, 3], json!({ "dataset": "validations", "measures": [{ "field": "latency_ms", "agg": "p50" }, { "field": "latency_ms", "agg": "p95" }, { "field": "latency_ms", "agg": "p99" }], "granularity": "5m", "timeRange": { "preset": "last1h" } }), json!({ "x": "time", "unit": "ms" })),
                    w("errors-area", "area", "Errors per hour by type", [0, 5, 6, 3], json!({ "dataset": "validations", "dimensions": ["error_type"], "measures": count(), "filters": invalid, "granularity": "1h" }), json!({ "x": "time", "series": "error_type", "y": "count", "stack": true })),
                    w("scatter", "scatter", "Latency vs confidence by intent and model", [6, 4, 6, 4], json!({ "dataset": "validations", "dimensions": ["intent", "model"], "measures": [{ "field": "latency_ms", "agg": "avg" }, { "field": "confidence", "agg": "avg" }] }), json!({ "x": "avg_latency_ms", "y": "avg_confidence", "label": "intent" })),
                    w("table", "table", "Latency by model", [0, 8, 12, 3], json!({ "dataset": "validations", "dimensions": ["model"], "measures": [{ "field": "*", "agg": "count" }, { "field": "latency_ms", "agg": "avg" }, { "field": "latency_ms", "agg": "p95" }, { "field": "latency_ms", "agg": "max" }], "sort": [{ "field": "p95_latency_ms", "dir": "desc" }] }), json!({})),
                ]
            }),
        ),
        (
            "agents",
            json!({
                "name": "Agent activity",
                "description": "What the AI coding agents did and what it cost.",
                "timeRange": { "preset": "last7d" },
                "refreshIntervalSec": 60,
                "widgets": [
                    w("cost", "kpi", "Agent cost (7d)", [0, 0, 4, 2], json!({ "dataset": "agent_events", "measures": [{ "field": "cost_usd", "agg": "sum" }], "timeRange": { "preset": "last7d" }, "comparePrevious": true }), json!({ "unit": "USD", "goodDirection": "down" })),
                    w("prs", "kpi", "Pull requests (7d)", [4, 0, 4, 2], json!({ "dataset": "agent_events", "measures": count(), "filters": [{ "field": "event_type", "op": "eq", "value": "pr_created" }], "timeRange": { "preset": "last7d" }, "comparePrevious": true }), json!({})),
                    w("security", "kpi", "Security alerts (7d)", [8, 0, 4, 2], json!({ "dataset": "agent_events", "measures": count(), "filters": [{ "field": "event_type", "op": "eq", "value": "security_alert" }], "timeRange": { "preset": "last7d" }, "comparePrevious": true }), json!({ "goodDirection": "down" })),
                    w("events", "bar", "Events by type", [0, 2, 6, 3], json!({ "dataset": "agent_events", "dimensions": ["event_type"], "measures": count() }), json!({})),
                    w("repos", "pie", "Events by repository", [6, 2, 6, 3], json!({ "dataset": "agent_events", "dimensions": ["repo"], "measures": count() }), json!({})),
                    w("per-day", "line", "Events per day by agent", [0, 5, 12, 3], json!({ "dataset": "agent_events", "dimensions": ["agent"], "measures": count(), "granularity": "1d" }), json!({ "x": "time", "series": "agent", "y": "count" })),
                    w("agents-table", "table", "Agents", [0, 8, 12, 3], json!({ "dataset": "agent_events", "dimensions": ["agent"], "measures": [{ "field": "*", "agg": "count" }, { "field": "cost_usd", "agg": "sum" }, { "field": "tokens", "agg": "sum" }, { "field": "duration_ms", "agg": "p95" }] }), json!({})),
                ]
            }),
        ),
        (
            "sales",
            json!({
                "name": "Sales overview",
                "description": "A classic sales dashboard: revenue by region, product and channel.",
                "timeRange": { "preset": "last30d" },
                "refreshIntervalSec": 300,
                "widgets": [
                    w("revenue", "kpi", "Revenue (30d)", [0, 0, 4, 2], json!({ "dataset": "sales", "measures": [{ "field": "revenue", "agg": "sum" }], "timeRange": { "preset": "last30d" }, "comparePrevious": true }), json!({ "unit": "USD" })),
                    w("units", "gauge", "Average units per order", [4, 0, 4, 2], json!({ "dataset": "sales", "measures": [{ "field": "units", "agg": "avg" }] }), json!({ "min": 0, "max": 5 })),
                    w("orders", "kpi", "Orders (30d)", [8, 0, 4, 2], json!({ "dataset": "sales", "measures": count(), "timeRange": { "preset": "last30d" }, "comparePrevious": true }), json!({})),
                    w("by-region", "bar", "Revenue by region", [0, 2, 6, 3], json!({ "dataset": "sales", "dimensions": ["region"], "measures": [{ "field": "revenue", "agg": "sum" }] }), json!({})),
                    w("by-product", "pie", "Revenue by product", [6, 2, 6, 3], json!({ "dataset": "sales", "dimensions": ["product"], "measures": [{ "field": "revenue", "agg": "sum" }] }), json!({})),
                    w("per-day", "area", "Revenue per day by channel", [0, 5, 12, 3], json!({ "dataset": "sales", "dimensions": ["channel"], "measures": [{ "field": "revenue", "agg": "sum" }], "granularity": "1d" }), json!({ "x": "time", "series": "channel", "y": "sum_revenue", "stack": true })),
                    w("heat", "heatmap", "Units by region and product", [0, 8, 6, 3], json!({ "dataset": "sales", "dimensions": ["region", "product"], "measures": [{ "field": "units", "agg": "sum" }] }), json!({ "x": "region", "y": "product", "value": "sum_units" })),
                    w("top", "table", "Top products", [6, 8, 6, 3], json!({ "dataset": "sales", "dimensions": ["product"], "measures": [{ "field": "*", "agg": "count" }, { "field": "revenue", "agg": "sum" }, { "field": "units", "agg": "sum" }], "sort": [{ "field": "sum_revenue", "dir": "desc" }], "limit": 10 }), json!({})),
                ]
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn demo_dashboards_are_valid_and_use_every_kind() {
        let mut kinds = HashSet::new();
        for (slug, body) in dashboards() {
            let input: DashboardInput = serde_json::from_value(body).unwrap();
            let catalog = crate::datasets::Catalog::of(crate::datasets::demo::datasets());
            input
                .validate(|id| catalog.schema(id))
                .unwrap_or_else(|e| panic!("{slug}: {e}"));
            kinds.extend(input.widgets.iter().map(|w| w.kind));
        }
        assert_eq!(kinds.len(), vantage_contract::WidgetKind::ALL.len());
    }

    /// Expected live events in `[from, to)` at `rate` per second (the generator's rule: the
    /// rate scaled by the daily pattern, second by second).
    fn live_expected(rate: f64, from: i64, to: i64) -> f64 {
        (from / 1000..to / 1000)
            .map(|s| rate * events::daily_factor(s * 1000))
            .sum()
    }

    #[test]
    fn the_live_generator_continues_the_seeded_history_without_a_cliff() {
        let (days, events) = (30, 900_000);
        let now = 1_800_000_000_000_i64 + 13 * 3_600_000;
        let times = pattern_times(
            &mut StdRng::seed_from_u64(7),
            now - i64::from(days) * 86_400_000,
            now,
            events,
        );
        let rate = history_rate(days, events);
        let count =
            |from: i64, to: i64| times.iter().filter(|t| (from..to).contains(*t)).count() as f64;
        let day = 86_400_000;
        // The last day of history and the next day of live data: the same volume.
        let (past_day, live_day) = (count(now - day, now), live_expected(rate, now, now + day));
        assert!(
            (past_day / live_day - 1.0).abs() < 0.03,
            "past {past_day} vs live {live_day}"
        );
        // The last hour of history holds what the generator makes in that hour of the day (the
        // same rate and daily curve), so the first live hour continues it with no cliff.
        let hour = 3_600_000;
        let (past_hour, live_hour) = (count(now - hour, now), live_expected(rate, now - hour, now));
        assert!(
            (past_hour / live_hour - 1.0).abs() < 0.15,
            "past {past_hour} vs live {live_hour}"
        );
        // A "vs previous 24 h" comparison over history is flat, not +400 %.
        let previous_day = count(now - 2 * day, now - day);
        assert!((past_day / previous_day - 1.0).abs() < 0.03);
    }

    #[test]
    fn history_rate_is_events_over_the_span() {
        assert!((history_rate(30, 2_592_000) - 1.0).abs() < 1e-12);
        assert!(
            (history_rate(0, 86_400) - 1.0).abs() < 1e-12,
            "0 days counts as one"
        );
    }
}
