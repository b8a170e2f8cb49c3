//! Deployed definitions.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowdesk_store::definitions::{self as repo, Kind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, QueryParams};
use crate::services;
use crate::types::{Definition, DefinitionQuery, DeployQuery};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, deploy))
        .routes(routes!(get_one))
        .routes(routes!(get_xml))
}

/// All definition versions, newest first; with `process_id` the versions
/// of that process, newest version first.
#[utoipa::path(get, path = "/api/definitions", tag = "definitions", params(DefinitionQuery),
    responses((status = 200, description = "Definitions", body = [Definition]),
              (status = 400, description = "Bad query", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<DefinitionQuery>,
) -> Result<Json<Vec<Definition>>, ApiError> {
    let mut all = repo::list(state.store.pool()).await?;
    if let Some(process_id) = query.process_id.filter(|s| !s.is_empty()) {
        all.retain(|d| d.process_id == process_id);
        all.sort_by_key(|d| std::cmp::Reverse(d.version));
    }
    Ok(Json(all.iter().map(Definition::from).collect()))
}

/// Deploys a BPMN file: a new version of each executable process whose
/// content changed; unchanged content keeps its version. A `name` ending in
/// `.form` or `.form.json` deploys a form-js schema instead, as a version of
/// the form its `id` names.
#[utoipa::path(post, path = "/api/definitions", tag = "definitions", params(DeployQuery),
    request_body(content = String, content_type = "application/xml", description = "BPMN 2.0 XML, or form-js JSON for a .form name"),
    responses((status = 201, description = "Deployed (one per executable process)", body = [Definition]),
              (status = 400, description = "Invalid model: every problem with line and column", body = ProblemDetails)))]
async fn deploy(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<DeployQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<Definition>>), ApiError> {
    let resource_name = query.name.unwrap_or_else(|| "upload.bpmn".to_string());
    let content = std::str::from_utf8(&body)
        .map_err(|e| ApiError::InvalidRequest(format!("{resource_name} is not UTF-8: {e}")))?;
    let deployed = if services::is_form_resource(&resource_name) {
        vec![
            services::deploy_form(
                &state.store,
                content,
                &resource_name,
                &principal.username,
                now_ms(),
            )
            .await?,
        ]
    } else {
        services::deploy_bpmn(
            &state.store,
            content,
            &resource_name,
            &principal.username,
            now_ms(),
        )
        .await?
    };
    Ok((
        StatusCode::CREATED,
        Json(deployed.iter().map(Definition::from).collect()),
    ))
}

async fn find(state: &AppState, id: &str) -> Result<repo::Definition, ApiError> {
    repo::find(state.store.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no definition with id {id}")))
}

/// One definition version.
#[utoipa::path(get, path = "/api/definitions/{id}", tag = "definitions",
    params(("id" = String, Path, description = "Definition version id")),
    responses((status = 200, description = "The definition", body = Definition),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Definition>, ApiError> {
    Ok(Json(Definition::from(&find(&state, &id).await?)))
}

/// The source of one definition version (XML; JSON for forms).
#[utoipa::path(get, path = "/api/definitions/{id}/xml", tag = "definitions",
    params(("id" = String, Path, description = "Definition version id")),
    responses((status = 200, description = "The source", body = String, content_type = "application/xml"),
              (status = 404, description = "Not found", body = ProblemDetails)))]
async fn get_xml(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let definition = find(&state, &id).await?;
    let content_type = match definition.kind {
        Kind::Form => "application/json",
        Kind::Bpmn | Kind::Dmn => "application/xml",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], definition.content).into_response())
}
