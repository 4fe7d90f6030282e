//! # vantage-contract
//!
//! The Vantage API contract, version 1, as plain serde types plus the pure logic that both
//! sides of the wire must agree on. Nothing here performs IO, so the crate builds for native
//! targets (the reference server, the conformance suite) and for `wasm32` (the SDK, widgets and
//! app).
//!
//! JSON field names are camelCase throughout. Every non-2xx response carries [`ErrorBody`];
//! validation failures (422) name the offending field in `details.field`.

pub mod admin;
pub mod alert;
pub mod audit;
pub mod auth;
pub mod columnar;
pub mod dashboard;
pub mod dataset;
pub mod embed;
pub mod error;
pub mod ingest;
pub mod live;
#[cfg(feature = "openapi")]
mod openapi;
pub mod password;
pub mod query;
pub mod result;
pub mod roles;
pub mod rows;
pub mod setup;
pub mod tenant;
pub mod users;
pub mod validation;
pub mod version;
pub mod webhook;
pub mod wire;

pub use admin::{CreateTenantRequest, Readiness, TenantList, TenantSummary, UpdateTenantRequest};
pub use alert::{
    Alert, AlertList, AlertRule, AlertRuleInput, AlertRuleList, AlertStatus, Comparison, Severity,
};
pub use audit::{AuditAction, AuditEntry, AuditPage};
pub use auth::{LoginRequest, RefreshRequest, TokenResponse, User, UserList};
pub use dashboard::{
    CrossFilter, Dashboard, DashboardData, DashboardDataRequest, DashboardInput, DashboardList,
    Layout, Position, Widget, WidgetData, WidgetKind,
};
pub use dataset::{
    Aggregation, Dataset, DatasetInput, DatasetList, DimensionDef, FieldDef, FieldRole, FieldType,
    MeasureDef,
};
pub use embed::{
    may_manage_embed_tokens, EmbedDashboard, EmbedTokenInfo, EmbedTokenList, EmbedTokenRequest,
    EmbedTokenResponse, EMBED_TOKEN_ROLE,
};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use ingest::{
    BatchErrorDetails, CreatedIngestKey, DeletedRows, IngestKey, IngestKeyInput, IngestKeyList,
    IngestResult, RowError,
};
pub use live::{LiveCursor, LiveEnvelope, LiveKind, MetricRollup, WsClientMessage};
pub use query::{
    validate_time_zone, Filter, FilterOp, Granularity, Measure, Query, Sort, SortDir, TimePreset,
    TimeRange,
};
pub use result::{Column, ColumnType, QueryMeta, QueryResult, QueryResultError};
pub use roles::{Permission, Role};
pub use rows::{Health, RowsPage};
pub use setup::{SetupRequest, SetupStatus};
pub use tenant::{Branding, EmbedOrigins, Tenant, ThemeMode};
pub use users::{
    AcceptInvitationRequest, ChangePasswordRequest, CompletePasswordResetRequest, Invitation,
    InvitationRequest, PasswordResetLink, UpdateUserRequest,
};
pub use validation::{FieldError, Rule, Validated};
pub use webhook::{
    CreatedWebhook, DeliveryStatus, Webhook, WebhookDelivery, WebhookDeliveryList, WebhookEvent,
    WebhookFormat, WebhookInput, WebhookList, WebhookPayload,
};
