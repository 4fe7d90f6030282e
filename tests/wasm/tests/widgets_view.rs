//! `WidgetView`, every chart kind, KPI, table, grid and filters in a real browser with real
//! ECharts: states, updates, XSS safety, 100k-row tables, container-driven stacking, filters.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use serde_json::{json, Value};
use vantage_contract::{
    Column, ColumnType, Filter, FilterOp, Position, QueryResult, TimePreset, TimeRange, Widget,
    WidgetKind,
};
use vantage_wasm_tests::{document, ensure_echarts, fresh_container, get, next_frame, wait_until};
use vantage_widgets::echarts::EChartsInstance;
use vantage_widgets::{
    GridCell, GridLayout, MultiSelect, TextFilter, Theme, TimeRangePicker, WidgetState, WidgetView,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const XSS: &str = "<img src=x onerror=\"window.__vtXss=1\">";
const WAIT: Duration = Duration::from_secs(5);

fn widget(kind: WidgetKind, title: &str, options: Value) -> Widget {
    Widget {
        id: format!("{kind:?}").to_lowercase(),
        kind,
        title: title.into(),
        position: Position {
            x: 0,
            y: 0,
            w: 6,
            h: 4,
        },
        query: None,
        options,
    }
}

fn result(columns: &[(&str, ColumnType)], data: Vec<Vec<Value>>) -> QueryResult {
    QueryResult::new(
        columns
            .iter()
            .map(|(name, ty)| Column::new(*name, *ty))
            .collect(),
        data,
    )
    .expect("well-formed result")
}

/// Sample data fitting `kind`, with `n` rows (varying with `n` so updates are visible).
fn sample(kind: WidgetKind, n: usize) -> QueryResult {
    let ints = |f: fn(usize) -> i64| (0..n).map(|i| json!(f(i))).collect::<Vec<_>>();
    match kind {
        WidgetKind::Line | WidgetKind::Area => result(
            &[
                ("minute", ColumnType::Timestamp),
                ("valid", ColumnType::Integer),
                ("invalid", ColumnType::Integer),
            ],
            vec![
                ints(|i| 1_700_000_000_000 + i as i64 * 60_000),
                ints(|i| 10 + (i as i64 * 7) % 13),
                ints(|i| (i as i64 * 3) % 5),
            ],
        ),
        WidgetKind::Bar | WidgetKind::Pie => result(
            &[
                ("intent", ColumnType::String),
                ("count", ColumnType::Integer),
            ],
            vec![
                (0..n).map(|i| json!(format!("intent {i}"))).collect(),
                ints(|i| 5 + i as i64),
            ],
        ),
        WidgetKind::Scatter => result(
            &[
                ("latency", ColumnType::Float),
                ("errors", ColumnType::Integer),
            ],
            vec![ints(|i| 50 + i as i64 * 10), ints(|i| i as i64 % 4)],
        ),
        WidgetKind::Heatmap => result(
            &[
                ("hour", ColumnType::Integer),
                ("weekday", ColumnType::String),
                ("count", ColumnType::Integer),
            ],
            vec![
                ints(|i| i as i64 % 24),
                (0..n)
                    .map(|i| json!(["Mon", "Tue", "Wed"][i % 3]))
                    .collect(),
                ints(|i| i as i64 * 2),
            ],
        ),
        _ => result(
            &[("success_rate", ColumnType::Float)],
            vec![vec![json!(n as f64 / 100.0)]],
        ),
    }
}

fn query(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("valid selector")
}

fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(JsCast::unchecked_into)
        .collect()
}

fn text(root: &Element, selector: &str) -> String {
    query(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn click(root: &Element, selector: &str) {
    query(root, selector)
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn button_with_text(root: &Element, label: &str) -> HtmlElement {
    query_all(root, "button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no button '{label}'"))
        .unchecked_into()
}

/// Dispatches a bubbling DOM event built by the named constructor (e.g. `KeyboardEvent`).
fn fire(target: &Element, constructor: &str, kind: &str, init: &[(&str, JsValue)]) {
    let options = Object::new();
    Reflect::set(&options, &"bubbles".into(), &JsValue::TRUE).expect("init");
    for (key, value) in init {
        Reflect::set(&options, &(*key).into(), value).expect("init");
    }
    let ctor: Function = Reflect::get(&js_sys::global(), &constructor.into())
        .expect("constructor")
        .unchecked_into();
    let args = Array::of2(&kind.into(), &options);
    let event: web_sys::Event = Reflect::construct(&ctor, &args)
        .expect("event")
        .unchecked_into();
    target.dispatch_event(&event).expect("dispatch");
}

fn instance(container: &Element) -> Option<EChartsInstance> {
    let element: HtmlElement = query(container, ".vt-echart")?.unchecked_into();
    ensure_echarts().instance_by_dom(&element)
}

async fn wait_for_chart(container: &Element) -> EChartsInstance {
    wait_until("a chart canvas", WAIT, || {
        query(container, "canvas").is_some() && instance(container).is_some()
    })
    .await;
    instance(container).expect("instance")
}

fn series_len(instance: &EChartsInstance) -> u32 {
    Array::from(&get(&instance.get_option(), "series.0.data")).length()
}

fn call(target: &JsValue, method: &str, arg: &JsValue) {
    let function: Function = Reflect::get(target, &method.into())
        .expect("method")
        .unchecked_into();
    function.call1(target, arg).expect("call");
}

#[wasm_bindgen_test]
async fn widget_view_renders_loading_empty_error_retry_and_stale() {
    ensure_echarts();
    let container = fresh_container(480, 300);
    let (state, set_state) = signal(WidgetState::Loading);
    let retries = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&retries);
    let on_retry = Callback::new(move |()| *counter.lock().expect("lock") += 1);
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! { <WidgetView widget=widget(WidgetKind::Line, "Validations", json!({})) state=state on_retry=on_retry /> }
    });
    next_frame().await;
    assert!(
        query(&container, ".vt-card .vt-skeleton").is_some(),
        "loading shows a skeleton"
    );
    assert_eq!(text(&container, ".vt-card-title"), "Validations");
    let card = query(&container, ".vt-card").expect("card");
    assert_eq!(card.get_attribute("aria-busy").as_deref(), Some("true"));
    let body_height = query(&container, ".vt-card-body")
        .expect("body")
        .client_height();
    assert!(
        body_height > 150,
        "the skeleton fills the card ({body_height}px)"
    );

    set_state.set(WidgetState::ready(sample(WidgetKind::Line, 0)));
    next_frame().await;
    assert_eq!(text(&container, ".vt-empty"), "No data for this period");

    set_state.set(WidgetState::Error {
        message: "query timed out".into(),
    });
    next_frame().await;
    assert!(text(&container, "[role=alert]").contains("query timed out"));
    button_with_text(&container, "Retry").click();
    assert_eq!(*retries.lock().expect("lock"), 1, "Retry calls on_retry");

    set_state.set(WidgetState::ready(sample(WidgetKind::Line, 5)).with_stale(true));
    let chart = wait_for_chart(&container).await;
    assert_eq!(series_len(&chart), 5);
    assert_eq!(text(&container, ".vt-badge-stale"), "stale");
    set_state.update(|s| *s = s.with_stale(false));
    next_frame().await;
    assert!(
        query(&container, ".vt-badge-stale").is_none(),
        "fresh data drops the badge"
    );
    assert!(query(&container, "canvas").is_some(), "the chart stays");
}

#[wasm_bindgen_test]
async fn every_chart_kind_renders_from_a_result_and_follows_new_data() {
    ensure_echarts();
    let kinds = [
        (WidgetKind::Line, "line"),
        (WidgetKind::Area, "line"),
        (WidgetKind::Bar, "bar"),
        (WidgetKind::Pie, "pie"),
        (WidgetKind::Scatter, "scatter"),
        (WidgetKind::Heatmap, "heatmap"),
        (WidgetKind::Gauge, "gauge"),
    ];
    for (kind, series_type) in kinds {
        let container = fresh_container(420, 280);
        let (state, set_state) = signal(WidgetState::ready(sample(kind, 4)));
        let mount = leptos::mount::mount_to(container.clone(), move || {
            view! { <WidgetView widget=widget(kind, "Chart", json!({})) state=state /> }
        });
        let chart = wait_for_chart(&container).await;
        let option = chart.get_option();
        assert_eq!(
            get(&option, "series.0.type").as_string().as_deref(),
            Some(series_type),
            "{kind:?}"
        );
        assert_eq!(
            get(&option, "aria.enabled").as_bool(),
            Some(true),
            "{kind:?} aria"
        );
        assert_eq!(
            get(&option, "tooltip.0.renderMode").as_string().as_deref(),
            Some("richText"),
            "{kind:?} tooltip never renders HTML"
        );
        if kind == WidgetKind::Gauge {
            set_state.set(WidgetState::ready(sample(kind, 77)));
            wait_until("the new gauge value", WAIT, || {
                get(&chart.get_option(), "series.0.data.0.value").as_f64() == Some(0.77)
            })
            .await;
        } else {
            assert_eq!(series_len(&chart), 4, "{kind:?}");
            set_state.set(WidgetState::ready(sample(kind, 9)));
            wait_until(&format!("{kind:?} to show new data"), WAIT, || {
                series_len(&chart) == 9
            })
            .await;
        }
        drop(mount);
        container.remove();
    }
}

#[wasm_bindgen_test]
async fn bad_data_shows_an_error_in_that_widget_only() {
    ensure_echarts();
    let container = fresh_container(800, 300);
    let text_only = result(&[("intent", ColumnType::String)], vec![vec![json!("a")]]);
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <GridLayout row_height=60>
                <GridCell position=Position { x: 0, y: 0, w: 6, h: 4 }>
                    <WidgetView widget=widget(WidgetKind::Pie, "Broken", json!({})) state=WidgetState::ready(text_only.clone()) />
                </GridCell>
                <GridCell position=Position { x: 6, y: 0, w: 6, h: 4 }>
                    <WidgetView widget=widget(WidgetKind::Bar, "Fine", json!({})) state=WidgetState::ready(sample(WidgetKind::Bar, 3)) />
                </GridCell>
            </GridLayout>
        }
    });
    wait_for_chart(&container).await;
    let cards = query_all(&container, ".vt-card");
    assert!(text(&cards[0], "[role=alert]").contains("numeric measure"));
    assert!(
        query(&cards[1], "canvas").is_some(),
        "the other widget still renders"
    );
}

#[wasm_bindgen_test]
async fn xss_payloads_stay_text_in_labels_tooltips_cells_and_titles() {
    ensure_echarts();
    let container = fresh_container(600, 600);
    let data = result(
        &[
            ("intent", ColumnType::String),
            ("count", ColumnType::Integer),
        ],
        vec![vec![json!(XSS), json!("ok")], vec![json!(3), json!(4)]],
    );
    let table_data = data.clone();
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <div class="charts">
                <WidgetView widget=widget(WidgetKind::Bar, XSS, json!({})) state=WidgetState::ready(data.clone()) />
            </div>
            <WidgetView widget=widget(WidgetKind::Table, "Table", json!({})) state=WidgetState::ready(table_data.clone()) />
        }
    });
    let chart = wait_for_chart(&container).await;
    let show_tip = Object::new();
    Reflect::set(&show_tip, &"type".into(), &"showTip".into()).expect("set");
    Reflect::set(&show_tip, &"seriesIndex".into(), &0.into()).expect("set");
    Reflect::set(&show_tip, &"dataIndex".into(), &0.into()).expect("set");
    call(&chart, "dispatchAction", &show_tip);
    for _ in 0..5 {
        next_frame().await;
    }
    assert_eq!(
        get(&chart.get_option(), "xAxis.0.data.0")
            .as_string()
            .as_deref(),
        Some(XSS),
        "the label is the literal text"
    );
    assert!(
        query_all(&document().document_element().expect("root"), "img").is_empty(),
        "no <img> was created anywhere"
    );
    assert!(
        Reflect::get(&js_sys::global(), &"__vtXss".into())
            .expect("get")
            .is_undefined(),
        "nothing executed"
    );
    assert_eq!(text(&container, ".vt-card-title"), XSS, "titles are text");
    assert_eq!(
        text(&container, ".vt-table tbody td"),
        XSS,
        "cells are text"
    );
}

#[wasm_bindgen_test]
async fn table_sorts_and_pages_100k_rows() {
    let container = fresh_container(700, 500);
    let n = 100_000;
    let data = result(
        &[("id", ColumnType::Integer), ("name", ColumnType::String)],
        vec![
            (0..n).map(|i| json!(i)).collect(),
            (0..n)
                .map(|i| json!(format!("row {:05}", (i * 7919) % n)))
                .collect(),
        ],
    );
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! { <WidgetView widget=widget(WidgetKind::Table, "Rows", json!({})) state=WidgetState::ready(data.clone()) /> }
    });
    next_frame().await;
    assert_eq!(
        query_all(&container, "tbody tr").len(),
        50,
        "only one page is rendered"
    );
    assert_eq!(text(&container, ".vt-table-status"), "1–50 of 100,000");
    assert_eq!(text(&container, "tbody td"), "0");
    assert!(query(&container, "thead th")
        .is_some_and(|th| th.get_attribute("aria-sort").as_deref() == Some("none")));

    click(&container, "thead th:first-child button");
    click(&container, "thead th:first-child button");
    next_frame().await;
    assert_eq!(
        query(&container, "thead th")
            .and_then(|th| th.get_attribute("aria-sort"))
            .as_deref(),
        Some("descending")
    );
    assert_eq!(text(&container, "tbody td"), "99,999", "sorted descending");

    click(&container, "thead th:nth-child(2) button");
    next_frame().await;
    assert_eq!(text(&container, "tbody td:nth-child(2)"), "row 00000");

    click(&container, "button[aria-label='Next page']");
    next_frame().await;

    assert_eq!(text(&container, ".vt-table-status"), "51–100 of 100,000");
    assert_eq!(text(&container, "tbody td:nth-child(2)"), "row 00050");

    let scroller = query(&container, ".vt-table-scroll").expect("scroll region");
    fire(
        &scroller,
        "KeyboardEvent",
        "keydown",
        &[("key", "End".into())],
    );
    next_frame().await;
    assert_eq!(
        text(&container, ".vt-table-status"),
        "99,951–100,000 of 100,000"
    );
    fire(
        &scroller,
        "KeyboardEvent",
        "keydown",
        &[("key", "ArrowDown".into())],
    );
    next_frame().await;
    let active = query_all(&container, "tbody tr")
        .iter()
        .position(|tr| tr.get_attribute("aria-selected").as_deref() == Some("true"));
    assert_eq!(active, Some(1), "ArrowDown moves the active row");
}

#[wasm_bindgen_test]
async fn grid_places_cells_and_stacks_when_its_container_is_narrow() {
    let container = fresh_container(1200, 600);
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <GridLayout row_height=50>
                <GridCell position=Position { x: 0, y: 0, w: 6, h: 2 }><div class="a">"A"</div></GridCell>
                <GridCell position=Position { x: 6, y: 0, w: 6, h: 3 }><div class="b">"B"</div></GridCell>
            </GridLayout>
        }
    });
    next_frame().await;
    let cells = query_all(&container, ".vt-grid-cell");
    let rect = |i: usize| cells[i].get_bounding_client_rect();
    assert!((rect(0).top() - rect(1).top()).abs() < 1.0, "side by side");
    assert!(rect(1).left() > rect(0).right(), "B right of A");
    assert!(
        (rect(0).height() - 112.0).abs() < 1.0,
        "2 rows of 50px + 12px gap: {}",
        rect(0).height()
    );
    assert_eq!(
        cells[0]
            .unchecked_ref::<HtmlElement>()
            .style()
            .get_property_value("grid-column")
            .ok()
            .as_deref(),
        Some("1 / span 6"),
        "placed through the CSSOM"
    );

    container
        .style()
        .set_property("width", "400px")
        .expect("narrow");
    wait_until("cells to stack", WAIT, || rect(1).top() >= rect(0).bottom()).await;
    assert!((rect(0).left() - rect(1).left()).abs() < 1.0);
    assert!(
        (rect(1).height() - 174.0).abs() < 1.0,
        "stacked cells keep their height: {}",
        rect(1).height()
    );
}

#[wasm_bindgen_test]
async fn filter_controls_emit_contract_filters() {
    let container = fresh_container(800, 400);
    let ranges = Arc::new(Mutex::new(Vec::<TimeRange>::new()));
    let filters = Arc::new(Mutex::new(Vec::<Option<Filter>>::new()));
    let (r, f1, f2) = (
        Arc::clone(&ranges),
        Arc::clone(&filters),
        Arc::clone(&filters),
    );
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        let r = Arc::clone(&r);
        let (f1, f2) = (Arc::clone(&f1), Arc::clone(&f2));
        view! {
            <div class="vt-filters">
                <TimeRangePicker on_change=Callback::new(move |t| r.lock().expect("lock").push(t)) />
                <MultiSelect field="status" label="Status"
                    options=vec!["valid".to_string(), "invalid".to_string(), "timeout".to_string()]
                    on_change=Callback::new(move |f| f1.lock().expect("lock").push(f)) />
                <TextFilter field="intent" label="Intent"
                    on_change=Callback::new(move |f| f2.lock().expect("lock").push(f)) />
            </div>
        }
    });
    next_frame().await;
    button_with_text(&container, "1h").click();
    button_with_text(&container, "30d").click();
    assert_eq!(
        *ranges.lock().expect("lock"),
        vec![
            TimeRange::preset(TimePreset::Last1h),
            TimeRange::preset(TimePreset::Last30d)
        ]
    );

    button_with_text(&container, "Custom").click();
    next_frame().await;
    let set_input = |name: &str, value: &str| {
        let input: HtmlInputElement = query(&container, &format!("input[name={name}]"))
            .expect("input")
            .unchecked_into();
        input.set_value(value);
        fire(&input, "Event", "input", &[]);
    };
    set_input("from", "2024-03-01T10:00");
    set_input("to", "2024-03-01T12:00");
    button_with_text(&container, "Apply").click();
    let custom = *ranges.lock().expect("lock").last().expect("a custom range");
    assert_eq!(custom.preset, None);
    assert_eq!(
        custom.to.zip(custom.from).map(|(t, f)| t - f),
        Some(2 * 3_600_000)
    );

    let search: HtmlInputElement = query(&container, ".vt-multiselect input[type=search]")
        .expect("search")
        .unchecked_into();
    search.set_value("TIME");
    fire(&search, "Event", "input", &[]);
    next_frame().await;
    assert_eq!(
        query_all(&container, ".vt-options li").len(),
        1,
        "search narrows the options"
    );
    click(&container, ".vt-options input[type=checkbox]");
    search.set_value("");
    fire(&search, "Event", "input", &[]);
    next_frame().await;
    query_all(&container, ".vt-options input[type=checkbox]")[0]
        .unchecked_ref::<HtmlElement>()
        .click();
    let last = filters
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .flatten()
        .expect("a filter");
    assert_eq!(last.op, FilterOp::In);
    assert_eq!(last.values, Some(vec![json!("timeout"), json!("valid")]));

    let text_input: HtmlInputElement = query(&container, ".vt-text-filter input")
        .expect("text input")
        .unchecked_into();
    text_input.set_value(" bill ");
    fire(&text_input, "Event", "change", &[]);
    let last = filters
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .flatten()
        .expect("a filter");
    assert_eq!(
        last,
        Filter {
            field: "intent".into(),
            op: FilterOp::Contains,
            value: Some(json!("bill")),
            values: None
        }
    );
}

#[wasm_bindgen_test]
async fn theme_switch_changes_rendered_colours_and_keeps_data() {
    let echarts = ensure_echarts();
    let (light, dark) = (Theme::light(), Theme::dark());
    for theme in [&light, &dark] {
        echarts
            .register_theme(
                &theme.echarts_name(),
                &vantage_widgets::to_js(&theme.echarts_theme()).expect("js"),
            )
            .expect("register");
    }
    let container = fresh_container(420, 280);
    let (theme, set_theme) = signal(light.echarts_name());
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! { <WidgetView widget=widget(WidgetKind::Bar, "Themed", json!({})) state=WidgetState::ready(sample(WidgetKind::Bar, 3)) theme=theme /> }
    });
    let chart = wait_for_chart(&container).await;
    let colour = |c: &EChartsInstance| get(&c.get_option(), "color.0").as_string();
    assert_eq!(colour(&chart), Some(light.palette()[0].hex()));
    set_theme.set(dark.echarts_name());
    wait_until("the dark palette", WAIT, || {
        instance(&container).and_then(|c| colour(&c)) == Some(dark.palette()[0].hex())
    })
    .await;
    assert_eq!(
        series_len(&instance(&container).expect("instance")),
        3,
        "data kept"
    );
}

fn call0(target: &JsValue, method: &str) -> JsValue {
    let function: Function = Reflect::get(target, &method.into())
        .expect("method")
        .unchecked_into();
    function.call0(target).expect("call")
}

#[wasm_bindgen_test]
async fn long_series_reach_echarts_decimated_as_typed_arrays() {
    ensure_echarts();
    let container = fresh_container(640, 320);
    let n = 200_000;
    let data = result(
        &[("t", ColumnType::Timestamp), ("v", ColumnType::Float)],
        vec![
            (0..n)
                .map(|i| json!(1_700_000_000_000_i64 + i * 1000))
                .collect(),
            (0..n).map(|i| json!((i as f64 / 500.0).sin())).collect(),
        ],
    );
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! { <WidgetView widget=widget(WidgetKind::Line, "Large", json!({})) state=WidgetState::ready(data.clone()) /> }
    });
    let chart = wait_for_chart(&container).await;
    let raw = get(&chart.get_option(), "series.0.data");
    assert!(
        raw.is_instance_of::<js_sys::Float64Array>(),
        "one typed array, not n small arrays"
    );
    // ECharts holds the M4 pick of the n points: at most 4 per pixel column of the 640 px
    // chart (the sine keeps 2 to 4); getModel is ECharts' internal API.
    let series = {
        let model = call0(&chart, "getModel");
        let get_series: Function = Reflect::get(&model, &"getSeriesByIndex".into())
            .expect("method")
            .unchecked_into();
        get_series.call1(&model, &0.into()).expect("series")
    };
    let count = call0(&call0(&series, "getRawData"), "count")
        .as_f64()
        .expect("a count");
    assert!(
        count > 600.0 && count <= 4.0 * 642.0 + 6.0,
        "{count} points drawn"
    );
}

#[wasm_bindgen_test]
async fn axes_and_tooltips_format_times_in_the_viewer_locale_and_numbers_from_options() {
    ensure_echarts();
    let container = fresh_container(480, 280);
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <WidgetView widget=widget(WidgetKind::Line, "Latency", json!({"format": "ms"}))
                state=WidgetState::ready(sample(WidgetKind::Line, 6)) />
        }
    });
    let chart = wait_for_chart(&container).await;
    let option = chart.get_option();
    let format_with = |path: &str, value: f64| -> String {
        let function: Function = get(&option, path).dyn_into().expect("a formatter function");
        function
            .call1(&JsValue::NULL, &value.into())
            .expect("formatter runs")
            .as_string()
            .expect("text")
    };
    assert_eq!(
        format_with("yAxis.0.axisLabel.formatter", 1234.0),
        "1,234 ms"
    );
    assert_eq!(format_with("tooltip.0.valueFormatter", 15_000.0), "15.0 s");

    let at = 1_700_000_000_000.0;
    let intl_options = Object::new();
    Reflect::set(&intl_options, &"hour".into(), &"2-digit".into()).expect("set");
    Reflect::set(&intl_options, &"minute".into(), &"2-digit".into()).expect("set");
    let expected = js_sys::Intl::DateTimeFormat::new(&Array::new(), &intl_options)
        .format()
        .call1(&JsValue::NULL, &js_sys::Date::new(&at.into()))
        .expect("format")
        .as_string();
    assert_eq!(
        Some(format_with("xAxis.0.axisLabel.formatter", at)),
        expected
    );
}

#[wasm_bindgen_test]
async fn large_scatters_use_typed_arrays_and_large_mode() {
    ensure_echarts();
    let container = fresh_container(480, 320);
    let n = 50_000;
    let data = result(
        &[("x", ColumnType::Float), ("y", ColumnType::Float)],
        vec![
            (0..n).map(|i| json!(i as f64 / 10.0)).collect(),
            (0..n).map(|i| json!(((i * 7919) % 1000) as f64)).collect(),
        ],
    );
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! { <WidgetView widget=widget(WidgetKind::Scatter, "Points", json!({})) state=WidgetState::ready(data.clone()) /> }
    });
    let chart = wait_for_chart(&container).await;
    let option = chart.get_option();
    assert!(get(&option, "series.0.data").is_instance_of::<js_sys::Float64Array>());
    assert_eq!(get(&option, "series.0.large").as_bool(), Some(true));
    assert_eq!(
        get(&option, "series.0.largeThreshold").as_f64(),
        Some(5_000.0)
    );
    let model = call0(&chart, "getModel");
    let get_series: Function = Reflect::get(&model, &"getSeriesByIndex".into())
        .expect("method")
        .unchecked_into();
    let series = get_series.call1(&model, &0.into()).expect("series");
    let count = call0(&call0(&series, "getRawData"), "count");
    assert_eq!(count.as_f64(), Some(n as f64));
}
