//! Messages correlated to waiting instances.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::JsonBody;
use crate::types::{variables_of, MessageCorrelated, PublishMessage};
use crate::{services, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(publish))
}

/// Publishes a message: it is correlated to every instance waiting for that
/// name and correlation key, in one transaction.
#[utoipa::path(post, path = "/api/messages", tag = "messages", request_body = PublishMessage,
    responses((status = 200, description = "Correlated (possibly to none)", body = MessageCorrelated),
              (status = 400, description = "Malformed body", body = ProblemDetails)))]
async fn publish(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<PublishMessage>,
) -> Result<Json<MessageCorrelated>, ApiError> {
    let variables = variables_of(body.variables)?;
    let instances = services::publish_message(
        &state.workflow,
        &body.name,
        body.correlation_key.as_deref().unwrap_or(""),
        variables,
    )
    .await?;
    if instances.is_empty() && body.ttl_ms.is_some_and(|ttl| ttl > 0) {
        // Buffering for ttl_ms is not durable yet: say so in the log.
        tracing::info!(name = %body.name, "message matched no waiting instance and was not buffered");
    }
    Ok(Json(MessageCorrelated { instances }))
}
