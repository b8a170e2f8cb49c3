//! The analytics read model: KPIs, time series and per-element statistics
//! (the diagram heatmap), how current it is, and catching it up on demand.

use axum::extract::State;
use axum::Json;
use flowdesk_insights::query::ProcessVersion;
use flowdesk_insights::{
    DecisionOutcomes, ElementStats, Filter, Granularity, Insights, InsightsError, Kpis,
    ReadModelStatus, SeriesPoint,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::QueryParams;
use crate::{ApiError, AppState};

/// Events folded per transaction when catching up on request.
const CATCH_UP_BATCH: usize = 2_000;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(catch_up))
        .routes(routes!(processes))
        .routes(routes!(kpis))
        .routes(routes!(series))
        .routes(routes!(elements))
        .routes(routes!(decisions))
}

fn insights(state: &AppState) -> Insights {
    Insights::new(state.store.clone())
}

/// An analytics error as a problem: a bad query or definition is a 400.
pub(super) fn problem(error: InsightsError) -> ApiError {
    match error {
        InsightsError::InvalidQuery(detail) => ApiError::InvalidRequest(detail),
        InsightsError::Store(error) => error.into(),
        other => ApiError::Internal(other.to_string()),
    }
}

/// The filter and bucket size of a time series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SeriesQuery {
    /// Only this BPMN process id.
    process_id: Option<String>,
    /// Only this version of the process.
    version: Option<i64>,
    /// From (ms since the epoch, inclusive).
    from: Option<i64>,
    /// Until (ms since the epoch, exclusive).
    to: Option<i64>,
    /// `day` (default) or `hour`.
    #[param(value_type = Option<String>)]
    granularity: Option<Granularity>,
}

/// A time series.
#[derive(Debug, Serialize, ToSchema)]
struct Series {
    /// One point per bucket, oldest first.
    points: Vec<SeriesPoint>,
}

/// What a catch-up folded.
#[derive(Debug, Serialize, ToSchema)]
struct CatchUp {
    /// History events folded.
    events: u64,
    /// The read model's state afterwards.
    status: ReadModelStatus,
}

/// How far the read model has folded history, and its as-of time.
#[utoipa::path(get, path = "/api/insights/status", tag = "insights",
    responses((status = 200, description = "Status", body = ReadModelStatus)))]
async fn status(State(state): State<AppState>) -> Result<Json<ReadModelStatus>, ApiError> {
    Ok(Json(insights(&state).status().await.map_err(problem)?))
}

/// Folds the history not folded yet now (the background worker does it
/// every few seconds anyway).
#[utoipa::path(post, path = "/api/insights/catch-up", tag = "insights",
    responses((status = 200, description = "Caught up", body = CatchUp)))]
async fn catch_up(State(state): State<AppState>) -> Result<Json<CatchUp>, ApiError> {
    let insights = insights(&state);
    let events = insights.catch_up(CATCH_UP_BATCH).await.map_err(problem)?;
    let status = insights.status().await.map_err(problem)?;
    Ok(Json(CatchUp { events, status }))
}

/// Every process version seen in history, for filters.
#[utoipa::path(get, path = "/api/insights/processes", tag = "insights",
    responses((status = 200, description = "Process versions", body = [ProcessVersion])))]
async fn processes(State(state): State<AppState>) -> Result<Json<Vec<ProcessVersion>>, ApiError> {
    Ok(Json(insights(&state).processes().await.map_err(problem)?))
}

/// KPI summary: instances started, completed, cancelled, active at the end,
/// incidents, duration statistics.
#[utoipa::path(get, path = "/api/insights/kpis", tag = "insights", params(Filter),
    responses((status = 200, description = "KPIs", body = Kpis),
              (status = 400, description = "Bad filter", body = ProblemDetails)))]
async fn kpis(
    State(state): State<AppState>,
    QueryParams(filter): QueryParams<Filter>,
) -> Result<Json<Kpis>, ApiError> {
    Ok(Json(insights(&state).kpis(&filter).await.map_err(problem)?))
}

/// Throughput, backlog and duration percentiles per day or hour.
#[utoipa::path(get, path = "/api/insights/series", tag = "insights", params(SeriesQuery),
    responses((status = 200, description = "The series", body = Series),
              (status = 400, description = "Bad filter or too many buckets", body = ProblemDetails)))]
async fn series(
    State(state): State<AppState>,
    QueryParams(query): QueryParams<SeriesQuery>,
) -> Result<Json<Series>, ApiError> {
    let filter = Filter {
        process_id: query.process_id,
        version: query.version,
        from: query.from,
        to: query.to,
    };
    let points = insights(&state)
        .time_series(&filter, query.granularity.unwrap_or_default())
        .await
        .map_err(problem)?;
    Ok(Json(Series { points }))
}

/// Per-element statistics (counts, incidents, durations, user-task waiting
/// times) for the diagram heatmap.
#[utoipa::path(get, path = "/api/insights/elements", tag = "insights", params(Filter),
    responses((status = 200, description = "One entry per element", body = [ElementStats]),
              (status = 400, description = "Bad filter", body = ProblemDetails)))]
async fn elements(
    State(state): State<AppState>,
    QueryParams(filter): QueryParams<Filter>,
) -> Result<Json<Vec<ElementStats>>, ApiError> {
    Ok(Json(
        insights(&state)
            .element_stats(&filter)
            .await
            .map_err(problem)?,
    ))
}

/// How often each rule of each decision matched (business rule tasks of the
/// filtered process and version; with no process filter, evaluations
/// through the API too), from the decision evaluation log.
#[utoipa::path(get, path = "/api/insights/decisions", tag = "insights", params(Filter),
    responses((status = 200, description = "One entry per decision", body = [DecisionOutcomes]),
              (status = 400, description = "Bad filter or too many evaluations", body = ProblemDetails)))]
async fn decisions(
    State(state): State<AppState>,
    QueryParams(filter): QueryParams<Filter>,
) -> Result<Json<Vec<DecisionOutcomes>>, ApiError> {
    Ok(Json(
        insights(&state)
            .decision_outcomes(&filter)
            .await
            .map_err(problem)?,
    ))
}
