//! [`DashboardStore`]: the state of one dashboard view, as Leptos signals.
//!
//! The store loads the definition and every widget's data in one round trip
//! (`POST /dashboards/{id}/data`), re-queries when filters or the time range change (the newest
//! request wins; older ones are aborted), keeps one live connection, and exposes per-widget
//! [`WidgetState`]s. While live updates are down, widgets keep their data and turn stale.
//!
//! Live metric messages trigger a coalesced re-query (at most one per [`LIVE_REFRESH`]) rather
//! than being patched into widget data client-side: the rollups on the wire are tenant-wide while
//! widget queries may be filtered, so a re-query is the only always-correct update.
//! TODO(#4): apply rollups directly to unfiltered time-series and KPI widgets.
//!
//! Lifetime: create the store under a reactive owner (a component, or the root of `mount_to`);
//! its signals live as long as that owner. Drop the store (all clones) to close the live
//! connection and abort requests.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::{AbortHandle, Abortable};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use vantage_contract::{Alert, Dashboard, DashboardDataRequest, LiveKind, TimeRange, WidgetData};
use vantage_widgets::WidgetState;

use crate::filters::{FilterError, FilterOp, FilterSet};
use crate::live::{LiveConnection, LiveEvent, LiveOptions, LiveStatus};
use crate::{ApiClient, SdkError};

/// Minimum time between live-triggered re-queries, in milliseconds.
pub const LIVE_REFRESH: u32 = 2_000;

struct Inner {
    api: ApiClient,
    dashboard_id: String,
    live_options: LiveOptions,
    request: RefCell<Option<AbortHandle>>,
    live: RefCell<Option<LiveConnection>>,
    refresh_timer: RefCell<Option<Timeout>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(handle) = self.request.borrow_mut().take() {
            handle.abort();
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
    /// Recent alerts pushed live (newest first).
    pub alerts: RwSignal<Vec<Alert>>,
    /// Increments whenever a data load completes (success or failure).
    pub loads: RwSignal<u64>,
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
                refresh_timer: RefCell::new(None),
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
        if let Some(previous) = self.inner.request.borrow_mut().take() {
            previous.abort();
        }
        let (handle, registration) = AbortHandle::new_pair();
        *self.inner.request.borrow_mut() = Some(handle);
        let request = DashboardDataRequest {
            filters: self.filters.with_untracked(FilterSet::effective),
            time_range: self.time_range.get_untracked(),
            widget_ids: None,
        };
        let (weak, signals) = (Rc::downgrade(&self.inner), self.signals);
        let first = self.definition.with_untracked(Option::is_none);
        let api = self.inner.api.clone();
        let id = self.inner.dashboard_id.clone();
        let weak_work = weak.clone();
        let work = async move {
            if first {
                let dashboard = api.dashboard(&id).await?;
                signals.definition.set(Some(dashboard));
            }
            let data = api.dashboard_data(&id, &request).await?;
            let store = upgrade(&weak_work, signals).ok_or(SdkError::Aborted)?;
            Ok::<_, SdkError>((store, data))
        };
        wasm_bindgen_futures::spawn_local(async move {
            match Abortable::new(work, registration).await {
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
        for (id, outcome) in data.widgets {
            let state = match outcome {
                WidgetData::Result(result) => WidgetState::ready(result).with_stale(stale),
                WidgetData::Error { error } => WidgetState::Error {
                    message: error.message,
                },
            };
            self.set_widget(&id, state);
        }
        self.load_error.set(None);
        self.error_code.set(None);
        self.loads.update(|n| *n += 1);
        self.ensure_live(data.live_cursor.parse().ok());
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
                    }
                }
                LiveKind::Metric | LiveKind::DashboardChanged => self.schedule_refresh(),
                LiveKind::Heartbeat | LiveKind::Reset => {}
            },
        }
    }

    /// Coalesces live-triggered re-queries to one per [`LIVE_REFRESH`].
    fn schedule_refresh(&self) {
        if self.inner.refresh_timer.borrow().is_some() {
            return;
        }
        let weak = Rc::downgrade(&self.inner);
        let signals = self.signals;
        let timer = Timeout::new(LIVE_REFRESH, move || {
            if let Some(store) = upgrade(&weak, signals) {
                store.inner.refresh_timer.borrow_mut().take();
                store.refetch();
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
