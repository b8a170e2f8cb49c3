//! User accounts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::types::{NewUser, User};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create))
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
