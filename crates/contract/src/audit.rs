//! The audit log: an append-only, tenant-scoped record of who did what and when.
//! `GET /api/v1/audit` pages through it newest first; `GET /api/v1/audit.csv` exports it.

use serde::{Deserialize, Serialize};

use crate::wire::unit_enum;

unit_enum! {
    /// What happened.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum AuditAction {
        SetupCompleted,
        SignIn,
        SignInFailed,
        SignOut,
        UserInvited,
        InvitationAccepted,
        UserRoleChanged,
        UserDeactivated,
        UserReactivated,
        PasswordResetIssued,
        PasswordResetCompleted,
        PasswordChanged,
        EmbedTokenIssued,
        EmbedTokenRevoked,
        DashboardCreated,
        DashboardUpdated,
        DashboardDeleted,
        AlertRuleCreated,
        AlertRuleUpdated,
        AlertRuleDeleted,
        BrandingChanged,
        EmbedOriginsChanged,
        TenantCreated,
        TenantRenamed,
        TenantDeactivated,
        TenantReactivated,
        WebhookCreated,
        WebhookUpdated,
        WebhookDeleted,
        WebhookSecretRotated,
    }
}

impl AuditAction {
    /// The wire name (`sign_in`, …).
    pub fn as_str(self) -> &'static str {
        crate::wire::name_of(&self)
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Increases with time; also the paging cursor.
    pub id: i64,
    /// Epoch ms.
    pub at: i64,
    pub tenant_id: String,
    pub action: AuditAction,
    /// The acting user's id (absent for anonymous actions such as a failed sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// The acting user's email at the time (or the email tried, for a failed sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    /// What was acted on: a user id, dashboard id, tenant id…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Action-specific facts, e.g. `{ "from": "viewer", "to": "manager" }`.
    #[serde(default)]
    pub details: serde_json::Value,
}

/// `GET /api/v1/audit`: newest first; pass `nextCursor` as `cursor` for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@`, tab or carriage return
/// is neutralised with a `'` so spreadsheets do not run it as a formula.
///
/// ```
/// use vantage_contract::audit::csv_cell;
/// assert_eq!(csv_cell("plain"), "plain");
/// assert_eq!(csv_cell("a,b"), "\"a,b\"");
/// assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
/// ```
pub fn csv_cell(value: &str) -> String {
    let safe = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_their_wire_names() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::json!(a.as_str())
            );
        }
    }

    #[test]
    fn csv_cells_are_escaped_and_formula_safe() {
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell(""), "");
    }
}
