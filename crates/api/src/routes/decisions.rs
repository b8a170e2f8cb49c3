//! DMN decisions: deploy, list, evaluate.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::decisions;
use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::types::{
    DecisionDefinition, DecisionEvaluation, DecisionTrace, DeployQuery, EvaluateDecisionRequest,
};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, deploy))
        .routes(routes!(evaluate))
}

/// Every DMN definition version with its decisions, newest first.
#[utoipa::path(get, path = "/api/decisions", tag = "decisions",
    responses((status = 200, description = "DMN definitions", body = [DecisionDefinition])))]
async fn list(State(state): State<AppState>) -> Result<Json<Vec<DecisionDefinition>>, ApiError> {
    let all = decisions::list(&state.store, &state.decision_models).await?;
    Ok(Json(
        all.iter()
            .map(|d| DecisionDefinition::new(&d.definition, &d.decisions))
            .collect(),
    ))
}

/// Deploys a DMN file as a new version of the definition keyed by its first
/// decision's id; unchanged content keeps its version.
#[utoipa::path(post, path = "/api/decisions", tag = "decisions", params(DeployQuery),
    request_body(content = String, content_type = "application/xml", description = "DMN 1.1–1.5 XML"),
    responses((status = 201, description = "Deployed", body = DecisionDefinition),
              (status = 400, description = "Invalid model: every problem with element, line and column (and the position inside the FEEL expression)", body = ProblemDetails)))]
async fn deploy(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<DeployQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<DecisionDefinition>), ApiError> {
    let resource_name = query.name.unwrap_or_else(|| "upload.dmn".to_string());
    let xml = std::str::from_utf8(&body)
        .map_err(|e| ApiError::InvalidRequest(format!("{resource_name} is not UTF-8: {e}")))?;
    let deployed = decisions::deploy(
        &state.store,
        &state.decision_models,
        xml,
        &resource_name,
        &principal.username,
        now_ms(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(DecisionDefinition::new(
            &deployed.definition,
            &deployed.decisions,
        )),
    ))
}

/// Evaluates a decision (and the decisions it requires) with the latest
/// (or the given) version of the DMN definition that has it. Every variable
/// is visible to every decision, as Camunda Modeler's decisions expect.
#[utoipa::path(post, path = "/api/decisions/{decision_id}/evaluate", tag = "decisions",
    params(("decision_id" = String, Path, description = "The decision's id")),
    request_body = EvaluateDecisionRequest,
    responses((status = 200, description = "The result and the trace", body = DecisionEvaluation),
              (status = 404, description = "No deployed decision (or version) with that id", body = ProblemDetails)))]
async fn evaluate(
    State(state): State<AppState>,
    Path(decision_id): Path<String>,
    JsonBody(request): JsonBody<EvaluateDecisionRequest>,
) -> Result<Json<DecisionEvaluation>, ApiError> {
    let evaluation = decisions::evaluate(
        &state.store,
        &state.decision_models,
        &decision_id,
        request.version,
        &request.variables,
    )
    .await?;
    Ok(Json(DecisionEvaluation {
        result: evaluation.result.to_json(),
        trace: evaluation
            .trace
            .decisions
            .iter()
            .map(DecisionTrace::from_rules)
            .collect(),
        definition_id: evaluation.definition.id,
        version: evaluation.definition.version,
    }))
}
