//! The ECharts binding and `<LineChart>` in a real browser with real ECharts.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use leptos::prelude::*;
use serde_json::json;
use vantage_contract::{Column, ColumnType, QueryResult};
use vantage_wasm_tests::{ensure_echarts, fresh_container, get, next_frame, wait_until};
use vantage_widgets::LineChart;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn minutes(values: &[i64]) -> QueryResult {
    let times = (0..values.len())
        .map(|i| json!(1_700_000_000_000_i64 + i as i64 * 60_000))
        .collect();
    let counts = values.iter().map(|v| json!(v)).collect();
    QueryResult::new(
        vec![
            Column::new("minute", ColumnType::Timestamp),
            Column::new("validations", ColumnType::Integer),
        ],
        vec![times, counts],
    )
    .expect("well-formed result")
}

fn chart_element(container: &HtmlElement) -> HtmlElement {
    container
        .query_selector(".vt-echart")
        .expect("selector")
        .expect("the chart element is rendered")
        .unchecked_into()
}

fn canvas(container: &HtmlElement) -> Option<HtmlCanvasElement> {
    container
        .query_selector("canvas")
        .ok()
        .flatten()
        .map(JsCast::unchecked_into)
}

#[wasm_bindgen_test]
async fn line_chart_draws_a_canvas_and_disposes_its_instance_on_unmount() {
    let echarts = ensure_echarts();
    let container = fresh_container(640, 320);
    let handle = leptos::mount::mount_to(container.clone(), || {
        view! { <LineChart result=Signal::stored(minutes(&[3, 5, 4, 9])) label="Validations per minute" /> }
    });

    wait_until("a canvas", Duration::from_secs(5), || {
        canvas(&container).is_some()
    })
    .await;
    let drawn = canvas(&container).expect("canvas");
    assert!(
        drawn.width() > 0 && drawn.height() > 0,
        "canvas is {}x{}",
        drawn.width(),
        drawn.height()
    );

    let element = chart_element(&container);
    let figure = element.parent_element().expect("figure");
    assert_eq!(figure.get_attribute("role").as_deref(), Some("figure"));
    assert_eq!(
        figure.get_attribute("aria-label").as_deref(),
        Some("Validations per minute")
    );
    let description = element.get_attribute("aria-label").unwrap_or_default();
    assert!(
        description.contains("validations"),
        "ECharts aria description: {description}"
    );
    let instance = echarts
        .instance_by_dom(&element)
        .expect("an ECharts instance lives on the element");
    let option = instance.get_option();
    assert_eq!(
        get(&option, "series.0.name").as_string().as_deref(),
        Some("validations")
    );
    assert_eq!(
        js_sys::Array::from(&get(&option, "series.0.data")).length(),
        4
    );

    drop(handle);
    assert!(
        echarts.instance_by_dom(&element).is_none(),
        "unmount disposes the ECharts instance"
    );
    assert!(
        canvas(&container).is_none(),
        "unmount removes the chart from the DOM"
    );
}

#[wasm_bindgen_test]
async fn line_chart_follows_new_data_and_container_size() {
    let echarts = ensure_echarts();
    let container = fresh_container(400, 240);
    let (data, set_data) = signal(minutes(&[1, 2]));
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <div style="width:100%;height:100%"><LineChart result=data /></div> }
    });
    wait_until("a canvas", Duration::from_secs(5), || {
        canvas(&container).is_some()
    })
    .await;
    let element = chart_element(&container);
    let series_len = || {
        let option = echarts
            .instance_by_dom(&element)
            .expect("instance")
            .get_option();
        js_sys::Array::from(&get(&option, "series.0.data")).length()
    };
    assert_eq!(series_len(), 2);

    set_data.set(minutes(&[1, 2, 3, 4, 5, 6]));
    wait_until("the new data", Duration::from_secs(5), || series_len() == 6).await;

    let before = canvas(&container).expect("canvas").client_width();
    container
        .style()
        .set_property("width", "700px")
        .expect("resize container");
    wait_until(
        "the chart to follow its container",
        Duration::from_secs(5),
        || canvas(&container).is_some_and(|c| c.client_width() != before),
    )
    .await;
    next_frame().await;
    assert_eq!(canvas(&container).expect("canvas").client_width(), 700);
}

#[wasm_bindgen_test]
async fn data_without_measures_shows_an_error_instead_of_a_blank_chart() {
    ensure_echarts();
    let container = fresh_container(300, 200);
    let bad = QueryResult::new(
        vec![Column::new("intent", ColumnType::String)],
        vec![vec![json!("billing")]],
    )
    .expect("well-formed");
    let _handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <LineChart result=Signal::stored(bad.clone()) /> }
    });
    next_frame().await;
    let error = container
        .query_selector("[role=alert]")
        .expect("selector")
        .expect("an error message");
    assert!(error
        .text_content()
        .unwrap_or_default()
        .contains("numeric measure"));
    assert!(canvas(&container).is_none());
}

/// ECharts' count of raw data items in series `index` (internal API: getModel).
fn raw_count(instance: &vantage_widgets::echarts::EChartsInstance, index: u32) -> f64 {
    let call = |target: &wasm_bindgen::JsValue, method: &str, args: &js_sys::Array| {
        let function: js_sys::Function = get(target, method).unchecked_into();
        function.apply(target, args).expect("call")
    };
    let instance: &wasm_bindgen::JsValue = instance;
    let model = call(instance, "getModel", &js_sys::Array::new());
    let series = call(
        &model,
        "getSeriesByIndex",
        &js_sys::Array::of1(&index.into()),
    );
    let data = call(&series, "getRawData", &js_sys::Array::new());
    call(&data, "count", &js_sys::Array::new())
        .as_f64()
        .expect("a count")
}

/// A gauge's number fits inside its ring on a short chart (it was drawn at 20 px and the ring
/// cut "1,125 ms" to ",125 m" on the demo's latency dashboard), and follows a resize.
#[wasm_bindgen_test]
async fn a_gauge_number_fits_its_ring_and_follows_a_resize() {
    use vantage_contract::WidgetKind;
    use vantage_widgets::{chart_option, EChartsHandle, Renderer};

    let container = fresh_container(300, 110);
    let mut handle =
        EChartsHandle::new(ensure_echarts(), container.clone(), None, Renderer::Canvas)
            .expect("a chart");
    let result = QueryResult::new(
        vec![Column::new("p95", ColumnType::Float)],
        vec![vec![json!(1125.0)]],
    )
    .expect("result");
    let option = chart_option(WidgetKind::Gauge, &result, &json!({"format": "ms"})).expect("gauge");
    handle.set_chart(&option).expect("drawn");
    let font = |handle: &EChartsHandle| {
        get(&handle.instance().get_option(), "series.0.detail.fontSize")
            .as_f64()
            .unwrap_or_default()
    };
    // The text at that size, measured by the browser, fits the ring's hole (radius 90% of
    // half the smaller side, less the 12 px band).
    let fits = |size: f64, side: f64| {
        let canvas: HtmlCanvasElement = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("canvas").ok())
            .expect("canvas")
            .unchecked_into();
        let context: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .expect("a 2d context")
            .unchecked_into();
        context.set_font(&format!("bold {size}px sans-serif"));
        let text = context.measure_text("1,125 ms").expect("measured").width();
        let hole = 2.0 * (0.45 * side - 12.0);
        assert!(
            text <= hole,
            "{text}px of text in a {hole}px hole at {size}px"
        );
    };
    let small = font(&handle);
    assert!(small < 20.0, "a short chart's number shrinks: {small}px");
    fits(small, 110.0);

    container
        .style()
        .set_property("height", "400px")
        .expect("height");
    container
        .style()
        .set_property("width", "600px")
        .expect("width");
    wait_until(
        "the number at full size again",
        Duration::from_secs(5),
        || font(&handle) == 20.0,
    )
    .await;
    container
        .style()
        .set_property("height", "90px")
        .expect("height");
    wait_until("the number shrunk again", Duration::from_secs(5), || {
        font(&handle) < small
    })
    .await;
    fits(font(&handle), 90.0);
}

#[wasm_bindgen_test]
async fn streaming_append_keeps_a_bounded_window_with_the_latest_values() {
    use vantage_widgets::{streaming_line_option, EChartsHandle, Renderer, SlidingWindow};

    let echarts = ensure_echarts();
    let container = fresh_container(640, 320);
    let mut handle = EChartsHandle::new(echarts.clone(), container.clone(), None, Renderer::Canvas)
        .expect("a chart");
    handle
        .set_chart(&streaming_line_option(&["large", "small"]))
        .expect("the streaming option");
    let option_before = handle.instance().get_option();
    let y_axes_before = js_sys::Array::from(&get(&option_before, "yAxis")).length();

    // Windows of 20,000 points: series 0 overflows it (typed-array path), series 1 holds 80
    // points (plain arrays).
    let mut window = SlidingWindow::new(2, 20_000).expect("window");
    let t0 = 1_700_000_000_000.0;
    let mut next = 0_u32;
    for _batch in 0..6 {
        let flat: Vec<f64> = (next..next + 5_000)
            .flat_map(|i| [t0 + f64::from(i) * 100.0, f64::from(i)])
            .collect();
        next += 5_000;
        handle.append(&mut window, 0, &flat).expect("append");
        next_frame().await;
    }
    let small: Vec<f64> = (0..80)
        .flat_map(|i| [t0 + f64::from(i) * 1000.0, -f64::from(i)])
        .collect();
    handle.append(&mut window, 1, &small).expect("append");
    next_frame().await;
    next_frame().await;

    assert_eq!(window.len(0), 20_000, "30,000 appended, 20,000 kept");
    let option = handle.instance().get_option();
    let large = get(&option, "series.0.data");
    let typed: js_sys::Float64Array = large
        .dyn_into()
        .expect("a window above the large-data threshold is one Float64Array");
    // 20,000 points on a 640 px chart: sent M4-decimated (at most 4 points per pixel column,
    // here 2: the line is straight), with the window's first and last point kept.
    let drawn = typed.length() / 2;
    assert!(drawn <= 4 * 642 + 6, "{drawn} of 20,000 points sent");
    assert_eq!(
        typed.get_index(0),
        t0 + 10_000.0 * 100.0,
        "the oldest kept point"
    );
    assert_eq!(typed.get_index(2 * drawn - 1), 29_999.0, "the latest value");
    assert_eq!(raw_count(handle.instance(), 0), f64::from(drawn));

    let pairs = js_sys::Array::from(&get(&option, "series.1.data"));
    assert_eq!(
        pairs.length(),
        80,
        "a window under 10k points is [x, y] pairs"
    );
    let last = js_sys::Array::from(&pairs.get(79));
    assert_eq!(last.get(1).as_f64(), Some(-79.0));
    assert_eq!(raw_count(handle.instance(), 1), 80.0);

    // Only the data moved: the rest of the option (names, axes) is what was set.
    assert_eq!(
        get(&option, "series.0.name").as_string().as_deref(),
        Some("large")
    );
    assert_ne!(
        get(&option, "series.0.sampling").as_string().as_deref(),
        Some("lttb"),
        "M4 decimation, not LTTB sampling"
    );
    assert_eq!(
        js_sys::Array::from(&get(&option, "yAxis")).length(),
        y_axes_before
    );
    assert!(canvas(&container).is_some());

    drop(handle);
    assert!(echarts.instance_by_dom(&container).is_none());
}
