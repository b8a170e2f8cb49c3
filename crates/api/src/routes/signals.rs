//! Signals broadcast to every waiting instance.

use axum::extract::State;
use axum::Json;
use flowdesk_store::StoreError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::JsonBody;
use crate::types::{variables_of, BroadcastSignal, SignalBroadcast};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(broadcast))
}

/// Broadcasts a signal: every instance waiting for a signal of that name
/// gets it, and an instance starts at each signal start event of that name
/// (latest versions), in one transaction.
#[utoipa::path(post, path = "/api/signals", tag = "signals", request_body = BroadcastSignal,
    responses((status = 200, description = "Broadcast (possibly reaching none)", body = SignalBroadcast),
              (status = 400, description = "Malformed body", body = ProblemDetails)))]
async fn broadcast(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<BroadcastSignal>,
) -> Result<Json<SignalBroadcast>, ApiError> {
    if body.name.is_empty() {
        return Err(ApiError::InvalidRequest("name must not be empty".into()));
    }
    let variables = variables_of(body.variables)?;
    let mut tx = state.workflow.begin().await?;
    let instances = state
        .workflow
        .broadcast_signal(&mut tx, &body.name, variables, crate::now_ms())
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Json(SignalBroadcast { instances }))
}
