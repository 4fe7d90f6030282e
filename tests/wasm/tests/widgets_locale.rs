//! Locale and time zone in the browser: numbers, currencies, percentages and compact forms come
//! from `Intl` for the active locale, times from `Intl.DateTimeFormat` in the active time zone,
//! and a mounted widget re-renders its numbers and UI text when the locale changes.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use leptos::prelude::*;
use serde_json::json;
use vantage_contract::{Column, ColumnType, QueryResult, Widget, WidgetKind};
use vantage_wasm_tests::{fresh_container, wait_until};
use vantage_widgets::format::{format_time, zone_offset, NumberFormat, TimeStyle};
use vantage_widgets::locale::{self, Locale};
use vantage_widgets::{WidgetState, WidgetView};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn set(tag: &str, zone: Option<&str>) {
    locale::set_active(Locale {
        tag: Some(tag.into()),
        time_zone: zone.map(str::to_owned),
    });
}

fn format(options: serde_json::Value, value: f64) -> String {
    NumberFormat::from_options(&options).format(value)
}

#[wasm_bindgen_test]
fn numbers_follow_the_locale_through_intl() {
    set("en-IN", None);
    assert_eq!(
        format(json!({}), 1_234_567.0),
        "12,34,567",
        "Indian grouping"
    );
    set("de-DE", None);
    assert_eq!(
        format(json!({"format": "currency", "currency": "EUR"}), 1234.5),
        "1.234,50\u{a0}€",
        "German puts the euro sign after the amount"
    );
    assert_eq!(format(json!({"format": "percent"}), 0.256), "25,6\u{a0}%");
    assert_eq!(format(json!({"format": "ms"}), 1234.0), "1.234 ms");
    assert_eq!(
        NumberFormat::default().format_axis(1_300_000.0),
        "1,3\u{a0}Mio."
    );
    set("en-US", None);
    assert_eq!(
        format(json!({"format": "currency", "currency": "EUR"}), -1234.5),
        "-€1,234.50"
    );
    assert_eq!(NumberFormat::default().format_axis(25_000.0), "25K");
    set("ja-JP", None);
    assert_eq!(NumberFormat::default().format_axis(12_000.0), "1.2万");
    // Axis ticks keep their digits whatever scale the locale's compact form uses.
    assert_eq!(NumberFormat::default().format_axis(10_250.0), "1.025万");
    set("en-US", None);
    assert_eq!(NumberFormat::default().format_axis(10_250.0), "10.25K");
    set("ja-JP", None);
    assert_eq!(
        format(
            json!({"format": "currency", "currency": "JPY", "decimals": 0}),
            1234.0
        ),
        "￥1,234"
    );
    locale::set_active(Locale::default());
}

#[wasm_bindgen_test]
fn times_show_in_the_active_time_zone() {
    // 2024-05-10T16:00:00Z: still May 10 in UTC, already 01:00 on May 11 in Tokyo.
    let ms = 1_715_356_800_000.0;
    set("en-US", Some("UTC"));
    assert_eq!(format_time(ms, TimeStyle::Date), "May 10");
    assert_eq!(format_time(ms, TimeStyle::Time), "04:00 PM");
    set("en-US", Some("Asia/Tokyo"));
    assert_eq!(format_time(ms, TimeStyle::Date), "May 11");
    set("de-DE", Some("Asia/Tokyo"));
    assert_eq!(format_time(ms, TimeStyle::Date), "11. Mai");
    assert_eq!(format_time(ms, TimeStyle::Time), "01:00");
    locale::set_active(Locale::default());
}

/// A time axis labelled with dates has its ticks at midnight in the viewer's zone, read from
/// `Intl` (offsets with daylight saving and half hours), not at the browser's midnight.
#[wasm_bindgen_test]
fn dated_axis_ticks_sit_at_midnight_in_the_viewers_zone() {
    const HOUR: f64 = 3_600_000.0;
    // 2026-01-15T12:00Z and 2026-07-15T12:00Z.
    let (winter, summer) = (1_768_478_400_000.0, 1_784_116_800_000.0);
    set("en-US", Some("Asia/Tokyo"));
    assert_eq!(zone_offset(winter), 9.0 * HOUR);
    set("de-DE", Some("Europe/Berlin"));
    assert_eq!(
        (zone_offset(winter), zone_offset(summer)),
        (HOUR, 2.0 * HOUR)
    );
    set("en-US", Some("Asia/Kolkata"));
    assert_eq!(zone_offset(summer), 5.5 * HOUR);
    set("en-US", Some("America/New_York"));
    assert_eq!(zone_offset(winter), -5.0 * HOUR);
    // A zone `Intl` refuses: the browser's own, as the labels fall back to.
    set("en-US", Some("Not/A_Zone"));
    let browser = -js_sys::Date::new(&winter.into()).get_timezone_offset() * 60_000.0;
    assert_eq!(zone_offset(winter), browser);

    // Four daily buckets in Tokyo start at 15:00 UTC: the ticks are those instants, each
    // labelled with its own day.
    set("en-US", Some("Asia/Tokyo"));
    let dec_1_tokyo = 1_796_083_200_000.0 - 9.0 * HOUR;
    let xs: Vec<f64> = (0..4)
        .map(|d| dec_1_tokyo + f64::from(d) * 86_400_000.0)
        .collect();
    let result = QueryResult::new(
        vec![
            Column::new("day", ColumnType::Timestamp),
            Column::new("orders", ColumnType::Float),
        ],
        vec![
            xs.iter().map(|x| json!(x)).collect(),
            vec![json!(3), json!(5), json!(4), json!(6)],
        ],
    )
    .expect("result");
    let option = vantage_widgets::charts::chart_option(WidgetKind::Line, &result, &json!({}))
        .expect("option");
    let option = serde_json::to_value(&option).expect("json");
    let ticks: Vec<f64> = option["xAxis"]["axisLabel"]["customValues"]
        .as_array()
        .expect("ticks")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    assert_eq!(ticks, xs, "{option}");
    assert_eq!(
        option["xAxis"]["axisTick"]["customValues"],
        option["xAxis"]["axisLabel"]["customValues"]
    );
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| format_time(*t, TimeStyle::Date))
        .collect();
    assert_eq!(labels, ["Dec 1", "Dec 2", "Dec 3", "Dec 4"]);
    // In New York the same instants are 01:00 the day before: ticks at New York's midnights.
    set("en-US", Some("America/New_York"));
    let option = vantage_widgets::charts::chart_option(WidgetKind::Line, &result, &json!({}))
        .expect("option");
    let option = serde_json::to_value(&option).expect("json");
    let first = option["xAxis"]["axisLabel"]["customValues"][0]
        .as_f64()
        .expect("a tick");
    assert_eq!(first, dec_1_tokyo - 10.0 * HOUR, "{option}");
    assert_eq!(format_time(first, TimeStyle::Date), "Nov 30");

    // Twelve hourly buckets (whole hours in UTC) seen in Kolkata (UTC+5:30): the axis's ticks
    // are Kolkata's whole hours, labelled "…:00", not the buckets' ":30".
    set("en-US", Some("Asia/Kolkata"));
    let dec_1 = 1_796_083_200_000.0;
    let result = QueryResult::new(
        vec![
            Column::new("hour", ColumnType::Timestamp),
            Column::new("orders", ColumnType::Float),
        ],
        vec![
            (0..12)
                .map(|h| json!(dec_1 + f64::from(h) * HOUR))
                .collect(),
            (0..12).map(|h| json!(h)).collect(),
        ],
    )
    .expect("result");
    let option = vantage_widgets::charts::chart_option(WidgetKind::Line, &result, &json!({}))
        .expect("option");
    let option = serde_json::to_value(&option).expect("json");
    let labels: Vec<String> = option["xAxis"]["axisLabel"]["customValues"]
        .as_array()
        .expect("hour ticks")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .filter(|t| (dec_1..=dec_1 + 11.0 * HOUR).contains(t))
        .map(|t| format_time(t, TimeStyle::Time))
        .collect();
    assert!(labels.len() >= 4, "{labels:?}");
    assert!(labels.iter().all(|l| l.contains(":00")), "{labels:?}");
    assert!(labels[0].ends_with("6:00 AM"), "{labels:?}");
    locale::set_active(Locale::default());
}

#[wasm_bindgen_test]
async fn a_mounted_widget_follows_a_locale_change_without_new_data() {
    set("en-US", None);
    let container = fresh_container(400, 300);
    let kpi = Widget {
        id: "kpi".into(),
        kind: WidgetKind::Kpi,
        title: "Revenue".into(),
        position: vantage_contract::Position {
            x: 0,
            y: 0,
            w: 4,
            h: 2,
        },
        query: None,
        options: json!({"format": "currency", "currency": "EUR"}),
    };
    let data = QueryResult::new(
        vec![Column::new("sum_revenue", ColumnType::Float)],
        vec![vec![json!(1234.5)]],
    )
    .expect("result");
    let failing = Widget {
        id: "failing".into(),
        title: "Failing".into(),
        ..kpi.clone()
    };
    let _mount = leptos::mount::mount_to(container.clone(), move || {
        view! {
            <WidgetView widget=kpi state=Signal::stored(WidgetState::ready(data)) />
            <WidgetView widget=failing state=Signal::stored(WidgetState::Error { message: "boom".into() })
                on_retry=Callback::new(|_| {}) />
        }
    });
    let text = || container.text_content().unwrap_or_default();
    wait_until("the English KPI", Duration::from_secs(5), || {
        text().contains("€1,234.50") && text().contains("Retry")
    })
    .await;
    set("de-DE", None);
    wait_until(
        "the German KPI and retry button",
        Duration::from_secs(5),
        || text().contains("1.234,50\u{a0}€") && text().contains("Erneut versuchen"),
    )
    .await;
    assert!(!text().contains("Retry"), "{}", text());
    locale::set_active(Locale::default());
}
