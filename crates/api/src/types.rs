//! JSON types of the API (see docs/INTERFACES.md). Timestamps are RFC 3339 UTC strings.

use flowdesk_store::{audit, definitions, instances, tokens, users};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// RFC 3339 (UTC) text of a millisecond timestamp.
pub(crate) fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A user account (never with its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Role name.
    pub role: String,
    /// Creation time.
    pub created_at: String,
    /// The role's permissions (on `/api/auth/me` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

impl From<&users::User> for User {
    fn from(u: &users::User) -> Self {
        User {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role.clone(),
            created_at: rfc3339(u.created_at),
            permissions: None,
        }
    }
}

/// A deployed definition version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Definition {
    /// Id of this version.
    pub id: String,
    /// BPMN process id (or decision / form id).
    pub process_id: String,
    /// Display name.
    pub name: String,
    /// Version, from 1.
    pub version: i64,
    /// File it was deployed from.
    pub resource_name: String,
    /// `bpmn`, `dmn` or `form`.
    pub kind: String,
    /// Deployment time.
    pub deployed_at: String,
    /// Who deployed it.
    pub deployed_by: String,
}

impl From<&definitions::Definition> for Definition {
    fn from(d: &definitions::Definition) -> Self {
        Definition {
            id: d.id.clone(),
            process_id: d.process_id.clone(),
            name: d.name.clone(),
            version: d.version,
            resource_name: d.resource_name.clone(),
            kind: d.kind.as_str().to_string(),
            deployed_at: rfc3339(d.deployed_at),
            deployed_by: d.deployed_by.clone(),
        }
    }
}

/// A process instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct Instance {
    /// Id.
    pub id: String,
    /// Definition version it runs.
    pub definition_id: String,
    /// BPMN process id.
    pub process_id: String,
    /// Name of the process.
    pub process_name: String,
    /// Definition version number.
    pub version: i64,
    /// `active`, `completed`, `cancelled` or `incident`.
    pub state: String,
    /// Process variables.
    #[schema(value_type = Object)]
    pub variables: serde_json::Value,
    /// Start time.
    pub started_at: String,
    /// End time, once finished.
    pub ended_at: Option<String>,
    /// Who started it.
    pub started_by: String,
}

impl From<&instances::Instance> for Instance {
    fn from(i: &instances::Instance) -> Self {
        Instance {
            id: i.id.clone(),
            definition_id: i.definition_id.clone(),
            process_id: i.process_id.clone(),
            process_name: i.process_name.clone(),
            version: i.version,
            state: i.state.clone(),
            variables: serde_json::from_str(&i.variables).unwrap_or(serde_json::Value::Null),
            started_at: rfc3339(i.started_at),
            ended_at: i.ended_at.map(rfc3339),
            started_by: i.started_by.clone(),
        }
    }
}

/// A page of instances.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstancePage {
    /// Newest first.
    pub items: Vec<Instance>,
    /// How many match the filter in all.
    pub total: i64,
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// Creation time.
    pub created_at: String,
    /// Expiry, if any.
    pub expires_at: Option<String>,
    /// Last use, if any.
    pub last_used_at: Option<String>,
}

impl From<&tokens::ApiToken> for ApiToken {
    fn from(t: &tokens::ApiToken) -> Self {
        ApiToken {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

/// A new token with its secret, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The token.
    pub token: ApiToken,
    /// `fd_…`: send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// An entry of the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub resource: String,
    /// Detail.
    pub detail: String,
    /// Hash linking it to the entry before.
    pub hash: String,
}

impl From<&audit::AuditEntry> for AuditEntry {
    fn from(e: &audit::AuditEntry) -> Self {
        AuditEntry {
            seq: e.seq,
            at: rfc3339(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            resource: e.resource.clone(),
            detail: e.detail.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A page of audit entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// Entries in all.
    pub total: i64,
}

/// Username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Initial password (at least 8 characters).
    pub password: String,
    /// `admin`, `designer`, `operator`, `analyst` or `viewer`.
    pub role: String,
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// Label.
    pub name: String,
    /// Lifetime in days; none = no expiry.
    pub expires_in_days: Option<u32>,
}

/// An instance to start: by definition version or by process id (latest version).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartInstance {
    /// A definition version id.
    pub definition_id: Option<String>,
    /// A process id; starts its latest version.
    pub process_id: Option<String>,
    /// Initial variables (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
}

/// Whether first-run setup is needed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// True while no user exists.
    pub needs_setup: bool,
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Live {
    /// `ok`.
    pub status: String,
}

/// Readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok` or `error`.
    pub database: String,
}

/// Query of POST /api/definitions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeployQuery {
    /// File name of the upload, e.g. `order.bpmn`.
    pub name: Option<String>,
}

/// Query of GET /api/instances.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstanceQuery {
    /// Only this process id.
    pub process_id: Option<String>,
    /// Only this state.
    pub state: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Paging query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Clamps paging parameters.
pub(crate) fn page(limit: Option<i64>, offset: Option<i64>) -> (i64, i64) {
    (
        limit.unwrap_or(50).clamp(1, 500),
        offset.unwrap_or(0).max(0),
    )
}
