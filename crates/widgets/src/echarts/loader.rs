//! ECharts that arrives after the wasm.
//!
//! A page may define `globalThis.vantageLoadECharts`: a function that starts loading ECharts
//! (once) and returns a promise settled when `globalThis.echarts` exists. The app's boot script
//! defines it and, on the sign-in page (which draws no chart), does not call it, so a first
//! visit downloads no ECharts until the first chart needs it. Without that function nothing
//! changes: ECharts must already be loaded (or injected), as the package documents.
//!
//! Charts ask through [`request`], which subscribes the calling effect and starts the load; they
//! stay empty meanwhile and draw when it arrives. Themes ask through [`present`], which
//! subscribes without starting a load (registering a theme needs ECharts, but is no reason to
//! download it). A load that fails is shown as the chart's error with a retry ([`retry`]).

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use leptos::reactive::graph::Observer;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::EChartsModule;
use crate::WidgetError;

/// The global function a page defines to load ECharts on demand.
const LOADER: &str = "vantageLoadECharts";

thread_local! {
    /// Bumped when a load settles, so the effects that waited run again.
    static SETTLED: ArcRwSignal<u32> = ArcRwSignal::new(0);
    static LOADING: Cell<bool> = const { Cell::new(false) };
    static FAILED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// `globalThis.echarts`, loading it through the page's loader when it is not there yet.
///
/// `Ok(None)` while loading; the calling effect or memo (if any) runs again when the load
/// settles.
///
/// # Errors
/// [`WidgetError::EChartsMissing`] when ECharts is absent and the page has no loader;
/// [`WidgetError::ECharts`] when the loader failed.
pub fn request() -> Result<Option<EChartsModule>, WidgetError> {
    if let Some(module) = present() {
        return Ok(Some(module));
    }
    if let Some(message) = FAILED.with(|f| f.borrow().clone()) {
        return Err(WidgetError::ECharts(format!(
            "the chart library did not load ({message})"
        )));
    }
    let loader = loader().ok_or(WidgetError::EChartsMissing)?;
    if !LOADING.replace(true) {
        leptos::task::spawn_local(async move {
            let outcome = load(&loader).await;
            LOADING.set(false);
            FAILED.with(|f| *f.borrow_mut() = outcome.err());
            SETTLED.with(|s| s.update(|n| *n = n.wrapping_add(1)));
        });
    }
    Ok(None)
}

/// `globalThis.echarts` if it is loaded, without starting a load; the calling effect or memo
/// (if any) runs again when a load settles.
pub fn present() -> Option<EChartsModule> {
    if Observer::get().is_some() {
        SETTLED.with(Track::track);
    }
    EChartsModule::global().ok()
}

/// `globalThis.echarts` once the page's loader (if any) has loaded it; for code that is not
/// reactive (an embed mounting).
///
/// # Errors
/// As [`request`], when it is absent and cannot be loaded.
pub async fn loaded() -> Result<EChartsModule, WidgetError> {
    if let Ok(module) = EChartsModule::global() {
        return Ok(module);
    }
    let loader = loader().ok_or(WidgetError::EChartsMissing)?;
    load(&loader).await.map_err(|message| {
        WidgetError::ECharts(format!("the chart library did not load ({message})"))
    })?;
    EChartsModule::global()
}

/// Forgets a failed load and lets every waiting chart try again.
pub fn retry() {
    FAILED.with(|f| f.borrow_mut().take());
    SETTLED.with(|s| s.update(|n| *n = n.wrapping_add(1)));
}

/// Whether the last load through the page's loader failed.
pub fn failed() -> bool {
    FAILED.with(|f| f.borrow().is_some())
}

fn loader() -> Option<Function> {
    Reflect::get(&js_sys::global(), &LOADER.into())
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
}

async fn load(loader: &Function) -> Result<(), String> {
    let promise = loader
        .call0(&JsValue::UNDEFINED)
        .map_err(|e| describe(&e))?
        .dyn_into::<Promise>()
        .map_err(|_| format!("{LOADER}() did not return a promise"))?;
    JsFuture::from(promise).await.map_err(|e| describe(&e))?;
    Ok(())
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
