//! Process instances.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use flowdesk_store::instances::{self as repo, InstanceFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::services;
use crate::types::{page, Instance, InstancePage, InstanceQuery, StartInstance};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(get_one))
}

/// Instances, newest first, filtered by process and state.
#[utoipa::path(get, path = "/api/instances", tag = "instances", params(InstanceQuery),
    responses((status = 200, description = "A page of instances", body = InstancePage),
              (status = 400, description = "Bad query", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<InstanceQuery>,
) -> Result<Json<InstancePage>, ApiError> {
    let (limit, offset) = page(query.limit, query.offset);
    let filter = InstanceFilter {
        process_id: query.process_id.filter(|s| !s.is_empty()),
        state: query.state.filter(|s| !s.is_empty()),
        limit,
        offset,
    };
    let result = repo::list(&state.store, &filter).await?;
    Ok(Json(InstancePage {
        items: result.items.iter().map(Instance::from).collect(),
        total: result.total,
    }))
}

/// Starts an instance of a definition version, or of the latest version of a process.
///
/// The execution engine arrives in a later issue: for now the instance is
/// recorded in state `active` (with an audit entry) and does not advance.
#[utoipa::path(post, path = "/api/instances", tag = "instances", request_body = StartInstance,
    responses((status = 201, description = "Started", body = Instance),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 404, description = "No such definition", body = ProblemDetails)))]
async fn start(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<StartInstance>,
) -> Result<(StatusCode, Json<Instance>), ApiError> {
    let definition = services::resolve_definition(
        &state.store,
        body.definition_id.as_deref(),
        body.process_id.as_deref(),
    )
    .await?;
    let variables = body.variables.unwrap_or_else(|| serde_json::json!({}));
    let instance = services::start_instance(
        &state.store,
        &definition,
        variables,
        &principal.username,
        now_ms(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Instance::from(&instance))))
}

/// One instance.
#[utoipa::path(get, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance", body = Instance),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Instance>, ApiError> {
    let instance = repo::find(state.store.pool(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no instance with id {id}")))?;
    Ok(Json(Instance::from(&instance)))
}
