//! Error mapping for rate limiting and aborts against the reference server: a 429 keeps its
//! contract code and status (and is not retried when retries are off), dropping a request's
//! future or the store that owns it aborts the `fetch` (its `AbortSignal` fires and no answer
//! is delivered), and a timeout is reported as such, distinct from an abort.
#![cfg(target_arch = "wasm32")]

mod sdk_support;

use std::time::Duration;

use leptos::prelude::*;

use futures::FutureExt;
use vantage_contract::ErrorCode;
use vantage_sdk::filters::FilterSet;
use vantage_sdk::live::{LiveMode, LiveOptions};
use vantage_sdk::{ApiClient, ClientConfig, DashboardStore, SdkError, TokenSource, TokenStore};
use vantage_wasm_tests::{sleep, wait_until};

use wasm_bindgen_test::*;

use sdk_support::{anonymous, base, FetchRecorder};

wasm_bindgen_test_configure!(run_in_browser);

async fn viewer(config: ClientConfig) -> ApiClient {
    let login = anonymous(base())
        .login("viewer@healthco.test", "vantage-demo")
        .await
        .expect("demo login");
    ApiClient::new(
        config,
        TokenStore::new(Some(login.access_token), TokenSource::Static),
    )
}

#[wasm_bindgen_test]
async fn too_many_requests_maps_to_rate_limited_with_status_429() {
    let mut config = ClientConfig::new(base());
    config.max_retries = 0;
    let api = viewer(config).await;
    // The server allows bursts of 4 s worth per token; hammer until the bucket is empty.
    let mut limited = None;
    for _ in 0..40 {
        let batch = futures::future::join_all((0..50).map(|_| api.me())).await;
        if let Some(error) = batch.into_iter().find_map(Result::err) {
            limited = Some(error);
            break;
        }
    }
    let error = limited.expect("the rate limit is reached within 2000 requests");
    match &error {
        SdkError::Api {
            status,
            code,
            request_id,
            ..
        } => {
            assert_eq!(*status, 429);
            assert_eq!(*code, ErrorCode::RateLimited);
            assert!(!request_id.is_empty());
        }
        other => panic!("expected the contract's 429, got {other:?}"),
    }
    assert_eq!(error.code(), "rate_limited");
    assert!(!error.is_transient(), "429 waits for Retry-After instead");
}

#[wasm_bindgen_test]
async fn dropping_a_request_future_aborts_the_fetch() {
    let api = viewer(ClientConfig::new(base())).await;
    let recorder = FetchRecorder::install();
    let mut request = Box::pin(api.dashboards());
    assert!(
        (&mut request).now_or_never().is_none(),
        "the request is in flight"
    );
    let started = recorder.fetched();
    assert_eq!(started.len(), 1, "{started:?}");
    assert!(!started[0].aborted);
    drop(request);
    let fetched = recorder.fetched();
    assert!(fetched[0].aborted, "dropping fires the AbortSignal");
    wait_until("the fetch to settle", Duration::from_secs(5), || {
        recorder.fetched()[0].failure.is_some()
    })
    .await;
    let fetched = recorder.fetched();
    assert_eq!(fetched[0].failure.as_deref(), Some("AbortError"));
    assert_eq!(fetched[0].status, None, "no answer was delivered");
}

#[wasm_bindgen_test]
async fn dropping_the_store_aborts_its_load() {
    let api = viewer(ClientConfig::new(base())).await;
    let recorder = FetchRecorder::install();
    let store = DashboardStore::new(
        api,
        "healthco-ai-quality",
        FilterSet::default(),
        LiveOptions {
            mode: LiveMode::Off,
            ..LiveOptions::default()
        },
    );
    store.load();
    // Let the spawned load start its fetches (microtasks) but not get an answer (a later task).
    for _ in 0..10 {
        if recorder.fetched().len() >= 2 {
            break;
        }
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(
            &wasm_bindgen::JsValue::NULL,
        ))
        .await
        .expect("microtask");
    }
    let started: Vec<String> = recorder.fetched().into_iter().map(|f| f.url).collect();
    assert_eq!(
        started.len(),
        2,
        "the first load asks for the definition and the data at once: {started:?}"
    );
    assert!(
        started
            .iter()
            .any(|u| u.ends_with("/dashboards/healthco-ai-quality"))
            && started
                .iter()
                .any(|u| u.ends_with("/dashboards/healthco-ai-quality/data")),
        "{started:?}"
    );
    let loads = store.loads();
    drop(store);
    // The abort reaches the fetches when the load task is next polled (a microtask later).
    wait_until("the load's AbortSignals", Duration::from_secs(2), || {
        recorder.fetched().iter().all(|f| f.aborted)
    })
    .await;
    sleep(Duration::from_millis(300)).await;
    let fetched = recorder.fetched();
    assert!(
        fetched
            .iter()
            .all(|f| f.failure.as_deref() == Some("AbortError")),
        "{fetched:?}"
    );
    assert_eq!(fetched.len(), 2, "no further request after the drop");
    assert_eq!(
        loads.get_untracked(),
        0,
        "nothing was applied after the drop"
    );
}

#[wasm_bindgen_test]
async fn a_request_past_its_timeout_is_a_timeout_not_an_abort() {
    let mut config = ClientConfig::new(base());
    config.timeout = Duration::from_millis(1);
    config.max_retries = 0;
    let api = viewer(config).await;
    let error = api
        .query(
            &serde_json::from_value(serde_json::json!({
                "dataset": "validations",
                "dimensions": ["intent", "model"],
                "measures": [{ "field": "latency_ms", "agg": "p99" }]
            }))
            .expect("query shape"),
        )
        .await
        .unwrap_err();
    assert_eq!(error, SdkError::Timeout(1));
}
