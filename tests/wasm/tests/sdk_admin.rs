//! The SDK's administration calls against the real demo server: a system admin lists tenants and
//! acts in another tenant with `ApiClient::with_tenant` (`X-Tenant-Id`); the audit log pages and
//! exports; roles without the permission get the contract's 403. Read-only, so other tests
//! sharing the server are not disturbed.
#![cfg(target_arch = "wasm32")]

use vantage_contract::{AuditAction, ErrorCode};
use vantage_sdk::{ApiClient, AuditFilter, ClientConfig, SdkError, TokenSource, TokenStore};
use vantage_wasm_tests::server_url;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn base() -> &'static str {
    server_url().expect("VANTAGE_TEST_BASE_URL: run through `cargo xtask test`")
}

async fn signed_in(email: &str) -> ApiClient {
    let anonymous = ApiClient::new(
        ClientConfig::new(base()),
        TokenStore::new(None, TokenSource::Anonymous),
    );
    let tokens = anonymous
        .login(email, "vantage-demo")
        .await
        .expect("demo login");
    ApiClient::new(
        ClientConfig::new(base()),
        TokenStore::new(Some(tokens.access_token), TokenSource::Static),
    )
}

#[wasm_bindgen_test]
async fn setup_is_done_on_a_demo_server() {
    let api = ApiClient::new(
        ClientConfig::new(base()),
        TokenStore::new(None, TokenSource::Anonymous),
    );
    assert!(!api.setup_status().await.expect("setup status").pending);
}

#[wasm_bindgen_test]
async fn a_system_admin_acts_in_another_tenant_with_with_tenant() {
    let api = signed_in("sysadmin@vantage.test").await;
    let tenants = api.tenants().await.expect("tenants").items;
    let autoinsure = tenants
        .iter()
        .find(|t| t.id == "autoinsure")
        .expect("the demo's autoinsure tenant");
    assert!(autoinsure.user_count > 0 && autoinsure.dashboard_count > 0);

    let acting = api.with_tenant(Some("autoinsure"));
    assert_eq!(acting.acting_tenant(), Some("autoinsure"));
    let users = acting.users().await.expect("users of autoinsure").items;
    assert!(!users.is_empty());
    assert!(
        users.iter().all(|u| u.tenant_id == "autoinsure"),
        "{users:?}"
    );

    let unknown = api.with_tenant(Some("no-such-tenant")).users().await;
    assert_eq!(unknown.unwrap_err().status(), Some(404));
}

#[wasm_bindgen_test]
async fn the_audit_log_filters_pages_and_exports() {
    let api = signed_in("admin@healthco.test").await;
    let filter = AuditFilter {
        action: Some(AuditAction::SignIn),
        limit: Some(1),
        ..AuditFilter::default()
    };
    let page = api.audit(&filter).await.expect("audit");
    assert_eq!(page.items.len(), 1, "this test's own sign-in at least");
    assert_eq!(page.items[0].action, AuditAction::SignIn);
    assert_eq!(page.items[0].tenant_id, "healthco");
    if let Some(cursor) = page.next_cursor {
        let older = AuditFilter {
            cursor: Some(cursor),
            ..filter.clone()
        };
        let next = api.audit(&older).await.expect("older page");
        assert!(next.items.iter().all(|e| e.id < page.items[0].id));
    }
    let csv = api.audit_csv(&filter).await.expect("csv");
    assert!(csv.starts_with("id,time,action,actorId,actorEmail,target,details\r\n"));
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",sign_in,")),
        "{csv}"
    );

    let bad = api
        .audit(&AuditFilter {
            limit: Some(0),
            ..AuditFilter::default()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.field().as_deref(), Some("limit"));
}

#[wasm_bindgen_test]
async fn roles_without_the_permission_are_refused() {
    let viewer = signed_in("viewer@healthco.test").await;
    for result in [
        viewer.tenants().await.map(drop),
        viewer.audit(&AuditFilter::default()).await.map(drop),
    ] {
        match result {
            Err(SdkError::Api { status, code, .. }) => {
                assert_eq!(status, 403);
                assert_eq!(code, ErrorCode::Forbidden);
            }
            other => panic!("expected 403, got {other:?}"),
        }
    }
}
