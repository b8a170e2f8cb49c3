//! The tasklist: open user tasks, claimed, released and completed by people.

use axum::extract::{Path, State};
use axum::Json;
use flowdesk_identity::Permission;
use flowdesk_store::sensitive::{self, JOB_VARIABLES};
use flowdesk_store::tasks::{self as repo, Claim};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, JsonBody, QueryParams};
use crate::services::audit_entry;
use crate::types::{rfc3339, variables_of, CommandOutcome};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(claim))
        .routes(routes!(unclaim))
        .routes(routes!(complete))
}

/// An open user task.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserTask {
    /// The task key (the key of its job).
    pub key: i64,
    /// The process instance id.
    pub instance_id: String,
    /// The definition the instance runs.
    pub definition_id: String,
    /// The BPMN process id.
    pub process_id: String,
    /// The user task's element id.
    pub element_id: String,
    /// Who works it: the user who claimed it, else the modelled assignee.
    pub assignee: Option<String>,
    /// Whether somebody claimed it (else `assignee` is the modelled one).
    pub claimed: bool,
    /// Candidate groups of the task.
    pub candidate_groups: Vec<String>,
    /// The form: a linked form id or `camunda-forms:bpmn:{id}` for a form embedded in the process.
    pub form_key: Option<String>,
    /// Variables visible at the task when it was created.
    #[schema(value_type = Object)]
    pub variables: serde_json::Value,
    /// Task headers.
    #[schema(value_type = Object)]
    pub custom_headers: serde_json::Value,
    /// Creation time.
    pub created_at: String,
}

impl From<&repo::UserTask> for UserTask {
    fn from(task: &repo::UserTask) -> Self {
        let json = |text: &str| serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
        UserTask {
            key: task.key,
            instance_id: task.instance_id.clone(),
            definition_id: task.definition_id.clone(),
            process_id: task.process_id.clone(),
            element_id: task.element_id.clone(),
            assignee: task.assignee(),
            claimed: task.claimed_by.is_some(),
            candidate_groups: task.candidate_groups(),
            form_key: task.form_key(),
            variables: json(&task.variables),
            custom_headers: json(&task.custom_headers),
            created_at: rfc3339(task.created_at),
        }
    }
}

/// Query of GET /api/tasks.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// `me` (the caller), or a user name: only tasks that user works.
    pub assignee: Option<String>,
    /// Only tasks offered to this candidate group.
    #[serde(rename = "candidateGroup")]
    #[param(rename = "candidateGroup")]
    pub candidate_group: Option<String>,
    /// `true`: only tasks nobody works yet.
    pub unassigned: Option<bool>,
    /// At most this many (default 200, at most 1000).
    pub limit: Option<i64>,
}

/// Variables a user task completes with.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteTask {
    /// Variables to set (a JSON object), e.g. the submitted form.
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
}

/// Open user tasks, oldest first, filtered by assignee and candidate group.
/// Sensitive variables are `****` unless the caller holds `variable:unmask`.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, description = "Open user tasks", body = [UserTask]),
              (status = 400, description = "Bad query", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<TaskQuery>,
) -> Result<Json<Vec<UserTask>>, ApiError> {
    let limit = query.limit.unwrap_or(200).clamp(1, 1000);
    let assignee = match query.assignee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("me") => Some(principal.username.clone()),
        Some(name) => Some(name.to_owned()),
    };
    let group = query
        .candidate_group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let tasks = repo::list_open(state.store.pool(), limit).await?;
    let unmask = principal.has(Permission::VariableUnmask);
    let mut shown = Vec::new();
    for task in tasks
        .iter()
        .filter(|task| assignee.is_none() || task.assignee() == assignee)
        .filter(|task| group.is_none_or(|g| task.candidate_groups().iter().any(|c| c == g)))
        .filter(|task| query.unassigned != Some(true) || task.assignee().is_none())
    {
        let mut view = UserTask::from(task);
        let row = task.key.to_string();
        sensitive::reveal(
            &state.store,
            &JOB_VARIABLES,
            &row,
            &mut view.variables,
            unmask,
        )
        .await?;
        shown.push(view);
    }
    Ok(Json(shown))
}

/// Writes a claim (`taskClaimed` with the assignee) or its release
/// (`taskUnclaimed`) to the instance's history, in the command's
/// transaction: the timeline shows who took the task, and live updates
/// (which follow history) tell every tasklist.
async fn record_claim(
    tx: &mut flowdesk_store::Tx<'_>,
    key: i64,
    assignee: Option<&str>,
    now: i64,
) -> Result<(), ApiError> {
    let Some(task) = repo::find_open(&mut **tx, key).await? else {
        return Ok(());
    };
    let (kind, detail) = match assignee {
        Some(user) => (
            "taskClaimed",
            serde_json::json!({"key": key, "assignee": user}),
        ),
        None => ("taskUnclaimed", serde_json::json!({"key": key})),
    };
    flowdesk_store::history::append(
        tx,
        &task.instance_id,
        now,
        kind,
        Some(&task.element_id),
        &detail.to_string(),
    )
    .await?;
    Ok(())
}

async fn open_task(state: &AppState, key: i64) -> Result<repo::UserTask, ApiError> {
    repo::find_open(state.store.pool(), key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no open user task with key {key}")))
}

/// Claims a task for the caller; 409 while somebody else holds it.
#[utoipa::path(post, path = "/api/tasks/{key}/claim", tag = "tasks",
    params(("key" = i64, Path, description = "Task key")),
    responses((status = 200, description = "Claimed", body = UserTask),
              (status = 404, description = "No open user task", body = ProblemDetails),
              (status = 409, description = "Claimed by somebody else", body = ProblemDetails)))]
async fn claim(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<i64>,
) -> Result<Json<UserTask>, ApiError> {
    let now = now_ms();
    let mut tx = state.workflow.begin().await?;
    match repo::claim(&mut tx, key, &principal.username, now).await? {
        Claim::Claimed => {}
        Claim::HeldBy(user) => {
            return Err(ApiError::Conflict(format!(
                "task {key} is claimed by {user}"
            )))
        }
        Claim::NotOpen => {
            return Err(ApiError::NotFound(format!(
                "no open user task with key {key}"
            )))
        }
    }
    record_claim(&mut tx, key, Some(&principal.username), now).await?;
    audit_entry(
        &mut tx,
        now,
        &principal.username,
        "task.claim",
        &format!("task:{key}"),
        "",
    )
    .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(UserTask::from(&open_task(&state, key).await?)))
}

/// Releases the claim on a task (the caller's, or anybody's for an operator).
#[utoipa::path(post, path = "/api/tasks/{key}/unclaim", tag = "tasks",
    params(("key" = i64, Path, description = "Task key")),
    responses((status = 200, description = "Released", body = UserTask),
              (status = 404, description = "No open user task", body = ProblemDetails)))]
async fn unclaim(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<i64>,
) -> Result<Json<UserTask>, ApiError> {
    let now = now_ms();
    let mut tx = state.workflow.begin().await?;
    if !repo::unclaim(&mut tx, key, now).await? {
        return Err(ApiError::NotFound(format!(
            "no open user task with key {key}"
        )));
    }
    record_claim(&mut tx, key, None, now).await?;
    audit_entry(
        &mut tx,
        now,
        &principal.username,
        "task.unclaim",
        &format!("task:{key}"),
        "",
    )
    .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(UserTask::from(&open_task(&state, key).await?)))
}

/// Completes a task with variables (e.g. the submitted form); the instance
/// moves on. 409 when somebody else claimed it.
#[utoipa::path(post, path = "/api/tasks/{key}/complete", tag = "tasks", request_body = CompleteTask,
    params(("key" = i64, Path, description = "Task key")),
    responses((status = 200, description = "Completed", body = CommandOutcome),
              (status = 400, description = "Variables are not an object", body = ProblemDetails),
              (status = 404, description = "No open user task", body = ProblemDetails),
              (status = 409, description = "Claimed by somebody else", body = ProblemDetails)))]
async fn complete(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<i64>,
    JsonBody(body): JsonBody<CompleteTask>,
) -> Result<Json<CommandOutcome>, ApiError> {
    let variables = variables_of(body.variables)?;
    let task = open_task(&state, key).await?;
    if let Some(holder) = task
        .claimed_by
        .as_deref()
        .filter(|h| *h != principal.username)
    {
        return Err(ApiError::Conflict(format!(
            "task {key} is claimed by {holder}"
        )));
    }
    let now = now_ms();
    let mut tx = state.workflow.begin().await?;
    let outcome = state
        .workflow
        .complete_job(&mut tx, key, variables, now)
        .await?;
    audit_entry(
        &mut tx,
        now,
        &principal.username,
        "task.complete",
        &format!("task:{key}"),
        "",
    )
    .await?;
    tx.commit()
        .await
        .map_err(flowdesk_store::StoreError::from)?;
    Ok(Json(outcome.into()))
}
