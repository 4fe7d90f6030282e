//! Pre-aggregated rollups: what lets a dashboard over 10M rows answer without reading them.
//!
//! Every dataset has two rollup tables beside its events table: `ev_<pk>_rh` with one row per
//! UTC hour and combination of dimension values, and `ev_<pk>_rd` the same per UTC day. A row
//! holds the bucket's start `#t`, the dimension values, the row count `#n`, and for each measure
//! its sum, non-null count, minimum and maximum (`<m>#s`, `<m>#c`, `<m>#lo`, `<m>#hi`). A query
//! whose measures are counts, sums, averages, minimums and maximums, whose groups and filters
//! are on kept dimensions, and whose time buckets are whole hours or days of the rollup
//! ([`plan`]) reads whole days from the day table, whole hours from the hour table, and only
//! the range's ragged edges and the buckets not rolled up from the events table, all in one
//! `UNION ALL` that the query aggregates again (`crate::query`). Over 30 days of 10M rows that
//! is a few thousand rollup rows per widget instead of every row. A query with no groups and no
//! filters reads the totals tables `ev_<pk>_th` and `ev_<pk>_td` instead: the same columns
//! without the dimensions, one row per bucket (a KPI over 30 days reads 30 rows).
//!
//! ## Staying exact
//! A rollup is a cache of the events table, and a stale one would show wrong numbers, so the
//! rule is strict: a bucket is read from a rollup only when it is *clean*. `rollup_buckets`
//! records every bucket (hour and day) that has rows, with a state: writing or deleting rows
//! marks their buckets dirty in the same transaction ([`mark`], [`mark_range`]); a bucket
//! without a record has no rows. [`step`] (run in the background by [`run`], on the replica
//! holding the work lease) rebuilds one dirty bucket at a time from the events table (a day
//! from its 24 hours when they are all rolled up) and marks it clean, in one transaction; on
//! PostgreSQL it locks the bucket's record first, so a batch committed meanwhile marks it dirty
//! again after the rebuild rather than before it. A bucket is rebuilt only once it has ended and
//! has had no writes for [`SETTLE_MS`], so a bulk load or a live stream is not re-aggregated on
//! every batch; until then its rows are read raw. A dataset whose definition changed (or that
//! existed before rollups) is rolled up from scratch: `rollup_state` holds the definition
//! version the tables were made for, and until it matches, every query reads the events table.
//!
//! ## Staying small
//! A dimension with more than [`MAX_DIMENSION_VALUES`] values among the newest rows (an order or
//! session id) is left out of the rollups: kept, it would make them as large as the rows.
//! Queries grouping or filtering by it read the events table. A bucket whose rollup would still
//! be more than half as many rows as it has (too few rows per combination) is not kept either,
//! and is read raw. A dataset made empty keeps every dimension until it has rows to judge them
//! by; they are judged again the first time a bucket does not roll up.
//!
//! ## Percentiles
//! A percentile cannot be added up from sums, but it can be computed exactly from how many times
//! each value occurs. Beside the two rollup tables, `ev_<pk>_vh` and `ev_<pk>_vd` hold, per
//! bucket and measure, each distinct value `#v` and its count `#n` (`#m` is the measure's place
//! in `rollup_state.measures`). A measure's values are counted when it repeats (at most one
//! distinct value per [`ROWS_PER_VALUE`] rows among the newest rows: whole milliseconds, prices,
//! scores — not a measure that is different on every row), and in a bucket only when that
//! leaves at most a quarter as many rows as it has values ([`VALUES_SHRINK`]; at a half, the
//! demo's value counts took 39% of its events' space); a bucket where it does not has a marker
//! row (`#n` = 0) and is read raw. A query whose percentiles are over such measures, with no
//! groups and no filters (time buckets are fine), reads the value counts where the rest of the
//! query reads rollups and computes the same interpolated percentile as from the sorted rows
//! (`crate::query`). Grouped or filtered by a dimension, a percentile reads its values from the
//! events table, while the query's groups and other measures still come from the rollups (over
//! 10M rows, the groups alone took seconds to sort from the events).
//!
//! Distinct counts of a kept dimension are exact over rollup rows too (a value is in a bucket's
//! rows there exactly when it is in its events).
//!
//! Not covered (read raw, as before): distinct counts of a dimension left out (an id), the
//! values of percentiles grouped or filtered by a dimension, filters on measures, sub-hour time
//! buckets, and hour buckets in a zone whose offset is not whole hours over the range. Averages
//! and sums of floats can differ from the events table's in the last place (the addition order
//! differs), so an average rounded to 4 decimals may differ by one unit in the 4th.

use super::catalog::{self, quote, Source};
use crate::error::AppResult;
use crate::sql::Value as SqlValue;
use crate::sql::{Conn, Dialect};
use crate::state::SharedState;
use chrono_tz::Tz;
use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;
use vantage_contract::{Aggregation, Filter, Granularity, Query};

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 86_400_000;

/// How long a bucket must go without writes before it is rebuilt.
pub const SETTLE_MS: i64 = 10_000;

/// Most separate time ranges one query reads from the events table beside the rollups; past it
/// the query reads the events table alone (the SQL would grow without buying much).
const MAX_RAW_RANGES: usize = 48;

/// `rollup_buckets.state`: rolled up and current.
const CLEAN: i64 = 0;
/// Written since its last rollup (or never rolled up).
const DIRTY: i64 = 1;
/// Rolled up into more than half as many rows as it has: read from the events table.
const RAW: i64 = 2;

/// The rollup table of `source` for buckets of `span` ms.
pub fn table(source: &Source, span: i64) -> String {
    format!("{}_{}", source.table, if span == DAY { "rd" } else { "rh" })
}

/// The totals table of `source` for buckets of `span` ms: the rollup table's rows of a bucket
/// added up over every dimension, one row per bucket, for queries with no groups and no
/// filters (a KPI, a time series of the whole dataset).
pub fn totals_table(source: &Source, span: i64) -> String {
    format!("{}_{}", source.table, if span == DAY { "td" } else { "th" })
}

/// The value-count table of `source` for buckets of `span` ms (see "Percentiles" above).
pub fn values_table(source: &Source, span: i64) -> String {
    format!("{}_{}", source.table, if span == DAY { "vd" } else { "vh" })
}

/// A bucket's value counts of a measure are kept when they are at most this many times fewer
/// rows than its values.
const VALUES_SHRINK: i64 = 4;

/// A measure's values are counted per bucket when the newest rows have at least this many
/// rows per distinct value of it (or the dataset is too small to judge).
const ROWS_PER_VALUE: i64 = 4;

/// A rollup column: `"<field>#<what>"` (`#` never appears in a field name).
pub fn col(field: &str, what: &str) -> String {
    quote(&format!("{field}#{what}"))
}

/// The start of the `span` bucket holding `t`.
pub fn floor(t: i64, span: i64) -> i64 {
    t.div_euclid(span) * span
}

fn ceil(t: i64, span: i64) -> i64 {
    let f = floor(t, span);
    if f == t {
        t
    } else {
        f.saturating_add(span)
    }
}

/// Marks the hours and days holding `times` dirty. Call in the transaction that writes them.
///
/// # Errors
/// Database failures.
pub fn mark(
    c: &Conn,
    source: &Source,
    times: impl Iterator<Item = i64>,
    now: i64,
) -> AppResult<()> {
    let mut buckets = BTreeSet::new();
    for t in times {
        buckets.insert((HOUR, floor(t, HOUR)));
        buckets.insert((DAY, floor(t, DAY)));
    }
    let buckets: Vec<_> = buckets.into_iter().collect();
    for chunk in buckets.chunks(400) {
        let tuples = vec!["(?, ?, ?, 1, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO rollup_buckets (ds, span, bucket, state, dirtied_at) VALUES {tuples} \
             ON CONFLICT (ds, span, bucket) DO UPDATE SET state = 1, dirtied_at = excluded.dirtied_at"
        );
        let params: Vec<SqlValue> = chunk
            .iter()
            .flat_map(|&(span, bucket)| [source.pk, span, bucket, now].map(SqlValue::Integer))
            .collect();
        c.execute(&sql, params)?;
    }
    Ok(())
}

/// Marks every recorded bucket overlapping `[from, to)` dirty (rows there are being deleted).
///
/// # Errors
/// Database failures.
pub fn mark_range(c: &Conn, source: &Source, from: i64, to: i64, now: i64) -> AppResult<()> {
    c.execute(
        "UPDATE rollup_buckets SET state = 1, dirtied_at = ?1 \
         WHERE ds = ?2 AND bucket < ?3 AND bucket + span > ?4",
        [now, source.pk, to, from],
    )?;
    Ok(())
}

/// Drops the rollups of `source` and forgets its buckets (the dataset is being deleted).
///
/// # Errors
/// Database failures.
pub fn drop_all(c: &Conn, source: &Source) -> AppResult<()> {
    for span in [HOUR, DAY] {
        c.execute_batch(&format!(
            "DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {}; DROP TABLE IF EXISTS {};",
            table(source, span),
            totals_table(source, span),
            values_table(source, span)
        ))?;
    }
    c.execute("DELETE FROM rollup_buckets WHERE ds = ?1", [source.pk])?;
    c.execute("DELETE FROM rollup_state WHERE ds = ?1", [source.pk])?;
    Ok(())
}

/// Most distinct values a dimension may have (in the rows sampled when the rollup tables are
/// made) to be kept in them: a per-session or per-order id would make a rollup as large as the
/// rows. Queries that group or filter by a dimension left out read the events table.
pub const MAX_DIMENSION_VALUES: i64 = 1_000;

/// Rows sampled (the newest) to count each dimension's values.
const SAMPLE_ROWS: i64 = 100_000;

/// Below this many rows a dataset's dimensions are kept without judging them; the choice is
/// made again once it has this many and a bucket turns out not worth rolling up.
const JUDGED_ROWS: i64 = 10_000;

/// What a rollup keeps of a dataset: the dimensions and the measures whose values are counted
/// (chosen when its tables are made), and every measure's aggregates.
struct Kept {
    dims: Vec<String>,
    measures: Vec<String>,
    /// The measures whose values are counted, in the order of `#m`.
    values: Vec<String>,
    /// Rows the choice of dimensions was made from.
    sampled: i64,
}

/// Which dimensions of `source` are worth keeping and which measures' values are worth counting,
/// judged from its newest rows, and how many rows that was.
fn choose(c: &Conn, source: &Source) -> AppResult<(Vec<String>, Vec<String>, i64)> {
    let dims: Vec<String> = source
        .schema
        .dimensions
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let measures: Vec<String> = source
        .schema
        .measures
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let fields: Vec<&String> = dims.iter().chain(&measures).collect();
    let mut counts: Vec<String> = fields
        .iter()
        .map(|d| format!("COUNT(DISTINCT {})", quote(d)))
        .collect();
    counts.push("COUNT(*)".into());
    let columns: Vec<String> = fields.iter().map(|d| quote(d)).collect();
    let sql = format!(
        "SELECT {} FROM (SELECT {} FROM {} ORDER BY {} DESC LIMIT {SAMPLE_ROWS}) AS s",
        counts.join(", "),
        if columns.is_empty() {
            "1 AS one".to_owned()
        } else {
            columns.join(", ")
        },
        source.table,
        source.time_column()
    );
    let row = c.query_all(&sql, ())?;
    let row = row.first();
    let value =
        |i: usize| -> AppResult<i64> { Ok(row.map(|r| r.get::<i64>(i)).transpose()?.unwrap_or(0)) };
    let sampled = value(fields.len())?;
    let mut kept = Vec::new();
    for (i, d) in dims.iter().enumerate() {
        if sampled < JUDGED_ROWS || value(i)? <= MAX_DIMENSION_VALUES {
            kept.push(d.clone());
        }
    }
    let mut values = Vec::new();
    for (i, m) in measures.iter().enumerate() {
        if sampled < JUDGED_ROWS || value(dims.len() + i)? * ROWS_PER_VALUE <= sampled {
            values.push(m.clone());
        }
    }
    Ok((kept, values, sampled))
}

/// Makes the rollup tables of `source` afresh and records every bucket its rows are in as
/// dirty, for [`step`] to fill; then the tables count as made for this definition.
fn backfill(c: &Conn, source: &Source, now: i64) -> AppResult<()> {
    let d = c.dialect();
    let int = d.integer();
    let (dims, values, sampled) = choose(c, source)?;
    let type_of = |name: &str| {
        source
            .schema
            .field(name)
            .map_or(int, |f| catalog::column_type(d, f))
    };
    let mut measures = vec![format!("\"#n\" {int} NOT NULL")];
    for m in &source.schema.measures {
        let ty = type_of(&m.name);
        measures.push(format!("{} {ty}", col(&m.name, "s")));
        measures.push(format!("{} {int} NOT NULL", col(&m.name, "c")));
        measures.push(format!("{} {ty}", col(&m.name, "lo")));
        measures.push(format!("{} {ty}", col(&m.name, "hi")));
    }
    let mut cols = vec![format!("\"#t\" {int} NOT NULL")];
    cols.extend(dims.iter().map(|n| format!("{} {}", quote(n), type_of(n))));
    cols.extend(measures.iter().cloned());
    let cols = cols.join(", ");
    let totals = format!("\"#t\" {int} NOT NULL, {}", measures.join(", "));
    let real = d.real();
    for span in [HOUR, DAY] {
        let t = table(source, span);
        c.execute_batch(&format!(
            "DROP TABLE IF EXISTS {t}; CREATE TABLE {t} ({cols}); CREATE INDEX {t}_t ON {t}(\"#t\");"
        ))?;
        let t = totals_table(source, span);
        c.execute_batch(&format!(
            "DROP TABLE IF EXISTS {t}; CREATE TABLE {t} ({totals}); CREATE INDEX {t}_t ON {t}(\"#t\");"
        ))?;
        let v = values_table(source, span);
        c.execute_batch(&format!(
            "DROP TABLE IF EXISTS {v}; CREATE TABLE {v} (\"#t\" {int} NOT NULL, \"#m\" {int} NOT NULL, \
             \"#v\" {real}, \"#n\" {int} NOT NULL); CREATE INDEX {v}_mt ON {v}(\"#m\", \"#t\");"
        ))?;
    }
    c.execute("DELETE FROM rollup_buckets WHERE ds = ?1", [source.pk])?;
    let hours = hours_with_rows(c, source)?;
    mark(c, source, hours.into_iter(), now)?;
    c.execute(
        "INSERT INTO rollup_state (ds, version, dims, sampled, measures) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (ds) DO UPDATE SET version = excluded.version, dims = excluded.dims, \
         sampled = excluded.sampled, measures = excluded.measures",
        vec![
            SqlValue::Integer(source.pk),
            SqlValue::Integer(source.schema.version as i64),
            SqlValue::Text(serde_json::to_string(&dims)?),
            SqlValue::Integer(sampled),
            SqlValue::Text(serde_json::to_string(&values)?),
        ],
    )?;
    Ok(())
}

/// The start of every hour that has rows in `source`, oldest first, found by seeking the time
/// index from one hour to the next: as many lookups as hours with rows (720 for 30 days)
/// instead of reading every row (10M rows: 8.5 ms instead of 1.15 s, held under the write lock).
fn hours_with_rows(c: &Conn, source: &Source) -> AppResult<Vec<i64>> {
    let time = source.time_column();
    let mut next = c.prepare_cached(&format!(
        "SELECT {time} FROM {} WHERE {time} >= ?1 ORDER BY {time} LIMIT 1",
        source.table
    ))?;
    let mut hours = Vec::new();
    let mut from = i64::MIN;
    while let Some(t) =
        crate::sql::OptionalExtension::optional(next.query_row([from], |r| r.get::<i64>(0)))?
    {
        let hour = floor(t, HOUR);
        hours.push(hour);
        match hour.checked_add(HOUR) {
            Some(after) => from = after,
            None => break,
        }
    }
    Ok(hours)
}

/// What the rollup tables of `source` keep, when they were made for its current definition.
fn kept(c: &Conn, source: &Source) -> AppResult<Option<Kept>> {
    let mut stmt = c.prepare_cached(
        "SELECT version, dims, sampled, measures FROM rollup_state WHERE ds = ?1",
    )?;
    let state: Option<(i64, String, i64, String)> =
        crate::sql::OptionalExtension::optional(stmt.query_row([source.pk], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        }))?;
    let Some((version, dims, sampled, values)) = state else {
        return Ok(None);
    };
    if version != source.schema.version as i64 {
        return Ok(None);
    }
    Ok(Some(Kept {
        dims: serde_json::from_str(&dims)?,
        measures: source
            .schema
            .measures
            .iter()
            .map(|m| m.name.clone())
            .collect(),
        values: serde_json::from_str(&values)?,
        sampled,
    }))
}

/// How a bucket's rebuild ended.
#[derive(Debug, PartialEq, Eq)]
enum Rebuilt {
    /// A day with an hour still to rebuild: nothing done.
    Waiting,
    /// Rolled up (or found empty and forgotten).
    Done,
    /// Its rollup would be more than half as many rows as the bucket has: not kept; queries
    /// read the bucket's rows.
    NotWorthIt,
    /// Rolled up, but a counted measure's values did not shrink enough to keep (a marker).
    ValuesNotWorthIt,
}

/// Rebuilds the `span` bucket starting at `bucket` of `source`: a day from its hours when they
/// are all rolled up, else from the events table.
fn rebuild(c: &Conn, source: &Source, kept: &Kept, span: i64, bucket: i64) -> AppResult<Rebuilt> {
    let t = table(source, span);
    let end = bucket + span;
    let keys: Vec<String> = kept.dims.iter().map(|d| quote(d)).collect();
    let mut names = vec!["\"#t\"".to_owned()];
    names.extend(keys.iter().cloned());
    names.push("\"#n\"".into());
    let mut values = vec!["CAST(?1 AS BIGINT)".to_owned()];
    values.extend(keys.iter().cloned());
    let mut from_hours = false;
    if span == DAY {
        let states: Vec<i64> = c
            .query_all(
                "SELECT DISTINCT state FROM rollup_buckets WHERE ds = ?1 AND span = ?2 \
                 AND bucket >= ?3 AND bucket < ?4",
                [source.pk, HOUR, bucket, end],
            )?
            .iter()
            .map(|r| r.get::<i64>(0))
            .collect::<Result<_, _>>()?;
        if states.contains(&DIRTY) {
            return Ok(Rebuilt::Waiting);
        }
        from_hours = states.iter().all(|s| *s == CLEAN);
    }
    let values_marked = rebuild_values(c, source, kept, span, bucket)?;
    let (source_table, range, count) = if from_hours {
        (
            table(source, HOUR),
            "\"#t\" >= ?1 AND \"#t\" < ?2".to_owned(),
            "SUM(\"#n\")".to_owned(),
        )
    } else {
        let time = source.time_column();
        (
            source.table.clone(),
            format!("{time} >= ?1 AND {time} < ?2"),
            "COUNT(*)".to_owned(),
        )
    };
    values.push(count.clone());
    // How rollup rows of the measure columns add up (a day from its hours, a bucket's total
    // from its rows in the rollup).
    let mut added_up = vec!["SUM(\"#n\")".to_owned()];
    for m in &kept.measures {
        let q = quote(m);
        for (what, hours, rows) in [
            ("s", format!("SUM({})", col(m, "s")), format!("SUM({q})")),
            ("c", format!("SUM({})", col(m, "c")), format!("COUNT({q})")),
            ("lo", format!("MIN({})", col(m, "lo")), format!("MIN({q})")),
            ("hi", format!("MAX({})", col(m, "hi")), format!("MAX({q})")),
        ] {
            names.push(col(m, what));
            added_up.push(hours.clone());
            values.push(if from_hours { hours } else { rows });
        }
    }
    let group = if keys.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", keys.join(", "))
    };
    let totals = totals_table(source, span);
    c.execute(&format!("DELETE FROM {t} WHERE \"#t\" = ?1"), [bucket])?;
    c.execute(&format!("DELETE FROM {totals} WHERE \"#t\" = ?1"), [bucket])?;
    let groups = c.execute(
        &format!(
            "INSERT INTO {t} ({}) SELECT {} FROM {source_table} WHERE {range}{group} HAVING {count} > 0",
            names.join(", "),
            values.join(", ")
        ),
        [bucket, end],
    )? as i64;
    let rows: i64 = if groups == 0 {
        0
    } else {
        c.query_row(
            &format!("SELECT SUM(\"#n\") FROM {t} WHERE \"#t\" = ?1"),
            [bucket],
            |r| r.get(0),
        )?
    };
    let key = [source.pk, span, bucket];
    if groups == 0 {
        c.execute(
            "DELETE FROM rollup_buckets WHERE ds = ?1 AND span = ?2 AND bucket = ?3",
            key,
        )?;
        return Ok(Rebuilt::Done);
    }
    let worth_it = groups * 2 <= rows;
    if worth_it {
        c.execute(
            &format!(
                "INSERT INTO {totals} (\"#t\", {}) SELECT CAST(?1 AS BIGINT), {} FROM {t} WHERE \"#t\" = ?1",
                // `#n` and the measure columns: what follows the time and the dimensions.
                names[1 + keys.len()..].join(", "),
                added_up.join(", ")
            ),
            [bucket],
        )?;
    } else {
        c.execute(&format!("DELETE FROM {t} WHERE \"#t\" = ?1"), [bucket])?;
    }
    c.execute(
        "UPDATE rollup_buckets SET state = ?1 WHERE ds = ?2 AND span = ?3 AND bucket = ?4",
        [if worth_it { CLEAN } else { RAW }, key[0], key[1], key[2]],
    )?;
    Ok(if !worth_it {
        Rebuilt::NotWorthIt
    } else if values_marked {
        Rebuilt::ValuesNotWorthIt
    } else {
        Rebuilt::Done
    })
}

/// Rebuilds the value counts of the `span` bucket starting at `bucket` for each counted measure:
/// a day from its hours' counts when none of them has a marker for the measure (they are all
/// rebuilt by then), else from the events table. A measure whose counts would be more than a
/// [`VALUES_SHRINK`]th as many rows as its values gets a marker row instead; true when one did.
/// Each measure's counts are judged and written in one pass over the bucket's rows.
fn rebuild_values(
    c: &Conn,
    source: &Source,
    kept: &Kept,
    span: i64,
    bucket: i64,
) -> AppResult<bool> {
    if kept.values.is_empty() {
        return Ok(false);
    }
    let t = values_table(source, span);
    let hours = values_table(source, HOUR);
    let end = bucket + span;
    let time = source.time_column();
    c.execute(&format!("DELETE FROM {t} WHERE \"#t\" = ?1"), [bucket])?;
    let mut marked = false;
    for (m, field) in kept.values.iter().enumerate() {
        let m = m as i64;
        let from_hours = span == DAY
            && !c.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM {hours} WHERE \"#m\" = ?1 AND \"#n\" = 0 \
                     AND \"#t\" >= ?2 AND \"#t\" < ?3)"
                ),
                [m, bucket, end],
                |r| r.get::<bool>(0),
            )?;
        // (rows read, their value column, how many values a row stands for, parameters)
        let q = quote(field);
        let (rows, value, count, params) = if from_hours {
            (
                format!(
                    "{hours} WHERE \"#m\" = ?3 AND \"#n\" > 0 AND \"#t\" >= ?1 AND \"#t\" < ?2"
                ),
                "\"#v\"".to_owned(),
                "SUM(\"#n\")",
                vec![
                    SqlValue::Integer(bucket),
                    SqlValue::Integer(end),
                    SqlValue::Integer(m),
                ],
            )
        } else {
            (
                format!(
                    "{} WHERE {time} >= ?1 AND {time} < ?2 AND {q} IS NOT NULL",
                    source.table
                ),
                q,
                "COUNT(*)",
                vec![SqlValue::Integer(bucket), SqlValue::Integer(end)],
            )
        };
        // Judged and written in one pass over the bucket's rows: the grouped counts carry how
        // many groups and values there are in all (window functions over the grouped rows), and
        // only a bucket that shrinks enough inserts them.
        let mut insert = params.clone();
        insert.truncate(2);
        insert.push(SqlValue::Integer(m));
        let written = c.execute(
            &format!(
                "INSERT INTO {t} (\"#t\", \"#m\", \"#v\", \"#n\") \
                 SELECT CAST(?1 AS BIGINT), CAST(?3 AS BIGINT), v, n FROM \
                 (SELECT {value} AS v, {count} AS n, COUNT(*) OVER () AS d, \
                  SUM({count}) OVER () AS a FROM {rows} GROUP BY {value}) AS g \
                 WHERE d * {VALUES_SHRINK} <= a"
            ),
            insert,
        )?;
        if written > 0 {
            continue;
        }
        // Nothing written: either the bucket has no values of the measure, or they did not
        // shrink enough (a marker). Telling them apart reads one row.
        let any: bool = c.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {rows})"),
            params,
            |r| r.get(0),
        )?;
        if any {
            marked = true;
            c.execute(
                &format!(
                    "INSERT INTO {t} (\"#t\", \"#m\", \"#v\", \"#n\") VALUES (?1, ?2, NULL, 0)"
                ),
                [bucket, m],
            )?;
        }
    }
    Ok(marked)
}

/// Whether `source` has at least [`JUDGED_ROWS`] rows.
fn judgeable(c: &Conn, source: &Source) -> AppResult<bool> {
    let n: i64 = c.query_row(
        &format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT {JUDGED_ROWS}) AS s",
            source.table
        ),
        (),
        |r| r.get(0),
    )?;
    Ok(n >= JUDGED_ROWS)
}

/// One unit of background work, in its own transaction: make the rollup tables of a dataset
/// whose definition they do not match, or rebuild the newest dirty bucket that ended and has
/// had no writes for `settle` ms (hours before days). False when there was nothing to do.
///
/// # Errors
/// Database failures (the transaction is rolled back).
pub fn step(c: &Conn, now: i64, settle: i64) -> AppResult<bool> {
    let tx = c.transaction()?;
    let stale: Option<i64> = crate::sql::OptionalExtension::optional(tx.query_row(
        "SELECT d.pk FROM datasets d LEFT JOIN rollup_state s ON s.ds = d.pk \
         WHERE s.ds IS NULL OR s.version <> d.version ORDER BY d.pk LIMIT 1",
        (),
        |r| r.get(0),
    ))?;
    if let Some(pk) = stale {
        if let Some(source) = catalog::by_pk(&tx, pk)? {
            backfill(&tx, &source, now)?;
            tx.commit()?;
            return Ok(true);
        }
    }
    // Days whose hours are not all clean yet wait for them.
    let next: Option<(i64, i64, i64)> = crate::sql::OptionalExtension::optional(tx.query_row(
        "SELECT b.ds, b.span, b.bucket FROM rollup_buckets b \
         WHERE b.state = 1 AND b.dirtied_at <= ?1 AND b.bucket + b.span <= ?2 \
         AND (b.span = ?3 OR NOT EXISTS (SELECT 1 FROM rollup_buckets h WHERE h.ds = b.ds \
              AND h.span = ?3 AND h.state = 1 AND h.bucket >= b.bucket AND h.bucket < b.bucket + b.span)) \
         ORDER BY b.span, b.bucket DESC LIMIT 1",
        [now - settle, now, HOUR],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ))?;
    let Some((pk, span, bucket)) = next else {
        return Ok(false);
    };
    if tx.dialect() == Dialect::Postgres {
        // A batch writing into this bucket now waits for the rebuild and marks it again after.
        tx.query_row(
            "SELECT state FROM rollup_buckets WHERE ds = ?1 AND span = ?2 AND bucket = ?3 FOR UPDATE",
            [pk, span, bucket],
            |r| r.get::<i64>(0),
        )?;
    }
    let source = catalog::by_pk(&tx, pk)?;
    match source.as_ref().map(|s| kept(&tx, s)).transpose()?.flatten() {
        Some(kept) => {
            let source = source.as_ref().expect("kept implies a source");
            let rebuilt = rebuild(&tx, source, &kept, span, bucket)?;
            // Dimensions and measures kept while the dataset was too small to judge them are
            // judged again (the tables are made afresh) once a bucket shows one does not roll up:
            // a dataset is usually made empty and then filled, and an id or a measure with a new
            // value on every row would otherwise be rolled up and thrown away in every bucket.
            // Only a different choice makes them afresh; the same one is recorded as judged.
            if matches!(rebuilt, Rebuilt::NotWorthIt | Rebuilt::ValuesNotWorthIt)
                && kept.sampled < JUDGED_ROWS
                && judgeable(&tx, source)?
            {
                let (dims, values, sampled) = choose(&tx, source)?;
                if dims == kept.dims && values == kept.values {
                    tx.execute(
                        "UPDATE rollup_state SET sampled = ?1 WHERE ds = ?2",
                        [sampled, pk],
                    )?;
                } else {
                    tx.execute("DELETE FROM rollup_state WHERE ds = ?1", [pk])?;
                }
            }
        }
        None if source.is_some() => return Ok(true),
        None => {
            // The dataset is gone: forget its buckets.
            tx.execute("DELETE FROM rollup_buckets WHERE ds = ?1", [pk])?;
        }
    }
    tx.commit()?;
    Ok(true)
}

/// Whether a bucket that has ended is still to be rebuilt (it is waiting out [`SETTLE_MS`]).
fn settling(c: &Conn, now: i64) -> AppResult<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM rollup_buckets WHERE state = 1 AND bucket + span <= ?1)",
        [now],
        |r| r.get(0),
    )?)
}

/// The line [`run`] prints on standard output each time it has caught up — no bucket that has
/// ended is left to rebuild — (and once at start when there was nothing to do), for harnesses
/// that measure a server in its steady state.
pub const CAUGHT_UP: &str = "vantage-server rollups up to date";

/// Keeps every dataset's rollups up to date until shutdown: after each step that found work it
/// looks again at once, otherwise after two seconds. Only the replica holding the work lease
/// does this, like retention.
pub async fn run(state: SharedState) {
    let mut shutdown = state.shutdown.clone();
    // Steps since the last time it caught up, and when the first of them ran; `None` until the
    // first time (so that is reported even with nothing to do).
    let mut pending: Option<(u64, std::time::Instant)> = None;
    let mut reported = false;
    // Set once a newer vantage-server has upgraded the schema (a rolling upgrade): from then on
    // the rollups are its work, since this one would rebuild them in the old shape.
    let mut superseded = false;
    // When the schema's version was last read: at most once a second, not before every step
    // of a catch-up.
    let mut guarded: Option<std::time::Instant> = None;
    loop {
        let mut working = state.lease.held() && state.db.is_prepared() && !superseded;
        if working && guarded.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
            guarded = Some(std::time::Instant::now());
            if let Ok(Some((found, known))) =
                state.db.read(|c| Ok(crate::db::newer_schema(c)?)).await
            {
                tracing::error!(
                    "rollups stopped: {}",
                    crate::db::newer_schema_message(found, known)
                );
                superseded = true;
                working = false;
            }
        }
        let now = crate::db::now_ms();
        let (busy, settling) = if working {
            let did = state.db.write(move |c| step(c, now, SETTLE_MS)).await;
            let settling = match did {
                Ok(false) => state.db.read(move |c| settling(c, now)).await,
                _ => Ok(false),
            };
            match (did, settling) {
                (Ok(did), Ok(settling)) => (did, settling),
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!("rollup step failed: {e}");
                    (false, false)
                }
            }
        } else {
            (false, false)
        };
        if busy || settling {
            let (steps, _) = pending.get_or_insert((0, std::time::Instant::now()));
            *steps += u64::from(busy);
        } else if working && (!reported || pending.is_some()) {
            let (steps, since) = pending.take().unwrap_or((0, std::time::Instant::now()));
            tracing::info!(
                steps,
                secs = since.elapsed().as_secs_f64(),
                "rollups up to date"
            );
            // Never a panic when nobody reads standard output any more.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{CAUGHT_UP} ({steps} steps)").and_then(|()| out.flush());
            reported = true;
        }
        let pause = if busy {
            Duration::from_millis(0)
        } else {
            Duration::from_secs(2)
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Where a query over `[from, to)` reads its rows: whole UTC days from the day table, whole
/// hours from the hour table, the rest from the events table. Ranges are `[start, end)`;
/// `i64::MIN`/`i64::MAX` mean unbounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub days: Vec<(i64, i64)>,
    pub hours: Vec<(i64, i64)>,
    pub raw: Vec<(i64, i64)>,
    /// The measures whose values the rollups count, in the order of `#m` (see
    /// [`raw_with_marked`]).
    pub counted: Vec<String>,
}

/// Which rollup levels can answer `query` over `range`, bucketed in `tz`, judging by its
/// measures and time buckets alone: `None` when neither can, else whether days can (hours then
/// always can). Its groups and filters are checked against the kept dimensions after.
fn levels(source: &Source, query: &Query, range: Option<(i64, i64)>, tz: Tz) -> Option<bool> {
    let schema = &source.schema;
    let measures_ok = query.measures.iter().all(|m| match m.agg {
        Aggregation::Count => m.field == "*" || schema.measure(&m.field).is_some(),
        Aggregation::Sum
        | Aggregation::Avg
        | Aggregation::Min
        | Aggregation::Max
        | Aggregation::P50
        | Aggregation::P95
        | Aggregation::P99 => schema.measure(&m.field).is_some(),
        Aggregation::CountDistinct => schema.dimension(&m.field).is_some(),
    });
    if !measures_ok {
        return None;
    }
    match query.granularity {
        None => Some(true),
        Some(Granularity::Minute | Granularity::FiveMinutes | Granularity::FifteenMinutes) => None,
        Some(g) if tz == Tz::UTC => Some(g != Granularity::Hour),
        Some(_) => {
            let (from, to) = range?;
            crate::zone::whole_hours(tz, from, to).then_some(false)
        }
    }
}

/// `ranges` minus `holes` (both sorted, non-overlapping).
fn subtract(ranges: &[(i64, i64)], holes: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for &(mut a, b) in ranges {
        for &(h0, h1) in holes {
            if h1 <= a || h0 >= b {
                continue;
            }
            if h0 > a {
                out.push((a, h0));
            }
            a = a.max(h1);
            if a >= b {
                break;
            }
        }
        if a < b {
            out.push((a, b));
        }
    }
    out
}

/// Buckets of `span` as merged ranges.
fn ranges_of(buckets: &[i64], span: i64) -> Vec<(i64, i64)> {
    merge(buckets.iter().map(|&b| (b, b + span)).collect())
}

/// The pure part of [`plan`]: the ranges, given which days and hours are dirty (sorted).
fn split(from: i64, to: i64, with_days: bool, dirty_days: &[i64], dirty_hours: &[i64]) -> Plan {
    // Rollup buckets start at or after 1970: time buckets before it are computed with
    // truncating division, which the bucket starts would not match.
    let lo = from.max(0);
    let (d0, d1) = (ceil(lo, DAY), floor(to, DAY));
    let days = if with_days && d0 < d1 {
        subtract(&[(d0, d1)], &ranges_of(dirty_days, DAY))
    } else {
        Vec::new()
    };
    let (h0, h1) = (ceil(lo, HOUR), floor(to, HOUR));
    let hours = if h0 < h1 {
        subtract(&subtract(&[(h0, h1)], &days), &ranges_of(dirty_hours, HOUR))
    } else {
        Vec::new()
    };
    let raw = subtract(&subtract(&[(from, to)], &days), &hours);
    Plan {
        days,
        hours,
        raw,
        counted: Vec::new(),
    }
}

/// How the rollups of `source` can answer `query` over `range`, or `None` to read the events
/// table alone (the query is not one rollups answer, the rollups are not made yet, or they
/// would cover nothing).
///
/// # Errors
/// Database failures.
pub fn plan(
    c: &Conn,
    source: &Source,
    query: &Query,
    filters: &[&Filter],
    range: Option<(i64, i64)>,
    tz: Tz,
) -> AppResult<Option<Plan>> {
    // What needs no database first: most queries the rollups cannot answer stop here.
    let Some(with_days) = levels(source, query, range, tz) else {
        return Ok(None);
    };
    let Some(kept) = kept(c, source)? else {
        return Ok(None);
    };
    let distinct = query
        .measures
        .iter()
        .filter(|m| m.agg == Aggregation::CountDistinct)
        .map(|m| &m.field);
    let keys_kept = query
        .dimensions
        .iter()
        .chain(filters.iter().map(|f| &f.field))
        .chain(distinct)
        .all(|d| kept.dims.contains(d));
    if !keys_kept {
        return Ok(None);
    }
    let (from, to) = range.unwrap_or((i64::MIN, i64::MAX));
    let mut stmt = c.prepare_cached(
        "SELECT span, bucket FROM rollup_buckets WHERE ds = ?1 AND state <> 0 \
         AND bucket >= ?2 AND bucket < ?3 ORDER BY span, bucket",
    )?;
    let mut rows = stmt.query([source.pk, floor(from.max(0), DAY), to])?;
    let (mut dirty_days, mut dirty_hours) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let (span, bucket): (i64, i64) = (r.get(0)?, r.get(1)?);
        if span == DAY {
            dirty_days.push(bucket);
        } else {
            dirty_hours.push(bucket);
        }
    }
    let mut plan = split(from, to, with_days, &dirty_days, &dirty_hours);
    if (plan.days.is_empty() && plan.hours.is_empty()) || plan.raw.len() > MAX_RAW_RANGES {
        return Ok(None);
    }
    // Value counts have no dimensions: a percentile grouped or filtered by one reads its values
    // from the events (`crate::query`), while its groups and the other measures come from here.
    if query.dimensions.is_empty() && filters.is_empty() {
        plan.counted = kept.values;
    }
    Ok(Some(plan))
}

/// The ranges a percentile reads from the events table: the plan's `raw` ones and the days and
/// hours whose value counts were not worth keeping for the measure (a marker row), joined.
pub fn raw_with_marked(
    raw: &[(i64, i64)],
    marked_days: &[i64],
    marked_hours: &[i64],
) -> Vec<(i64, i64)> {
    let mut out = raw.to_vec();
    out.extend(ranges_of(marked_days, DAY));
    out.extend(ranges_of(marked_hours, HOUR));
    merge(out)
}

/// `ranges` sorted, with touching or overlapping ones joined.
fn merge(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// SQL matching `column` to any of `ranges` (`1 = 0` for none), and its parameters.
pub fn ranges_sql(column: &str, ranges: &[(i64, i64)]) -> (String, Vec<SqlValue>) {
    let mut parts = Vec::new();
    let mut params = Vec::new();
    for &(a, b) in ranges {
        let mut conds = Vec::new();
        if a != i64::MIN {
            conds.push(format!("{column} >= ?"));
            params.push(SqlValue::Integer(a));
        }
        if b != i64::MAX {
            conds.push(format!("{column} < ?"));
            params.push(SqlValue::Integer(b));
        }
        parts.push(if conds.is_empty() {
            "1 = 1".to_owned()
        } else {
            conds.join(" AND ")
        });
    }
    if parts.is_empty() {
        return ("1 = 0".into(), params);
    }
    (format!("({})", parts.join(" OR ")), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: i64 = DAY;
    const H: i64 = HOUR;

    #[test]
    fn a_range_reads_whole_days_then_whole_hours_then_its_edges() {
        // 1.5 h into day 10 until 3.5 h into day 13.
        let (from, to) = (10 * D + 3 * H / 2, 13 * D + 7 * H / 2);
        let p = split(from, to, true, &[], &[]);
        assert_eq!(p.days, vec![(11 * D, 13 * D)]);
        assert_eq!(
            p.hours,
            vec![(10 * D + 2 * H, 11 * D), (13 * D, 13 * D + 3 * H)]
        );
        assert_eq!(p.raw, vec![(from, 10 * D + 2 * H), (13 * D + 3 * H, to)]);
    }

    #[test]
    fn dirty_days_fall_back_to_their_clean_hours_and_dirty_hours_to_rows() {
        let (from, to) = (10 * D, 13 * D);
        let p = split(from, to, true, &[11 * D], &[11 * D + 5 * H, 11 * D + 6 * H]);
        assert_eq!(p.days, vec![(10 * D, 11 * D), (12 * D, 13 * D)]);
        assert_eq!(
            p.hours,
            vec![(11 * D, 11 * D + 5 * H), (11 * D + 7 * H, 12 * D)]
        );
        assert_eq!(p.raw, vec![(11 * D + 5 * H, 11 * D + 7 * H)]);
        // Without days, everything whole is hours.
        let p = split(from, to, false, &[11 * D], &[]);
        assert!(p.days.is_empty());
        assert_eq!(p.hours, vec![(10 * D, 13 * D)]);
        assert!(p.raw.is_empty());
    }

    #[test]
    fn an_unbounded_range_keeps_its_open_ends_and_time_before_1970_raw() {
        let p = split(i64::MIN, i64::MAX, true, &[], &[]);
        assert_eq!(p.days, vec![(0, floor(i64::MAX, D))]);
        assert_eq!(p.raw, vec![(i64::MIN, 0), (floor(i64::MAX, H), i64::MAX)]);
        let (sql, params) = ranges_sql("\"ts\"", &p.raw);
        assert_eq!(sql, "(\"ts\" < ? OR \"ts\" >= ?)");
        assert_eq!(params.len(), 2);
        assert_eq!(ranges_sql("x", &[]).0, "1 = 0");
    }

    #[test]
    fn buckets_floor_also_before_1970() {
        assert_eq!(floor(-1, H), -H);
        assert_eq!(floor(H, H), H);
        assert_eq!(ceil(1, H), H);
        assert_eq!(ceil(-H, H), -H);
    }
}
