//! The SQLite side of [`super::Conn`]: cached statements on a `rusqlite::Connection`.

use super::{Error, Result, Row, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// Virtual-machine steps between two looks at the clock while a time limit is set (a look
/// costs tens of nanoseconds; the steps, microseconds).
const PROGRESS_STEPS: i32 = 4096;

/// Interrupts any statement of `c` still running `limit` from now (see [`super::Conn::within`]).
pub(super) fn set_limit(c: &rusqlite::Connection, limit: std::time::Duration) {
    let deadline = std::time::Instant::now() + limit;
    c.progress_handler(
        PROGRESS_STEPS,
        Some(move || std::time::Instant::now() >= deadline),
    );
}

/// Lifts [`set_limit`].
pub(super) fn lift_limit(c: &rusqlite::Connection) {
    c.progress_handler(0, None::<fn() -> bool>);
}

/// Whether `e` is a statement interrupted by [`set_limit`].
pub(super) fn is_interrupt(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted)
}

fn cell(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

pub(super) fn execute(c: &rusqlite::Connection, sql: &str, params: &[Value]) -> Result<usize> {
    let mut stmt = c.prepare_cached(sql)?;
    Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))?)
}

pub(super) fn for_each<E: From<Error>>(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
    mut f: impl FnMut(&Row) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let mut stmt = c.prepare_cached(sql).map_err(Error::from)?;
    let n = stmt.column_count();
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(Error::from)?;
    let mut row = Row::default();
    while let Some(r) = rows.next().map_err(Error::from)? {
        row.cells.clear();
        for i in 0..n {
            row.cells.push(cell(r.get_ref(i).map_err(Error::from)?));
        }
        f(&row)?;
    }
    Ok(())
}
