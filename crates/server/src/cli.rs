//! Command-line interface. Without a subcommand the binary runs the server; the first group of
//! flags is a fixed interface that tooling relies on. Every server flag can also be set with an
//! environment variable (`VANTAGE_…`, shown in `--help`); a flag on the command line wins.
//! `admin …` subcommands change the database of a stopped (or running) server for scripted
//! installs.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The Vantage reference backend.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "vantage-server",
    version,
    about,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Administration without the web app (scripted installs, recovery).
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `vantage-server admin …`.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Creates a system admin. The password is read from stdin (one line) when stdin is not a
    /// terminal, else a strong one is generated and printed once.
    CreateSystemAdmin {
        #[command(flatten)]
        db: DbArg,
        /// The admin's email (their sign-in name).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "System admin")]
        name: String,
        /// Home tenant id (created with the name "Administration" when missing). Default: the
        /// first tenant, or a new `admin` tenant on an empty database.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Creates a tenant.
    CreateTenant {
        #[command(flatten)]
        db: DbArg,
        /// `a-z`, `0-9` and `-`, starting with a letter.
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
}

/// The database of an admin subcommand.
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// SQLite database file (created and migrated if missing).
    #[arg(long, env = "VANTAGE_DB", required_unless_present = "database_url")]
    pub db: Option<PathBuf>,
    /// The server's database instead: a SQLite path or `postgres://…` (wins over `--db`).
    #[arg(long, env = "VANTAGE_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// Flags of the server itself.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// SQLite database file, created and migrated on first start (this or `--database-url` is
    /// required to run the server; admin subcommands take their own `--db`).
    #[arg(long, env = "VANTAGE_DB")]
    pub db: Option<PathBuf>,
    /// Where the data lives: a SQLite file path (like `--db`), or a PostgreSQL 15+ database,
    /// `postgres://user[:password]@host:port/database` (migrated at start; what several
    /// replicas on several machines share). A malformed URL stops start-up.
    #[arg(long, env = "VANTAGE_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Listen address, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long, env = "VANTAGE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed demo tenants, users, dashboards and history into an empty database and run the
    /// live generator.
    #[arg(long, env = "VANTAGE_DEMO")]
    pub demo: bool,
    /// Live generator rate (validation events per second, all tenants together, averaged over
    /// a day). 0 disables it. Default: the seeded history's rate (`--demo-events` over
    /// `--demo-days`), so the live present continues the past at the same rate.
    #[arg(long, env = "VANTAGE_EVENTS_PER_SEC")]
    pub events_per_sec: Option<f64>,
    /// Let webhooks go to plain `http://` addresses and to loopback and private-network
    /// hosts (development and tests). Without it only `https://` addresses that resolve to
    /// public IPs are sent to, so a tenant admin cannot aim the server at the network it runs
    /// in. Never set it on a server whose tenants you do not trust.
    #[arg(long, env = "VANTAGE_ALLOW_LOCAL_WEBHOOKS")]
    pub allow_local_webhooks: bool,
    /// Static files for everything outside /api (SPA fallback to index.html).
    #[arg(long, env = "VANTAGE_WWW")]
    pub www: Option<PathBuf>,
    /// Served under /app/.
    #[arg(long, env = "VANTAGE_APP_DIR")]
    pub app_dir: Option<PathBuf>,
    /// Served under /pkg/.
    #[arg(long, env = "VANTAGE_PKG_DIR")]
    pub pkg_dir: Option<PathBuf>,
    /// The vendored ECharts (`cargo xtask` writes target/www/vendor/echarts: the trimmed
    /// `echarts-vantage.min.js` the pages load and the full `echarts.min.js`), served under
    /// /vendor/echarts/.
    #[arg(long, env = "VANTAGE_ECHARTS_DIR")]
    pub echarts_dir: Option<PathBuf>,
    /// Exit when this process no longer exists.
    #[arg(long, env = "VANTAGE_PARENT_PID")]
    pub parent_pid: Option<u32>,
    /// Days of demo history to seed.
    #[arg(long, env = "VANTAGE_DEMO_DAYS", default_value_t = 30)]
    pub demo_days: u32,
    /// Validation events of demo history to seed (all tenants together).
    #[arg(long, env = "VANTAGE_DEMO_EVENTS", default_value_t = 1_050_000)]
    pub demo_events: u64,
    /// Access token lifetime in seconds.
    #[arg(long, env = "VANTAGE_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Refresh token lifetime in seconds.
    #[arg(long, env = "VANTAGE_REFRESH_TOKEN_TTL", default_value_t = 7 * 24 * 3600)]
    pub refresh_token_ttl: u64,
    /// Requests per second allowed per token (bursts up to 4x); 0 disables rate limiting.
    #[arg(long, env = "VANTAGE_RATE_LIMIT", default_value_t = 100)]
    pub rate_limit: u32,
    /// Sign-in attempts (login and refresh together) per minute from one client address, in
    /// bursts of as many; 0 disables this limit. Behind a reverse proxy every client shares
    /// the proxy's address: raise it there, or disable it and limit at the proxy.
    #[arg(long, env = "VANTAGE_SIGNIN_PER_ADDRESS", default_value_t = 120)]
    pub signin_per_address: u32,
    /// Login attempts per minute for one account (email), from any address, in bursts of as
    /// many; 0 disables this limit.
    #[arg(long, env = "VANTAGE_SIGNIN_PER_ACCOUNT", default_value_t = 30)]
    pub signin_per_account: u32,
    /// Open live connections (SSE + WebSocket) allowed per token; 0 disables the cap.
    #[arg(long, env = "VANTAGE_LIVE_CONNECTIONS_PER_TOKEN", default_value_t = crate::live::limits::PER_TOKEN)]
    pub live_connections_per_token: usize,
    /// Open live connections allowed per client address; 0 disables the cap.
    #[arg(long, env = "VANTAGE_LIVE_CONNECTIONS_PER_ADDRESS", default_value_t = crate::live::limits::PER_ADDRESS)]
    pub live_connections_per_address: usize,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "VANTAGE_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Longest one data query may run, in milliseconds (a widget's query, or `POST /query`);
    /// past it the query is stopped and answered `422` naming `timeRange`. 0: no limit. The
    /// default stays under the SDK's 15 s request timeout, so a user sees why.
    #[arg(long, env = "VANTAGE_QUERY_TIMEOUT_MS", default_value_t = 10_000)]
    pub query_timeout_ms: u64,
    /// Seconds between evaluations of the tenants' alert rules (each is also evaluated when
    /// saved), at least 1.
    #[arg(long, env = "VANTAGE_ALERT_INTERVAL_SECS", default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub alert_interval_secs: u64,
    /// Run as one replica of several: the shared live bus in Redis, e.g.
    /// `redis://127.0.0.1:6379` (Redis 7; one ordered stream per tenant, so every replica sends
    /// the same `epoch:seq` and a client resumes on any of them). The replicas share one database
    /// (`--database-url postgres://…`, or one `--db` file on one machine), and the demo generator, alert
    /// evaluation and retention run on the one replica holding a lease in Redis. Without it: one
    /// process with an in-process bus.
    #[arg(long, env = "VANTAGE_BUS_URL")]
    pub bus_url: Option<String>,
    /// Live messages kept for resume per tenant (at least 10,000). In-process, at least 5
    /// minutes' worth are kept as well; with `--bus-url`, each tenant's Redis stream keeps about
    /// this many (`MAXLEN ~`), whatever their age.
    #[arg(long, env = "VANTAGE_LIVE_BUFFER", default_value_t = 20_000)]
    pub live_buffer: usize,
    /// Seconds between heartbeats on live connections.
    #[arg(long, env = "VANTAGE_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// The URL users reach this server at (e.g. `https://vantage.example.com` behind a TLS
    /// proxy); used in the printed setup URL. Default: `http://<listen address>`.
    #[arg(long, env = "VANTAGE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds the first-run setup token works (a new one is printed on every start while
    /// setup is pending).
    #[arg(long, env = "VANTAGE_SETUP_TOKEN_TTL", default_value_t = 24 * 3600)]
    pub setup_token_ttl: u64,
    /// Seconds an invitation link works.
    #[arg(long, env = "VANTAGE_INVITATION_TTL", default_value_t = vantage_contract::users::INVITATION_TTL_SECS)]
    pub invitation_ttl: u64,
    /// Seconds a password-reset link works.
    #[arg(long, env = "VANTAGE_PASSWORD_RESET_TTL", default_value_t = vantage_contract::users::PASSWORD_RESET_TTL_SECS)]
    pub password_reset_ttl: u64,
    /// File holding the JWT signing secret (at least 32 random bytes, e.g. made with
    /// `openssl rand -base64 48 > /etc/vantage/jwt-secret`). Required outside --demo unless the
    /// VANTAGE_JWT_SECRET environment variable holds the secret itself; never stored in the
    /// database. With --demo and neither set, `<db>.jwt-secret` is generated and reused (SQLite
    /// only: on PostgreSQL give the replicas their shared secret).
    #[arg(long, env = "VANTAGE_JWT_SECRET_FILE")]
    pub jwt_secret_file: Option<PathBuf>,
    /// Print the OpenAPI document and exit.
    #[arg(long)]
    pub print_openapi: bool,
    /// With --demo: also allow this origin to embed (repeatable; comma-separated in the
    /// environment variable), e.g. the page origin of a browser test runner on another port.
    #[arg(
        long = "demo-origin",
        env = "VANTAGE_DEMO_ORIGINS",
        value_delimiter = ','
    )]
    pub demo_origins: Vec<String>,
}
