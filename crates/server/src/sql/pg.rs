//! The PostgreSQL side of [`super::Conn`]: a `deadpool-postgres` pool of `tokio-postgres`
//! clients, used from the blocking pool's threads (which may block on the async client while
//! tokio's workers drive the connections).
//!
//! Placeholders are rewritten from `?N`/`?` to `$N`. Parameters convert to whatever type the
//! server inferred for them (an integer bound where a `double precision` is expected is sent as
//! one), so one [`Value`] type serves both engines. Every call has a deadline: a database that
//! stops answering turns into [`Error::Unavailable`] (503), never a request that hangs.

use super::{Conn, Error, Result, Row, Value};
use bytes::BytesMut;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::cell::Cell;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// How long one statement (or getting a connection) may take before it counts as unavailable.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take (an unreachable host answers 503 after this).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`).
pub fn is_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A pool of connections to one PostgreSQL database.
#[derive(Clone)]
pub struct PgPool {
    pool: Pool,
    rt: Handle,
}

impl PgPool {
    /// A pool for `url` (connections are made when first needed).
    ///
    /// `sslmode=require` connects over TLS (see [`super::pg_tls`]).
    ///
    /// # Errors
    /// A malformed URL (the message says what is wrong with it), an unusable `sslrootcert`, or
    /// no tokio runtime.
    pub fn new(url: &str) -> std::result::Result<Self, String> {
        let target = super::pg_tls::parse(url)?;
        let mut config = target.config;
        config.connect_timeout(CONNECT_TIMEOUT);
        if config.get_application_name().is_none() {
            config.application_name("vantage-server");
        }
        if config.get_options().is_none() {
            // Keep notices (`… already exists, skipping`) out of the server's log.
            config.options("-c client_min_messages=warning");
        }
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match target.tls {
            Some(tls) => Manager::from_config(config, tls, manager_config),
            None => Manager::from_config(config, tokio_postgres::NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CALL_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| e.to_string())?;
        let rt = Handle::try_current().map_err(|e| e.to_string())?;
        Ok(Self { pool, rt })
    }

    /// A connection from the pool. Blocks: call from a blocking-pool thread.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when no connection can be made.
    pub fn get(&self) -> Result<Conn> {
        let client = self
            .rt
            .block_on(self.pool.get())
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        Ok(Conn::pg(PgConn {
            client,
            rt: self.rt.clone(),
            limit: Cell::new(None),
        }))
    }
}

/// One pooled client (returned to the pool on drop).
pub struct PgConn {
    client: deadpool_postgres::Object,
    rt: Handle,
    /// While [`Conn::within`] runs: its deadline and the `statement_timeout` last set.
    limit: Cell<Option<Limit>>,
}

/// A time limit on all of a query's statements, kept by `statement_timeout`.
#[derive(Clone, Copy)]
struct Limit {
    deadline: Instant,
    /// The `statement_timeout` set now, in milliseconds.
    set_ms: u64,
    /// How far the setting may lag the time left before it is set again: a statement may run
    /// this much past the deadline, and a query of quick statements costs no extra round trip.
    slack_ms: u64,
}

impl PgConn {
    /// Limits this connection's statements to `limit` from now, all of them together.
    pub(super) fn set_limit(&self, limit: Duration) -> Result<()> {
        // 0 would mean no limit.
        let ms = u64::try_from(limit.as_millis().clamp(1, i32::MAX as u128)).unwrap_or(1);
        self.batch(&format!("SET statement_timeout = {ms}"))?;
        self.limit.set(Some(Limit {
            deadline: Instant::now() + limit,
            set_ms: ms,
            slack_ms: (ms / 20).max(1),
        }));
        Ok(())
    }

    /// Lifts [`PgConn::set_limit`], so the connection goes back to its pool without it.
    pub(super) fn lift_limit(&self) {
        if self.limit.take().is_some() {
            if let Err(e) = self.batch("RESET statement_timeout") {
                tracing::warn!("lifting a statement time limit failed: {e}");
            }
        }
    }

    /// Before a statement under a limit: the time left for the query, so its statements stop
    /// at one deadline (as SQLite's do) rather than each getting the whole limit.
    fn keep_within(&self) -> Result<()> {
        let Some(mut limit) = self.limit.get() else {
            return Ok(());
        };
        let left = limit.deadline.saturating_duration_since(Instant::now());
        let left_ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        if left_ms == 0 {
            return Err(Error::TimeLimit);
        }
        if limit.set_ms.saturating_sub(left_ms) > limit.slack_ms {
            self.batch(&format!("SET statement_timeout = {left_ms}"))?;
            limit.set_ms = left_ms;
            self.limit.set(Some(limit));
        }
        Ok(())
    }

    fn run<T>(
        &self,
        f: impl std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        match self.rt.block_on(tokio::time::timeout(CALL_TIMEOUT, f)) {
            Ok(r) => Ok(r?),
            Err(_) => Err(Error::Unavailable(format!(
                "no answer within {}s",
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }

    fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement> {
        let sql = translate(sql);
        self.run(self.client.prepare_cached(&sql))
    }

    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.run(self.client.batch_execute(sql))
    }

    pub(super) fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        self.keep_within()?;
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let n = self.run(self.client.execute(&stmt, &refs))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn for_each<E: From<Error>>(
        &self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.keep_within()?;
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let rows = self.run(self.client.query(&stmt, &refs))?;
        let mut row = Row::default();
        for r in rows {
            row.cells.clear();
            for i in 0..r.len() {
                row.cells
                    .push(r.try_get::<_, Value>(i).map_err(Error::from)?);
            }
            f(&row)?;
        }
        Ok(())
    }
}

/// The driver's error with the server's message (its `Display` says only "db error").
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({}): {}", db.message(), db.code().code(), e),
        None => e.to_string(),
    }
}

/// Whether a driver error means the server is gone or going (connection lost, shutting down,
/// not accepting connections), as opposed to a failing statement.
pub fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let c = code.code();
        return c.starts_with("08") || c.starts_with("57P");
    }
    // Connecting failed, or the socket broke mid-call.
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// `?N` → `$N`, and bare `?` → `$1`, `$2`, … in order; text inside quotes is left alone.
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0;
    while let Some(ch) = chars.next() {
        if let Some(q) = quote {
            out.push(ch);
            if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '\'' | '"' => {
                quote = Some(ch);
                out.push(ch);
            }
            '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    next += 1;
                    out.push_str(&next.to_string());
                }
            }
            _ => out.push(ch),
        }
    }
    out
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => integer_to_sql(*i, ty, out),
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::INT8 | Type::INT4 | Type::INT2 if f.fract() == 0.0 => {
                    integer_to_sql(*f as i64, ty, out)
                }
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => f.to_string().to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => match *ty {
                Type::INT8 | Type::INT4 | Type::INT2 | Type::FLOAT8 | Type::FLOAT4 => {
                    Err(format!("text '{s}' where {ty} is expected").into())
                }
                _ => s.as_str().to_sql(&Type::TEXT, out),
            },
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn integer_to_sql(i: i64, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
    match *ty {
        Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
        Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
        #[allow(clippy::cast_precision_loss)]
        Type::FLOAT8 => (i as f64).to_sql(ty, out),
        #[allow(clippy::cast_precision_loss)]
        Type::FLOAT4 => (i as f32).to_sql(ty, out),
        Type::BOOL => (i != 0).to_sql(ty, out),
        Type::TEXT | Type::VARCHAR | Type::UNKNOWN => {
            i.to_string().as_str().to_sql(&Type::TEXT, out)
        }
        _ => i.to_sql(&Type::INT8, out),
    }
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            _ => Value::Text(String::from_utf8_lossy(raw).into_owned()),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A `numeric` in PostgreSQL's binary form (base-10000 digits): an integer when it has no
/// decimals and fits (`SUM` of a `bigint` column), otherwise a float (`AVG`, `ROUND`).
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short numeric".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    let mut int: i128 = 0;
    let mut float = 0.0f64;
    let mut exact = true;
    for i in 0..ndigits {
        let d = word(4 + i)?;
        let power = weight - i as i32;
        float += f64::from(d) * 10000f64.powi(power);
        if power >= 0 {
            int = int
                .checked_add(i128::from(d) * 10000i128.checked_pow(power as u32).unwrap_or(0))
                .unwrap_or_else(|| {
                    exact = false;
                    0
                });
        } else if d != 0 {
            exact = false;
        }
    }
    if dscale == 0 && exact {
        let int = if negative { -int } else { int };
        if let Ok(i) = i64::try_from(int) {
            return Ok(Value::Integer(i));
        }
    }
    Ok(Value::Real(if negative { -float } else { float }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_quotes() {
        assert_eq!(
            translate("SELECT a FROM t WHERE b = ?2 AND c = ?1"),
            "SELECT a FROM t WHERE b = $2 AND c = $1"
        );
        assert_eq!(
            translate("INSERT INTO t (a, \"b?\") VALUES (?, ?, '?')"),
            "INSERT INTO t (a, \"b?\") VALUES ($1, $2, '?')"
        );
    }

    #[test]
    fn numerics_decode_to_integers_when_whole() {
        // 123456 = [12, 3456] weight 1, scale 0
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0, 12, 0x0d, 0x80];
        assert_eq!(numeric(&raw).unwrap(), Value::Integer(123_456));
        // -1.5 = [1, 5000] weight 0, scale 1
        let raw = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(numeric(&raw).unwrap(), Value::Real(-1.5));
    }
}
