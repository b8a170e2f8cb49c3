//! Who is making a request.

use std::collections::BTreeSet;

use crate::Permission;

/// How the caller authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser or desktop session; holds the SHA-256 of the session secret.
    Session {
        /// Stored hash of the session secret (never the secret).
        token_hash: String,
        /// The session's public id.
        session_id: String,
    },
    /// An API token.
    ApiToken {
        /// The token's id.
        token_id: String,
    },
}

/// An authenticated caller with the permissions of their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id.
    pub user_id: String,
    /// The user's name (the audit actor).
    pub username: String,
    /// The user's role.
    pub role: String,
    /// Permissions granted by the role.
    pub permissions: BTreeSet<Permission>,
    /// How they authenticated.
    pub via: Via,
    /// Their role requires a second factor they have not enrolled yet: until
    /// they do, only enrolment, sign-out and `me` are open to them.
    pub must_enrol_mfa: bool,
}

impl Principal {
    /// Whether the principal holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}
