//! # vantage-server
//!
//! The Vantage reference backend: axum + SQLite (WAL), demo data, a live generator and the
//! WebSocket/SSE live stream. See `--help` for flags (each also a `VANTAGE_…` environment
//! variable); tooling waits for the single stdout line
//! `vantage-server listening on http://<ip>:<port>`.
//!
//! ## One process or several replicas
//! By default the server is one process with an in-process live bus. With `--bus-url
//! redis://…` it is one replica of several: the live bus is a Redis stream per tenant (`epoch`
//! and `seq` assigned in Redis, the same on every replica, so a client resumes anywhere), the
//! demo generator, alert evaluation and retention run on the replica holding a lease in Redis,
//! and revocations and embed-origin changes reach every replica (`cluster`). The replicas share
//! one SQLite file on one machine; a PostgreSQL storage backend is not built yet.
//! `cargo xtask cluster` runs two replicas behind HAProxy.
//!
//! ## Layers
//! - `cli` parses flags into `config::Config`, which `state::AppState` shares with handlers.
//! - `api/` holds thin axum handlers: extract, check permissions, call the storage layer,
//!   publish live messages. `auth` is the `Principal` extractor (reading its keys, limiter and
//!   database from the state through `FromRef`) over the pure `auth::tokens` and
//!   `auth::password`.
//! - `store` (and `store/`) is the metadata storage layer: plain blocking functions over a
//!   SQLite connection that take the tenant id explicitly; `db` owns the connections and the
//!   migrations. There is no storage trait yet: SQLite is the only implementation (replicas share
//!   its file), and the PostgreSQL backend that DESIGN.md describes does not exist in this crate.
//! - `api/openapi.rs` generates the contract document (`openapi.json`) from the handler
//!   annotations and the contract types, adding in one place the error statuses every
//!   operation of a kind can answer (authenticated: 401/403/429; with a body: 400/413/422; with
//!   a path id: 404). `cargo xtask test` fuzzes a running server against the committed document
//!   (schemathesis): no 5xx, only documented statuses, bodies that match their schemas.
//! - `live/` is the live bus (`live::bus::Bus`: in-process, or Redis Streams with `--bus-url`)
//!   and the SSE/WebSocket endpoints; `cluster/` holds what replicas share besides the bus (the
//!   work lease, signals between replicas).
//!
//! ## Token scopes: who can reach what
//! Tokens are HS256 JWTs with `iss: vantage-server` and `aud: vantage-api`, checked on every
//! request, signed with a secret that lives outside the data database (`secret`: required
//! outside `--demo`). A token goes in `Authorization: Bearer …`; only `/api/v1/live/sse` and
//! `/api/v1/live/ws` also take `?access_token=` (EventSource cannot send headers), every
//! other endpoint refuses a token in the URL with 401.
//!
//! - **User token** (`typ: access`, from login, refresh, setup or an accepted invitation):
//!   whatever the user's *current* role allows in their tenant (read from the database on every
//!   request, so a role change or deactivation applies at once), while its sign-in session
//!   lasts. Logout, refresh-token reuse (theft detection), a password change or reset, and
//!   deactivation end sessions; their open live connections close. A system admin may act in
//!   any existing tenant with `X-Tenant-Id` (an unknown id is 404). A request carrying an
//!   `Origin` must come from this server itself (`Origin` naming its `Host`, or
//!   `--public-url`) or one of the tenant's embed origins: an origin another tenant allows is
//!   refused (CORS per tenant). Its live stream is the whole tenant's.
//! - **Embed token** (`typ: embed`, issued by a manager or above for one dashboard): only
//!   `GET /embed/dashboard`, `POST /dashboards/{its id}/data` and the live endpoints; never
//!   other dashboards, free queries, raw rows, alerts, users or settings. Every request must
//!   come from one of its allowed origins (`Origin`, or a same-origin browser request's `Host`;
//!   none at all is refused). Its locked filters apply to every widget of the dashboard *as it
//!   is now*; a widget that cannot apply them (dataset without the field, the alerts widget)
//!   answers `locked_filter_unsupported`. Its live stream carries only what the dashboard
//!   shows (`live::scope`). It works until it expires, its tenant is deactivated, or its tenant
//!   revokes it by id (`jti`, `DELETE /embed/tokens/{id}`), which also closes its streams.
//! - **Ingest key** (`vk_…`, not a JWT): only `POST /datasets/{id}/events` for its datasets.
//!
//! Abuse bounds: per-token request rate (`--rate-limit`), sign-in attempts per address and per
//! account (`auth::throttle`), open live connections per token and per address and a short,
//! small first WebSocket frame (`live::limits`), body size limits, at most 50 filters per
//! query or dashboard-data request, and 422 (never 500) for out-of-range client numbers.

mod admin;
mod api;
mod auth;
mod cli;
mod cluster;
mod config;
mod datasets;
mod db;
mod error;
mod events;
mod ingest;
mod live;
mod query;
mod ratelimit;
mod secret;
mod seed;
mod sql;
mod state;
mod static_files;
mod store;
mod ticks;
mod webhooks;
mod zone;

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
    let cli = cli::Cli::parse();
    if let Some(cli::Command::Admin(cmd)) = cli.command {
        let done = tokio::task::spawn_blocking(move || admin::run(cmd))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        return match done {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("vantage-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let args = cli.serve;
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

async fn run(args: cli::ServeArgs) -> Result<(), String> {
    let database = match (&args.database_url, &args.db) {
        (Some(_), Some(_)) => {
            return Err("give either --database-url or --db (VANTAGE_DATABASE_URL / VANTAGE_DB), not both".into())
        }
        (Some(url), None) => db::DatabaseUrl::parse(url)?,
        (None, Some(path)) => db::DatabaseUrl::Sqlite(path.clone()),
        (None, None) => return Err(
            "--database-url (or VANTAGE_DATABASE_URL) is required: a SQLite file path or postgres://user@host:port/database (--db PATH works too)".into(),
        ),
    };
    // Before the database: a malformed --bus-url stops start-up at once.
    let cluster = cluster::setup(
        args.bus_url.as_deref(),
        db::now_ms() as u64,
        args.live_buffer,
    )?;
    let db = db::Db::connect(&database)
        .await
        .map_err(|e| format!("opening the database: {e}"))?;
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
    // Before anything is served: outside --demo there is no default secret.
    let secret = secret::load(
        args.jwt_secret_file.as_deref(),
        std::env::var("VANTAGE_JWT_SECRET").ok(),
        args.demo,
        match &database {
            db::DatabaseUrl::Sqlite(path) => Some(path.as_path()),
            db::DatabaseUrl::Postgres(_) => None,
        },
    )?;
    let keys = Arc::new(auth::JwtKeys::from_secret(&secret));
    let own_origins = state::AppState::own_origins(local_addr);
    let mut demo_origins = None;
    if args.demo {
        let mut origins = own_origins.clone();
        for origin in &args.demo_origins {
            vantage_contract::tenant::validate_origin(origin)
                .map_err(|e| format!("--demo-origin {origin}: {e}"))?;
            origins.push(origin.clone());
        }
        demo_origins = Some(origins);
    }
    let prepare = Prepare {
        db: db.clone(),
        demo_origins,
        demo_days: args.demo_days,
        demo_events: args.demo_events,
    };
    // PostgreSQL not reachable yet: serve 503s (readiness says so) and finish preparing the
    // database in the background once it is. Any other failure stops start-up.
    let (cors, pending) = match prepare.run().await {
        Ok(cors) => (cors, None),
        Err(e) if e.code == vantage_contract::ErrorCode::Unavailable => {
            tracing::warn!(
                "the database is not reachable yet (readiness reports it; retrying): {}",
                e.message
            );
            (Vec::new(), Some(prepare))
        }
        Err(e) => return Err(e.message),
    };
    let webhooks = webhooks::client(webhooks::Policy {
        allow_local: args.allow_local_webhooks,
    })
    .map_err(|e| format!("the webhook client could not start: {e}"))?;
    let state = Arc::new(state::AppState {
        db: db.clone(),
        bus: cluster.bus,
        lease: cluster.lease,
        cluster: cluster.control,
        revocations: live::Revocations::default(),
        limiter: Arc::new(ratelimit::RateLimiter::new(args.rate_limit)),
        signin: auth::throttle::SignInLimits::new(args.signin_per_address, args.signin_per_account),
        live_slots: live::LiveSlots::new(
            args.live_connections_per_token,
            args.live_connections_per_address,
        ),
        cors_origins: std::sync::RwLock::new(cors.into_iter().collect()),
        config: config::Config::from(&args),
        static_dirs,
        keys,
        shutdown: shutdown_rx,
        webhooks,
    });
    let app = api::router(state.clone());
    if let Some(prepare) = pending {
        tokio::spawn(prepare.retry(state.clone()));
    }
    if let Err(e) = state.bus.ping().await {
        tracing::warn!("the live bus is not reachable yet (readiness reports it; retrying): {e}");
    }
    let lease = cluster.redis.map(|redis| {
        tokio::spawn(cluster::control::run(
            state.clone(),
            redis.client,
            redis.conn,
            redis.me,
            redis.outgoing,
        ));
        let state = state.clone();
        tokio::spawn(async move { state.lease.run(state.shutdown.clone()).await })
    });
    tokio::spawn(ingest::retention::run(state.clone()));
    tokio::spawn(live::rules::run(state.clone()));
    tokio::spawn(webhooks::run(state.clone()));
    let generator = state
        .config
        .demo
        .then(|| tokio::spawn(live::generator::run(state.clone())));

    println!("vantage-server listening on http://{local_addr}");
    if !state.config.demo {
        if let Err(e) = print_setup_url(&state, local_addr).await {
            tracing::warn!("no setup URL printed: {e}");
        }
    }
    let _ = std::io::stdout().flush();
    // After the lines above, so its "up to date" line never comes between them.
    tokio::spawn(datasets::rollups::run(state.clone()));

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
    // Gives the work lease back, so another replica takes over at once.
    if let Some(l) = lease {
        let _ = l.await;
    }
    db.checkpoint();
    tracing::info!("stopped");
    Ok(())
}

/// What start-up does to the database before it serves: migrations (PostgreSQL; SQLite's ran
/// when it was opened), the demo seed, and reading the embed origins for CORS.
struct Prepare {
    db: db::Db,
    /// With `--demo`: the origins the demo tenants allow.
    demo_origins: Option<Vec<String>>,
    demo_days: u32,
    demo_events: u64,
}

impl Prepare {
    /// Runs every step; returns every tenant's embed origins.
    async fn run(&self) -> error::AppResult<Vec<String>> {
        self.db.prepare_schema().await?;
        if let Some(origins) = self.demo_origins.clone() {
            let opts = seed::SeedOptions {
                days: self.demo_days,
                validations: self.demo_events,
                now: db::now_ms(),
            };
            self.db
                .write(move |c| seed::seed_if_empty(c, &opts, &origins))
                .await
                .map_err(|e| error::AppError::new(e.code, format!("seeding: {}", e.message)))?;
        }
        let cors = self.db.read(store::all_embed_origins).await?;
        self.db.set_prepared();
        Ok(cors)
    }

    /// Runs [`Prepare::run`] every second until it succeeds, then installs the CORS origins.
    async fn retry(self, state: state::SharedState) {
        let mut shutdown = state.shutdown.clone();
        loop {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return,
            }
            match self.run().await {
                Ok(cors) => {
                    state.set_cors_origins_here(cors);
                    tracing::info!("the database is ready");
                    return;
                }
                Err(e) => tracing::debug!("the database is not ready yet: {}", e.message),
            }
        }
    }
}

/// On a server without a system admin: prints a fresh one-time setup URL (stdout, after the
/// `listening` line).
async fn print_setup_url(
    state: &state::SharedState,
    local_addr: std::net::SocketAddr,
) -> Result<(), String> {
    let ttl = state.config.setup_token_ttl;
    let token = state
        .db
        .write(move |c| api::setup::issue_setup_token(c, ttl))
        .await
        .map_err(|e| e.message)?;
    if let Some(token) = token {
        let base = state.config.public_url.clone().unwrap_or_else(|| {
            if local_addr.ip().is_unspecified() {
                format!("http://localhost:{}", local_addr.port())
            } else {
                format!("http://{local_addr}")
            }
        });
        let hours = ttl as f64 / 3600.0;
        // Not `println!`: a reader that stopped after the `listening` line must not crash us.
        let _ = writeln!(
            std::io::stdout(),
            "vantage-server setup: open {base}/setup?token={token} to create the first system admin (single use, expires in {hours:.1} h; or run `vantage-server admin create-system-admin`)"
        );
    }
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
