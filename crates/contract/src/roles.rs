//! Roles and the permission matrix. The server enforces it; the UI mirrors it to hide what a
//! role cannot do.
//!
//! ```
//! use vantage_contract::{Permission, Role};
//! assert!(Role::Analyst.can(Permission::ExportData));
//! assert!(!Role::Viewer.can(Permission::ExportData));
//! ```

use serde::Serialize;

use crate::wire::unit_enum;

unit_enum! {
    /// A user's role. System admins act across tenants; everyone else within one tenant.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Role {
        SystemAdmin,
        TenantAdmin,
        Manager,
        Analyst,
        Viewer,
    }
}

unit_enum! {
    /// Something a role may do.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum Permission {
        ViewDashboard,
        ExportData,
        ConfigureAlerts,
        ManageUsers,
        GenerateReports,
        EditDashboards,
        AccessAuditLog,
        /// Create, rename, deactivate and list tenants (system admins only).
        ManageTenants,
    }
}

impl Role {
    /// The permission matrix.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::SystemAdmin => &Permission::ALL,
            Role::TenantAdmin => &[
                ViewDashboard,
                ExportData,
                ConfigureAlerts,
                ManageUsers,
                GenerateReports,
                EditDashboards,
                AccessAuditLog,
            ],
            Role::Manager => &[
                ViewDashboard,
                ExportData,
                GenerateReports,
                ConfigureAlerts,
                AccessAuditLog,
            ],
            Role::Analyst => &[ViewDashboard, ExportData, GenerateReports],
            Role::Viewer => &[ViewDashboard],
        }
    }

    /// Whether this role holds `permission`.
    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// Whether this role is at least as powerful as `other` (system admin > tenant admin >
    /// manager > analyst > viewer).
    pub fn at_least(self, other: Role) -> bool {
        self <= other
    }

    /// The wire name (`tenant_admin`, …).
    pub fn as_str(self) -> &'static str {
        crate::wire::name_of(&self)
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn matrix_matches_the_documented_table() {
        assert_eq!(Role::Viewer.permissions(), &[ViewDashboard]);
        for p in [ViewDashboard, ExportData, GenerateReports] {
            assert!(Role::Analyst.can(p), "{p:?}");
        }
        for p in [ConfigureAlerts, ManageUsers, EditDashboards, AccessAuditLog] {
            assert!(!Role::Analyst.can(p), "{p:?}");
        }
        for p in [
            ViewDashboard,
            ExportData,
            GenerateReports,
            ConfigureAlerts,
            AccessAuditLog,
        ] {
            assert!(Role::Manager.can(p), "{p:?}");
        }
        assert!(!Role::Manager.can(ManageUsers));
        assert!(!Role::Manager.can(EditDashboards));
        for p in Permission::ALL {
            assert!(Role::SystemAdmin.can(p));
            assert_eq!(Role::TenantAdmin.can(p), p != ManageTenants, "{p:?}");
        }
        for r in [
            Role::TenantAdmin,
            Role::Manager,
            Role::Analyst,
            Role::Viewer,
        ] {
            assert!(!r.can(ManageTenants), "{r:?}");
        }
    }

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::SystemAdmin.at_least(Role::TenantAdmin));
        assert!(Role::Manager.at_least(Role::Manager));
        assert!(!Role::Viewer.at_least(Role::Analyst));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
        assert_eq!(serde_json::to_value(ExportData).unwrap(), "export_data");
    }
}
