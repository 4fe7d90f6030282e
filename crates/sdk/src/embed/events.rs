//! Host-page events: the one place where an embed event is emitted.
//!
//! [`Emitter`] keeps the host's handlers (`dash.on(name, handler)`) by event name; [`wire`]
//! mirrors the store into `ready`, `rendered`, `error` and `liveStatus`;
//! [`data_click`], [`filters_changed`] and the token callbacks in `mount.rs` emit the rest
//! through it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use vantage_contract::{CrossFilter, Filter};
use vantage_widgets::{ChartClick, WidgetState};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::filters::FilterSet;
use crate::live::LiveStatus;
use crate::{DashboardStore, SdkError};

/// The documented event names.
pub const EVENTS: [&str; 8] = [
    "ready",
    "rendered",
    "error",
    "filtersChanged",
    "dataClick",
    "liveStatus",
    "tokenRefreshed",
    "authExpired",
];

type Handlers = RefCell<HashMap<String, Vec<Function>>>;

/// Registered handlers. Cheap to clone (clones share the handlers); usable from reactive
/// effects (wasm is single-threaded; the `SendWrapper` stays inside).
#[derive(Clone)]
pub struct Emitter {
    handlers: SendWrapper<Rc<Handlers>>,
}

impl Default for Emitter {
    fn default() -> Self {
        Self {
            handlers: SendWrapper::new(Rc::default()),
        }
    }
}

impl Emitter {
    /// Adds `handler` for `event` (an unknown name is an error naming the valid ones).
    ///
    /// # Errors
    /// [`SdkError::Config`] naming `event` when it is not one of [`EVENTS`].
    pub fn on(&self, event: &str, handler: Function) -> Result<(), SdkError> {
        if !EVENTS.contains(&event) {
            return Err(SdkError::Config {
                field: "event",
                message: format!(
                    "unknown event '{event}'; expected one of {}",
                    EVENTS.join(", ")
                ),
            });
        }
        self.handlers
            .borrow_mut()
            .entry(event.to_owned())
            .or_default()
            .push(handler);
        Ok(())
    }

    /// Removes `handler` from `event` (no-op when absent).
    pub fn off(&self, event: &str, handler: &Function) {
        if let Some(list) = self.handlers.borrow_mut().get_mut(event) {
            list.retain(|h| !JsValue::from(h.clone()).loose_eq(handler));
        }
    }

    /// Calls every handler of `event` with `payload`; a throwing handler does not stop others.
    pub fn emit(&self, event: &str, payload: &JsValue) {
        let handlers = self
            .handlers
            .borrow()
            .get(event)
            .cloned()
            .unwrap_or_default();
        for handler in handlers {
            if let Err(error) = handler.call1(&JsValue::NULL, payload) {
                web_sys::console::error_2(
                    &format!("vantage-embed: a '{event}' handler threw").into(),
                    &error,
                );
            }
        }
    }

    /// Number of handlers registered (for leak checks).
    pub fn count(&self) -> usize {
        self.handlers.borrow().values().map(Vec::len).sum()
    }

    /// Drops every handler.
    pub fn clear(&self) {
        self.handlers.borrow_mut().clear();
    }
}

/// A plain JS object from key/value pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// `filtersChanged` with the filters in effect and the active cross-filters.
pub fn filters_changed(emitter: &Emitter, filters: &[Filter], cross_filters: &[CrossFilter]) {
    let filters = vantage_widgets::to_js(filters).unwrap_or(JsValue::NULL);
    let cross_filters = vantage_widgets::to_js(cross_filters).unwrap_or(JsValue::NULL);
    emitter.emit(
        "filtersChanged",
        &object(&[("filters", filters), ("crossFilters", cross_filters)]),
    );
}

/// `dataClick` for a click on `widget_id`'s chart or table row, emitted before the click's
/// default action (the cross-filter). Returns whether a handler called
/// `event.preventDefault()`, i.e. whether the default must not run. `crossFilter` is the
/// selection the default would apply (`null` when the click selects nothing), so a host can
/// use it for its own navigation.
pub fn data_click(
    emitter: &Emitter,
    widget_id: &str,
    click: &ChartClick,
    cross_filter: Option<&vantage_contract::CrossFilter>,
) -> bool {
    // Handlers run synchronously inside `emit`, so the flag is read right after it; a
    // preventDefault() called later (from a timer) is too late, as with DOM events.
    let prevented = Rc::new(std::cell::Cell::new(false));
    let flag = Rc::clone(&prevented);
    // Owned by the JS function (freed with it), so a handler may keep and call it later.
    let prevent = Closure::<dyn Fn()>::new(move || flag.set(true)).into_js_value();
    let optional = |value: Option<String>| value.map_or(JsValue::NULL, JsValue::from);
    let payload = object(&[
        ("widgetId", widget_id.into()),
        ("seriesName", optional(click.series_name.clone())),
        ("name", optional(click.name.clone())),
        (
            "dataIndex",
            click.data_index.map_or(JsValue::NULL, JsValue::from),
        ),
        (
            "value",
            vantage_widgets::to_js(&click.value).unwrap_or(JsValue::NULL),
        ),
        ("preventDefault", prevent),
        (
            "crossFilter",
            cross_filter
                .and_then(|c| vantage_widgets::to_js(c).ok())
                .unwrap_or(JsValue::NULL),
        ),
    ]);
    emitter.emit("dataClick", &payload);
    // `defaultPrevented` reads like the DOM's after the handlers ran.
    let _ = Reflect::set(
        &payload,
        &"defaultPrevented".into(),
        &prevented.get().into(),
    );
    prevented.get()
}

/// `authExpired` with `message`.
pub fn auth_expired(emitter: &Emitter, message: &str) {
    emitter.emit("authExpired", &object(&[("message", message.into())]));
}

/// Effects, created under the view's owner: mirror store changes into host events.
/// Emits `rendered` on the frame after the one in which no chart is waiting to be drawn.
fn emit_rendered_when_drawn(e: Emitter) {
    let _ = request_frame(Box::new(move || {
        if vantage_widgets::echarts::pace::pending() > 0 {
            emit_rendered_when_drawn(e);
            return;
        }
        let _ = request_frame(Box::new(move || e.emit("rendered", &object(&[]))));
    }));
}

pub fn wire(store: &DashboardStore, emitter: &Emitter) {
    widget_errors(store, emitter);
    // A click, a chip's clear button or setState changed the cross-filters.
    let (cross, filters) = (store.cross_filters(), store.filters());
    let e = emitter.clone();
    Effect::new(move |first: Option<()>| {
        let items = cross.with(|c| c.items().to_vec());
        if first.is_some() {
            filters_changed(&e, &filters.with_untracked(FilterSet::effective), &items);
        }
    });
    let definition = store.definition();
    let e = emitter.clone();
    Effect::new(move |fired: Option<bool>| {
        if fired == Some(true) {
            return true;
        }
        let Some(d) = definition.get() else {
            return false;
        };
        let ids: Array = d
            .widgets
            .iter()
            .map(|w| JsValue::from(w.id.as_str()))
            .collect();
        e.emit(
            "ready",
            &object(&[
                ("dashboardId", d.id.as_str().into()),
                ("name", d.name.as_str().into()),
                ("widgets", ids.into()),
            ]),
        );
        true
    });
    let loads = store.loads();
    let e = emitter.clone();
    Effect::new(move |fired: Option<bool>| {
        let n = loads.get();
        if fired == Some(true) || n == 0 {
            return fired.unwrap_or(false);
        }
        // Two frames: the charts' own effects run, then the browser paints — and not before
        // every chart whose drawing was paced to a later task is drawn (widgets `pace`).
        emit_rendered_when_drawn(e.clone());
        true
    });
    let load_error = store.load_error();
    let e = emitter.clone();
    Effect::new(move |_| {
        if let Some(error) = load_error.get() {
            load_failed(&e, &error);
        }
    });
    let live_status = store.live_status();
    let e = emitter.clone();
    Effect::new(move |_| {
        let status = live_status.get();
        let mut pairs = vec![("status", JsValue::from(status.name()))];
        if let LiveStatus::Reconnecting {
            attempt,
            next_delay_ms,
        } = status
        {
            pairs.push(("attempt", attempt.into()));
            pairs.push(("nextDelayMs", next_delay_ms.into()));
        }
        e.emit("liveStatus", &object(&pairs));
    });
}

/// The dashboard could not be loaded: an `error` event (and `authExpired` first when that is
/// the cause).
pub(crate) fn load_failed(emitter: &Emitter, error: &SdkError) {
    let code = error.code();
    if code == "authExpired" {
        auth_expired(emitter, &error.user_message());
    }
    emitter.emit(
        "error",
        &object(&[
            ("code", code.into()),
            ("message", error.user_message().into()),
        ]),
    );
}

/// A widget whose query failed (the rest of the dashboard loaded): one `error` event with its
/// `widgetId` each time its error message changes. The widgets' state signals are looked up
/// once, under the view's owner (so they are disposed with it, not with each effect run).
fn widget_errors(store: &DashboardStore, emitter: &Emitter) {
    let e = emitter.clone();
    let widgets_store = store.clone();
    let view_owner = Owner::current();
    let states = StoredValue::new(Vec::<(String, Signal<WidgetState>)>::new());
    let definition = store.definition();
    Effect::new(move |previous: Option<Vec<(String, String)>>| {
        definition.with(|d| {
            if states.with_value(Vec::is_empty) {
                if let (Some(d), Some(owner)) = (d, view_owner.as_ref()) {
                    let found = owner.with(|| {
                        d.widgets
                            .iter()
                            .map(|w| (w.id.clone(), widgets_store.widget_state(&w.id)))
                            .collect()
                    });
                    states.set_value(found);
                }
            }
        });
        let failed: Vec<(String, String)> = states.with_value(|states| {
            states
                .iter()
                .filter_map(|(id, state)| match state.try_get() {
                    Some(WidgetState::Error { message }) => Some((id.clone(), message)),
                    _ => None,
                })
                .collect()
        });
        for (id, message) in &failed {
            let known = previous
                .as_ref()
                .is_some_and(|p| p.iter().any(|(i, m)| i == id && m == message));
            if !known {
                e.emit(
                    "error",
                    &object(&[
                        ("code", "widget".into()),
                        ("message", message.as_str().into()),
                        ("widgetId", id.as_str().into()),
                    ]),
                );
            }
        }
        failed
    });
}

fn request_frame(f: Box<dyn FnOnce()>) -> Option<i32> {
    let callback = Closure::once_into_js(f);
    web_sys::window()?
        .request_animation_frame(callback.unchecked_ref())
        .ok()
}
