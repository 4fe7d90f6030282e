//! Shared application state handed to every handler.

use crate::cli::Args;
use crate::db::Db;
use crate::static_files::StaticDirs;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// Everything a handler may need.
pub struct AppState {
    pub db: Db,
    pub args: Args,
    pub local_addr: SocketAddr,
    pub static_dirs: Arc<StaticDirs>,
    /// Flips to `true` when the server shuts down; long-lived streams end on it.
    pub shutdown: watch::Receiver<bool>,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    /// The origins this server is reachable at (`http://127.0.0.1:<port>`, `http://localhost:<port>`).
    pub fn own_origins(&self) -> Vec<String> {
        let port = self.local_addr.port();
        let ip = self.local_addr.ip();
        let mut origins = vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ];
        if !ip.is_unspecified() && !ip.is_loopback() {
            origins.push(format!("http://{}", self.local_addr));
        }
        origins
    }
}
