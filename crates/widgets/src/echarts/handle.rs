//! [`EChartsHandle`]: owns one ECharts instance and everything attached to it.
//!
//! Lifetime rule: the chart lives exactly as long as the handle. Dropping it disconnects the
//! `ResizeObserver`, cancels a pending animation frame, removes event listeners and disposes
//! the ECharts instance, so `echarts.getInstanceByDom(el)` is `undefined` afterwards.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::charts::Chart;
use js_sys::{Array, Float64Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ResizeObserver};

use super::binding::{call, function, js_error, set, EChartsInstance, EChartsModule, Renderer};
use super::decimate::{self, Decimator, Draw, POINTS_PER_COLUMN};
use super::stream::SlidingWindow;
use crate::charts::m4::{self, Shape};
use crate::WidgetError;

/// How [`EChartsHandle::set_option`] merges with what is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Merge {
    /// Replace the whole option (`notMerge: true`): right for a new query result.
    #[default]
    Replace,
    /// Merge into the current option (`notMerge: false`): right for small live updates.
    Merge,
    /// A new full option for the same chart (new data): merged into what is drawn, series
    /// matched by name and the ones no longer present removed (`replaceMerge: ["series"]`).
    /// The user's state survives: legend selection, an open tooltip, zoom, hover and a click
    /// in progress (its pressed element is kept, not re-created).
    Update,
}

type Listener = (String, Closure<dyn FnMut(JsValue)>);

/// An ECharts instance bound to one element, resized with it and disposed on drop.
pub struct EChartsHandle {
    module: EChartsModule,
    element: HtmlElement,
    instance: EChartsInstance,
    renderer: Renderer,
    theme: Option<String>,
    last_option: Option<JsValue>,
    listeners: Vec<Listener>,
    resize: ResizeWatch,
    /// Large line/area series drawn decimated, with their full points (see `decimate.rs`).
    decimator: Rc<RefCell<Decimator>>,
    /// The last option applied when it has a gauge, whose number is refitted on resize.
    gauge: Rc<RefCell<Option<JsValue>>>,
}

impl EChartsHandle {
    /// Initialises ECharts on `element` with an optional registered theme name.
    ///
    /// # Errors
    /// When ECharts throws on init or the `ResizeObserver` cannot be created.
    pub fn new(
        module: EChartsModule,
        element: HtmlElement,
        theme: Option<String>,
        renderer: Renderer,
    ) -> Result<Self, WidgetError> {
        let instance = module.init(&element, theme.as_deref(), renderer)?;
        let decimator = Rc::new(RefCell::new(Decimator::default()));
        let gauge = Rc::new(RefCell::new(None));
        let resize = ResizeWatch::new(
            &element,
            instance.clone(),
            Rc::clone(&decimator),
            Rc::clone(&gauge),
        )?;
        // The zoom refresh holds the decimator weakly: a chart destroyed in the same tick as a
        // `datazoom` drops it, and the already scheduled refresh then does nothing.
        let on_zoomed = {
            let decimator = Rc::downgrade(&decimator);
            let instance = instance.clone();
            move |_: JsValue| {
                let (decimator, instance) = (decimator.clone(), instance.clone());
                decimate::soon(move || {
                    if let Some(decimator) = decimator.upgrade() {
                        if let Ok(mut decimator) = decimator.try_borrow_mut() {
                            let _ = decimator.refresh(&instance, Draw::NextFrame);
                        }
                    }
                });
            }
        };
        let mut handle = Self {
            module,
            element,
            instance,
            renderer,
            theme,
            last_option: None,
            listeners: Vec::new(),
            resize,
            decimator,
            gauge,
        };
        // A zoom shows another x window: pick its points from the full series.
        handle.on("datazoom", on_zoomed);
        Ok(handle)
    }

    /// Applies an option built by [`super::to_js`] (a charming chart as a JS object): makes it
    /// safe and functional ([`crate::charts::js::finish_option`]), draws large line and area
    /// series decimated for the plot's pixel columns (M4, see [`crate::charts::m4`]) and sets it
    /// with `merge`.
    ///
    /// # Errors
    /// When ECharts rejects the option.
    pub fn apply(&mut self, option: JsValue, merge: Merge) -> Result<(), WidgetError> {
        let width = f64::from(self.element.client_width());
        let mut decimated = Vec::new();
        crate::charts::js::finish_option_with(&option, &mut |index, series, points| {
            let wanted = Decimator::wants(series, points.points().len(), width);
            if wanted {
                decimated.push((index, series.clone(), points));
            }
            wanted
        });
        let height = f64::from(self.element.client_height());
        let gauge = crate::charts::js::fit_gauge_numbers(&option, width, height);
        *self.gauge.borrow_mut() = gauge.then(|| option.clone());
        let shared = Rc::clone(&self.decimator);
        let mut decimator = shared.borrow_mut();
        decimator.replace(
            decimated,
            &option,
            &self.module,
            &self.instance,
            &self.element,
        );
        if !decimator.is_active() {
            drop(decimator);
            return self.set_option(option, merge);
        }
        // Laid out now rather than on the next frame, so the pick can be checked against the
        // plot's real pixel columns right away: when the layout was worked out beforehand
        // (`layout::predict`) and holds, this one update is the whole draw; otherwise (no
        // prediction, or a wrong one) the final pick follows in the same task and both land in
        // one frame (the first, approximate one is never on screen).
        self.send(&option, merge)?;
        self.keep_last(option, merge);
        decimator.refresh(&self.instance, Draw::Now)
    }

    /// Applies an ECharts option object (see <https://echarts.apache.org/en/option.html>) and
    /// draws it now.
    ///
    /// The chart is laid out and painted within this call, not on ECharts' next frame
    /// (`lazyUpdate`): a query result's charts are drawn in the task their data arrived in, as
    /// the page's own code would, so a dashboard's charts are painted at the next frame instead
    /// of all waiting for it and being drawn together in it (one long frame), and the pacing of
    /// chart creation ([`super::pace`]) spreads their real drawing work over tasks. Updates
    /// from the store come at most once per frame; streamed windows and zoom or resize
    /// re-picks keep drawing with the next frame ([`Self::push_window`]).
    ///
    /// # Errors
    /// When ECharts rejects the option.
    pub fn set_option(&mut self, option: JsValue, merge: Merge) -> Result<(), WidgetError> {
        self.send(&option, merge)?;
        self.keep_last(option, merge);
        Ok(())
    }

    fn send(&self, option: &JsValue, merge: Merge) -> Result<(), WidgetError> {
        let opts = Object::new();
        set(&opts, "notMerge", &(merge == Merge::Replace).into());
        if merge == Merge::Update {
            set(&opts, "replaceMerge", &Array::of1(&"series".into()));
        }
        self.instance.set_option(option, &opts).map_err(js_error)
    }

    fn keep_last(&mut self, option: JsValue, merge: Merge) {
        if merge != Merge::Merge || self.last_option.is_none() {
            self.last_option = Some(option);
        }
    }

    /// Applies a charming chart, replacing what is drawn: the same conversion `<EChart>` does
    /// (a plain JS object, safe tooltips, formatter functions, large series as typed arrays,
    /// large lines decimated; see [`Self::apply`]).
    ///
    /// # Errors
    /// When the chart cannot be converted or ECharts rejects it.
    pub fn set_chart(&mut self, chart: &Chart) -> Result<(), WidgetError> {
        let js = super::to_js(chart)?;
        self.apply(js, Merge::Replace)
    }

    /// Sends the current points of every window in `window` to ECharts as the data of series
    /// `0..n`, and nothing else: a merge-mode `setOption` whose series carry only `data`, so axes,
    /// styles, legend and tooltip are neither rebuilt nor re-sent. `lazyUpdate` makes several
    /// pushes within one frame draw once; `silent` keeps it from firing events. A window with
    /// more than four points per pixel column of the plot is sent decimated ([`m4`], for the
    /// windows' x range over the plot's width as last laid out); other windows above the
    /// large-data threshold go over as one `Float64Array` each. (On ECharts 5 a theme switch
    /// re-creates the instance from the last full option; push the window again after it.)
    ///
    /// # Errors
    /// When ECharts rejects the update.
    pub fn push_window(&mut self, window: &SlidingWindow) -> Result<(), WidgetError> {
        let columns = self.window_columns(window);
        let series = Array::new();
        for index in 0..window.series_count() {
            let item = Object::new();
            let data = match (columns, window.points(index)) {
                (Some(columns), Some(points))
                    if points.len() > POINTS_PER_COLUMN * columns.count() =>
                {
                    let kept = if window.is_dense(index) {
                        // The columns span every window, so the dense shape's unknown extremes
                        // are kept in their columns anyway.
                        m4::m4_shaped(points, &Shape::dense_ascending(points.len()), &columns)
                    } else {
                        m4::m4(points, &columns)
                    };
                    Float64Array::from(m4::gather(points, &kept).as_slice()).into()
                }
                _ => window_data(window, index),
            };
            set(&item, "data", &data);
            series.push(&item);
        }
        decimate::set_series_data(&self.instance, &series, Draw::NextFrame)
    }

    /// Appends interleaved `[x0, y0, x1, y1, …]` points to `series` of `window` (dropping the
    /// oldest beyond its capacity) and pushes the windows to the chart (see
    /// [`Self::push_window`]).
    ///
    /// # Errors
    /// For an unknown series, an odd number of values, or when ECharts rejects the update.
    pub fn append(
        &mut self,
        window: &mut SlidingWindow,
        series: usize,
        points: &[f64],
    ) -> Result<(), WidgetError> {
        window.push_flat(series, points)?;
        self.push_window(window)
    }

    /// The pixel columns a streamed window is picked for: the windows' x range (all series)
    /// over the plot's horizontal extent in the current layout, or the whole element before
    /// the first layout.
    fn window_columns(&self, window: &SlidingWindow) -> Option<m4::PixelColumns> {
        let (start, end) = (0..window.series_count())
            .filter_map(|s| window.points(s)?.x_extent())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| {
                (lo.min(a), hi.max(b))
            });
        let (left, right) = match decimate::axis_columns(&self.instance) {
            Some(laid_out) => (laid_out.left, laid_out.right),
            None => (
                0.0,
                f64::from(self.element.client_width()) * decimate::device_pixel_ratio(),
            ),
        };
        let columns = m4::PixelColumns {
            start,
            end,
            left,
            right,
        };
        columns.is_usable().then_some(columns)
    }

    /// Switches to another registered theme, keeping the data on screen.
    ///
    /// Uses `setTheme` (ECharts 6); on older ECharts, which bind a theme at `init`, it re-creates
    /// the instance on the same element and re-applies the current option and listeners.
    ///
    /// # Errors
    /// When ECharts fails to re-initialise.
    pub fn set_theme(&mut self, theme: Option<String>) -> Result<(), WidgetError> {
        if theme == self.theme {
            return Ok(());
        }
        // ECharts 6 can swap themes in place; ECharts 5 needs a new instance.
        if let Some(set_theme) = function(&self.instance, "setTheme") {
            let name = JsValue::from_str(theme.as_deref().unwrap_or("default"));
            set_theme.call1(&self.instance, &name).map_err(js_error)?;
            self.theme = theme;
            return Ok(());
        }
        let current = self.instance.get_option();
        self.remove_listeners();
        self.instance.dispose();
        self.instance = self
            .module
            .init(&self.element, theme.as_deref(), self.renderer)?;
        self.theme = theme;
        self.resize = ResizeWatch::new(
            &self.element,
            self.instance.clone(),
            Rc::clone(&self.decimator),
            Rc::clone(&self.gauge),
        )?;
        for (event, closure) in &self.listeners {
            self.instance.on(event, closure.as_ref().unchecked_ref());
        }
        if !current.is_undefined() && !current.is_null() {
            // getOption() returns the fully merged option, colours resolved from the old theme
            // excluded: ECharts keeps theme colours out of it unless set explicitly.
            let option = self.last_option.clone().unwrap_or(current);
            self.set_option(option, Merge::Replace)?;
            self.decimator.borrow_mut().forget_columns();
            self.decimator
                .borrow_mut()
                .refresh(&self.instance, Draw::NextFrame)?;
        }
        Ok(())
    }

    /// Registers `handler` for an ECharts event (`click`, `legendselectchanged`, `datazoom`…).
    /// The handler lives as long as this handle. On a decimated series, `dataIndex` is the
    /// point's index in the full series.
    pub fn on(&mut self, event: &str, mut handler: impl FnMut(JsValue) + 'static) {
        let decimator = Rc::clone(&self.decimator);
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |params: JsValue| {
            if let Ok(decimator) = decimator.try_borrow() {
                decimator.restore_index(&params);
            }
            handler(params);
        });
        self.instance.on(event, closure.as_ref().unchecked_ref());
        self.listeners.push((event.to_owned(), closure));
    }

    /// Resizes the chart to its element now (normally the `ResizeObserver` does this).
    ///
    /// # Errors
    /// When ECharts throws.
    pub fn resize(&self) -> Result<(), WidgetError> {
        self.instance.resize().map_err(js_error)?;
        self.decimator
            .borrow_mut()
            .refresh(&self.instance, Draw::NextFrame)
    }

    /// Renders the chart to a data URL (`png` uses the canvas renderer's bitmap).
    ///
    /// # Errors
    /// When ECharts cannot export (for example an SVG export from a canvas chart).
    pub fn data_url(&self, png: bool, background: &str) -> Result<String, WidgetError> {
        let opts = Object::new();
        set(&opts, "type", &(if png { "png" } else { "svg" }).into());
        set(&opts, "pixelRatio", &2.into());
        set(&opts, "backgroundColor", &background.into());
        self.instance.get_data_url(&opts).map_err(js_error)
    }

    /// The background an exported image gets: the theme's surface colour where the chart is
    /// drawn (`--vt-surface`, inherited from the widget root or the app), white without one.
    /// The one rule for the app's and the embed's image exports.
    pub fn export_background(&self) -> String {
        web_sys::window()
            .and_then(|w| w.get_computed_style(&self.element).ok().flatten())
            .and_then(|style| style.get_property_value("--vt-surface").ok())
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| "#ffffff".to_owned())
    }

    /// The chart as PNG bytes at twice its size, on the theme's background
    /// ([`Self::export_background`]).
    ///
    /// # Errors
    /// [`WidgetError::Export`] when ECharts returns no PNG data URL.
    pub fn to_png(&self) -> Result<Vec<u8>, WidgetError> {
        let url = self.data_url(true, &self.export_background())?;
        // Decoded here rather than fetch()ed: a strict CSP's `connect-src 'self'` blocks data: URLs.
        let encoded = url
            .strip_prefix("data:image/png;base64,")
            .ok_or_else(|| WidgetError::Export("ECharts did not return a PNG data URL".into()))?;
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
            .map_err(|e| WidgetError::Export(format!("PNG data URL: {e}")))
    }

    /// The chart as an SVG document: its current option rendered again, at the same size and in
    /// the same theme, by ECharts' server-side SVG renderer (the canvas stays as it is), on the
    /// theme's background.
    ///
    /// # Errors
    /// [`WidgetError::SvgRendererMissing`] when this ECharts build has no SVG renderer.
    pub fn to_svg(&self) -> Result<String, WidgetError> {
        let option = self.instance.get_option();
        if let Some(option) = option.dyn_ref::<Object>() {
            set(option, "backgroundColor", &self.export_background().into());
        }
        let opts = Object::new();
        set(&opts, "renderer", &"svg".into());
        set(&opts, "ssr", &true.into());
        for (key, getter) in [("width", "getWidth"), ("height", "getHeight")] {
            let size = function(&self.instance, getter)
                .and_then(|f| f.call0(&self.instance).ok())
                .unwrap_or_else(|| JsValue::from(0));
            set(&opts, key, &size);
        }
        let theme = self
            .theme
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        let init = function(self.module.as_js(), "init").ok_or(WidgetError::EChartsMissing)?;
        let chart = init
            .call3(self.module.as_js(), &JsValue::NULL, &theme, &opts)
            .map_err(|_| WidgetError::SvgRendererMissing)?;
        let svg = call(&chart, "setOption", &Array::of1(&option))
            .and_then(|_| call(&chart, "renderToSVGString", &Array::new()));
        let _ = call(&chart, "dispose", &Array::new());
        svg.and_then(|s| s.as_string())
            .filter(|s| s.contains("<svg"))
            .ok_or(WidgetError::SvgRendererMissing)
    }

    /// The element the chart draws into.
    pub fn element(&self) -> &HtmlElement {
        &self.element
    }

    /// The raw instance, for callers that need an ECharts API we do not wrap.
    pub fn instance(&self) -> &EChartsInstance {
        &self.instance
    }

    fn remove_listeners(&self) {
        for (event, closure) in &self.listeners {
            let handler: &Function = closure.as_ref().unchecked_ref();
            self.instance.off(event, handler);
        }
    }
}

impl Drop for EChartsHandle {
    fn drop(&mut self) {
        self.remove_listeners();
        if !self.instance.is_disposed() {
            self.instance.dispose();
        }
        // `resize` drops after this, disconnecting its observer and frame callback.
    }
}

/// One series' window as ECharts data: a `Float64Array` of interleaved values above the
/// large-data threshold (one allocation, two memory copies), else an array of `[x, y]` pairs.
fn window_data(window: &SlidingWindow, series: usize) -> JsValue {
    let (front, back) = window.as_slices(series);
    if window.is_large(series) {
        let typed = Float64Array::new_with_length((front.len() + back.len()) as u32);
        typed.subarray(0, front.len() as u32).copy_from(front);
        typed
            .subarray(front.len() as u32, (front.len() + back.len()) as u32)
            .copy_from(back);
        typed.into()
    } else {
        let pairs = Array::new();
        let mut values = front.iter().chain(back);
        while let (Some(x), Some(y)) = (values.next(), values.next()) {
            pairs.push(&Array::of2(&(*x).into(), &(*y).into()));
        }
        pairs.into()
    }
}

/// Resizes the chart when its element changes size, at most once per animation frame.
///
/// A `ResizeObserver` also reports every element once when it starts observing it, and layout
/// around a chart can move without changing its size; `resize()` lays out and redraws the whole
/// chart whether or not the size changed, so it is called only when the element's size differs
/// from the one ECharts last laid the chart out at (ECharts reads `clientWidth`/`clientHeight`
/// of the unpadded chart element, as compared here). Skipping the report that follows creation
/// saves one full redraw per chart while a dashboard loads.
struct ResizeWatch {
    observer: ResizeObserver,
    frame: Rc<Cell<Option<i32>>>,
    _on_resize: Closure<dyn FnMut(js_sys::Array)>,
    _on_frame: Rc<Closure<dyn FnMut()>>,
}

impl ResizeWatch {
    /// Also re-picks `decimator`'s series for the new size and refits the number of a gauge
    /// option in `gauge` to its ring.
    fn new(
        element: &HtmlElement,
        instance: EChartsInstance,
        decimator: Rc<RefCell<Decimator>>,
        gauge: Rc<RefCell<Option<JsValue>>>,
    ) -> Result<Self, WidgetError> {
        let frame: Rc<Cell<Option<i32>>> = Rc::new(Cell::new(None));
        let on_frame = {
            let frame = Rc::clone(&frame);
            let element = element.clone();
            Rc::new(Closure::<dyn FnMut()>::new(move || {
                frame.set(None);
                if instance.is_disposed() || laid_out_at(&instance, &element) {
                    return;
                }
                if instance.resize().is_ok() {
                    if let Ok(mut decimator) = decimator.try_borrow_mut() {
                        let _ = decimator.refresh(&instance, Draw::NextFrame);
                    }
                    if let Some(option) = gauge.borrow().as_ref() {
                        let (width, height) = (instance.get_width(), instance.get_height());
                        crate::charts::js::fit_gauge_numbers(option, width, height);
                        let _ = instance.set_option(option, &Object::new());
                    }
                }
            }))
        };
        let on_resize = {
            let frame = Rc::clone(&frame);
            let on_frame = Rc::clone(&on_frame);
            Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries| {
                if frame.get().is_some() {
                    return;
                }
                let callback: &Function = (*on_frame).as_ref().unchecked_ref();
                if let Some(id) =
                    web_sys::window().and_then(|w| w.request_animation_frame(callback).ok())
                {
                    frame.set(Some(id));
                }
            })
        };
        let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).map_err(js_error)?;
        observer.observe(element);
        Ok(Self {
            observer,
            frame,
            _on_resize: on_resize,
            _on_frame: on_frame,
        })
    }
}

/// Whether ECharts' current layout is for `element`'s present size.
fn laid_out_at(instance: &EChartsInstance, element: &HtmlElement) -> bool {
    f64::from(element.client_width()) == instance.get_width()
        && f64::from(element.client_height()) == instance.get_height()
}

impl Drop for ResizeWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
        if let (Some(id), Some(window)) = (self.frame.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
    }
}
