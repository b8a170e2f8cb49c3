//! The permissions a role can grant.

use std::fmt;
use std::str::FromStr;

/// One action on one kind of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// `definition:read`: list and read deployed definitions.
    DefinitionRead,
    /// `definition:deploy`: deploy new definition versions.
    DefinitionDeploy,
    /// `instance:read`: list and read process instances.
    InstanceRead,
    /// `instance:start`: start process instances.
    InstanceStart,
    /// `user:read`: list users.
    UserRead,
    /// `user:manage`: create and change users.
    UserManage,
    /// `audit:read`: read the audit log.
    AuditRead,
    /// `report:read`: read dashboards, reports, their runs and the analytics read model.
    ReportRead,
    /// `report:manage`: create, change, delete and run dashboards and reports.
    ReportManage,
    /// `variable:unmask`: see the values of sensitive variables (others see `****`).
    VariableUnmask,
}

/// A permission name that Flowdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission {0:?}")]
pub struct UnknownPermission(pub String);

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: [Permission; 10] = [
        Permission::DefinitionRead,
        Permission::DefinitionDeploy,
        Permission::InstanceRead,
        Permission::InstanceStart,
        Permission::UserRead,
        Permission::UserManage,
        Permission::AuditRead,
        Permission::ReportRead,
        Permission::ReportManage,
        Permission::VariableUnmask,
    ];

    /// The wire and database name, e.g. `definition:read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::DefinitionRead => "definition:read",
            Permission::DefinitionDeploy => "definition:deploy",
            Permission::InstanceRead => "instance:read",
            Permission::InstanceStart => "instance:start",
            Permission::UserRead => "user:read",
            Permission::UserManage => "user:manage",
            Permission::AuditRead => "audit:read",
            Permission::ReportRead => "report:read",
            Permission::ReportManage => "report:manage",
            Permission::VariableUnmask => "variable:unmask",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Permission {
    type Err = UnknownPermission;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPermission(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for permission in Permission::ALL {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(permission));
        }
        assert!("definition:write".parse::<Permission>().is_err());
    }
}
