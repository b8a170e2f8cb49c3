//! Jobs: workers lease them, then complete, fail or throw a BPMN error.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use flowdesk_identity::Permission;
use flowdesk_store::sensitive::{self, JOB_VARIABLES};

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody};
use crate::types::{
    variables_of, ActivateJobs, ActivatedJobs, CommandOutcome, CompleteJob, FailJob, Job,
    ThrowJobError,
};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activate))
        .routes(routes!(complete))
        .routes(routes!(fail))
        .routes(routes!(throw_error))
}

/// Leases up to `max_jobs` activatable jobs of a type to a worker for
/// `timeout_ms`; answers at once, possibly with none. Sensitive variables
/// are in plain text only for callers holding `variable:unmask` (give a
/// worker's token that scope when it needs them), else `****`.
#[utoipa::path(post, path = "/api/jobs/activate", tag = "jobs", request_body = ActivateJobs,
    responses((status = 200, description = "The leased jobs", body = ActivatedJobs),
              (status = 400, description = "Malformed body", body = ProblemDetails)))]
async fn activate(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<ActivateJobs>,
) -> Result<Json<ActivatedJobs>, ApiError> {
    if body.job_type.is_empty() || body.worker.is_empty() {
        return Err(ApiError::InvalidRequest(
            "type and worker must not be empty".into(),
        ));
    }
    let jobs = state
        .workflow
        .activate_jobs(
            &body.job_type,
            &body.worker,
            body.max_jobs.unwrap_or(10),
            body.timeout_ms.unwrap_or(300_000),
            now_ms(),
        )
        .await?;
    let unmask = principal.has(Permission::VariableUnmask);
    let mut activated = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let mut view = Job::from(job);
        let row = job.key.to_string();
        sensitive::reveal(
            &state.store,
            &JOB_VARIABLES,
            &row,
            &mut view.variables,
            unmask,
        )
        .await?;
        activated.push(view);
    }
    Ok(Json(ActivatedJobs { jobs: activated }))
}

/// Completes a job with result variables; the instance moves on. Completing
/// a completed job again is harmless (`already-done`).
#[utoipa::path(post, path = "/api/jobs/{key}/complete", tag = "jobs", request_body = CompleteJob,
    params(("key" = i64, Path, description = "Job key")),
    responses((status = 200, description = "Completed", body = CommandOutcome),
              (status = 404, description = "No such job", body = ProblemDetails),
              (status = 409, description = "The job has an open incident", body = ProblemDetails)))]
async fn complete(
    State(state): State<AppState>,
    Path(key): Path<i64>,
    JsonBody(body): JsonBody<CompleteJob>,
) -> Result<Json<CommandOutcome>, ApiError> {
    let variables = variables_of(body.variables)?;
    let mut tx = state.workflow.begin().await?;
    let outcome = state
        .workflow
        .complete_job(&mut tx, key, variables, now_ms())
        .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(outcome.into()))
}

/// Fails a job: with retries left it is activatable again after
/// `backoff_ms`; with 0 an incident is raised.
#[utoipa::path(post, path = "/api/jobs/{key}/fail", tag = "jobs", request_body = FailJob,
    params(("key" = i64, Path, description = "Job key")),
    responses((status = 200, description = "Failed", body = CommandOutcome),
              (status = 404, description = "No such job", body = ProblemDetails),
              (status = 409, description = "The job has an open incident", body = ProblemDetails)))]
async fn fail(
    State(state): State<AppState>,
    Path(key): Path<i64>,
    JsonBody(body): JsonBody<FailJob>,
) -> Result<Json<CommandOutcome>, ApiError> {
    let mut tx = state.workflow.begin().await?;
    let outcome = state
        .workflow
        .fail_job(
            &mut tx,
            key,
            body.retries.max(0),
            body.error_message.as_deref().unwrap_or(""),
            body.backoff_ms.unwrap_or(0),
            now_ms(),
        )
        .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(outcome.into()))
}

/// Throws a BPMN error from a job; a boundary event or event sub-process
/// with that code catches it, otherwise an incident is raised.
#[utoipa::path(post, path = "/api/jobs/{key}/error", tag = "jobs", request_body = ThrowJobError,
    params(("key" = i64, Path, description = "Job key")),
    responses((status = 200, description = "Thrown", body = CommandOutcome),
              (status = 404, description = "No such job", body = ProblemDetails),
              (status = 409, description = "The job has an open incident", body = ProblemDetails)))]
async fn throw_error(
    State(state): State<AppState>,
    Path(key): Path<i64>,
    JsonBody(body): JsonBody<ThrowJobError>,
) -> Result<Json<CommandOutcome>, ApiError> {
    let mut tx = state.workflow.begin().await?;
    let outcome = state
        .workflow
        .throw_error(
            &mut tx,
            key,
            &body.error_code,
            body.message.as_deref().unwrap_or(""),
            now_ms(),
        )
        .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(outcome.into()))
}
