//! Token lifecycle against the restartable server, whose access tokens live a few seconds:
//! the SDK renews before expiry (no request ever sees a 401), concurrent requests share one
//! renewal, a renewal never reloads the dashboard's data, and a token that is refused even
//! after one renewal ends the session with `authExpired`.
#![cfg(target_arch = "wasm32")]

mod sdk_support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

use futures::FutureExt;
use vantage_sdk::filters::FilterSet;
use vantage_sdk::live::{LiveMode, LiveOptions};
use vantage_sdk::{ApiClient, ClientConfig, DashboardStore, SdkError, TokenSource, TokenStore};
use vantage_wasm_tests::{sleep, wait_until};
use wasm_bindgen_test::*;

use sdk_support::{renewing, restartable, token_ttl_secs, FetchRecorder};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn tokens_renew_before_expiry_without_401s_or_reloads() {
    let recorder = FetchRecorder::install();
    let (api, renewals) = renewing(restartable(), "analyst@healthco.test").await;
    // Live off: any reload here would come from the token change, not from live updates.
    let store = DashboardStore::new(
        api.clone(),
        "healthco-ai-quality",
        FilterSet::default(),
        LiveOptions {
            mode: LiveMode::Off,
            ..LiveOptions::default()
        },
    );
    store.load();
    wait_until("the dashboard to load", Duration::from_secs(15), || {
        store.loads().get_untracked() == 1
    })
    .await;
    let definition_version = store.definition().get_untracked().map(|d| d.version);

    // Keep calling for a bit more than two token lifetimes.
    let ttl_ms = token_ttl_secs() * 1000.0;
    let start = js_sys::Date::now();
    let mut calls = 0;
    while js_sys::Date::now() - start < ttl_ms * 2.3 {
        api.me()
            .await
            .expect("every call succeeds across token lifetimes");
        calls += 1;
        sleep(Duration::from_millis(400)).await;
    }
    assert!(
        renewals.get() >= 2,
        "{} renewals in {calls} calls over {:.1} s with {} s tokens",
        renewals.get(),
        (js_sys::Date::now() - start) / 1000.0,
        token_ttl_secs()
    );

    // Wait until the current token is due (80 % of its life), then fire requests together.
    sleep(Duration::from_millis((ttl_ms * 0.85) as u64)).await;
    let before = renewals.get();
    let together = futures::future::join_all((0..6).map(|_| api.me())).await;
    assert!(together.iter().all(Result::is_ok), "{together:?}");
    assert_eq!(
        renewals.get(),
        before + 1,
        "six concurrent requests share one renewal"
    );

    let ours: Vec<_> = recorder
        .fetched()
        .into_iter()
        .filter(|f| f.url.starts_with(restartable()))
        .collect();
    assert!(ours.len() > 10, "{} requests recorded", ours.len());
    assert!(
        ours.iter().all(|f| f.status != Some(401)),
        "renewal happens before expiry, never after a 401: {:?}",
        ours.iter()
            .filter(|f| f.status == Some(401))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        store.loads().get_untracked(),
        1,
        "renewals never reload data"
    );
    assert_eq!(
        store.definition().get_untracked().map(|d| d.version),
        definition_version
    );
}

#[wasm_bindgen_test]
async fn a_token_refused_after_one_renewal_ends_with_auth_expired() {
    let recorder = FetchRecorder::install();
    let attempts = Rc::new(Cell::new(0_u32));
    let renew = {
        let attempts = Rc::clone(&attempts);
        Rc::new(move || {
            attempts.set(attempts.get() + 1);
            async { Ok::<_, SdkError>("revoked.token.value".to_owned()) }.boxed_local()
        })
    };
    let api = ApiClient::new(
        ClientConfig::new(restartable()),
        TokenStore::new(
            Some("expired.token.value".into()),
            TokenSource::Renewing(renew),
        ),
    );
    let error = api.me().await.unwrap_err();
    assert_eq!(error.code(), "authExpired", "{error}");
    assert_eq!(attempts.get(), 1, "renews once on a 401, then gives up");
    let calls = recorder
        .fetched()
        .into_iter()
        .filter(|f| f.url.ends_with("/api/v1/auth/me"))
        .map(|f| f.status)
        .collect::<Vec<_>>();
    assert_eq!(
        calls,
        vec![Some(401), Some(401)],
        "one retry after renewing"
    );

    // A fixed token that the server refuses is also the end of the session.
    let fixed = ApiClient::new(
        ClientConfig::new(restartable()),
        TokenStore::new(Some("expired.token.value".into()), TokenSource::Static),
    );
    assert_eq!(fixed.me().await.unwrap_err().code(), "authExpired");
}
