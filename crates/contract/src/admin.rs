//! Tenant administration (system admins) and the readiness probe.

use crate::setup::{validate_name, ORG_NAME_MAX};
use crate::validation::{FieldError, Validated};
use serde::{Deserialize, Serialize};

/// One tenant in `GET /api/v1/tenants`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
    /// A deactivated tenant's users cannot sign in and its embed tokens stop working.
    pub active: bool,
    /// Users of the tenant (system admins not counted).
    pub user_count: u64,
    pub dashboard_count: u64,
    /// Epoch ms (0 for tenants created before this was recorded).
    pub created_at: i64,
}

/// `GET /api/v1/tenants` (system admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantList {
    pub items: Vec<TenantSummary>,
}

/// `POST /api/v1/tenants` (system admin). Answers 201 with a [`TenantSummary`]; 409 when the
/// id is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// `a-z`, `0-9` and `-`, 2..=40 characters, starting with a letter; derived from the name
    /// when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// 1..=80 characters.
    pub name: String,
}

impl CreateTenantRequest {
    /// # Errors
    /// A bad `id` or `name`.
    pub fn validate(&self) -> Validated {
        if let Some(id) = &self.id {
            validate_tenant_id(id, "id")?;
        }
        validate_name(&self.name, "name", ORG_NAME_MAX)
    }
}

/// `PATCH /api/v1/tenants/{id}` (system admin): rename and/or (de)activate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl UpdateTenantRequest {
    /// # Errors
    /// A bad `name`.
    pub fn validate(&self) -> Validated {
        match &self.name {
            Some(n) => validate_name(n, "name", ORG_NAME_MAX),
            None => Ok(()),
        }
    }
}

/// A tenant id: `a-z`, `0-9` and `-`, 2..=40 characters, starting with a letter.
///
/// # Errors
/// Anything else, on `field`.
pub fn validate_tenant_id(id: &str, field: &str) -> Validated {
    let ok = (2..=40).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "must be 2 to 40 characters of a-z, 0-9 and '-', starting with a letter",
        ))
    }
}

/// A tenant id made from a name (`"Acme Health"` → `acme-health`); `t-` is prepended when the
/// name does not start with a letter, `tenant` stands in for a name without any.
pub fn tenant_id_from_name(name: &str) -> String {
    let mut id = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
        if id.len() >= 40 {
            break;
        }
    }
    let mut id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        id.push_str("tenant");
    }
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id = format!("t-{id}");
    }
    id.truncate(40);
    id.trim_end_matches('-').to_owned()
}

/// `GET /api/v1/ready`: 200 when the server can serve (database reachable), else 503 with the
/// error shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    /// `ready`.
    pub status: String,
    /// Whether first-run setup is still pending (the server is ready, but nobody can sign in).
    pub setup_pending: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_names_are_valid_ids() {
        for (name, id) in [
            ("Acme Health", "acme-health"),
            ("  Ünïcode & Co ", "n-code-co"),
            ("42 Labs", "t-42-labs"),
            ("!", "tenant"),
        ] {
            let got = tenant_id_from_name(name);
            assert_eq!(got, id, "{name}");
            assert!(validate_tenant_id(&got, "id").is_ok(), "{got}");
        }
        let long = tenant_id_from_name(&"abc ".repeat(30));
        assert!(validate_tenant_id(&long, "id").is_ok(), "{long}");
    }

    #[test]
    fn bad_ids_are_refused() {
        for id in ["A", "a", "-ab", "1ab", "ab_c", &"a".repeat(41)] {
            assert!(validate_tenant_id(id, "id").is_err(), "{id}");
        }
    }
}
