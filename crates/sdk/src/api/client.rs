//! [`ApiClient`]: requests with bearer tokens, timeouts, abort-on-drop, retries and the contract's
//! error mapping.
//!
//! - Every request runs under its own `AbortController`; dropping the request's future (e.g.
//!   because the store that awaited it was dropped, or a newer query superseded it) aborts it.
//! - A request that gets no answer within the timeout (default 15 s) fails with
//!   [`SdkError::Timeout`], distinct from [`SdkError::Aborted`] and [`SdkError::Network`].
//! - Idempotent GETs retry transient failures (network, 5xx) up to 3 times with exponential
//!   backoff; a 429 waits for `Retry-After`. Writes never retry on their own.
//! - A 401 renews the token once (when the token source can) and repeats the request once; a
//!   second 401, or a 401 for a token that cannot be renewed, is [`SdkError::AuthExpired`].
//!   (Requests sent without any token keep the backend's 401 as [`SdkError::Api`].)
//! - A client made with [`ApiClient::with_tenant`] sends `X-Tenant-Id` on every request: a
//!   system admin acting in another tenant (the server ignores it for everyone else).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::{Method, RequestBuilder};
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use serde::Serialize;
use vantage_contract::{version, ErrorBody};
use web_sys::AbortController;

use crate::auth::TokenStore;
use crate::SdkError;

/// What this SDK calls itself in the `x-vantage-sdk` header (see [`vantage_contract::version`]).
pub const SDK_AGENT: &str = concat!("vantage-sdk/", env!("CARGO_PKG_VERSION"));

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Backend origin, e.g. `http://127.0.0.1:8080` (no trailing `/api/v1`).
    pub base_url: String,
    pub timeout: Duration,
    /// Retries for idempotent requests on transient failures.
    pub max_retries: u32,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            timeout: Duration::from_secs(15),
            max_retries: 3,
        }
    }
}

/// Typed access to a Vantage backend. Cheap to clone.
#[derive(Clone)]
pub struct ApiClient {
    config: Rc<ClientConfig>,
    tokens: TokenStore,
    /// Sent as `X-Tenant-Id` (see [`ApiClient::with_tenant`]).
    acting_tenant: Option<Rc<str>>,
}

/// Aborts the request when dropped (including when its future is dropped mid-flight).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct RawResponse {
    status: u16,
    retry_after: Option<u32>,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// The body of a 2xx answer and its `Content-Type`.
pub(crate) struct RawBody {
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl RawBody {
    /// Whether the body is of `media_type` (parameters such as `charset` aside).
    pub fn is(&self, media_type: &str) -> bool {
        self.content_type.as_deref().is_some_and(|c| {
            c.split(';')
                .next()
                .is_some_and(|c| c.trim().eq_ignore_ascii_case(media_type))
        })
    }
}

impl ApiClient {
    /// A client for `config.base_url` authenticating with `tokens`.
    pub fn new(config: ClientConfig, tokens: TokenStore) -> Self {
        let mut config = config;
        config.base_url = config.base_url.trim_end_matches('/').to_owned();
        Self {
            config: Rc::new(config),
            tokens,
            acting_tenant: None,
        }
    }

    /// The same client (same tokens) acting in `tenant`: every request carries
    /// `X-Tenant-Id: <tenant>`, which lets a system admin read and manage another tenant's users,
    /// audit log and dashboards. `None` acts in the signed-in user's own tenant.
    pub fn with_tenant(&self, tenant: Option<&str>) -> Self {
        Self {
            acting_tenant: tenant.filter(|t| !t.is_empty()).map(Rc::from),
            ..self.clone()
        }
    }

    /// The tenant set with [`ApiClient::with_tenant`], if any.
    pub fn acting_tenant(&self) -> Option<&str> {
        self.acting_tenant.as_deref()
    }

    /// The token store (to set the token after login, or listen for renewals).
    pub fn tokens(&self) -> &TokenStore {
        &self.tokens
    }

    /// The backend origin.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// `GET /api/v1{path}`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SdkError> {
        self.request::<(), T>(Method::GET, path, None, true).await
    }

    /// `POST /api/v1{path}` with a JSON body.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SdkError> {
        self.request(Method::POST, path, Some(body), true).await
    }

    /// `PUT /api/v1{path}` with a JSON body.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SdkError> {
        self.request(Method::PUT, path, Some(body), true).await
    }

    /// `PATCH /api/v1{path}` with a JSON body.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SdkError> {
        self.request(Method::PATCH, path, Some(body), true).await
    }

    /// `GET /api/v1{path}` answered with text rather than JSON (CSV exports).
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn get_text(&self, path: &str) -> Result<String, SdkError> {
        let body = self
            .request_body::<()>(Method::GET, path, None, true, &[])
            .await?;
        String::from_utf8(body.bytes).map_err(|e| SdkError::Decode(e.to_string()))
    }

    /// `DELETE /api/v1{path}`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn delete(&self, path: &str) -> Result<(), SdkError> {
        self.request::<(), serde_json::Value>(Method::DELETE, path, None, true)
            .await
            .map(drop)
    }

    /// `GET /api/v1{path}` without a bearer token (public status such as `/setup`).
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn get_anonymous<T: DeserializeOwned>(&self, path: &str) -> Result<T, SdkError> {
        self.request::<(), T>(Method::GET, path, None, false).await
    }

    /// `POST /api/v1{path}` without a bearer token (login, refresh).
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn post_anonymous<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SdkError> {
        self.request(Method::POST, path, Some(body), false).await
    }

    /// `POST /api/v1{path}` with extra request headers (e.g. `Idempotency-Key`). Like every
    /// write it is not retried on its own.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn post_with_headers<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        headers: &[(&str, &str)],
    ) -> Result<T, SdkError> {
        let body = self
            .request_body(Method::POST, path, Some(body), true, headers)
            .await?;
        decode(&body.bytes)
    }

    async fn request<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        authenticated: bool,
    ) -> Result<T, SdkError> {
        let body = self
            .request_body(method, path, body, authenticated, &[])
            .await?;
        decode(&body.bytes)
    }

    /// Sends the request (renewing, retrying as the module docs say) and returns the body of a
    /// 2xx answer.
    pub(crate) async fn request_body<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        authenticated: bool,
        headers: &[(&str, &str)],
    ) -> Result<RawBody, SdkError> {
        let url = format!("{}/api/v1{}", self.config.base_url, path);
        let body = body
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| SdkError::Decode(format!("cannot encode the request body: {e}")))?;
        let idempotent = method == Method::GET;
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            let token = if authenticated {
                self.tokens.current().await
            } else {
                Ok(None)
            };
            let outcome = match &token {
                Ok(token) => {
                    self.attempt(&method, &url, body.as_deref(), token.as_deref(), headers)
                        .await
                }
                // A renewal that could not reach the backend is retried like the request.
                Err(error) => Err(error.clone()),
            };
            let token = token.ok().flatten();
            let error = match outcome {
                Ok(raw) if (200..300).contains(&raw.status) => {
                    return Ok(RawBody {
                        content_type: raw.content_type,
                        bytes: raw.body,
                    })
                }
                Ok(raw)
                    if raw.status == 401
                        && authenticated
                        && !renewed
                        && self.tokens.can_renew() =>
                {
                    renewed = true;
                    self.tokens.renew().await?;
                    continue;
                }
                Ok(raw) if raw.status == 401 && token.is_some() => {
                    // The renewed token (or a token that cannot be renewed) was refused too.
                    return Err(SdkError::AuthExpired(error_from(raw).to_string()));
                }
                Ok(raw) if raw.status == 429 && idempotent && attempt < self.config.max_retries => {
                    attempt += 1;
                    sleep(Duration::from_secs(u64::from(
                        raw.retry_after.unwrap_or(1).min(30),
                    )))
                    .await;
                    continue;
                }
                Ok(raw) => error_from(raw),
                Err(error) => error,
            };
            if idempotent && error.is_transient() && attempt < self.config.max_retries {
                attempt += 1;
                sleep(Duration::from_millis(250 * (1 << attempt))).await;
                continue;
            }
            return Err(error);
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        body: Option<&str>,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<RawResponse, SdkError> {
        let controller = AbortController::new()
            .map_err(|_| SdkError::Network("AbortController unavailable".into()))?;
        let signal = controller.signal();
        let guard = AbortOnDrop(controller);
        let timed_out = Rc::new(Cell::new(false));
        let timeout_ms = u32::try_from(self.config.timeout.as_millis()).unwrap_or(u32::MAX);
        let _timer = {
            let timed_out = Rc::clone(&timed_out);
            let controller = guard.0.clone();
            Timeout::new(timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let mut builder = RequestBuilder::new(url)
            .method(method.clone())
            .abort_signal(Some(&signal))
            .header(version::CONTRACT_HEADER, version::CONTRACT_VERSION)
            .header(version::AGENT_HEADER, SDK_AGENT);
        if let Some(token) = token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        if let Some(tenant) = &self.acting_tenant {
            builder = builder.header("X-Tenant-Id", tenant);
        }
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request = match body {
            Some(json) => builder
                .header("Content-Type", "application/json")
                .body(json.to_owned()),
            None => builder.build(),
        }
        .map_err(|e| SdkError::Network(e.to_string()))?;
        let fail = |e: gloo_net::Error| {
            if timed_out.get() {
                SdkError::Timeout(timeout_ms)
            } else if signal.aborted() {
                SdkError::Aborted
            } else {
                SdkError::Network(e.to_string())
            }
        };
        let response = request.send().await.map_err(fail)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok());
        let content_type = response.headers().get("content-type");
        // Bytes, not text: the data endpoints may answer the binary columnar body.
        let body = response.binary().await.map_err(fail)?;
        drop(guard);
        Ok(RawResponse {
            status,
            retry_after,
            content_type,
            body,
        })
    }
}

/// A JSON body (an empty body reads as `null`).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SdkError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| SdkError::Decode(e.to_string()))
}

fn error_from(raw: RawResponse) -> SdkError {
    match serde_json::from_slice::<ErrorBody>(&raw.body) {
        Ok(body) => SdkError::from_api(raw.status, body.error),
        Err(_) => SdkError::Http {
            status: raw.status,
            body: String::from_utf8_lossy(&raw.body)
                .chars()
                .take(200)
                .collect(),
        },
    }
}

async fn sleep(duration: Duration) {
    gloo_timers::future::sleep(duration).await;
}
