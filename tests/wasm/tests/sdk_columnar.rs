//! The SDK's data requests with the columnar body, against the real reference server
//! (`VANTAGE_TEST_BASE_URL`, baked in by `cargo xtask test`): the body is decoded in wasm, the
//! cells are what JSON would have given, and each numeric column arrives as one `f64` slice.
#![cfg(target_arch = "wasm32")]

use vantage_contract::columnar::NumericColumns;
use vantage_contract::{Query, QueryResult, WidgetData};
use vantage_sdk::{ApiClient, ClientConfig, TokenSource, TokenStore};
use vantage_wasm_tests::server_url;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn analyst() -> ApiClient {
    let base = server_url().expect("VANTAGE_TEST_BASE_URL: run through `cargo xtask test`");
    let anonymous = TokenStore::new(None, TokenSource::Anonymous);
    let tokens = ApiClient::new(ClientConfig::new(base), anonymous)
        .login("analyst@healthco.test", "vantage-demo")
        .await
        .expect("demo login");
    let store = TokenStore::new(Some(tokens.access_token), TokenSource::Static);
    ApiClient::new(ClientConfig::new(base), store)
}

/// Every numeric column's slice holds its cells' numbers (`NaN` for null).
fn assert_numbers_match_cells(result: &QueryResult, numbers: &NumericColumns) {
    for (c, column) in result.columns.iter().enumerate() {
        let Some(values) = numbers.column(c) else {
            continue;
        };
        assert_eq!(values.len(), result.row_count(), "column {}", column.name);
        for (cell, value) in result.data[c].iter().zip(values) {
            match cell.as_f64() {
                Some(n) => assert_eq!(n, *value, "column {}", column.name),
                None => assert!(value.is_nan(), "column {}", column.name),
            }
        }
    }
}

#[wasm_bindgen_test]
async fn a_query_arrives_columnar_with_numeric_columns() {
    let api = analyst().await;
    let query: Query = serde_json::from_value(serde_json::json!({
        "dataset": "validations", "dimensions": ["status"], "granularity": "1h",
        "measures": [{ "field": "*", "agg": "count" }, { "field": "latency_ms", "agg": "p95" }],
        "timeRange": { "preset": "last24h" }
    }))
    .expect("query");
    let decoded = api.query_columnar(&query).await.expect("query");
    assert!(decoded.result.row_count() > 0, "the demo has data");
    assert!(
        decoded.numbers.column(0).is_some() && decoded.numbers.column(2).is_some(),
        "the server answered the columnar body (a JSON answer has no numeric columns)"
    );
    assert_numbers_match_cells(&decoded.result, &decoded.numbers);
    let plain = api.query(&query).await.expect("query");
    assert_eq!(plain.columns, decoded.result.columns);
}

#[wasm_bindgen_test]
async fn dashboard_data_arrives_columnar_for_every_widget() {
    let api = analyst().await;
    let decoded = api
        .dashboard_data_columnar("healthco-ai-quality", &Default::default())
        .await
        .expect("data");
    assert!(!decoded.data.widgets.is_empty());
    for (id, slot) in &decoded.data.widgets {
        if let WidgetData::Result(result) = slot {
            let numbers = decoded.numbers.get(id).expect("numeric columns per result");
            assert_numbers_match_cells(result, numbers);
        }
    }
    assert!(
        decoded
            .numbers
            .values()
            .any(|n| n.0.iter().any(Option::is_some)),
        "at least one widget has a numeric column"
    );
}
