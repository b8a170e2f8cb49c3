//! Saved reports: create, list, read, change, delete, run, runs, download
//! a run. A report is readable by the users of the roles it lists and by
//! holders of `report:manage`; to anyone else it does not exist (404, as
//! for a missing one, so its existence does not leak).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowdesk_identity::{Permission, Principal};
use flowdesk_insights::reports::{readable_by, Format, Report, ReportInput, ReportRun};
use flowdesk_insights::Insights;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::insights::problem;
use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::services::audit_committed;
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(run))
        .routes(routes!(runs))
        .routes(routes!(download))
}

async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    report_id: &str,
) -> Result<(), ApiError> {
    audit_committed(&state.store, actor, action, &format!("report:{report_id}")).await
}

/// The report with this id or name if the caller may read it; 404 otherwise.
async fn report(insights: &Insights, id: &str, principal: &Principal) -> Result<Report, ApiError> {
    insights
        .find_report(id)
        .await
        .map_err(problem)?
        .filter(|r| readable(r, principal))
        .ok_or_else(|| ApiError::NotFound(format!("no report with id or name {id}")))
}

fn readable(report: &Report, principal: &Principal) -> bool {
    readable_by(
        &report.roles,
        &principal.role,
        principal.has(Permission::ReportManage),
    )
}

/// The parameters of a run (`process_id`, `version`, `from`, `to`).
#[derive(Debug, Default, Deserialize, ToSchema)]
struct RunRequest {
    #[serde(default)]
    parameters: BTreeMap<String, String>,
}

/// The format of a download.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DownloadQuery {
    /// `pdf` (cover, chart and table), `png` or `svg` (the chart), `csv` or
    /// `xlsx` (the table), or `json` (the run as a snapshot document).
    format: String,
}

/// The saved reports the caller may read, by name.
#[utoipa::path(get, path = "/api/reports", tag = "reports",
    responses((status = 200, description = "Reports", body = [Report])))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Vec<Report>>, ApiError> {
    let insights = Insights::new(state.store.clone());
    let mut reports = insights.list_reports().await.map_err(problem)?;
    reports.retain(|r| readable(r, &principal));
    Ok(Json(reports))
}

/// Saves a report: its columns and chart must name columns of its source,
/// a `sql` source must be one read-only SELECT over `insights_*` tables,
/// a `schedule` a five-field cron expression, `roles` known roles. A
/// problem's detail names the field (`definition.schedule: …`).
#[utoipa::path(post, path = "/api/reports", tag = "reports", request_body = ReportInput,
    responses((status = 201, description = "Saved", body = Report),
              (status = 400, description = "Bad definition, SQL refused, unknown role", body = ProblemDetails),
              (status = 409, description = "Name taken", body = ProblemDetails)))]
async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<ReportInput>,
) -> Result<(StatusCode, Json<Report>), ApiError> {
    let insights = Insights::new(state.store.clone());
    let report = insights
        .create_report(&body, &principal.username, now_ms())
        .await
        .map_err(problem)?;
    audit(&state, &principal.username, "report.create", &report.id).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// Replaces a report's name, description, roles and definition (checked
/// as on creation); its runs stay.
#[utoipa::path(put, path = "/api/reports/{id}", tag = "reports", request_body = ReportInput,
    params(("id" = String, Path, description = "Report id or name")),
    responses((status = 200, description = "Saved", body = Report),
              (status = 400, description = "Bad definition, SQL refused, unknown role", body = ProblemDetails),
              (status = 404, description = "No such report", body = ProblemDetails),
              (status = 409, description = "Name taken", body = ProblemDetails)))]
async fn update(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReportInput>,
) -> Result<Json<Report>, ApiError> {
    let insights = Insights::new(state.store.clone());
    let found = report(&insights, &id, &principal).await?;
    let report = insights
        .update_report(&found.id, &body, now_ms())
        .await
        .map_err(problem)?
        .ok_or_else(|| ApiError::NotFound(format!("no report with id or name {id}")))?;
    audit(&state, &principal.username, "report.update", &report.id).await?;
    Ok(Json(report))
}

/// One report, by id or name.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports",
    params(("id" = String, Path, description = "Report id or name")),
    responses((status = 200, description = "The report", body = Report),
              (status = 404, description = "No such report", body = ProblemDetails)))]
async fn get_one(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        report(&Insights::new(state.store.clone()), &id, &principal).await?,
    ))
}

/// Deletes a report and its runs.
#[utoipa::path(delete, path = "/api/reports/{id}", tag = "reports",
    params(("id" = String, Path, description = "Report id or name")),
    responses((status = 204, description = "Deleted"),
              (status = 404, description = "No such report", body = ProblemDetails)))]
async fn delete(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let insights = Insights::new(state.store.clone());
    let found = report(&insights, &id, &principal).await?;
    insights.delete_report(&found.id).await.map_err(problem)?;
    audit(&state, &principal.username, "report.delete", &found.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a report now (the read model is caught up first); the run is kept.
#[utoipa::path(post, path = "/api/reports/{id}/run", tag = "reports", request_body = RunRequest,
    params(("id" = String, Path, description = "Report id or name")),
    responses((status = 201, description = "The run: report, parameters, as-of time, result", body = ReportRun),
              (status = 400, description = "Bad parameters", body = ProblemDetails),
              (status = 404, description = "No such report", body = ProblemDetails)))]
async fn run(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RunRequest>,
) -> Result<(StatusCode, Json<ReportRun>), ApiError> {
    let insights = Insights::new(state.store.clone());
    let found = report(&insights, &id, &principal).await?;
    insights.catch_up(2_000).await.map_err(problem)?;
    let run = insights
        .run_report(&found, &body.parameters, &principal.username, now_ms())
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// The runs of a report, newest first (the last 100).
#[utoipa::path(get, path = "/api/reports/{id}/runs", tag = "reports",
    params(("id" = String, Path, description = "Report id or name")),
    responses((status = 200, description = "Runs", body = [ReportRun]),
              (status = 404, description = "No such report", body = ProblemDetails)))]
async fn runs(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReportRun>>, ApiError> {
    let insights = Insights::new(state.store.clone());
    let found = report(&insights, &id, &principal).await?;
    Ok(Json(
        insights.list_runs(&found, 100).await.map_err(problem)?,
    ))
}

/// Downloads a run as PDF (cover with title, parameters and as-of time, the
/// chart, the table), SVG or PNG (the chart), CSV or XLSX (the table) or
/// JSON (the whole run: an offline snapshot).
#[utoipa::path(get, path = "/api/reports/{id}/runs/{run_id}/download", tag = "reports",
    params(("id" = String, Path, description = "Report id or name"),
           ("run_id" = String, Path, description = "Run id"), DownloadQuery),
    responses((status = 200, description = "The file, as an attachment named report-RUN.FORMAT", content(
                  (Vec<u8> = "application/pdf"),
                  (Vec<u8> = "image/png"),
                  (String = "image/svg+xml"),
                  (String = "text/csv"),
                  (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                  (ReportRun = "application/json"))),
              (status = 400, description = "Unknown format, or no chart to draw", body = ProblemDetails),
              (status = 404, description = "No such report or run", body = ProblemDetails)))]
async fn download(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, run_id)): Path<(String, String)>,
    QueryParams(query): QueryParams<DownloadQuery>,
) -> Result<Response, ApiError> {
    let format: Format = query.format.parse().map_err(problem)?;
    let insights = Insights::new(state.store.clone());
    let found = report(&insights, &id, &principal).await?;
    let run = insights
        .find_run(&found, &run_id)
        .await
        .map_err(problem)?
        .ok_or_else(|| ApiError::NotFound(format!("report {id} has no run {run_id}")))?;
    let bytes = run.export(format).map_err(problem)?;
    let extension = format.extension();
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{}.{extension}\"", run.id),
            ),
        ],
        bytes,
    )
        .into_response())
}
