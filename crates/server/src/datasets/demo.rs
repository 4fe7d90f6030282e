//! The demo's three datasets as ordinary definitions, and the value lists the synthetic event
//! generator draws from. The seed creates these rows for each demo tenant; after that they are
//! data like any other dataset (an admin may edit or delete them).

use vantage_contract::{DatasetInput, FieldDef, FieldRole, FieldType};

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

fn dim(name: &str, label: &str, values: &[&str]) -> FieldDef {
    FieldDef::new(name, FieldType::String, FieldRole::Dimension, label).with_values(values)
}

fn measure(name: &str, label: &str) -> FieldDef {
    FieldDef::new(name, FieldType::Number, FieldRole::Measure, label)
}

fn time() -> FieldDef {
    FieldDef::new("ts", FieldType::Time, FieldRole::Dimension, "Time")
}

/// `(id, definition)` of every demo dataset.
pub fn definitions() -> Vec<(&'static str, DatasetInput)> {
    vec![
        (
            "validations",
            DatasetInput {
                id: None,
                name: "AI validations".into(),
                description: "Every validated conversational-AI answer: status, intent, error type, latency.".into(),
                time_field: "ts".into(),
                fields: vec![
                    time(),
                    dim("intent", "Intent", &INTENTS),
                    dim("status", "Status", &STATUSES),
                    dim("error_type", "Error type", &ERROR_TYPES),
                    dim("model", "Model", &MODELS),
                    dim("session_id", "Session", &[]),
                    measure("latency_ms", "Latency").with_unit("ms"),
                    measure("confidence", "Confidence"),
                ],
                retention_days: 90,
            },
        ),
        (
            "agent_events",
            DatasetInput {
                id: None,
                name: "AI agent activity".into(),
                description: "Events from AI coding agents: sessions, code, PRs, errors, security alerts, cost.".into(),
                time_field: "ts".into(),
                fields: vec![
                    time(),
                    dim("event_type", "Event type", &AGENT_EVENTS),
                    dim("agent", "Agent", &AGENTS),
                    dim("repo", "Repository", &REPOS),
                    measure("cost_usd", "Cost").with_unit("USD").with_format("currency"),
                    measure("duration_ms", "Duration").with_unit("ms"),
                    measure("tokens", "Tokens").with_format("integer"),
                ],
                retention_days: 90,
            },
        ),
        (
            "sales",
            DatasetInput {
                id: None,
                name: "Sales".into(),
                description: "Policy sales orders by region, product and channel.".into(),
                time_field: "ts".into(),
                fields: vec![
                    time(),
                    dim("region", "Region", &REGIONS),
                    dim("product", "Product", &PRODUCTS),
                    dim("channel", "Channel", &SALES_CHANNELS),
                    measure("revenue", "Revenue").with_unit("USD").with_format("currency"),
                    measure("units", "Units").with_format("integer"),
                ],
                retention_days: 365,
            },
        ),
    ]
}

/// The demo definitions as datasets (for validating the demo dashboards without a database).
#[cfg(test)]
pub fn datasets() -> Vec<vantage_contract::Dataset> {
    definitions()
        .into_iter()
        .map(|(id, d)| d.into_dataset(id.to_owned(), 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_definitions_are_valid() {
        for (id, d) in definitions() {
            d.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
        }
    }
}
