//! Incidents: list them, resolve them.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, QueryParams};
use crate::services;
use crate::types::{CommandOutcome, Incident, IncidentQuery};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(resolve))
}

/// Incidents, newest first; `instance` keeps those of one instance.
#[utoipa::path(get, path = "/api/incidents", tag = "incidents", params(IncidentQuery),
    responses((status = 200, description = "Incidents", body = [Incident]),
              (status = 400, description = "Bad query", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<IncidentQuery>,
) -> Result<Json<Vec<Incident>>, ApiError> {
    Ok(Json(services::list_incidents(&state.store, query).await?))
}

/// Resolves an incident: the stuck step is retried (a job gets at least one
/// retry and becomes activatable). Resolving twice is harmless.
#[utoipa::path(post, path = "/api/incidents/{key}/resolve", tag = "incidents",
    params(("key" = i64, Path, description = "Incident key")),
    responses((status = 200, description = "Resolved", body = CommandOutcome),
              (status = 404, description = "No such incident", body = ProblemDetails)))]
async fn resolve(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<i64>,
) -> Result<Json<CommandOutcome>, ApiError> {
    let outcome = services::resolve_incident(&state.workflow, key, &principal.username).await?;
    Ok(Json(outcome))
}
