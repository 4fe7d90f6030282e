//! Writing and deleting the rows of a dataset's events table.

use super::catalog::{quote, Source};
use crate::error::AppResult;
use crate::sql::Value as SqlValue;
use crate::sql::{Conn, Dialect};

/// Inserts `rows` (values in the order of `columns`, which must be fields of `source`).
/// Call inside a transaction: callers rely on all-or-nothing.
///
/// # Errors
/// Database failures (e.g. a column the definition no longer has).
pub fn insert(
    c: &Conn,
    source: &Source,
    columns: &[&str],
    rows: &[Vec<SqlValue>],
) -> AppResult<usize> {
    super::partitions::ensure_for_rows(c, source, columns, rows)?;
    if let Some(i) = columns.iter().position(|n| *n == source.schema.time_field) {
        let times = rows.iter().filter_map(|r| match r.get(i) {
            Some(SqlValue::Integer(t)) => Some(*t),
            _ => None,
        });
        super::rollups::mark(c, source, times, crate::db::now_ms())?;
    }
    let names: Vec<String> = columns.iter().map(|n| quote(n)).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        source.table,
        names.join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    if c.dialect() == Dialect::Postgres {
        return insert_chunked(c, source, &names, rows);
    }
    let mut stmt = c.prepare_cached(&sql)?;
    for row in rows {
        stmt.execute(crate::sql::params_from_iter(row.iter()))?;
    }
    Ok(rows.len())
}

/// Rows per statement on PostgreSQL, where each statement is a network round trip (SQLite
/// runs a cached statement per row in-process, which is as fast).
const ROWS_PER_STATEMENT: usize = 500;

fn insert_chunked(
    c: &Conn,
    source: &Source,
    names: &[String],
    rows: &[Vec<SqlValue>],
) -> AppResult<usize> {
    let width = names.len();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let tuple = format!("({})", vec!["?"; width].join(", "));
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            source.table,
            names.join(", "),
            vec![tuple.as_str(); chunk.len()].join(", ")
        );
        let params: Vec<SqlValue> = chunk.iter().flat_map(|r| r.iter().cloned()).collect();
        c.execute(&sql, params)?;
    }
    Ok(rows.len())
}

/// Deletes rows whose time is in `[from, to)`; returns how many.
///
/// # Errors
/// Database failures.
pub fn delete_range(c: &Conn, source: &Source, from: i64, to: i64) -> AppResult<u64> {
    let time = source.time_column();
    let sql = format!(
        "DELETE FROM {} WHERE {time} >= ?1 AND {time} < ?2",
        source.table
    );
    let tx = c.transaction()?;
    super::rollups::mark_range(&tx, source, from, to, crate::db::now_ms())?;
    let n = tx.execute(&sql, [from, to])? as u64;
    tx.commit()?;
    Ok(n)
}

/// Deletes up to `limit` rows older than `before` (retention works in slices so the writer
/// lock is never held for long); returns how many.
///
/// # Errors
/// Database failures.
pub fn delete_older(c: &Conn, source: &Source, before: i64, limit: u32) -> AppResult<u64> {
    let time = source.time_column();
    let sql = format!(
        "DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE {time} < ?1 ORDER BY {time} LIMIT {limit})",
        t = source.table
    );
    let tx = c.transaction()?;
    let n = tx.execute(&sql, [before])? as u64;
    if n > 0 {
        super::rollups::mark_range(&tx, source, i64::MIN, before, crate::db::now_ms())?;
    }
    tx.commit()?;
    Ok(n)
}
