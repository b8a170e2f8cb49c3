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
/// name and correlation key and starts instances at message start events,
/// in one transaction; with `ttl_ms` it is kept for subscriptions opened
/// later.
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
        body.ttl_ms.unwrap_or(0),
    )
    .await?;
    Ok(Json(MessageCorrelated { instances }))
}
