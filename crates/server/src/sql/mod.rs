//! The storage interface at the connection level: one [`Conn`] over SQLite or PostgreSQL with
//! the small surface the server uses (`execute`, `query_row`, `prepare(..).query_map`,
//! transactions), parameters as one portable [`Value`] type and rows read by index.
//!
//! SQL is written once, in the subset both engines share, with `?N` (or `?`) placeholders; the
//! PostgreSQL side rewrites them to `$N` ([`pg`]). The few things that truly differ between the
//! engines (case-insensitive compare, rounding, time-zone bucketing, column types, locks taken
//! by start-up work) are methods of the connection's [`Dialect`]. A parameter PostgreSQL
//! cannot type from its use (`?2 IS NULL OR …`) is written `CAST(?2 AS TEXT)`, which both read.
//!
//! ```ignore
//! let n: i64 = c.query_row("SELECT COUNT(*) FROM users WHERE tenant_id = ?1", params![t], |r| r.get(0))?;
//! ```

mod dialect;
pub mod pg;
pub mod pg_tls;
mod sqlite;
mod value;

pub use dialect::Dialect;
pub use value::{Params, Row, ToValue, Value};

use std::ops::Deref;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query that must return a row returned none (see [`OptionalExtension`]).
    #[error("query returned no rows")]
    NoRows,
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", pg::describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// PostgreSQL cannot be reached (no connection from the pool, or a call timed out).
    #[error("the database is not available: {0}")]
    Unavailable(String),
    /// A schema migration step failed for a reason of its own.
    #[error("migration: {0}")]
    Migration(String),
    /// A cell could not be read as the type asked for.
    #[error("column {index}: {message}")]
    Decode { index: usize, message: String },
    /// The deadline [`Conn::within`] set passed between two statements (PostgreSQL).
    #[error("the query ran past its time limit")]
    TimeLimit,
}

impl Error {
    /// Whether a statement was cancelled for running past the limit [`Conn::within`] set.
    pub fn is_cancelled(&self) -> bool {
        match self {
            Error::Sqlite(e) => sqlite::is_interrupt(e),
            Error::Postgres(e) => {
                e.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED)
            }
            Error::TimeLimit => true,
            _ => false,
        }
    }

    /// Whether the failure means the database cannot be reached now (503), rather than a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Unavailable(_) => true,
            Error::Postgres(e) => pg::is_connection_error(e),
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// `query_row(..).optional()`: no row becomes `None`.
pub trait OptionalExtension<T> {
    /// # Errors
    /// Every failure except "no rows".
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Parameters for one statement: `params![a, b]` (any [`ToValue`]).
macro_rules! params {
    () => { ::std::vec::Vec::<$crate::sql::Value>::new() };
    ($($x:expr),+ $(,)?) => {
        ::std::vec![$($crate::sql::ToValue::to_value(&$x)),+]
    };
}
pub(crate) use params;

/// Parameters from an iterator of values.
pub fn params_from_iter<I>(iter: I) -> Vec<Value>
where
    I: IntoIterator,
    I::Item: ToValue,
{
    iter.into_iter().map(|v| v.to_value()).collect()
}

/// One database connection (SQLite, or a pooled PostgreSQL client).
pub struct Conn {
    backend: Backend,
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Pg(pg::PgConn),
}

impl Conn {
    pub(crate) fn sqlite(c: rusqlite::Connection) -> Self {
        Self {
            backend: Backend::Sqlite(c),
        }
    }

    pub(crate) fn pg(c: pg::PgConn) -> Self {
        Self {
            backend: Backend::Pg(c),
        }
    }

    /// The SQLite connection, for SQLite-only maintenance (migrations, checkpoints).
    pub(crate) fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Pg(_) => None,
        }
    }

    /// Which SQL dialect this connection speaks.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Pg(_) => Dialect::Postgres,
        }
    }

    /// Runs `f` with a time limit on its statements (`None`: no limit): a statement still
    /// running at the limit is cancelled and fails with an error [`Error::is_cancelled`]
    /// recognises. One deadline holds for all of `f`'s statements. SQLite looks at the clock
    /// every few thousand steps of its virtual machine; on PostgreSQL `statement_timeout` is
    /// set to the limit, and set again to the time left before a later statement once it lags
    /// that by more than a twentieth of the limit (a query of quick statements pays one `SET`
    /// and one `RESET`). The limit is lifted afterwards, also when `f` fails or panics, so the
    /// connection goes back to its pool without it.
    ///
    /// # Errors
    /// `f`'s, or setting the limit failed (PostgreSQL).
    pub fn within<T, E: From<Error>>(
        &self,
        limit: Option<std::time::Duration>,
        f: impl FnOnce(&Conn) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        /// Lifts the limit when dropped.
        struct Lift<'a>(&'a Backend);
        impl Drop for Lift<'_> {
            fn drop(&mut self) {
                match self.0 {
                    Backend::Sqlite(c) => sqlite::lift_limit(c),
                    Backend::Pg(c) => c.lift_limit(),
                }
            }
        }
        let Some(limit) = limit else {
            return f(self);
        };
        match &self.backend {
            Backend::Sqlite(c) => sqlite::set_limit(c, limit),
            Backend::Pg(c) => c.set_limit(limit)?,
        }
        let _lift = Lift(&self.backend);
        f(self)
    }

    /// Runs one statement; returns the number of rows changed.
    ///
    /// # Errors
    /// Database failures.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let values = params.into_values();
        match &self.backend {
            Backend::Sqlite(c) => sqlite::execute(c, sql, &values),
            Backend::Pg(c) => c.execute(sql, &values),
        }
    }

    /// Runs several statements without parameters.
    ///
    /// # Errors
    /// Database failures.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Pg(c) => c.batch(sql),
        }
    }

    /// Every row of a query, read into memory.
    ///
    /// # Errors
    /// Database failures.
    pub fn query_all(&self, sql: &str, params: impl Params) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        self.for_each(sql, params, |r| {
            out.push(r.clone());
            Ok::<(), Error>(())
        })?;
        Ok(out)
    }

    /// Calls `f` for each row as it is read (large results are not held in memory).
    ///
    /// # Errors
    /// Database failures, or the first error `f` returns.
    pub fn for_each<E: From<Error>>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnMut(&Row) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let values = params.into_values();
        match &self.backend {
            Backend::Sqlite(c) => sqlite::for_each(c, sql, &values, f),
            Backend::Pg(c) => c.for_each(sql, &values, f),
        }
    }

    /// The first row of a query mapped by `f`; [`Error::NoRows`] when there is none.
    ///
    /// # Errors
    /// Database failures, no rows, or `f`'s error.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let mut first = None;
        self.for_each(sql, params, |r| {
            if first.is_none() {
                first = Some(r.clone());
            }
            Ok::<(), Error>(())
        })?;
        f(&first.ok_or(Error::NoRows)?)
    }

    /// A statement to run (possibly several times).
    ///
    /// # Errors
    /// None today; kept fallible like the drivers' `prepare`.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_owned(),
        })
    }

    /// [`Conn::prepare`]; both backends cache prepared statements by their text.
    ///
    /// # Errors
    /// See [`Conn::prepare`].
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare(sql)
    }

    /// Starts a transaction, rolled back on drop unless committed.
    ///
    /// # Errors
    /// Database failures.
    pub fn transaction(&self) -> Result<Tx<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Tx {
            conn: self,
            done: false,
        })
    }

    /// Starts a transaction that holds the database's write lock (SQLite: `BEGIN IMMEDIATE`;
    /// PostgreSQL: an advisory lock on `name` until commit), so start-up work run by several
    /// replicas together (migrations, seeding) happens once while the others wait for it.
    ///
    /// # Errors
    /// Database failures.
    pub fn exclusive_transaction(&self, name: &str) -> Result<Tx<'_>> {
        match &self.backend {
            Backend::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Backend::Pg(c) => {
                c.batch("BEGIN")?;
                let tx = Tx {
                    conn: self,
                    done: false,
                };
                c.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(?1))",
                    &[Value::Text(name.to_owned())],
                )?;
                return Ok(tx);
            }
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }

    /// How long SQLite waits for another writer; PostgreSQL waits for locks by itself.
    ///
    /// # Errors
    /// SQLite refuses the setting.
    pub fn busy_timeout(&self, d: std::time::Duration) -> Result<()> {
        if let Backend::Sqlite(c) = &self.backend {
            c.busy_timeout(d)?;
        }
        Ok(())
    }
}

/// A statement bound to its connection.
pub struct Stmt<'c> {
    conn: &'c Conn,
    sql: String,
}

impl Stmt<'_> {
    /// Runs it; returns the number of rows changed.
    ///
    /// # Errors
    /// Database failures.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }

    /// Every row mapped by `f`.
    ///
    /// # Errors
    /// Database failures.
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut out = Vec::new();
        self.conn.for_each(&self.sql, params, |r| {
            out.push(f(r));
            Ok::<(), Error>(())
        })?;
        Ok(out.into_iter())
    }

    /// The first row mapped by `f`.
    ///
    /// # Errors
    /// Database failures, [`Error::NoRows`].
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, params, f)
    }

    /// Every row, to walk with [`Rows::next`].
    ///
    /// # Errors
    /// Database failures.
    pub fn query(&mut self, params: impl Params) -> Result<Rows> {
        Ok(Rows {
            rows: self.conn.query_all(&self.sql, params)?.into_iter(),
            current: None,
        })
    }
}

/// Rows read by [`Stmt::query`].
pub struct Rows {
    rows: std::vec::IntoIter<Row>,
    current: Option<Row>,
}

impl Rows {
    /// The next row.
    ///
    /// # Errors
    /// None (rows are already read); fallible like the drivers' cursors.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<&Row>> {
        self.current = self.rows.next();
        Ok(self.current.as_ref())
    }
}

/// An open transaction; derefs to its connection. Rolled back on drop unless committed.
pub struct Tx<'c> {
    conn: &'c Conn,
    done: bool,
}

impl Tx<'_> {
    /// Commits.
    ///
    /// # Errors
    /// Database failures (the transaction is then rolled back).
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        let r = self.conn.execute_batch("COMMIT");
        if r.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        r
    }
}

impl Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
