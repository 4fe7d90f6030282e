//! [`DashboardStore`]: the state of one dashboard view, as Leptos signals.
//!
//! The store loads the definition and every widget's data in one round trip
//! (`POST /dashboards/{id}/data`), re-queries when filters or the time range change (the newest
//! request wins; older ones are aborted), keeps one live connection, and exposes per-widget
//! [`WidgetState`]s. While live updates are down, widgets keep their data and turn stale.
//!
//! Live updates: metric rollups are applied directly to the widgets whose query they can update
//! exactly (counts by status/intent/error type/event type, agent cost; time series keep a
//! bounded sliding window), at most once per animation frame however many messages arrive
//! ([`coalesce`], [`live_patch`]). Widgets a rollup cannot update (percentiles, averages, other
//! datasets, viewer filters) are re-queried instead, coalesced to one request per
//! [`LIVE_REFRESH`] for just those widgets. A `reset`, an epoch change or a gap refetches the
//! whole snapshot; while the connection is down every widget keeps its data and turns stale.
//!
//! Lifetime: create the store under a reactive owner (a component, or the root of `mount_to`);
//! its signals live as long as that owner. Drop the store (all clones) to close the live
//! connection and abort requests.

pub mod coalesce;
pub mod live_patch;
mod probe;

pub use probe::LiveProbe;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use futures::future::{AbortHandle, Abortable};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use vantage_contract::{
    Alert, Dashboard, DashboardDataRequest, LiveEnvelope, LiveKind, MetricRollup, TimeRange,
    WidgetData,
};
use vantage_widgets::WidgetState;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::filters::{FilterError, FilterOp, FilterSet};
use crate::live::{LiveConnection, LiveEvent, LiveOptions, LiveStatus, StreamPosition};
use crate::{ApiClient, SdkError};
use coalesce::FrameQueue;
use live_patch::{contributes_after, LiveUpdate, RecentRollups};

/// Minimum time between live-triggered re-queries, in milliseconds.
pub const LIVE_REFRESH: u32 = 2_000;

struct Inner {
    api: ApiClient,
    dashboard_id: String,
    live_options: LiveOptions,
    request: RefCell<Option<AbortHandle>>,
    live: RefCell<Option<LiveConnection>>,
    /// Whether the in-flight request loads every widget (a partial refresh never aborts it).
    request_is_full: Cell<bool>,
    refresh_timer: RefCell<Option<Timeout>>,
    /// Widgets to re-query at the next coalesced refresh (`None` inside = all of them).
    refresh_ids: RefCell<BTreeSet<String>>,
    /// Recent rollups, for catching up widgets after a snapshot or a frame.
    recent: RefCell<RecentRollups>,
    /// The epoch the rollups in `recent` belong to.
    epoch: Cell<Option<u64>>,
    /// Per widget: when its snapshot was generated and the last rollup seq applied to it.
    applied: RefCell<HashMap<String, Applied>>,
    /// Rollups waiting for the next animation frame.
    queue: RefCell<FrameQueue<u64>>,
    /// The requested animation frame and its callback (kept alive until replaced or dropped).
    frame: RefCell<Option<Frame>>,
    /// Called after each live message has been applied (benchmarks, diagnostics).
    on_applied: RefCell<Vec<AppliedListener>>,
}

/// Observes applied live messages: their kind and stream seq.
type AppliedListener = Rc<dyn Fn(LiveKind, u64)>;

/// A requested animation frame: its id and callback.
type Frame = (i32, Closure<dyn FnMut()>);

/// What a widget's current data already contains.
#[derive(Debug, Clone, Copy)]
struct Applied {
    generated_at: i64,
    through_seq: u64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(handle) = self.request.borrow_mut().take() {
            handle.abort();
        }
        cancel_frame(&self.frame);
    }
}

fn cancel_frame(frame: &RefCell<Option<Frame>>) {
    if let Some((id, _closure)) = frame.borrow_mut().take() {
        if let Some(window) = web_sys::window() {
            let _ = window.cancel_animation_frame(id);
        }
    }
}

/// The store's reactive state. `Copy`: hand it to components freely.
#[derive(Clone, Copy)]
pub struct StoreSignals {
    /// The dashboard definition, once loaded.
    pub definition: RwSignal<Option<Dashboard>>,
    /// A whole-dashboard failure (e.g. 404, 403); widgets keep their own errors.
    pub load_error: RwSignal<Option<String>>,
    /// The stable code of the last failure (`not_found`, `authExpired`, `network`…).
    pub error_code: RwSignal<Option<String>>,
    /// Filters: locked + the viewer's.
    pub filters: RwSignal<FilterSet>,
    /// Time range override (`None` = the dashboard's default).
    pub time_range: RwSignal<Option<TimeRange>>,
    /// Live connection status.
    pub live_status: RwSignal<LiveStatus>,
    /// The tenant's alerts: loaded with a dashboard that shows them, then updated live (newest first).
    pub alerts: RwSignal<Vec<Alert>>,
    /// Increments whenever a data load completes (success or failure).
    pub loads: RwSignal<u64>,
    /// Increments with every animation frame that applied live rollups to widget data.
    pub live_frames: RwSignal<u64>,
    widgets: RwSignal<HashMap<String, ArcRwSignal<WidgetState>>>,
}

/// One dashboard's definition, filters, per-widget states and live status. Cheap to clone.
#[derive(Clone)]
pub struct DashboardStore {
    inner: Rc<Inner>,
    signals: StoreSignals,
}

impl std::ops::Deref for DashboardStore {
    type Target = StoreSignals;
    fn deref(&self) -> &StoreSignals {
        &self.signals
    }
}

impl DashboardStore {
    /// A store for `dashboard_id`. Nothing is fetched until [`DashboardStore::load`].
    pub fn new(
        api: ApiClient,
        dashboard_id: impl Into<String>,
        filters: FilterSet,
        live: LiveOptions,
    ) -> Self {
        Self {
            inner: Rc::new(Inner {
                api,
                dashboard_id: dashboard_id.into(),
                live_options: live,
                request: RefCell::new(None),
                live: RefCell::new(None),
                request_is_full: Cell::new(false),
                refresh_timer: RefCell::new(None),
                refresh_ids: RefCell::new(BTreeSet::new()),
                recent: RefCell::new(RecentRollups::default()),
                epoch: Cell::new(None),
                applied: RefCell::new(HashMap::new()),
                queue: RefCell::new(FrameQueue::default()),
                frame: RefCell::new(None),
                on_applied: RefCell::new(Vec::new()),
            }),
            signals: StoreSignals {
                definition: RwSignal::new(None),
                load_error: RwSignal::new(None),
                error_code: RwSignal::new(None),
                filters: RwSignal::new(filters),
                time_range: RwSignal::new(None),
                live_status: RwSignal::new(LiveStatus::Closed),
                alerts: RwSignal::new(Vec::new()),
                loads: RwSignal::new(0),
                live_frames: RwSignal::new(0),
                widgets: RwSignal::new(HashMap::new()),
            },
        }
    }

    /// The API client.
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    /// The dashboard id.
    pub fn dashboard_id(&self) -> &str {
        &self.inner.dashboard_id
    }

    /// The state signal of widget `id` (created on first use, `Loading` until data arrives).
    pub fn widget_state(&self, id: &str) -> Signal<WidgetState> {
        let existing = self.widgets.with_untracked(|w| w.get(id).cloned());
        let state = existing.unwrap_or_else(|| {
            let created = ArcRwSignal::new(WidgetState::Loading);
            self.widgets.update_untracked(|w| {
                w.insert(id.to_owned(), created.clone());
            });
            created
        });
        Signal::derive(move || state.get())
    }

    fn set_widget(&self, id: &str, state: WidgetState) {
        let existing = self.widgets.with_untracked(|w| w.get(id).cloned());
        match existing {
            Some(signal) => signal.set(state),
            None => self.widgets.update_untracked(|w| {
                w.insert(id.to_owned(), ArcRwSignal::new(state));
            }),
        }
    }

    /// Loads the definition and all data, then opens the live connection. Call once.
    pub fn load(&self) {
        self.refetch();
    }

    /// Re-queries every widget now (aborting an in-flight load; the newest request wins).
    pub fn refetch(&self) {
        self.query(None);
    }

    /// Loads `widget_ids` (all widgets when `None`). A full load aborts whatever is in flight; a
    /// partial one is skipped while a full load is in flight (that load covers it).
    fn query(&self, widget_ids: Option<Vec<String>>) {
        let full = widget_ids.is_none();
        if !full && self.inner.request_is_full.get() && self.inner.request.borrow().is_some() {
            return;
        }
        if let Some(previous) = self.inner.request.borrow_mut().take() {
            previous.abort();
        }
        let (handle, registration) = AbortHandle::new_pair();
        *self.inner.request.borrow_mut() = Some(handle);
        self.inner.request_is_full.set(full);
        let request = DashboardDataRequest {
            filters: self.filters.with_untracked(FilterSet::effective),
            time_range: self.time_range.get_untracked(),
            widget_ids,
        };
        let (weak, signals) = (Rc::downgrade(&self.inner), self.signals);
        let first = self.definition.with_untracked(Option::is_none);
        let api = self.inner.api.clone();
        let id = self.inner.dashboard_id.clone();
        let weak_work = weak.clone();
        let work = async move {
            if first {
                let dashboard = api.dashboard(&id).await?;
                let shows_alerts = dashboard
                    .widgets
                    .iter()
                    .any(|w| w.kind == vantage_contract::WidgetKind::Alerts);
                signals.definition.set(Some(dashboard));
                // Alerts raised before we connected; live `alert` messages update them after.
                // Best effort: an embed token may not list alerts, and live still fills in.
                if shows_alerts {
                    if let Ok(list) = api.alerts(None, None).await {
                        signals.alerts.set(list.items);
                    }
                }
            }
            let data = api.dashboard_data(&id, &request).await?;
            let store = upgrade(&weak_work, signals).ok_or(SdkError::Aborted)?;
            Ok::<_, SdkError>((store, data))
        };
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = Abortable::new(work, registration).await;
            if let Some(store) = upgrade(&weak, signals) {
                if outcome.is_ok() {
                    store.inner.request.borrow_mut().take();
                }
            }
            match outcome {
                Err(_aborted) => {}
                Ok(Ok((store, data))) => store.apply_data(data),
                Ok(Err(error)) => {
                    if let Some(store) = upgrade(&weak, signals) {
                        store.fail(&error);
                    }
                }
            }
        });
    }

    fn apply_data(&self, data: vantage_contract::DashboardData) {
        let stale = !matches!(
            self.live_status.get_untracked(),
            LiveStatus::Open(_) | LiveStatus::Closed
        );
        let cursor: Option<StreamPosition> = data.live_cursor.parse().ok();
        // Rollups published before the snapshot's cursor are in it; later ones may not be.
        let through_seq = cursor
            .filter(|c| self.inner.epoch.get().is_none_or(|e| e == c.epoch))
            .map_or(0, |c| c.seq);
        for (id, outcome) in data.widgets {
            let state = match outcome {
                WidgetData::Result(result) => WidgetState::ready(result).with_stale(stale),
                WidgetData::Error { error } => WidgetState::Error {
                    message: error.message,
                },
            };
            self.inner.applied.borrow_mut().insert(
                id.clone(),
                Applied {
                    generated_at: data.generated_at,
                    through_seq,
                },
            );
            self.set_widget(&id, state);
        }
        self.load_error.set(None);
        self.error_code.set(None);
        self.loads.update(|n| *n += 1);
        self.catch_up();
        self.ensure_live(cursor);
    }

    fn fail(&self, error: &SdkError) {
        self.error_code.set(Some(error.code()));
        if self.definition.with_untracked(Option::is_none) {
            self.load_error.set(Some(error.user_message()));
        } else {
            // Keep what is on screen; mark each widget's failure.
            let ids: Vec<String> = self.widgets.with_untracked(|w| w.keys().cloned().collect());
            for id in ids {
                self.set_widget(
                    &id,
                    WidgetState::Error {
                        message: error.user_message(),
                    },
                );
            }
        }
        self.loads.update(|n| *n += 1);
    }

    /// Applies filter operations and re-queries.
    ///
    /// # Errors
    /// [`FilterError::Locked`] when an operation touches a locked filter (nothing changes).
    pub fn set_filters(&self, ops: Vec<FilterOp>) -> Result<(), FilterError> {
        let mut next = self.filters.get_untracked();
        next.apply_all(ops)?;
        self.filters.set(next);
        self.refetch();
        Ok(())
    }

    /// Sets the time range override and re-queries.
    pub fn set_time_range(&self, range: Option<TimeRange>) {
        self.time_range.set(range);
        self.refetch();
    }

    fn ensure_live(&self, cursor: Option<crate::live::StreamPosition>) {
        if let Some(live) = self.inner.live.borrow().as_ref() {
            if let Some(position) = cursor {
                live.anchor(position);
            }
            return;
        }
        let weak = Rc::downgrade(&self.inner);
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
            LiveEvent::Resync => self.refetch(),
            LiveEvent::Message(envelope) => match envelope.kind {
                LiveKind::Alert => {
                    if let Ok(alert) = serde_json::from_value::<Alert>(envelope.data) {
                        self.alerts.update(|list| {
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
        let Ok(rollup) = serde_json::from_value::<MetricRollup>(envelope.data) else {
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
        let (weak, signals) = (Rc::downgrade(&self.inner), self.signals);
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
        self.live_frames.update(|n| *n += 1);
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
    fn catch_up(&self) {
        let Some(dashboard) = self.definition.get_untracked() else {
            return;
        };
        let mut extra = dashboard.filters.clone();
        extra.extend(self.filters.with_untracked(FilterSet::effective));
        let override_range = self.time_range.get_untracked();
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
            // The server's rule: the store's override, else the widget's own range, else the
            // dashboard's.
            let range = override_range.or(query.time_range).or(dashboard.time_range);
            match live_patch::plan(query, &extra, range.as_ref()) {
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
        let state = self.widgets.with_untracked(|w| w.get(id).cloned());
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
        let weak = Rc::downgrade(&self.inner);
        let signals = self.signals;
        let timer = Timeout::new(LIVE_REFRESH, move || {
            if let Some(store) = upgrade(&weak, signals) {
                store.inner.refresh_timer.borrow_mut().take();
                let ids = std::mem::take(&mut *store.inner.refresh_ids.borrow_mut());
                if ids.contains("") {
                    store.query(None);
                } else {
                    store.query(Some(ids.into_iter().collect()));
                }
            }
        });
        *self.inner.refresh_timer.borrow_mut() = Some(timer);
    }

    fn on_status(&self, status: &LiveStatus) {
        self.live_status.set(status.clone());
        let stale = matches!(
            status,
            LiveStatus::Reconnecting { .. } | LiveStatus::Paused | LiveStatus::Failed(_)
        );
        let states: Vec<ArcRwSignal<WidgetState>> = self
            .widgets
            .with_untracked(|w| w.values().cloned().collect());
        for state in states {
            let current = state.get_untracked();
            if current.is_stale() != stale && current.data().is_some() {
                state.set(current.with_stale(stale));
            }
        }
    }

    /// Closes the live connection and aborts requests (also happens when the store is dropped).
    pub fn close(&self) {
        self.inner.live.borrow_mut().take();
        self.inner.refresh_timer.borrow_mut().take();
        cancel_frame(&self.inner.frame);
        if let Some(handle) = self.inner.request.borrow_mut().take() {
            handle.abort();
        }
    }
}

/// Rebuilds a store handle from a weak reference (callbacks must not keep the store alive).
fn upgrade(weak: &std::rc::Weak<Inner>, signals: StoreSignals) -> Option<DashboardStore> {
    Some(DashboardStore {
        inner: weak.upgrade()?,
        signals,
    })
}
