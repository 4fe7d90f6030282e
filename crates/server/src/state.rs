//! Shared application state handed to every handler.

use crate::auth::JwtKeys;
use crate::cli::Args;
use crate::db::Db;
use crate::live::Bus;
use crate::ratelimit::RateLimiter;
use crate::static_files::StaticDirs;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

/// Everything a handler may need.
pub struct AppState {
    pub db: Db,
    pub args: Args,
    pub static_dirs: Arc<StaticDirs>,
    pub keys: JwtKeys,
    pub bus: Bus,
    pub limiter: RateLimiter,
    /// Every tenant's embed origins (CORS preflights).
    pub cors_origins: RwLock<HashSet<String>>,
    /// Flips to `true` when the server shuts down; long-lived streams end on it.
    pub shutdown: watch::Receiver<bool>,
}

pub type SharedState = Arc<AppState>;

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

    pub fn set_cors_origins(&self, origins: Vec<String>) {
        if let Ok(mut set) = self.cors_origins.write() {
            *set = origins.into_iter().collect();
        }
    }

    pub fn cors_allows(&self, origin: &str) -> bool {
        self.cors_origins.read().is_ok_and(|s| s.contains(origin))
    }
}
