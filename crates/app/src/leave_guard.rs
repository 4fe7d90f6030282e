//! The leave-this-page warning (the builder's unsaved changes, a running CSV import). Closing or
//! reloading the tab asks through `beforeunload` (the browser shows its own wording, see
//! <https://developer.mozilla.org/docs/Web/API/Window/beforeunload_event>); clicking an in-app
//! link asks with `confirm()` first. The link check listens in the capture phase, before the
//! router's own click handler, and cancels the click when the user stays.
//!
//! [`LeaveGuard`] owns both listeners; dropping it removes them.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// The two listeners, removed on drop.
pub struct LeaveGuard {
    window: web_sys::Window,
    unload: Listener,
    click: Listener,
}

impl LeaveGuard {
    /// Warns before leaving whenever `dirty()` is true; an in-app link asks `question` (the
    /// browser words the tab-closing prompt itself). `None` outside a browser window.
    pub fn install(
        dirty: impl Fn() -> bool + Clone + 'static,
        question: &'static str,
    ) -> Option<Self> {
        let window = web_sys::window()?;
        let is_dirty = dirty.clone();
        let unload = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if is_dirty() {
                ev.prevent_default();
                if let Some(ev) = ev.dyn_ref::<web_sys::BeforeUnloadEvent>() {
                    // Older browsers need a non-empty returnValue to show the prompt.
                    ev.set_return_value(question);
                }
            }
        });
        let click = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if !dirty() || !leaves_the_page(&ev) {
                return;
            }
            let stay = web_sys::window()
                .and_then(|w| w.confirm_with_message(question).ok())
                .is_some_and(|leave| !leave);
            if stay {
                ev.prevent_default();
                ev.stop_propagation();
            }
        });
        let _ = window
            .add_event_listener_with_callback("beforeunload", unload.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback_and_bool(
            "click",
            click.as_ref().unchecked_ref(),
            true,
        );
        Some(Self {
            window,
            unload,
            click,
        })
    }
}

impl Drop for LeaveGuard {
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback(
            "beforeunload",
            self.unload.as_ref().unchecked_ref(),
        );
        let _ = self.window.remove_event_listener_with_callback_and_bool(
            "click",
            self.click.as_ref().unchecked_ref(),
            true,
        );
    }
}

/// Whether a click follows a same-tab link away from the current page (modified clicks open
/// new tabs and leave the page where it is).
fn leaves_the_page(ev: &web_sys::Event) -> bool {
    let Some(mouse) = ev.dyn_ref::<web_sys::MouseEvent>() else {
        return false;
    };
    if mouse.button() != 0 || mouse.ctrl_key() || mouse.meta_key() || mouse.shift_key() {
        return false;
    }
    let anchor = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    let Some(anchor) = anchor else { return false };
    let here = web_sys::window().and_then(|w| w.location().href().ok());
    anchor.target().is_empty() && !anchor.href().starts_with('#') && Some(anchor.href()) != here
}
