//! What an embed token may see on the live stream: only what its dashboard's widgets show, with
//! its locked filters applied, decided against the dashboard *as it is now* (the pump reloads
//! the [`EmbedView`] when the dashboard changes). A user token's stream is the whole tenant's.
//!
//! Per message kind, for an embed token:
//! - `dashboardChanged`: only for the token's dashboard.
//! - `alert`: only when the dashboard has an alerts widget and the token has no locked filters
//!   (alerts are tenant-wide and carry no dimensions, so a lock cannot apply to them; the
//!   alerts widget then answers `locked_filter_unsupported` on the data endpoint as well). The
//!   same rule decides whether `GET /alerts` lists, for the token, the alerts raised before the
//!   embed mounted.
//! - `metric`: only rollups of a dataset some widget shows (a widget whose dataset lacks a
//!   locked field shows nothing). A rollup counts every row of its second, so its numbers go
//!   out only when a widget shows that dataset with no filter at all (no locked, dashboard or
//!   widget filter); otherwise the token gets a change notice (`withheld: true`, only `ts` and
//!   `dataset`), and none at all when the rollup's per-value counts prove that no row matches
//!   the filters (a token locked to `region = north` hears nothing of a batch of `south` rows).
//!   The demo generator's `validations` rollup also carries agent events: those parts are
//!   judged as the `agent_events` dataset.
//!
//! Held-back messages leave gaps in `seq`; the pump sends a `heartbeat` before the next message
//! it delivers so that clients do not take the gap for a loss (see `vantage_contract::live`).

use crate::auth::EmbedScope;
use crate::datasets::Catalog;
use crate::error::AppResult;
use crate::ingest::rollup::MAX_VALUES_PER_DIMENSION;
use crate::live::bus::Msg;
use crate::state::SharedState;
use crate::store;
use std::collections::BTreeMap;
use vantage_contract::live::{CHANNEL_ALERTS, CHANNEL_DASHBOARDS, CHANNEL_METRICS};
use vantage_contract::{Dashboard, Filter, FilterOp, LiveEnvelope, MetricRollup, WidgetKind};

/// How much of a dataset's rollups a token may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The numbers: some widget shows the dataset unfiltered.
    Whole,
    /// Only that it changed: every widget over it is filtered.
    Notice,
}

/// One dataset the dashboard shows.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    detail: Detail,
    /// Locked and dashboard filters that apply to this dataset.
    filters: Vec<Filter>,
}

/// The live scope of one embed token on its dashboard as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedView {
    dashboard_id: String,
    datasets: BTreeMap<String, Shown>,
    alerts: bool,
}

/// Why an embed token may not see its tenant's alerts.
#[derive(Debug, PartialEq, Eq)]
pub enum AlertsRefused {
    /// The token's dashboard has no alerts widget.
    NoAlertsWidget,
    /// The token locks filters (this field first); alerts carry no dimensions to apply them to.
    Locked(String),
}

/// The one rule for alerts under an embed token, used by its live stream ([`EmbedView::of`])
/// and by `GET /alerts`: the dashboard (as it is now) has an alerts widget and the token locks
/// no filters.
///
/// # Errors
/// Which of the two conditions fails.
pub fn embed_alerts(dashboard: &Dashboard, locked: &[Filter]) -> Result<(), AlertsRefused> {
    if !dashboard
        .widgets
        .iter()
        .any(|w| w.kind == WidgetKind::Alerts)
    {
        return Err(AlertsRefused::NoAlertsWidget);
    }
    match locked.first() {
        Some(f) => Err(AlertsRefused::Locked(f.field.clone())),
        None => Ok(()),
    }
}

/// The dataset whose widgets the agent-event parts of the demo rollup update.
const AGENT_EVENTS: &str = "agent_events";

impl EmbedView {
    /// The scope of `locked` filters on `dashboard`; `has_field(dataset, field)` says whether a
    /// dataset has a field.
    pub fn of(
        dashboard: &Dashboard,
        locked: &[Filter],
        has_field: impl Fn(&str, &str) -> bool,
    ) -> Self {
        let mut datasets: BTreeMap<String, Shown> = BTreeMap::new();
        for q in dashboard.widgets.iter().filter_map(|w| w.query.as_ref()) {
            let d = q.dataset.as_str();
            if !locked.iter().all(|f| has_field(d, &f.field)) {
                continue;
            }
            let mut filters = locked.to_vec();
            filters.extend(
                dashboard
                    .filters
                    .iter()
                    .filter(|f| has_field(d, &f.field))
                    .cloned(),
            );
            let detail = if filters.is_empty() && q.filters.is_empty() {
                Detail::Whole
            } else {
                Detail::Notice
            };
            let entry = datasets
                .entry(d.to_owned())
                .or_insert(Shown { detail, filters });
            if detail == Detail::Whole {
                entry.detail = Detail::Whole;
            }
        }
        let alerts = embed_alerts(dashboard, locked).is_ok();
        Self {
            dashboard_id: dashboard.id.clone(),
            datasets,
            alerts,
        }
    }

    /// Whether `m` is a change of this token's dashboard (the view must then be reloaded).
    pub fn is_own_dashboard_change(&self, m: &LiveEnvelope) -> bool {
        m.channel == CHANNEL_DASHBOARDS && m.data["dashboardId"] == self.dashboard_id.as_str()
    }

    /// What of `m` this token may see: `None` holds it back; a metric may come back reduced.
    pub fn admit(&self, m: &Msg) -> Option<Msg> {
        match m.channel.as_str() {
            CHANNEL_DASHBOARDS => self.is_own_dashboard_change(m).then(|| m.clone()),
            CHANNEL_ALERTS => self.alerts.then(|| m.clone()),
            CHANNEL_METRICS => {
                let rollup = serde_json::from_value::<MetricRollup>(m.data.clone()).ok()?;
                let scoped = self.rollup(&rollup)?;
                if scoped == rollup {
                    return Some(m.clone());
                }
                Some(crate::live::bus::msg(LiveEnvelope {
                    data: serde_json::to_value(&scoped).ok()?,
                    ..m.envelope().clone()
                }))
            }
            _ => Some(m.clone()),
        }
    }

    /// The part of `r` this token may see (`None`: nothing).
    pub fn rollup(&self, r: &MetricRollup) -> Option<MetricRollup> {
        let main = self.datasets.get(&r.dataset);
        let has_agents = !r.agent_events.is_empty() || r.agent_cost_usd != 0.0;
        let agents = (has_agents && r.dataset != AGENT_EVENTS)
            .then(|| self.datasets.get(AGENT_EVENTS))
            .flatten();
        let main = main.filter(|s| s.detail == Detail::Whole || might_match(r, &s.filters));
        if main.is_none() && agents.is_none() {
            return None;
        }
        let mut out = MetricRollup {
            ts: r.ts,
            dataset: r.dataset.clone(),
            ..MetricRollup::default()
        };
        match main.map(|s| s.detail) {
            Some(Detail::Whole) => {
                out = MetricRollup {
                    agent_events: BTreeMap::new(),
                    agent_cost_usd: 0.0,
                    ..r.clone()
                };
            }
            Some(Detail::Notice) => out.withheld = true,
            None => {}
        }
        match agents.map(|s| s.detail) {
            Some(Detail::Whole) => {
                out.agent_events = r.agent_events.clone();
                out.agent_cost_usd = r.agent_cost_usd;
            }
            Some(Detail::Notice) => out.withheld = true,
            None => {}
        }
        Some(out)
    }
}

/// False only when `r`'s per-value counts prove that none of its rows pass `filters`.
fn might_match(r: &MetricRollup, filters: &[Filter]) -> bool {
    filters.iter().all(|f| {
        let Some(counts) = r.counts.get(&f.field) else {
            return true;
        };
        if counts.len() >= MAX_VALUES_PER_DIMENSION {
            return true; // values past the cap are not counted
        }
        let wanted: Vec<&str> = match f.op {
            FilterOp::Eq | FilterOp::In => f
                .operands()
                .into_iter()
                .filter_map(|v| v.as_str())
                .collect(),
            _ => return true,
        };
        wanted
            .iter()
            .any(|v| counts.get(*v).is_some_and(|n| *n > 0))
    })
}

/// The view of `scope` on its dashboard as stored now; `None` when the dashboard is gone.
///
/// # Errors
/// Database failures.
pub async fn load(
    state: &SharedState,
    tenant: &str,
    scope: &EmbedScope,
) -> AppResult<Option<EmbedView>> {
    let (t, id) = (tenant.to_owned(), scope.dashboard_id.clone());
    let Some(dashboard) = state.db.read(move |c| store::dashboard(c, &t, &id)).await? else {
        return Ok(None);
    };
    let catalog = Catalog::load(&state.db, tenant).await?;
    Ok(Some(EmbedView::of(
        &dashboard,
        &scope.locked_filters,
        |d, f| catalog.schema(d).is_some_and(|s| s.field_type(f).is_some()),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dashboard(widgets: serde_json::Value, filters: serde_json::Value) -> Dashboard {
        serde_json::from_value(json!({
            "id": "d1", "name": "D", "description": "", "layout": { "columns": 12, "rowHeight": 80 },
            "widgets": widgets, "filters": filters, "refreshIntervalSec": 0, "version": 1,
            "createdAt": 0, "updatedAt": 0,
        }))
        .expect("dashboard")
    }

    fn widget(id: &str, dataset: &str, filters: serde_json::Value) -> serde_json::Value {
        json!({ "id": id, "kind": "kpi", "title": id, "position": { "x": 0, "y": 0, "w": 3, "h": 2 },
            "query": { "dataset": dataset, "measures": [{ "field": "*", "agg": "count" }], "filters": filters } })
    }

    fn alerts_widget() -> serde_json::Value {
        json!({ "id": "alerts", "kind": "alerts", "title": "Alerts", "position": { "x": 0, "y": 0, "w": 3, "h": 2 } })
    }

    fn north() -> Vec<Filter> {
        vec![
            serde_json::from_value(json!({ "field": "region", "op": "eq", "value": "north" }))
                .expect("filter"),
        ]
    }

    /// `sales` has `region`; `validations` and `agent_events` do not.
    fn has_field(d: &str, f: &str) -> bool {
        d == "sales" && matches!(f, "region" | "product")
    }

    fn env(channel: &str, data: serde_json::Value) -> Msg {
        crate::live::bus::msg(LiveEnvelope {
            epoch: 1,
            seq: 1,
            channel: channel.into(),
            kind: vantage_contract::LiveKind::Metric,
            data,
        })
    }

    fn sales_rollup(regions: &[(&str, u64)]) -> MetricRollup {
        let mut r = MetricRollup {
            ts: 1000,
            dataset: "sales".into(),
            total: regions.iter().map(|(_, n)| n).sum(),
            ..MetricRollup::default()
        };
        r.sums.insert("revenue".into(), 99.0);
        r.counts.insert(
            "region".into(),
            regions.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(),
        );
        r
    }

    #[test]
    fn a_locked_token_gets_a_notice_only_when_its_rows_may_be_in_the_rollup() {
        let d = dashboard(json!([widget("w", "sales", json!([]))]), json!([]));
        let v = EmbedView::of(&d, &north(), has_field);
        assert_eq!(v.rollup(&sales_rollup(&[("south", 5)])), None);
        let notice = v
            .rollup(&sales_rollup(&[("north", 2), ("south", 5)]))
            .expect("a notice");
        assert!(notice.withheld);
        assert_eq!((notice.total, notice.dataset.as_str()), (0, "sales"));
        assert!(notice.sums.is_empty() && notice.counts.is_empty());
    }

    #[test]
    fn an_unlocked_token_gets_whole_rollups_of_unfiltered_datasets_only() {
        let d = dashboard(
            json!([
                widget("w", "sales", json!([])),
                widget(
                    "v",
                    "validations",
                    json!([{ "field": "status", "op": "eq", "value": "INVALID" }])
                )
            ]),
            json!([]),
        );
        let v = EmbedView::of(&d, &[], has_field);
        let r = sales_rollup(&[("south", 5)]);
        assert_eq!(v.rollup(&r), Some(r));
        let validations = MetricRollup {
            dataset: "validations".into(),
            total: 7,
            ..MetricRollup::default()
        };
        let notice = v.rollup(&validations).expect("a notice");
        assert!(notice.withheld && notice.total == 0);
        let other = MetricRollup {
            dataset: "orders".into(),
            total: 7,
            ..MetricRollup::default()
        };
        assert_eq!(v.rollup(&other), None, "a dataset no widget shows");
    }

    #[test]
    fn dashboard_filters_count_like_locks_and_datasets_without_the_locked_field_are_dropped() {
        let d = dashboard(
            json!([
                widget("w", "sales", json!([])),
                widget("v", "validations", json!([]))
            ]),
            json!([{ "field": "product", "op": "eq", "value": "x" }]),
        );
        let v = EmbedView::of(&d, &[], has_field);
        assert!(v
            .rollup(&sales_rollup(&[("south", 5)]))
            .is_some_and(|r| r.withheld));
        let validations = MetricRollup {
            dataset: "validations".into(),
            total: 7,
            ..MetricRollup::default()
        };
        assert_eq!(v.rollup(&validations.clone()), Some(validations.clone()));
        let locked = EmbedView::of(&d, &north(), has_field);
        assert_eq!(locked.rollup(&validations), None);
    }

    #[test]
    fn agent_parts_of_the_demo_rollup_follow_the_agent_events_dataset() {
        let mut demo = MetricRollup {
            dataset: "validations".into(),
            total: 9,
            agent_cost_usd: 1.5,
            ..MetricRollup::default()
        };
        demo.agent_events.insert("pr_created".into(), 2);
        let agents_only = dashboard(json!([widget("a", "agent_events", json!([]))]), json!([]));
        let v = EmbedView::of(&agents_only, &[], has_field);
        let r = v.rollup(&demo).expect("agent parts");
        assert_eq!((r.total, r.agent_cost_usd), (0, 1.5));
        assert_eq!(r.agent_events.get("pr_created"), Some(&2));
        let validations_only = dashboard(json!([widget("v", "validations", json!([]))]), json!([]));
        let v = EmbedView::of(&validations_only, &[], has_field);
        let r = v.rollup(&demo).expect("validation parts");
        assert_eq!((r.total, r.agent_cost_usd), (9, 0.0));
        assert!(r.agent_events.is_empty());
    }

    #[test]
    fn alerts_and_dashboard_changes_are_scoped() {
        let d = dashboard(
            json!([widget("w", "sales", json!([])), alerts_widget()]),
            json!([]),
        );
        let open = EmbedView::of(&d, &[], has_field);
        let locked = EmbedView::of(&d, &north(), has_field);
        let alert = env(CHANNEL_ALERTS, json!({ "id": "a1" }));
        assert!(open.admit(&alert).is_some());
        assert!(locked.admit(&alert).is_none());
        let no_alerts = EmbedView::of(
            &dashboard(json!([widget("w", "sales", json!([]))]), json!([])),
            &[],
            has_field,
        );
        assert!(no_alerts.admit(&alert).is_none());
        let own = env(
            CHANNEL_DASHBOARDS,
            json!({ "dashboardId": "d1", "version": 2 }),
        );
        let other = env(
            CHANNEL_DASHBOARDS,
            json!({ "dashboardId": "d2", "version": 2 }),
        );
        assert!(locked.admit(&own).is_some() && locked.is_own_dashboard_change(&own));
        assert!(locked.admit(&other).is_none());
    }

    #[test]
    fn admitted_metrics_are_rewritten_only_when_reduced() {
        let d = dashboard(json!([widget("w", "sales", json!([]))]), json!([]));
        let whole = sales_rollup(&[("north", 1)]);
        let m = env(CHANNEL_METRICS, serde_json::to_value(&whole).unwrap());
        let open = EmbedView::of(&d, &[], has_field);
        assert!(std::sync::Arc::ptr_eq(&open.admit(&m).unwrap(), &m));
        let locked = EmbedView::of(&d, &north(), has_field);
        let reduced = locked.admit(&m).unwrap();
        assert_eq!(reduced.seq, m.seq);
        assert_eq!(reduced.data["withheld"], true);
        assert!(reduced.data.get("sums").is_none());
    }
}
