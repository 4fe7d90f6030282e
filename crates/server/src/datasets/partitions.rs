//! Creating a dataset's events table, partitioned by time on PostgreSQL.
//!
//! On PostgreSQL the table is `PARTITION BY RANGE (<time field>)` with one partition per UTC
//! month (`ev_<pk>_pYYYYMM`), created as rows for that month arrive ([`ensure_for_rows`]) and
//! ahead of time when the table is made, plus a `DEFAULT` partition that catches anything else
//! (a month whose partition could not be made because the default already held rows of it, or
//! more months than one batch may create). Queries always carry a time range, so the planner
//! reads only the months it covers, and retention deletes inside old months.
//!
//! Index: a B-tree on the time field (one per partition, made by the parent's index). BRIN
//! would be smaller, but it only helps while rows arrive in time order; ingest accepts
//! back-filled and out-of-order batches, the live generator and ingest interleave, and the
//! month partitions already keep each B-tree small. The same index serves the range filter of
//! every query and retention's oldest-first deletes.
//!
//! On SQLite it is one plain table with the same B-tree index.

use super::catalog::{quote, Source};
use crate::error::AppResult;
use crate::sql::{params, Conn, Dialect, Value};
use chrono::{DateTime, Datelike, NaiveDate};

/// Most month partitions one call creates (a batch spanning decades lands in the default).
const MAX_NEW_MONTHS: usize = 24;
const DAY_MS: i64 = 86_400_000;

/// Creates `table` with `columns` (already SQL), its time index and, on PostgreSQL, its
/// partitions around `now`.
///
/// # Errors
/// Database failures.
pub fn create_table(
    c: &Conn,
    table: &str,
    columns: &[String],
    time_field: &str,
    now: i64,
) -> AppResult<()> {
    let time = quote(time_field);
    let cols = columns.join(", ");
    match c.dialect() {
        Dialect::Sqlite => c.execute_batch(&format!(
            "CREATE TABLE {table} ({cols});\nCREATE INDEX {table}_time ON {table}({time});"
        ))?,
        Dialect::Postgres => {
            c.execute_batch(&format!(
                "CREATE TABLE {table} ({cols}) PARTITION BY RANGE ({time});
                 CREATE TABLE {table}_default PARTITION OF {table} DEFAULT;
                 CREATE INDEX {table}_time ON {table} ({time});"
            ))?;
            ensure(c, table, &time, now - 31 * DAY_MS, now + 62 * DAY_MS)?;
        }
    }
    Ok(())
}

/// Makes sure the month partitions for the rows about to be inserted exist (PostgreSQL).
///
/// # Errors
/// Database failures.
pub fn ensure_for_rows(
    c: &Conn,
    source: &Source,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> AppResult<()> {
    if c.dialect() != Dialect::Postgres {
        return Ok(());
    }
    let Some(i) = columns.iter().position(|n| *n == source.schema.time_field) else {
        return Ok(());
    };
    let times = rows.iter().filter_map(|r| match r.get(i) {
        Some(Value::Integer(t)) => Some(*t),
        _ => None,
    });
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for t in times {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if lo > hi {
        return Ok(());
    }
    ensure(c, &source.table, &source.time_column(), lo, hi + 1)
}

fn month_start(ms: i64) -> Option<NaiveDate> {
    let d = DateTime::from_timestamp_millis(ms)?.date_naive();
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
}

fn ms_of(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_millis())
}

/// Creates the missing month partitions of `table` covering `[from, to)`.
fn ensure(c: &Conn, table: &str, time: &str, from: i64, to: i64) -> AppResult<()> {
    let Some(mut month) = month_start(from) else {
        return Ok(());
    };
    for _ in 0..MAX_NEW_MONTHS {
        let start = ms_of(month);
        if start >= to {
            break;
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        let end = ms_of(next);
        let name = format!("{table}_p{:04}{:02}", month.year(), month.month());
        let exists: bool =
            c.query_row("SELECT to_regclass(?1) IS NOT NULL", params![name], |r| {
                r.get(0)
            })?;
        // A partition cannot be attached over rows the default partition already holds.
        let taken: bool = exists
            || c.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM {table}_default WHERE {time} >= ?1 AND {time} < ?2)"
                ),
                params![start, end],
                |r| r.get(0),
            )?;
        if !taken {
            c.execute_batch(&format!(
                "CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({start}) TO ({end})"
            ))?;
        }
        month = next;
    }
    Ok(())
}
