//! KPI cards, alert lists and banners, and chart disposal through `WidgetView` in a browser.
#![cfg(target_arch = "wasm32")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::prelude::*;
use serde_json::json;
use vantage_contract::{
    Alert, AlertStatus, Column, ColumnType, Position, QueryResult, Severity, Widget, WidgetKind,
};
use vantage_wasm_tests::{ensure_echarts, fresh_container, next_frame, wait_until};
use vantage_widgets::{AlertAction, AlertBanner, WidgetState, WidgetView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn widget(kind: WidgetKind, options: serde_json::Value) -> Widget {
    Widget {
        id: "w".into(),
        kind,
        title: "Widget".into(),
        position: Position {
            x: 0,
            y: 0,
            w: 4,
            h: 3,
        },
        query: None,
        options,
    }
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .expect("selector")
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn alert(id: &str, severity: Severity, status: AlertStatus) -> Alert {
    Alert {
        id: id.into(),
        rule: "latency_p95".into(),
        severity,
        status,
        title: format!("alert {id}"),
        message: "<b>not bold</b>".into(),
        dataset: "validations".into(),
        value: 900.0,
        threshold: 800.0,
        created_at: 1_700_000_000_000,
        acknowledged_at: None,
        acknowledged_by: None,
        acknowledged_by_name: None,
        resolved_at: None,
    }
}

#[wasm_bindgen_test]
async fn kpi_shows_value_change_and_direction_semantics() {
    let container = fresh_container(320, 200);
    let latency = QueryResult::new(
        vec![
            Column::new("p95", ColumnType::Float),
            Column::new("p95_previous", ColumnType::Float),
        ],
        vec![vec![json!(1234.0)], vec![json!(1000.0)]],
    )
    .expect("result");
    let (options, set_options) = signal(json!({"format": "ms", "goodDirection": "down"}));
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        let latency = latency.clone();
        move || {
            let latency = latency.clone();
            view! { <WidgetView widget=widget(WidgetKind::Kpi, options.get()) state=WidgetState::ready(latency) /> }
        }
    });
    next_frame().await;
    assert_eq!(text(&container, ".vt-kpi-value"), "1,234 ms");
    assert_eq!(text(&container, ".vt-kpi-delta"), "▲ 23.4%");
    let delta = container
        .query_selector(".vt-kpi-delta")
        .expect("q")
        .expect("delta");
    assert!(
        delta.class_list().contains("vt-bad"),
        "a latency rise is bad"
    );
    set_options.set(json!({"format": "ms"}));
    next_frame().await;
    let delta = container
        .query_selector(".vt-kpi-delta")
        .expect("q")
        .expect("delta");
    assert!(
        delta.class_list().contains("vt-good"),
        "by default a rise is good"
    );
}

#[wasm_bindgen_test]
async fn alert_list_delegates_actions_and_shows_text() {
    let container = fresh_container(480, 400);
    let actions = Arc::new(Mutex::new(Vec::<(String, AlertAction)>::new()));
    let sink = Arc::clone(&actions);
    let alerts = vec![
        alert("a", Severity::Warning, AlertStatus::Open),
        alert("b", Severity::Critical, AlertStatus::Acknowledged),
        alert("c", Severity::Info, AlertStatus::Resolved),
    ];
    let (list, _) = signal(alerts);
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        let sink = Arc::clone(&sink);
        view! {
            <AlertBanner alerts=list />
            <WidgetView widget=widget(WidgetKind::Alerts, json!({})) state=WidgetState::Loading alerts=list
                on_alert_action=Callback::new(move |a| sink.lock().expect("lock").push(a)) />
        }
    });
    next_frame().await;
    assert_eq!(
        text(&container, ".vt-alert-banner-text"),
        "2 open alerts · 1 critical"
    );
    let items = container.query_selector_all(".vt-alert").expect("q");
    assert_eq!(items.length(), 3);
    let first: Element = items.item(0).expect("first").unchecked_into();
    assert!(
        first.class_list().contains("vt-sev-critical"),
        "critical first"
    );
    assert_eq!(
        text(&container, ".vt-alert-message"),
        "<b>not bold</b>",
        "messages are text"
    );
    assert!(container
        .query_selector(".vt-alert b")
        .expect("q")
        .is_none());
    let buttons = container.query_selector_all(".vt-alert button").expect("q");
    // b (acknowledged): Resolve; a (open): Acknowledge + Resolve; c (resolved): none.
    assert_eq!(buttons.length(), 3);
    buttons
        .item(0)
        .expect("b")
        .unchecked_into::<HtmlElement>()
        .click();
    buttons
        .item(1)
        .expect("a")
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(
        *actions.lock().expect("lock"),
        vec![
            ("b".to_string(), AlertAction::Resolve),
            ("a".to_string(), AlertAction::Acknowledge)
        ]
    );
}

#[wasm_bindgen_test]
async fn widget_view_disposes_its_chart_on_unmount() {
    let echarts = ensure_echarts();
    let container = fresh_container(400, 260);
    let data = QueryResult::new(
        vec![
            Column::new("day", ColumnType::Timestamp),
            Column::new("yhat", ColumnType::Float),
            Column::new("lo", ColumnType::Float),
            Column::new("hi", ColumnType::Float),
        ],
        vec![
            vec![json!(0), json!(86_400_000)],
            vec![json!(10), json!(11)],
            vec![json!(8), json!(9)],
            vec![json!(12), json!(14)],
        ],
    )
    .expect("result");
    let mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <WidgetView widget=widget(WidgetKind::Line, json!({"band": {"lower": "lo", "upper": "hi"}}))
                state=WidgetState::ready(data.clone()) />
        }
    });
    wait_until("a canvas", Duration::from_secs(5), || {
        container.query_selector("canvas").ok().flatten().is_some()
    })
    .await;
    let element: HtmlElement = container
        .query_selector(".vt-echart")
        .expect("q")
        .expect("chart")
        .unchecked_into();
    let option = echarts
        .instance_by_dom(&element)
        .expect("instance")
        .get_option();
    let series = js_sys::Array::from(&vantage_wasm_tests::get(&option, "series"));
    assert_eq!(series.length(), 3, "forecast line plus band");
    drop(mount);
    assert!(
        echarts.instance_by_dom(&element).is_none(),
        "unmount disposes ECharts"
    );
}

#[wasm_bindgen_test]
async fn malformed_results_show_errors_without_breaking_neighbours() {
    ensure_echarts();
    let container = fresh_container(900, 300);
    let mut ragged = QueryResult::new(
        vec![
            Column::new("name", ColumnType::String),
            Column::new("n", ColumnType::Integer),
        ],
        vec![vec![json!("a"), json!("b")], vec![json!(1), json!(2)]],
    )
    .expect("result");
    ragged.data[1].truncate(1);
    let good = QueryResult::new(
        vec![Column::new("n", ColumnType::Integer)],
        vec![vec![json!(7)]],
    )
    .expect("result");
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <WidgetView widget=widget(WidgetKind::Table, json!({})) state=WidgetState::ready(ragged.clone()) />
            <WidgetView widget=widget(WidgetKind::Bar, json!({})) state=WidgetState::ready(ragged.clone()) />
            <WidgetView widget=widget(WidgetKind::Kpi, json!({})) state=WidgetState::ready(good.clone()) />
        }
    });
    next_frame().await;
    let alerts = container.query_selector_all("[role=alert]").expect("q");
    assert_eq!(alerts.length(), 2, "the table and the chart show an error");
    assert!(alerts
        .item(0)
        .and_then(|a| a.text_content())
        .unwrap_or_default()
        .contains("column 'n' has 1 values"));
    assert_eq!(
        text(&container, ".vt-kpi-value"),
        "7",
        "the neighbour still renders"
    );
}
