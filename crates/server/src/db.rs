//! The database handle: SQLite (one writer connection and a small pool of readers, WAL mode,
//! schema migrations keyed on `PRAGMA user_version`) or PostgreSQL (a pool; migrations in
//! [`pg_schema`]). Callers hand closures over a [`Conn`] to [`Db::read`] / [`Db::write`], which
//! run them on tokio's blocking pool.

pub(crate) mod pg_schema;

use crate::error::{AppError, AppResult};
use crate::sql::{self, pg::PgPool, Conn};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Schema versions, applied in order on first start.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    branding TEXT NOT NULL,
    embed_origins TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL
);
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE dashboards (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX dashboards_tenant ON dashboards(tenant_id);
CREATE TABLE validations (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    intent TEXT NOT NULL,
    status TEXT NOT NULL,
    error_type TEXT,
    model TEXT NOT NULL,
    latency_ms REAL NOT NULL,
    confidence REAL NOT NULL,
    session_id TEXT NOT NULL
);
CREATE INDEX validations_tenant_ts ON validations(tenant_id, ts);
CREATE TABLE validations_1m (
    tenant_id TEXT NOT NULL,
    minute INTEGER NOT NULL,
    intent TEXT NOT NULL,
    status TEXT NOT NULL,
    error_type TEXT NOT NULL,
    model TEXT NOT NULL,
    n INTEGER NOT NULL,
    latency_sum REAL NOT NULL,
    latency_min REAL NOT NULL,
    latency_max REAL NOT NULL,
    PRIMARY KEY (tenant_id, minute, intent, status, error_type, model)
) WITHOUT ROWID;
CREATE TABLE agent_events (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    agent TEXT NOT NULL,
    repo TEXT NOT NULL,
    cost_usd REAL NOT NULL,
    duration_ms REAL NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE INDEX agent_events_tenant_ts ON agent_events(tenant_id, ts);
CREATE TABLE sales (
    id INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    region TEXT NOT NULL,
    product TEXT NOT NULL,
    channel TEXT NOT NULL,
    revenue REAL NOT NULL,
    units INTEGER NOT NULL
);
CREATE INDEX sales_tenant_ts ON sales(tenant_id, ts);
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    dataset TEXT NOT NULL,
    value REAL NOT NULL,
    threshold REAL NOT NULL,
    created_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    resolved_at INTEGER
);
CREATE INDEX alerts_tenant ON alerts(tenant_id, created_at);
"#,
    // 2: onboarding — tenant and user status, sign-in sessions (refresh-token families),
    // single-use links (setup, invitations, password resets) and the audit log.
    r#"
ALTER TABLE tenants ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);
ALTER TABLE refresh_tokens ADD COLUMN session_id TEXT NOT NULL DEFAULT '';
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    tenant_id TEXT,
    user_id TEXT,
    email TEXT,
    role TEXT,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    target TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_tenant ON audit_log(tenant_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // 3: datasets as data (issue 14): definitions, one events table per dataset (created by
    // `datasets::catalog`), ingest keys and idempotency records. The demo's former fixed tables
    // are imported into ordinary datasets (`datasets::legacy`) and dropped.
    r#"
CREATE TABLE datasets (
    pk INTEGER PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE TABLE ingest_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    datasets TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX ingest_keys_tenant ON ingest_keys(tenant_id);
CREATE TABLE ingest_idempotency (
    tenant_id TEXT NOT NULL,
    dataset TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, dataset, key)
);
CREATE INDEX ingest_idempotency_created ON ingest_idempotency(created_at);
"#,
    // 4: the JWT signing secret is no longer kept in the data database (`crate::secret`,
    // issue 15), so a stored one is removed. 5: issued embed tokens by jti.
    r#"
DELETE FROM settings WHERE key = 'jwt_secret';
"#,
    EMBED_TOKENS_TABLE,
    // 6: pre-aggregated rollups' bookkeeping (`datasets::rollups`).
    r#"
CREATE TABLE rollup_state (
    ds INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    dims TEXT NOT NULL,
    sampled INTEGER NOT NULL
);
CREATE TABLE rollup_buckets (
    ds INTEGER NOT NULL,
    span INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    state INTEGER NOT NULL,
    dirtied_at INTEGER NOT NULL,
    PRIMARY KEY (ds, span, bucket)
);
CREATE INDEX rollup_buckets_dirty ON rollup_buckets(state, span, bucket);
"#,
    // 7: rollups count the values of repeating measures, for percentiles; every dataset's
    // rollups are made again (with the value-count tables).
    ROLLUP_VALUES,
    // 8: alert rules on a tenant's own datasets (`live::rules`).
    ALERT_RULES_SQLITE,
    // 9: webhooks and their deliveries (`crate::webhooks`).
    WEBHOOKS,
];

/// Migration 8 (SQLite): alert rules, with what each one's last evaluation found, and an index
/// for "is an alert of this rule still open".
const ALERT_RULES_SQLITE: &str = r#"
CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    body TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    evaluated_at INTEGER,
    value REAL,
    error TEXT
);
CREATE INDEX alert_rules_tenant ON alert_rules(tenant_id, created_at);
CREATE INDEX alerts_rule ON alerts(tenant_id, rule, status);
"#;

/// Migration 9 (SQLite) and 5 (PostgreSQL): webhooks (the definition as the JSON of its
/// `WebhookInput`, the signing secret) and deliveries, an outbox written in the same
/// transaction as the alert change they tell of and sent by `crate::webhooks`. `BIGINT` is an
/// integer in both databases.
pub const WEBHOOKS: &str = r#"
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    body TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks(tenant_id, created_at);
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    last_attempt_at BIGINT,
    response_status BIGINT,
    error TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(tenant_id, webhook_id, created_at);
"#;

/// Migration 7 (SQLite) and 3 (PostgreSQL): `rollup_state.measures`, the measures whose values
/// the rollups count; forgetting every state makes the background task roll each dataset up
/// afresh, value counts included.
pub const ROLLUP_VALUES: &str = r#"
ALTER TABLE rollup_state ADD COLUMN measures TEXT NOT NULL DEFAULT '[]';
DELETE FROM rollup_state;
"#;

/// The embed token table (migration 5; also used by unit tests).
pub const EMBED_TOKENS_TABLE: &str = r#"
CREATE TABLE embed_tokens (
    jti TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX embed_tokens_tenant ON embed_tokens(tenant_id, expires_at);
"#;

/// Shared handle to the database (SQLite file or PostgreSQL pool).
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
    /// Start-up's work on the database (migrations, demo seed) is done: see
    /// [`Db::set_prepared`].
    prepared: Arc<AtomicBool>,
}

// One per process: the size of the SQLite variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Sqlite {
        path: PathBuf,
        writer: Mutex<Conn>,
        readers: Mutex<Vec<Conn>>,
    },
    Postgres {
        pool: PgPool,
        /// Writes from this process go one at a time, as on SQLite, so read-then-write steps
        /// (version checks, idempotency records) behave the same on both backends.
        writer: Mutex<()>,
        /// Set once the schema is migrated ([`Db::prepare_schema`]); until then every call
        /// answers 503, so a server started before PostgreSQL was reachable serves nothing
        /// half-made.
        ready: AtomicBool,
    },
}

/// How long a statement waits for another writer (another replica on the same file, or this
/// process's readers during a checkpoint) before failing with "database is locked".
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `f` again while SQLite answers "busy", for up to [`BUSY_TIMEOUT`]. For the steps SQLite
/// does not retry through the busy handler: switching a new file to WAL needs an exclusive lock
/// and fails at once while another replica that opened the same new file holds one.
fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = std::time::Instant::now();
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

fn open_conn(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    retry_busy(|| conn.pragma_update(None, "journal_mode", "WAL"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -32_000)?;
    crate::zone::register(&conn)?;
    Ok(conn)
}

/// The refusal of a database whose schema (`found`) is newer than this binary's migrations
/// (`known`): a newer vantage-server upgraded it, and this one would read and write its tables
/// in the old shape (a rollup rebuilt without what the new version reads).
pub fn newer_schema_message(found: usize, known: usize) -> String {
    format!(
        "the database's schema is version {found}, newer than this vantage-server knows ({known}): \
         a newer version upgraded it; run that version (replicas sharing a database must run the \
         same version)"
    )
}

/// `(found, known)` when the schema of the database behind `c` is newer than this binary's
/// migrations (see [`newer_schema_message`]); `None` when it is not.
///
/// # Errors
/// Database failures.
pub fn newer_schema(c: &Conn) -> sql::Result<Option<(usize, usize)>> {
    let (found, known) = match c.as_sqlite() {
        Some(sqlite) => (
            retry_busy(|| sqlite.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)))?,
            MIGRATIONS.len(),
        ),
        None => (
            c.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM vantage_schema",
                (),
                |r| r.get::<i64>(0),
            )?,
            pg_schema::MIGRATIONS.len(),
        ),
    };
    let found = usize::try_from(found).unwrap_or(0);
    Ok((found > known).then_some((found, known)))
}

fn migrate_sqlite(conn: &Conn) -> sql::Result<()> {
    let Some(sqlite) = conn.as_sqlite() else {
        return Ok(());
    };
    // Replicas may start together on one file: each step reads the version inside a write
    // transaction (`BEGIN IMMEDIATE`), so a migration runs once and the others wait for it.
    let current: usize =
        retry_busy(|| sqlite.pragma_query_value(None, "user_version", |r| r.get(0)))?;
    if current > MIGRATIONS.len() {
        return Err(sql::Error::Migration(newer_schema_message(
            current,
            MIGRATIONS.len(),
        )));
    }
    // (Up to date: no write lock, which another replica seeding the demo may hold for long.)
    let mut pending = current < MIGRATIONS.len();
    while pending {
        let tx = conn.exclusive_transaction("vantage:migrate")?;
        let version: usize = sqlite.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some(sql) = MIGRATIONS.get(version) else {
            break;
        };
        pending = version + 1 < MIGRATIONS.len();
        tx.execute_batch(sql)?;
        if sql.contains("CREATE TABLE datasets (") {
            crate::datasets::legacy::import(&tx).map_err(|e| {
                sql::Error::Migration(format!("importing legacy tables: {}", e.message))
            })?;
        }
        sqlite.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating if needed) and migrates the SQLite database at `path`.
    ///
    /// # Errors
    /// The file cannot be opened or a migration fails.
    pub fn open(path: &Path) -> sql::Result<Self> {
        let conn = Conn::sqlite(open_conn(path)?);
        migrate_sqlite(&conn)?;
        Ok(Self {
            prepared: Arc::new(AtomicBool::new(false)),
            inner: Arc::new(Inner::Sqlite {
                path: path.to_owned(),
                writer: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Opens the database `url` names: SQLite for a path (opened and migrated now), PostgreSQL
    /// for `postgres://…` (a pool; nothing is reached until [`Db::prepare_schema`]). Call inside
    /// the tokio runtime.
    ///
    /// # Errors
    /// The SQLite file cannot be opened or migrated; the URL is not usable.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, String> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || Self::open(&path))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())
            }
            DatabaseUrl::Postgres(url) => {
                let pool = PgPool::new(url)?;
                Ok(Self {
                    prepared: Arc::new(AtomicBool::new(false)),
                    inner: Arc::new(Inner::Postgres {
                        pool,
                        writer: Mutex::new(()),
                        ready: AtomicBool::new(false),
                    }),
                })
            }
        }
    }

    /// Migrates PostgreSQL's schema (SQLite's was migrated when opened). Replicas starting
    /// together take turns.
    ///
    /// # Errors
    /// 503 while PostgreSQL cannot be reached; a failing migration.
    pub async fn prepare_schema(&self) -> AppResult<()> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || match &*db.inner {
            Inner::Sqlite { .. } => Ok(()),
            Inner::Postgres {
                pool,
                writer,
                ready,
            } => {
                let _turn = lock_writer(writer)?;
                pg_schema::migrate(&pool.get()?)?;
                ready.store(true, Ordering::Release);
                Ok(())
            }
        })
        .await?
    }

    /// Records that start-up's work on the database is done; readiness answers 503 before.
    pub fn set_prepared(&self) {
        self.prepared.store(true, Ordering::Release);
    }

    /// Whether [`Db::set_prepared`] was called.
    pub fn is_prepared(&self) -> bool {
        self.prepared.load(Ordering::Acquire)
    }

    /// A pooled PostgreSQL connection, once the schema is ready.
    fn pg_conn(pool: &PgPool, ready: &AtomicBool) -> AppResult<Conn> {
        if !ready.load(Ordering::Acquire) {
            return Err(sql::Error::Unavailable("the schema is not migrated yet".into()).into());
        }
        Ok(pool.get()?)
    }

    /// Runs `f` with the writer connection on the blocking pool.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(f)).await?
    }

    /// Runs `f` with the writer connection on the current thread (a blocking-pool thread, or
    /// any thread outside the runtime: PostgreSQL calls block on the runtime).
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut Conn) -> AppResult<T>) -> AppResult<T> {
        match &*self.inner {
            Inner::Sqlite { writer, .. } => {
                let mut conn = lock_writer(writer)?;
                f(&mut conn)
            }
            Inner::Postgres {
                pool,
                writer,
                ready,
            } => {
                let _turn = lock_writer(writer)?;
                let mut conn = Self::pg_conn(pool, ready)?;
                f(&mut conn)
            }
        }
    }

    /// Runs `f` with a reader connection on the blocking pool.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.read_blocking(f)).await?
    }

    /// [`Db::read`] under a time limit ([`Conn::within`]): a data query's way to the database.
    ///
    /// # Errors
    /// `f`'s, 422 naming `timeRange` when it ran past `limit`, pool failures.
    pub async fn read_within<T: Send + 'static>(
        &self,
        limit: Option<std::time::Duration>,
        f: impl FnOnce(&Conn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        self.read(move |c| c.within(limit, f)).await
    }

    /// Runs `f` with a reader connection on the current thread.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Conn) -> AppResult<T>) -> AppResult<T> {
        match &*self.inner {
            Inner::Sqlite { path, readers, .. } => {
                let pooled = readers.lock().ok().and_then(|mut p| p.pop());
                let conn = match pooled {
                    Some(c) => c,
                    None => Conn::sqlite(open_conn(path).map_err(sql::Error::from)?),
                };
                let result = f(&conn);
                if let Ok(mut pool) = readers.lock() {
                    if pool.len() < 8 {
                        pool.push(conn);
                    }
                }
                result
            }
            Inner::Postgres { pool, ready, .. } => f(&Self::pg_conn(pool, ready)?),
        }
    }

    /// Flushes SQLite's WAL into the main file (on shutdown; nothing to do on PostgreSQL).
    pub fn checkpoint(&self) {
        if let Inner::Sqlite { .. } = &*self.inner {
            let _ = self.write_blocking(|c| {
                c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
                Ok(())
            });
        }
    }
}

/// Where the data lives, from `--database-url` (or `--db`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (a path, or `sqlite://path`).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:port/db`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses the flag's value.
    ///
    /// # Errors
    /// A message naming `--database-url` for an unknown scheme or a malformed PostgreSQL URL.
    pub fn parse(value: &str) -> Result<Self, String> {
        let bad = |why: String| format!("--database-url {value:?}: {why}");
        if sql::pg::is_url(value) {
            sql::pg_tls::parse(value)
                .map_err(|e| bad(format!("not a valid PostgreSQL URL ({e})")))?;
            return Ok(Self::Postgres(value.to_owned()));
        }
        if let Some(path) = value.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(bad("sqlite:// needs a file path".into()));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if value.is_empty() {
            return Err(bad("empty".into()));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(bad(format!(
                "unsupported scheme '{scheme}': use a SQLite file path or postgres://user@host:port/database"
            )));
        }
        Ok(Self::Sqlite(PathBuf::from(value)))
    }
}

/// Current time in epoch ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The process's one writer turn (the SQLite writer connection, or PostgreSQL's turn token).
fn lock_writer<T>(writer: &Mutex<T>) -> AppResult<std::sync::MutexGuard<'_, T>> {
    writer
        .lock()
        .map_err(|_| AppError::internal("writer lock poisoned"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_upgraded_by_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        drop(Db::open(&path).unwrap());
        let conn = Conn::sqlite(open_conn(&path).unwrap());
        assert_eq!(newer_schema(&conn).unwrap(), None);
        let newer = MIGRATIONS.len() + 1;
        conn.as_sqlite()
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        assert_eq!(
            newer_schema(&conn).unwrap(),
            Some((newer, MIGRATIONS.len()))
        );
        let Err(e) = Db::open(&path) else {
            panic!("a database of a newer version opened");
        };
        assert!(
            e.to_string()
                .contains("newer than this vantage-server knows"),
            "{e}"
        );
    }
}
