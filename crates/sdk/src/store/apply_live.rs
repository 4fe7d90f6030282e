//! How a live message changes a widget: the one place where the store applies what its
//! [`LiveConnection`] delivers. Alerts update the alert list at once; metric rollups wait for
//! the next animation frame and are then patched into the widgets they describe exactly
//! ([`live_patch::plan`]), or re-query the others, coalesced per [`LIVE_REFRESH`]; a resync
//! refetches the snapshot; a status change marks widgets stale or fresh.

use std::rc::Rc;
use std::sync::Arc;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use vantage_contract::{Alert, LiveEnvelope, LiveKind, MetricRollup};
use vantage_widgets::WidgetState;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::live_patch::{self, contributes_after, LiveUpdate};
use super::{upgrade, Applied, DashboardStore, Redraw, LIVE_REFRESH};
use crate::filters::FilterSet;
use crate::live::backoff::Backoff;
use crate::live::{LiveConnection, LiveCursor, LiveEvent, LiveMode, LiveStatus};

/// Observes applied live messages: their kind and stream seq.
pub(super) type AppliedListener = Rc<dyn Fn(LiveKind, u64)>;

impl DashboardStore {
    pub(super) fn ensure_live(&self, cursor: Option<LiveCursor>) {
        if let Some(live) = self.inner.live.borrow().as_ref() {
            if let Some(position) = cursor {
                live.anchor(position);
            }
            return;
        }
        // `live: "off"`: a connection that never connects; not worth fetching its module.
        if self.inner.live_options.mode == LiveMode::Off {
            return;
        }
        // The transport is fetched on first use; until it arrives, later calls only move the
        // position it will start from.
        {
            let mut loading = self.inner.live_loading.borrow_mut();
            if let Some(pending) = loading.as_mut() {
                if cursor.is_some() {
                    *pending = cursor;
                }
                return;
            }
            *loading = Some(cursor);
        }
        self.load_live_transport(1);
    }

    /// Fetches the live transport's module and opens the connection in it; a module that does
    /// not arrive is retried like a failed connection (backoff with jitter, `reconnecting`).
    fn load_live_transport(&self, attempt: u32) {
        let store = self.clone();
        // Not Leptos' executor: a store also works outside a mounted view (tests, the probe).
        wasm_bindgen_futures::spawn_local(async move {
            if crate::lazy::open_live(store.clone()).await.is_ok()
                || store.inner.live_loading.borrow().is_none()
            {
                return;
            }
            let delay = Backoff::default().delay(attempt, js_sys::Math::random());
            let next_delay_ms = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
            store.on_status(&LiveStatus::Reconnecting {
                attempt,
                next_delay_ms,
            });
            let weak = Rc::downgrade(&*store.inner);
            let signals = store.signals;
            drop(store);
            Timeout::new(next_delay_ms, move || {
                if let Some(store) = upgrade(&weak, signals) {
                    if store.inner.live_loading.borrow().is_some() {
                        store.load_live_transport(attempt + 1);
                    }
                }
            })
            .forget();
        });
    }

    /// Opens the live connection from the position [`Self::ensure_live`] left, unless the store
    /// was closed meanwhile. Runs in the live transport's module ([`crate::lazy::open_live`]).
    pub(crate) fn open_live(&self) {
        let Some(cursor) = self.inner.live_loading.borrow_mut().take() else {
            return;
        };
        let weak = Rc::downgrade(&*self.inner);
        let signals = self.signals;
        let on_event = {
            let weak = weak.clone();
            move |event: LiveEvent| {
                if let Some(store) = upgrade(&weak, signals) {
                    store.on_live(event);
                }
            }
        };
        let on_status = move |status: &LiveStatus| {
            if let Some(store) = upgrade(&weak, signals) {
                store.on_status(status);
            }
        };
        let connection = LiveConnection::open(
            self.inner.api.clone(),
            self.inner.live_options,
            cursor,
            on_event,
            on_status,
        );
        *self.inner.live.borrow_mut() = Some(connection);
    }

    fn on_live(&self, event: LiveEvent) {
        match event {
            LiveEvent::Resync => self.reload_in_background(),
            LiveEvent::Message(envelope) => match envelope.kind {
                LiveKind::Alert => {
                    if let Ok(alert) = crate::json::from_value::<Alert>(&envelope.data) {
                        self.signals.alerts.update(|list| {
                            list.retain(|a| a.id != alert.id);
                            list.insert(0, alert);
                            list.truncate(50);
                        });
                        self.notify_applied(LiveKind::Alert, &[envelope.seq]);
                    }
                }
                LiveKind::Metric => self.on_rollup(envelope),
                LiveKind::DashboardChanged => self.schedule_refresh(None),
                LiveKind::Heartbeat | LiveKind::Reset => {}
            },
        }
    }

    /// Remembers a rollup and asks for an animation frame to apply it (one per burst).
    fn on_rollup(&self, envelope: LiveEnvelope) {
        let Ok(rollup) = crate::json::from_value::<MetricRollup>(&envelope.data) else {
            self.schedule_refresh(None);
            return;
        };
        if self.inner.epoch.replace(Some(envelope.epoch)) != Some(envelope.epoch) {
            self.inner.recent.borrow_mut().clear();
        }
        if !self.inner.recent.borrow_mut().push(envelope.seq, rollup) {
            return;
        }
        if self.inner.queue.borrow_mut().push(envelope.seq) {
            self.request_frame();
        }
    }

    fn request_frame(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let (weak, signals) = (Rc::downgrade(&*self.inner), self.signals);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(store) = upgrade(&weak, signals) {
                store.on_frame();
            }
        });
        if let Ok(id) = window.request_animation_frame(callback.as_ref().unchecked_ref()) {
            // Replacing drops the previous callback, which has already run.
            *self.inner.frame.borrow_mut() = Some((id, callback));
        }
    }

    /// The animation frame: apply everything that arrived since the last one, at once.
    fn on_frame(&self) {
        let seqs = self.inner.queue.borrow_mut().flush();
        if seqs.is_empty() {
            return;
        }
        self.catch_up();
        self.signals.live_frames.update(|n| *n += 1);
        self.notify_applied(LiveKind::Metric, &seqs);
    }

    /// Calls `listener(kind, seq)` after each live message has been applied to the store's
    /// state: alerts at once, metric rollups in the animation frame that applies them.
    pub fn on_live_applied(&self, listener: impl Fn(LiveKind, u64) + 'static) {
        self.inner.on_applied.borrow_mut().push(Rc::new(listener));
    }

    fn notify_applied(&self, kind: LiveKind, seqs: &[u64]) {
        let listeners = self.inner.on_applied.borrow().clone();
        for listener in &listeners {
            for seq in seqs {
                listener(kind, *seq);
            }
        }
    }

    /// Brings every widget up to date with the rollups received: patchable widgets get the
    /// rollups their data lacks; the others are queued for a coalesced re-query.
    pub(super) fn catch_up(&self) {
        let Some(dashboard) = self.signals.definition.get_untracked() else {
            return;
        };
        let mut extra = dashboard.filters.clone();
        extra.extend(self.signals.filters.with_untracked(FilterSet::effective));
        let override_range = self.signals.time_range.get_untracked();
        let mut refetch = Vec::new();
        let newest = self.inner.recent.borrow().newest_seq();
        for widget in &dashboard.widgets {
            let Some(query) = &widget.query else { continue };
            let Some(applied) = self.inner.applied.borrow().get(&widget.id).copied() else {
                continue;
            };
            if newest.is_none_or(|seq| seq <= applied.through_seq) {
                continue;
            }
            let range = widget.effective_time_range(override_range, dashboard.time_range);
            // Another widget's cross-filter narrows this one: rollups are tenant-wide, so
            // such a widget is re-queried (as with viewer filters).
            let crossed = self
                .signals
                .cross_filters
                .with_untracked(|c| c.affects(&widget.id));
            let plan = if crossed {
                LiveUpdate::Refetch
            } else {
                let zone = self.inner.time_zone.borrow();
                live_patch::plan(query, &extra, range.as_ref(), zone.as_deref())
            };
            match plan {
                LiveUpdate::Patch(plan) => {
                    if !self.patch_widget(&widget.id, &plan, applied) {
                        refetch.push(widget.id.clone());
                    }
                }
                LiveUpdate::Refetch => refetch.push(widget.id.clone()),
            }
        }
        if !refetch.is_empty() {
            self.schedule_refresh(Some(refetch));
        }
    }

    /// Adds the rollups newer than `applied` to the widget's data; `false` when the data does
    /// not have the expected shape (re-query it).
    fn patch_widget(&self, id: &str, plan: &live_patch::PatchPlan, applied: Applied) -> bool {
        let state = self.signals.widgets.with_untracked(|w| w.get(id).cloned());
        let Some(state) = state else { return true };
        let WidgetState::Ready { data, stale } = state.get_untracked() else {
            return true;
        };
        let mut result = (*data).clone();
        let mut through = applied.through_seq;
        {
            let recent = self.inner.recent.borrow();
            for (seq, rollup) in recent.since(applied.through_seq) {
                through = through.max(seq);
                if !contributes_after(rollup, applied.generated_at) {
                    continue;
                }
                if plan.apply(&mut result, rollup).is_err() {
                    return false;
                }
            }
        }
        if let Some(entry) = self.inner.applied.borrow_mut().get_mut(id) {
            entry.through_seq = through;
        }
        state.set(WidgetState::Ready {
            data: Arc::new(result),
            stale,
        });
        true
    }

    /// Coalesces live-triggered re-queries of `ids` (all widgets when `None`) to one per
    /// [`LIVE_REFRESH`].
    fn schedule_refresh(&self, ids: Option<Vec<String>>) {
        {
            let mut pending = self.inner.refresh_ids.borrow_mut();
            match ids {
                // An empty id stands for "everything".
                None => {
                    pending.insert(String::new());
                }
                Some(ids) => pending.extend(ids),
            }
        }
        if self.inner.refresh_timer.borrow().is_some() {
            return;
        }
        let weak = Rc::downgrade(&*self.inner);
        let signals = self.signals;
        let timer = Timeout::new(LIVE_REFRESH, move || {
            if let Some(store) = upgrade(&weak, signals) {
                store.inner.refresh_timer.borrow_mut().take();
                let ids = std::mem::take(&mut *store.inner.refresh_ids.borrow_mut());
                if ids.contains("") {
                    store.query(None, Redraw::Paced);
                } else {
                    store.query(Some(ids.into_iter().collect()), Redraw::Paced);
                }
            }
        });
        *self.inner.refresh_timer.borrow_mut() = Some(timer);
    }

    fn on_status(&self, status: &LiveStatus) {
        self.signals.live_status.set(status.clone());
        let stale = matches!(
            status,
            LiveStatus::Reconnecting { .. } | LiveStatus::Paused | LiveStatus::Failed(_)
        );
        let states: Vec<ArcRwSignal<WidgetState>> = self
            .signals
            .widgets
            .with_untracked(|w| w.values().cloned().collect());
        for state in states {
            let current = state.get_untracked();
            if current.is_stale() != stale && current.data().is_some() {
                state.set(current.with_stale(stale));
            }
        }
    }
}
