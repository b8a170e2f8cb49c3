//! Role-based access control.

use crate::{Permission, Principal};

/// The principal lacks a permission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{username} (role {role}) lacks permission {permission}")]
pub struct Denied {
    /// Who was denied.
    pub username: String,
    /// Their role.
    pub role: String,
    /// What they lacked.
    pub permission: Permission,
}

/// Allows the action when the principal's role grants `permission`.
pub fn check(principal: &Principal, permission: Permission) -> Result<(), Denied> {
    if principal.has(permission) {
        Ok(())
    } else {
        Err(Denied {
            username: principal.username.clone(),
            role: principal.role.clone(),
            permission,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::Via;

    fn principal(permissions: &[Permission]) -> Principal {
        Principal {
            user_id: "u1".into(),
            username: "ann".into(),
            role: "viewer".into(),
            permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
            via: Via::ApiToken {
                token_id: "t1".into(),
            },
            must_enrol_mfa: false,
        }
    }

    #[test]
    fn grants_only_held_permissions() {
        let viewer = principal(&[Permission::DefinitionRead, Permission::InstanceRead]);
        assert!(check(&viewer, Permission::DefinitionRead).is_ok());
        let denied = check(&viewer, Permission::DefinitionDeploy).expect_err("must be denied");
        assert_eq!(denied.permission, Permission::DefinitionDeploy);
        assert_eq!(
            denied.to_string(),
            "ann (role viewer) lacks permission definition:deploy"
        );
    }

    #[test]
    fn nobody_without_permissions_passes() {
        let nobody = principal(&[]);
        for permission in Permission::ALL {
            assert!(check(&nobody, permission).is_err());
        }
    }
}
