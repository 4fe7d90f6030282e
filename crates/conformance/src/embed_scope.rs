//! Embed tokens on every path (issue 15): an embed token sits in a host page's JavaScript, so
//! anyone viewing the page can copy it; it must never reach more than its dashboard shows.
//!
//! - Origin binding: an embed request without `Origin` (not a browser page of an allowed
//!   origin) or with another one is refused — HTTP, SSE and WebSocket alike — and a token in
//!   the URL is refused outside the live endpoints.
//! - Locked filters against the dashboard as it is now: a widget added later over a dataset
//!   without the locked field, and the alerts widget, answer `locked_filter_unsupported`
//!   instead of unfiltered data.
//! - The live stream carries only what the dashboard shows: while other rows, other datasets
//!   and other dashboards change, a token locked to `region = north` hears only of north rows
//!   and never gets numbers computed over other regions (`withheld` rollups); an unlocked token
//!   gets its dashboard's datasets whole and nothing else. A `heartbeat` precedes every message
//!   that follows held-back ones, so clients see no false gaps.
//! - Listing and revocation: the issuing tenant lists its tokens (never the token itself) and
//!   revokes one by id; the token fails at once, its open stream closes within seconds, and
//!   the revocation is in the audit log.
//!
//! Every run creates its own dataset, dashboards and tokens and deletes them afterwards.

use crate::dashboards::new_dashboard;
use crate::http::Resp;
use crate::support::{body_ok, show};
use crate::Ctx;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the scope check listens to its streams.
const LISTEN: Duration = Duration::from_secs(7);
/// The longest an open stream may outlive the revocation of its token.
const CLOSE_WITHIN: Duration = Duration::from_secs(10);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// What one run set up.
struct Fixture {
    dataset: String,
    key: String,
    dashboard: String,
    version: u64,
    other_dashboard: String,
    other_version: u64,
    locked: String,
    open: String,
    open_id: String,
}

/// Runs this area's checks.
pub fn run(ctx: &mut Ctx) {
    let (Some(admin), Some(manager)) = (
        ctx.token("admin@healthco.test"),
        ctx.token("manager@healthco.test"),
    ) else {
        return;
    };
    tenant_origins(ctx);
    let Some(mut f) = setup(ctx, &admin, &manager) else {
        return;
    };
    origins(ctx, &f);
    alert_listing(ctx, &admin, &f, false);
    edited_later(ctx, &admin, &mut f);
    alert_listing(ctx, &admin, &f, true);
    live_scope(ctx, &admin, &f);
    live_follows_edits(ctx, &admin, &f);
    revocation(ctx, &admin, &manager, &f);
    for d in [&f.dashboard, &f.other_dashboard] {
        let r = ctx.http.call(
            "DELETE",
            &format!("/api/v1/dashboards/{d}"),
            Some(&admin),
            None,
            &[],
        );
        ctx.expect("delete an embed-scope dashboard", &r, &[204, 200]);
    }
    let r = ctx.http.call(
        "DELETE",
        &format!("/api/v1/datasets/{}", f.dataset),
        Some(&admin),
        None,
        &[],
    );
    ctx.expect("delete the embed-scope dataset", &r, &[204]);
}

/// CORS per tenant: an origin one tenant allows does not let another tenant's user token act.
fn tenant_origins(ctx: &mut Ctx) {
    let (Some(other_admin), Some(healthco)) = (
        ctx.token("admin@autoinsure.test"),
        ctx.token("analyst@healthco.test"),
    ) else {
        return;
    };
    let r = ctx.http.get("/api/v1/tenant", Some(&other_admin));
    let Some(origins) = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["embedOrigins"].as_array().cloned())
    else {
        return ctx.check(
            "embed scope: read autoinsure's embed origins",
            false,
            || show(&r),
        );
    };
    let theirs = "https://autoinsure-host.example";
    let mut more = origins.clone();
    more.push(json!(theirs));
    let r = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&other_admin),
        &json!({ "origins": more }),
    );
    ctx.expect("embed scope: autoinsure allows a host origin", &r, &[200]);
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        Some(&other_admin),
        None,
        &[("Origin", theirs)],
    );
    ctx.expect(
        "a user token from its own tenant's embed origin → 200",
        &r,
        &[200],
    );
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        Some(&healthco),
        None,
        &[("Origin", theirs)],
    );
    ctx.expect(
        "a user token from an origin only another tenant allows → 403",
        &r,
        &[403],
    );
    let own = ctx.origin.clone();
    let r = ctx.http.call(
        "GET",
        "/api/v1/dashboards",
        Some(&healthco),
        None,
        &[("Origin", &own)],
    );
    ctx.expect(
        "a user token from the server's own origin → 200",
        &r,
        &[200],
    );
    let _ = ctx.http.put(
        "/api/v1/tenant/embed-origins",
        Some(&other_admin),
        &json!({ "origins": origins }),
    );
}

fn created_id(r: &Result<Resp, String>, ptr: &str) -> Option<String> {
    r.as_ref()
        .ok()
        .filter(|r| r.status < 300)
        .and_then(|r| r.body.pointer(ptr)?.as_str().map(str::to_owned))
}

fn widget(id: &str, dataset: &str) -> Value {
    json!({ "id": id, "kind": "kpi", "title": id, "position": { "x": 0, "y": 0, "w": 4, "h": 2 },
        "query": { "dataset": dataset, "measures": [{ "field": "*", "agg": "count" }] }, "options": {} })
}

fn setup(ctx: &mut Ctx, admin: &str, manager: &str) -> Option<Fixture> {
    let dataset = format!("conf_scope_{}", now_ms());
    let def = json!({ "id": dataset, "name": "Conformance scope", "timeField": "ts", "retentionDays": 30,
        "fields": [
            { "name": "ts", "type": "time", "label": "Time" },
            { "name": "region", "type": "string", "label": "Region" },
            { "name": "amount", "type": "number", "role": "measure", "label": "Amount" }
        ] });
    let r = ctx.http.post("/api/v1/datasets", Some(admin), &def);
    if !ctx.expect("embed scope: create a dataset", &r, &[201, 200]) {
        return None;
    }
    let r = ctx.http.post(
        "/api/v1/ingest-keys",
        Some(admin),
        &json!({ "name": "embed scope", "datasets": [dataset] }),
    );
    let key = created_id(&r, "/secret");
    ctx.check("embed scope: create an ingest key", key.is_some(), || {
        show(&r)
    });
    let mut input = new_dashboard("conformance embed scope");
    input["widgets"] = json!([widget("orders", &dataset)]);
    let r = ctx.http.post("/api/v1/dashboards", Some(admin), &input);
    let dashboard = created_id(&r, "/id");
    let version = r.as_ref().ok().and_then(|r| r.body["version"].as_u64());
    let r2 = ctx.http.post(
        "/api/v1/dashboards",
        Some(admin),
        &new_dashboard("conformance embed scope (other)"),
    );
    let other_dashboard = created_id(&r2, "/id");
    let other_version = r2.as_ref().ok().and_then(|r| r.body["version"].as_u64());
    ctx.check(
        "embed scope: create the dashboards",
        dashboard.is_some() && other_dashboard.is_some(),
        || format!("{} / {}", show(&r), show(&r2)),
    );
    let issue = |ctx: &mut Ctx, locked: Value| {
        let req = json!({ "dashboardId": dashboard, "allowedOrigins": [ctx.origin], "permissions": [],
            "lockedFilters": locked, "expiresIn": 600 });
        let r = ctx.http.post("/api/v1/embed/tokens", Some(manager), &req);
        ctx.check(
            "embed scope: issue an embed token with an id",
            body_ok(&r, 200, |b| b["token"].is_string() && b["id"].is_string()),
            || show(&r),
        );
        (created_id(&r, "/token"), created_id(&r, "/id"))
    };
    let (locked, _) = issue(
        ctx,
        json!([{ "field": "region", "op": "eq", "value": "north" }]),
    );
    let (open, open_id) = issue(ctx, json!([]));
    Some(Fixture {
        dataset,
        key: key?,
        dashboard: dashboard?,
        version: version?,
        other_dashboard: other_dashboard?,
        other_version: other_version?,
        locked: locked?,
        open: open?,
        open_id: open_id?,
    })
}

/// `GET` with an `Origin` header (or none).
fn get(ctx: &Ctx, path: &str, token: &str, origin: Option<&str>) -> Result<Resp, String> {
    let headers: Vec<(&str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
    ctx.http.call("GET", path, Some(token), None, &headers)
}

/// The status of an SSE request (and its error body when refused); the stream is not read.
fn sse_status(ctx: &Ctx, token: &str, origin: Option<&str>) -> Result<Resp, String> {
    let url = format!("{}/api/v1/live/sse?access_token={token}", ctx.http.base);
    let mut req = ctx.http.agent().get(&url);
    if let Some(o) = origin {
        req = req.set("Origin", o);
    }
    let resp = match req.call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.to_string()),
    };
    let status = resp.status();
    let text = if status >= 400 {
        resp.into_string().unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Resp {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Vec::new(),
    })
}

/// Authenticates a WebSocket with `token` (sending `origin`) and returns the close code the
/// server ends it with (`None`: still open after a few seconds, i.e. accepted).
fn ws_close_code(base: &str, token: &str, origin: Option<&str>) -> Result<Option<u16>, String> {
    use tungstenite::client::IntoClientRequest;
    let hostport = crate::http::host_port(base);
    let stream = std::net::TcpStream::connect(&hostport).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .map_err(|e| e.to_string())?;
    let mut request = format!("ws://{hostport}/api/v1/live/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    if let Some(o) = origin {
        let value = o.parse().map_err(|_| "bad origin".to_owned())?;
        request.headers_mut().insert("Origin", value);
    }
    let (mut socket, _) = tungstenite::client(request, stream).map_err(|e| e.to_string())?;
    let auth = json!({ "type": "auth", "token": token, "channels": [] });
    socket
        .send(tungstenite::Message::Text(auth.to_string().into()))
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        match socket.read() {
            Ok(tungstenite::Message::Close(frame)) => {
                return Ok(Some(frame.map_or(1005, |f| u16::from(f.code))))
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let _ = socket.close(None);
    Ok(None)
}

fn origins(ctx: &mut Ctx, f: &Fixture) {
    let own = ctx.origin.clone();
    let r = get(ctx, "/api/v1/embed/dashboard", &f.locked, None);
    ctx.expect("embed token without an Origin header → 403", &r, &[403]);
    let r = get(ctx, "/api/v1/embed/dashboard", &f.locked, Some(&own));
    ctx.expect("embed token from its allowed origin → 200", &r, &[200]);
    let r = ctx.http.call(
        "GET",
        &format!("/api/v1/embed/dashboard?access_token={}", f.locked),
        None,
        None,
        &[("Origin", &own)],
    );
    ctx.expect(
        "embed token in the URL of a non-live endpoint → 401",
        &r,
        &[401],
    );
    let r = sse_status(ctx, &f.locked, None);
    ctx.expect(
        "embed token on SSE without an Origin header → 403",
        &r,
        &[403],
    );
    let r = sse_status(ctx, &f.locked, Some("https://evil.example.com"));
    ctx.expect("embed token on SSE from another origin → 403", &r, &[403]);
    let r = sse_status(ctx, &f.locked, Some(&own));
    ctx.expect(
        "embed token on SSE from its allowed origin → 200",
        &r,
        &[200],
    );
    let base = ctx.http.base.clone();
    for (name, origin, want) in [
        ("without an Origin header", None, Some(4403)),
        (
            "from another origin",
            Some("https://evil.example.com"),
            Some(4403),
        ),
        ("from its allowed origin", Some(own.as_str()), None),
    ] {
        let r = ws_close_code(&base, &f.locked, origin);
        ctx.check(
            &format!(
                "embed token on WebSocket {name} → {}",
                want.map_or("accepted".to_owned(), |c| format!("closed {c}"))
            ),
            r.as_ref().is_ok_and(|c| *c == want),
            || format!("{r:?}"),
        );
    }
}

/// `GET /alerts` under embed tokens: only a dashboard with an alerts widget and a token without
/// locked filters lists them (the alerts that existed before the embed mounted, the user's list),
/// like the live stream's `alert` messages.
fn alert_listing(ctx: &mut Ctx, admin: &str, f: &Fixture, has_widget: bool) {
    let own = ctx.origin.clone();
    let path = "/api/v1/alerts?limit=500";
    let code = |r: &Result<Resp, String>| {
        r.as_ref()
            .ok()
            .and_then(|r| r.body["error"]["code"].as_str().map(str::to_owned))
    };
    if !has_widget {
        let r = get(ctx, path, &f.open, Some(&own));
        ctx.check(
            "embed token on a dashboard without an alerts widget lists alerts → 403 forbidden",
            r.as_ref().is_ok_and(|r| r.status == 403) && code(&r).as_deref() == Some("forbidden"),
            || show(&r),
        );
        return;
    }
    let user = get(ctx, path, admin, None);
    let ids = |r: &Result<Resp, String>| -> Option<Vec<String>> {
        let items = r.as_ref().ok().filter(|r| r.status == 200)?.body["items"]
            .as_array()?
            .clone();
        items
            .iter()
            .map(|a| a["id"].as_str().map(str::to_owned))
            .collect()
    };
    let r = get(ctx, path, &f.open, Some(&own));
    let (before, listed) = (ids(&user), ids(&r));
    ctx.check(
        "embed token with an alerts widget and no lock lists the alerts raised before it mounted",
        matches!((&before, &listed), (Some(b), Some(l)) if b.iter().all(|id| l.contains(id))),
        || format!("user: {} / embed: {}", show(&user), show(&r)),
    );
    let r = get(ctx, path, &f.locked, Some(&own));
    ctx.check(
        "embed token with locked filters lists alerts → 403 locked_filter_unsupported",
        r.as_ref().is_ok_and(|r| r.status == 403)
            && code(&r).as_deref() == Some("locked_filter_unsupported"),
        || show(&r),
    );
    let r = get(ctx, path, &f.open, None);
    ctx.check(
        "embed token lists alerts without its Origin → 403",
        r.as_ref().is_ok_and(|r| r.status == 403),
        || show(&r),
    );
}

fn widget_error(b: &Value, widget: &str) -> Option<String> {
    b["widgets"][widget]["error"]["code"]
        .as_str()
        .map(str::to_owned)
}

fn edited_later(ctx: &mut Ctx, admin: &str, f: &mut Fixture) {
    let mut input = new_dashboard("conformance embed scope (edited)");
    let alerts = input["widgets"][2].clone();
    input["widgets"] = json!([
        widget("orders", &f.dataset),
        widget("validations", "validations"),
        alerts
    ]);
    input["version"] = json!(f.version);
    let r = ctx.http.put(
        &format!("/api/v1/dashboards/{}", f.dashboard),
        Some(admin),
        &input,
    );
    if !ctx.expect(
        "embed scope: add widgets after issuing the tokens",
        &r,
        &[200],
    ) {
        return;
    }
    f.version = r
        .as_ref()
        .ok()
        .and_then(|r| r.body["version"].as_u64())
        .unwrap_or(0);
    let own = ctx.origin.clone();
    let r = ctx.http.call(
        "POST",
        &format!("/api/v1/dashboards/{}/data", f.dashboard),
        Some(&f.locked),
        Some("{}"),
        &[("Origin", &own)],
    );
    ctx.check(
        "a widget added later over a dataset without the locked field → locked_filter_unsupported",
        body_ok(&r, 200, |b| {
            widget_error(b, "validations").as_deref() == Some("locked_filter_unsupported")
                && b["widgets"]["validations"]["error"]["details"]["field"] == "region"
        }),
        || show(&r),
    );
    ctx.check(
        "the alerts widget under locked filters → locked_filter_unsupported",
        body_ok(&r, 200, |b| {
            widget_error(b, "a").as_deref() == Some("locked_filter_unsupported")
        }),
        || show(&r),
    );
    ctx.check(
        "widgets whose dataset has the locked field still answer",
        body_ok(&r, 200, |b| b["widgets"]["orders"]["columns"].is_array()),
        || show(&r),
    );
    let r = ctx.http.call(
        "POST",
        &format!("/api/v1/dashboards/{}/data", f.dashboard),
        Some(&f.open),
        Some("{}"),
        &[("Origin", &own)],
    );
    ctx.check(
        "without locked filters the same widgets answer",
        body_ok(&r, 200, |b| {
            b["widgets"]["validations"]["columns"].is_array()
                && b["widgets"]["a"]["columns"].is_array()
        }),
        || show(&r),
    );
}

/// Reads one SSE stream for [`LISTEN`]; says when it is connected through `ready`.
fn listen(
    base: String,
    token: String,
    origin: Option<String>,
    ready: mpsc::Sender<bool>,
) -> Vec<Value> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout_read(Duration::from_millis(300))
        .build();
    let mut req = agent.get(&format!("{base}/api/v1/live/sse?access_token={token}"));
    if let Some(o) = &origin {
        req = req.set("Origin", o);
    }
    let Ok(resp) = req.call() else {
        let _ = ready.send(false);
        return Vec::new();
    };
    let _ = ready.send(true);
    let started = Instant::now();
    let mut reader = BufReader::new(resp.into_reader());
    let (mut out, mut line) = (Vec::new(), String::new());
    while started.elapsed() < LISTEN {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(_) => break,
        }
        if let Some(data) = line.trim_end().strip_prefix("data:") {
            out.push(serde_json::from_str(data.trim()).unwrap_or(Value::Null));
        }
    }
    out
}

fn metrics_of<'a>(msgs: &'a [Value], dataset: &str) -> Vec<&'a Value> {
    msgs.iter()
        .filter(|m| m["kind"] == "metric" && m["data"]["dataset"] == dataset)
        .map(|m| &m["data"])
        .collect()
}

/// Whether every non-system message follows the previous position (message or heartbeat)
/// without a gap.
fn no_false_gaps(msgs: &[Value]) -> bool {
    let mut pos: Option<u64> = None;
    for m in msgs {
        let Some(seq) = m["seq"].as_u64() else {
            return false;
        };
        match m["kind"].as_str() {
            Some("heartbeat" | "reset") => pos = Some(pos.map_or(seq, |p| p.max(seq))),
            _ => {
                if pos.is_some_and(|p| seq != p + 1) {
                    return false;
                }
                pos = Some(seq);
            }
        }
    }
    true
}

fn live_scope(ctx: &mut Ctx, admin: &str, f: &Fixture) {
    let Some(viewer) = ctx.token("viewer@healthco.test") else {
        return;
    };
    let base = ctx.http.base.clone();
    let own = ctx.origin.clone();
    let (tx, rx) = mpsc::channel();
    let streams: Vec<_> = [
        (viewer, None),
        (f.locked.clone(), Some(own.clone())),
        (f.open.clone(), Some(own)),
    ]
    .into_iter()
    .map(|(token, origin)| {
        let (base, tx) = (base.clone(), tx.clone());
        std::thread::spawn(move || listen(base, token, origin, tx))
    })
    .collect();
    let connected = (0..3).all(|_| rx.recv_timeout(Duration::from_secs(10)) == Ok(true));
    ctx.check("embed scope: three streams open", connected, String::new);
    // While they listen: a batch of other regions' rows, then one north row; another
    // dashboard changes; the demo generator keeps publishing its own datasets.
    let now = now_ms();
    let ingest = |rows: Value| {
        ctx.http
            .agent()
            .post(&format!("{base}/api/v1/datasets/{}/events", f.dataset))
            .set("Authorization", &format!("Bearer {}", f.key))
            .send_json(rows)
            .map(|r| r.status())
            .map_err(|e| e.to_string())
    };
    let south = ingest(
        json!([{ "ts": now - 20, "region": "south", "amount": 7.0 }, { "ts": now - 10, "region": "east", "amount": 3.0 }]),
    );
    std::thread::sleep(Duration::from_millis(300));
    let north = ingest(json!([{ "ts": now - 5, "region": "north", "amount": 2.0 }]));
    let mut other = new_dashboard("conformance embed scope (other, edited)");
    other["version"] = json!(f.other_version);
    let changed = ctx.http.put(
        &format!("/api/v1/dashboards/{}", f.other_dashboard),
        Some(admin),
        &other,
    );
    ctx.check(
        "embed scope: rows ingested and another dashboard changed while listening",
        south == Ok(200) && north == Ok(200) && changed.as_ref().is_ok_and(|r| r.status == 200),
        || format!("{south:?} {north:?} {}", show(&changed)),
    );
    let mut got: Vec<Vec<Value>> = streams
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .collect();
    let open = got.pop().unwrap_or_default();
    let locked = got.pop().unwrap_or_default();
    let user = got.pop().unwrap_or_default();
    let other_change = |m: &Value| {
        m["kind"] == "dashboardChanged" && m["data"]["dashboardId"] == f.other_dashboard.as_str()
    };
    let user_saw = metrics_of(&user, &f.dataset).len() == 2
        && user.iter().any(other_change)
        && !metrics_of(&user, "validations").is_empty();
    ctx.check(
        "a user token's stream carries the whole tenant (both batches, the other dashboard, the generator)",
        user_saw,
        || format!("{} messages", user.len()),
    );
    let mine = metrics_of(&locked, &f.dataset);
    ctx.check(
        "a locked embed stream hears only of rows its lock selects, without numbers (withheld)",
        mine.len() == 1
            && mine.iter().all(|d| {
                d["withheld"] == true
                    && d["total"] == 0
                    && d.get("sums").is_none()
                    && d.get("counts").is_none()
            }),
        || format!("{mine:?}"),
    );
    let foreign = |msgs: &[Value]| {
        msgs.iter().any(|m| {
            (m["kind"] == "metric"
                && m["data"]["dataset"] != f.dataset.as_str()
                && m["data"]["dataset"] != "validations")
                || other_change(m)
        })
    };
    ctx.check(
        "a locked embed stream gets no other dataset, no other dashboard and no alerts",
        !locked.is_empty()
            && !foreign(&locked)
            && metrics_of(&locked, "validations").is_empty()
            && !locked.iter().any(|m| m["kind"] == "alert"),
        || format!("{locked:?}").chars().take(400).collect(),
    );
    let whole = metrics_of(&open, &f.dataset);
    ctx.check(
        "an unlocked embed stream gets its dashboard's datasets whole and nothing else",
        whole.len() == 2
            && whole
                .iter()
                .all(|d| d["sums"]["amount"].is_number() && d.get("withheld").is_none())
            && !foreign(&open),
        || format!("{whole:?}"),
    );
    ctx.check(
        "an unlocked embed stream follows the dashboard as it is now (its validations widget)",
        !metrics_of(&open, "validations").is_empty(),
        || format!("{} messages", open.len()),
    );
    ctx.check(
        "scoped streams put a heartbeat before a message that follows held-back ones",
        no_false_gaps(&locked) && no_false_gaps(&open),
        || {
            format!(
                "{:?}",
                locked
                    .iter()
                    .map(|m| (m["kind"].clone(), m["seq"].clone()))
                    .collect::<Vec<_>>()
            )
        },
    );
}

/// An open embed stream follows its dashboard: once a widget is removed, the stream no longer
/// carries that widget's dataset.
fn live_follows_edits(ctx: &mut Ctx, admin: &str, f: &Fixture) {
    let (base, own) = (ctx.http.base.clone(), ctx.origin.clone());
    let (tx, rx) = mpsc::channel();
    let token = f.open.clone();
    let stream = std::thread::spawn(move || listen(base, token, Some(own), tx));
    if rx.recv_timeout(Duration::from_secs(10)) != Ok(true) {
        return ctx.check(
            "embed scope: the stream for the edit opens",
            false,
            String::new,
        );
    }
    // Let the generator's validations rollups reach the stream, then drop that widget.
    std::thread::sleep(Duration::from_millis(2500));
    let mut input = new_dashboard("conformance embed scope (narrowed)");
    input["widgets"] = json!([widget("orders", &f.dataset)]);
    input["version"] = json!(f.version);
    let r = ctx.http.put(
        &format!("/api/v1/dashboards/{}", f.dashboard),
        Some(admin),
        &input,
    );
    ctx.expect(
        "embed scope: remove the validations widget while streaming",
        &r,
        &[200],
    );
    let msgs = stream.join().unwrap_or_default();
    let changed = msgs.iter().position(|m| {
        m["kind"] == "dashboardChanged" && m["data"]["dashboardId"] == f.dashboard.as_str()
    });
    let validations = |m: &&Value| m["kind"] == "metric" && m["data"]["dataset"] == "validations";
    let (before, after) = msgs.split_at(changed.unwrap_or(msgs.len()));
    ctx.check(
        "an open embed stream follows a dashboard edit: a removed widget's dataset stops",
        changed.is_some()
            && before.iter().any(|m| validations(&m))
            && !after.iter().any(|m| validations(&m)),
        || format!("changed at {changed:?} of {} messages", msgs.len()),
    );
}

fn revocation(ctx: &mut Ctx, admin: &str, manager: &str, f: &Fixture) {
    let r = ctx.http.get("/api/v1/embed/tokens", Some(manager));
    ctx.check(
        "the tenant lists its embed tokens by id, never the token itself",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items.iter().all(|t| t.get("token").is_none())
                    && items.iter().any(|t| {
                        t["id"] == f.open_id.as_str()
                            && t["dashboardId"] == f.dashboard.as_str()
                            && t["expiresAt"].is_i64()
                            && t.get("revokedAt").is_none()
                    })
            })
        }),
        || show(&r),
    );
    if let Some(viewer) = ctx.token("viewer@healthco.test") {
        let r = ctx.http.get("/api/v1/embed/tokens", Some(&viewer));
        ctx.expect("a viewer cannot list embed tokens → 403", &r, &[403]);
    }
    let path = format!("/api/v1/embed/tokens/{}", f.open_id);
    if let Some(other) = ctx.token("manager@autoinsure.test") {
        let r = ctx.http.call("DELETE", &path, Some(&other), None, &[]);
        ctx.expect("another tenant cannot revoke the token → 404", &r, &[404]);
    }
    let own = ctx.origin.clone();
    let url = format!("{}/api/v1/live/sse?access_token={}", ctx.http.base, f.open);
    let stream = ctx.http.agent().get(&url).set("Origin", &own).call().ok();
    ctx.check(
        "embed scope: the token's stream opens",
        stream.is_some(),
        String::new,
    );
    let (tx, closed) = mpsc::channel();
    if let Some(resp) = stream {
        std::thread::spawn(move || {
            let mut reader = resp.into_reader();
            let mut buf = [0u8; 4096];
            while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.send(());
        });
    }
    let r = ctx.http.call("DELETE", &path, Some(manager), None, &[]);
    ctx.expect(
        "the issuing tenant revokes the embed token → 204",
        &r,
        &[204],
    );
    ctx.check(
        "revocation closes the token's open live stream within seconds",
        closed.recv_timeout(CLOSE_WITHIN).is_ok(),
        || format!("still open {CLOSE_WITHIN:?} after the revocation"),
    );
    let r = get(ctx, "/api/v1/embed/dashboard", &f.open, Some(&own));
    ctx.expect("a revoked embed token → 401", &r, &[401]);
    let r = sse_status(ctx, &f.open, Some(&own));
    ctx.expect(
        "a revoked embed token cannot open a stream → 401",
        &r,
        &[401],
    );
    let r = ctx.http.get("/api/v1/embed/tokens", Some(manager));
    ctx.check(
        "the list shows when the token was revoked",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|t| t["id"] == f.open_id.as_str() && t["revokedAt"].is_i64())
            })
        }),
        || show(&r),
    );
    let r = ctx.http.get(
        "/api/v1/audit?action=embed_token_revoked&limit=50",
        Some(admin),
    );
    ctx.check(
        "the revocation is in the audit log",
        body_ok(&r, 200, |b| {
            b["items"].as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|e| e["details"]["tokenId"] == f.open_id.as_str())
            })
        }),
        || show(&r),
    );
}
