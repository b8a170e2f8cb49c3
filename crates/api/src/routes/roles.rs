//! Roles: their permissions and whether they require a second factor.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use flowdesk_identity::rbac::ResourceType;
use flowdesk_identity::Permission;
use flowdesk_store::roles::{ResourceGrant, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(update))
        .routes(routes!(list_grants, grant))
        .routes(routes!(revoke_grant))
}

/// A role.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RoleView {
    /// Name, e.g. `operator`.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Permissions it grants.
    pub permissions: Vec<String>,
    /// Whether its users must sign in with a second factor.
    pub require_mfa: bool,
}

impl From<Role> for RoleView {
    fn from(role: Role) -> Self {
        RoleView {
            name: role.name,
            description: role.description,
            permissions: role.permissions,
            require_mfa: role.require_mfa,
        }
    }
}

/// Every role.
#[utoipa::path(get, path = "/api/roles", tag = "users",
    responses((status = 200, description = "Roles", body = [RoleView]),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:read", body = ProblemDetails)))]
async fn list(State(state): State<AppState>) -> Result<Json<Vec<RoleView>>, ApiError> {
    let roles = state.identity.list_roles().await?;
    Ok(Json(roles.into_iter().map(RoleView::from).collect()))
}

/// A change to a role.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct RoleChange {
    /// Require a second factor of the role's users (those without one must
    /// enrol before anything else).
    pub require_mfa: bool,
}

/// Changes a role.
#[utoipa::path(patch, path = "/api/roles/{name}", tag = "users", request_body = RoleChange,
    params(("name" = String, Path, description = "Role name")),
    responses((status = 200, description = "The changed role", body = RoleView),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:manage", body = ProblemDetails),
              (status = 404, description = "No such role", body = ProblemDetails)))]
async fn update(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<RoleChange>,
) -> Result<Json<RoleView>, ApiError> {
    state
        .identity
        .set_role_requires_mfa(&principal.username, &name, body.require_mfa, now_ms())
        .await?;
    let role = state
        .identity
        .list_roles()
        .await?
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("role {name} not found")))?;
    Ok(Json(RoleView::from(role)))
}

/// The kind of resource a grant is on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(super) enum GrantResourceType {
    /// A process, by its BPMN process id: its instances.
    Process,
    /// A decision, by its decision id: evaluating it.
    Decision,
    /// A report, by its id.
    Report,
}

impl From<GrantResourceType> for ResourceType {
    fn from(kind: GrantResourceType) -> Self {
        match kind {
            GrantResourceType::Process => ResourceType::Process,
            GrantResourceType::Decision => ResourceType::Decision,
            GrantResourceType::Report => ResourceType::Report,
        }
    }
}

/// A permission a role holds on one resource only.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct GrantView {
    /// The grant's id.
    pub id: String,
    /// The role holding it.
    pub role: String,
    /// The permission, e.g. `instance:start`.
    pub permission: String,
    /// `process`, `decision` or `report`.
    pub resource_type: String,
    /// The process id, decision id or report id.
    pub resource_id: String,
    /// When it was granted (ms since the epoch).
    pub created_at: i64,
}

impl From<ResourceGrant> for GrantView {
    fn from(grant: ResourceGrant) -> Self {
        GrantView {
            id: grant.id,
            role: grant.role,
            permission: grant.permission,
            resource_type: grant.resource_type,
            resource_id: grant.resource_id,
            created_at: grant.created_at,
        }
    }
}

/// A permission to grant on one resource.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewGrant {
    /// The permission: `instance:read` or `instance:start` on a process,
    /// `instance:start` on a decision, `report:read` or `report:manage` on a report.
    pub permission: String,
    /// The kind of resource.
    pub resource_type: GrantResourceType,
    /// The process id, decision id or report id (1 to 200 characters).
    pub resource_id: String,
}

/// The permissions a role holds on single resources (beyond those it holds everywhere).
#[utoipa::path(get, path = "/api/roles/{name}/grants", tag = "users",
    params(("name" = String, Path, description = "Role name")),
    responses((status = 200, description = "The role's resource grants", body = [GrantView]),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:read", body = ProblemDetails),
              (status = 404, description = "No such role", body = ProblemDetails)))]
async fn list_grants(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    let grants = state.identity.list_grants(&name).await?;
    Ok(Json(grants.into_iter().map(GrantView::from).collect()))
}

/// Grants a role a permission on one resource (audited as `role.grant`).
#[utoipa::path(post, path = "/api/roles/{name}/grants", tag = "users", request_body = NewGrant,
    params(("name" = String, Path, description = "Role name")),
    responses((status = 201, description = "The new grant", body = GrantView),
              (status = 400, description = "Malformed body, unknown permission, or one that cannot be granted on that resource type", body = ProblemDetails),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:manage", body = ProblemDetails),
              (status = 404, description = "No such role", body = ProblemDetails),
              (status = 409, description = "The role already holds it", body = ProblemDetails)))]
async fn grant(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<NewGrant>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let permission: Permission = body.permission.parse().map_err(
        |error: flowdesk_identity::permission::UnknownPermission| {
            ApiError::InvalidRequest(format!("permission: {error}"))
        },
    )?;
    let grant = state
        .identity
        .grant_on_resource(
            &principal.username,
            &name,
            permission,
            body.resource_type.into(),
            &body.resource_id,
            now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(GrantView::from(grant))))
}

/// Takes a resource grant away from a role (audited as `role.revoke_grant`).
#[utoipa::path(delete, path = "/api/roles/{name}/grants/{id}", tag = "users",
    params(("name" = String, Path, description = "Role name"),
           ("id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:manage", body = ProblemDetails),
              (status = 404, description = "No such grant of this role", body = ProblemDetails)))]
async fn revoke_grant(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((name, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    super::no_content(
        state
            .identity
            .revoke_grant(&principal.username, &name, &id, now_ms()),
    )
    .await
}
