//! What a user admin may do to one user of the list, and why not — the server's rules (system
//! admins are managed with the CLI; a tenant keeps one active tenant admin) plus two the app adds
//! so nobody locks themselves out: you cannot change your own role or deactivate yourself, and
//! you change your own password on the account page.

use vantage_contract::{Role, User};
use vantage_widgets::messages::Msg;

use crate::i18n::{tr, tw, A};

/// Each action on a user: allowed, or the reason it is not.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRules {
    pub change_role: Result<(), Why>,
    pub deactivate: Result<(), Why>,
    pub reactivate: Result<(), Why>,
    pub reset_password: Result<(), Why>,
}

/// Why an action is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The list is still loading (who "me" is is not known yet).
    Loading,
    SystemAdmin,
    LastAdmin,
    YourselfRole,
    YourselfActive,
    YourselfPassword,
}

impl Why {
    /// The reason in the active language (reactive, like [`tr`]).
    pub fn text(self) -> &'static str {
        match self {
            Why::Loading => tw(Msg::Loading),
            Why::SystemAdmin => tr(A::RuleSystemAdmin),
            Why::LastAdmin => tr(A::RuleLastAdmin),
            Why::YourselfRole => tr(A::RuleYourselfRole),
            Why::YourselfActive => tr(A::RuleYourselfActive),
            Why::YourselfPassword => tr(A::RuleYourselfPassword),
        }
    }
}

/// Active tenant admins in `users`.
pub fn active_admins(users: &[User]) -> usize {
    users
        .iter()
        .filter(|u| u.role == Role::TenantAdmin && u.active)
        .count()
}

/// What `me` may do to `target`, given the list's count of active tenant admins.
pub fn rules_for(me: &User, target: &User, active_admins: usize) -> UserRules {
    if target.role == Role::SystemAdmin {
        return UserRules {
            change_role: Err(Why::SystemAdmin),
            deactivate: Err(Why::SystemAdmin),
            reactivate: Err(Why::SystemAdmin),
            reset_password: Err(Why::SystemAdmin),
        };
    }
    let myself = me.id == target.id;
    let last_admin = target.role == Role::TenantAdmin && target.active && active_admins <= 1;
    let guard = |yours: Why| {
        if myself {
            Err(yours)
        } else if last_admin {
            Err(Why::LastAdmin)
        } else {
            Ok(())
        }
    };
    UserRules {
        change_role: guard(Why::YourselfRole),
        deactivate: guard(Why::YourselfActive),
        reactivate: Ok(()),
        reset_password: if myself {
            Err(Why::YourselfPassword)
        } else {
            Ok(())
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, role: Role, active: bool) -> User {
        User {
            id: id.into(),
            email: format!("{id}@acme.example"),
            name: id.into(),
            role,
            tenant_id: "acme".into(),
            tenant_name: "Acme".into(),
            permissions: role.permissions().to_vec(),
            active,
        }
    }

    #[test]
    fn the_last_active_tenant_admin_cannot_be_demoted_or_deactivated() {
        let me = user("sys", Role::SystemAdmin, true);
        let admin = user("a", Role::TenantAdmin, true);
        let viewer = user("v", Role::Viewer, true);
        let list = [admin.clone(), viewer];
        let r = rules_for(&me, &admin, active_admins(&list));
        assert_eq!(r.change_role, Err(Why::LastAdmin));
        assert_eq!(r.deactivate, Err(Why::LastAdmin));
        assert_eq!(r.reset_password, Ok(()));
        let second = user("b", Role::TenantAdmin, true);
        let list = [admin.clone(), second];
        assert_eq!(
            rules_for(&me, &admin, active_admins(&list)).deactivate,
            Ok(())
        );
    }

    #[test]
    fn a_deactivated_admin_does_not_count() {
        let admin = user("a", Role::TenantAdmin, true);
        let gone = user("b", Role::TenantAdmin, false);
        assert_eq!(active_admins(&[admin, gone]), 1);
    }

    #[test]
    fn nobody_changes_their_own_role_status_or_password_here() {
        let me = user("a", Role::TenantAdmin, true);
        let other = user("b", Role::TenantAdmin, true);
        let r = rules_for(&me, &me, active_admins(&[me.clone(), other]));
        assert_eq!(r.change_role, Err(Why::YourselfRole));
        assert_eq!(r.deactivate, Err(Why::YourselfActive));
        assert_eq!(r.reset_password, Err(Why::YourselfPassword));
    }

    #[test]
    fn system_admins_are_out_of_reach() {
        let me = user("a", Role::TenantAdmin, true);
        let sys = user("s", Role::SystemAdmin, true);
        let r = rules_for(&me, &sys, 1);
        assert!(r.change_role.is_err() && r.deactivate.is_err() && r.reset_password.is_err());
    }

    #[test]
    fn others_may_be_changed_and_reactivated() {
        let me = user("a", Role::TenantAdmin, true);
        let off = user("m", Role::Manager, false);
        let r = rules_for(&me, &off, 1);
        assert_eq!(r.change_role, Ok(()));
        assert_eq!(r.reactivate, Ok(()));
    }
}
