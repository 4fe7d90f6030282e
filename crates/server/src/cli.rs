//! Command-line flags. The first group is a fixed interface that tooling relies on.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The Vantage reference backend.
#[derive(Debug, Clone, Parser)]
#[command(name = "vantage-server", version, about)]
pub struct Args {
    /// SQLite database file (created and migrated on first start).
    #[arg(long)]
    pub db: PathBuf,
    /// Listen address, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed demo tenants, users, dashboards and history into an empty database and run the
    /// live generator.
    #[arg(long)]
    pub demo: bool,
    /// Live generator rate (validation events per second, all tenants together). 0 disables it.
    #[arg(long, default_value_t = 200)]
    pub events_per_sec: u32,
    /// Static files for everything outside /api (SPA fallback to index.html).
    #[arg(long)]
    pub www: Option<PathBuf>,
    /// Served under /app/.
    #[arg(long)]
    pub app_dir: Option<PathBuf>,
    /// Served under /pkg/.
    #[arg(long)]
    pub pkg_dir: Option<PathBuf>,
    /// ECharts' dist folder, served under /vendor/echarts/.
    #[arg(long)]
    pub echarts_dir: Option<PathBuf>,
    /// Exit when this process no longer exists.
    #[arg(long)]
    pub parent_pid: Option<u32>,
    /// Days of demo history to seed.
    #[arg(long, default_value_t = 30)]
    pub demo_days: u32,
    /// Validation events of demo history to seed (all tenants together).
    #[arg(long, default_value_t = 1_050_000)]
    pub demo_events: u64,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Refresh token lifetime in seconds.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    pub refresh_token_ttl: u64,
    /// Requests per second allowed per token (bursts up to 4x); 0 disables rate limiting.
    #[arg(long, default_value_t = 100)]
    pub rate_limit: u32,
    /// Largest accepted request body in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Live messages kept for resume (at least 5 minutes' worth are kept as well).
    #[arg(long, default_value_t = 20_000)]
    pub live_buffer: usize,
    /// Seconds between heartbeats on live connections.
    #[arg(long, default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Print the OpenAPI document and exit (`--db` is still required but not opened).
    #[arg(long)]
    pub print_openapi: bool,
    /// With --demo: also allow this origin to embed (repeatable), e.g. the page origin of a
    /// browser test runner on another loopback port.
    #[arg(long = "demo-origin")]
    pub demo_origins: Vec<String>,
}
