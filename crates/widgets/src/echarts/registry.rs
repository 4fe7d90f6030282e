//! [`ChartRegistry`]: the charts drawn under one view, so an export reaches a chart through the
//! [`super::EChart`] that owns its [`EChartsHandle`] (its theme, its ECharts module) rather than
//! by asking ECharts for whatever instance sits on an element.
//!
//! A view provides a registry as context; every `<EChart>` below it registers its handle slot
//! (weakly: the chart still lives exactly as long as its component).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use leptos::prelude::provide_context;
use send_wrapper::SendWrapper;

use super::EChartsHandle;
use crate::WidgetError;

/// The slot an `<EChart>` keeps its handle in (`None` before init and after unmount).
pub(crate) type Slot = Rc<RefCell<Option<EChartsHandle>>>;

/// The charts drawn under a view. Cheap to clone; clones share the list.
#[derive(Clone)]
pub struct ChartRegistry(SendWrapper<Rc<RefCell<Vec<WeakSlot>>>>);

type WeakSlot = Weak<RefCell<Option<EChartsHandle>>>;

impl Default for ChartRegistry {
    fn default() -> Self {
        Self(SendWrapper::new(Rc::default()))
    }
}

impl ChartRegistry {
    /// Makes this registry the one `<EChart>`s under the current owner register with.
    pub fn provide(&self) {
        provide_context(self.clone());
    }

    pub(crate) fn register(&self, slot: &Slot) {
        let mut charts = self.0.borrow_mut();
        charts.retain(|chart| chart.strong_count() > 0);
        charts.push(Rc::downgrade(slot));
    }

    /// The live chart drawn inside `container` (a widget's cell), if any. A chart there that
    /// is waiting to come near the view is drawn first (see `view`).
    pub fn chart_in(&self, container: &web_sys::Node) -> Option<ChartRef> {
        super::view::draw_waiting_within(container);
        self.0
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .find_map(|slot| {
                let inside = slot
                    .borrow()
                    .as_ref()
                    .is_some_and(|chart| container.contains(Some(chart.element())));
                inside.then_some(ChartRef(slot))
            })
    }
}

/// A chart found in a [`ChartRegistry`]; exports go through its handle.
pub struct ChartRef(Slot);

impl ChartRef {
    fn with<T>(
        &self,
        f: impl FnOnce(&EChartsHandle) -> Result<T, WidgetError>,
    ) -> Result<T, WidgetError> {
        match self.0.borrow().as_ref() {
            Some(chart) => f(chart),
            None => Err(WidgetError::Export("the chart was removed".into())),
        }
    }

    /// See [`EChartsHandle::to_png`].
    ///
    /// # Errors
    /// When the chart was removed or ECharts cannot export it.
    pub fn to_png(&self) -> Result<Vec<u8>, WidgetError> {
        self.with(EChartsHandle::to_png)
    }

    /// See [`EChartsHandle::to_svg`].
    ///
    /// # Errors
    /// When the chart was removed or this ECharts build has no SVG renderer.
    pub fn to_svg(&self) -> Result<String, WidgetError> {
        self.with(EChartsHandle::to_svg)
    }
}
