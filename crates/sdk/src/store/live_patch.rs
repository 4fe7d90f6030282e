//! Applying live metric rollups to widget data in place, without a round trip.
//!
//! The live stream carries one [`MetricRollup`] per tenant and second: counts of validations by
//! status, intent and error type, agent events by type and the agent cost of that second. A
//! widget whose query is a sum of such counts can be updated exactly from it; [`plan`] decides
//! per widget:
//!
//! - **patchable**: dataset `validations` or `agent_events`; one measure that is a count (or the
//!   sum of `cost_usd`); at most one dimension the rollup breaks down (`status`, `intent`,
//!   `error_type` for invalid answers, `event_type`); no filters except the ones the rollup
//!   itself distinguishes (`status = INVALID`, `event_type = X`); no `limit`. The new second's
//!   counts are added to the matching row (and time bucket), new rows are appended, and time
//!   series keep a bounded sliding window: buckets older than the time range are dropped.
//! - **refetch**: everything else (averages, percentiles, other datasets such as `sales`, viewer
//!   or locked filters, since the rollup is tenant-wide; `limit`ed top-N lists). The store
//!   re-queries those widgets, coalesced.
//!
//! What patching does not do: subtract events that leave a relative time range at its start
//! (a 24 h KPI keeps counting until its next snapshot) or shift `_previous` comparison columns.
//! Snapshots (on load, filter change, reset, gap or reconnect) make the data exact again.

use std::collections::VecDeque;

use serde_json::Value;
use vantage_contract::{
    Aggregation, ColumnType, Filter, FilterOp, Granularity, MetricRollup, Query, QueryResult, Sort,
    SortDir, TimeRange,
};

/// Time-series buckets kept at most when the time range has no start (all time).
pub const MAX_WINDOW_BUCKETS: usize = 1_000;

/// How a widget follows live rollups.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveUpdate {
    /// Add rollups to the data in place.
    Patch(PatchPlan),
    /// The rollup cannot update this query exactly: re-query it.
    Refetch,
}

/// What a rollup contributes to a patchable widget, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPlan {
    source: Source,
    dimension: Option<Dimension>,
    measure: String,
    granularity_ms: Option<i64>,
    window: Window,
    sort: Vec<Sort>,
}

#[derive(Debug, Clone, PartialEq)]
enum Source {
    Validations { invalid_only: bool },
    AgentEvents { event_type: Option<String> },
    AgentCost,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dimension {
    Status,
    Intent,
    ErrorType,
    EventType,
}

impl Dimension {
    fn column(self) -> &'static str {
        match self {
            Dimension::Status => "status",
            Dimension::Intent => "intent",
            Dimension::ErrorType => "error_type",
            Dimension::EventType => "event_type",
        }
    }
}

/// Which seconds belong to the widget's time range.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Window {
    /// A preset: the last `duration` ms, sliding with the stream.
    Sliding(i64),
    /// Fixed bounds (inclusive), epoch ms.
    Fixed(i64, i64),
    /// No time range.
    AllTime,
}

/// Decides how a widget with `query` follows live rollups, given the filters the store adds to
/// every query (dashboard, locked and viewer filters) and the effective time range.
///
/// `time_zone` is the zone the data was requested in (the request's, else the query's): time
/// buckets that follow a non-UTC wall clock (`1h`, `1d`) and calendar weeks and months are
/// re-queried, since the rollup's bucket is only known to the server's time zone database.
pub fn plan(
    query: &Query,
    extra_filters: &[Filter],
    range: Option<&TimeRange>,
    time_zone: Option<&str>,
) -> LiveUpdate {
    let zone = time_zone.or(query.time_zone.as_deref());
    if !buckets_are_utc_multiples(query.granularity, zone) {
        return LiveUpdate::Refetch;
    }
    patch_plan(query, extra_filters, range).map_or(LiveUpdate::Refetch, LiveUpdate::Patch)
}

/// Whether every time bucket is `[k·g, (k+1)·g)` in epoch ms, so a rollup's bucket is
/// `ts.div_euclid(g) * g`: true for sub-hour buckets in any zone (offsets are multiples of
/// 15 minutes) and for `1h`/`1d` in UTC; never for weeks and months.
fn buckets_are_utc_multiples(granularity: Option<Granularity>, zone: Option<&str>) -> bool {
    let utc = zone.is_none_or(|z| matches!(z, "UTC" | "Etc/UTC"));
    match granularity {
        None
        | Some(Granularity::Minute | Granularity::FiveMinutes | Granularity::FifteenMinutes) => {
            true
        }
        Some(Granularity::Hour | Granularity::Day) => utc,
        Some(Granularity::Week | Granularity::Month) => false,
    }
}

fn patch_plan(query: &Query, extra: &[Filter], range: Option<&TimeRange>) -> Option<PatchPlan> {
    if !extra.is_empty() || query.limit.is_some() || query.measures.len() != 1 {
        return None;
    }
    let measure = &query.measures[0];
    let counted = measure.agg == Aggregation::Count;
    let source = match (query.dataset.as_str(), query.filters.as_slice()) {
        ("validations", []) if counted => Source::Validations {
            invalid_only: false,
        },
        ("validations", [f]) if counted && is_eq(f, "status", "INVALID") => {
            Source::Validations { invalid_only: true }
        }
        ("agent_events", []) if counted => Source::AgentEvents { event_type: None },
        ("agent_events", [f]) if counted && f.field == "event_type" => Source::AgentEvents {
            event_type: Some(eq_value(f)?),
        },
        ("agent_events", []) if measure.agg == Aggregation::Sum && measure.field == "cost_usd" => {
            Source::AgentCost
        }
        _ => return None,
    };
    let dimension = match query.dimensions.as_slice() {
        [] => None,
        [d] => Some(match (d.as_str(), &source) {
            ("status", Source::Validations { .. }) => Dimension::Status,
            (
                "intent",
                Source::Validations {
                    invalid_only: false,
                },
            ) => Dimension::Intent,
            ("error_type", Source::Validations { invalid_only: true }) => Dimension::ErrorType,
            ("event_type", Source::AgentEvents { .. }) => Dimension::EventType,
            _ => return None,
        }),
        _ => return None,
    };
    let window = match range {
        None => Window::AllTime,
        Some(TimeRange {
            preset: Some(p), ..
        }) => Window::Sliding(p.duration_ms()?),
        Some(TimeRange { from, to, .. }) => {
            Window::Fixed(from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX))
        }
    };
    let mut sort = query.sort.clone();
    if sort.is_empty() {
        if query.granularity.is_some() {
            sort.push(Sort {
                field: "time".into(),
                dir: SortDir::Asc,
            });
        } else if dimension.is_some() {
            sort.push(Sort {
                field: measure.output_name(),
                dir: SortDir::Desc,
            });
        }
    }
    Some(PatchPlan {
        source,
        dimension,
        measure: measure.output_name(),
        granularity_ms: query.granularity.map(|g| g.ms()),
        window,
        sort,
    })
}

fn is_eq(filter: &Filter, field: &str, value: &str) -> bool {
    filter.field == field && eq_value(filter).as_deref() == Some(value)
}

fn eq_value(filter: &Filter) -> Option<String> {
    match filter.op {
        FilterOp::Eq => filter.value.as_ref()?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// Why a result could not be patched (the caller re-queries the widget).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the result has no column '{0}'")]
pub struct MissingColumn(pub String);

impl PatchPlan {
    /// The `(group, amount)` pairs `rollup` adds; `None` is the single group of an
    /// undimensioned query.
    fn contributions(&self, m: &MetricRollup) -> Vec<(Option<String>, f64)> {
        // Validations and agent events travel in the generator's `validations` rollup; a rollup
        // of another dataset (an ingested batch) adds nothing to them.
        if m.dataset != "validations" {
            return Vec::new();
        }
        let total = |n: u64| n as f64;
        match (&self.source, self.dimension) {
            (Source::Validations { invalid_only }, None) => {
                vec![(None, total(if *invalid_only { m.invalid } else { m.total }))]
            }
            (Source::Validations { invalid_only }, Some(Dimension::Status)) => {
                let mut out = vec![("INVALID", m.invalid)];
                if !invalid_only {
                    out.extend([("VALID", m.valid), ("UNKNOWN", m.unknown)]);
                }
                out.into_iter()
                    .map(|(k, n)| (Some(k.to_owned()), total(n)))
                    .collect()
            }
            (Source::Validations { .. }, Some(Dimension::Intent)) => grouped(&m.by_intent),
            (Source::Validations { .. }, Some(Dimension::ErrorType)) => grouped(&m.by_error_type),
            // `plan` never pairs validations with an agent-event dimension.
            (Source::Validations { .. }, Some(Dimension::EventType)) => Vec::new(),
            (Source::AgentEvents { event_type: None }, None) => {
                vec![(None, total(m.agent_events.values().sum()))]
            }
            (Source::AgentEvents { event_type: None }, Some(_)) => grouped(&m.agent_events),
            (
                Source::AgentEvents {
                    event_type: Some(t),
                },
                dimension,
            ) => {
                let n = total(m.agent_events.get(t).copied().unwrap_or(0));
                vec![(dimension.map(|_| t.clone()), n)]
            }
            (Source::AgentCost, _) => vec![(None, m.agent_cost_usd)],
        }
    }

    /// Adds `rollup` to `result` (one second of data), keeping the sliding window.
    ///
    /// # Errors
    /// [`MissingColumn`] when `result` does not have the columns the query implies.
    pub fn apply(
        &self,
        result: &mut QueryResult,
        rollup: &MetricRollup,
    ) -> Result<(), MissingColumn> {
        if let Window::Fixed(from, to) = self.window {
            if rollup.ts < from || rollup.ts > to {
                return Ok(());
            }
        }
        let measure = column(result, &self.measure)?;
        let time = self
            .granularity_ms
            .map(|_| column(result, "time"))
            .transpose()?;
        let dimension = self
            .dimension
            .map(|d| column(result, d.column()))
            .transpose()?;
        let bucket = self.granularity_ms.map(|g| rollup.ts.div_euclid(g) * g);
        let integer = result.columns[measure].column_type == ColumnType::Integer;
        for (group, amount) in self.contributions(rollup) {
            if amount == 0.0 {
                continue;
            }
            let row = (0..result.row_count()).find(|&r| {
                time.is_none_or(|t| result.data[t][r].as_i64() == bucket)
                    && dimension.is_none_or(|d| result.data[d][r].as_str() == group.as_deref())
            });
            let row = match row {
                Some(row) => row,
                None => push_row(result, time.zip(bucket), dimension.zip(group.as_deref())),
            };
            let cell = &mut result.data[measure][row];
            let sum = cell.as_f64().unwrap_or(0.0) + amount;
            *cell = if integer {
                Value::from(sum.round() as i64)
            } else {
                Value::from((sum * 10_000.0).round() / 10_000.0)
            };
        }
        if let (Some(t), Some(g)) = (time, self.granularity_ms) {
            self.slide(result, t, g, rollup.ts);
        }
        sort_rows(result, &self.sort);
        result.meta.total_rows = result.row_count() as u64;
        Ok(())
    }

    /// Drops time buckets that fell out of the window (or past [`MAX_WINDOW_BUCKETS`]).
    fn slide(&self, result: &mut QueryResult, t: usize, g: i64, now: i64) {
        let cutoff = match self.window {
            Window::Sliding(duration) => (now - duration).div_euclid(g) * g,
            Window::Fixed(from, _) => from.div_euclid(g) * g,
            Window::AllTime => i64::MIN,
        };
        let mut buckets: Vec<i64> = result.data[t].iter().filter_map(Value::as_i64).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let cutoff = match buckets.len().checked_sub(MAX_WINDOW_BUCKETS) {
            Some(excess) if excess > 0 => cutoff.max(buckets[excess]),
            _ => cutoff,
        };
        let keep: Vec<bool> = result.data[t]
            .iter()
            .map(|v| v.as_i64().is_none_or(|b| b >= cutoff))
            .collect();
        if keep.iter().all(|k| *k) {
            return;
        }
        for column in &mut result.data {
            let mut flags = keep.iter();
            column.retain(|_| flags.next().copied().unwrap_or(true));
        }
    }
}

fn grouped(map: &std::collections::BTreeMap<String, u64>) -> Vec<(Option<String>, f64)> {
    map.iter()
        .map(|(k, n)| (Some(k.clone()), *n as f64))
        .collect()
}

fn column(result: &QueryResult, name: &str) -> Result<usize, MissingColumn> {
    result
        .columns
        .iter()
        .position(|c| c.name == name)
        .filter(|&i| i < result.data.len())
        .ok_or_else(|| MissingColumn(name.to_owned()))
}

/// Appends a row with the given time bucket and group; other columns start empty (null) and the
/// measure at zero.
fn push_row(
    result: &mut QueryResult,
    time: Option<(usize, i64)>,
    group: Option<(usize, &str)>,
) -> usize {
    for (i, column) in result.data.iter_mut().enumerate() {
        let value = match (time, group) {
            (Some((t, bucket)), _) if t == i => Value::from(bucket),
            (_, Some((d, name))) if d == i => Value::from(name),
            _ if result.columns[i].column_type.is_numeric() => Value::from(0),
            _ => Value::Null,
        };
        column.push(value);
    }
    result.row_count() - 1
}

/// Reorders rows like the server does (`sort`, else time ascending, else measure descending).
fn sort_rows(result: &mut QueryResult, sort: &[Sort]) {
    let keys: Vec<(usize, SortDir)> = sort
        .iter()
        .filter_map(|s| Some((column(result, &s.field).ok()?, s.dir)))
        .collect();
    if keys.is_empty() {
        return;
    }
    let mut order: Vec<u32> = (0..result.row_count() as u32).collect();
    vantage_widgets::sort::sort_positions_by(&mut order, |a, b| {
        keys.iter()
            .map(|&(c, dir)| {
                let ord = compare(&result.data[c][a as usize], &result.data[c][b as usize]);
                if dir == SortDir::Desc {
                    ord.reverse()
                } else {
                    ord
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if order.iter().enumerate().all(|(i, &r)| i == r as usize) {
        return;
    }
    for column in &mut result.data {
        let sorted: Vec<Value> = order.iter().map(|&r| column[r as usize].clone()).collect();
        *column = sorted;
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a
            .as_str()
            .unwrap_or_default()
            .cmp(b.as_str().unwrap_or_default()),
    }
}

/// The last rollups received (by stream position), so a snapshot that lands after some of them
/// can be brought up to date: rollups for seconds the snapshot may not contain are re-applied.
#[derive(Debug, Default)]
pub struct RecentRollups {
    items: VecDeque<(u64, MetricRollup)>,
}

/// Rollups kept for re-application after a snapshot (two minutes at one per second).
pub const RECENT_ROLLUPS: usize = 120;

impl RecentRollups {
    /// Remembers `rollup` received at stream sequence `seq`; a repeated or older `seq`
    /// (a replay) is ignored and `false` returned.
    pub fn push(&mut self, seq: u64, rollup: MetricRollup) -> bool {
        if self.items.back().is_some_and(|(last, _)| seq <= *last) {
            return false;
        }
        self.items.push_back((seq, rollup));
        while self.items.len() > RECENT_ROLLUPS {
            self.items.pop_front();
        }
        true
    }

    /// Forgets everything (a new epoch: sequence numbers start again).
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The newest seq remembered.
    pub fn newest_seq(&self) -> Option<u64> {
        self.items.back().map(|(seq, _)| *seq)
    }

    /// The rollups after `seq`, oldest first, with their seq.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = (u64, &MetricRollup)> {
        self.items
            .iter()
            .filter(move |(s, _)| *s > seq)
            .map(|(s, r)| (*s, r))
    }

    /// Rollups a snapshot generated at `generated_at` (epoch ms) may not contain.
    pub fn after_snapshot(&self, generated_at: i64) -> impl Iterator<Item = &MetricRollup> {
        self.items
            .iter()
            .map(|(_, r)| r)
            .filter(move |r| contributes_after(r, generated_at))
    }
}

/// Whether `rollup`'s second may be missing from a snapshot generated at `generated_at`: a
/// second that ended before the snapshot was read is in it (the server writes a second's events
/// before publishing its rollup, within that second).
pub fn contributes_after(rollup: &MetricRollup, generated_at: i64) -> bool {
    rollup.ts + 1_000 > generated_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use vantage_contract::{Column, Measure, TimePreset};

    fn rollup(ts: i64, valid: u64, invalid: u64) -> MetricRollup {
        let mut m = MetricRollup {
            ts,
            dataset: "validations".into(),
            total: valid + invalid,
            valid,
            invalid,
            ..MetricRollup::default()
        };
        m.by_intent.insert("billing".into(), valid);
        m.by_intent.insert("claims".into(), invalid);
        m.by_error_type.insert("hallucination".into(), invalid);
        m
    }

    fn count_query(value: serde_json::Value) -> Query {
        serde_json::from_value(value).unwrap()
    }

    fn result(columns: &[(&str, ColumnType)], data: Vec<Vec<Value>>) -> QueryResult {
        QueryResult::new(
            columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(),
            data,
        )
        .unwrap()
    }

    fn patch(query: &Query, range: Option<&TimeRange>) -> PatchPlan {
        match plan(query, &[], range, None) {
            LiveUpdate::Patch(p) => p,
            LiveUpdate::Refetch => panic!("expected a patch plan for {query:?}"),
        }
    }

    #[test]
    fn kpi_counts_add_each_second_and_keep_the_previous_column() {
        let q = count_query(
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }],
            "timeRange": { "preset": "last24h" }, "comparePrevious": true }),
        );
        let plan = patch(&q, q.time_range.as_ref());
        let mut r = result(
            &[
                ("count", ColumnType::Integer),
                ("count_previous", ColumnType::Integer),
            ],
            vec![vec![json!(100)], vec![json!(90)]],
        );
        plan.apply(&mut r, &rollup(5_000, 3, 2)).unwrap();
        plan.apply(&mut r, &rollup(6_000, 1, 0)).unwrap();
        assert_eq!(r.data, vec![vec![json!(106)], vec![json!(90)]]);

        let invalid = count_query(
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }],
            "filters": [{ "field": "status", "op": "eq", "value": "INVALID" }] }),
        );
        let plan = patch(&invalid, None);
        let mut r = result(&[("count", ColumnType::Integer)], vec![vec![json!(7)]]);
        plan.apply(&mut r, &rollup(5_000, 3, 2)).unwrap();
        assert_eq!(r.data, vec![vec![json!(9)]]);
    }

    #[test]
    fn time_series_add_to_the_current_bucket_append_new_ones_and_slide() {
        let q = count_query(json!({ "dataset": "validations", "dimensions": ["status"],
            "measures": [{ "field": "*", "agg": "count" }], "granularity": "1m" }));
        let range = TimeRange::preset(TimePreset::Last15m);
        let plan = patch(&q, Some(&range));
        let minute = Granularity::Minute.ms();
        let start = 1_000 * minute;
        // Fifteen minutes of history, one VALID row per minute.
        let buckets: Vec<Value> = (0..15).map(|i| json!(start + i * minute)).collect();
        let mut r = result(
            &[
                ("time", ColumnType::Timestamp),
                ("status", ColumnType::String),
                ("count", ColumnType::Integer),
            ],
            vec![buckets, vec![json!("VALID"); 15], vec![json!(10); 15]],
        );
        let last = start + 14 * minute;
        plan.apply(&mut r, &rollup(last + 5_000, 2, 1)).unwrap();
        assert_eq!(r.row_count(), 16, "an INVALID row joins the last bucket");
        assert_eq!(r.data[2][14], json!(12), "VALID added to the existing row");
        assert_eq!(
            (
                r.data[0][15].clone(),
                r.data[1][15].clone(),
                r.data[2][15].clone()
            ),
            (json!(last), json!("INVALID"), json!(1))
        );

        // The next minute opens a new bucket; the first one still overlaps the window.
        let next = last + minute;
        plan.apply(&mut r, &rollup(next + 1_000, 4, 0)).unwrap();
        let times = |r: &QueryResult| {
            r.data[0]
                .iter()
                .filter_map(Value::as_i64)
                .collect::<Vec<_>>()
        };
        assert_eq!(times(&r).first(), Some(&start));
        assert_eq!(times(&r).last(), Some(&next));
        assert_eq!(r.row_count(), 17);
        for _ in 0..100 {
            plan.apply(&mut r, &rollup(next + 2_000, 1, 0)).unwrap();
        }
        assert_eq!(r.row_count(), 17, "repeated seconds never grow the data");
        // A minute later the oldest bucket has left the 15-minute window.
        plan.apply(&mut r, &rollup(next + minute + 1_000, 1, 0))
            .unwrap();
        let after = times(&r);
        assert_eq!(
            after.first(),
            Some(&(start + minute)),
            "the window slid by one bucket"
        );
        assert!(
            after.windows(2).all(|w| w[0] <= w[1]),
            "time stays ascending"
        );
        let distinct: std::collections::BTreeSet<i64> = after.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            16,
            "bounded: 15 minutes plus the current one"
        );
    }

    #[test]
    fn dimension_breakdowns_add_per_group_and_keep_the_servers_order() {
        let q = count_query(json!({ "dataset": "validations", "dimensions": ["intent"],
            "measures": [{ "field": "*", "agg": "count" }] }));
        let plan = patch(&q, None);
        let mut r = result(
            &[
                ("intent", ColumnType::String),
                ("count", ColumnType::Integer),
            ],
            vec![
                vec![json!("billing"), json!("claims")],
                vec![json!(5), json!(4)],
            ],
        );
        plan.apply(&mut r, &rollup(0, 0, 3)).unwrap();
        assert_eq!(
            r.data,
            vec![
                vec![json!("claims"), json!("billing")],
                vec![json!(7), json!(5)]
            ],
            "count descending, like the server"
        );
    }

    #[test]
    fn queries_a_rollup_cannot_update_exactly_are_refetched() {
        let cases = [
            json!({ "dataset": "validations", "measures": [{ "field": "latency_ms", "agg": "p95" }] }),
            json!({ "dataset": "validations", "measures": [{ "field": "confidence", "agg": "avg" }] }),
            json!({ "dataset": "sales", "measures": [{ "field": "*", "agg": "count" }] }),
            json!({ "dataset": "validations", "dimensions": ["intent"], "measures": [{ "field": "*", "agg": "count" }],
                    "filters": [{ "field": "status", "op": "eq", "value": "INVALID" }] }),
            json!({ "dataset": "validations", "dimensions": ["model"], "measures": [{ "field": "*", "agg": "count" }] }),
            json!({ "dataset": "validations", "dimensions": ["intent"], "measures": [{ "field": "*", "agg": "count" }], "limit": 3 }),
        ];
        for case in cases {
            assert_eq!(
                plan(&count_query(case.clone()), &[], None, None),
                LiveUpdate::Refetch,
                "{case}"
            );
        }
        let q = count_query(
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }] }),
        );
        let viewer_filter = Filter::eq("intent", json!("billing"));
        assert_eq!(
            plan(&q, &[viewer_filter], None, None),
            LiveUpdate::Refetch,
            "tenant-wide rollups cannot honour a viewer's filter"
        );
        let _ = Measure::new("*", Aggregation::Count);
    }

    #[test]
    fn zoned_hours_days_and_calendar_buckets_are_refetched() {
        let series = |g: &str| {
            count_query(
                json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "granularity": g }),
            )
        };
        assert!(matches!(
            plan(&series("1d"), &[], None, None),
            LiveUpdate::Patch(_)
        ));
        assert!(matches!(
            plan(&series("1d"), &[], None, Some("UTC")),
            LiveUpdate::Patch(_)
        ));
        assert!(matches!(
            plan(&series("5m"), &[], None, Some("Asia/Kolkata")),
            LiveUpdate::Patch(_)
        ));
        for (g, zone) in [
            ("1d", Some("Asia/Tokyo")),
            ("1h", Some("Asia/Kolkata")),
            ("1w", None),
            ("1mo", None),
        ] {
            assert_eq!(
                plan(&series(g), &[], None, zone),
                LiveUpdate::Refetch,
                "{g} {zone:?}"
            );
        }
        let mut zoned = series("1d");
        zoned.time_zone = Some("Europe/Berlin".into());
        assert_eq!(plan(&zoned, &[], None, None), LiveUpdate::Refetch);
        let today = count_query(
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }], "timeRange": { "preset": "today" } }),
        );
        let range = today.time_range;
        assert_eq!(
            plan(&today, &[], range.as_ref(), None),
            LiveUpdate::Refetch,
            "today's start moves at midnight"
        );
    }

    #[test]
    fn fixed_ranges_ignore_seconds_outside_them() {
        let q = count_query(
            json!({ "dataset": "agent_events", "measures": [{ "field": "cost_usd", "agg": "sum" }] }),
        );
        let plan = patch(&q, Some(&TimeRange::absolute(0, 10_000)));
        let mut r = result(
            &[("sum_cost_usd", ColumnType::Float)],
            vec![vec![json!(1.5)]],
        );
        let mut m = rollup(20_000, 1, 0);
        m.agent_cost_usd = 0.25;
        plan.apply(&mut r, &m).unwrap();
        assert_eq!(r.data[0][0], json!(1.5));
        m.ts = 9_000;
        plan.apply(&mut r, &m).unwrap();
        assert_eq!(r.data[0][0], json!(1.75));
    }

    #[test]
    fn a_result_without_the_expected_columns_is_an_error() {
        let q = count_query(
            json!({ "dataset": "validations", "measures": [{ "field": "*", "agg": "count" }] }),
        );
        let mut r = result(&[("n", ColumnType::Integer)], vec![vec![json!(1)]]);
        assert_eq!(
            patch(&q, None).apply(&mut r, &rollup(0, 1, 0)),
            Err(MissingColumn("count".into()))
        );
    }

    #[test]
    fn recent_rollups_drop_replays_and_select_what_a_snapshot_may_lack() {
        let mut recent = RecentRollups::default();
        assert!(recent.push(1, rollup(1_000, 1, 0)));
        assert!(recent.push(2, rollup(2_000, 1, 0)));
        assert!(
            !recent.push(2, rollup(2_000, 1, 0)),
            "a replayed seq is a duplicate"
        );
        assert!(!recent.push(1, rollup(1_000, 1, 0)));
        assert!(recent.push(3, rollup(3_000, 1, 0)));
        // A snapshot read at 2.5 s contains second 1 for sure; seconds 2 and 3 may be missing.
        let ts: Vec<i64> = recent.after_snapshot(2_500).map(|r| r.ts).collect();
        assert_eq!(ts, vec![2_000, 3_000]);
        for seq in 4..400 {
            recent.push(seq, rollup(seq as i64 * 1_000, 1, 0));
        }
        assert_eq!(recent.after_snapshot(0).count(), RECENT_ROLLUPS, "bounded");
    }
}
