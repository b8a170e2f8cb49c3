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
use crate::types::{page, HistoryEvent, Instance, InstancePage, InstanceQuery, StartInstance};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(get_one))
        .routes(routes!(history))
        .routes(routes!(cancel))
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
/// The engine runs it until it waits (state `active`) or ends (`completed`).
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
        &state.workflow,
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

/// The history of an instance: every element activated, completed or
/// terminated, jobs, timers, messages and incidents, in order.
#[utoipa::path(get, path = "/api/instances/{id}/history", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "Events, oldest first", body = [HistoryEvent]),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<HistoryEvent>>, ApiError> {
    if repo::find(state.store.pool(), &id).await?.is_none() {
        return Err(ApiError::NotFound(format!("no instance with id {id}")));
    }
    let events = flowdesk_store::history::for_instance(state.store.pool(), &id).await?;
    Ok(Json(events.iter().map(HistoryEvent::from).collect()))
}

/// Cancels an active instance: its jobs are cancelled, timers and
/// subscriptions closed.
#[utoipa::path(post, path = "/api/instances/{id}/cancel", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "Cancelled", body = Instance),
              (status = 404, description = "Not found", body = ProblemDetails),
              (status = 409, description = "Not active", body = ProblemDetails)))]
async fn cancel(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<Instance>, ApiError> {
    let now = now_ms();
    let mut tx = state.workflow.begin().await?;
    state.workflow.cancel_instance(&mut tx, &id, now).await?;
    services::audit_entry(
        &mut tx,
        now,
        &principal.username,
        "instance.cancel",
        &format!("instance:{id}"),
        "",
    )
    .await?;
    let instance = repo::find(&mut *tx, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no instance with id {id}")))?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(Instance::from(&instance)))
}
