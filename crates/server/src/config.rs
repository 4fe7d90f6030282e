//! The server's settings as handlers see them: built once from the command line (or its
//! `VANTAGE_…` environment variables) and kept in the shared state, so no handler depends on
//! the CLI parser. Settings used only while starting up (address, database path, rate limit,
//! live buffer, static folders) are read from the arguments in `main` and not kept here.

use crate::cli::ServeArgs;

/// Run-time settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seeded demo data and the live generator.
    pub demo: bool,
    /// Live generator rate (validation events per second, all tenants together, averaged
    /// over a day).
    pub events_per_sec: f64,
    /// Access token lifetime, seconds.
    pub access_token_ttl: u64,
    /// Refresh token lifetime, seconds.
    pub refresh_token_ttl: u64,
    /// Largest accepted request body, bytes.
    pub max_body: usize,
    /// Longest one data query may run (`None`: no limit).
    pub query_timeout: Option<std::time::Duration>,
    /// Between two evaluations of the alert rules (`live::rules`).
    pub alert_interval: std::time::Duration,
    /// Seconds between live heartbeats.
    pub heartbeat_secs: u64,
    /// Public base URL (no trailing slash), if configured.
    pub public_url: Option<String>,
    /// Setup token lifetime, seconds.
    pub setup_token_ttl: u64,
    /// Invitation link lifetime, seconds.
    pub invitation_ttl: u64,
    /// Password-reset link lifetime, seconds.
    pub password_reset_ttl: u64,
    /// Webhooks may go to plain `http://` and non-public addresses (`crate::webhooks`).
    pub allow_local_webhooks: bool,
}

impl From<&ServeArgs> for Config {
    fn from(a: &ServeArgs) -> Self {
        Self {
            demo: a.demo,
            events_per_sec: a
                .events_per_sec
                .unwrap_or_else(|| crate::seed::history_rate(a.demo_days, a.demo_events)),
            access_token_ttl: a.access_token_ttl,
            refresh_token_ttl: a.refresh_token_ttl,
            max_body: a.max_body,
            query_timeout: (a.query_timeout_ms > 0)
                .then(|| std::time::Duration::from_millis(a.query_timeout_ms)),
            alert_interval: std::time::Duration::from_secs(a.alert_interval_secs),
            heartbeat_secs: a.heartbeat_secs,
            public_url: a
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_owned()),
            setup_token_ttl: a.setup_token_ttl,
            invitation_ttl: a.invitation_ttl,
            password_reset_ttl: a.password_reset_ttl,
            allow_local_webhooks: a.allow_local_webhooks,
        }
    }
}
