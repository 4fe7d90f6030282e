//! Shared helpers for Vantage's headless-browser tests.
//!
//! Test files live in `tests/` (one per area). Each mounts into a fresh element, keeps the
//! mount handle alive while asserting, and awaits frames/timeouts instead of sleeping blindly.
//! ECharts is loaded once per page from `www/node_modules` (installed by `cargo xtask setup`).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use vantage_widgets::EChartsModule;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// ECharts' dist build, from npm (never a CDN).
const ECHARTS_JS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../www/node_modules/echarts/dist/echarts.min.js"
));

/// Base URL of the reference server started by `cargo xtask test`, if any.
pub fn server_url() -> Option<&'static str> {
    option_env!("VANTAGE_TEST_BASE_URL").filter(|url| !url.is_empty())
}

pub fn document() -> web_sys::Document {
    web_sys::window()
        .expect("window")
        .document()
        .expect("document")
}

/// Loads ECharts into the page (as `globalThis.echarts`) once and returns it.
pub fn ensure_echarts() -> EChartsModule {
    if let Ok(module) = EChartsModule::global() {
        return module;
    }
    let script = document().create_element("script").expect("script element");
    script.set_text_content(Some(ECHARTS_JS));
    document()
        .head()
        .expect("head")
        .append_child(&script)
        .expect("append script");
    EChartsModule::global().expect("ECharts defines globalThis.echarts")
}

/// A new, attached `<div>` of the given size in CSS pixels, first in the page (in view: a chart
/// far below the fold is drawn only once it comes near the view, and earlier tests' containers
/// stay in the page).
pub fn fresh_container(width: u32, height: u32) -> HtmlElement {
    let element: HtmlElement = document()
        .create_element("div")
        .expect("div")
        .unchecked_into();
    element
        .set_attribute(
            "style",
            &format!("width:{width}px;height:{height}px;position:relative"),
        )
        .expect("style");
    document()
        .body()
        .expect("body")
        .prepend_with_node_1(&element)
        .expect("prepend");
    element
}

/// Scrolls every chart under `root` that has no canvas yet into view in turn (two frames each),
/// so charts far below the fold are drawn, then scrolls back to the top of the page.
pub async fn scroll_through_charts(root: &web_sys::Element) {
    let charts = root.query_selector_all(".vt-echart").expect("selector");
    for i in 0..charts.length() {
        let Some(chart) = charts
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if chart.query_selector("canvas").ok().flatten().is_some() {
            continue;
        }
        chart.scroll_into_view();
        next_frame().await;
        next_frame().await;
    }
    web_sys::window()
        .expect("window")
        .scroll_to_with_x_and_y(0.0, 0.0);
}

/// Resolves after the next animation frame, or after 100 ms if no frame comes: a page whose
/// frames stop (seen once: a test hung until the runner's timeout, nothing named) then reaches
/// [`wait_until`]'s own timeout, which says what it waited for.
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("window");
        window.request_animation_frame(&resolve).expect("rAF");
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("frame");
}

/// Resolves after `duration`.
pub async fn sleep(duration: Duration) {
    let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timeout");
}

/// Polls `condition` once per frame until it holds; panics with `what` after `timeout`.
pub async fn wait_until(what: &str, timeout: Duration, condition: impl FnMut() -> bool) {
    wait_until_or(what, timeout, condition, String::new).await;
}

/// [`wait_until`], whose panic message adds what `explain` says of the state at the timeout
/// (what the page showed instead).
pub async fn wait_until_or(
    what: &str,
    timeout: Duration,
    mut condition: impl FnMut() -> bool,
    explain: impl Fn() -> String,
) {
    let start = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - start >= timeout.as_millis() as f64 {
            let explained = explain();
            if explained.is_empty() {
                panic!("timed out waiting for {what}");
            }
            panic!("timed out waiting for {what}: {explained}");
        }
        next_frame().await;
    }
}

/// Reads `path` (dot-separated) from a JS value, e.g. `get(&option, "series.0.data")`.
pub fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |current, key| {
        js_sys::Reflect::get(&current, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    })
}
