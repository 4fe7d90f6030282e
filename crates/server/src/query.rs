//! The query engine: turns a validated structured [`Query`] into parameterised SQL (SQLite or
//! PostgreSQL) over the dataset's events table (looked up by tenant and id, so it is scoped to
//! one tenant) and returns a columnar [`QueryResult`] whose columns carry the fields' labels and
//! units. When the dataset's pre-aggregated rollups can answer the query, whole days and hours
//! are read from them and only the rest from the events table ([`rollups`]); the answer is the
//! same either way (`query_rollup_tests.rs` runs every kind of query both ways, on both
//! storages), up to the order floating-point sums are added in.
//!
//! Any dataset works the same way: nothing here knows a dataset by name. Only identifiers from
//! the dataset schema reach the SQL text (quoted); every value is a bound parameter.
//! Percentiles are computed in Rust from each group's distinct values and how many times each
//! occurs, at most [`MAX_PERCENTILE_VALUES`] distinct values per measure (past it: 422 naming
//! the measure).

use crate::datasets::catalog::{self, quote, Source};
use crate::datasets::rollups;
use crate::error::{AppError, AppResult};
use crate::sql::Conn;
use crate::sql::Value as SqlValue;
use crate::zone;
use chrono_tz::Tz;
use serde_json::Value;
use std::collections::HashMap;
use vantage_contract::query::{MAX_LIMIT, TIME_COLUMN};
use vantage_contract::{
    Aggregation, Column, ColumnType, Filter, FilterOp, Query, QueryMeta, QueryResult, SortDir,
};

/// A WHERE clause with its parameters.
pub struct Where {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map_or_else(
            || SqlValue::Real(n.as_f64().unwrap_or(0.0)),
            SqlValue::Integer,
        ),
        _ => SqlValue::Null,
    }
}

/// JSON value of a database cell.
pub fn json_value(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => Value::from(*i),
        SqlValue::Real(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        SqlValue::Text(t) => Value::String(t.clone()),
        SqlValue::Blob(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
    }
}

/// SQLite stores booleans as 0/1: turn the cells of boolean columns back into `true`/`false`.
pub fn booleans_as_json(columns: &[Column], data: &mut [Vec<Value>]) {
    for (c, col) in columns.iter().zip(data.iter_mut()) {
        if c.column_type == ColumnType::Boolean {
            for v in col.iter_mut() {
                if let Some(i) = v.as_i64() {
                    *v = Value::Bool(i != 0);
                }
            }
        }
    }
}

/// Builds the time range + filters clause. Filters must already be validated.
pub fn where_clause(source: &Source, range: Option<(i64, i64)>, filters: &[&Filter]) -> Where {
    let time = source.time_column();
    let mut sql = String::from("1 = 1");
    let mut params = Vec::new();
    if let Some((from, to)) = range {
        sql.push_str(&format!(" AND {time} >= ? AND {time} < ?"));
        params.push(SqlValue::Integer(from));
        params.push(SqlValue::Integer(to));
    }
    for f in filters {
        let field = quote(&f.field);
        let ops = f.operands();
        let placeholders = vec!["?"; ops.len()].join(", ");
        let frag = match f.op {
            FilterOp::Eq => format!("{field} = ?"),
            FilterOp::Neq => format!("({field} IS NULL OR {field} != ?)"),
            FilterOp::In => format!("{field} IN ({placeholders})"),
            FilterOp::NotIn => format!("({field} IS NULL OR {field} NOT IN ({placeholders}))"),
            FilterOp::Gt => format!("{field} > ?"),
            FilterOp::Gte => format!("{field} >= ?"),
            FilterOp::Lt => format!("{field} < ?"),
            FilterOp::Lte => format!("{field} <= ?"),
            FilterOp::Between => format!("{field} BETWEEN ? AND ?"),
            FilterOp::Contains => format!("instr(lower({field}), lower(?)) > 0"),
        };
        sql.push_str(" AND ");
        sql.push_str(&frag);
        params.extend(ops.into_iter().map(sql_value));
    }
    Where { sql, params }
}

/// `1, 2, …, n`: the first `n` columns of a SELECT, for GROUP BY and ORDER BY.
fn positions(n: usize) -> String {
    (1..=n)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn aggregate_sql(field: &str, agg: Aggregation) -> String {
    let quoted = quote(field);
    let field = if field == "*" { "*" } else { quoted.as_str() };
    match (agg, field) {
        (Aggregation::Count, "*") => "COUNT(*)".into(),
        (Aggregation::Count, f) => format!("COUNT({f})"),
        (Aggregation::Sum, f) => format!("SUM({f})"),
        (Aggregation::Avg, f) => format!("ROUND(AVG({f}), 4)"),
        (Aggregation::Min, f) => format!("MIN({f})"),
        (Aggregation::Max, f) => format!("MAX({f})"),
        (Aggregation::CountDistinct, f) => format!("COUNT(DISTINCT {f})"),
        (Aggregation::P50 | Aggregation::P95 | Aggregation::P99, _) => "NULL".into(),
    }
}

/// The time column of the rows [`rollup_from`] reads (each rollup row's bucket start, each
/// event's time).
const ROLLUP_TIME: &str = "\"#t\"";

/// What a measure reads from [`rollup_from`]'s rows: counts and sums add up, an average is
/// the summed sum over the summed count (rounded like `aggregate_sql`'s), and extremes of
/// extremes. `COALESCE` keeps a count over no rows at 0, as `COUNT` is.
fn rollup_aggregate_sql(field: &str, agg: Aggregation) -> String {
    let c = |what| rollups::col(field, what);
    match (agg, field) {
        (Aggregation::Count, "*") => "COALESCE(SUM(\"#n\"), 0)".into(),
        (Aggregation::Count, _) => format!("COALESCE(SUM({}), 0)", c("c")),
        (Aggregation::Sum, _) => format!("SUM({})", c("s")),
        (Aggregation::Avg, _) => format!(
            "ROUND(SUM({}) * 1.0 / NULLIF(SUM({}), 0), 4)",
            c("s"),
            c("c")
        ),
        (Aggregation::Min, _) => format!("MIN({})", c("lo")),
        (Aggregation::Max, _) => format!("MAX({})", c("hi")),
        (Aggregation::CountDistinct, _) => format!("COUNT(DISTINCT {})", quote(field)),
        // Filled in afterwards from value counts (`fill_percentiles`).
        (Aggregation::P50 | Aggregation::P95 | Aggregation::P99, _) => "NULL".into(),
    }
}

/// `FROM` text (and its parameters) for a query the rollups answer: the rows of the day and
/// hour rollups in the plan's ranges and the events in its leftover ranges, each filtered, as
/// one table of `"#t"`, the query's dimensions, `"#n"` and each measure's sum, count, minimum
/// and maximum.
fn rollup_from(
    source: &Source,
    query: &Query,
    filters: &[&Filter],
    plan: &rollups::Plan,
) -> (String, Vec<SqlValue>) {
    let filter = where_clause(source, None, filters);
    // The fields whose sums, counts and extremes the measures read. A percentile is filled in
    // afterwards from value counts (its column here is NULL): carrying its field would make the
    // events' branch read every row's value instead of only the time index.
    let mut fields: Vec<&str> = query
        .measures
        .iter()
        .filter(|m| {
            m.field != "*" && m.agg != Aggregation::CountDistinct && m.agg.percentile().is_none()
        })
        .map(|m| m.field.as_str())
        .collect();
    fields.sort_unstable();
    fields.dedup();
    // Distinct counts (of kept dimensions) count the values in the rows read: a value is in a
    // bucket's rollup rows exactly when it is in the bucket's events.
    let mut distinct: Vec<&str> = query
        .measures
        .iter()
        .filter(|m| m.agg == Aggregation::CountDistinct && !query.dimensions.contains(&m.field))
        .map(|m| m.field.as_str())
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    let dims: Vec<String> = query
        .dimensions
        .iter()
        .map(String::as_str)
        .chain(distinct.iter().copied())
        .map(quote)
        .collect();
    // Nothing grouped, filtered or counted by a dimension: one row per bucket will do.
    let totals = dims.is_empty() && filters.is_empty();
    let whats = ["s", "c", "lo", "hi"];
    let mut branches = Vec::new();
    let mut params = Vec::new();
    for (span, ranges) in [(rollups::DAY, &plan.days), (rollups::HOUR, &plan.hours)] {
        if ranges.is_empty() {
            continue;
        }
        let mut cols = vec![ROLLUP_TIME.to_owned()];
        cols.extend(dims.iter().cloned());
        cols.push("\"#n\"".into());
        cols.extend(
            fields
                .iter()
                .flat_map(|f| whats.map(|w| rollups::col(f, w))),
        );
        let (within, range_params) = rollups::ranges_sql(ROLLUP_TIME, ranges);
        branches.push(format!(
            "SELECT {} FROM {} WHERE {within} AND {}",
            cols.join(", "),
            if totals {
                rollups::totals_table(source, span)
            } else {
                rollups::table(source, span)
            },
            filter.sql
        ));
        params.extend(range_params);
        params.extend(filter.params.iter().cloned());
    }
    if !plan.raw.is_empty() {
        let time = source.time_column();
        let mut cols = vec![format!("{time} AS {ROLLUP_TIME}")];
        cols.extend(dims.iter().cloned());
        cols.push("1 AS \"#n\"".into());
        for f in &fields {
            let q = quote(f);
            cols.push(format!("{q} AS {}", rollups::col(f, "s")));
            cols.push(format!(
                "CASE WHEN {q} IS NULL THEN 0 ELSE 1 END AS {}",
                rollups::col(f, "c")
            ));
            cols.push(format!("{q} AS {}", rollups::col(f, "lo")));
            cols.push(format!("{q} AS {}", rollups::col(f, "hi")));
        }
        let (within, range_params) = rollups::ranges_sql(&time, &plan.raw);
        branches.push(format!(
            "SELECT {} FROM {} WHERE {within} AND {}",
            cols.join(", "),
            source.table,
            filter.sql
        ));
        params.extend(range_params);
        params.extend(filter.params.iter().cloned());
    }
    (format!("({}) AS u", branches.join(" UNION ALL ")), params)
}

/// Runs `query` for `tenant` with `extra` filters (dashboard/locked filters whose field the
/// dataset has) at time `now`. Time buckets and `today` follow `query.timeZone` (see
/// [`crate::zone`]).
///
/// # Errors
/// 422 for an invalid query (an unknown `timeZone` included), 500 for database failures.
pub fn run(
    conn: &Conn,
    tenant: &str,
    query: &Query,
    extra: &[Filter],
    now: i64,
) -> AppResult<QueryResult> {
    let started = std::time::Instant::now();
    let source = catalog::find(conn, tenant, &query.dataset)?.ok_or_else(|| {
        AppError::field(
            "dataset",
            format!(
                "unknown dataset '{}' (it does not exist or was deleted)",
                query.dataset
            ),
        )
    })?;
    let source = &source;
    query.validate(&source.schema)?;
    let tz = zone::parse(query.time_zone.as_deref())?;
    let schema = &source.schema;
    let mut filters: Vec<&Filter> = query.filters.iter().collect();
    for f in extra {
        if schema.field_type(&f.field).is_some() {
            f.validate(schema).map_err(|e| e.within("filters"))?;
            filters.push(f);
        }
    }
    let range = query
        .time_range
        .map(|t| t.resolve_with(now, |n| zone::day_start(tz, n)));
    let mut result = run_range(conn, source, query, &filters, range, tz)?;
    if query.compare_previous {
        if let Some((from, to)) = range {
            let previous = run_range(
                conn,
                source,
                query,
                &filters,
                Some((from - (to - from), from)),
                tz,
            )?;
            append_previous(&mut result, &previous, query);
        }
    }
    result.meta.execution_ms = (started.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    Ok(result)
}

fn run_range(
    conn: &Conn,
    source: &Source,
    query: &Query,
    filters: &[&Filter],
    range: Option<(i64, i64)>,
    tz: Tz,
) -> AppResult<QueryResult> {
    let plan = rollups::plan(conn, source, query, filters, range, tz)?;
    run_planned(
        conn,
        source,
        query,
        filters,
        range,
        tz,
        plan.as_ref(),
        MAX_PERCENTILE_VALUES,
    )
}

/// [`run_range`] reading the rows where `plan` says: the rollups and the events table's
/// leftovers (see [`rollups`]), or the events table alone for `None`; a percentile measure may
/// hold up to `values_limit` distinct values ([`MAX_PERCENTILE_VALUES`]; tests lower it).
#[allow(clippy::too_many_arguments)]
fn run_planned(
    conn: &Conn,
    source: &Source,
    query: &Query,
    filters: &[&Filter],
    range: Option<(i64, i64)>,
    tz: Tz,
    plan: Option<&rollups::Plan>,
    values_limit: usize,
) -> AppResult<QueryResult> {
    let schema = &source.schema;
    let w = where_clause(source, range, filters);
    // The group keys over the events table (percentiles read it) and over what the query reads.
    let mut keys: Vec<String> = Vec::new();
    let mut read_keys: Vec<String> = Vec::new();
    let mut columns = Vec::new();
    if let Some(g) = query.granularity {
        keys.push(zone::bucket_sql(&source.time_column(), tz, g));
        read_keys.push(zone::bucket_sql(ROLLUP_TIME, tz, g));
        let label = schema
            .field(&schema.time_field)
            .map_or("Time", |f| f.display_label());
        columns.push(Column::new(TIME_COLUMN, ColumnType::Timestamp).with_label(label, None));
    }
    for d in &query.dimensions {
        keys.push(quote(d));
        read_keys.push(quote(d));
        let (ty, label) = schema
            .dimension(d)
            .map_or((ColumnType::String, d.as_str()), |x| {
                (x.column_type, x.label.as_str())
            });
        columns.push(Column::new(d.clone(), ty).with_label(label, None));
    }
    let (mut selects, from, params) = match plan {
        None => (
            keys.clone(),
            format!("{} WHERE {}", source.table, w.sql),
            w.params.clone(),
        ),
        Some(plan) => {
            let (from, params) = rollup_from(source, query, filters, plan);
            (read_keys.clone(), from, params)
        }
    };
    for m in &query.measures {
        selects.push(match plan {
            None => aggregate_sql(&m.field, m.agg),
            Some(_) => rollup_aggregate_sql(&m.field, m.agg),
        });
        let (label, unit) = measure_label(schema, m);
        columns.push(Column::new(m.output_name(), m.output_type(schema)).with_label(label, unit));
    }
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let mut order: Vec<String> = query
        .sort
        .iter()
        .filter_map(|s| {
            let pos = names.iter().position(|n| *n == s.field)? + 1;
            Some(format!(
                "{pos} {}",
                if s.dir == SortDir::Desc {
                    "DESC"
                } else {
                    "ASC"
                }
            ))
        })
        .collect();
    if order.is_empty() {
        if query.granularity.is_some() {
            order.push("1 ASC".into());
        } else if !query.dimensions.is_empty() {
            order.push(format!("{} DESC", keys.len() + 1));
        }
    }
    // Ties are broken by the group keys, so the order (and what a limit keeps) does not depend
    // on how the storage happened to read the rows.
    for i in 1..=keys.len() {
        if !order
            .iter()
            .any(|o| o.split(' ').next() == Some(&i.to_string()))
        {
            order.push(format!("{i} ASC"));
        }
    }
    let limit = query.limit.unwrap_or(MAX_LIMIT).min(MAX_LIMIT);
    // Grouped: the window counts groups before LIMIT. Ungrouped: COUNT(*) keeps it one row.
    let total_expr = if keys.is_empty() {
        "COUNT(*)"
    } else {
        "COUNT(*) OVER ()"
    };
    let mut sql = format!("SELECT {}, {total_expr} FROM {from}", selects.join(", "));
    if !keys.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", positions(keys.len())));
    }
    if !order.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    sql.push_str(&format!(" LIMIT {limit}"));
    let mut stmt = conn.prepare_cached(&sql)?;
    let ncols = columns.len();
    let mut data: Vec<Vec<Value>> = vec![Vec::new(); ncols];
    let mut total: u64 = 0;
    let mut rows = stmt.query(crate::sql::params_from_iter(params.iter()))?;
    while let Some(row) = rows.next()? {
        for (c, col) in data.iter_mut().enumerate() {
            col.push(json_value(row.get_ref(c)?));
        }
        total = if keys.is_empty() {
            1
        } else {
            row.get::<i64>(ncols)? as u64
        };
    }
    if keys.is_empty() && data.first().is_some_and(Vec::is_empty) {
        // An ungrouped aggregate always has one row (SQLite returns none with the window).
        total = 1;
        for (c, m) in data.iter_mut().zip(&query.measures) {
            c.push(
                if matches!(m.agg, Aggregation::Count | Aggregation::CountDistinct) {
                    Value::from(0)
                } else {
                    Value::Null
                },
            );
        }
    }
    booleans_as_json(&columns, &mut data);
    let mut result = QueryResult {
        columns,
        data,
        meta: QueryMeta {
            execution_ms: 0.0,
            total_rows: total,
            truncated: total > u64::from(limit),
            unapplied_filters: Vec::new(),
        },
    };
    let read_from = Reading {
        keys: &keys,
        w: &w,
        plan: plan.map(|p| (p, read_keys.as_slice())),
        limit: values_limit,
    };
    fill_percentiles(conn, source, query, &read_from, &mut result)?;
    Ok(result)
}

/// What a measure column is called for people: `Cost (total)` in `USD` for `sum_cost_usd`,
/// `Count` for `count(*)`, the alias when the query gave one.
pub fn measure_label(
    schema: &vantage_contract::Dataset,
    m: &vantage_contract::Measure,
) -> (String, Option<String>) {
    if let Some(alias) = &m.alias {
        return (alias.clone(), None);
    }
    let Some(field) = schema.field(&m.field) else {
        return ("Count".to_owned(), None);
    };
    let label = field.display_label();
    let (word, keeps_unit) = match m.agg {
        Aggregation::Count => ("count", false),
        Aggregation::CountDistinct => ("distinct", false),
        Aggregation::Sum => ("total", true),
        Aggregation::Avg => ("average", true),
        Aggregation::Min => ("min", true),
        Aggregation::Max => ("max", true),
        Aggregation::P50 => ("median", true),
        Aggregation::P95 => ("p95", true),
        Aggregation::P99 => ("p99", true),
    };
    (
        format!("{label} ({word})"),
        keeps_unit.then(|| field.unit.clone()).flatten(),
    )
}

/// Most distinct values one percentile measure may hold (all groups together): each group's
/// distinct values are held in memory with their counts, so one request must not hold an
/// unbounded number of them. Past it the measure is refused with 422 naming it (narrow the time
/// range or add filters). Rows repeating values cost reading time, not memory: 10M rows of
/// whole milliseconds are a few thousand values.
pub const MAX_PERCENTILE_VALUES: usize = 2_000_000;

/// 422 for percentile measure `index` once it holds more than `limit` distinct values.
fn check_percentile_values(read: usize, limit: usize, index: usize) -> AppResult<()> {
    if read > limit {
        return Err(AppError::field(
            format!("measures[{index}]"),
            format!(
                "a percentile over more than {limit} distinct values is refused; narrow the time range or add filters"
            ),
        ));
    }
    Ok(())
}

/// Where [`fill_percentiles`] reads values: the group keys and conditions over the events
/// table, and the rollup plan with the group keys over its rows (`"#t"`), if any.
struct Reading<'a> {
    keys: &'a [String],
    w: &'a Where,
    plan: Option<(&'a rollups::Plan, &'a [String])>,
    /// The most distinct values a measure may hold ([`MAX_PERCENTILE_VALUES`]; less in tests).
    limit: usize,
}

/// SELECT text (and parameters) giving the group keys over `"#t"` (`read_keys`), a value, how
/// many times it occurs (0: a marker, the value NULL), the bucket's start and its span, from the
/// value counts of measure `m` in `plan`'s days and hours, in no particular order. `None` when
/// the plan has neither.
fn counted_values_sql(
    source: &Source,
    plan: &rollups::Plan,
    m: i64,
    read_keys: &[String],
) -> Option<(String, Vec<SqlValue>)> {
    let mut branches = Vec::new();
    let mut params = Vec::new();
    for (span, ranges) in [(rollups::DAY, &plan.days), (rollups::HOUR, &plan.hours)] {
        if ranges.is_empty() {
            continue;
        }
        let (within, range_params) = rollups::ranges_sql(ROLLUP_TIME, ranges);
        branches.push(format!(
            "SELECT {ROLLUP_TIME}, \"#v\", \"#n\", {span} AS \"#s\" FROM {} WHERE \"#m\" = ? AND {within}",
            rollups::values_table(source, span)
        ));
        params.push(SqlValue::Integer(m));
        params.extend(range_params);
    }
    if branches.is_empty() {
        return None;
    }
    let mut select = read_keys.to_vec();
    select.extend(["\"#v\"", "\"#n\"", ROLLUP_TIME, "\"#s\""].map(String::from));
    Some((
        format!(
            "SELECT {} FROM ({}) AS u",
            select.join(", "),
            branches.join(" UNION ALL ")
        ),
        params,
    ))
}

/// Each group's distinct values of a field in order, with how many times each occurs, by the
/// group's key (its key columns as a JSON array's text).
type ValueCounts = HashMap<String, Vec<(f64, u64)>>;

/// Computes `p50/p95/p99` measures for the groups in `result`: from each group's values and how
/// many times each occurs, read once per field (p50, p95 and p99 of one field share them) from
/// the events table, or from the rollups' value counts and the events the plan leaves over.
fn fill_percentiles(
    conn: &Conn,
    source: &Source,
    query: &Query,
    from: &Reading<'_>,
    result: &mut QueryResult,
) -> AppResult<()> {
    let nkeys = from.keys.len();
    let mut read_fields: HashMap<&str, ValueCounts> = HashMap::new();
    for (mi, m) in query.measures.iter().enumerate() {
        let Some(p) = m.agg.percentile() else {
            continue;
        };
        if !read_fields.contains_key(m.field.as_str()) {
            let groups = value_counts(conn, source, &m.field, mi, from)?;
            read_fields.insert(&m.field, groups);
        }
        let groups = &read_fields[m.field.as_str()];
        let col = nkeys + mi;
        for r in 0..result.row_count() {
            let key: Vec<Value> = (0..nkeys).map(|i| result.data[i][r].clone()).collect();
            let v = groups
                .get(&Value::Array(key).to_string())
                .and_then(|counts| percentile_of_counts(counts, p))
                .map(|x| (x * 1000.0).round() / 1000.0);
            result.data[col][r] = v
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number);
        }
    }
    Ok(())
}

/// Reads [`ValueCounts`] of `field` (percentile measure `mi`, which a refusal names) for
/// [`fill_percentiles`]: from the events table, or, when the plan's rollups count the field's
/// values, from its days' and hours' value counts and the events of the rest (the plan's raw
/// ranges and the buckets with a marker, which the same read of the counts finds).
///
/// The rows come unordered and each group's values are counted and sorted here: a storage's
/// sort of every row by key and value cost more than reading them (SQLite, 98,000 counts of 30
/// days read by day: ≈ 40 ms of 60). Whether read from value counts or from the events, the
/// limit is on the distinct values of all groups together: past `limit` the measure is refused.
fn value_counts(
    conn: &Conn,
    source: &Source,
    field: &str,
    mi: usize,
    from: &Reading<'_>,
) -> AppResult<ValueCounts> {
    let nkeys = from.keys.len();
    let limit = from.limit;
    let mut groups = Grouped::new(limit);
    let counted = from.plan.and_then(|(plan, read_keys)| {
        let m = plan.counted.iter().position(|f| f == field)?;
        Some((plan, read_keys, m as i64))
    });
    let Some((plan, read_keys, m)) = counted else {
        let mut select = from.keys.to_vec();
        select.push(quote(field));
        let (select, grouped) = events_counted(conn, select);
        let sql = format!(
            "SELECT {select} FROM {} WHERE {} AND {} IS NOT NULL{grouped}",
            source.table,
            from.w.sql,
            quote(field)
        );
        groups.add_rows(conn, &sql, &from.w.params, nkeys, mi)?;
        return groups.finish(mi);
    };
    let (mut marked_days, mut marked_hours) = (Vec::new(), Vec::new());
    if let Some((sql, params)) = counted_values_sql(source, plan, m, read_keys) {
        conn.for_each(&sql, &params, |row| {
            let n = row.get::<i64>(nkeys + 1)?;
            if n <= 0 {
                let (bucket, span) = (row.get::<i64>(nkeys + 2)?, row.get::<i64>(nkeys + 3)?);
                if span == rollups::DAY {
                    marked_days.push(bucket);
                } else {
                    marked_hours.push(bucket);
                }
                return Ok(());
            }
            let held = groups.add(row, nkeys, row.get(nkeys)?, n.unsigned_abs())?;
            check_percentile_values(held, limit, mi)
        })?;
    }
    let raw = rollups::raw_with_marked(&plan.raw, &marked_days, &marked_hours);
    if !raw.is_empty() {
        let time = source.time_column();
        let q = quote(field);
        let (within, params) = rollups::ranges_sql(&time, &raw);
        let mut select = read_keys.to_vec();
        select.push("\"#v\"".into());
        let (select, grouped) = events_counted(conn, select);
        let sql = format!(
            "SELECT {select} FROM (SELECT {time} AS {ROLLUP_TIME}, {q} AS \"#v\" FROM {} \
             WHERE {within} AND {q} IS NOT NULL) AS u{grouped}",
            source.table
        );
        groups.add_rows(conn, &sql, &params, nkeys, mi)?;
    }
    groups.finish(mi)
}

/// The columns (`select`: group keys, then a value) of a read of events for [`value_counts`],
/// followed by how many times the row stands for, and what follows the read's conditions.
/// SQLite gives every row (counted 1 each, here, faster than its sort for a `GROUP BY`);
/// PostgreSQL counts each key and value itself (a hash aggregate), so what crosses the wire, and
/// what its driver holds before the first row is handed over, is one row per distinct value.
fn events_counted(conn: &Conn, select: Vec<String>) -> (String, String) {
    let n = select.len();
    let columns = select.join(", ");
    match conn.dialect() {
        crate::sql::Dialect::Sqlite => (format!("{columns}, 1"), String::new()),
        crate::sql::Dialect::Postgres => {
            let by: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            (
                format!("{columns}, COUNT(*)"),
                format!(" GROUP BY {}", by.join(", ")),
            )
        }
    }
}

/// A group's key cells as a map key (a real by its bits: the storages hold no NaN, and a zero
/// is hashed as one zero).
#[derive(PartialEq)]
struct KeyCells(Vec<SqlValue>);

impl Eq for KeyCells {}

impl std::hash::Hash for KeyCells {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for cell in &self.0 {
            match cell {
                SqlValue::Null => 0u8.hash(h),
                SqlValue::Integer(i) => (1u8, i).hash(h),
                SqlValue::Real(f) => (2u8, if *f == 0.0 { 0 } else { f.to_bits() }).hash(h),
                SqlValue::Text(t) => (3u8, t).hash(h),
                SqlValue::Blob(b) => (4u8, b).hash(h),
            }
        }
    }
}

/// One group's key cells and its values while they are read: `counts[..merged]` sorted and
/// distinct, the rest as they came.
struct Group {
    key: Vec<SqlValue>,
    counts: Vec<(f64, u64)>,
    merged: usize,
}

impl Group {
    /// Sorts and merges every value; returns how many distinct values it has gained and how
    /// many values were waiting to be merged.
    fn merge(&mut self) -> (usize, usize) {
        let (before, waiting) = (self.merged, self.counts.len() - self.merged);
        self.counts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        self.counts.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        self.merged = self.counts.len();
        (self.merged - before, waiting)
    }
}

/// Groups up to this many are found by comparing their keys, without copying and hashing the
/// row's key.
const SCAN_GROUPS: usize = 16;

/// Value counts by group key as rows arrive in any order. Consecutive rows of one group (each
/// branch reads in time order) find it without a lookup; a few groups are found by comparing
/// keys. Each group's values are sorted in runs (a map per group from value to count was tried:
/// 9× slower on 99,000 value counts in 30 groups, 1.6× on 10M rows of 900 values in 8).
struct Grouped {
    index: HashMap<KeyCells, usize>,
    groups: Vec<Group>,
    /// The group of the last row added.
    current: Option<usize>,
    /// Distinct values kept by the merged parts of all groups.
    merged: usize,
    /// Values of all groups not merged yet.
    waiting: usize,
    /// The most distinct values the caller lets the groups hold: all groups are merged once
    /// more values than that wait, so memory stays within about twice it before a refusal.
    limit: usize,
}

impl Grouped {
    fn new(limit: usize) -> Self {
        Self {
            index: HashMap::new(),
            groups: Vec::new(),
            current: None,
            merged: 0,
            waiting: 0,
            limit,
        }
    }

    /// Adds `n` occurrences of `v` to the group of `row`'s first `nkeys` cells; returns how
    /// many distinct values the groups hold once merged so far.
    fn add(&mut self, row: &crate::sql::Row, nkeys: usize, v: f64, n: u64) -> AppResult<usize> {
        let at = self.group_of(row, nkeys)?;
        self.current = Some(at);
        let group = &mut self.groups[at];
        group.counts.push((v, n));
        self.waiting += 1;
        // A group is merged once its unmerged part outgrows the merged one (each value is
        // sorted a logarithmic number of times), and all of them once the values waiting
        // outnumber the most a measure may hold: memory stays within twice that.
        if group.counts.len() - group.merged > group.merged.max(1 << 16) {
            let (gained, merged) = group.merge();
            self.merged += gained;
            self.waiting -= merged;
        }
        if self.waiting > self.limit {
            self.merge_all();
        }
        Ok(self.merged)
    }

    /// The index of the group of `row`'s first `nkeys` cells, made when it is new.
    fn group_of(&mut self, row: &crate::sql::Row, nkeys: usize) -> AppResult<usize> {
        let same = |g: &Group| (0..nkeys).all(|i| row.get_ref(i).is_ok_and(|c| *c == g.key[i]));
        if let Some(at) = self.current.filter(|&at| same(&self.groups[at])) {
            return Ok(at);
        }
        if self.groups.len() <= SCAN_GROUPS {
            if let Some(at) = self.groups.iter().position(same) {
                return Ok(at);
            }
        }
        let key = KeyCells(
            (0..nkeys)
                .map(|i| row.get_ref(i).cloned())
                .collect::<Result<Vec<_>, _>>()?,
        );
        if let Some(&at) = self.index.get(&key) {
            return Ok(at);
        }
        let at = self.groups.len();
        self.groups.push(Group {
            key: key.0.clone(),
            counts: Vec::new(),
            merged: 0,
        });
        self.index.insert(key, at);
        Ok(at)
    }

    /// Adds every row of `sql` (the group's `nkeys` key cells, a value, how many times it
    /// occurs: an [`events_counted`] read); past the limit, 422 naming percentile measure `mi`.
    fn add_rows(
        &mut self,
        conn: &Conn,
        sql: &str,
        params: &[SqlValue],
        nkeys: usize,
        mi: usize,
    ) -> AppResult<()> {
        conn.for_each(sql, params, |row| {
            let n = row.get::<i64>(nkeys + 1)?.unsigned_abs();
            let held = self.add(row, nkeys, row.get(nkeys)?, n)?;
            check_percentile_values(held, self.limit, mi)
        })
    }

    /// Every group merged and checked against the limit (422 naming percentile measure `mi`),
    /// as [`Grouped::by_json_key`].
    fn finish(mut self, mi: usize) -> AppResult<ValueCounts> {
        let held = self.merge_all();
        check_percentile_values(held, self.limit, mi)?;
        Ok(self.by_json_key())
    }

    /// Merges every group; returns the distinct values of all groups together.
    fn merge_all(&mut self) -> usize {
        for g in &mut self.groups {
            let (gained, merged) = g.merge();
            self.merged += gained;
            self.waiting -= merged;
        }
        self.merged
    }

    /// Each group's merged counts by its key as a JSON array's text (how [`fill_percentiles`]
    /// looks them up).
    fn by_json_key(self) -> ValueCounts {
        self.groups
            .into_iter()
            .map(|g| {
                let text = Value::Array(g.key.iter().map(json_value).collect()).to_string();
                (text, g.counts)
            })
            .collect()
    }
}

/// [`percentile`] of the values that `counts` (sorted distinct values, each with how many times
/// it occurs) stands for, without expanding them: the same rank, the same interpolation.
pub fn percentile_of_counts(counts: &[(f64, u64)], p: f64) -> Option<f64> {
    let total: u64 = counts.iter().map(|c| c.1).sum();
    if total == 0 {
        return None;
    }
    let rank = p * (total - 1) as f64;
    let (lo, hi) = (rank.floor() as u64, rank.ceil() as u64);
    let frac = rank - lo as f64;
    let at = |k: u64| {
        let mut seen = 0;
        for &(v, n) in counts {
            seen += n;
            if k < seen {
                return v;
            }
        }
        counts.last().map_or(0.0, |c| c.0)
    };
    let (a, b) = (at(lo), at(hi));
    Some(a + (b - a) * frac)
}

/// Linear-interpolated percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = p * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let frac = rank - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * frac)
}

/// Adds `<measure>_previous` columns, matching rows by dimension values.
fn append_previous(result: &mut QueryResult, previous: &QueryResult, query: &Query) {
    let nkeys = query.dimensions.len();
    let key_of = |r: &QueryResult, row: usize| {
        Value::Array((0..nkeys).map(|i| r.data[i][row].clone()).collect()).to_string()
    };
    let index: HashMap<String, usize> = (0..previous.row_count())
        .map(|row| (key_of(previous, row), row))
        .collect();
    for (mi, m) in query.measures.iter().enumerate() {
        let col = nkeys + mi;
        let values = (0..result.row_count())
            .map(|row| {
                index
                    .get(&key_of(result, row))
                    .map_or(Value::Null, |&pr| previous.data[col][pr].clone())
            })
            .collect();
        let ty = result.columns[col].column_type;
        let label = format!("{} (previous period)", result.columns[col].display_label());
        let unit = result.columns[col].unit.clone();
        result
            .columns
            .push(Column::new(format!("{}_previous", m.output_name()), ty).with_label(label, unit));
        result.data.push(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_work_is_bounded_and_names_the_measure() {
        assert!(check_percentile_values(10, 10, 0).is_ok());
        let e = check_percentile_values(11, 10, 2).unwrap_err();
        assert_eq!(e.code, vantage_contract::ErrorCode::ValidationFailed);
        assert_eq!(e.details.unwrap()["field"], "measures[2]");
    }

    /// Rows of 40 groups (three with near keys: a NULL cell, a differing second cell), in runs
    /// and interleaved, with repeated values (a zero of either sign is one value) and enough of
    /// them that one group is merged several times while read: each group's counts come out
    /// sorted, distinct and summed, under its key's JSON text, whether the group was found by
    /// comparing keys (while there were few) or through the map.
    #[test]
    fn grouped_counts_add_up_as_they_arrive_in_any_order() {
        let mut keys = vec![
            vec![SqlValue::Text("north".into()), SqlValue::Integer(1)],
            vec![SqlValue::Null, SqlValue::Integer(1)],
            vec![SqlValue::Text("north".into()), SqlValue::Integer(2)],
        ];
        keys.extend((3..40).map(|j| vec![SqlValue::Text(format!("g{j}")), SqlValue::Integer(j)]));
        let mut want: Vec<std::collections::BTreeMap<i64, u64>> =
            vec![Default::default(); keys.len()];
        let mut grouped = Grouped::new(MAX_PERCENTILE_VALUES);
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut row = crate::sql::Row::default();
        let mut held = 0;
        for i in 0..400_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Runs of 50 rows of group 0, then rows of random groups (the first rows only of
            // the first three, so they are found by comparing keys, the rest through the map).
            let g = match i {
                _ if (i / 50) % 2 == 0 => 0,
                0..1_000 => (x % 3) as usize,
                _ => (x % keys.len() as u64) as usize,
            };
            let (v, n) = ((x >> 8) % 5_000, 1 + (x >> 40) % 3);
            // Both zeros are one value.
            let (v, real) = match v {
                0 => (0, if x % 2 == 0 { -0.0 } else { 0.0 }),
                v => (v as i64 - 2_500, v as f64 - 2_500.0),
            };
            *want[g].entry(v).or_default() += n;
            row.cells.clear();
            row.cells.extend(keys[g].iter().cloned());
            held = grouped.add(&row, 2, real, n).unwrap();
        }
        assert!(held > 0, "the first group was merged while read");
        let distinct: usize = want.iter().map(|w| w.len()).sum();
        assert_eq!(grouped.merge_all(), distinct);
        let got = grouped.by_json_key();
        assert_eq!(got.len(), keys.len());
        for (key, want) in keys.iter().zip(&want) {
            let text = Value::Array(key.iter().map(json_value).collect()).to_string();
            let want: Vec<(f64, u64)> = want.iter().map(|(&v, &n)| (v as f64, n)).collect();
            assert_eq!(got[&text], want, "{text}");
        }
    }

    #[test]
    fn percentiles_from_counts_match_the_sorted_values() {
        let values = [1.0, 2.0, 2.0, 2.0, 5.0, 7.0, 7.0, 9.5, 9.5, 9.5, 9.5, 12.0];
        let mut counts: Vec<(f64, u64)> = Vec::new();
        for &v in &values {
            match counts.last_mut() {
                Some(last) if last.0 == v => last.1 += 1,
                _ => counts.push((v, 1)),
            }
        }
        for p in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0] {
            assert_eq!(
                percentile_of_counts(&counts, p),
                percentile(&values, p),
                "p = {p}"
            );
        }
        assert_eq!(percentile_of_counts(&[(3.0, 1)], 0.95), Some(3.0));
        assert_eq!(percentile_of_counts(&[], 0.5), None);
        // A value counted zero times (never stored, but harmless) takes no rank.
        assert_eq!(percentile_of_counts(&[(1.0, 0), (4.0, 2)], 0.0), Some(4.0));
    }

    #[test]
    fn percentiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.5), Some(3.0));
        assert_eq!(percentile(&v, 0.95), Some(4.8));
        assert_eq!(percentile(&[], 0.5), None);
    }
}

#[cfg(test)]
#[path = "query_rollup_tests.rs"]
mod rollup_tests;
