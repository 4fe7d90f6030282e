//! # vantage-conformance
//!
//! The Vantage conformance suite: contract checks against any backend at a base URL. A library
//! so that the reference server's tests and `cargo xtask conformance --base-url URL` run the
//! same checks; one file per area (`system`, `auth`, `roles`, `tenant`, `dashboards`, `data`,
//! `alerts`, `alert_rules`, `webhooks`, `embed`, `embed_scope`, `isolation`, `bad_inputs`, `onboarding`, `live`, `security`, `time_zone`, `version`), helpers in `support`
//! and `http`.
//!
//! Entry point: [`run`]`(base_url) -> Result<Summary, String>`. [`Summary`] has `passed`
//! (count) and `failed` (one line per failed check); `Err` means the suite could not run at
//! all (backend unreachable, demo users missing). One line per check is printed to stdout
//! (`ok   …` / `FAIL …`).
//!
//! Assumptions about the backend: it speaks the v1 contract, was started with demo data
//! (tenants `healthco`, `autoinsure`, `innova`; users `admin|manager|analyst|viewer@<tenant>.test`,
//! password `vantage-demo`), has each tenant's embed origins include its own origin, and
//! publishes metric messages at least once a second. It talks HTTP and WebSocket only.
//!
//! Areas: health and OpenAPI, the contract version handshake, auth (login, refresh rotation, bad/expired tokens), roles,
//! tenant/branding/embed origins, dashboards CRUD and version conflicts, datasets, structured
//! queries and their validation, dataset definitions and ingest (keys, batches, idempotency,
//! live delivery, deletion), time zones (day buckets in UTC, Asia/Tokyo and a Europe/Berlin daylight-saving day; 422 on an unknown zone), dashboard data, drill-down rows, alerts and alert rules (validation, permission, isolation, an alert raised when a rule is saved and published live), embed tokens and
//! CORS, embed-token scope on every path (origin binding, locked filters on a dashboard edited
//! later, the live stream carrying only what the dashboard shows, listing and revocation), tenant isolation on every endpoint (including live), SSE and WebSocket delivery and
//! resume, bad inputs (malformed JSON, wrong types, unknown fields, oversize bodies, unknown
//! ids), and onboarding (setup closed, readiness, tenants, invitations, roles, the last-admin
//! rule, password resets, logout and refresh reuse, tenant deactivation, the audit log; it
//! also uses `sysadmin@vantage.test` and creates uniquely named tenants and users).

mod alert_rules;
mod alerts;
mod auth;
mod bad_inputs;
mod columnar;
mod dashboards;
mod data;
mod embed;
mod embed_scope;
pub mod http;
mod ingest;
mod isolation;
mod live;
mod live_limits;
mod onboarding;
mod roles;
mod security;
mod support;
mod system;
mod tenant;
mod time_zone;
mod version;
mod webhooks;

use http::{Client, Resp};
use serde_json::{json, Value};

/// The outcome of a run.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub passed: usize,
    pub failed: Vec<String>,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

pub const PASSWORD: &str = "vantage-demo";
pub const TENANTS: [&str; 3] = ["healthco", "autoinsure", "innova"];

/// Shared state of one run.
pub struct Ctx {
    pub http: Client,
    pub summary: Summary,
    /// The backend's own origin (`scheme://host:port`).
    pub origin: String,
}

impl Ctx {
    /// Records one check.
    pub fn check(&mut self, name: &str, ok: bool, detail: impl FnOnce() -> String) {
        if ok {
            println!("ok   {name}");
            self.summary.passed += 1;
        } else {
            let line = format!("{name}: {}", detail());
            println!("FAIL {line}");
            self.summary.failed.push(line);
        }
    }

    /// Checks a status (and, for errors, the contract error shape).
    pub fn expect(&mut self, name: &str, r: &Result<Resp, String>, statuses: &[u16]) -> bool {
        match r {
            Ok(resp) => {
                let status_ok = statuses.contains(&resp.status);
                let shape_ok = resp.status < 400 || resp.is_error_body();
                let ok = status_ok && shape_ok;
                self.check(name, ok, || {
                    if status_ok {
                        format!(
                            "status {} without the contract error body: {}",
                            resp.status,
                            truncate(&resp.text)
                        )
                    } else {
                        format!(
                            "expected {statuses:?}, got {}: {}",
                            resp.status,
                            truncate(&resp.text)
                        )
                    }
                });
                ok
            }
            Err(e) => {
                self.check(name, false, || e.clone());
                false
            }
        }
    }

    /// Logs in; `None` if it fails (recorded as a failure).
    pub fn login(&mut self, email: &str) -> Option<Value> {
        let r = self.http.post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": email, "password": PASSWORD }),
        );
        match r {
            Ok(resp) if resp.status == 200 && resp.body["accessToken"].is_string() => {
                Some(resp.body)
            }
            other => {
                self.check(&format!("login {email}"), false, || {
                    format!("{other:?}").chars().take(300).collect()
                });
                None
            }
        }
    }

    pub fn token(&mut self, email: &str) -> Option<String> {
        self.login(email)
            .and_then(|b| b["accessToken"].as_str().map(str::to_owned))
    }
}

pub fn truncate(s: &str) -> String {
    s.chars().take(240).collect()
}

/// Runs every check against `base_url` (e.g. `http://127.0.0.1:8080`).
///
/// # Errors
/// When the backend cannot be reached or the demo users cannot log in.
pub fn run(base_url: &str) -> Result<Summary, String> {
    let http = Client::new(base_url);
    let health = http.get("/api/v1/health", None)?;
    if health.status != 200 {
        return Err(format!("health check returned {}", health.status));
    }
    let origin = origin_of(base_url);
    let mut ctx = Ctx {
        http,
        summary: Summary::default(),
        origin,
    };
    let probe = ctx.http.post(
        "/api/v1/auth/login",
        None,
        &json!({ "email": "analyst@healthco.test", "password": PASSWORD }),
    )?;
    if probe.status != 200 {
        return Err(format!(
            "demo user analyst@healthco.test cannot log in ({}); start the backend with demo data",
            probe.status
        ));
    }
    system::run(&mut ctx);
    version::run(&mut ctx);
    auth::run(&mut ctx);
    roles::run(&mut ctx);
    tenant::run(&mut ctx);
    dashboards::run(&mut ctx);
    data::run(&mut ctx);
    columnar::run(&mut ctx);
    alerts::run(&mut ctx);
    alert_rules::run(&mut ctx);
    webhooks::run(&mut ctx);
    embed::run(&mut ctx);
    embed_scope::run(&mut ctx);
    isolation::run(&mut ctx);
    bad_inputs::run(&mut ctx);
    onboarding::run(&mut ctx);
    ingest::run(&mut ctx);
    time_zone::run(&mut ctx);
    live::sse(&mut ctx);
    live::ws(&mut ctx);
    live::isolation(&mut ctx);
    live_limits::run(&mut ctx);
    security::run(&mut ctx);
    println!(
        "conformance: {} passed, {} failed",
        ctx.summary.passed,
        ctx.summary.failed.len()
    );
    Ok(ctx.summary)
}

/// `scheme://host:port` of a base URL.
fn origin_of(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}
