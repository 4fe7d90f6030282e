//! The dashboard store follows the live stream of the reference server: count widgets (KPIs,
//! breakdowns, time series) are updated in place from metric rollups, once per animation frame,
//! and stay within a few seconds' traffic of a fresh server read; only the widgets a rollup
//! cannot update (averages, the intent × hour heatmap) are re-queried, by id.
#![cfg(target_arch = "wasm32")]

mod sdk_support;

use std::time::Duration;

use leptos::prelude::*;
use vantage_contract::WidgetData;
use vantage_sdk::filters::FilterSet;
use vantage_sdk::live::LiveOptions;
use vantage_sdk::{ApiClient, ClientConfig, DashboardStore, TokenSource, TokenStore};
use vantage_wasm_tests::wait_until;
use wasm_bindgen_test::*;

use sdk_support::{anonymous, base, FetchRecorder};

wasm_bindgen_test_configure!(run_in_browser);

const DASHBOARD: &str = "healthco-ai-quality";

fn count(state: &vantage_widgets::WidgetState) -> Option<f64> {
    state
        .data()?
        .numbers("count")
        .ok()?
        .first()
        .copied()
        .flatten()
}

async fn server_count(api: &ApiClient) -> f64 {
    let data = api
        .dashboard_data(DASHBOARD, &Default::default())
        .await
        .expect("fresh read");
    match data.widgets.get("total") {
        Some(WidgetData::Result(r)) => r.numbers("count").expect("count")[0].expect("value"),
        other => panic!("total: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn live_rollups_update_count_widgets_in_place_once_per_frame() {
    let login = anonymous(base())
        .login("analyst@healthco.test", "vantage-demo")
        .await
        .expect("login");
    let api = ApiClient::new(
        ClientConfig::new(base()),
        TokenStore::new(Some(login.access_token), TokenSource::Static),
    );
    let recorder = FetchRecorder::install();
    let store = DashboardStore::new(
        api.clone(),
        DASHBOARD,
        FilterSet::default(),
        LiveOptions::default(),
    );
    store.load();
    let total = store.widget_state("total");
    let by_status = store.widget_state("by-status");
    wait_until("the first load", Duration::from_secs(15), || {
        count(&total.get_untracked()).is_some() && by_status.get_untracked().data().is_some()
    })
    .await;
    let first = count(&total.get_untracked()).expect("count");
    let buckets = |state: &vantage_widgets::WidgetState| {
        let data = state.data().expect("data");
        let mut times: Vec<i64> = data
            .numbers("time")
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|t| t as i64)
            .collect();
        times.dedup();
        times
    };
    let first_buckets = buckets(&by_status.get_untracked());

    wait_until(
        "three frames of live rollups",
        Duration::from_secs(20),
        || store.live_frames().get_untracked() >= 3,
    )
    .await;
    let now = count(&total.get_untracked()).expect("count");
    assert!(now > first, "the KPI counts on: {first} → {now}");
    let later_buckets = buckets(&by_status.get_untracked());
    assert!(
        later_buckets.len() <= first_buckets.len() + 1,
        "the time series window stays bounded: {} → {} buckets",
        first_buckets.len(),
        later_buckets.len()
    );
    assert!(later_buckets.windows(2).all(|w| w[0] <= w[1]));

    // Within a second or two of traffic of what the server says, read just before and after.
    let before = server_count(&api).await;
    let ours = count(&total.get_untracked()).expect("count");
    let after = server_count(&api).await;
    assert!(
        ours >= before - 150.0 && ours <= after + 150.0,
        "store {ours} vs server {before}..{after}"
    );

    // Patched widgets are never re-queried; the others are, by id.
    wait_until("a partial re-query", Duration::from_secs(10), || {
        recorder
            .fetched()
            .iter()
            .any(|f| f.body.as_deref().is_some_and(|b| b.contains("widgetIds")))
    })
    .await;
    let partial: Vec<String> = recorder
        .fetched()
        .into_iter()
        .filter(|f| f.url.contains(&format!("/dashboards/{DASHBOARD}/data")))
        .filter_map(|f| f.body)
        .filter(|b| b.contains("widgetIds"))
        .collect();
    for body in &partial {
        let ids: serde_json::Value = serde_json::from_str(body).expect("json body");
        let ids: Vec<&str> = ids["widgetIds"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        for patched in ["total", "invalid", "by-status", "intents", "error-types"] {
            assert!(!ids.contains(&patched), "{patched} was re-queried: {ids:?}");
        }
        assert!(
            ids.contains(&"confidence"),
            "averages are re-queried: {ids:?}"
        );
    }
    assert!(!partial.is_empty());
}
