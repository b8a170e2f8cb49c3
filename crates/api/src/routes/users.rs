//! User accounts.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::types::{NewUser, User};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke_sessions))
        .routes(routes!(reset_passkeys))
}

/// All users.
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses((status = 200, description = "Users", body = [User])))]
async fn list(State(state): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    let users = state.identity.list_users().await?;
    Ok(Json(users.iter().map(User::from).collect()))
}

/// Creates a user with a role.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses((status = 201, description = "Created", body = User),
              (status = 400, description = "Invalid input", body = ProblemDetails),
              (status = 409, description = "Username taken", body = ProblemDetails)))]
async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state
        .identity
        .create_user(
            &principal.username,
            &body.username,
            &body.password,
            &body.role,
            now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(User::from(&user))))
}

/// Ends every session of a user (an administrator's action); they are
/// refused from their next request on. API tokens are not affected.
#[utoipa::path(delete, path = "/api/users/{id}/sessions", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "Sessions ended"),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:manage", body = ProblemDetails),
              (status = 404, description = "No such user", body = ProblemDetails)))]
async fn revoke_sessions(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::no_content(
        state
            .identity
            .revoke_user_sessions(&principal.username, &id, now_ms()),
    )
    .await
}

/// Removes every passkey of a user (an administrator's action, e.g. for a
/// lost authenticator; audited as `passkey.reset`). They sign in with their
/// password and register new ones.
#[utoipa::path(delete, path = "/api/users/{id}/passkeys", tag = "users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "Passkeys removed"),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Lacks user:manage", body = ProblemDetails),
              (status = 404, description = "No such user", body = ProblemDetails)))]
async fn reset_passkeys(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::no_content(
        state
            .identity
            .reset_passkeys(&principal.username, &id, now_ms()),
    )
    .await
}
