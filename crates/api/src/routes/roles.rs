//! Roles: their permissions and whether they require a second factor.

use axum::extract::{Path, State};
use axum::Json;
use flowdesk_store::roles::Role;
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
