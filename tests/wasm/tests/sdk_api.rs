//! The SDK against the real reference server started by `cargo xtask test` (URL baked in at
//! build time through VANTAGE_TEST_BASE_URL): typed calls, error mapping, live transports.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use vantage_contract::{ErrorCode, LiveKind, Query, WidgetData};
use vantage_sdk::live::{LiveConnection, LiveEvent, LiveMode, LiveOptions, LiveStatus, Transport};
use vantage_sdk::{ApiClient, ClientConfig, SdkError, TokenSource, TokenStore};
use vantage_wasm_tests::{server_url, wait_until};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn base() -> &'static str {
    server_url().expect("VANTAGE_TEST_BASE_URL: run through `cargo xtask test`")
}

fn client(token: Option<String>) -> ApiClient {
    let source = if token.is_some() {
        TokenSource::Static
    } else {
        TokenSource::Anonymous
    };
    ApiClient::new(ClientConfig::new(base()), TokenStore::new(token, source))
}

async fn signed_in(email: &str) -> ApiClient {
    let tokens = client(None)
        .login(email, "vantage-demo")
        .await
        .expect("demo login");
    client(Some(tokens.access_token))
}

#[wasm_bindgen_test]
async fn login_then_typed_calls_return_the_tenants_data() {
    let tokens = client(None)
        .login("analyst@healthco.test", "vantage-demo")
        .await
        .expect("login");
    assert_eq!(tokens.user.email, "analyst@healthco.test");
    assert!(tokens.expires_in > 0);
    let api = client(Some(tokens.access_token));
    let me = api.me().await.expect("me");
    assert_eq!(me.tenant_id, tokens.user.tenant_id);

    let dashboards = api.dashboards().await.expect("dashboards").items;
    assert!(dashboards.len() >= 4, "{} dashboards", dashboards.len());
    let first = &dashboards[0];
    let data = api
        .dashboard_data(&first.id, &Default::default())
        .await
        .expect("data");
    assert_eq!(
        data.widgets.len(),
        first.widgets.len(),
        "one entry per widget"
    );
    assert!(data
        .widgets
        .values()
        .any(|w| matches!(w, WidgetData::Result(_))));
    assert!(
        data.live_cursor.contains(':'),
        "cursor {}",
        data.live_cursor
    );
}

fn api_code(error: &SdkError) -> (Option<u16>, Option<ErrorCode>) {
    match error {
        SdkError::Api {
            status,
            code,
            request_id,
            ..
        } => {
            assert!(!request_id.is_empty(), "errors carry the request id");
            (Some(*status), Some(*code))
        }
        other => (other.status(), None),
    }
}

#[wasm_bindgen_test]
async fn backend_errors_map_to_typed_errors_with_code_and_status() {
    let wrong = client(None)
        .login("analyst@healthco.test", "nope")
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&wrong),
        (Some(401), Some(ErrorCode::Unauthenticated))
    );

    let api = signed_in("analyst@healthco.test").await;
    let missing = api.dashboard("no-such-dashboard").await.unwrap_err();
    assert_eq!(api_code(&missing), (Some(404), Some(ErrorCode::NotFound)));

    let other_tenant = api.dashboard("autoinsure-ai-quality").await.unwrap_err();
    assert!(
        matches!(api_code(&other_tenant).0, Some(403 | 404)),
        "{other_tenant}"
    );

    let bad_query: Query = serde_json::from_value(serde_json::json!({
        "dataset": "validations",
        "measures": [{ "field": "no_such_field", "agg": "sum" }]
    }))
    .expect("query shape");
    let invalid = api.query(&bad_query).await.unwrap_err();
    assert_eq!(
        api_code(&invalid),
        (Some(422), Some(ErrorCode::ValidationFailed))
    );

    let anonymous = client(None).dashboards().await.unwrap_err();
    assert_eq!(api_code(&anonymous).0, Some(401));

    let viewer = signed_in("viewer@healthco.test").await;
    let request = serde_json::from_value(serde_json::json!({
        "dashboardId": "healthco-ai-quality", "permissions": ["view_dashboard"],
        "allowedOrigins": [], "lockedFilters": [], "expiresIn": 600
    }))
    .expect("embed request shape");
    let forbidden = viewer.create_embed_token(&request).await.unwrap_err();
    assert_eq!(
        api_code(&forbidden),
        (Some(403), Some(ErrorCode::Forbidden))
    );
}

async fn receives_a_metric(mode: LiveMode, expected: Transport) {
    let tokens = client(None)
        .login("viewer@healthco.test", "vantage-demo")
        .await
        .expect("login");
    let api = client(Some(tokens.access_token));
    let metrics = Rc::new(RefCell::new(0_u32));
    let statuses = Rc::new(RefCell::new(Vec::<LiveStatus>::new()));
    let connection = {
        let (metrics, statuses) = (Rc::clone(&metrics), Rc::clone(&statuses));
        LiveConnection::open(
            api,
            LiveOptions {
                mode,
                ..LiveOptions::default()
            },
            None,
            move |event| {
                if let LiveEvent::Message(envelope) = event {
                    if envelope.kind == LiveKind::Metric {
                        *metrics.borrow_mut() += 1;
                    }
                }
            },
            move |status| statuses.borrow_mut().push(status.clone()),
        )
    };
    wait_until("a live metric message", Duration::from_secs(10), || {
        *metrics.borrow() >= 2
    })
    .await;
    assert_eq!(connection.status(), LiveStatus::Open(expected));
    assert!(
        connection.position().is_some(),
        "the cursor follows applied messages"
    );
    drop(connection);
    assert_eq!(
        statuses.borrow().last(),
        Some(&LiveStatus::Closed),
        "dropping closes"
    );
}

#[wasm_bindgen_test]
async fn live_over_websocket_delivers_metrics() {
    receives_a_metric(LiveMode::WebSocket, Transport::WebSocket).await;
}

#[wasm_bindgen_test]
async fn live_over_server_sent_events_delivers_metrics() {
    receives_a_metric(LiveMode::Sse, Transport::Sse).await;
}
