//! Helpers shared by the `sdk_*` browser tests: the test servers' URLs (baked in at build time by
//! `cargo xtask test`), renewing sign-in, the restart control, and a `fetch` recorder that sees
//! every request the SDK makes (its status, and whether its `AbortSignal` fired).
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::FutureExt;
use vantage_sdk::{ApiClient, ClientConfig, SdkError, TokenSource, TokenStore};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The reference server shared by all tests.
pub fn base() -> &'static str {
    option_env!("VANTAGE_TEST_BASE_URL")
        .filter(|u| !u.is_empty())
        .expect("VANTAGE_TEST_BASE_URL: run through `cargo xtask test`")
}

/// The server the tests may crash and restart (short-lived access tokens).
pub fn restartable() -> &'static str {
    option_env!("VANTAGE_TEST_RESTARTABLE_URL")
        .filter(|u| !u.is_empty())
        .expect("VANTAGE_TEST_RESTARTABLE_URL: run through `cargo xtask test`")
}

/// Access-token lifetime of the restartable server, in seconds.
pub fn token_ttl_secs() -> f64 {
    option_env!("VANTAGE_TEST_TOKEN_TTL_SECS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0)
}

/// An anonymous client for `base`.
pub fn anonymous(base: &str) -> ApiClient {
    ApiClient::new(
        ClientConfig::new(base),
        TokenStore::new(None, TokenSource::Anonymous),
    )
}

/// A signed-in client whose token source exchanges the (rotating) refresh token, like the app
/// does; the returned counter counts renewals.
pub async fn renewing(base: &str, email: &str) -> (ApiClient, Rc<Cell<u32>>) {
    let login = anonymous(base)
        .login(email, "vantage-demo")
        .await
        .expect("demo login");
    let refresh = Rc::new(RefCell::new(login.refresh_token));
    let count = Rc::new(Cell::new(0_u32));
    let renew = {
        let (refresh, count, base) = (refresh, Rc::clone(&count), base.to_owned());
        Rc::new(move || {
            let (refresh, count, base) = (Rc::clone(&refresh), Rc::clone(&count), base.clone());
            async move {
                let current = refresh.borrow().clone();
                let tokens = anonymous(&base).refresh(&current).await?;
                *refresh.borrow_mut() = tokens.refresh_token;
                count.set(count.get() + 1);
                Ok::<_, SdkError>(tokens.access_token)
            }
            .boxed_local()
        })
    };
    let api = ApiClient::new(
        ClientConfig::new(base),
        TokenStore::new(Some(login.access_token), TokenSource::Renewing(renew)),
    );
    (api, count)
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn js_fetch(url: &str, init: &JsValue) -> js_sys::Promise;
}

/// Crashes the restartable server, keeps it down for `down_ms` and waits until it is back.
pub async fn crash_and_restart(down_ms: u32) {
    let control = option_env!("VANTAGE_TEST_RESTART_CONTROL_URL")
        .filter(|u| !u.is_empty())
        .expect("VANTAGE_TEST_RESTART_CONTROL_URL: run through `cargo xtask test`");
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"method".into(), &"POST".into()).expect("init");
    let response = JsFuture::from(js_fetch(
        &format!("{control}/restart?down_ms={down_ms}"),
        &init,
    ))
    .await
    .expect("the restart control answers");
    let status = js_sys::Reflect::get(&response, &"status".into())
        .ok()
        .and_then(|s| s.as_f64());
    assert_eq!(status, Some(200.0), "the server came back");
}

/// One `fetch` the page made, as seen by [`FetchRecorder`].
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub url: String,
    /// HTTP status once answered.
    pub status: Option<u16>,
    /// Whether the request's `AbortSignal` fired.
    pub aborted: bool,
    /// The rejection's name (`AbortError`, `TypeError`) when the fetch failed.
    pub failure: Option<String>,
    /// The request body (read asynchronously; may lag a moment behind the request).
    pub body: Option<String>,
}

/// Wraps `window.fetch` to record every request; restores it when dropped.
pub struct FetchRecorder;

const INSTALL: &str = r#"
if (!window.__vtOriginalFetch) { window.__vtOriginalFetch = window.fetch; }
const original = window.__vtOriginalFetch;
window.__vtFetches = [];
window.fetch = function (input, init) {
  const record = { url: String((input && input.url) || input), status: null, aborted: false, failure: null, body: null };
  if (input && typeof input.clone === 'function') { input.clone().text().then((t) => { record.body = t; }, () => {}); }
  const signal = (init && init.signal) || (input && input.signal);
  if (signal) { signal.addEventListener('abort', () => { record.aborted = true; }); }
  window.__vtFetches.push(record);
  const answer = original.call(window, input, init);
  answer.then((r) => { record.status = r.status; }, (e) => { record.failure = (e && e.name) || String(e); });
  return answer;
};
"#;

impl FetchRecorder {
    /// Starts recording (forgetting earlier records).
    pub fn install() -> Self {
        js_sys::Function::new_no_args(INSTALL)
            .call0(&JsValue::NULL)
            .expect("install the fetch recorder");
        FetchRecorder
    }

    /// Everything recorded so far.
    pub fn fetched(&self) -> Vec<Fetched> {
        let window = web_sys::window().expect("window");
        let list = js_sys::Reflect::get(&window, &"__vtFetches".into()).unwrap_or_default();
        js_sys::Array::from(&list)
            .iter()
            .map(|r| {
                let get = |k: &str| js_sys::Reflect::get(&r, &k.into()).unwrap_or_default();
                Fetched {
                    url: get("url").as_string().unwrap_or_default(),
                    status: get("status").as_f64().map(|s| s as u16),
                    aborted: get("aborted").as_bool().unwrap_or(false),
                    failure: get("failure").as_string(),
                    body: get("body").as_string(),
                }
            })
            .collect()
    }
}

impl Drop for FetchRecorder {
    fn drop(&mut self) {
        let _ = js_sys::Function::new_no_args(
            "if (window.__vtOriginalFetch) { window.fetch = window.__vtOriginalFetch; }",
        )
        .call0(&JsValue::NULL);
    }
}
