//! [`LiveConnection`]: the WebSocket/SSE client with reconnect, heartbeat and pause handling.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use gloo_timers::callback::Timeout;
use vantage_contract::{LiveEnvelope, LiveKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventSource, EventTarget, MessageEvent, WebSocket};

use super::{Backoff, Delivery, LiveCursor, ResumeTracker};
use crate::ApiClient;

/// Which transport to use (`live` in the embed config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiveMode {
    /// WebSocket, falling back to SSE when it cannot open.
    #[default]
    Auto,
    WebSocket,
    Sse,
    /// No live updates.
    Off,
}

impl LiveMode {
    /// Parses `"auto" | "websocket" | "sse" | "off"`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "auto" => Some(LiveMode::Auto),
            "websocket" => Some(LiveMode::WebSocket),
            "sse" => Some(LiveMode::Sse),
            "off" => Some(LiveMode::Off),
            _ => None,
        }
    }
}

/// The transport in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    Sse,
}

/// Observable connection state.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveStatus {
    Connecting,
    Open(Transport),
    Reconnecting {
        attempt: u32,
        next_delay_ms: u32,
    },
    /// The page is hidden or the browser is offline; resumes by itself.
    Paused,
    Closed,
    Failed(String),
}

impl LiveStatus {
    /// A lower-camel name for JS events (`liveStatus`).
    pub fn name(&self) -> &'static str {
        match self {
            LiveStatus::Connecting => "connecting",
            LiveStatus::Open(_) => "open",
            LiveStatus::Reconnecting { .. } => "reconnecting",
            LiveStatus::Paused => "paused",
            LiveStatus::Closed => "closed",
            LiveStatus::Failed(_) => "failed",
        }
    }
}

/// What the connection hands its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// An in-order message to apply.
    Message(LiveEnvelope),
    /// Something was missed or the server lost our place: refetch the snapshot.
    Resync,
}

/// Connection settings.
#[derive(Debug, Clone, Copy)]
pub struct LiveOptions {
    pub mode: LiveMode,
    pub backoff: Backoff,
    /// No message for this long means the peer is dead (2 × the server's 15 s heartbeat).
    pub heartbeat_timeout: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            mode: LiveMode::Auto,
            backoff: Backoff::default(),
            heartbeat_timeout: Duration::from_secs(30),
        }
    }
}

type EventHandler = Closure<dyn FnMut(Event)>;

/// An open socket or event source and its handlers; dropping it closes it.
enum Socket {
    Ws {
        ws: WebSocket,
        _handlers: Vec<EventHandler>,
    },
    Sse {
        source: EventSource,
        _handlers: Vec<EventHandler>,
    },
}

impl Drop for Socket {
    fn drop(&mut self) {
        match self {
            Socket::Ws { ws, .. } => {
                ws.set_onopen(None);
                ws.set_onmessage(None);
                ws.set_onclose(None);
                ws.set_onerror(None);
                let _ = ws.close();
            }
            Socket::Sse { source, .. } => {
                source.set_onopen(None);
                source.set_onerror(None);
                source.close();
            }
        }
    }
}

struct Inner {
    api: ApiClient,
    options: LiveOptions,
    cursor: ResumeTracker,
    transport: Transport,
    socket: Option<Socket>,
    attempt: u32,
    generation: u64,
    reconnect: Option<Timeout>,
    heartbeat: Option<Timeout>,
    on_event: Rc<dyn Fn(LiveEvent)>,
    on_status: Rc<dyn Fn(&LiveStatus)>,
    status: LiveStatus,
    closed: bool,
    paused: bool,
    page_listeners: Vec<(EventTarget, &'static str, EventHandler)>,
}

/// A live connection to the tenant's stream. Dropping it closes everything it owns.
pub struct LiveConnection {
    inner: Rc<RefCell<Inner>>,
}

impl LiveConnection {
    /// Opens a connection (unless `options.mode` is `Off`) starting after `since`, if given.
    pub fn open(
        api: ApiClient,
        options: LiveOptions,
        since: Option<LiveCursor>,
        on_event: impl Fn(LiveEvent) + 'static,
        on_status: impl Fn(&LiveStatus) + 'static,
    ) -> Self {
        let mut cursor = ResumeTracker::default();
        if let Some(position) = since {
            cursor.reset_to(position);
        }
        let transport = if options.mode == LiveMode::Sse {
            Transport::Sse
        } else {
            Transport::WebSocket
        };
        let inner = Rc::new(RefCell::new(Inner {
            api,
            options,
            cursor,
            transport,
            socket: None,
            attempt: 0,
            generation: 0,
            reconnect: None,
            heartbeat: None,
            on_event: Rc::new(on_event),
            on_status: Rc::new(on_status),
            status: LiveStatus::Closed,
            closed: options.mode == LiveMode::Off,
            paused: false,
            page_listeners: Vec::new(),
        }));
        if options.mode != LiveMode::Off {
            watch_page(&inner);
            connect(&inner);
        }
        Self { inner }
    }

    /// The current status.
    pub fn status(&self) -> LiveStatus {
        self.inner.borrow().status.clone()
    }

    /// The last applied stream position.
    pub fn position(&self) -> Option<LiveCursor> {
        self.inner.borrow().cursor.position()
    }

    /// Anchors the cursor at a snapshot's position when nothing was applied yet.
    pub fn anchor(&self, position: LiveCursor) {
        let mut inner = self.inner.borrow_mut();
        if inner
            .cursor
            .position()
            .is_none_or(|p| p.epoch != position.epoch)
        {
            inner.cursor.reset_to(position);
        }
    }

    /// Closes the connection and releases socket, timers and listeners.
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        inner.socket = None;
        inner.reconnect = None;
        inner.heartbeat = None;
        for (target, event, handler) in inner.page_listeners.drain(..) {
            let _ =
                target.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        }
        drop(inner);
        set_status(&self.inner, LiveStatus::Closed);
    }
}

impl Drop for LiveConnection {
    fn drop(&mut self) {
        self.close();
    }
}

fn set_status(inner: &Rc<RefCell<Inner>>, status: LiveStatus) {
    let callback = {
        let mut guard = inner.borrow_mut();
        if guard.status == status {
            return;
        }
        guard.status = status.clone();
        Rc::clone(&guard.on_status)
    };
    callback(&status);
}

fn emit(inner: &Rc<RefCell<Inner>>, event: LiveEvent) {
    let callback = Rc::clone(&inner.borrow().on_event);
    callback(event);
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    let (generation, api) = {
        let mut guard = inner.borrow_mut();
        if guard.closed || guard.paused {
            return;
        }
        guard.generation += 1;
        guard.socket = None;
        guard.reconnect = None;
        (guard.generation, guard.api.clone())
    };
    if inner.borrow().attempt == 0 {
        set_status(inner, LiveStatus::Connecting);
    }
    let weak = Rc::downgrade(inner);
    wasm_bindgen_futures::spawn_local(async move {
        let token = api.tokens().current().await;
        let Some(inner) = weak.upgrade() else { return };
        if inner.borrow().generation != generation || inner.borrow().closed {
            return;
        }
        match token {
            Ok(token) => {
                if let Err(message) = open_socket(&inner, generation, token.as_deref()) {
                    set_status(&inner, LiveStatus::Failed(message));
                }
            }
            // The token endpoint is unreachable too (e.g. the server is restarting): retry.
            Err(error) if error.is_transient() => schedule_reconnect(&inner),
            Err(error) => set_status(&inner, LiveStatus::Failed(error.to_string())),
        }
    });
}

fn live_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let origin = if base.is_empty() {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    } else {
        base.to_owned()
    };
    format!("{origin}/api/v1/live/{path}")
}

fn open_socket(
    inner: &Rc<RefCell<Inner>>,
    generation: u64,
    token: Option<&str>,
) -> Result<(), String> {
    let (transport, base, since) = {
        let guard = inner.borrow();
        (
            guard.transport,
            guard.api.base_url().to_owned(),
            guard.cursor.position(),
        )
    };
    let weak = Rc::downgrade(inner);
    let socket = match transport {
        Transport::WebSocket => open_ws(&weak, generation, &base, token, since)?,
        Transport::Sse => open_sse(&weak, generation, &base, token, since)?,
    };
    let mut guard = inner.borrow_mut();
    guard.socket = Some(socket);
    drop(guard);
    arm_heartbeat(inner);
    Ok(())
}

fn handler(f: impl FnMut(Event) + 'static) -> EventHandler {
    Closure::<dyn FnMut(Event)>::new(f)
}

/// Runs `f` with the connection if it still exists and `generation` is current.
fn with_current(weak: &Weak<RefCell<Inner>>, generation: u64, f: impl FnOnce(&Rc<RefCell<Inner>>)) {
    if let Some(inner) = weak.upgrade() {
        if inner.borrow().generation == generation && !inner.borrow().closed {
            f(&inner);
        }
    }
}

/// The transport opened: reset the backoff and report it.
fn mark_open(inner: &Rc<RefCell<Inner>>, transport: Transport) {
    inner.borrow_mut().attempt = 0;
    set_status(inner, LiveStatus::Open(transport));
}

/// Feeds text frames (WebSocket) or events (SSE) of the current connection to [`on_text`].
fn message_handler(weak: &Weak<RefCell<Inner>>, generation: u64) -> EventHandler {
    let weak = weak.clone();
    handler(move |event| {
        let Some(text) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        else {
            return;
        };
        with_current(&weak, generation, |inner| on_text(inner, &text));
    })
}

fn open_ws(
    weak: &Weak<RefCell<Inner>>,
    generation: u64,
    base: &str,
    token: Option<&str>,
    since: Option<LiveCursor>,
) -> Result<Socket, String> {
    let url = live_url(base, "ws").replacen("http", "ws", 1);
    let ws = WebSocket::new(&url).map_err(|e| format!("cannot open {url}: {e:?}"))?;
    let auth = serde_json::json!({
        "type": "auth",
        "token": token.unwrap_or_default(),
        "channels": [],
        "since": since.map(|p| p.to_string()),
    })
    .to_string();
    let opened = Rc::new(std::cell::Cell::new(false));
    let on_open = {
        let (weak, ws, opened) = (weak.clone(), ws.clone(), Rc::clone(&opened));
        handler(move |_| {
            let _ = ws.send_with_str(&auth);
            opened.set(true);
            with_current(&weak, generation, |inner| {
                mark_open(inner, Transport::WebSocket)
            });
        })
    };
    let on_message = message_handler(weak, generation);
    let on_close = {
        let weak = weak.clone();
        handler(move |_| with_current(&weak, generation, |inner| dropped(inner, opened.get())))
    };
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // `error` is always followed by `close`; handling `close` alone avoids double reconnects.
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Ok(Socket::Ws {
        ws,
        _handlers: vec![on_open, on_message, on_close],
    })
}

fn open_sse(
    weak: &Weak<RefCell<Inner>>,
    generation: u64,
    base: &str,
    token: Option<&str>,
    since: Option<LiveCursor>,
) -> Result<Socket, String> {
    let mut url = live_url(base, "sse");
    let mut params = Vec::new();
    if let Some(token) = token {
        params.push(format!(
            "access_token={}",
            String::from(js_sys::encode_uri_component(token))
        ));
    }
    if let Some(since) = since {
        params.push(format!("since={since}"));
    }
    if !params.is_empty() {
        url = format!("{url}?{}", params.join("&"));
    }
    let source =
        EventSource::new(&url).map_err(|e| format!("cannot open the event stream: {e:?}"))?;
    let on_open = {
        let weak = weak.clone();
        handler(move |_| with_current(&weak, generation, |inner| mark_open(inner, Transport::Sse)))
    };
    let on_message = message_handler(weak, generation);
    // EventSource would reconnect by itself, but with a stale token and cursor; we take over.
    let on_error = {
        let weak = weak.clone();
        handler(move |_| with_current(&weak, generation, |inner| dropped(inner, true)))
    };
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    for kind in [
        "message",
        "metric",
        "alert",
        "dashboardChanged",
        "heartbeat",
        "reset",
    ] {
        let _ = source.add_event_listener_with_callback(kind, on_message.as_ref().unchecked_ref());
    }
    Ok(Socket::Sse {
        source,
        _handlers: vec![on_open, on_message, on_error],
    })
}

fn on_text(inner: &Rc<RefCell<Inner>>, text: &str) {
    arm_heartbeat(inner);
    let Ok(envelope) = serde_json::from_slice::<LiveEnvelope>(text.as_bytes()) else {
        return;
    };
    let position = envelope.cursor();
    match envelope.kind {
        LiveKind::Heartbeat => inner.borrow_mut().cursor.skip_to(position),
        LiveKind::Reset => {
            inner.borrow_mut().cursor.reset_to(position);
            emit(inner, LiveEvent::Resync);
        }
        _ => {
            let delivery = inner.borrow_mut().cursor.accept(position);
            match delivery {
                Delivery::Apply => emit(inner, LiveEvent::Message(envelope)),
                Delivery::Duplicate => {}
                Delivery::Resync => emit(inner, LiveEvent::Resync),
            }
        }
    }
}

/// The socket closed or failed: fall back to SSE if WebSocket never opened, else back off.
fn dropped(inner: &Rc<RefCell<Inner>>, was_open: bool) {
    {
        let mut guard = inner.borrow_mut();
        guard.socket = None;
        guard.heartbeat = None;
        if guard.paused || guard.closed {
            return;
        }
        if !was_open
            && guard.transport == Transport::WebSocket
            && guard.options.mode == LiveMode::Auto
        {
            guard.transport = Transport::Sse;
            drop(guard);
            connect(inner);
            return;
        }
    }
    schedule_reconnect(inner);
}

fn schedule_reconnect(inner: &Rc<RefCell<Inner>>) {
    let (attempt, delay) = {
        let mut guard = inner.borrow_mut();
        guard.attempt += 1;
        let delay = guard
            .options
            .backoff
            .delay(guard.attempt, js_sys::Math::random());
        (guard.attempt, delay)
    };
    let delay_ms = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
    set_status(
        inner,
        LiveStatus::Reconnecting {
            attempt,
            next_delay_ms: delay_ms,
        },
    );
    let weak = Rc::downgrade(inner);
    let timer = Timeout::new(delay_ms, move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    });
    inner.borrow_mut().reconnect = Some(timer);
}

fn arm_heartbeat(inner: &Rc<RefCell<Inner>>) {
    let (timeout, generation) = {
        let guard = inner.borrow();
        (guard.options.heartbeat_timeout, guard.generation)
    };
    let weak = Rc::downgrade(inner);
    let timer = Timeout::new(
        u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX),
        move || {
            with_current(&weak, generation, |inner| dropped(inner, true));
        },
    );
    inner.borrow_mut().heartbeat = Some(timer);
}

/// Pauses while the page is hidden or the browser offline; resumes on return.
fn watch_page(inner: &Rc<RefCell<Inner>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let update = {
        let weak = Rc::downgrade(inner);
        let document = document.clone();
        let window = window.clone();
        move |_: Event| {
            let Some(inner) = weak.upgrade() else { return };
            let away = document.hidden() || !window.navigator().on_line();
            let was_paused = inner.borrow().paused;
            if away && !was_paused {
                let mut guard = inner.borrow_mut();
                guard.paused = true;
                guard.socket = None;
                guard.reconnect = None;
                guard.heartbeat = None;
                drop(guard);
                set_status(&inner, LiveStatus::Paused);
            } else if !away && was_paused {
                let mut guard = inner.borrow_mut();
                guard.paused = false;
                guard.attempt = 0;
                drop(guard);
                connect(&inner);
            }
        }
    };
    let targets: [(EventTarget, &'static str); 3] = [
        (document.into(), "visibilitychange"),
        (window.clone().into(), "online"),
        (window.into(), "offline"),
    ];
    for (target, event) in targets {
        let closure = handler(update.clone());
        let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        inner
            .borrow_mut()
            .page_listeners
            .push((target, event, closure));
    }
}
