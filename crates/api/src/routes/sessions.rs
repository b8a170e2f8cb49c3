//! The caller's own sessions and password.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use flowdesk_identity::Via;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::types::rfc3339;
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(revoke))
        .routes(routes!(change_password))
}

/// A signed-in session (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SessionView {
    /// Id, for revoking.
    pub id: String,
    /// Sign-in time.
    pub created_at: String,
    /// Last request.
    pub last_seen_at: String,
    /// Absolute expiry (idle expiry comes sooner without requests).
    pub expires_at: String,
    /// Client address it was opened from, if known.
    pub client: String,
    /// Whether this is the session of this request.
    pub current: bool,
}

/// The caller's valid sessions, newest first.
#[utoipa::path(get, path = "/api/auth/sessions", tag = "auth",
    responses((status = 200, description = "Sessions", body = [SessionView]),
              (status = 401, description = "Not signed in", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let current = match &principal.via {
        Via::Session { session_id, .. } => Some(session_id.clone()),
        Via::ApiToken { .. } => None,
    };
    let sessions = state.identity.list_sessions(&principal, now_ms()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionView {
                current: Some(&s.id) == current.as_ref(),
                id: s.id,
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                expires_at: rfc3339(s.expires_at),
                client: s.client,
            })
            .collect(),
    ))
}

/// Ends one of the caller's sessions; it is refused from its next request on.
#[utoipa::path(delete, path = "/api/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 404, description = "Not one of the caller's sessions", body = ProblemDetails)))]
async fn revoke(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::no_content(state.identity.revoke_session(&principal, &id, now_ms())).await
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct PasswordChange {
    /// The password now.
    pub current_password: String,
    /// The new password (at least 12 characters, not the username, not a common password).
    pub new_password: String,
}

/// Changes the caller's password; every other session of theirs ends.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204, description = "Changed"),
              (status = 400, description = "The new password breaks the policy", body = ProblemDetails),
              (status = 401, description = "Not signed in, or the current password is wrong", body = ProblemDetails)))]
async fn change_password(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    super::no_content(state.identity.change_password(
        &principal,
        &body.current_password,
        &body.new_password,
        now_ms(),
    ))
    .await
}
