//! [`DashboardStore`]: the state of one dashboard view, as Leptos signals, and the only place
//! where a dashboard's data is loaded.
//!
//! The store is the only writer of its state. It hands out read-only signals
//! ([`DashboardStore::definition`], [`DashboardStore::widget_state`], …) and takes intents
//! ([`DashboardStore::set_view`], [`DashboardStore::set_filters`],
//! [`DashboardStore::set_time_range`], [`DashboardStore::refresh`], [`DashboardStore::close`]);
//! [`DashboardStore::loaded`] resolves when the load an intent started has completed, so nobody
//! polls. Failures are one type, [`StoreError`].
//!
//! The store loads the definition and every widget's data in one round trip (the first load
//! asks for the definition and `POST /dashboards/{id}/data` at once; every widget's data comes
//! in that one response), re-queries when filters or the time range change (the newest
//! request wins; older ones are aborted, see [`load`]), keeps one live connection, and exposes
//! per-widget [`WidgetState`]s. While live updates are down, widgets keep their data and turn
//! stale.
//!
//! Live updates ([`apply_live`], the one place where a live message changes a widget): metric
//! rollups are applied directly to the widgets whose query they can update exactly (counts by
//! status/intent/error type/event type, agent cost; time series keep a bounded sliding window),
//! at most once per animation frame however many messages arrive ([`coalesce`],
//! [`live_patch`]). Widgets a rollup cannot update (percentiles, averages, other datasets, viewer
//! filters) are re-queried instead, coalesced to one request per [`LIVE_REFRESH`] for just those
//! widgets. A `reset`, an epoch change or a gap refetches the whole snapshot; while the
//! connection is down every widget keeps its data and turns stale.
//!
//! Lifetime: create the store under a reactive owner (a component, or the root of `mount_to`);
//! its signals live as long as that owner. Drop the store (all clones) to close the live
//! connection and abort requests. The store is `Send + Sync` (wasm is single-threaded; the
//! `SendWrapper` stays inside), so reactive closures capture it as it is.

mod apply_live;
pub mod coalesce;
mod error;
pub mod live_patch;
pub mod load;
#[cfg(feature = "dev-entry-points")]
mod probe;

pub use error::StoreError;
#[cfg(feature = "dev-entry-points")]
pub use probe::LiveProbe;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use futures::future::Abortable;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use vantage_contract::{
    Alert, CrossFilter, Dashboard, DashboardDataRequest, TimeRange, WidgetData,
};
use vantage_widgets::WidgetState;
use wasm_bindgen::closure::Closure;

use crate::crossfilter::{CrossFilterSet, Toggled};
use crate::filters::{FilterChange, FilterSet};
use crate::live::{LiveConnection, LiveCursor, LiveOptions, LiveStatus};
use crate::{ApiClient, SdkError};
use apply_live::AppliedListener;
use coalesce::FrameQueue;
use live_patch::RecentRollups;
use load::{LoadTracker, Waiting};

/// Minimum time between live-triggered re-queries, in milliseconds.
pub const LIVE_REFRESH: u32 = 2_000;

struct Inner {
    api: ApiClient,
    dashboard_id: String,
    live_options: LiveOptions,
    loads: RefCell<LoadTracker>,
    live: RefCell<Option<LiveConnection>>,
    /// While the live transport's module is being fetched ([`crate::lazy::open_live`]): the
    /// cursor the connection will start from. `None` when not loading (or closed meanwhile).
    live_loading: RefCell<Option<Option<LiveCursor>>>,
    refresh_timer: RefCell<Option<Timeout>>,
    /// Widgets to re-query at the next coalesced refresh (`""` inside = all of them).
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
    /// IANA zone sent with every data request (`None`: the server's default, UTC).
    time_zone: RefCell<Option<String>>,
}

/// How a load's charts are redrawn: the answer to the viewer's change all in the task it
/// arrives in, the first load and background loads paced ([`vantage_widgets::echarts::pace`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redraw {
    Together,
    Paced,
}

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
        self.loads.borrow_mut().close();
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

/// The store's writable signals: private, written only by the store's own methods.
#[derive(Clone, Copy)]
struct Signals {
    definition: RwSignal<Option<Dashboard>>,
    load_error: RwSignal<Option<SdkError>>,
    filters: RwSignal<FilterSet>,
    cross_filters: RwSignal<CrossFilterSet>,
    time_range: RwSignal<Option<TimeRange>>,
    live_status: RwSignal<LiveStatus>,
    alerts: RwSignal<Vec<Alert>>,
    loads: RwSignal<u64>,
    live_frames: RwSignal<u64>,
    widgets: RwSignal<HashMap<String, ArcRwSignal<WidgetState>>>,
}

/// One dashboard's definition, filters, per-widget states and live status. Cheap to clone.
#[derive(Clone)]
pub struct DashboardStore {
    inner: SendWrapper<Rc<Inner>>,
    signals: Signals,
}

impl DashboardStore {
    /// A store for `dashboard_id` with initial `filters`. Nothing is fetched until
    /// [`DashboardStore::load`] (or another intent).
    pub fn new(
        api: ApiClient,
        dashboard_id: impl Into<String>,
        filters: FilterSet,
        live: LiveOptions,
    ) -> Self {
        Self {
            inner: SendWrapper::new(Rc::new(Inner {
                api,
                dashboard_id: dashboard_id.into(),
                live_options: live,
                loads: RefCell::new(LoadTracker::default()),
                live: RefCell::new(None),
                live_loading: RefCell::new(None),
                refresh_timer: RefCell::new(None),
                refresh_ids: RefCell::new(BTreeSet::new()),
                recent: RefCell::new(RecentRollups::default()),
                epoch: Cell::new(None),
                applied: RefCell::new(HashMap::new()),
                queue: RefCell::new(FrameQueue::default()),
                frame: RefCell::new(None),
                on_applied: RefCell::new(Vec::new()),
                time_zone: RefCell::new(None),
            })),
            signals: Signals {
                definition: RwSignal::new(None),
                load_error: RwSignal::new(None),
                filters: RwSignal::new(filters),
                cross_filters: RwSignal::new(CrossFilterSet::default()),
                time_range: RwSignal::new(None),
                live_status: RwSignal::new(LiveStatus::Closed),
                alerts: RwSignal::new(Vec::new()),
                loads: RwSignal::new(0),
                live_frames: RwSignal::new(0),
                widgets: RwSignal::new(HashMap::new()),
            },
        }
    }

    /// Requests every widget's time buckets and `today` in the IANA zone `zone` (before the
    /// first load; `None` leaves it to the server, UTC).
    pub fn with_time_zone(self, zone: Option<String>) -> Self {
        *self.inner.time_zone.borrow_mut() = zone;
        self
    }

    /// The IANA zone the data is requested in, if one was set.
    pub fn time_zone(&self) -> Option<String> {
        self.inner.time_zone.borrow().clone()
    }

    /// Starts with the time range override `range` (before the first load).
    pub fn with_time_range(self, range: Option<TimeRange>) -> Self {
        self.signals.time_range.set(range);
        self
    }

    /// Starts with the cross-filters `items` (before the first load; filters on locked fields
    /// are dropped).
    pub fn with_cross_filters(self, items: Vec<CrossFilter>) -> Self {
        let locked = self.signals.filters.with_untracked(|f| f.locked().to_vec());
        let set = CrossFilterSet::new(
            items
                .into_iter()
                .filter_map(|c| crate::crossfilter::without_locked(c, &locked))
                .collect(),
        );
        self.signals.cross_filters.set(set);
        self
    }

    /// The API client.
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    /// The dashboard id.
    pub fn dashboard_id(&self) -> &str {
        &self.inner.dashboard_id
    }

    /// The dashboard definition, once loaded.
    pub fn definition(&self) -> ReadSignal<Option<Dashboard>> {
        self.signals.definition.read_only()
    }

    /// A whole-dashboard failure (e.g. 404, 403) while no definition is loaded; widgets keep
    /// their own errors.
    pub fn load_error(&self) -> ReadSignal<Option<SdkError>> {
        self.signals.load_error.read_only()
    }

    /// Filters: locked + the viewer's.
    pub fn filters(&self) -> ReadSignal<FilterSet> {
        self.signals.filters.read_only()
    }

    /// The active cross-filters (see [`crate::crossfilter`]).
    pub fn cross_filters(&self) -> ReadSignal<CrossFilterSet> {
        self.signals.cross_filters.read_only()
    }

    /// Sets `pick` as its widget's cross-filter, or clears it when it is the one already set
    /// (a second click on the same value), and re-queries the dashboard in one request. Filters
    /// on locked fields are taken out first (locked filters win); `None` when nothing was left
    /// to apply.
    pub fn toggle_cross_filter(&self, pick: CrossFilter) -> Option<Toggled> {
        let locked = self.signals.filters.with_untracked(|f| f.locked().to_vec());
        let pick = crate::crossfilter::without_locked(pick, &locked)?;
        let mut toggled = None;
        self.signals
            .cross_filters
            .update(|set| toggled = Some(set.toggle(pick)));
        self.refresh();
        toggled
    }

    /// The cross-filter a click on `widget` selects, from the data it shows now (see
    /// [`crate::crossfilter::selection`]).
    pub fn click_selection(
        &self,
        widget: &vantage_contract::Widget,
        click: &vantage_widgets::ChartClick,
    ) -> Option<CrossFilter> {
        let state = self
            .signals
            .widgets
            .with_untracked(|w| w.get(&widget.id).cloned())?;
        let data = state.with_untracked(|s| s.data().cloned())?;
        crate::crossfilter::selection(widget, click, &data)
    }

    /// Removes widget `widget_id`'s cross-filter (a chip's clear button) and re-queries.
    pub fn remove_cross_filter(&self, widget_id: &str) {
        let mut removed = false;
        self.signals
            .cross_filters
            .update(|set| removed = set.remove(widget_id));
        if removed {
            self.refresh();
        }
    }

    /// Replaces every cross-filter (a URL, `setState`) and re-queries when they changed;
    /// filters on locked fields are dropped.
    pub fn set_cross_filters(&self, items: Vec<CrossFilter>) {
        let locked = self.signals.filters.with_untracked(|f| f.locked().to_vec());
        let next = CrossFilterSet::new(
            items
                .into_iter()
                .filter_map(|c| crate::crossfilter::without_locked(c, &locked))
                .collect(),
        );
        if self.signals.cross_filters.with_untracked(|c| *c != next) {
            self.signals.cross_filters.set(next);
            self.refresh();
        }
    }

    /// Time range override (`None` = the dashboard's default).
    pub fn time_range(&self) -> ReadSignal<Option<TimeRange>> {
        self.signals.time_range.read_only()
    }

    /// Live connection status.
    pub fn live_status(&self) -> ReadSignal<LiveStatus> {
        self.signals.live_status.read_only()
    }

    /// The tenant's alerts: loaded with a dashboard that shows them, then updated live (newest
    /// first).
    pub fn alerts(&self) -> ReadSignal<Vec<Alert>> {
        self.signals.alerts.read_only()
    }

    /// Increments whenever a data load completes (success or failure).
    pub fn loads(&self) -> ReadSignal<u64> {
        self.signals.loads.read_only()
    }

    /// Increments with every animation frame that applied live rollups to widget data.
    pub fn live_frames(&self) -> ReadSignal<u64> {
        self.signals.live_frames.read_only()
    }

    /// The state signal of widget `id` (created on first use, `Loading` until data arrives).
    pub fn widget_state(&self, id: &str) -> Signal<WidgetState> {
        let widgets = self.signals.widgets;
        let existing = widgets.with_untracked(|w| w.get(id).cloned());
        let state = existing.unwrap_or_else(|| {
            let created = ArcRwSignal::new(WidgetState::Loading);
            widgets.update_untracked(|w| {
                w.insert(id.to_owned(), created.clone());
            });
            created
        });
        Signal::derive(move || state.get())
    }

    fn set_widget(&self, id: &str, state: WidgetState) {
        let widgets = self.signals.widgets;
        let existing = widgets.with_untracked(|w| w.get(id).cloned());
        match existing {
            Some(signal) => signal.set(state),
            None => widgets.update_untracked(|w| {
                w.insert(id.to_owned(), ArcRwSignal::new(state));
            }),
        }
    }

    /// Loads the definition and all data, then opens the live connection. Call once.
    pub fn load(&self) {
        // While the definition and the data travel, the widgets' number and time formatters.
        vantage_widgets::format::warm_up_soon();
        self.refresh();
    }

    /// Re-queries every widget now (aborting an in-flight load; the newest request wins). The
    /// viewer asked for it (a filter, the time range, a refresh button): the charts are redrawn
    /// together when the answer arrives ([`vantage_widgets::echarts::pace::draw_together`]).
    pub fn refresh(&self) {
        self.query(None, Redraw::Together);
    }

    /// Re-queries every widget with nobody waiting for the answer (the live connection lost
    /// track, a wall display's periodic reload): the charts' redraws are paced like live
    /// updates.
    pub fn reload_in_background(&self) {
        self.query(None, Redraw::Paced);
    }

    /// Applies filter operations and re-queries.
    ///
    /// # Errors
    /// [`StoreError::Filter`] when an operation touches a locked filter (nothing changes).
    pub fn set_filters(&self, ops: Vec<FilterChange>) -> Result<(), StoreError> {
        self.set_view(self.signals.time_range.get_untracked(), ops)
    }

    /// Sets the time range override and re-queries.
    pub fn set_time_range(&self, range: Option<TimeRange>) {
        self.signals.time_range.set(range);
        self.refresh();
    }

    /// Sets the time range override and applies filter operations, then re-queries once.
    ///
    /// # Errors
    /// [`StoreError::Filter`] when an operation touches a locked filter: nothing changes and
    /// nothing is re-queried.
    pub fn set_view(
        &self,
        range: Option<TimeRange>,
        ops: Vec<FilterChange>,
    ) -> Result<(), StoreError> {
        let mut next = self.signals.filters.get_untracked();
        next.apply_all(ops)?;
        self.signals.filters.set(next);
        self.signals.time_range.set(range);
        self.refresh();
        Ok(())
    }

    /// Resolves when the load in flight completes (at once with the last load's outcome when
    /// none is in flight).
    ///
    /// # Errors
    /// [`StoreError::Load`] when that load failed as a whole (no definition, or every widget's
    /// data), [`StoreError::Closed`] when the store was closed meanwhile.
    pub async fn loaded(&self) -> Result<(), StoreError> {
        let waiting = self.inner.loads.borrow_mut().wait();
        match waiting {
            Waiting::Done(outcome) => outcome,
            Waiting::Pending(receiver) => receiver.await.unwrap_or(Err(StoreError::Closed)),
        }
    }

    /// Loads `widget_ids` (all widgets when `None`). A full load aborts whatever is in flight; a
    /// partial one is skipped while a full load is in flight (that load covers it).
    fn query(&self, widget_ids: Option<Vec<String>>, redraw: Redraw) {
        let Some(registration) = self.inner.loads.borrow_mut().begin(widget_ids.is_none()) else {
            return;
        };
        let signals = self.signals;
        let request = DashboardDataRequest {
            filters: signals.filters.with_untracked(FilterSet::effective),
            time_range: signals.time_range.get_untracked(),
            widget_ids,
            cross_filters: signals.cross_filters.with_untracked(|c| c.items().to_vec()),
            time_zone: self.inner.time_zone.borrow().clone(),
        };
        let weak = Rc::downgrade(&self.inner);
        let first = signals.definition.with_untracked(Option::is_none);
        // The first load builds the dashboard: paced, whoever asked.
        let redraw = if first { Redraw::Paced } else { redraw };
        let api = self.inner.api.clone();
        let id = self.inner.dashboard_id.clone();
        let partial = request.widget_ids.clone();
        let work = async move {
            // The columnar body: numeric columns reach the charts as `f64` slices.
            let data = api.dashboard_data_columnar(&id, &request);
            if !first {
                return data.await;
            }
            // The first load asks for the definition and the data at once (the data request
            // does not depend on the definition): one round trip, not two. The definition's
            // failure is the load's (a 404 or 403 names the dashboard, not a widget).
            let definition = async {
                let dashboard = api.dashboard(&id).await?;
                let shows_alerts = dashboard
                    .widgets
                    .iter()
                    .any(|w| w.kind == vantage_contract::WidgetKind::Alerts);
                // The grid and its cards are built from here (the cards over several tasks).
                vantage_widgets::echarts::pace::task_began();
                signals.definition.set(Some(dashboard));
                // Alerts raised before we connected; live `alert` messages update them after.
                // Best effort: an embed token with locked filters may not list them (its alerts
                // widget then shows the data endpoint's `locked_filter_unsupported`).
                if shows_alerts {
                    if let Ok(list) = api.alerts(None, None).await {
                        signals.alerts.set(list.items);
                    }
                }
                Ok::<_, SdkError>(())
            };
            let (defined, data) = futures::future::join(definition, data).await;
            defined?;
            data
        };
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(outcome) = Abortable::new(work, registration).await else {
                return; // aborted: a newer load or close() took over
            };
            let Some(store) = upgrade(&weak, signals) else {
                return;
            };
            match outcome {
                Ok(data) => store.apply_data(data, redraw),
                Err(error) => store.fail(error, partial.as_deref()),
            }
        });
    }

    fn apply_data(
        &self,
        decoded: vantage_contract::columnar::DecodedDashboardData,
        redraw: Redraw,
    ) {
        // The widgets' views and charts are built in this task from here: chart drawing is
        // paced from now, so the first chart does not share a task that is already long. The
        // answer to the viewer's change updates every chart in this task instead: the whole
        // new picture at once.
        match redraw {
            Redraw::Together => vantage_widgets::echarts::pace::draw_together(),
            Redraw::Paced => vantage_widgets::echarts::pace::task_began(),
        }
        let vantage_contract::columnar::DecodedDashboardData { data, mut numbers } = decoded;
        let stale = !matches!(
            self.signals.live_status.get_untracked(),
            LiveStatus::Open(_) | LiveStatus::Closed
        );
        let cursor: Option<LiveCursor> = data.live_cursor.parse().ok();
        // Rollups published before the snapshot's cursor are in it; later ones may not be.
        let through_seq = cursor
            .filter(|c| self.inner.epoch.get().is_none_or(|e| e == c.epoch))
            .map_or(0, |c| c.seq);
        for (id, outcome) in data.widgets {
            let state = match outcome {
                WidgetData::Result(result) => {
                    let numbers = numbers.remove(&id).unwrap_or_default();
                    let decoded = vantage_contract::columnar::DecodedResult { result, numbers };
                    WidgetState::ready_decoded(decoded).with_stale(stale)
                }
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
        // Only a change notifies: views keyed on this signal rebuild their widgets (and their
        // charts, losing legend selection, zoom and an open tooltip) when it fires.
        if self.signals.load_error.with_untracked(Option::is_some) {
            self.signals.load_error.set(None);
        }
        self.finish_load(Ok(()));
        self.catch_up();
        self.ensure_live(cursor);
    }

    /// A load failed. `partial`: the widgets a background re-query asked for (a live refresh of
    /// the widgets a rollup cannot update). Those keep what they show, marked stale — a
    /// momentary failure of a refresh nobody asked for must not blank a dashboard whose live
    /// connection may be fine (their next refresh replaces them); the other widgets are not
    /// touched. A full load's failure marks every widget's failure.
    fn fail(&self, error: SdkError, partial: Option<&[String]>) {
        if let Some(ids) = partial {
            for id in ids {
                let state = self.signals.widgets.with_untracked(|w| w.get(id).cloned());
                if let Some(state) = state {
                    let current = state.get_untracked();
                    state.set(if current.data().is_some() {
                        current.with_stale(true)
                    } else {
                        WidgetState::Error {
                            message: error.user_message(),
                        }
                    });
                }
            }
        } else if self.signals.definition.with_untracked(Option::is_none) {
            self.signals.load_error.set(Some(error.clone()));
        } else {
            // Keep what is on screen; mark each widget's failure.
            let ids: Vec<String> = self
                .signals
                .widgets
                .with_untracked(|w| w.keys().cloned().collect());
            for id in ids {
                self.set_widget(
                    &id,
                    WidgetState::Error {
                        message: error.user_message(),
                    },
                );
            }
        }
        self.finish_load(Err(StoreError::Load(error)));
    }

    fn finish_load(&self, outcome: Result<(), StoreError>) {
        self.inner.loads.borrow_mut().finish(outcome);
        self.signals.loads.update(|n| *n += 1);
    }

    /// Closes the live connection and aborts requests (also happens when the store is dropped);
    /// pending [`DashboardStore::loaded`] calls resolve with [`StoreError::Closed`].
    pub fn close(&self) {
        self.inner.live.borrow_mut().take();
        self.inner.live_loading.borrow_mut().take();
        self.inner.refresh_timer.borrow_mut().take();
        cancel_frame(&self.inner.frame);
        self.inner.loads.borrow_mut().close();
    }
}

/// Rebuilds a store handle from a weak reference (callbacks must not keep the store alive).
fn upgrade(weak: &std::rc::Weak<Inner>, signals: Signals) -> Option<DashboardStore> {
    Some(DashboardStore {
        inner: SendWrapper::new(weak.upgrade()?),
        signals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ClientConfig, TokenSource, TokenStore};
    use vantage_contract::{Layout, QueryMeta, QueryResult};

    /// A store that never sends a request (these tests call its state transitions directly).
    fn store() -> DashboardStore {
        DashboardStore::new(
            ApiClient::new(
                ClientConfig::new("http://127.0.0.1:9"),
                TokenStore::new(None, TokenSource::Anonymous),
            ),
            "d1",
            FilterSet::default(),
            LiveOptions::default(),
        )
    }

    /// Data on screen, told apart by its `total_rows`.
    fn shown(total_rows: u64) -> WidgetState {
        WidgetState::ready(QueryResult {
            meta: QueryMeta {
                total_rows,
                ..QueryMeta::default()
            },
            ..QueryResult::default()
        })
    }

    fn failure() -> SdkError {
        SdkError::Network("connection refused".into())
    }

    fn state(store: &DashboardStore, id: &str) -> WidgetState {
        store.widget_state(id).get_untracked()
    }

    #[test]
    fn a_failed_background_requery_keeps_its_widgets_data_marked_stale_and_touches_no_other() {
        let store = store();
        store.set_widget("p95", shown(3));
        store.set_widget("total", shown(1));
        store.set_widget("never-loaded", WidgetState::Loading);

        store.fail(
            failure(),
            Some(&["p95".to_owned(), "never-loaded".to_owned()]),
        );

        let p95 = state(&store, "p95");
        assert!(
            matches!(&p95, WidgetState::Ready { data, stale: true } if data.meta.total_rows == 3),
            "the re-queried widget keeps its rows, stale: {p95:?}"
        );
        assert_eq!(
            state(&store, "total"),
            shown(1),
            "a widget the re-query did not ask for is untouched"
        );
        assert!(
            matches!(state(&store, "never-loaded"), WidgetState::Error { .. }),
            "a re-queried widget with nothing to keep shows the failure"
        );
        assert!(
            store.load_error().get_untracked().is_none(),
            "a background failure is not the dashboard's load error"
        );
    }

    #[test]
    fn a_failed_full_load_marks_every_widget_and_a_failed_first_load_is_the_dashboards_error() {
        let first = store();
        first.fail(failure(), None);
        assert!(
            matches!(
                first.load_error().get_untracked(),
                Some(SdkError::Network(_))
            ),
            "no definition yet: the load's failure is the dashboard's"
        );

        let loaded = store();
        loaded.signals.definition.set(Some(Dashboard {
            id: "d1".into(),
            name: "Quality".into(),
            description: String::new(),
            layout: Layout::default(),
            widgets: Vec::new(),
            filters: Vec::new(),
            time_range: None,
            refresh_interval_sec: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }));
        loaded.set_widget("p95", shown(3));
        loaded.set_widget("total", shown(1));
        loaded.fail(failure(), None);
        for id in ["p95", "total"] {
            assert!(
                matches!(state(&loaded, id), WidgetState::Error { .. }),
                "{id}: a viewer's refresh that failed says so on every widget"
            );
        }
        assert!(loaded.load_error().get_untracked().is_none());
    }
}
