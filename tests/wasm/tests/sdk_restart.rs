//! Crash the reference server mid-stream and bring it back (same port, same database): live
//! clients over WebSocket and over SSE reconnect, get `reset` for the new epoch, and end with
//! exactly the server's stream (every seq once, no gap, no duplicate); a dashboard store refetches
//! its snapshot and its widgets end fresh, not stale. The server is the restartable one that
//! `cargo xtask test` runs (short-lived tokens, so renewals and token-expiry reconnects happen
//! during the test too).
#![cfg(target_arch = "wasm32")]

mod sdk_support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

use vantage_sdk::filters::FilterSet;
use vantage_sdk::live::{LiveConnection, LiveEvent, LiveMode, LiveOptions, LiveStatus, Transport};
use vantage_sdk::{ApiClient, DashboardStore};
use vantage_wasm_tests::{wait_until, wait_until_or};
use vantage_widgets::WidgetState;
use wasm_bindgen_test::*;

use sdk_support::{crash_and_restart, renewing, restartable};

wasm_bindgen_test_configure!(run_in_browser);

/// What one connection handed its owner, in order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Seen {
    Message { epoch: u64, seq: u64 },
    Resync,
}

struct Recorded {
    connection: LiveConnection,
    seen: Rc<RefCell<Vec<Seen>>>,
    statuses: Rc<RefCell<Vec<LiveStatus>>>,
}

fn record(api: &ApiClient, mode: LiveMode) -> Recorded {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let statuses = Rc::new(RefCell::new(Vec::new()));
    let connection = {
        let (seen, statuses) = (Rc::clone(&seen), Rc::clone(&statuses));
        LiveConnection::open(
            api.clone(),
            LiveOptions {
                mode,
                ..LiveOptions::default()
            },
            None,
            move |event| {
                seen.borrow_mut().push(match event {
                    LiveEvent::Message(e) => Seen::Message {
                        epoch: e.epoch,
                        seq: e.seq,
                    },
                    LiveEvent::Resync => Seen::Resync,
                })
            },
            move |status| statuses.borrow_mut().push(status.clone()),
        )
    };
    Recorded {
        connection,
        seen,
        statuses,
    }
}

impl Recorded {
    fn messages_in(&self, epoch: u64) -> usize {
        self.seen
            .borrow()
            .iter()
            .filter(|s| matches!(s, Seen::Message { epoch: e, .. } if *e == epoch))
            .count()
    }

    fn epoch(&self) -> Option<u64> {
        self.connection.position().map(|p| p.epoch)
    }

    /// Within an epoch every message follows the previous one exactly; a resync is only
    /// accepted at an epoch change (nothing was lost within one).
    fn assert_gap_free(&self, name: &str) {
        let seen = self.seen.borrow();
        let mut last: Option<(u64, u64)> = None;
        let mut resync_pending = false;
        for item in seen.iter() {
            match *item {
                Seen::Resync => resync_pending = true,
                Seen::Message { epoch, seq } => {
                    if let Some((last_epoch, last_seq)) = last {
                        if epoch == last_epoch {
                            assert_eq!(
                                seq,
                                last_seq + 1,
                                "{name}: after {last_epoch}:{last_seq} came {epoch}:{seq}"
                            );
                            assert!(!resync_pending, "{name}: resync within epoch {epoch}");
                        } else {
                            assert!(
                                resync_pending,
                                "{name}: epoch {last_epoch} → {epoch} without a resync"
                            );
                        }
                    }
                    resync_pending = false;
                    last = Some((epoch, seq));
                }
            }
        }
    }
}

#[wasm_bindgen_test]
async fn killed_and_restarted_server_ends_with_exactly_its_stream_over_ws_and_sse() {
    let (api, renewals) = renewing(restartable(), "viewer@healthco.test").await;
    let ws = record(&api, LiveMode::WebSocket);
    let sse = record(&api, LiveMode::Sse);
    let store = DashboardStore::new(
        api.clone(),
        "healthco-ai-quality",
        FilterSet::default(),
        LiveOptions::default(),
    );
    store.load();

    let before = api
        .dashboard_data("healthco-ai-quality", &Default::default())
        .await
        .expect("snapshot before");
    let old_epoch: u64 = before
        .live_cursor
        .parse::<vantage_sdk::live::LiveCursor>()
        .expect("cursor")
        .epoch;
    wait_until(
        "metrics on both transports",
        Duration::from_secs(15),
        || ws.messages_in(old_epoch) >= 3 && sse.messages_in(old_epoch) >= 3,
    )
    .await;
    wait_until("the store's first load", Duration::from_secs(15), || {
        store.loads().get_untracked() >= 1
    })
    .await;
    let loads_before = store.loads().get_untracked();

    crash_and_restart(2_000).await;

    let after = api
        .dashboard_data("healthco-ai-quality", &Default::default())
        .await
        .expect("snapshot after the restart (the client renews its token as needed)");
    let position = after
        .live_cursor
        .parse::<vantage_sdk::live::LiveCursor>()
        .expect("cursor");
    assert_ne!(position.epoch, old_epoch, "a restart starts a new epoch");
    for (name, live) in [("websocket", &ws), ("sse", &sse)] {
        wait_until(
            &format!("{name} to resume in the new epoch past the server's cursor"),
            Duration::from_secs(30),
            || {
                live.connection
                    .position()
                    .is_some_and(|p| p.epoch == position.epoch && p.seq > position.seq + 2)
            },
        )
        .await;
        assert!(
            live.seen.borrow().contains(&Seen::Resync),
            "{name}: the new epoch was announced as a reset"
        );
        assert!(
            live.statuses
                .borrow()
                .iter()
                .any(|s| matches!(s, LiveStatus::Reconnecting { .. })),
            "{name}: reconnecting was observable"
        );
        live.assert_gap_free(name);
        assert_eq!(live.epoch(), Some(position.epoch));
    }
    // Tokens live a few seconds on this server and a stream ends at its token's expiry, so a
    // connection reconnects every few seconds: wait for it to be open on its own transport rather
    // than sample one moment that may fall inside such a reconnect.
    for (name, live, transport) in [
        ("websocket", &ws, Transport::WebSocket),
        ("sse", &sse, Transport::Sse),
    ] {
        wait_until(
            &format!("{name} open on its own transport"),
            Duration::from_secs(15),
            || live.connection.status() == LiveStatus::Open(transport),
        )
        .await;
    }

    wait_until(
        "the store to refetch after the reset",
        Duration::from_secs(20),
        || {
            store.loads().get_untracked() > loads_before
                && matches!(store.live_status().get_untracked(), LiveStatus::Open(_))
        },
    )
    .await;
    let definition = store.definition().get_untracked().expect("definition");
    for widget in &definition.widgets {
        let state = store.widget_state(&widget.id);
        // Token-expiry reconnects (every few seconds here) mark widgets stale until the stream
        // resumes; fresh must come within a few of those cycles. On a timeout the message says
        // what the widget showed (stale data, an error, still loading) and the live status.
        wait_until_or(
            &format!("widget {} fresh after the reconnect", widget.id),
            Duration::from_secs(25),
            || {
                let s = state.get_untracked();
                s.data().is_some() && !s.is_stale()
            },
            || {
                let shown = match state.get_untracked() {
                    WidgetState::Loading => "loading".to_owned(),
                    WidgetState::Ready { stale, .. } => format!("data, stale: {stale}"),
                    WidgetState::Error { message } => format!("error: {message}"),
                };
                format!(
                    "{shown}; live status {:?}",
                    store.live_status().get_untracked()
                )
            },
        )
        .await;
    }
    assert!(
        renewals.get() >= 1,
        "tokens live {} s on this server; the session renewed them",
        sdk_support::token_ttl_secs()
    );
}
