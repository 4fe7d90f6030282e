//! Charts far out of view are drawn when they come near it.
//!
//! A chart's first draw is ECharts' most expensive call: 10–30 ms on a laptop, 50–170 ms on a
//! phone with a throttled CPU (BENCHMARKS.md, "Mobile profile"), where a dashboard's widgets sit
//! in one column and most of them are below the fold. So a chart whose data arrives while its
//! element is further than half a viewport away from the viewport is not created yet: an
//! `IntersectionObserver` (with a root margin of half the viewport's height) reports when it
//! comes that near, and the chart is then drawn like any other (paced, see [`super::pace`]).
//! Charts in view, or that near it, are drawn at once as before, and so are charts whose element
//! has no size (a hidden container: laid out by their `ResizeObserver` when shown).
//!
//! Whatever needs a chart that is still waiting draws it at once: an export that reaches the
//! chart through its view's [`super::ChartRegistry`] ([`draw_waiting_within`]), and printing
//! (every waiting chart is drawn on the window's `beforeprint`, listened to while any chart
//! waits).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use crate::WidgetError;

/// How far beyond each edge of the viewport a chart counts as near, as a fraction of the
/// viewport's size (the observer's root margin says the same in CSS).
const AHEAD: f64 = 0.5;
const ROOT_MARGIN: &str = "50%";

/// A chart waiting to come near the view, and how to draw it at once.
struct Waiting {
    element: Element,
    draw_now: Box<dyn Fn()>,
}

thread_local! {
    static WAITING: RefCell<Vec<Weak<Waiting>>> = const { RefCell::new(Vec::new()) };
    /// The window's `beforeprint` listener, there while any chart is waiting.
    static PRINT_HOOK: RefCell<Option<Closure<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Whether `element` is in the viewport or within [`AHEAD`] of it, judged from its layout now.
/// An element without a size (a hidden container) counts as near: it is drawn as before.
pub(crate) fn is_near(element: &Element) -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let size = |v: Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (width, height) = (size(window.inner_width()), size(window.inner_height()));
    let rect = element.get_bounding_client_rect();
    if rect.width() == 0.0 && rect.height() == 0.0 {
        return true;
    }
    rect.bottom() >= -AHEAD * height
        && rect.top() <= height * (1.0 + AHEAD)
        && rect.right() >= -AHEAD * width
        && rect.left() <= width * (1.0 + AHEAD)
}

/// Watches one chart's element until it comes near the view. Dropping it stops watching.
pub(crate) struct Watch {
    observer: IntersectionObserver,
    _on_change: Closure<dyn FnMut(js_sys::Array)>,
    _waiting: Rc<Waiting>,
}

impl Watch {
    /// Calls `on_near` (from the observer's task) once `element` comes near the view; `draw_now`
    /// is what an export or printing calls to have the chart drawn synchronously.
    ///
    /// # Errors
    /// When the browser has no `IntersectionObserver` (the caller then draws at once).
    pub(crate) fn new(
        element: &Element,
        on_near: impl Fn() + 'static,
        draw_now: impl Fn() + 'static,
    ) -> Result<Self, WidgetError> {
        let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let near = entries.iter().any(|entry| {
                entry
                    .dyn_into::<IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if near {
                on_near();
            }
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin(ROOT_MARGIN);
        let observer =
            IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &init)
                .map_err(super::binding::js_error)?;
        observer.observe(element);
        let waiting = Rc::new(Waiting {
            element: element.clone(),
            draw_now: Box::new(draw_now),
        });
        WAITING.with(|w| {
            let mut w = w.borrow_mut();
            w.retain(|entry| entry.strong_count() > 0);
            w.push(Rc::downgrade(&waiting));
        });
        hook_printing();
        Ok(Self {
            observer,
            _on_change: on_change,
            _waiting: waiting,
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.disconnect();
        let none_left = WAITING.with(|w| {
            let mut w = w.borrow_mut();
            w.retain(|entry| {
                entry
                    .upgrade()
                    .is_some_and(|other| !Rc::ptr_eq(&other, &self._waiting))
            });
            w.is_empty()
        });
        if none_left {
            unhook_printing();
        }
    }
}

/// The charts waiting for view that `include` selects, drawn now (each in this task).
fn draw_waiting(include: impl Fn(&Element) -> bool) {
    // Collected first: no borrow of the list is held while charts draw (a chart's code may add
    // or drop watches).
    let due: Vec<Rc<Waiting>> = WAITING.with(|w| {
        w.borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|waiting| include(&waiting.element))
            .collect()
    });
    for waiting in due {
        (waiting.draw_now)();
    }
}

/// Draws now every chart inside `container` that is waiting to come near the view (an export
/// of a widget below the fold).
pub fn draw_waiting_within(container: &web_sys::Node) {
    draw_waiting(|element| container.contains(Some(element)));
}

/// Printing shows the whole page: every waiting chart is drawn before it is laid out for print.
/// The listener is added with the first waiting chart and removed with the last.
fn hook_printing() {
    let Some(window) = web_sys::window() else {
        return;
    };
    PRINT_HOOK.with(|hook| {
        let mut hook = hook.borrow_mut();
        if hook.is_none() {
            let on_print = Closure::<dyn Fn()>::new(|| draw_waiting(|_| true));
            let _ = window
                .add_event_listener_with_callback("beforeprint", on_print.as_ref().unchecked_ref());
            *hook = Some(on_print);
        }
    });
}

/// Removes the `beforeprint` listener (no chart is waiting). Never called from the listener
/// itself: a chart drawn for printing drops its watch in a later microtask (its effect).
fn unhook_printing() {
    let Some(on_print) = PRINT_HOOK.with(|hook| hook.borrow_mut().take()) else {
        return;
    };
    if let Some(window) = web_sys::window() {
        let _ = window
            .remove_event_listener_with_callback("beforeprint", on_print.as_ref().unchecked_ref());
    }
}
