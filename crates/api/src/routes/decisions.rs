//! DMN decisions: deploy, list, evaluate, and the evaluation history.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::decisions;
use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::types::{
    DecisionDefinition, DecisionEvaluation, DecisionTrace, DeployQuery, EvaluateDecisionRequest,
};
use crate::{now_ms, ApiError, AppState};
use flowdesk_identity::Permission;
use flowdesk_store::sensitive::{self, DECISION_RESULTS, DECISION_TRACES};
use flowdesk_store::Store;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, deploy))
        .routes(routes!(evaluate))
        .routes(routes!(list_evaluations))
        .routes(routes!(get_evaluation))
}

/// A stored decision evaluation with its trace.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoredDecisionEvaluation {
    /// The evaluation's id.
    pub id: String,
    /// The decision evaluated.
    pub decision_id: String,
    /// The decision's name.
    pub decision_name: String,
    /// The DMN definition version evaluated.
    pub definition_id: Option<String>,
    /// Its version number.
    pub version: Option<i64>,
    /// The process instance whose business rule task evaluated it, when
    /// known.
    pub instance_id: Option<String>,
    /// The business rule task, when known.
    pub element_id: Option<String>,
    /// When (ms since the Unix epoch).
    pub evaluated_at: i64,
    /// The decision's result.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
    /// `decisions` (inputs, matched rules, output of each decision) and
    /// `fetches` (each provider fetch: provider, target, parameters, value,
    /// rows, duration_ms, error).
    #[schema(value_type = Object)]
    pub trace: serde_json::Value,
}

impl StoredDecisionEvaluation {
    /// `stored` as a principal sees it: the values of sensitive variables
    /// in plain text when `unmask`, else each shown as `****`.
    async fn shown(
        store: &Store,
        stored: flowdesk_store::decision_history::DecisionEvaluation,
        unmask: bool,
    ) -> Result<Self, ApiError> {
        let json = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
        let mut result = json(&stored.result);
        let mut trace = json(&stored.trace);
        sensitive::reveal(store, &DECISION_RESULTS, &stored.id, &mut result, unmask).await?;
        sensitive::reveal(store, &DECISION_TRACES, &stored.id, &mut trace, unmask).await?;
        Ok(StoredDecisionEvaluation {
            result,
            trace,
            id: stored.id,
            decision_id: stored.decision_id,
            decision_name: stored.decision_name,
            definition_id: stored.definition_id,
            version: stored.version,
            instance_id: stored.instance_id,
            element_id: stored.element_id,
            evaluated_at: stored.evaluated_at,
        })
    }
}

/// Query of GET /api/decisions/evaluations.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EvaluationsQuery {
    /// Only evaluations of this process instance.
    pub instance: Option<String>,
    /// Only evaluations of this decision (id).
    pub decision: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// Decision evaluations with their traces, newest first. Values of
/// sensitive variables are `****` unless the caller holds `variable:unmask`.
#[utoipa::path(get, path = "/api/decisions/evaluations", tag = "decisions", params(EvaluationsQuery),
    responses((status = 200, description = "Evaluations, newest first", body = [StoredDecisionEvaluation])))]
async fn list_evaluations(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<EvaluationsQuery>,
) -> Result<Json<Vec<StoredDecisionEvaluation>>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let all = decisions::evaluations(
        &state.store,
        query.instance.as_deref(),
        query.decision.as_deref(),
        limit,
    )
    .await?;
    let unmask = principal.has(Permission::VariableUnmask);
    let mut shown = Vec::with_capacity(all.len());
    for stored in all {
        shown.push(StoredDecisionEvaluation::shown(&state.store, stored, unmask).await?);
    }
    Ok(Json(shown))
}

/// One decision evaluation with its trace (sensitive values `****` unless
/// the caller holds `variable:unmask`).
#[utoipa::path(get, path = "/api/decisions/evaluations/{id}", tag = "decisions",
    params(("id" = String, Path, description = "The evaluation's id")),
    responses((status = 200, description = "The evaluation", body = StoredDecisionEvaluation),
              (status = 404, description = "No evaluation with that id", body = ProblemDetails)))]
async fn get_evaluation(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<StoredDecisionEvaluation>, ApiError> {
    let stored = decisions::evaluation(&state.store, &id).await?;
    let unmask = principal.has(Permission::VariableUnmask);
    Ok(Json(
        StoredDecisionEvaluation::shown(&state.store, stored, unmask).await?,
    ))
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
        state.decision_data.clone(),
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
