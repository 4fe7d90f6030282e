//! Entry points for `cargo xtask bench` (www/bench/chart-ours.js): the same widgets code a
//! dashboard runs, driven from a bench page. Not part of the public embed API.
//!
//! - [`BenchData`]: a deterministic time series as a contract [`QueryResult`], built once and
//!   not timed (the peer page builds the same values as JS arrays). It goes through the
//!   columnar body's encoder and decoder, as a dashboard's data does, so it carries its numeric
//!   columns (see `vantage_widgets::charts::packed`).
//! - [`bench_mount_line`]: mounts a dashboard's line chart (`<ChartView>` → `<EChart>`) on an
//!   element.
//! - [`bench_handoff`]: times the Rust→ECharts data handoff (option build, conversion to JS,
//!   typed array) against a serde_json string + `JSON.parse` route for the same chart.
//! - [`BenchStream`]: a streaming line chart on an [`EChartsHandle`] with a [`SlidingWindow`]
//!   per series, appended to with `push_window`.

use std::any::Any;
use std::sync::Arc;

use js_sys::{Function, Object, Reflect};
use leptos::prelude::*;
use serde_json::json;
use vantage_contract::{columnar, Column, ColumnType, QueryResult, WidgetKind};
use vantage_widgets::charts::m4::{PixelColumns, Points};
use vantage_widgets::echarts::{streaming_line_option, SlidingWindow};
use vantage_widgets::{
    line_chart_option, line_chart_option_inline, ChartView, EChartsHandle, EChartsModule, Renderer,
    WidgetState,
};
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

fn js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// `performance.now()`, or 0 where there is none.
fn now() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).ok();
    performance
        .as_ref()
        .and_then(|p| {
            let now: Function = Reflect::get(p, &"now".into()).ok()?.dyn_into().ok()?;
            now.call0(p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// xorshift32, the generator the peer pages use, so both sides draw the same walk.
struct Walk {
    state: u32,
    y: f64,
}

impl Walk {
    fn new(seed: u32, start: f64) -> Self {
        Self {
            state: seed,
            y: start,
        }
    }

    fn next(&mut self) -> f64 {
        let mut s = self.state;
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        self.state = s;
        self.y += (f64::from(s) / 4_294_967_296.0 - 0.5) * 10.0;
        (self.y * 10.0 + 0.5).floor() / 10.0
    }
}

/// Start of the benchmark series: 2026-01-01T00:00:00Z.
const START_MS: f64 = 1_767_225_600_000.0;

/// A deterministic `[timestamp, value]` series held as a contract query result.
#[wasm_bindgen]
pub struct BenchData {
    result: Arc<QueryResult>,
}

#[wasm_bindgen]
impl BenchData {
    /// `points` one-second points of a random walk (the peer page's `series(points)`).
    ///
    /// # Errors
    /// When the result cannot be built.
    #[wasm_bindgen(constructor)]
    pub fn new(points: u32) -> Result<BenchData, JsError> {
        let mut walk = Walk::new(2_463_534_242, 500.0);
        let times = (0..points)
            .map(|i| json!(START_MS + f64::from(i) * 1000.0))
            .collect();
        let values = (0..points).map(|_| json!(walk.next())).collect();
        let result = QueryResult::new(
            vec![
                Column::new("time", ColumnType::Timestamp),
                Column::new("value", ColumnType::Float),
            ],
            vec![times, values],
        )
        .map_err(js_error)?;
        // As a dashboard receives it: the columnar body, decoded with its numeric columns.
        let decoded =
            columnar::decode_result(&columnar::encode_result(&result)).map_err(js_error)?;
        let WidgetState::Ready { data, .. } = WidgetState::ready_decoded(decoded) else {
            return Err(js_error("the decoded result is not ready"));
        };
        Ok(Self { result: data })
    }

    /// Number of rows.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.result.row_count()
    }
}

/// A mounted bench view; `destroy()` unmounts it (disposing its charts).
#[wasm_bindgen]
pub struct BenchMount {
    mounted: Option<Box<dyn Any>>,
}

#[wasm_bindgen]
impl BenchMount {
    /// Unmounts the view.
    pub fn destroy(&mut self) {
        self.mounted.take();
    }
}

/// Mounts a line chart for `data` into `element` — `<ChartView>`, what a dashboard's line widget
/// uses, through `<EChart>` (option build, typed-array handoff, `setOption`). ECharts is
/// `globalThis.echarts`. Takes `data` (JS passes a fresh `BenchData` per run); nothing is copied
/// while timed.
#[wasm_bindgen(js_name = benchMountLine)]
pub fn bench_mount_line(element: HtmlElement, data: BenchData) -> BenchMount {
    let result = data.result;
    let mounted = leptos::mount::mount_to(element, move || {
        // `.vt-chart` fills the element (the bench stage is 1200×600).
        view! { <ChartView kind=WidgetKind::Line result=Signal::stored(result) label="bench" /> }
    });
    BenchMount {
        mounted: Some(Box::new(mounted)),
    }
}

/// Times the handoff of `data` to ECharts, in milliseconds:
/// `{ oursMs, buildMs, fullMs, copyMs, jsonMs, jsonBytes, option }` where `oursMs` is what `<LineChart>`
/// does in wasm around ECharts' layout: build the option from the result, convert it to a JS
/// object, work out the series' shape and its M4 pick for a 1,168-pixel plot (the bench stage's)
/// and attach those points as one `Float64Array` (`buildMs` its first two steps); `fullMs` the same option with every point
/// attached as one `Float64Array` (the handoff before decimation), `copyMs` that copy alone,
/// `jsonMs` the same chart with its points inline as `[x, y]` pairs
/// ([`line_chart_option_inline`]), serialised by serde_json and parsed by `JSON.parse`, and
/// `option` the full option (for timing ECharts' own `setOption` on every point).
///
/// # Errors
/// When the option cannot be built.
#[wasm_bindgen(js_name = benchHandoff)]
pub fn bench_handoff(data: &BenchData) -> Result<JsValue, JsError> {
    let result = &*data.result;
    let column = |i| vantage_widgets::charts::packed::f64_column(result, i);

    let t0 = now();
    let chart = line_chart_option(result).map_err(js_error)?;
    let picked = vantage_widgets::to_js(&chart).map_err(js_error)?;
    let build_ms = now() - t0;
    let (start, end) = Points::columns(&column(0), &column(1))
        .x_extent()
        .unwrap_or((0.0, 0.0));
    let plot = PixelColumns {
        start,
        end,
        left: 16.0,
        right: 16.0 + 1_168.0,
    };
    vantage_widgets::charts::js::finish_option_picked(&picked, &plot);
    let ours_ms = now() - t0;

    let t3 = now();
    let chart = line_chart_option(result).map_err(js_error)?;
    let option = vantage_widgets::to_js(&chart).map_err(js_error)?;
    vantage_widgets::charts::js::finish_option(&option);
    let full_ms = now() - t3;

    let t1 = now();
    let inline = line_chart_option_inline(result).map_err(js_error)?;
    let text = serde_json::to_string(&inline).map_err(js_error)?;
    let parsed = js_sys::JSON::parse(&text).map_err(|e| js_error(format!("{e:?}")))?;
    vantage_widgets::charts::js::finish_option(&parsed);
    let json_ms = now() - t1;

    // The part of the full handoff that is the wasm→JS copy itself: the 2 × n values into one
    // Float64Array.
    let flat = vantage_widgets::charts::large::interleave_f64(&column(0), &column(1));
    let t2 = now();
    let typed = js_sys::Float64Array::from(flat.as_slice());
    let copy_ms = now() - t2;
    drop(typed);

    let out = Object::new();
    for (key, value) in [
        ("oursMs", JsValue::from(ours_ms)),
        ("buildMs", JsValue::from(build_ms)),
        ("fullMs", JsValue::from(full_ms)),
        ("copyMs", JsValue::from(copy_ms)),
        ("jsonMs", JsValue::from(json_ms)),
        ("jsonBytes", JsValue::from(text.len() as f64)),
        ("option", option),
    ] {
        Reflect::set(&out, &key.into(), &value).map_err(|e| js_error(format!("{e:?}")))?;
    }
    Ok(out.into())
}

/// A streaming line chart: `series` series, each a sliding window of `window` points, drawn by
/// an [`EChartsHandle`] on the element.
#[wasm_bindgen]
pub struct BenchStream {
    handle: Option<EChartsHandle>,
    window: SlidingWindow,
    walks: Vec<Walk>,
    next_x: f64,
    buffer: Vec<f64>,
}

#[wasm_bindgen]
impl BenchStream {
    /// Creates the chart and fills every window (`window` points per series, 1 ms apart).
    ///
    /// # Errors
    /// When ECharts is missing or a size is zero.
    #[wasm_bindgen(constructor)]
    pub fn new(element: HtmlElement, series: usize, window: usize) -> Result<BenchStream, JsError> {
        let module = EChartsModule::global().map_err(js_error)?;
        let mut handle =
            EChartsHandle::new(module, element, None, Renderer::Canvas).map_err(js_error)?;
        let names: Vec<String> = (0..series).map(|i| format!("series {}", i + 1)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        handle
            .set_chart(&streaming_line_option(&names))
            .map_err(js_error)?;
        let mut stream = Self {
            handle: Some(handle),
            window: SlidingWindow::new(series, window).map_err(js_error)?,
            walks: (0..series)
                .map(|i| Walk::new(2_463_534_242_u32.wrapping_add(7919 * i as u32), 500.0))
                .collect(),
            next_x: START_MS,
            buffer: Vec::new(),
        };
        stream.append(window as u32)?;
        Ok(stream)
    }

    /// Appends `per_series` new points to every series and pushes the windows to the chart
    /// (drawn on the next frame).
    ///
    /// # Errors
    /// When ECharts rejects the update.
    pub fn append(&mut self, per_series: u32) -> Result<(), JsError> {
        let Some(handle) = self.handle.as_mut() else {
            return Err(JsError::new("the stream was destroyed"));
        };
        let start = self.next_x;
        for (index, walk) in self.walks.iter_mut().enumerate() {
            self.buffer.clear();
            for i in 0..per_series {
                self.buffer.push(start + f64::from(i));
                self.buffer.push(walk.next());
            }
            self.window
                .push_flat(index, &self.buffer)
                .map_err(js_error)?;
        }
        self.next_x += f64::from(per_series);
        handle.push_window(&self.window).map_err(js_error)
    }

    /// Points held by series 0.
    #[wasm_bindgen(getter)]
    pub fn held(&self) -> usize {
        self.window.len(0)
    }

    /// Disposes the chart.
    pub fn destroy(&mut self) {
        self.handle.take();
    }
}
