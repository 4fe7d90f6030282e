//! The embed's JS API as a host page meets its failures: every thrown error and rejected
//! promise is a `VantageError` (an `Error` named so, with `code` and, where known, `field`,
//! `status` and `requestId`), and `on()` returns a function that removes the handler.
#![cfg(target_arch = "wasm32")]

mod sdk_support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Object, Reflect};
use vantage_sdk::embed::facade::is_vantage_error;
use vantage_sdk::EmbeddedDashboard;
use vantage_wasm_tests::{ensure_echarts, fresh_container, sleep};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use sdk_support::{anonymous, base, FetchRecorder};

wasm_bindgen_test_configure!(run_in_browser);

fn config(pairs: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), &(*value).into()).expect("set");
    }
    object.into()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("get")
}

/// Asserts `error` is a VantageError with `code` (and `field` when given); returns its message.
fn assert_vantage_error(error: &JsValue, code: &str, field: Option<&str>) -> String {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "an Error: {error:?}"
    );
    assert!(is_vantage_error(error), "named VantageError: {error:?}");
    assert_eq!(
        get(error, "name").as_string().as_deref(),
        Some("VantageError")
    );
    assert_eq!(
        get(error, "code").as_string().as_deref(),
        Some(code),
        "{error:?}"
    );
    assert_eq!(
        get(error, "field").as_string().as_deref(),
        field,
        "{error:?}"
    );
    get(error, "message").as_string().expect("a message")
}

fn valid() -> JsValue {
    config(&[
        ("baseUrl", "https://analytics.example.com"),
        ("dashboardId", "d"),
        ("token", "t"),
    ])
}

#[wasm_bindgen_test]
fn a_bad_configuration_throws_a_vantage_error_naming_the_field() {
    let Err(error) = EmbeddedDashboard::new(config(&[("dashboardId", "d"), ("token", "t")])) else {
        panic!("a config without baseUrl is refused");
    };
    let message = assert_vantage_error(&error, "config", Some("baseUrl"));
    assert!(message.starts_with("baseUrl: is required"), "{message}");
    let with_theme = valid();
    Reflect::set(&with_theme, &"theme".into(), &"purple".into()).expect("set");
    let Err(error) = EmbeddedDashboard::new(with_theme) else {
        panic!("an unknown theme is refused");
    };
    assert_vantage_error(&error, "config", Some("theme"));
}

#[wasm_bindgen_test]
fn on_returns_an_unsubscribe_function_and_unknown_events_throw() {
    let dash = EmbeddedDashboard::new(valid()).expect("valid config");
    let handler = Function::new_no_args("");
    let off = dash.on("ready", handler.clone()).expect("a known event");
    let other = dash.on("error", handler).expect("a known event");
    assert_eq!(dash.handler_count(), 2);
    off.call0(&JsValue::NULL).expect("unsubscribe");
    assert_eq!(dash.handler_count(), 1, "only that handler is removed");
    off.call0(&JsValue::NULL)
        .expect("a second call is harmless");
    assert_eq!(dash.handler_count(), 1);
    other.call0(&JsValue::NULL).expect("unsubscribe");
    assert_eq!(dash.handler_count(), 0);
    let Err(error) = dash.on("bogus", Function::new_no_args("")) else {
        panic!("an unknown event is refused");
    };
    let message = assert_vantage_error(&error, "config", Some("event"));
    assert!(message.contains("unknown event 'bogus'"), "{message}");
}

#[wasm_bindgen_test]
fn host_values_are_read_as_json_and_bad_ones_are_refused_naming_the_field() {
    use vantage_contract::Filter;
    use vantage_sdk::json::from_js;

    // A filter option with an unknown operator: the message says what was expected, and no
    // position in JSON text the host never wrote.
    let with_filters = valid();
    let filters = js_sys::JSON::parse(r#"[{"field": "region", "op": "roughly", "value": "EU"}]"#)
        .expect("JSON");
    Reflect::set(&with_filters, &"filters".into(), &filters).expect("set");
    let Err(error) = EmbeddedDashboard::new(with_filters) else {
        panic!("an unknown filter operator is refused");
    };
    let message = assert_vantage_error(&error, "config", Some("filters"));
    assert!(message.contains("unknown variant `roughly`"), "{message}");
    assert!(!message.contains(" at line "), "{message}");

    // A theme object JSON cannot hold (a cycle) is refused, not a panic.
    let theme = Object::new();
    Reflect::set(&theme, &"self".into(), &theme).expect("set");
    let with_theme = valid();
    Reflect::set(&with_theme, &"theme".into(), &theme).expect("set");
    let Err(error) = EmbeddedDashboard::new(with_theme) else {
        panic!("a cyclic theme is refused");
    };
    let message = assert_vantage_error(&error, "config", Some("theme"));
    assert!(message.contains("not a JSON value"), "{message}");
    // An array is an object to JS, not a Branding.
    let with_array = valid();
    Reflect::set(&with_array, &"theme".into(), &js_sys::Array::new()).expect("set");
    let Err(error) = EmbeddedDashboard::new(with_array) else {
        panic!("an array theme is refused");
    };
    let message = assert_vantage_error(&error, "config", Some("theme"));
    assert!(message.contains("a Branding object"), "{message}");

    // The reader itself: `undefined` is `null`, values JSON can hold are read as the contract
    // says, a function or a BigInt is refused with a message.
    assert_eq!(
        from_js::<Option<Vec<Filter>>>(&JsValue::UNDEFINED),
        Ok(None)
    );
    let good = js_sys::JSON::parse(r#"[{"field": "region", "op": "in", "values": ["EU", 7]}]"#)
        .expect("JSON");
    assert_eq!(
        from_js::<Vec<Filter>>(&good),
        Ok(vec![Filter {
            field: "region".into(),
            op: vantage_contract::FilterOp::In,
            value: None,
            values: Some(vec!["EU".into(), 7.into()]),
        }])
    );
    let function = from_js::<Vec<Filter>>(&Function::new_no_args("").into()).unwrap_err();
    assert!(function.contains("not a JSON value"), "{function}");
    let big = from_js::<u64>(&js_sys::BigInt::from(7_u64).into()).unwrap_err();
    assert!(big.contains("not a JSON value"), "{big}");
    let throws = Function::new_no_args("return { toJSON() { throw 5; } };")
        .call0(&JsValue::NULL)
        .expect("an object");
    let thrown = from_js::<u64>(&throws).unwrap_err();
    assert!(thrown.contains("not a JSON value: JsValue(5)"), "{thrown}");
}

#[wasm_bindgen_test]
async fn calls_before_render_and_bad_arguments_reject_with_vantage_errors() {
    let dash = EmbeddedDashboard::new(valid()).expect("valid config");
    let Err(error) = dash.get_filters() else {
        panic!("getFilters needs a rendered embed");
    };
    assert_vantage_error(&error, "config", Some("render"));
    let missing = JsFuture::from(dash.render("#no-such-container".into()))
        .await
        .expect_err("a missing container rejects");
    let message = assert_vantage_error(&missing, "config", Some("container"));
    assert!(
        message.contains("container '#no-such-container' not found"),
        "{message}"
    );
    let no_widget = JsFuture::from(dash.export_image(Object::new().into()))
        .await
        .expect_err("exportImage needs a widgetId");
    assert_vantage_error(&no_widget, "config", Some("widgetId"));
    let bad_filters = JsFuture::from(dash.set_filters("not an array".into()))
        .await
        .expect_err("setFilters needs an array");
    assert_vantage_error(&bad_filters, "config", Some("filters"));
    let not_rendered = JsFuture::from(dash.refresh())
        .await
        .expect_err("refresh needs a rendered embed");
    assert_vantage_error(&not_rendered, "config", Some("render"));
}

#[wasm_bindgen_test]
async fn a_backend_refusal_rejects_with_its_code_status_and_request_id() {
    ensure_echarts();
    let login = anonymous(base())
        .login("viewer@healthco.test", "vantage-demo")
        .await
        .expect("demo login");
    let dash = EmbeddedDashboard::new(config(&[
        ("baseUrl", base()),
        ("dashboardId", "no-such-dashboard"),
        ("token", &login.access_token),
        ("live", "off"),
    ]))
    .expect("valid config");
    let host = fresh_container(600, 400);
    let error = JsFuture::from(dash.render(host.clone().into()))
        .await
        .expect_err("an unknown dashboard rejects");
    assert_vantage_error(&error, "not_found", None);
    assert_eq!(get(&error, "status").as_f64(), Some(404.0));
    let request_id = get(&error, "requestId").as_string().unwrap_or_default();
    assert!(
        !request_id.is_empty(),
        "the backend's request id is passed on"
    );
    dash.destroy();
    host.remove();
}

/// Waits one task (`setTimeout(0)`), so pending promises and fetches move on.
async fn next_task() {
    sleep(Duration::ZERO).await;
}

/// The `resolve` of the host's pending `fetchToken` promise, once the embed asked (up to 50
/// tasks).
async fn asked(answer: &RefCell<Option<Function>>) -> Option<Function> {
    for _ in 0..50 {
        if let Some(resolve) = answer.borrow_mut().take() {
            return Some(resolve);
        }
        next_task().await;
    }
    None
}

#[wasm_bindgen_test]
async fn destroy_while_render_waits_mounts_nothing_and_rejects_with_destroyed() {
    ensure_echarts();
    let login = anonymous(base())
        .login("viewer@healthco.test", "vantage-demo")
        .await
        .expect("demo login");
    let options = |token: &str| {
        config(&[
            ("baseUrl", base()),
            ("dashboardId", "healthco-ai-quality"),
            ("token", token),
            ("live", "off"),
        ])
    };

    // destroy() right after render(), before its promise's first step ran.
    let dash = EmbeddedDashboard::new(options(&login.access_token)).expect("valid config");
    let host = fresh_container(600, 400);
    let pending = JsFuture::from(dash.render(host.clone().into()));
    dash.destroy();
    let error = pending
        .await
        .expect_err("a render destroyed at once rejects");
    assert_vantage_error(&error, "destroyed", None);
    next_task().await;
    assert_eq!(host.child_element_count(), 0, "nothing is mounted");
    host.remove();

    // destroy() while the host's fetchToken is still answering: the token arrives afterwards.
    let answer: Rc<RefCell<Option<Function>>> = Default::default();
    let fetch_token = {
        let answer = answer.clone();
        Closure::<dyn FnMut() -> js_sys::Promise>::new(move || {
            let answer = answer.clone();
            js_sys::Promise::new(&mut |resolve, _| *answer.borrow_mut() = Some(resolve))
        })
    };
    let with_provider = config(&[
        ("baseUrl", base()),
        ("dashboardId", "healthco-ai-quality"),
        ("live", "off"),
    ]);
    Reflect::set(&with_provider, &"fetchToken".into(), fetch_token.as_ref()).expect("set");
    let dash = EmbeddedDashboard::new(with_provider).expect("valid config");
    let host = fresh_container(600, 400);
    let pending = JsFuture::from(dash.render(host.clone().into()));
    let resolve = asked(&answer)
        .await
        .expect("render asked fetchToken for a token");
    dash.destroy();
    resolve
        .call1(&JsValue::NULL, &login.access_token.clone().into())
        .expect("resolve");
    let error = pending
        .await
        .expect_err("a render destroyed while waiting rejects");
    assert_vantage_error(&error, "destroyed", None);
    for _ in 0..5 {
        next_task().await;
    }
    assert_eq!(
        host.child_element_count(),
        0,
        "the token arriving after destroy() mounts nothing"
    );

    // The same embed renders again after destroy().
    let again = JsFuture::from(dash.render(host.clone().into()));
    // The token store may keep the token that arrived after destroy(); else it asks again.
    if let Some(resolve) = asked(&answer).await {
        resolve
            .call1(&JsValue::NULL, &login.access_token.clone().into())
            .expect("resolve");
    }
    again
        .await
        .expect("a render after destroy() loads the dashboard");
    assert_eq!(host.child_element_count(), 1, "mounted once");
    dash.destroy();
    assert_eq!(host.child_element_count(), 0, "destroy() removes it");
    host.remove();
    drop(fetch_token);

    // The first requests leave before the shell is built (in the next task); a destroy() in
    // between aborts them and builds nothing.
    let recorder = FetchRecorder::install();
    let dash = EmbeddedDashboard::new(options(&login.access_token)).expect("valid config");
    let host = fresh_container(600, 400);
    let pending = JsFuture::from(dash.render(host.clone().into()));
    let asks_for_the_dashboard = |recorder: &FetchRecorder| {
        recorder
            .fetched()
            .into_iter()
            .filter(|f| f.url.contains("/dashboards/healthco-ai-quality"))
            .collect::<Vec<_>>()
    };
    // Microtasks only: still the task in which render() began.
    for _ in 0..200 {
        if !asks_for_the_dashboard(&recorder).is_empty() {
            break;
        }
        JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
            .await
            .expect("microtask");
    }
    assert!(
        !asks_for_the_dashboard(&recorder).is_empty(),
        "the definition and data requests leave in render()'s first task"
    );
    assert_eq!(
        host.child_element_count(),
        0,
        "the shell is built in a later task"
    );
    dash.destroy();
    let error = pending
        .await
        .expect_err("destroyed before its shell was built");
    assert_vantage_error(&error, "destroyed", None);
    for _ in 0..5 {
        next_task().await;
    }
    assert_eq!(host.child_element_count(), 0, "no shell after destroy()");
    let requests = asks_for_the_dashboard(&recorder);
    assert!(
        requests.iter().all(|f| f.aborted || f.status.is_some()),
        "every request is aborted or already answered: {requests:?}"
    );
    assert!(
        requests.iter().any(|f| f.aborted),
        "destroy() aborts the requests in flight: {requests:?}"
    );
    host.remove();
    drop(recorder);
}
