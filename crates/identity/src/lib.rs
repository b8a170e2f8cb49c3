//! Flowdesk identity.
//!
//! Owns who a caller is and what they may do: argon2id password hashing,
//! random session and API-token secrets (only their SHA-256 is stored),
//! [`Permission`]s and the [`Principal`] of a request, the [`rbac`] check, and
//! the [`Identity`] service that signs users in and out (password, then TOTP
//! or a recovery code when enrolled, or a [`passkey`]; passwordless sign-in
//! with a passkey; sign-in [`throttle`] with lockout and
//! back-off), manages users, sessions, scoped tokens and roles, and appends an
//! audit entry in the same transaction as every change. TOTP secrets are
//! stored sealed ([`keys`]: encryption at rest with `flowdesk-vault`).
//!
//! Boundaries: depends on `flowdesk-store` for persistence and knows nothing
//! about HTTP (no cookies, headers or status codes; that is `flowdesk-api`).
//! Time is always passed in (`now`, milliseconds since the epoch), so the
//! expiry rules are pure and testable.

#![warn(missing_docs)]

pub mod keys;
pub mod mfa;
pub mod passkey;
pub mod password;
pub mod permission;
pub mod policy;
pub mod principal;
pub mod rbac;
pub mod role;
pub mod secret;
pub mod service;
pub mod session;
pub mod throttle;

pub use permission::Permission;
pub use principal::{Principal, Via};
pub use rbac::Denied;
pub use role::Role;
pub use service::{Denial, Identity, IdentityError, SignIn, TotpEnrolment};
