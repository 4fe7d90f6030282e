//! Rollups answer exactly what the events table answers: every query below runs both ways
//! over the same rows (random values, NULLs, ranges that start and end mid-hour, filters,
//! zones) and the results must match, before and after rows are added and deleted.

use super::*;
use crate::datasets::{catalog, rollups, rows};
use crate::db::Db;
use serde_json::json;

const TENANT: &str = "t1";
/// 2024-10-05T00:00:00Z, a Saturday (weeks and months start inside the data).
const START: i64 = 1_728_086_400_000;
const H: i64 = rollups::HOUR;
const D: i64 = rollups::DAY;

fn input() -> vantage_contract::DatasetInput {
    serde_json::from_value(json!({
        "name": "Orders",
        "timeField": "ts",
        "fields": [
            {"name": "ts", "type": "time"},
            {"name": "region", "type": "string", "role": "dimension"},
            {"name": "product", "type": "string", "role": "dimension"},
            {"name": "rush", "type": "boolean", "role": "dimension"},
            {"name": "order_id", "type": "string", "role": "dimension"},
            {"name": "amount", "type": "number", "role": "measure"},
            {"name": "units", "type": "number", "role": "measure", "format": "integer"}
        ]
    }))
    .unwrap()
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn row(rng: &mut Rng, ts: i64) -> Vec<SqlValue> {
    let region = ["north", "south", "east"];
    let pick = rng.below(4) as usize;
    vec![
        SqlValue::Integer(ts),
        region
            .get(pick)
            .map_or(SqlValue::Null, |r| SqlValue::Text((*r).into())),
        SqlValue::Text(["a", "b", "c"][rng.below(3) as usize].into()),
        SqlValue::Integer(rng.below(2) as i64),
        SqlValue::Text(format!("o{}", rng.next())),
        if rng.below(10) == 0 {
            SqlValue::Null
        } else {
            SqlValue::Real(rng.below(100_000) as f64 / 100.0)
        },
        SqlValue::Integer(rng.below(50) as i64 - 5),
    ]
}

/// `n` random rows (seed `seed`) over the two days from `START`.
fn two_days(seed: u64, n: usize) -> Vec<Vec<SqlValue>> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let ts = START + rng.below(2 * D as u64) as i64;
            row(&mut rng, ts)
        })
        .collect()
}

const COLUMNS: [&str; 7] = [
    "ts", "region", "product", "rush", "order_id", "amount", "units",
];

fn insert(c: &Conn, source: &Source, rows_: &[Vec<SqlValue>]) {
    let tx = c.transaction().unwrap();
    rows::insert(&tx, source, &COLUMNS, rows_).unwrap();
    tx.commit().unwrap();
}

/// Runs every pending rollup step, as if long after the data.
fn settle(c: &Conn) -> usize {
    let mut n = 0;
    // Marks carry the real time they were made at.
    while rollups::step(c, crate::db::now_ms() + 1_000, 0).unwrap() {
        n += 1;
        assert!(n < 10_000, "the steps must come to an end");
    }
    n
}

fn query(v: serde_json::Value) -> Query {
    let mut v = v;
    v["dataset"] = json!("orders");
    serde_json::from_value(v).unwrap()
}

/// Equal, up to the order sums of floats are added in: a sum to a billionth, and an average
/// (rounded to 4 decimals) to one unit of its last decimal, which the order can tip over a
/// rounding edge. The data's amounts are whole cents, so a missed or doubled row differs by
/// far more.
fn close(column: &str, a: &Value, b: &Value) -> bool {
    let slack = if column.starts_with("avg_") {
        1.01e-4
    } else {
        0.0
    };
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= (1e-9 * x.abs().max(y.abs()).max(1.0)).max(slack),
        _ => a == b,
    }
}

/// Runs `q` from the events table and as planned; asserts the results match and returns
/// whether the rollups were used.
fn both(c: &Conn, source: &Source, q: &Query) -> bool {
    q.validate(&source.schema).unwrap();
    let tz = zone::parse(q.time_zone.as_deref()).unwrap();
    let filters: Vec<&Filter> = q.filters.iter().collect();
    let range = q.time_range.map(|t| t.resolve_with(START + 10 * D, |n| n));
    let raw = run_planned(
        c,
        source,
        q,
        &filters,
        range,
        tz,
        None,
        MAX_PERCENTILE_VALUES,
    )
    .unwrap();
    let plan = rollups::plan(c, source, q, &filters, range, tz).unwrap();
    let got = run_planned(
        c,
        source,
        q,
        &filters,
        range,
        tz,
        plan.as_ref(),
        MAX_PERCENTILE_VALUES,
    )
    .unwrap();
    let what = serde_json::to_string(q).unwrap();
    assert_eq!(got.columns, raw.columns, "{what}");
    assert_eq!(got.meta.total_rows, raw.meta.total_rows, "{what}");
    assert_eq!(got.data.len(), raw.data.len(), "{what}");
    for ((gc, rc), column) in got.data.iter().zip(&raw.data).zip(&raw.columns) {
        assert_eq!(gc.len(), rc.len(), "{what}");
        for (g, r) in gc.iter().zip(rc) {
            assert!(
                close(&column.name, g, r),
                "{what}: {g} vs {r}\nplan {plan:?}"
            );
        }
    }
    plan.is_some()
}

const ALL: &str = r#"[
    {"field": "*", "agg": "count"}, {"field": "amount", "agg": "count"},
    {"field": "amount", "agg": "sum"}, {"field": "amount", "agg": "avg"},
    {"field": "amount", "agg": "min"}, {"field": "amount", "agg": "max"},
    {"field": "units", "agg": "sum"}, {"field": "units", "agg": "avg"}
]"#;

fn all() -> serde_json::Value {
    serde_json::from_str(ALL).unwrap()
}

/// Every percentile of `units` (50 distinct values, so counted) beside a count and an average.
fn percentiles() -> serde_json::Value {
    json!([
        {"field": "units", "agg": "p50"}, {"field": "units", "agg": "p95"},
        {"field": "units", "agg": "p99"}, {"field": "*", "agg": "count"},
        {"field": "units", "agg": "avg"}
    ])
}

/// Queries the rollups answer, each with its range.
fn answered() -> Vec<Query> {
    let edges = json!({"from": START + 3 * H / 2 + 7, "to": START + 3 * D + 37 * H / 2});
    let mut out = vec![
        query(json!({"measures": all()})),
        query(json!({"measures": all(), "timeRange": edges})),
        query(json!({"measures": all(), "dimensions": ["region"], "timeRange": edges})),
        query(json!({"measures": all(), "dimensions": ["region", "rush"],
            "sort": [{"field": "sum_amount", "dir": "desc"}], "limit": 3, "timeRange": edges})),
        query(json!({"measures": all(), "granularity": "1d", "timeRange": edges})),
        query(
            json!({"measures": all(), "granularity": "1h", "dimensions": ["product"],
            "timeRange": edges}),
        ),
        query(json!({"measures": all(), "granularity": "1w"})),
        query(json!({"measures": all(), "granularity": "1mo", "dimensions": ["region"]})),
        query(
            json!({"measures": all(), "granularity": "1d", "timeZone": "Europe/Berlin",
            "timeRange": edges}),
        ),
        query(
            json!({"measures": all(), "granularity": "1h", "timeZone": "America/New_York",
            "dimensions": ["region"], "timeRange": edges}),
        ),
        query(json!({"measures": all(), "timeZone": "Asia/Kolkata", "timeRange": edges})),
        // Percentiles of a repeating measure (whole units) read its value counts.
        query(json!({"measures": percentiles(), "timeRange": edges})),
        query(json!({"measures": percentiles(), "granularity": "1d", "timeRange": edges})),
        query(
            json!({"measures": percentiles(), "granularity": "1h", "timeZone": "America/New_York",
            "timeRange": edges}),
        ),
        query(json!({"measures": percentiles(), "granularity": "1w"})),
        // The groups and the other measures from the rollups, the percentiles' values from the
        // events: `amount` (cents up to 1,000) hardly repeats, so its values are not counted,
        // and value counts have no dimensions.
        query(json!({"measures": [{"field": "amount", "agg": "p95"}], "timeRange": edges})),
        query(json!({"measures": percentiles(), "dimensions": ["region"], "timeRange": edges})),
        query(
            json!({"measures": percentiles(), "dimensions": ["product"], "granularity": "1d",
            "timeRange": edges}),
        ),
        query(json!({"measures": percentiles(), "timeRange": edges,
            "filters": [{"field": "product", "op": "eq", "value": "a"}]})),
        // Distinct counts of kept dimensions, beside the group or not.
        query(
            json!({"measures": [{"field": "region", "agg": "count_distinct"},
            {"field": "product", "agg": "count_distinct"}, {"field": "*", "agg": "count"}],
            "timeRange": edges}),
        ),
        query(
            json!({"measures": [{"field": "product", "agg": "count_distinct"},
            {"field": "region", "agg": "count_distinct"}],
            "dimensions": ["region"], "granularity": "1d", "timeRange": edges}),
        ),
        query(
            json!({"measures": [{"field": "product", "agg": "count_distinct"}],
            "filters": [{"field": "rush", "op": "eq", "value": true}], "timeRange": edges}),
        ),
        // A range with no rows: a count of 0, no sums.
        query(
            json!({"measures": all(), "timeRange": {"from": START + 100 * D, "to": START + 103 * D}}),
        ),
    ];
    for filter in [
        json!({"field": "region", "op": "eq", "value": "north"}),
        json!({"field": "region", "op": "neq", "value": "north"}),
        json!({"field": "region", "op": "in", "values": ["north", "east"]}),
        json!({"field": "region", "op": "not_in", "values": ["north"]}),
        json!({"field": "region", "op": "contains", "value": "OR"}),
        json!({"field": "rush", "op": "eq", "value": true}),
        json!({"field": "rush", "op": "neq", "value": false}),
    ] {
        out.push(query(json!({"measures": all(), "dimensions": ["product"],
            "granularity": "1d", "filters": [filter], "timeRange": edges})));
    }
    out
}

/// Queries they leave to the events table.
fn not_answered() -> Vec<Query> {
    let range = json!({"from": START, "to": START + 4 * D});
    vec![
        // A distinct count of a dimension the rollups leave out (an id).
        query(
            json!({"measures": [{"field": "order_id", "agg": "count_distinct"}], "timeRange": range}),
        ),
        query(json!({"measures": all(), "granularity": "15m", "timeRange": range})),
        query(
            json!({"measures": all(), "granularity": "1d", "timeZone": "Asia/Kolkata",
            "timeRange": range}),
        ),
        query(
            json!({"measures": all(), "filters": [{"field": "amount", "op": "gt", "value": 10}],
            "timeRange": range}),
        ),
        // Inside one hour: nothing whole to read from a rollup.
        query(
            json!({"measures": all(), "timeRange": {"from": START + 5 * H + 1, "to": START + 6 * H - 1}}),
        ),
    ]
}

/// Grouped percentiles against the same values sorted here, by group: the server sorts each
/// group's values itself as they arrive in any order, so a row filed under the wrong group, a
/// count not summed or a group lost shows here (both ways of [`both`] share that code).
fn percentiles_by_hand(c: &Conn) {
    let source = catalog::create(c, TENANT, "byhand", &input(), START).unwrap();
    let data = two_days(0x51ed_270b_2764_1e33, 3_000);
    insert(c, &source, &data);
    settle(c);
    let text = |v: &SqlValue| match v {
        SqlValue::Text(t) => json!(t),
        _ => Value::Null,
    };
    for (daily, dims, field, at) in [
        (false, vec!["region"], "amount", 5),
        (false, vec!["region", "product"], "amount", 5),
        (false, vec!["product", "region"], "units", 6),
        (true, vec!["region"], "units", 6),
        (true, vec![], "units", 6),
    ] {
        let mut by_key: HashMap<Vec<Value>, Vec<f64>> = HashMap::new();
        for r in &data {
            let day = match r[0] {
                SqlValue::Integer(ts) => json!(ts / D * D),
                _ => unreachable!("times are integers"),
            };
            let key = daily
                .then_some(day)
                .into_iter()
                .chain(
                    dims.iter()
                        .map(|d| text(&r[COLUMNS.iter().position(|c| c == d).unwrap()])),
                )
                .collect();
            let v = match &r[at] {
                SqlValue::Real(x) => Some(*x),
                SqlValue::Integer(i) => Some(*i as f64),
                _ => None,
            };
            let values = by_key.entry(key).or_default();
            values.extend(v);
        }
        let mut q = query(json!({"dimensions": dims, "measures": [
            {"field": field, "agg": "p50"}, {"field": field, "agg": "p95"},
            {"field": field, "agg": "p99"}]}));
        if daily {
            q.granularity = Some(vantage_contract::query::Granularity::Day);
        }
        q.dataset = "byhand".into();
        q.validate(&source.schema).unwrap();
        // From the rows, then (the rollups made) as planned: the daily percentiles without a
        // dimension read the days' value counts.
        let plan = rollups::plan(c, &source, &q, &[], None, Tz::UTC).unwrap();
        let plan = plan.expect("the rollups give the groups");
        let counted = daily && dims.is_empty();
        assert_eq!(plan.counted.is_empty(), !counted, "{dims:?}");
        let plan = Some(&plan);
        for plan in [None, plan] {
            let got = run_planned(
                c,
                &source,
                &q,
                &[],
                None,
                Tz::UTC,
                plan,
                MAX_PERCENTILE_VALUES,
            )
            .unwrap();
            let n = dims.len() + usize::from(daily);
            assert_eq!(got.row_count(), by_key.len(), "{dims:?}");
            for r in 0..got.row_count() {
                let key: Vec<Value> = (0..n).map(|i| got.data[i][r].clone()).collect();
                let mut values = by_key[&key].clone();
                values.sort_by(f64::total_cmp);
                for (m, p) in [0.5, 0.95, 0.99].into_iter().enumerate() {
                    let want = percentile(&values, p).map(|x| (x * 1000.0).round() / 1000.0);
                    assert_eq!(got.data[n + m][r].as_f64(), want, "{dims:?} {key:?} p{p}");
                }
            }
        }
    }
    assert!(catalog::delete(c, TENANT, "byhand").unwrap());
}

/// The percentile limit is on the distinct values a measure holds, not on the rows read: 3,000
/// rows of 50 whole `units` (by region: at most 200 values) are answered under a limit of 250
/// from the rows and of 120 from the days' value counts (100 values), and refused, naming the
/// measure, one step below what they hold; `amount`'s thousands of distinct cents are refused.
fn percentile_limit(c: &Conn) {
    let source = catalog::create(c, TENANT, "limited", &input(), START).unwrap();
    insert(c, &source, &two_days(0x0dd_ba11_5eed, 3_000));
    settle(c);
    let mut q = query(json!({"dimensions": ["region"], "measures": [
        {"field": "amount", "agg": "sum"}, {"field": "units", "agg": "p95"}]}));
    q.dataset = "limited".into();
    let run = |q: &Query, plan: Option<&rollups::Plan>, limit| {
        q.validate(&source.schema).unwrap();
        run_planned(c, &source, q, &[], None, Tz::UTC, plan, limit)
    };
    let refused = |got: AppResult<QueryResult>, field: &str| {
        let e = got.expect_err("over the limit");
        assert_eq!(e.details, Some(json!({ "field": field })), "{}", e.message);
    };
    let held = |got: &QueryResult| {
        (0..got.row_count())
            .filter(|&r| got.data[2][r].is_number())
            .count()
    };
    let all = run(&q, None, MAX_PERCENTILE_VALUES).unwrap();
    assert_eq!(held(&all), 4, "three regions and the rows without one");
    // The groups from the events or from the rollups, the values from the events either way.
    let planned = rollups::plan(c, &source, &q, &[], None, Tz::UTC).unwrap();
    assert!(planned.is_some(), "the rollups give the groups");
    for plan in [None, planned.as_ref()] {
        let under = run(&q, plan, 250).unwrap();
        assert_eq!(under.data, all.data);
        refused(run(&q, plan, 150), "measures[1]");
    }
    let by_amount = query(json!({"dimensions": ["region"], "measures": [
        {"field": "amount", "agg": "p50"}]}));
    let by_amount = Query {
        dataset: "limited".into(),
        ..by_amount
    };
    refused(run(&by_amount, None, 250), "measures[0]");
    // Daily, without a dimension: the plan reads the days' value counts of `units`.
    let mut daily = query(json!({"measures": [{"field": "units", "agg": "p99"}]}));
    daily.dataset = "limited".into();
    daily.granularity = Some(vantage_contract::query::Granularity::Day);
    daily.validate(&source.schema).unwrap();
    let plan = rollups::plan(c, &source, &daily, &[], None, Tz::UTC).unwrap();
    assert!(plan.is_some(), "the days' value counts answer it");
    let from_counts = run(&daily, plan.as_ref(), 120).unwrap();
    assert_eq!(from_counts.row_count(), 2);
    assert_eq!(from_counts.data, run(&daily, None, 120).unwrap().data);
    refused(run(&daily, plan.as_ref(), 80), "measures[0]");
    assert!(catalog::delete(c, TENANT, "limited").unwrap());
}

/// A statement running past [`Conn::within`]'s limit is stopped, and answered as `422` naming
/// `timeRange`; the limit is lifted afterwards, and a query inside it is answered.
fn time_limit(c: &Conn) {
    // Far longer than the limit on either storage (seconds of counting).
    let long =
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 100000000) \
                SELECT COUNT(*) FROM k";
    let limit = Some(std::time::Duration::from_millis(50));
    let e = c
        .within(limit, |c| c.query_row(long, (), |r| r.get::<i64>(0)))
        .unwrap_err();
    assert!(e.is_cancelled(), "{e}");
    let e = AppError::from(e);
    assert_eq!(e.code, vantage_contract::ErrorCode::ValidationFailed);
    assert_eq!(
        e.details,
        Some(json!({ "field": "timeRange" })),
        "{}",
        e.message
    );
    // Lifted: on SQLite the deadline has passed, so any statement of more than a few thousand
    // steps would be stopped; PostgreSQL shows its setting.
    match c.dialect() {
        crate::sql::Dialect::Sqlite => {
            let counted = "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k \
                           WHERE i < 100000) SELECT COUNT(*) FROM k";
            assert_eq!(
                c.query_row(counted, (), |r| r.get::<i64>(0)).unwrap(),
                100_000
            );
        }
        crate::sql::Dialect::Postgres => {
            let setting = c.query_row("SHOW statement_timeout", (), |r| r.get::<String>(0));
            assert_eq!(setting.unwrap(), "0");
        }
    }
    // One deadline for all of a query's statements: quick statements one after another are
    // stopped once their sum passes the limit (on PostgreSQL each used to get the whole limit).
    let quick = match c.dialect() {
        crate::sql::Dialect::Sqlite => {
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 200000) \
             SELECT COUNT(*) FROM k"
        }
        crate::sql::Dialect::Postgres => "SELECT 1 FROM pg_sleep(0.02)",
    };
    let mut ran = 0;
    let e = c
        .within(Some(std::time::Duration::from_millis(100)), |c| {
            for _ in 0..100 {
                c.query_row(quick, (), |r| r.get::<i64>(0))?;
                ran += 1;
            }
            Ok::<(), crate::sql::Error>(())
        })
        .expect_err("stopped before a hundred statements");
    assert!(e.is_cancelled(), "{e}");
    assert!(ran < 100, "{ran}");
    let source = catalog::create(c, TENANT, "timed", &input(), START).unwrap();
    insert(c, &source, &two_days(7, 500));
    let mut q = query(json!({"dimensions": ["region"], "measures": [
        {"field": "*", "agg": "count"}, {"field": "units", "agg": "p95"}]}));
    q.dataset = "timed".into();
    let got = c
        .within(Some(std::time::Duration::from_secs(60)), |c| {
            run(c, TENANT, &q, &[], START + 3 * D)
        })
        .unwrap();
    let counted: i64 = got.data[1].iter().filter_map(Value::as_i64).sum();
    assert_eq!(counted, 500);
    assert!(catalog::delete(c, TENANT, "timed").unwrap());
}

fn check_all(c: &Conn, source: &Source, expect_rollups: bool) {
    for q in answered() {
        let used = both(c, source, &q);
        assert_eq!(
            used,
            expect_rollups,
            "{}",
            serde_json::to_string(&q).unwrap()
        );
    }
    for q in not_answered() {
        assert!(
            !both(c, source, &q),
            "{}",
            serde_json::to_string(&q).unwrap()
        );
    }
}

fn count(c: &Conn, source: &Source) -> Value {
    let q = query(json!({"measures": [{"field": "*", "agg": "count"}]}));
    let filters = [];
    let plan = rollups::plan(c, source, &q, &filters, None, Tz::UTC).unwrap();
    run_planned(
        c,
        source,
        &q,
        &filters,
        None,
        Tz::UTC,
        plan.as_ref(),
        MAX_PERCENTILE_VALUES,
    )
    .unwrap()
    .data[0][0]
        .clone()
}

/// The scenario both storages go through.
fn scenario(c: &Conn) {
    let source = catalog::create(c, TENANT, "orders", &input(), START).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let data: Vec<Vec<SqlValue>> = (0..40_000)
        .map(|_| {
            let ts = START - 2 * D + rng.below(9 * D as u64) as i64;
            row(&mut rng, ts)
        })
        .collect();
    insert(c, &source, &data);
    // Before the background work: nothing is made yet, every query reads the rows.
    check_all(c, &source, false);
    assert!(settle(c) > 100, "hours and days are built");
    check_all(c, &source, true);
    assert_eq!(count(c, &source), json!(40_000));

    // New rows in hours that were clean: read from the rows until rebuilt.
    let more: Vec<Vec<SqlValue>> = [START + 26 * H + 5, START + 26 * H + 9, START + 50 * H]
        .iter()
        .map(|&ts| row(&mut rng, ts))
        .collect();
    insert(c, &source, &more);
    check_all(c, &source, true);
    assert_eq!(count(c, &source), json!(40_003));
    settle(c);
    check_all(c, &source, true);

    // Deleted rows (part of a day, and retention before a time) leave the rollups too.
    rows::delete_range(c, &source, START + D + 90 * 60_000, START + 2 * D + 7).unwrap();
    check_all(c, &source, true);
    let deleted = rows::delete_older(c, &source, START - D + 5 * H / 2, 10_000).unwrap();
    assert!(deleted > 0);
    check_all(c, &source, true);
    settle(c);
    check_all(c, &source, true);

    // A changed definition: the rollups are made again before they are read.
    let mut changed = input();
    changed.fields.push(
        serde_json::from_value(json!({"name": "channel", "type": "string", "role": "dimension"}))
            .unwrap(),
    );
    let source = catalog::update(c, &source, &changed, START).unwrap();
    check_all(c, &source, false);
    settle(c);
    check_all(c, &source, true);

    // A deleted dataset takes its rollups with it.
    assert!(catalog::delete(c, TENANT, "orders").unwrap());
    let left: i64 = c
        .query_row("SELECT COUNT(*) FROM rollup_buckets", (), |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

/// A dataset too sparse to roll up: a row or two per hour, each its own group. No bucket is
/// kept (it would be as many rows as it rolls up), and queries read the rows.
fn sparse(c: &Conn) {
    let source = catalog::create(c, TENANT, "sparse", &input(), START).unwrap();
    let mut rng = Rng(7);
    let data: Vec<Vec<SqlValue>> = (0..200)
        .map(|i| row(&mut rng, START + i * H + 60_000))
        .collect();
    insert(c, &source, &data);
    settle(c);
    let kept: i64 = c
        .query_row(
            &format!(
                "SELECT (SELECT COUNT(*) FROM {}) + (SELECT COUNT(*) FROM {}) \
                 + (SELECT COUNT(*) FROM {}) + (SELECT COUNT(*) FROM {})",
                rollups::table(&source, H),
                rollups::table(&source, D),
                rollups::totals_table(&source, H),
                rollups::totals_table(&source, D)
            ),
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 0);
    let mut q = query(json!({"measures": all(), "dimensions": ["region"], "granularity": "1d"}));
    q.dataset = "sparse".into();
    both(c, &source, &q);
    assert!(catalog::delete(c, TENANT, "sparse").unwrap());
}

/// Hours with too few rows per value of `units` to count them (a marker each) in days that have
/// enough: a percentile reads the days' counts and the hours' rows, and still matches.
fn marked(c: &Conn) {
    let source = catalog::create(c, TENANT, "marked", &input(), START).unwrap();
    // Rolled up while empty: every dimension and measure is kept until rows show otherwise.
    settle(c);
    let mut rng = Rng(3);
    // 60 rows an hour over eight days (enough rows to judge the fields by): ~35 distinct units
    // an hour, all 50 in a day.
    // One region and product and no order ids, so every bucket rolls up: what makes the
    // dataset be judged again (it was made empty, so everything was kept) is `amount`,
    // different on nearly every row, failing to count in a bucket.
    let data: Vec<Vec<SqlValue>> = (0..8 * 24 * 60)
        .map(|i| {
            let mut r = row(&mut rng, START + i * 60_000 + 17);
            r[1] = SqlValue::Text("north".into());
            r[2] = SqlValue::Text("a".into());
            r[4] = SqlValue::Null;
            r
        })
        .collect();
    insert(c, &source, &data);
    settle(c);
    // Judged again from its rows: `amount` (cents) hardly repeats, so only `units` is counted
    // (as `#m` 0).
    let counted: String = c
        .query_row(
            "SELECT measures FROM rollup_state WHERE ds = ?1",
            [source.pk],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counted, r#"["units"]"#);
    let markers = |span| -> i64 {
        c.query_row(
            &format!(
                "SELECT COUNT(*) FROM {} WHERE \"#n\" = 0 AND \"#m\" = 0",
                rollups::values_table(&source, span)
            ),
            (),
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(markers(H) > 0, "60 rows an hour are not 4 per value of 50");
    assert_eq!(markers(D), 0, "days do");
    for q in [
        json!({"measures": percentiles(), "timeRange": {"from": START + 5 * H + 3, "to": START + 6 * D + 7 * H}}),
        json!({"measures": percentiles(), "granularity": "1d"}),
        json!({"measures": percentiles(), "granularity": "1h",
            "timeRange": {"from": START + 20 * H, "to": START + 30 * H}}),
    ] {
        let mut q = query(q);
        q.dataset = "marked".into();
        assert!(
            both(c, &source, &q),
            "{}",
            serde_json::to_string(&q).unwrap()
        );
    }
    assert!(catalog::delete(c, TENANT, "marked").unwrap());
}

/// A dataset made empty (every dimension kept) that then fills with an id per row: the first
/// buckets show the id does not roll up, and the dimensions are chosen again from the rows.
fn growing(c: &Conn) {
    let source = catalog::create(c, TENANT, "growing", &input(), START).unwrap();
    settle(c);
    let dims = || -> String {
        c.query_row(
            "SELECT dims FROM rollup_state WHERE ds = ?1",
            [source.pk],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(dims().contains("order_id"), "{}", dims());
    let data = two_days(11, 12_000);
    insert(c, &source, &data);
    settle(c);
    assert_eq!(dims(), r#"["region","product","rush"]"#);
    let mut q = query(
        json!({"measures": all(), "dimensions": ["region"], "granularity": "1h",
        "timeRange": {"from": START, "to": START + 2 * D}}),
    );
    q.dataset = "growing".into();
    assert!(both(c, &source, &q));
    assert!(catalog::delete(c, TENANT, "growing").unwrap());
}

/// A dataset made empty that fills with rows whose fields all roll up, after a few sparse
/// hours that do not: the sparse hours make it be judged again, the choice comes out the same,
/// and nothing already rolled up is made again.
fn judged_in_place(c: &Conn) {
    let source = catalog::create(c, TENANT, "in_place", &input(), START).unwrap();
    settle(c);
    let mut rng = Rng(5);
    // Three hours of one row each (never worth a rollup), older than the rest, so they are
    // rebuilt after every dense hour.
    let mut data: Vec<Vec<SqlValue>> = (0..3).map(|i| row(&mut rng, START + i * H)).collect();
    for r in &mut data {
        r[4] = SqlValue::Null;
    }
    // 100 hours of 120 rows: 24 combinations, 10 amounts and 5 units each, no order ids.
    data.extend((0..12_000).map(|i| {
        let mut r = row(&mut rng, START + D + i * 30_000);
        r[4] = SqlValue::Null;
        r[5] = SqlValue::Real((i % 10) as f64);
        r[6] = SqlValue::Integer(i % 5);
        r
    }));
    insert(c, &source, &data);
    let steps = settle(c);
    let (dims, measures, sampled): (String, String, i64) = c
        .query_row(
            "SELECT dims, measures, sampled FROM rollup_state WHERE ds = ?1",
            [source.pk],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(dims, r#"["region","product","rush","order_id"]"#);
    assert_eq!(measures, r#"["amount","units"]"#);
    assert_eq!(sampled, 12_003, "judged again from its rows");
    // 103 hours and 6 days once; making the tables afresh would have rebuilt them all again.
    assert!(steps <= 115, "{steps} steps");
    let mut q = query(json!({"measures": percentiles(), "granularity": "1d"}));
    q.dataset = "in_place".into();
    assert!(both(c, &source, &q));
    assert!(catalog::delete(c, TENANT, "in_place").unwrap());
}

#[test]
fn rollups_answer_what_the_events_table_answers_through_writes_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("t.db")).unwrap();
    db.write_blocking(|c| {
        scenario(c);
        sparse(c);
        growing(c);
        marked(c);
        judged_in_place(c);
        percentiles_by_hand(c);
        percentile_limit(c);
        time_limit(c);
        Ok(())
    })
    .unwrap();
}

/// For the PostgreSQL harness the integration tests use (it asks its parent for a port).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[path = "../tests/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;

#[test]
fn on_postgresql_too() {
    // A failing statement's text reaches the test's output (an internal error only logs it).
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let pg = postgres::Postgres::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = crate::db::DatabaseUrl::parse(&pg.url()).unwrap();
        let db = Db::connect(&url).await.unwrap();
        db.prepare_schema().await.unwrap();
        db.write(|c| {
            scenario(c);
            sparse(c);
            growing(c);
            marked(c);
            judged_in_place(c);
            percentiles_by_hand(c);
            percentile_limit(c);
            time_limit(c);
            Ok(())
        })
        .await
        .unwrap();
        // A schema a newer version migrated to is refused, and noticed by the rollups' guard.
        let newer = db
            .write(|c| {
                let newer = crate::db::pg_schema::MIGRATIONS.len() as i64 + 1;
                c.execute("INSERT INTO vantage_schema (version) VALUES (?1)", [newer])?;
                Ok(crate::db::newer_schema(c)?)
            })
            .await
            .unwrap();
        assert!(newer.is_some());
        let e = db.prepare_schema().await.unwrap_err();
        assert!(
            e.message.contains("newer than this vantage-server knows"),
            "{}",
            e.message
        );
    });
}
