//! One typed method per contract endpoint (paths relative to `/api/v1`).

use vantage_contract::{
    Alert, AlertList, AlertRule, AlertRuleInput, AlertRuleList, Branding, CreatedWebhook,
    Dashboard, DashboardData, DashboardDataRequest, DashboardInput, DashboardList, Dataset,
    DatasetInput, DatasetList, EmbedDashboard, EmbedOrigins, EmbedTokenList, EmbedTokenRequest,
    EmbedTokenResponse, Health, IngestResult, LoginRequest, Query, QueryResult, RefreshRequest,
    RowsPage, Tenant, TokenResponse, User, UserList, Webhook, WebhookDelivery, WebhookDeliveryList,
    WebhookInput, WebhookList,
};

use super::ApiClient;
use crate::SdkError;

/// Percent-encodes a path segment or query value.
pub(super) fn enc(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

impl ApiClient {
    /// `POST /auth/login`. Does not store the token; the caller decides (see `TokenStore::set`).
    ///
    /// # Errors
    /// 401 for wrong credentials, 422 for malformed input, or transport errors.
    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse, SdkError> {
        let body = LoginRequest {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        self.post_anonymous("/auth/login", &body).await
    }

    /// `POST /auth/refresh`: exchanges a refresh token (rotated) for new tokens.
    ///
    /// # Errors
    /// 401 when the refresh token is no longer valid.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenResponse, SdkError> {
        self.post_anonymous(
            "/auth/refresh",
            &RefreshRequest {
                refresh_token: refresh_token.to_owned(),
            },
        )
        .await
    }

    /// `POST /auth/logout`: ends this sign-in session on the server (its refresh tokens and
    /// access tokens stop working). Clear the local tokens afterwards.
    ///
    /// # Errors
    /// Any [`SdkError`] (the caller may ignore it: local sign-out proceeds either way).
    pub async fn logout(&self) -> Result<(), SdkError> {
        self.post::<_, serde_json::Value>("/auth/logout", &serde_json::json!({}))
            .await
            .map(drop)
    }

    /// `GET /auth/me`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn me(&self) -> Result<User, SdkError> {
        self.get("/auth/me").await
    }

    /// `GET /users`: the tenant's users and roles (tenant admins).
    ///
    /// # Errors
    /// 403 without the `manage_users` permission.
    pub async fn users(&self) -> Result<UserList, SdkError> {
        self.get("/users").await
    }

    /// `GET /health` (no authentication needed).
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn health(&self) -> Result<Health, SdkError> {
        self.get("/health").await
    }

    /// `GET /tenant`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn tenant(&self) -> Result<Tenant, SdkError> {
        self.get("/tenant").await
    }

    /// `PUT /tenant/branding` (tenant admin).
    ///
    /// # Errors
    /// 422 naming the invalid field, 403 without permission.
    pub async fn set_branding(&self, branding: &Branding) -> Result<Tenant, SdkError> {
        self.put("/tenant/branding", branding).await
    }

    /// `PUT /tenant/embed-origins` (tenant admin).
    ///
    /// # Errors
    /// 422 for malformed origins, 403 without permission.
    pub async fn set_embed_origins(&self, origins: &EmbedOrigins) -> Result<Tenant, SdkError> {
        self.put("/tenant/embed-origins", origins).await
    }

    /// `GET /dashboards`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn dashboards(&self) -> Result<DashboardList, SdkError> {
        self.get("/dashboards").await
    }

    /// `GET /dashboards/{id}`.
    ///
    /// # Errors
    /// 404 when it does not exist in the caller's tenant.
    pub async fn dashboard(&self, id: &str) -> Result<Dashboard, SdkError> {
        self.get(&format!("/dashboards/{}", enc(id))).await
    }

    /// `POST /dashboards`.
    ///
    /// # Errors
    /// 422 for an invalid definition, 403 without the edit permission.
    pub async fn create_dashboard(&self, input: &DashboardInput) -> Result<Dashboard, SdkError> {
        self.post("/dashboards", input).await
    }

    /// `PUT /dashboards/{id}` with the version last read.
    ///
    /// # Errors
    /// 409 when someone else saved first.
    pub async fn update_dashboard(
        &self,
        id: &str,
        input: &DashboardInput,
    ) -> Result<Dashboard, SdkError> {
        self.put(&format!("/dashboards/{}", enc(id)), input).await
    }

    /// `DELETE /dashboards/{id}`.
    ///
    /// # Errors
    /// 404/403.
    pub async fn delete_dashboard(&self, id: &str) -> Result<(), SdkError> {
        self.delete(&format!("/dashboards/{}", enc(id))).await
    }

    /// `POST /dashboards/{id}/data`: every widget's data in one round trip.
    ///
    /// # Errors
    /// Whole-request failures only; per-widget failures come back inside [`DashboardData`].
    pub async fn dashboard_data(
        &self,
        id: &str,
        request: &DashboardDataRequest,
    ) -> Result<DashboardData, SdkError> {
        // The columnar body when the backend has it (see `columnar.rs`).
        self.dashboard_data_columnar(id, request)
            .await
            .map(|decoded| decoded.data)
    }

    /// `GET /datasets`.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn datasets(&self) -> Result<DatasetList, SdkError> {
        self.get("/datasets").await
    }

    /// `GET /datasets/{id}`.
    ///
    /// # Errors
    /// 404 for an unknown dataset.
    pub async fn dataset(&self, id: &str) -> Result<Dataset, SdkError> {
        self.get(&format!("/datasets/{}", enc(id))).await
    }

    /// `POST /datasets` (tenant admins).
    ///
    /// # Errors
    /// 422 naming the invalid field, 409 when the id is taken.
    pub async fn create_dataset(&self, input: &DatasetInput) -> Result<Dataset, SdkError> {
        self.post("/datasets", input).await
    }

    /// `POST /datasets/{id}/events`: stores `rows` (JSON objects) all-or-nothing. Sending the
    /// same batch again with the same `idempotency_key` returns the first answer without storing
    /// the rows twice, so a batch whose answer was lost can be resent safely.
    ///
    /// # Errors
    /// 422 with `details` ([`vantage_contract::BatchErrorDetails`]) listing the bad rows; nothing
    /// of the batch was stored.
    pub async fn ingest(
        &self,
        dataset: &str,
        rows: &[serde_json::Value],
        idempotency_key: &str,
    ) -> Result<IngestResult, SdkError> {
        self.post_with_headers(
            &format!("/datasets/{}/events", enc(dataset)),
            &rows,
            &[("Idempotency-Key", idempotency_key)],
        )
        .await
    }

    /// `POST /query`.
    ///
    /// # Errors
    /// 422 naming the invalid field.
    pub async fn query(&self, query: &Query) -> Result<QueryResult, SdkError> {
        // The columnar body when the backend has it (see `columnar.rs`).
        self.query_columnar(query)
            .await
            .map(|decoded| decoded.result)
    }

    /// `GET /datasets/{id}/rows?…`: one page of raw rows; `params` is an already-encoded query
    /// string such as `limit=50&cursor=…`.
    ///
    /// # Errors
    /// 422 for invalid filters.
    pub async fn rows(&self, dataset: &str, params: &str) -> Result<RowsPage, SdkError> {
        let separator = if params.is_empty() { "" } else { "?" };
        self.get(&format!(
            "/datasets/{}/rows{separator}{params}",
            enc(dataset)
        ))
        .await
    }

    /// `GET /alerts` filtered by severity/status (`None` = all).
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn alerts(
        &self,
        severity: Option<&str>,
        status: Option<&str>,
    ) -> Result<AlertList, SdkError> {
        let mut params = Vec::new();
        if let Some(s) = severity {
            params.push(format!("severity={}", enc(s)));
        }
        if let Some(s) = status {
            params.push(format!("status={}", enc(s)));
        }
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        self.get(&format!("/alerts{query}")).await
    }

    /// `POST /alerts/{id}/acknowledge`.
    ///
    /// # Errors
    /// 403 without the alerts permission.
    pub async fn acknowledge_alert(&self, id: &str) -> Result<Alert, SdkError> {
        self.post(
            &format!("/alerts/{}/acknowledge", enc(id)),
            &serde_json::json!({}),
        )
        .await
    }

    /// `POST /alerts/{id}/resolve`.
    ///
    /// # Errors
    /// 403 without the alerts permission.
    pub async fn resolve_alert(&self, id: &str) -> Result<Alert, SdkError> {
        self.post(
            &format!("/alerts/{}/resolve", enc(id)),
            &serde_json::json!({}),
        )
        .await
    }

    /// `GET /alert-rules`: the tenant's alert rules with what each last evaluation found.
    ///
    /// # Errors
    /// Any [`SdkError`].
    pub async fn alert_rules(&self) -> Result<AlertRuleList, SdkError> {
        self.get("/alert-rules").await
    }

    /// `POST /alert-rules` (alerts permission): the rule is evaluated at once, and the answer
    /// carries what it found.
    ///
    /// # Errors
    /// 422 naming the invalid field, 403 without the alerts permission.
    pub async fn create_alert_rule(&self, input: &AlertRuleInput) -> Result<AlertRule, SdkError> {
        self.post("/alert-rules", input).await
    }

    /// `PUT /alert-rules/{id}` (alerts permission): replaces the rule and evaluates it again.
    ///
    /// # Errors
    /// 422 naming the invalid field, 404/403.
    pub async fn update_alert_rule(
        &self,
        id: &str,
        input: &AlertRuleInput,
    ) -> Result<AlertRule, SdkError> {
        self.put(&format!("/alert-rules/{}", enc(id)), input).await
    }

    /// `DELETE /alert-rules/{id}` (alerts permission); the alerts it raised stay.
    ///
    /// # Errors
    /// 404/403.
    pub async fn delete_alert_rule(&self, id: &str) -> Result<(), SdkError> {
        self.delete(&format!("/alert-rules/{}", enc(id))).await
    }

    /// `GET /webhooks` (tenant admins): the tenant's webhooks, each with its latest delivery.
    ///
    /// # Errors
    /// 403 below the tenant admin role.
    pub async fn webhooks(&self) -> Result<WebhookList, SdkError> {
        self.get("/webhooks").await
    }

    /// `POST /webhooks` (tenant admins). The answer holds the signing secret, shown only now.
    ///
    /// # Errors
    /// 422 naming the invalid field (`name`, `url`, `events`, `events[i]`), 409 when the
    /// tenant has [`vantage_contract::webhook::MAX_WEBHOOKS`] already, 403.
    pub async fn create_webhook(&self, input: &WebhookInput) -> Result<CreatedWebhook, SdkError> {
        self.post("/webhooks", input).await
    }

    /// `PUT /webhooks/{id}` (tenant admins): replaces the webhook; its secret stays.
    ///
    /// # Errors
    /// 422 naming the invalid field, 404/403.
    pub async fn update_webhook(
        &self,
        id: &str,
        input: &WebhookInput,
    ) -> Result<Webhook, SdkError> {
        self.put(&format!("/webhooks/{}", enc(id)), input).await
    }

    /// `DELETE /webhooks/{id}` (tenant admins): nothing more is sent to it.
    ///
    /// # Errors
    /// 404/403.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), SdkError> {
        self.delete(&format!("/webhooks/{}", enc(id))).await
    }

    /// `POST /webhooks/{id}/secret` (tenant admins): a new signing secret, shown only in this
    /// answer; the old one stops signing at once.
    ///
    /// # Errors
    /// 404/403.
    pub async fn rotate_webhook_secret(&self, id: &str) -> Result<CreatedWebhook, SdkError> {
        self.post(
            &format!("/webhooks/{}/secret", enc(id)),
            &serde_json::json!({}),
        )
        .await
    }

    /// `POST /webhooks/{id}/test` (tenant admins): queues a `ping` delivery, sent within about
    /// a second; the answer is that delivery, still pending (follow it with
    /// [`Self::webhook_deliveries`]).
    ///
    /// # Errors
    /// 404/403.
    pub async fn test_webhook(&self, id: &str) -> Result<WebhookDelivery, SdkError> {
        self.post(
            &format!("/webhooks/{}/test", enc(id)),
            &serde_json::json!({}),
        )
        .await
    }

    /// `GET /webhooks/{id}/deliveries` (tenant admins): its latest deliveries, newest first
    /// (at most 50).
    ///
    /// # Errors
    /// 404/403.
    pub async fn webhook_deliveries(&self, id: &str) -> Result<WebhookDeliveryList, SdkError> {
        self.get(&format!("/webhooks/{}/deliveries", enc(id))).await
    }

    /// `POST /embed/tokens` (manager and up).
    ///
    /// # Errors
    /// 422 when origins are not allowed for the tenant or the lifetime is too long.
    pub async fn create_embed_token(
        &self,
        request: &EmbedTokenRequest,
    ) -> Result<EmbedTokenResponse, SdkError> {
        self.post("/embed/tokens", request).await
    }

    /// `GET /embed/tokens` (manager and up): the tenant's embed tokens that have not expired,
    /// revoked ones included, newest first.
    ///
    /// # Errors
    /// 403 below the manager role.
    pub async fn embed_tokens(&self) -> Result<EmbedTokenList, SdkError> {
        self.get("/embed/tokens").await
    }

    /// `DELETE /embed/tokens/{id}` (manager and up): every later request with that token is
    /// refused, and its open live connections close within seconds.
    ///
    /// # Errors
    /// 403 below the manager role, 404 for a token of another tenant or an unknown id.
    pub async fn revoke_embed_token(&self, id: &str) -> Result<(), SdkError> {
        self.delete(&format!("/embed/tokens/{}", enc(id))).await
    }

    /// `GET /embed/dashboard`: the embed token's dashboard with the tenant's branding.
    ///
    /// # Errors
    /// 401/403 for bad tokens or origins.
    pub async fn embed_dashboard(&self) -> Result<EmbedDashboard, SdkError> {
        self.get("/embed/dashboard").await
    }
}
