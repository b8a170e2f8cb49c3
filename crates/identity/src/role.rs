//! The preset roles and the permissions they grant.
//!
//! The database seeds the same table (first migration); a test keeps the two equal.

use std::fmt;
use std::str::FromStr;

use crate::Permission;

/// One of the five preset roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Everything.
    Admin,
    /// Designs and deploys definitions, starts instances.
    Designer,
    /// Runs and watches instances.
    Operator,
    /// Reads definitions and instances for reporting.
    Analyst,
    /// Reads definitions and instances.
    Viewer,
}

/// A role name that is not a preset role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected admin, designer, operator, analyst or viewer)")]
pub struct UnknownRole(pub String);

impl Role {
    /// Every preset role.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Designer,
        Role::Operator,
        Role::Analyst,
        Role::Viewer,
    ];

    /// The stored name, e.g. `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Designer => "designer",
            Role::Operator => "operator",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    /// The permissions the role grants.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::Designer => &[
                DefinitionRead,
                DefinitionDeploy,
                InstanceRead,
                InstanceStart,
                ReportRead,
            ],
            Role::Operator => &[DefinitionRead, InstanceRead, InstanceStart, ReportRead],
            Role::Analyst => &[DefinitionRead, InstanceRead, ReportRead, ReportManage],
            Role::Viewer => &[DefinitionRead, InstanceRead, ReportRead],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}
