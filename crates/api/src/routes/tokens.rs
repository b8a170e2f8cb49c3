//! The caller's own API tokens.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::types::{ApiToken, CreatedToken, NewToken};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

/// The caller's tokens (never their secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, description = "Tokens", body = [ApiToken])))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let tokens = state.identity.list_tokens(&principal).await?;
    Ok(Json(tokens.iter().map(ApiToken::from).collect()))
}

/// Creates a token, limited to `scopes` (a subset of the caller's
/// permissions; all of them when left out); its secret is in this response only.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, description = "Created", body = CreatedToken),
              (status = 400, description = "Invalid input", body = ProblemDetails)))]
async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let (token, secret) = state
        .identity
        .create_token(
            &principal,
            &body.name,
            body.expires_in_days,
            body.scopes.as_deref(),
            now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: ApiToken::from(&token),
            secret,
        }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"),
              (status = 404, description = "Not one of the caller's tokens", body = ProblemDetails)))]
async fn revoke(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::no_content(state.identity.revoke_token(&principal, &id, now_ms())).await
}
