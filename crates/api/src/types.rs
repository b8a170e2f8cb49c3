//! JSON types of the API (see docs/INTERFACES.md). Timestamps are RFC 3339 UTC strings.

use flowdesk_store::{audit, definitions, instances, tokens, users};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// RFC 3339 (UTC) text of a millisecond timestamp.
pub(crate) fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A user account (never with its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Role name.
    pub role: String,
    /// Creation time.
    pub created_at: String,
    /// The role's permissions (on `/api/auth/me` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

impl From<&users::User> for User {
    fn from(u: &users::User) -> Self {
        User {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role.clone(),
            created_at: rfc3339(u.created_at),
            permissions: None,
        }
    }
}

/// A deployed definition version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Definition {
    /// Id of this version.
    pub id: String,
    /// BPMN process id (or decision / form id).
    pub process_id: String,
    /// Display name.
    pub name: String,
    /// Version, from 1.
    pub version: i64,
    /// File it was deployed from.
    pub resource_name: String,
    /// `bpmn`, `dmn` or `form`.
    pub kind: String,
    /// Deployment time.
    pub deployed_at: String,
    /// Who deployed it.
    pub deployed_by: String,
    /// The process's `zeebe:versionTag`, when it has one.
    pub version_tag: Option<String>,
}

impl From<&definitions::Definition> for Definition {
    fn from(d: &definitions::Definition) -> Self {
        Definition {
            id: d.id.clone(),
            process_id: d.process_id.clone(),
            name: d.name.clone(),
            version: d.version,
            resource_name: d.resource_name.clone(),
            kind: d.kind.as_str().to_string(),
            deployed_at: rfc3339(d.deployed_at),
            deployed_by: d.deployed_by.clone(),
            version_tag: d.version_tag.clone(),
        }
    }
}

/// A process instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct Instance {
    /// Id.
    pub id: String,
    /// Definition version it runs.
    pub definition_id: String,
    /// BPMN process id.
    pub process_id: String,
    /// Name of the process.
    pub process_name: String,
    /// Definition version number.
    pub version: i64,
    /// `active`, `completed`, `cancelled` or `incident` (active, but
    /// stopped at an open incident until an operator resolves it).
    pub state: String,
    /// Process variables.
    #[schema(value_type = Object)]
    pub variables: serde_json::Value,
    /// Start time.
    pub started_at: String,
    /// End time, once finished.
    pub ended_at: Option<String>,
    /// Who started it.
    pub started_by: String,
    /// How many open incidents it has.
    pub open_incidents: i64,
}

impl Instance {
    /// The same instance with its count of open incidents; an active
    /// instance with one is in state `incident`.
    pub(crate) fn with_open_incidents(mut self, open_incidents: i64) -> Self {
        self.open_incidents = open_incidents;
        if open_incidents > 0 && self.state == "active" {
            self.state = "incident".to_string();
        }
        self
    }
}

impl From<&instances::Instance> for Instance {
    fn from(i: &instances::Instance) -> Self {
        Instance {
            id: i.id.clone(),
            definition_id: i.definition_id.clone(),
            process_id: i.process_id.clone(),
            process_name: i.process_name.clone(),
            version: i.version,
            state: i.state.clone(),
            variables: serde_json::from_str(&i.variables).unwrap_or(serde_json::Value::Null),
            started_at: rfc3339(i.started_at),
            ended_at: i.ended_at.map(rfc3339),
            started_by: i.started_by.clone(),
            open_incidents: 0,
        }
    }
}

/// A page of instances.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstancePage {
    /// Newest first.
    pub items: Vec<Instance>,
    /// How many match the filter in all, counted up to 1,000.
    pub total: i64,
    /// Whether more than 1,000 match (then `total` is 1,000).
    pub total_capped: bool,
    /// The cursor of the next page (`after`), when there is one.
    pub next: Option<String>,
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// Creation time.
    pub created_at: String,
    /// Expiry, if any.
    pub expires_at: Option<String>,
    /// Last use, if any.
    pub last_used_at: Option<String>,
    /// Permissions the token is limited to; none = its owner's permissions.
    pub scopes: Option<Vec<String>>,
}

impl From<&tokens::ApiToken> for ApiToken {
    fn from(t: &tokens::ApiToken) -> Self {
        ApiToken {
            id: t.id.clone(),
            name: t.name.clone(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            scopes: t
                .scopes
                .as_ref()
                .map(|s| s.split_whitespace().map(str::to_string).collect()),
        }
    }
}

/// A new token with its secret, shown only this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The token.
    pub token: ApiToken,
    /// `fd_…`: send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// An entry of the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// On what.
    pub resource: String,
    /// Detail.
    pub detail: String,
    /// Hash linking it to the entry before.
    pub hash: String,
}

impl From<&audit::AuditEntry> for AuditEntry {
    fn from(e: &audit::AuditEntry) -> Self {
        AuditEntry {
            seq: e.seq,
            at: rfc3339(e.at),
            actor: e.actor.clone(),
            action: e.action.clone(),
            resource: e.resource.clone(),
            detail: e.detail.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// A page of audit entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// Entries in all.
    pub total: i64,
}

/// Username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A user to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Initial password (at least 8 characters).
    pub password: String,
    /// `admin`, `designer`, `operator`, `analyst` or `viewer`.
    pub role: String,
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewToken {
    /// Label.
    pub name: String,
    /// Lifetime in days; none = no expiry.
    pub expires_in_days: Option<u32>,
    /// Permissions the token is limited to, a subset of the caller's own
    /// (e.g. `["definition:read"]`); none = all of the caller's permissions.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// An instance to start: by definition version or by process id (latest version).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StartInstance {
    /// A definition version id.
    pub definition_id: Option<String>,
    /// A process id; starts its latest version.
    pub process_id: Option<String>,
    /// With `process_id`: this version instead of the latest.
    pub version: Option<i64>,
    /// With `process_id`: the version with this `zeebe:versionTag`
    /// instead of the latest.
    pub version_tag: Option<String>,
    /// Initial variables (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
    /// Wait up to this many seconds (at most 300) for the instance to end
    /// or stop at an incident, and answer its state and variables then;
    /// when the time is up the answer is its current state (`active`).
    pub await_seconds: Option<f64>,
}

/// Variables of an instance.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InstanceVariables {
    /// Variables by name (a JSON object).
    #[schema(value_type = Object)]
    pub variables: serde_json::Value,
}

/// An element to activate when modifying an instance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateElement {
    /// The BPMN element id.
    pub element_id: String,
    /// Variables set at the process level first (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
}

/// A modification of an active instance: elements to activate and element
/// instances to terminate, applied together.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModifyInstance {
    /// Elements to activate.
    #[serde(default)]
    pub activate: Vec<ActivateElement>,
    /// Element instance keys to terminate (see the history's
    /// `elementActivated` events or a job's `element_instance_key`).
    #[serde(default)]
    pub terminate: Vec<i64>,
}

/// Whether first-run setup is needed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// True while no user exists.
    pub needs_setup: bool,
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Live {
    /// `ok`.
    pub status: String,
}

/// Readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `ok` or `error`.
    pub database: String,
}

/// Query of POST /api/definitions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeployQuery {
    /// File name of the upload, e.g. `order.bpmn`.
    pub name: Option<String>,
}

/// Query of GET /api/instances.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstanceQuery {
    /// Only this process id.
    pub process_id: Option<String>,
    /// Only this state (`incident`: active instances with an open incident).
    pub state: Option<String>,
    /// Only this definition version.
    pub version: Option<i64>,
    /// Only instances started at or after this RFC 3339 time.
    pub started_from: Option<String>,
    /// Only instances started before this RFC 3339 time.
    pub started_before: Option<String>,
    /// Only instances whose process variable of this name has `value`.
    pub variable: Option<String>,
    /// The value of `variable`: JSON (`42`, `true`, `"a"`), else taken as a string.
    pub value: Option<String>,
    /// The page after this cursor (the `next` of the page before); replaces `offset`.
    pub after: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    /// Rows to skip (without `after`).
    pub offset: Option<i64>,
}

/// The opaque text of an instance list cursor.
pub(crate) fn cursor_text(cursor: &flowdesk_store::instances::InstanceCursor) -> String {
    format!("{}_{}", cursor.started_at, cursor.id)
}

/// Parses [`cursor_text`]; 400 naming `after` when it is not one.
pub(crate) fn parse_cursor(
    text: &str,
) -> Result<flowdesk_store::instances::InstanceCursor, crate::ApiError> {
    text.split_once('_')
        .and_then(|(at, id)| {
            let valid_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            Some(flowdesk_store::instances::InstanceCursor {
                started_at: at.parse().ok()?,
                id: id.to_string(),
            })
            .filter(|_| valid_id)
        })
        .ok_or_else(|| {
            crate::ApiError::InvalidRequest(format!(
                "after: {text:?} is not a cursor of this list (use the `next` of the page before)"
            ))
        })
}

/// An RFC 3339 time query parameter as milliseconds; 400 naming it when malformed.
pub(crate) fn millis(name: &str, text: Option<&str>) -> Result<Option<i64>, crate::ApiError> {
    text.map(|text| {
        time::OffsetDateTime::parse(text, &Rfc3339)
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
            .map_err(|e| {
                crate::ApiError::InvalidRequest(format!(
                    "{name}: {text:?} is not an RFC 3339 time ({e})"
                ))
            })
    })
    .transpose()
}

/// A variable value from a query as JSON text: JSON when it parses
/// (`42`, `true`, `"a"`), else the text as a JSON string.
pub(crate) fn variable_value_json(value: &str) -> String {
    serde_json::from_str::<serde_json::Value>(value)
        .unwrap_or_else(|_| serde_json::Value::String(value.to_string()))
        .to_string()
}

/// Paging query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size (default 50, at most 500).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
}

/// Clamps paging parameters.
pub(crate) fn page(limit: Option<i64>, offset: Option<i64>) -> (i64, i64) {
    (
        limit.unwrap_or(50).clamp(1, 500),
        offset.unwrap_or(0).max(0),
    )
}

/// Parses optional request variables: absent is empty, anything but a JSON
/// object is a 400.
pub(crate) fn variables_of(
    value: Option<serde_json::Value>,
) -> Result<serde_json::Map<String, serde_json::Value>, crate::ApiError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
        Some(serde_json::Value::Object(map)) => Ok(map),
        Some(_) => Err(crate::ApiError::InvalidRequest(
            "variables must be a JSON object".into(),
        )),
    }
}

fn json_text(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

/// A job of a service or user task.
#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    /// The job key; use it to complete, fail or throw an error.
    pub key: i64,
    /// The job type (`zeebe:taskDefinition type`).
    #[serde(rename = "type")]
    pub job_type: String,
    /// The process instance id.
    pub instance_id: String,
    /// The task's element id.
    pub element_id: String,
    /// The element instance key.
    pub element_instance_key: i64,
    /// `worker` or `userTask`.
    pub kind: String,
    /// Retries left.
    pub retries: i64,
    /// `activatable`, `activated`, `failed`, `done` or `cancelled`.
    pub state: String,
    /// The worker holding the lease.
    pub worker: Option<String>,
    /// End of the lease.
    pub deadline: Option<String>,
    /// The variables visible at the task when the job was created.
    #[schema(value_type = Object)]
    pub variables: serde_json::Value,
    /// Task headers.
    #[schema(value_type = Object)]
    pub custom_headers: serde_json::Value,
    /// The last failure message.
    pub error_message: Option<String>,
}

impl From<&flowdesk_store::jobs::Job> for Job {
    fn from(j: &flowdesk_store::jobs::Job) -> Self {
        Job {
            key: j.key,
            job_type: j.job_type.clone(),
            instance_id: j.instance_id.clone(),
            element_id: j.element_id.clone(),
            element_instance_key: j.element_instance_key,
            kind: j.kind.clone(),
            retries: j.retries,
            state: j.state.clone(),
            worker: j.worker.clone(),
            deadline: j.deadline.map(rfc3339),
            variables: json_text(&j.variables),
            custom_headers: json_text(&j.custom_headers),
            error_message: j.error_message.clone(),
        }
    }
}

/// Which jobs a worker wants.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActivateJobs {
    /// The job type.
    #[serde(rename = "type")]
    pub job_type: String,
    /// The worker's name (recorded on the job).
    pub worker: String,
    /// At most this many (default 10, at most 1000).
    pub max_jobs: Option<i64>,
    /// Lease length in ms (default 300000): after it another worker may take the job.
    pub timeout_ms: Option<i64>,
}

/// Jobs handed to a worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivatedJobs {
    /// The leased jobs (possibly none).
    pub jobs: Vec<Job>,
}

/// Result variables of a job.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CompleteJob {
    /// Variables to set (a JSON object).
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
}

/// A worker's failure.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FailJob {
    /// Retries left; 0 raises an incident.
    pub retries: i64,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Wait this long before the job may be activated again.
    pub backoff_ms: Option<i64>,
}

/// A BPMN error thrown by a worker.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ThrowJobError {
    /// The error code boundary events catch.
    pub error_code: String,
    /// A message for the incident if nothing catches it.
    pub message: Option<String>,
}

/// What a job or incident command did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommandOutcome {
    /// `applied`, or `already-done` when repeated (harmless).
    pub outcome: String,
}

impl From<flowdesk_store::workflow::JobOutcome> for CommandOutcome {
    fn from(outcome: flowdesk_store::workflow::JobOutcome) -> Self {
        let outcome = match outcome {
            flowdesk_store::workflow::JobOutcome::Applied => "applied",
            flowdesk_store::workflow::JobOutcome::AlreadyDone => "already-done",
        };
        CommandOutcome {
            outcome: outcome.to_string(),
        }
    }
}

/// A message to correlate.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishMessage {
    /// The message name.
    pub name: String,
    /// The correlation key (default empty).
    pub correlation_key: Option<String>,
    /// Variables set where the message is caught.
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
    /// Keep the message this many ms for subscriptions opened later
    /// (default 0: only instances waiting now get it).
    pub ttl_ms: Option<i64>,
}

/// Where a message went.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageCorrelated {
    /// The ids of the instances it was correlated to.
    pub instances: Vec<String>,
}

/// A signal to broadcast.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BroadcastSignal {
    /// The signal name.
    pub name: String,
    /// Variables set where the signal is caught (and start variables of
    /// instances it starts).
    #[schema(value_type = Option<Object>)]
    pub variables: Option<serde_json::Value>,
}

/// Where a signal went.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignalBroadcast {
    /// The ids of the waiting instances it reached (instances it started
    /// at signal start events are listed under their process).
    pub instances: Vec<String>,
}

/// One history event of an instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    /// Position (increasing).
    pub seq: i64,
    /// When.
    pub at: String,
    /// `elementActivated`, `elementCompleted`, `jobCreated`, `incidentRaised`, …
    pub kind: String,
    /// The element concerned.
    pub element_id: Option<String>,
    /// The engine's event (variable names only, never values).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<&flowdesk_store::history::HistoryEvent> for HistoryEvent {
    fn from(e: &flowdesk_store::history::HistoryEvent) -> Self {
        HistoryEvent {
            seq: e.seq,
            at: rfc3339(e.at),
            kind: e.kind.clone(),
            element_id: e.element_id.clone(),
            detail: json_text(&e.detail),
        }
    }
}

/// An incident: a step stuck until an operator resolves it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Incident {
    /// The incident key.
    pub key: i64,
    /// The process instance id.
    pub instance_id: String,
    /// The stuck element.
    pub element_id: String,
    /// The job, for job incidents.
    pub job_key: Option<i64>,
    /// Why: `jobNoRetries`, `expression`, `conditionNotMet`, `unhandledError`, …
    pub kind: String,
    /// What went wrong.
    pub message: String,
    /// `open` or `resolved`.
    pub state: String,
    /// When it was raised.
    pub created_at: String,
    /// When it was resolved.
    pub resolved_at: Option<String>,
}

impl From<&flowdesk_store::incidents::Incident> for Incident {
    fn from(i: &flowdesk_store::incidents::Incident) -> Self {
        Incident {
            key: i.key,
            instance_id: i.instance_id.clone(),
            element_id: i.element_id.clone(),
            job_key: i.job_key,
            kind: i.kind.clone(),
            message: i.message.clone(),
            state: i.state.clone(),
            created_at: rfc3339(i.created_at),
            resolved_at: i.resolved_at.map(rfc3339),
        }
    }
}

/// Query of GET /api/incidents.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// `open` or `resolved`; all when absent.
    pub state: Option<String>,
    /// Only the incidents of this instance id.
    pub instance: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
}

/// Query of GET /api/definitions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DefinitionQuery {
    /// Only the versions of this process (or decision / form) id, newest first.
    pub process_id: Option<String>,
}

/// A decision of a DMN model.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionSummary {
    /// The decision's `id` (what POST /api/decisions/{decision_id}/evaluate takes).
    pub id: String,
    /// The decision's name.
    pub name: String,
}

/// A deployed DMN definition version and its decisions.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDefinition {
    /// Id of this version.
    pub id: String,
    /// Key of the definition: the id of the model's first decision.
    pub process_id: String,
    /// Display name (the model's name).
    pub name: String,
    /// Version, from 1.
    pub version: i64,
    /// File it was deployed from.
    pub resource_name: String,
    /// Always `dmn`.
    pub kind: String,
    /// Deployment time.
    pub deployed_at: String,
    /// Who deployed it.
    pub deployed_by: String,
    /// Every decision of the model, in document order.
    pub decisions: Vec<DecisionSummary>,
}

impl DecisionDefinition {
    pub(crate) fn new(d: &definitions::Definition, decisions: &[(String, String)]) -> Self {
        let Definition {
            id,
            process_id,
            name,
            version,
            resource_name,
            kind,
            deployed_at,
            deployed_by,
            version_tag: _,
        } = Definition::from(d);
        DecisionDefinition {
            id,
            process_id,
            name,
            version,
            resource_name,
            kind,
            deployed_at,
            deployed_by,
            decisions: decisions
                .iter()
                .map(|(id, name)| DecisionSummary {
                    id: id.clone(),
                    name: name.clone(),
                })
                .collect(),
        }
    }
}

/// Body of POST /api/decisions/{decision_id}/evaluate.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateDecisionRequest {
    /// Variables by name, visible to every decision of the model.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: serde_json::Map<String, serde_json::Value>,
    /// Version of the DMN definition to use; the latest when absent.
    pub version: Option<i64>,
}

/// What one decision of an evaluation saw and produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionTrace {
    /// The decision's id.
    pub id: String,
    /// The decision's name.
    pub name: String,
    /// The values the decision logic saw, by name (functions left out).
    #[schema(value_type = Object)]
    pub inputs: serde_json::Value,
    /// For a decision table, the 1-based indexes of the rules that matched.
    pub matched_rules: Vec<usize>,
    /// For a decision table, the annotations of each matched rule.
    pub annotations: Vec<Vec<String>>,
    /// The decision's result.
    #[schema(value_type = Object)]
    pub output: serde_json::Value,
}

/// Response of POST /api/decisions/{decision_id}/evaluate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionEvaluation {
    /// The decision's result as JSON: dates, times and durations as ISO 8601
    /// strings; numbers a JSON number when exact, else a string of every digit.
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
    /// The decisions evaluated, requirements before the decisions needing them.
    pub trace: Vec<DecisionTrace>,
    /// The DMN definition version that was evaluated.
    pub definition_id: String,
    /// Its version number.
    pub version: i64,
}

impl DecisionTrace {
    pub(crate) fn from_rules(trace: &flowdesk_rules::DecisionTrace) -> Self {
        let inputs = trace
            .inputs
            .iter()
            .filter(|(_, value)| !matches!(value, flowdesk_rules::Value::Function(_)))
            .map(|(name, value)| (name.to_string(), value.to_json()))
            .collect();
        DecisionTrace {
            id: trace.id.clone(),
            name: trace.name.clone(),
            inputs: serde_json::Value::Object(inputs),
            matched_rules: trace.matched_rules.clone(),
            annotations: trace.annotations.clone(),
            output: trace.output.to_json(),
        }
    }
}
