//! The datasets this server exposes, with the SQL table and column behind each field.
//! Field names are validated against these schemas before any SQL is built, so only these
//! identifiers ever reach a statement.

use std::sync::OnceLock;
use vantage_contract::{Aggregation, ColumnType, Dataset, DimensionDef, MeasureDef};

pub const INTENTS: [&str; 6] = [
    "billing",
    "claims",
    "eligibility",
    "appointments",
    "policy_lookup",
    "general",
];
pub const STATUSES: [&str; 3] = ["VALID", "INVALID", "UNKNOWN"];
pub const ERROR_TYPES: [&str; 5] = [
    "HALLUCINATION",
    "CALCULATION_ERROR",
    "POLICY_VIOLATION",
    "LOGIC_INCONSISTENCY",
    "UNKNOWN",
];
pub const MODELS: [&str; 3] = ["gpt-4o", "claude-sonnet", "llama-70b"];
pub const AGENT_EVENTS: [&str; 7] = [
    "session_start",
    "session_end",
    "code_generated",
    "pr_created",
    "error",
    "security_alert",
    "cost_incurred",
];
pub const AGENTS: [&str; 4] = ["coder-1", "coder-2", "reviewer", "planner"];
pub const REPOS: [&str; 4] = ["web", "api", "infra", "mobile"];
pub const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
pub const PRODUCTS: [&str; 5] = ["basic", "plus", "premium", "family", "enterprise"];
pub const SALES_CHANNELS: [&str; 3] = ["online", "partner", "direct"];

/// A dataset and the table behind it.
pub struct Source {
    pub schema: Dataset,
    pub table: &'static str,
}

fn dim(name: &str, label: &str, ty: ColumnType, values: &[&str]) -> DimensionDef {
    DimensionDef {
        name: name.into(),
        label: label.into(),
        column_type: ty,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn measure(name: &str, label: &str, ty: ColumnType, unit: Option<&str>) -> MeasureDef {
    use Aggregation::*;
    MeasureDef {
        name: name.into(),
        label: label.into(),
        column_type: ty,
        aggregations: vec![Count, Sum, Avg, Min, Max, P50, P95, P99],
        unit: unit.map(str::to_owned),
    }
}

/// Every dataset.
pub fn all() -> &'static [Source] {
    static SOURCES: OnceLock<Vec<Source>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        use ColumnType::*;
        vec![
            Source {
                table: "validations",
                schema: Dataset {
                    id: "validations".into(),
                    name: "AI validations".into(),
                    description: "Every validated conversational-AI answer: status, intent, error type, latency.".into(),
                    time_field: "ts".into(),
                    dimensions: vec![
                        dim("intent", "Intent", String, &INTENTS),
                        dim("status", "Status", String, &STATUSES),
                        dim("error_type", "Error type", String, &ERROR_TYPES),
                        dim("model", "Model", String, &MODELS),
                        dim("session_id", "Session", String, &[]),
                    ],
                    measures: vec![
                        measure("latency_ms", "Latency", Float, Some("ms")),
                        measure("confidence", "Confidence", Float, None),
                    ],
                },
            },
            Source {
                table: "agent_events",
                schema: Dataset {
                    id: "agent_events".into(),
                    name: "AI agent activity".into(),
                    description: "Events from AI coding agents: sessions, code, PRs, errors, security alerts, cost.".into(),
                    time_field: "ts".into(),
                    dimensions: vec![
                        dim("event_type", "Event type", String, &AGENT_EVENTS),
                        dim("agent", "Agent", String, &AGENTS),
                        dim("repo", "Repository", String, &REPOS),
                    ],
                    measures: vec![
                        measure("cost_usd", "Cost", Float, Some("USD")),
                        measure("duration_ms", "Duration", Float, Some("ms")),
                        measure("tokens", "Tokens", Integer, None),
                    ],
                },
            },
            Source {
                table: "sales",
                schema: Dataset {
                    id: "sales".into(),
                    name: "Sales".into(),
                    description: "Policy sales orders by region, product and channel.".into(),
                    time_field: "ts".into(),
                    dimensions: vec![
                        dim("region", "Region", String, &REGIONS),
                        dim("product", "Product", String, &PRODUCTS),
                        dim("channel", "Channel", String, &SALES_CHANNELS),
                    ],
                    measures: vec![
                        measure("revenue", "Revenue", Float, Some("USD")),
                        measure("units", "Units", Integer, None),
                    ],
                },
            },
        ]
    })
}

/// The dataset called `id`.
pub fn find(id: &str) -> Option<&'static Source> {
    all().iter().find(|s| s.schema.id == id)
}

/// The schema called `id`.
pub fn schema(id: &str) -> Option<&'static Dataset> {
    find(id).map(|s| &s.schema)
}
