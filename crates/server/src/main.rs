//! # vantage-server
//!
//! The Vantage reference backend: axum + SQLite (WAL), demo data, a live generator and the
//! WebSocket/SSE live stream. See `--help` for flags; tooling waits for the single stdout line
//! `vantage-server listening on http://<ip>:<port>`.

// TODO(issue 3): remove once every helper is used by the API modules.
#![allow(dead_code)]

mod api;
mod cli;
mod db;
mod error;
mod state;
mod static_files;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = cli::Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vantage-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: cli::Args) -> Result<(), String> {
    let db = db::Db::open(&args.db).map_err(|e| format!("opening {}: {e}", args.db.display()))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("binding {}: {e}", args.addr))?;
    let local_addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let static_dirs = Arc::new(static_files::StaticDirs {
        www: args.www.clone(),
        app: args.app_dir.clone(),
        pkg: args.pkg_dir.clone(),
        echarts: args.echarts_dir.clone(),
    });
    let parent_pid = args.parent_pid;
    let state = Arc::new(state::AppState {
        db: db.clone(),
        args,
        local_addr,
        static_dirs,
        shutdown: shutdown_rx,
    });
    let app = api::router(state.clone());

    println!("vantage-server listening on http://{local_addr}");
    let _ = std::io::stdout().flush();

    let signal = async move {
        wait_for_shutdown(parent_pid).await;
        tracing::info!("shutting down");
        let _ = shutdown_tx.send(true);
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal)
    .await
    .map_err(|e| e.to_string())?;
    db.checkpoint();
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT, SIGTERM, or when the parent process (if given) is gone.
async fn wait_for_shutdown(parent_pid: Option<u32>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    let parent = async {
        match parent_pid {
            Some(pid) => loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                    tracing::info!(pid, "parent process gone");
                    break;
                }
            },
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
        () = parent => {},
    }
}
