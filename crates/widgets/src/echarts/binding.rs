//! The raw ECharts API surface we use, declared for wasm-bindgen, and [`EChartsModule`]: the
//! ECharts namespace object, either injected by the host (a bundler's `echarts/core` build) or
//! found at `globalThis.echarts` (the dist build loaded as a classic script).
//!
//! API reference: <https://echarts.apache.org/en/api.html#echartsInstance>.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::WidgetError;

#[wasm_bindgen]
extern "C" {
    /// One chart instance, as returned by `echarts.init`.
    #[derive(Clone, Debug)]
    pub type EChartsInstance;

    #[wasm_bindgen(method, catch, js_name = setOption)]
    pub(crate) fn set_option(
        this: &EChartsInstance,
        option: &JsValue,
        opts: &JsValue,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn resize(this: &EChartsInstance) -> Result<(), JsValue>;

    #[wasm_bindgen(method)]
    pub(crate) fn dispose(this: &EChartsInstance);

    /// The width ECharts last laid the chart out at (its container's, read at init or resize).
    #[wasm_bindgen(method, js_name = getWidth)]
    pub(crate) fn get_width(this: &EChartsInstance) -> f64;

    /// The height ECharts last laid the chart out at.
    #[wasm_bindgen(method, js_name = getHeight)]
    pub(crate) fn get_height(this: &EChartsInstance) -> f64;

    // ECharts returns `undefined` (not `false`) before the first dispose.
    #[wasm_bindgen(method, js_name = isDisposed)]
    fn is_disposed_raw(this: &EChartsInstance) -> JsValue;

    #[wasm_bindgen(method)]
    pub(crate) fn on(this: &EChartsInstance, event: &str, handler: &Function);

    #[wasm_bindgen(method)]
    pub(crate) fn off(this: &EChartsInstance, event: &str, handler: &Function);

    /// `getOption()`: the merged option currently applied.
    #[wasm_bindgen(method, js_name = getOption)]
    pub fn get_option(this: &EChartsInstance) -> JsValue;

    #[wasm_bindgen(method, catch, js_name = getDataURL)]
    pub(crate) fn get_data_url(this: &EChartsInstance, opts: &JsValue) -> Result<String, JsValue>;
}

impl EChartsInstance {
    /// Whether `dispose()` was called on this instance.
    pub fn is_disposed(&self) -> bool {
        self.is_disposed_raw().is_truthy()
    }
}

/// The ECharts namespace (`import * as echarts from "echarts"` or `globalThis.echarts`).
#[derive(Clone, Debug)]
pub struct EChartsModule {
    namespace: Object,
}

impl EChartsModule {
    /// Wraps a namespace object the host passed in.
    ///
    /// # Errors
    /// [`WidgetError::EChartsMissing`] when `value` has no `init` function.
    pub fn from_js(value: JsValue) -> Result<Self, WidgetError> {
        match function(&value, "init") {
            Some(_) => Ok(Self {
                namespace: value.unchecked_into(),
            }),
            None => Err(WidgetError::EChartsMissing),
        }
    }

    /// Finds `globalThis.echarts`.
    ///
    /// # Errors
    /// [`WidgetError::EChartsMissing`] when ECharts was not loaded.
    pub fn global() -> Result<Self, WidgetError> {
        let value =
            Reflect::get(&js_sys::global(), &"echarts".into()).unwrap_or(JsValue::UNDEFINED);
        Self::from_js(value)
    }

    /// The namespace object itself.
    pub fn as_js(&self) -> &JsValue {
        &self.namespace
    }

    /// `echarts.init(element, theme, { renderer })`.
    ///
    /// # Errors
    /// When ECharts throws (for example for an element that is not attached).
    pub fn init(
        &self,
        element: &HtmlElement,
        theme: Option<&str>,
        renderer: Renderer,
    ) -> Result<EChartsInstance, WidgetError> {
        let init = self.function("init")?;
        let opts = Object::new();
        set(&opts, "renderer", &renderer.as_str().into());
        let theme = theme.map_or(JsValue::NULL, JsValue::from_str);
        init.call3(&self.namespace, element, &theme, &opts)
            .map(JsCast::unchecked_into)
            .map_err(js_error)
    }

    /// `echarts.registerTheme(name, theme)`.
    ///
    /// # Errors
    /// When ECharts throws.
    pub fn register_theme(&self, name: &str, theme: &JsValue) -> Result<(), WidgetError> {
        self.function("registerTheme")?
            .call2(&self.namespace, &name.into(), theme)
            .map(drop)
            .map_err(js_error)
    }

    /// `echarts.getInstanceByDom(element)`: the live instance on `element`, if any.
    pub fn instance_by_dom(&self, element: &HtmlElement) -> Option<EChartsInstance> {
        let found = self
            .function("getInstanceByDom")
            .ok()?
            .call1(&self.namespace, element)
            .ok()?;
        (!found.is_undefined() && !found.is_null()).then(|| found.unchecked_into())
    }

    fn function(&self, name: &str) -> Result<Function, WidgetError> {
        function(&self.namespace, name).ok_or(WidgetError::EChartsMissing)
    }
}

/// Which ECharts renderer draws the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Renderer {
    /// Fast for large data; the default.
    #[default]
    Canvas,
    /// Crisp at any zoom; exports as SVG.
    Svg,
}

impl Renderer {
    fn as_str(self) -> &'static str {
        match self {
            Renderer::Canvas => "canvas",
            Renderer::Svg => "svg",
        }
    }
}

pub(crate) fn function(target: &JsValue, name: &str) -> Option<Function> {
    if target.is_undefined() || target.is_null() {
        return None;
    }
    Reflect::get(target, &name.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// `target[name](...args)`; `None` when `target` has no such function or the call throws.
pub(crate) fn call(target: &JsValue, name: &str, args: &Array) -> Option<JsValue> {
    Reflect::apply(&function(target, name)?, target, args).ok()
}

pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a plain object we created cannot fail.
    let _ = Reflect::set(target, &key.into(), value);
}

pub(crate) fn js_error(error: JsValue) -> WidgetError {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"));
    WidgetError::ECharts(message)
}
