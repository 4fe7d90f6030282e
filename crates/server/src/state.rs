//! Shared application state handed to every handler.

use crate::auth::{AuthState, JwtKeys};
use crate::cluster::control::{Control, Signal};
use crate::cluster::lease::Lease;
use crate::config::Config;
use crate::db::Db;
use crate::live::{Bus, Revocations, Revoked};
use crate::ratelimit::RateLimiter;
use crate::static_files::StaticDirs;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Everything a handler may need.
pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub static_dirs: Arc<StaticDirs>,
    pub keys: Arc<JwtKeys>,
    pub bus: Bus,
    /// Whether this replica does the once-per-cluster work (generator, alerts, retention).
    pub lease: Lease,
    /// Signals to the other replicas (revocations, embed-origin changes).
    pub cluster: Control,
    /// Ends open live streams of deactivated tenants and users and of ended sessions.
    pub revocations: Revocations,
    pub limiter: Arc<RateLimiter>,
    /// Login and refresh attempts per client address and per account.
    pub signin: crate::auth::throttle::SignInLimits,
    /// Open live connections per token and per address.
    pub live_slots: crate::live::LiveSlots,
    /// Every tenant's embed origins (CORS preflights).
    pub cors_origins: RwLock<HashSet<String>>,
    /// Flips to `true` when the server shuts down; long-lived streams end on it.
    pub shutdown: watch::Receiver<bool>,
    /// The HTTP client webhook deliveries go through (`crate::webhooks`).
    pub webhooks: reqwest::Client,
}

pub type SharedState = Arc<AppState>;

impl axum::extract::FromRef<SharedState> for AuthState {
    fn from_ref(state: &SharedState) -> Self {
        AuthState {
            keys: state.keys.clone(),
            limiter: state.limiter.clone(),
            db: state.db.clone(),
            public_url: state.config.public_url.clone(),
        }
    }
}

impl AppState {
    /// The origins this server is reachable at (`http://127.0.0.1:<port>`, `http://localhost:<port>`).
    pub fn own_origins(local_addr: SocketAddr) -> Vec<String> {
        let port = local_addr.port();
        let ip = local_addr.ip();
        let mut origins = vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ];
        if !ip.is_unspecified() && !ip.is_loopback() {
            origins.push(format!("http://{local_addr}"));
        }
        origins
    }

    /// Sets every tenant's embed origins here and has the other replicas reload theirs.
    pub fn set_cors_origins(&self, origins: Vec<String>) {
        self.set_cors_origins_here(origins);
        self.cluster.send(Signal::CorsChanged);
    }

    /// Sets every tenant's embed origins on this replica only.
    pub fn set_cors_origins_here(&self, origins: Vec<String>) {
        if let Ok(mut set) = self.cors_origins.write() {
            *set = origins.into_iter().collect();
        }
    }

    /// Ends the live streams `r` revokes, on every replica.
    pub fn revoke(&self, r: Revoked) {
        self.revocations.publish(r.clone());
        self.cluster.send(Signal::Revoked(r));
    }

    pub fn cors_allows(&self, origin: &str) -> bool {
        self.cors_origins.read().is_ok_and(|s| s.contains(origin))
    }
}
