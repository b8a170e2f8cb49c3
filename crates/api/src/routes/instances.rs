//! Process instances.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use flowdesk_identity::{Permission, Principal};
use flowdesk_store::instances as repo;
use flowdesk_store::sensitive::{self, INSTANCE_VARIABLES, MASK};
use flowdesk_store::Store;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::services;
use crate::types::{
    variables_of, HistoryEvent, Instance, InstancePage, InstanceQuery, InstanceVariables,
    ModifyInstance, StartInstance,
};
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, start))
        .routes(routes!(get_one))
        .routes(routes!(history))
        .routes(routes!(cancel))
        .routes(routes!(get_variables, set_variables))
        .routes(routes!(modify))
}

/// Instances, newest first, filtered by process and state. An active
/// instance stopped at an open incident is in state `incident`.
#[utoipa::path(get, path = "/api/instances", tag = "instances", params(InstanceQuery),
    responses((status = 200, description = "A page of instances", body = InstancePage),
              (status = 400, description = "Bad query", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<InstanceQuery>,
) -> Result<Json<InstancePage>, ApiError> {
    let mut page = services::list_instances(&state.store, query).await?;
    for instance in &mut page.items {
        unmask(&state.store, &principal, instance).await?;
    }
    Ok(Json(page))
}

/// Whether `principal` sees the values of sensitive variables.
fn may_unmask(principal: &Principal) -> bool {
    principal.has(Permission::VariableUnmask)
}

fn holds_mask(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text == MASK,
        serde_json::Value::Array(items) => items.iter().any(holds_mask),
        serde_json::Value::Object(members) => members.values().any(holds_mask),
        _ => false,
    }
}

/// Opens the sensitive variables of `view` (masked by the services) for a
/// principal holding `variable:unmask`.
async fn unmask(store: &Store, principal: &Principal, view: &mut Instance) -> Result<(), ApiError> {
    if !may_unmask(principal) || !holds_mask(&view.variables) {
        return Ok(());
    }
    let stored = repo::find(store.pool(), &view.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no instance with id {}", view.id)))?;
    let mut variables = serde_json::from_str(&stored.variables)
        .map_err(|e| ApiError::Internal(format!("variables of instance {}: {e}", view.id)))?;
    sensitive::open_document(store, &INSTANCE_VARIABLES, &view.id, &mut variables).await?;
    view.variables = variables;
    Ok(())
}

/// `view` as `principal` may see it.
async fn shown(
    store: &Store,
    principal: &Principal,
    mut view: Instance,
) -> Result<Json<Instance>, ApiError> {
    unmask(store, principal, &mut view).await?;
    Ok(Json(view))
}

/// Starts an instance of a definition version, or of a process (its latest
/// version, or `version`, or the version tagged `version_tag`).
///
/// The engine runs it until it waits (state `active`) or ends (`completed`).
/// With `await_seconds` the answer comes when the instance has ended or
/// stopped at an incident, or when the time is up (then in state `active`).
#[utoipa::path(post, path = "/api/instances", tag = "instances", request_body = StartInstance,
    responses((status = 201, description = "Started", body = Instance),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 404, description = "No such definition", body = ProblemDetails)))]
async fn start(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<StartInstance>,
) -> Result<(StatusCode, Json<Instance>), ApiError> {
    let wait = match body.await_seconds {
        None => None,
        Some(seconds) if seconds.is_finite() && seconds >= 0.0 => Some(
            std::time::Duration::from_secs_f64(seconds.min(services::MAX_AWAIT.as_secs_f64())),
        ),
        Some(seconds) => {
            return Err(ApiError::InvalidRequest(format!(
                "await_seconds must be a number of seconds from 0 to 300, not {seconds}"
            )))
        }
    };
    let definition = match body.version_tag.as_deref() {
        Some(tag) => {
            services::resolve_tagged_definition(
                &state.store,
                body.definition_id.as_deref(),
                body.process_id.as_deref(),
                body.version,
                tag,
            )
            .await?
        }
        None => {
            services::resolve_start_definition(
                &state.store,
                body.definition_id.as_deref(),
                body.process_id.as_deref(),
                body.version,
            )
            .await?
        }
    };
    let variables = body.variables.unwrap_or_else(|| serde_json::json!({}));
    let instance = services::start_and_await(
        &state.workflow,
        &definition,
        variables,
        wait,
        &principal.username,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        shown(&state.store, &principal, instance).await?,
    ))
}

/// One instance.
#[utoipa::path(get, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance", body = Instance),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn get_one(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<Instance>, ApiError> {
    let view = services::instance_view(&state.store, &id).await?;
    shown(&state.store, &principal, view).await
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
    let view = services::cancel_instance(&state.workflow, &id, &principal.username).await?;
    shown(&state.store, &principal, view).await
}

/// The process-level variables of an instance; sensitive ones are `****`
/// unless the caller holds `variable:unmask`.
#[utoipa::path(get, path = "/api/instances/{id}/variables", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The variables", body = InstanceVariables),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn get_variables(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<InstanceVariables>, ApiError> {
    let mut view = services::instance_view(&state.store, &id).await?;
    unmask(&state.store, &principal, &mut view).await?;
    Ok(Json(InstanceVariables {
        variables: view.variables,
    }))
}

/// Sets variables of an active instance: each lands in the scope where it
/// exists already, else at the process level; conditional events react.
#[utoipa::path(put, path = "/api/instances/{id}/variables", tag = "instances",
    request_body = InstanceVariables,
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance after the change", body = Instance),
              (status = 400, description = "Not a JSON object of variables", body = ProblemDetails),
              (status = 404, description = "Not found", body = ProblemDetails),
              (status = 409, description = "The instance is not active", body = ProblemDetails)))]
async fn set_variables(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<InstanceVariables>,
) -> Result<Json<Instance>, ApiError> {
    let variables = variables_of(Some(body.variables))?;
    let view =
        services::set_variables(&state.workflow, &id, variables, &principal.username).await?;
    shown(&state.store, &principal, view).await
}

/// Modifies an active instance: activates elements (after setting their
/// variables) and terminates element instances, in one step.
#[utoipa::path(post, path = "/api/instances/{id}/modify", tag = "instances",
    request_body = ModifyInstance,
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, description = "The instance after the change", body = Instance),
              (status = 400, description = "Malformed modification", body = ProblemDetails),
              (status = 404, description = "No such instance, element or element instance", body = ProblemDetails),
              (status = 409, description = "The instance is not active", body = ProblemDetails)))]
async fn modify(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ModifyInstance>,
) -> Result<Json<Instance>, ApiError> {
    let view = services::modify_instance(&state.workflow, &id, body, &principal.username).await?;
    shown(&state.store, &principal, view).await
}
