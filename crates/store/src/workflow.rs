//! Durable execution: runs `flowdesk-engine` commands against stored
//! instance states.
//!
//! Every command is one transaction: lock the instance row (`SELECT … FOR
//! UPDATE` on PostgreSQL; on SQLite [`Workflow::begin`] takes the single
//! writer lock first), run [`flowdesk_engine::apply`], then write the new
//! state and every effect — jobs, timers, message subscriptions, history,
//! incidents — before commit. A crash loses the whole command or nothing.
//!
//! Keys: each instance gets a number from `engine_keys`; its engine keys
//! (instance, element instances, jobs, timers, incidents) are
//! `number * 2^20 + n`, unique across instances and below 2^53 so they
//! survive JSON numbers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use flowdesk_engine::{
    apply, Command, CompiledProcess, Context, Effect, EngineError, FeelEvaluator, InstanceStatus,
    JobKind, NoDecisions, ProcessInstanceState, Variables,
};
use serde_json::Value;
use sqlx::Row;

use crate::definitions::{self, Definition};
use crate::instances::{self, Instance};
use crate::jobs::{self, Job};
use crate::{history, incidents, Dialect, Millis, Store, StoreError, Tx};

/// The FEEL evaluator every workflow command uses: one per process, so
/// that each expression text is parsed once.
fn expressions() -> &'static FeelEvaluator {
    static EXPRESSIONS: OnceLock<FeelEvaluator> = OnceLock::new();
    EXPRESSIONS.get_or_init(FeelEvaluator::new)
}

/// How many keys one instance may use.
pub const KEYS_PER_INSTANCE: u64 = 1 << 20;

/// Why a workflow command failed. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused the command (state unchanged).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// No such instance, job, incident…
    #[error("{0}")]
    NotFound(String),
    /// The command does not fit the current state (e.g. the job has an open
    /// incident, the instance has no engine state).
    #[error("{0}")]
    Conflict(String),
    /// A stored definition could not be compiled for execution.
    #[error("definition {definition_id}: {message}")]
    InvalidDefinition {
        /// The definition id.
        definition_id: String,
        /// What is wrong.
        message: String,
    },
}

impl From<sqlx::Error> for WorkflowError {
    fn from(error: sqlx::Error) -> Self {
        WorkflowError::Store(error.into())
    }
}

/// What happened to a job command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// The command was applied.
    Applied,
    /// The job was already completed or cancelled: nothing to do (a repeated
    /// completion is harmless).
    AlreadyDone,
}

/// Compiled processes by definition id (a definition's content never changes).
#[derive(Debug, Clone, Default)]
pub struct ProcessCache {
    inner: Arc<Mutex<HashMap<String, Arc<CompiledProcess>>>>,
}

impl ProcessCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The compiled process of a BPMN definition, compiling it on first use.
    pub fn compiled(&self, definition: &Definition) -> Result<Arc<CompiledProcess>, WorkflowError> {
        if let Some(process) = self.lock().get(&definition.id) {
            return Ok(process.clone());
        }
        let invalid = |message: String| WorkflowError::InvalidDefinition {
            definition_id: definition.id.clone(),
            message,
        };
        let model = flowdesk_model::bpmn::parse(&definition.content)
            .map_err(|errors| invalid(errors.to_string()))?;
        let process = model
            .processes
            .iter()
            .find(|process| process.id == definition.process_id)
            .ok_or_else(|| invalid(format!("has no process {}", definition.process_id)))?;
        let compiled = Arc::new(
            CompiledProcess::compile(&model, process)
                .map_err(|error| invalid(error.to_string()))?,
        );
        self.lock().insert(definition.id.clone(), compiled.clone());
        Ok(compiled)
    }

    /// The compiled process of the definition `definition_id`, if compiled already.
    fn get(&self, definition_id: &str) -> Option<Arc<CompiledProcess>> {
        self.lock().get(definition_id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<CompiledProcess>>> {
        // A panic while holding the lock cannot leave the map inconsistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The durable runner: a store plus the compiled-process cache.
#[derive(Debug, Clone)]
pub struct Workflow {
    store: Store,
    processes: ProcessCache,
}

fn key_to_db(key: u64) -> i64 {
    // Keys stay below 2^53 by construction (see the module documentation).
    i64::try_from(key).unwrap_or(i64::MAX)
}

fn key_from_db(key: i64) -> u64 {
    u64::try_from(key).unwrap_or(0)
}

/// The instance row state for an engine status.
fn state_name(status: InstanceStatus) -> &'static str {
    match status {
        InstanceStatus::Created | InstanceStatus::Active => "active",
        InstanceStatus::Completed => "completed",
        InstanceStatus::Cancelled | InstanceStatus::Terminated => "cancelled",
    }
}

impl Workflow {
    /// A runner on `store` with an empty cache.
    pub fn new(store: Store) -> Self {
        Workflow {
            store,
            processes: ProcessCache::new(),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The compiled-process cache.
    pub fn processes(&self) -> &ProcessCache {
        &self.processes
    }

    /// Starts a write transaction for workflow commands. On SQLite it takes
    /// the single writer lock at once (`BEGIN IMMEDIATE`, waiting up to the
    /// busy timeout), so a read-then-write transaction can never fail
    /// half-way on a stale snapshot.
    pub async fn begin(&self) -> Result<Tx<'static>, WorkflowError> {
        match self.store.dialect() {
            Dialect::Sqlite => Ok(self.store.pool().begin_with("BEGIN IMMEDIATE").await?),
            Dialect::Postgres => Ok(self.store.begin().await?),
        }
    }

    fn context_apply(
        process: &CompiledProcess,
        state: &mut ProcessInstanceState,
        command: Command,
        next_key: u64,
        now: Millis,
    ) -> Result<(Vec<Effect>, u64), WorkflowError> {
        let mut context = Context {
            now,
            next_key,
            expressions: expressions(),
            decisions: &NoDecisions,
        };
        let effects = apply(process, state, command, &mut context)?;
        if context.next_key >= state.key + KEYS_PER_INSTANCE {
            return Err(WorkflowError::Conflict(format!(
                "instance {} used all of its {KEYS_PER_INSTANCE} keys",
                state.key
            )));
        }
        Ok((effects, context.next_key))
    }

    /// Starts an instance of `definition` in `tx` (from [`Workflow::begin`]):
    /// the engine runs until the instance waits (job, timer, message) or ends.
    pub async fn start_instance(
        &self,
        tx: &mut Tx<'_>,
        definition: &Definition,
        variables: Variables,
        actor: &str,
        now: Millis,
    ) -> Result<Instance, WorkflowError> {
        let process = self.processes.compiled(definition)?;
        let row = sqlx::query(
            "UPDATE engine_keys SET next_instance = next_instance + 1 WHERE id = 1 \
             RETURNING next_instance",
        )
        .fetch_one(&mut **tx)
        .await?;
        let number: i64 = row.try_get("next_instance")?;
        let key = key_from_db(number - 1) * KEYS_PER_INSTANCE;
        let mut state = ProcessInstanceState::new(key, definition.process_id.clone());
        let (effects, next_key) = Self::context_apply(
            &process,
            &mut state,
            Command::StartInstance {
                variables,
                start_element: None,
            },
            key + 1,
            now,
        )?;
        // The row is written once, with the state after the command (the
        // effects' rows reference it, so it goes first); the caller gets the
        // same values back without a read-back.
        let ended = has_ended(state.status);
        let instance = Instance {
            id: crate::new_id(),
            definition_id: definition.id.clone(),
            process_id: definition.process_id.clone(),
            process_name: definition.name.clone(),
            version: definition.version,
            state: state_name(state.status).to_string(),
            variables: variables_json(&state)?,
            started_at: now,
            ended_at: ended.then_some(now),
            started_by: actor.to_string(),
        };
        let state_json = state_json(&state)?;
        let rows = history_rows(&effects)?;
        instances::insert_with_state(
            tx,
            self.store.dialect(),
            &instance,
            &instances::EngineState {
                instance_key: key_to_db(key),
                state_json: &state_json,
                next_key: key_to_db(next_key),
                updated_at: now,
            },
            &history_events(&instance.id, now, &effects, &rows),
        )
        .await?;
        let created_rows = write_effect_rows(tx, &instance.id, &effects, now).await?;
        // A new instance owns no rows but the ones this command created.
        if ended && created_rows {
            close_ended(tx, &instance.id, now).await?;
        }
        Ok(instance)
    }

    /// Applies `command` to the instance `instance_id` in `tx` (from
    /// [`Workflow::begin`]) and persists the new state and effects.
    pub async fn execute(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        command: Command,
        now: Millis,
    ) -> Result<Vec<Effect>, WorkflowError> {
        let lock = match self.store.dialect() {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        };
        let row = sqlx::query(&format!(
            "SELECT definition_id, state_json, next_key FROM instances WHERE id = $1{lock}"
        ))
        .bind(instance_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| WorkflowError::NotFound(format!("no instance with id {instance_id}")))?;
        let definition_id: String = row.try_get("definition_id")?;
        let state_json: Option<String> = row.try_get("state_json")?;
        let next_key: Option<i64> = row.try_get("next_key")?;
        let (Some(state_json), Some(next_key)) = (state_json, next_key) else {
            return Err(WorkflowError::Conflict(format!(
                "instance {instance_id} was recorded without an engine state (demo data) \
                 and cannot take commands"
            )));
        };
        let mut state: ProcessInstanceState = serde_json::from_str(&state_json).map_err(|e| {
            StoreError::InvalidData(format!("state of instance {instance_id}: {e}"))
        })?;
        // A definition's content never changes: a compiled one needs no read.
        let process = match self.processes.get(&definition_id) {
            Some(process) => process,
            None => {
                let definition = definitions::find(&mut **tx, &definition_id)
                    .await?
                    .ok_or_else(|| {
                        WorkflowError::NotFound(format!("definition {definition_id}"))
                    })?;
                self.processes.compiled(&definition)?
            }
        };
        let (effects, next_key) =
            Self::context_apply(&process, &mut state, command, key_from_db(next_key), now)?;
        persist(tx, instance_id, &state, &effects, next_key, now).await?;
        Ok(effects)
    }

    /// Completes a job with result variables. Completing a job that is done
    /// already is harmless ([`JobOutcome::AlreadyDone`]).
    pub async fn complete_job(
        &self,
        tx: &mut Tx<'_>,
        job_key: i64,
        variables: Variables,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        let Some(job) = self.open_job(tx, job_key).await? else {
            return Ok(JobOutcome::AlreadyDone);
        };
        let key = key_from_db(job_key);
        let command = if job.kind == "userTask" {
            Command::CompleteUserTask {
                user_task_key: key,
                variables,
            }
        } else {
            Command::CompleteJob {
                job_key: key,
                variables,
            }
        };
        self.execute_job_command(tx, &job, command, now).await
    }

    /// Runs a job command; when another node completed the job between our
    /// read of the job row and the instance lock, the engine no longer knows
    /// the job and the repeat is harmless.
    async fn execute_job_command(
        &self,
        tx: &mut Tx<'_>,
        job: &Job,
        command: Command,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        match self.execute(tx, &job.instance_id, command, now).await {
            Ok(_) => Ok(JobOutcome::Applied),
            Err(WorkflowError::Engine(EngineError::JobNotFound { job_key })) => {
                match jobs::find(&mut **tx, job.key).await? {
                    Some(current) if matches!(current.state.as_str(), "done" | "cancelled") => {
                        Ok(JobOutcome::AlreadyDone)
                    }
                    _ => Err(WorkflowError::Engine(EngineError::JobNotFound { job_key })),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Fails a job: with retries left it becomes activatable again after
    /// `backoff_ms`; with none an incident is raised.
    pub async fn fail_job(
        &self,
        tx: &mut Tx<'_>,
        job_key: i64,
        retries: i64,
        error_message: &str,
        backoff_ms: i64,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        let Some(job) = self.open_job(tx, job_key).await? else {
            return Ok(JobOutcome::AlreadyDone);
        };
        let command = Command::FailJob {
            job_key: key_from_db(job_key),
            retries,
            error_message: error_message.to_string(),
            backoff_ms,
        };
        let outcome = self.execute_job_command(tx, &job, command, now).await?;
        if outcome == JobOutcome::Applied {
            jobs::set_error_message(tx, job_key, error_message).await?;
        }
        Ok(outcome)
    }

    /// Throws a BPMN error from a job; an uncaught error raises an incident.
    pub async fn throw_error(
        &self,
        tx: &mut Tx<'_>,
        job_key: i64,
        code: &str,
        message: &str,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        let Some(job) = self.open_job(tx, job_key).await? else {
            return Ok(JobOutcome::AlreadyDone);
        };
        let command = Command::ThrowError {
            job_key: key_from_db(job_key),
            code: code.to_string(),
            message: message.to_string(),
            variables: Variables::new(),
        };
        self.execute_job_command(tx, &job, command, now).await
    }

    /// The job if it is still open; `None` when done or cancelled; an error
    /// when unknown or waiting on an incident.
    async fn open_job(&self, tx: &mut Tx<'_>, job_key: i64) -> Result<Option<Job>, WorkflowError> {
        let job = jobs::find(&mut **tx, job_key)
            .await?
            .ok_or_else(|| WorkflowError::NotFound(format!("no job with key {job_key}")))?;
        match job.state.as_str() {
            "done" | "cancelled" => Ok(None),
            "failed" => Err(WorkflowError::Conflict(format!(
                "job {job_key} has no retries left and an open incident; resolve the incident first"
            ))),
            _ => Ok(Some(job)),
        }
    }

    /// Resolves an incident: the stuck step is retried (a job incident makes
    /// the job activatable again with at least one retry). Resolving a
    /// resolved incident is harmless.
    pub async fn resolve_incident(
        &self,
        tx: &mut Tx<'_>,
        incident_key: i64,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        let incident = incidents::find(&mut **tx, incident_key)
            .await?
            .ok_or_else(|| {
                WorkflowError::NotFound(format!("no incident with key {incident_key}"))
            })?;
        if incident.state != "open" {
            return Ok(JobOutcome::AlreadyDone);
        }
        let command = Command::ResolveIncident {
            incident_key: key_from_db(incident_key),
        };
        self.execute(tx, &incident.instance_id, command, now)
            .await?;
        Ok(JobOutcome::Applied)
    }

    /// Cancels an instance.
    pub async fn cancel_instance(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        now: Millis,
    ) -> Result<(), WorkflowError> {
        self.execute(tx, instance_id, Command::CancelInstance, now)
            .await?;
        Ok(())
    }

    /// Correlates a message to every instance with an open subscription for
    /// `name` and `correlation_key`; returns their ids.
    pub async fn correlate_message(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        correlation_key: &str,
        variables: Variables,
        now: Millis,
    ) -> Result<Vec<String>, WorkflowError> {
        let rows = sqlx::query(
            "SELECT DISTINCT instance_id FROM message_subscriptions \
             WHERE message_name = $1 AND correlation_key = $2 ORDER BY instance_id",
        )
        .bind(name)
        .bind(correlation_key)
        .fetch_all(&mut **tx)
        .await?;
        let mut correlated = Vec::new();
        for row in rows {
            let instance_id: String = row.try_get("instance_id")?;
            let command = Command::CorrelateMessage {
                name: name.to_string(),
                correlation_key: correlation_key.to_string(),
                variables: variables.clone(),
            };
            self.execute(tx, &instance_id, command, now).await?;
            correlated.push(instance_id);
        }
        Ok(correlated)
    }

    /// Leases up to `max_jobs` jobs of `job_type` to `worker` for `timeout_ms`.
    pub async fn activate_jobs(
        &self,
        job_type: &str,
        worker: &str,
        max_jobs: i64,
        timeout_ms: i64,
        now: Millis,
    ) -> Result<Vec<Job>, WorkflowError> {
        let mut tx = self.begin().await?;
        let jobs = jobs::activate(
            &mut tx,
            self.store.dialect(),
            job_type,
            worker,
            max_jobs.clamp(0, 1000),
            now.saturating_add(timeout_ms.max(0)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(jobs)
    }

    /// Fires every timer due at `now` (up to 100 per call), each in its own
    /// transaction; returns how many fired. A timer fired or cancelled
    /// meanwhile by another node is skipped.
    pub async fn fire_due_timers(&self, now: Millis) -> Result<usize, WorkflowError> {
        let due = sqlx::query(
            "SELECT key, instance_id FROM timers WHERE due_at <= $1 ORDER BY due_at, key LIMIT 100",
        )
        .bind(now)
        .fetch_all(self.store.pool())
        .await?;
        let mut fired = 0;
        for row in due {
            let key: i64 = row.try_get("key")?;
            let instance_id: String = row.try_get("instance_id")?;
            let mut tx = self.begin().await?;
            let still_due = sqlx::query("SELECT key FROM timers WHERE key = $1 AND due_at <= $2")
                .bind(key)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !still_due {
                continue;
            }
            let command = Command::FireTimer {
                timer_key: key_from_db(key),
            };
            match self.execute(&mut tx, &instance_id, command, now).await {
                Ok(_) => fired += 1,
                Err(WorkflowError::Engine(
                    EngineError::TimerNotFound { .. } | EngineError::InstanceNotActive { .. },
                )) => {
                    // The state no longer knows the timer: drop the stale row.
                    drop(tx);
                    let mut tx = self.begin().await?;
                    delete_timer(&mut tx, key).await?;
                    tx.commit().await?;
                    continue;
                }
                Err(error) => return Err(error),
            }
            tx.commit().await?;
        }
        Ok(fired)
    }
}

async fn delete_timer(tx: &mut Tx<'_>, key: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM timers WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The history kind of an effect: `elementActivated`, `jobCreated`, ….
fn history_kind(effect: &Effect, detail: &Value) -> String {
    if let Effect::Element { intent, .. } = effect {
        return format!("element{intent:?}");
    }
    detail
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("effect")
        .to_string()
}

fn history_element(effect: &Effect) -> Option<&str> {
    match effect {
        Effect::Element { element_id, .. }
        | Effect::JobCreated { element_id, .. }
        | Effect::TimerScheduled { element_id, .. }
        | Effect::MessageSubscriptionOpened { element_id, .. } => Some(element_id),
        Effect::IncidentRaised { incident } => Some(&incident.element_id),
        _ => None,
    }
}

/// Whether an instance in `status` has ended.
fn has_ended(status: InstanceStatus) -> bool {
    !matches!(status, InstanceStatus::Active | InstanceStatus::Created)
}

/// The instance's variables as JSON object text.
fn variables_json(state: &ProcessInstanceState) -> Result<String, WorkflowError> {
    serde_json::to_string(&state.variables)
        .map_err(|e| StoreError::InvalidData(format!("instance variables: {e}")).into())
}

/// The serialized engine state.
fn state_json(state: &ProcessInstanceState) -> Result<String, WorkflowError> {
    serde_json::to_string(state)
        .map_err(|e| StoreError::InvalidData(format!("instance state: {e}")).into())
}

/// The history rows of a command's effects: kind and detail JSON text of each.
fn history_rows(effects: &[Effect]) -> Result<Vec<(String, String)>, WorkflowError> {
    effects.iter().map(history_row).collect()
}

/// The history events of `effects`, whose rows are `rows` ([`history_rows`]).
fn history_events<'a>(
    instance_id: &'a str,
    now: Millis,
    effects: &'a [Effect],
    rows: &'a [(String, String)],
) -> Vec<history::NewEvent<'a>> {
    effects
        .iter()
        .zip(rows)
        .map(|(effect, (kind, detail))| history::NewEvent {
            instance_id,
            at: now,
            kind,
            element_id: history_element(effect),
            detail,
        })
        .collect()
}

/// The history row of an effect: its kind and its detail JSON text.
fn history_row(effect: &Effect) -> Result<(String, String), WorkflowError> {
    let mut detail = serde_json::to_value(effect)
        .map_err(|e| StoreError::InvalidData(format!("effect: {e}")))?;
    let kind = history_kind(effect, &detail);
    if let Some(object) = detail.as_object_mut() {
        // Variables can be large and sensitive; history keeps their names only.
        if let Some(Value::Object(variables)) = object.remove("variables") {
            let names: Vec<Value> = variables.keys().cloned().map(Value::String).collect();
            object.insert("variable_names".into(), Value::Array(names));
        }
    }
    Ok((kind, detail.to_string()))
}

/// Writes the new state and every effect of one command to an existing
/// instance row.
async fn persist(
    tx: &mut Tx<'_>,
    instance_id: &str,
    state: &ProcessInstanceState,
    effects: &[Effect],
    next_key: u64,
    now: Millis,
) -> Result<(), WorkflowError> {
    let rows = history_rows(effects)?;
    history::append_many(tx, &history_events(instance_id, now, effects, &rows)).await?;
    write_effect_rows(tx, instance_id, effects, now).await?;
    let ended = has_ended(state.status);
    if ended {
        close_ended(tx, instance_id, now).await?;
    }
    sqlx::query(
        "UPDATE instances SET state = $2, variables = $3, state_json = $4, next_key = $5, \
         updated_at = $6, ended_at = COALESCE(ended_at, $7) WHERE id = $1",
    )
    .bind(instance_id)
    .bind(state_name(state.status))
    .bind(variables_json(state)?)
    .bind(state_json(state)?)
    .bind(key_to_db(next_key))
    .bind(now)
    .bind(ended.then_some(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes what an ended instance still owns: timers, message
/// subscriptions, open jobs and incidents.
async fn close_ended(tx: &mut Tx<'_>, instance_id: &str, now: Millis) -> Result<(), WorkflowError> {
    sqlx::query("DELETE FROM timers WHERE instance_id = $1")
        .bind(instance_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM message_subscriptions WHERE instance_id = $1")
        .bind(instance_id)
        .execute(&mut **tx)
        .await?;
    jobs::cancel_open(tx, instance_id, now).await?;
    incidents::resolve_all(tx, instance_id, now).await?;
    Ok(())
}

/// Writes the job, timer, subscription and incident rows of one command's
/// effects (their history rows are written by the caller, in multi-row
/// `INSERT`s). Returns whether a job, timer, subscription or incident row
/// was created.
async fn write_effect_rows(
    tx: &mut Tx<'_>,
    instance_id: &str,
    effects: &[Effect],
    now: Millis,
) -> Result<bool, WorkflowError> {
    let mut created_rows = false;
    for effect in effects {
        created_rows |= matches!(
            effect,
            Effect::JobCreated { .. }
                | Effect::TimerScheduled { .. }
                | Effect::MessageSubscriptionOpened { .. }
                | Effect::IncidentRaised { .. }
        );
        match effect {
            Effect::JobCreated {
                key,
                job_type,
                retries,
                kind,
                element_id,
                element_instance_key,
                headers,
                variables,
            } => {
                let headers: serde_json::Map<String, Value> = headers
                    .iter()
                    .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                    .collect();
                jobs::insert(
                    tx,
                    &Job {
                        key: key_to_db(*key),
                        instance_id: instance_id.to_string(),
                        element_id: element_id.to_string(),
                        element_instance_key: key_to_db(*element_instance_key),
                        job_type: job_type.clone(),
                        kind: match kind {
                            JobKind::Worker => "worker",
                            JobKind::UserTask => "userTask",
                        }
                        .to_string(),
                        retries: *retries,
                        state: "activatable".into(),
                        deadline: None,
                        worker: None,
                        variables: Value::Object(variables.clone()).to_string(),
                        custom_headers: Value::Object(headers).to_string(),
                        error_message: None,
                        backoff_until: None,
                        created_at: now,
                        updated_at: now,
                    },
                )
                .await?;
            }
            Effect::JobActivatable {
                key,
                retries,
                available_at,
            } => {
                jobs::set_state(
                    tx,
                    key_to_db(*key),
                    "activatable",
                    Some(*retries),
                    Some(*available_at),
                    now,
                )
                .await?;
            }
            Effect::JobCompleted { key } => {
                jobs::set_state(tx, key_to_db(*key), "done", None, None, now).await?;
            }
            Effect::JobFailed { key, .. } => {
                jobs::set_state(tx, key_to_db(*key), "failed", Some(0), None, now).await?;
            }
            Effect::JobCancelled { key } => {
                jobs::set_state(tx, key_to_db(*key), "cancelled", None, None, now).await?;
            }
            Effect::TimerScheduled {
                key,
                element_id,
                due_at,
                ..
            } => {
                delete_timer(tx, key_to_db(*key)).await?;
                sqlx::query(
                    "INSERT INTO timers (key, instance_id, element_id, due_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(key_to_db(*key))
                .bind(instance_id)
                .bind(element_id.as_ref())
                .bind(*due_at)
                .execute(&mut **tx)
                .await?;
            }
            Effect::TimerCancelled { key } => delete_timer(tx, key_to_db(*key)).await?,
            Effect::MessageSubscriptionOpened {
                key,
                name,
                correlation_key,
                element_id,
            } => {
                sqlx::query(
                    "INSERT INTO message_subscriptions \
                     (key, instance_id, element_id, message_name, correlation_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(key_to_db(*key))
                .bind(instance_id)
                .bind(element_id.as_ref())
                .bind(name)
                .bind(correlation_key)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            Effect::MessageSubscriptionClosed { key, .. } => {
                sqlx::query("DELETE FROM message_subscriptions WHERE key = $1")
                    .bind(key_to_db(*key))
                    .execute(&mut **tx)
                    .await?;
            }
            Effect::IncidentRaised { incident } => {
                let kind = serde_json::to_value(incident.kind)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{:?}", incident.kind));
                incidents::insert(
                    tx,
                    &incidents::Incident {
                        key: key_to_db(incident.key),
                        instance_id: instance_id.to_string(),
                        element_id: incident.element_id.clone(),
                        job_key: incident.job_key.map(key_to_db),
                        kind,
                        message: incident.message.clone(),
                        state: "open".into(),
                        created_at: now,
                        resolved_at: None,
                    },
                )
                .await?;
            }
            Effect::IncidentResolved { key } => {
                incidents::resolve(tx, key_to_db(*key), now).await?;
            }
            // Messages published and signals broadcast by the process, call
            // activities and errors thrown to a parent need cross-instance
            // routing, which is not durable yet; they are kept in history.
            _ => {}
        }
    }
    Ok(created_rows)
}
