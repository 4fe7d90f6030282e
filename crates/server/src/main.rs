//! # vantage-server
//!
//! The Vantage reference backend: axum + SQLite (WAL), demo data, a live generator and the
//! WebSocket/SSE live stream. See `--help` for flags; tooling waits for the single stdout line
//! `vantage-server listening on http://<ip>:<port>`.

mod api;
mod auth;
mod cli;
mod datasets;
mod db;
mod error;
mod events;
mod live;
mod query;
mod ratelimit;
mod seed;
mod state;
mod static_files;
mod store;

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
    if args.print_openapi {
        print!("{}", api::openapi::document());
        return ExitCode::SUCCESS;
    }
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
    let keys = auth::JwtKeys::load(&db).map_err(|e| e.message)?;
    let own_origins = state::AppState::own_origins(local_addr);
    if args.demo {
        let opts = seed::SeedOptions {
            days: args.demo_days,
            validations: args.demo_events,
            now: db::now_ms(),
        };
        let mut origins = own_origins.clone();
        for origin in &args.demo_origins {
            vantage_contract::tenant::validate_origin(origin)
                .map_err(|e| format!("--demo-origin {origin}: {e}"))?;
            origins.push(origin.clone());
        }
        db.write(move |c| seed::seed_if_empty(c, &opts, &origins))
            .await
            .map_err(|e| format!("seeding: {}", e.message))?;
    }
    let cors = db
        .read(store::all_embed_origins)
        .await
        .map_err(|e| e.message)?;
    let state = Arc::new(state::AppState {
        db: db.clone(),
        bus: live::Bus::new(db::now_ms() as u64, args.live_buffer),
        limiter: ratelimit::RateLimiter::new(args.rate_limit),
        cors_origins: std::sync::RwLock::new(cors.into_iter().collect()),
        args,
        static_dirs,
        keys,
        shutdown: shutdown_rx,
    });
    let app = api::router(state.clone());
    let generator = state
        .args
        .demo
        .then(|| tokio::spawn(live::generator::run(state.clone())));

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
    if let Some(g) = generator {
        let _ = g.await;
    }
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
