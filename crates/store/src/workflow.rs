//! Durable execution: runs `flowdesk-engine` commands against stored
//! instance states.
//!
//! Every command is one transaction: lock the instance row (`SELECT … FOR
//! UPDATE` on PostgreSQL; on SQLite [`Workflow::begin`] takes the single
//! writer lock first), run [`flowdesk_engine::apply`], then write the new
//! state and every effect — jobs, timers, message subscriptions, history,
//! incidents — before commit. A crash loses the whole command or nothing.
//!
//! Effects that reach other instances are follow-up work in the same
//! transaction, run after the command's own rows are written: a call
//! activity starts its child instance, a completed child completes its
//! call activity, an uncaught error is thrown at the parent's call
//! activity, a terminated call activity terminates its child, a published
//! message correlates to waiting instances and starts instances at message
//! start events, a broadcast signal reaches every waiting instance and
//! signal start event, and an opened message subscription takes a
//! buffered message. So one command commits with everything it caused or
//! not at all. A follow-up the engine refuses (a message whose subscription
//! closed meanwhile, a called process that is not deployed) is logged and
//! skipped, as the in-memory runner does. On PostgreSQL the instances are
//! locked in the order the work reaches them; two commands locking a
//! parent and its child in opposite orders make one of them fail with a
//! deadlock error, to be retried by its caller.
//!
//! Start events: the message, signal and timer start events of the latest
//! version of each process are registered in `start_events` the first time
//! a publish, broadcast or timer pass sees the definition (so any way of
//! deploying works); a timer start event's first due time counts from the
//! deployment time. Messages published with a time to live are kept in
//! `messages` until they expire and are correlated at most once per
//! instance (`message_correlations`).
//!
//! Keys: each instance gets a number from `engine_keys` (reserved in blocks,
//! see [`crate::instance_numbers`]); its engine keys
//! (instance, element instances, jobs, timers, incidents) are
//! `number * 2^20 + n`, unique across instances and below 2^53 so they
//! survive JSON numbers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use flowdesk_engine::{
    apply, CallBinding, Command, CompiledProcess, Context, DecisionEvaluator, Effect, EngineError,
    EventTrigger, ExpressionEvaluator, FeelEvaluator, InstanceStatus, JobKind, NoDecisions,
    ParentLink, ProcessInstanceState, TimerSchedule, Variables,
};
use serde_json::Value;
use sqlx::Row;

use crate::definitions::{self, Definition, Kind};
use crate::instances::{self, Instance};
use crate::jobs::{self, Job};
use crate::sensitive::{self, Sealer};
use crate::{history, incidents, instance_numbers, Dialect, Millis, Store, StoreError, Tx};

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
        let document = flowdesk_model::bpmn::Document::parse(&definition.content)
            .map_err(|errors| invalid(errors.to_string()))?;
        document
            .validate()
            .map_err(|errors| invalid(errors.to_string()))?;
        let compiled = Arc::new(
            CompiledProcess::compile_document(&document, &definition.process_id)
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

/// The durable runner: a store, the compiled-process cache and the
/// decisions business rule tasks evaluate.
#[derive(Clone)]
pub struct Workflow {
    store: Store,
    processes: ProcessCache,
    decisions: Arc<dyn DecisionEvaluator>,
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Workflow")
            .field("store", &self.store)
            .field("processes", &self.processes)
            .finish_non_exhaustive()
    }
}

/// Work caused by a command that reaches beyond its instance; see the
/// module documentation.
enum Work {
    /// A command to the instance with this engine key.
    Command { instance_key: u64, command: Command },
    /// A new instance: of the latest version of a process (call activities)
    /// or of a given definition (start events).
    Start {
        process_id: String,
        definition: Option<Box<Definition>>,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<(String, ParentLink)>,
        actor: String,
    },
    /// A call activity's child instance of the version its `deployment` or
    /// `versionTag` binding names (an incident at the call activity when
    /// there is none).
    StartBound {
        process_id: String,
        binding: CallBinding,
        variables: Variables,
        parent: (String, ParentLink),
    },
    /// Terminates the child instance of a call activity.
    TerminateChild { element_instance_key: u64 },
    /// A message thrown by a process (no time to live).
    Publish {
        name: String,
        correlation_key: String,
        variables: Variables,
    },
    /// A signal thrown by a process.
    Signal { name: String, variables: Variables },
    /// A message subscription opened: take a buffered message if one waits.
    TakeBuffered {
        instance_id: String,
        name: String,
        correlation_key: String,
    },
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
            decisions: Arc::new(NoDecisions),
        }
    }

    /// Evaluates business rule tasks with `decisions` (by default every
    /// evaluation fails with an incident).
    pub fn with_decisions(mut self, decisions: Arc<dyn DecisionEvaluator>) -> Self {
        self.decisions = decisions;
        self
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
        instance_numbers::refill(&self.store).await?;
        match self.store.dialect() {
            Dialect::Sqlite => Ok(self.store.pool().begin_with("BEGIN IMMEDIATE").await?),
            Dialect::Postgres => Ok(self.store.begin().await?),
        }
    }

    fn context_apply(
        &self,
        process: &CompiledProcess,
        state: &mut ProcessInstanceState,
        instance_id: &str,
        command: Command,
        next_key: u64,
        now: Millis,
    ) -> Result<(Vec<Effect>, u64), WorkflowError> {
        let mut context = Context {
            now,
            next_key,
            expressions: expressions(),
            decisions: &*self.decisions,
            instance_id: Some(instance_id),
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
        self.start_instance_at(tx, definition, None, variables, actor, now)
            .await
    }

    /// Starts an instance of `definition` at the top-level start event
    /// `start_element` (`None`: the none start event) in `tx`.
    pub async fn start_instance_at(
        &self,
        tx: &mut Tx<'_>,
        definition: &Definition,
        start_element: Option<&str>,
        variables: Variables,
        actor: &str,
        now: Millis,
    ) -> Result<Instance, WorkflowError> {
        let mut work = VecDeque::new();
        let instance = self
            .start_one(
                tx,
                definition,
                start_element.map(str::to_owned),
                variables,
                None,
                actor,
                now,
                &mut work,
            )
            .await?;
        self.drain(tx, work, now).await?;
        Ok(instance)
    }

    /// Starts one instance and queues the work it causes elsewhere.
    #[allow(clippy::too_many_arguments)]
    async fn start_one(
        &self,
        tx: &mut Tx<'_>,
        definition: &Definition,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<(String, ParentLink)>,
        actor: &str,
        now: Millis,
        work: &mut VecDeque<Work>,
    ) -> Result<Instance, WorkflowError> {
        let process = self.processes.compiled(definition)?;
        let number = instance_numbers::next(&self.store, tx).await?;
        let key = key_from_db(number) * KEYS_PER_INSTANCE;
        let mut state = ProcessInstanceState::new(key, definition.process_id.clone());
        state.parent = parent.as_ref().map(|(_, link)| *link);
        let instance_id = crate::new_id();
        let (effects, next_key) = self.context_apply(
            &process,
            &mut state,
            &instance_id,
            Command::StartInstance {
                variables,
                start_element,
            },
            key + 1,
            now,
        )?;
        // The row is written once, with the state after the command (the
        // effects' rows reference it, so it goes first); the caller gets the
        // same values back without a read-back.
        let ended = has_ended(state.status);
        let sealer = Sealer::new(
            &self.store,
            self.store.sensitive().of_definition(definition)?,
        );
        let (variables, state_json) = sealer.seal_state(&instance_id, &state)?;
        let instance = Instance {
            id: instance_id,
            definition_id: definition.id.clone(),
            process_id: definition.process_id.clone(),
            process_name: definition.name.clone(),
            version: definition.version,
            state: state_name(state.status).to_string(),
            variables,
            started_at: now,
            ended_at: ended.then_some(now),
            started_by: actor.to_string(),
        };
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
        if let Some((parent_id, link)) = &parent {
            sqlx::query(
                "UPDATE instances SET parent_instance_id = $2, parent_element_instance_key = $3 \
                 WHERE id = $1",
            )
            .bind(&instance.id)
            .bind(parent_id)
            .bind(key_to_db(link.element_instance_key))
            .execute(&mut **tx)
            .await?;
        }
        let created_rows = write_effect_rows(tx, &sealer, &instance.id, &effects, now).await?;
        // A new instance owns no rows but the ones this command created.
        if ended && created_rows {
            close_ended(tx, &instance.id, now).await?;
        }
        follow_ups(&instance.id, &state, &effects, work);
        Ok(instance)
    }

    /// Applies `command` to the instance `instance_id` in `tx` (from
    /// [`Workflow::begin`]) and persists the new state and effects, then
    /// runs the work it causes in other instances (see the module
    /// documentation). Returns the command's own effects.
    pub async fn execute(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        command: Command,
        now: Millis,
    ) -> Result<Vec<Effect>, WorkflowError> {
        let mut work = VecDeque::new();
        let effects = self
            .execute_one(tx, instance_id, command, now, &mut work)
            .await?;
        self.drain(tx, work, now).await?;
        Ok(effects)
    }

    /// Applies one command to one instance and queues the work it causes
    /// elsewhere.
    async fn execute_one(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        command: Command,
        now: Millis,
        work: &mut VecDeque<Work>,
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
        let state_json = sensitive::open_text(
            &self.store,
            &sensitive::INSTANCE_STATES,
            instance_id,
            state_json,
        )
        .await?;
        let mut state: ProcessInstanceState = serde_json::from_str(&state_json).map_err(|e| {
            StoreError::InvalidData(format!("state of instance {instance_id}: {e}"))
        })?;
        let process = self.process_of(tx, &definition_id).await?;
        let (effects, next_key) = self.context_apply(
            &process,
            &mut state,
            instance_id,
            command,
            key_from_db(next_key),
            now,
        )?;
        let names = self
            .store
            .sensitive()
            .of_definition_id(tx, &definition_id)
            .await?;
        let sealer = Sealer::new(&self.store, names);
        persist(tx, &sealer, instance_id, &state, &effects, next_key, now).await?;
        follow_ups(instance_id, &state, &effects, work);
        Ok(effects)
    }

    /// The compiled process of a stored definition (a definition's content
    /// never changes: a compiled one needs no read).
    async fn process_of(
        &self,
        tx: &mut Tx<'_>,
        definition_id: &str,
    ) -> Result<Arc<CompiledProcess>, WorkflowError> {
        if let Some(process) = self.processes.get(definition_id) {
            return Ok(process);
        }
        let definition = definitions::find(&mut **tx, definition_id)
            .await?
            .ok_or_else(|| WorkflowError::NotFound(format!("definition {definition_id}")))?;
        self.processes.compiled(&definition)
    }

    /// Runs queued cross-instance work until none is left. Refusals by the
    /// engine are logged and skipped; database errors abort the command.
    async fn drain(
        &self,
        tx: &mut Tx<'_>,
        mut work: VecDeque<Work>,
        now: Millis,
    ) -> Result<(), WorkflowError> {
        while let Some(item) = work.pop_front() {
            match self.run_work(tx, item, now, &mut work).await {
                Ok(()) => {}
                Err(
                    error @ (WorkflowError::Engine(_)
                    | WorkflowError::NotFound(_)
                    | WorkflowError::Conflict(_)
                    | WorkflowError::InvalidDefinition { .. }),
                ) => {
                    tracing::warn!(%error, "follow-up work of a workflow command was skipped");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn run_work(
        &self,
        tx: &mut Tx<'_>,
        item: Work,
        now: Millis,
        work: &mut VecDeque<Work>,
    ) -> Result<(), WorkflowError> {
        match item {
            Work::Command {
                instance_key,
                command,
            } => {
                let row = sqlx::query("SELECT id FROM instances WHERE instance_key = $1")
                    .bind(key_to_db(instance_key))
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| {
                        WorkflowError::NotFound(format!("no instance with key {instance_key}"))
                    })?;
                let instance_id: String = row.try_get("id")?;
                self.execute_one(tx, &instance_id, command, now, work)
                    .await?;
            }
            Work::Start {
                process_id,
                definition,
                start_element,
                variables,
                parent,
                actor,
            } => {
                let definition = match definition {
                    Some(definition) => *definition,
                    None => definitions::latest(&mut **tx, Kind::Bpmn, &process_id)
                        .await?
                        .ok_or_else(|| {
                            WorkflowError::NotFound(format!("no process {process_id} is deployed"))
                        })?,
                };
                self.start_one(
                    tx,
                    &definition,
                    start_element,
                    variables,
                    parent,
                    &actor,
                    now,
                    work,
                )
                .await?;
            }
            Work::StartBound {
                process_id,
                binding,
                variables,
                parent,
            } => {
                let found = match &binding {
                    CallBinding::VersionTag(tag) => {
                        definitions::by_version_tag(&mut **tx, Kind::Bpmn, &process_id, tag)
                            .await?
                            .ok_or_else(|| {
                                format!(
                                    "process {process_id} has no version with version tag {tag}"
                                )
                            })
                    }
                    CallBinding::Deployment | CallBinding::Latest => {
                        // The store keeps no deployment grouping: the version
                        // deployed with the caller is the latest one deployed
                        // at or before the calling version.
                        let row = sqlx::query(
                            "SELECT d.deployed_at FROM instances i JOIN definitions d \
                             ON d.id = i.definition_id WHERE i.id = $1",
                        )
                        .bind(&parent.0)
                        .fetch_one(&mut **tx)
                        .await?;
                        let deployed_at: Millis = row.try_get("deployed_at")?;
                        definitions::latest_at(&mut **tx, Kind::Bpmn, &process_id, deployed_at)
                            .await?
                            .ok_or_else(|| {
                                format!(
                                    "process {process_id} was not deployed with or before the \
                                     calling process"
                                )
                            })
                    }
                };
                match found {
                    Ok(definition) => {
                        self.start_one(
                            tx,
                            &definition,
                            None,
                            variables,
                            Some(parent),
                            "call-activity",
                            now,
                            work,
                        )
                        .await?;
                    }
                    Err(message) => {
                        let command = Command::FailCallActivity {
                            element_instance_key: parent.1.element_instance_key,
                            message,
                        };
                        self.execute_one(tx, &parent.0, command, now, work).await?;
                    }
                }
            }
            Work::TerminateChild {
                element_instance_key,
            } => {
                let rows = sqlx::query(
                    "SELECT id FROM instances WHERE parent_element_instance_key = $1 \
                     AND state = 'active'",
                )
                .bind(key_to_db(element_instance_key))
                .fetch_all(&mut **tx)
                .await?;
                for row in rows {
                    let child: String = row.try_get("id")?;
                    self.execute_one(tx, &child, Command::TerminateInstance, now, work)
                        .await?;
                }
            }
            Work::Publish {
                name,
                correlation_key,
                variables,
            } => {
                self.publish(tx, &name, &correlation_key, variables, 0, now, work)
                    .await?;
            }
            Work::Signal { name, variables } => {
                self.signal(tx, &name, variables, work).await?;
            }
            Work::TakeBuffered {
                instance_id,
                name,
                correlation_key,
            } => {
                let row = sqlx::query(
                    "SELECT id, variables FROM messages m WHERE message_name = $1 \
                     AND correlation_key = $2 AND expires_at > $3 AND NOT EXISTS \
                     (SELECT 1 FROM message_correlations c WHERE c.message_id = m.id \
                     AND c.instance_id = $4) ORDER BY published_at, id LIMIT 1",
                )
                .bind(&name)
                .bind(&correlation_key)
                .bind(now)
                .bind(&instance_id)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(row) = row {
                    let message_id: String = row.try_get("id")?;
                    let variables: String = row.try_get("variables")?;
                    let variables = sensitive::open_text(
                        &self.store,
                        &sensitive::MESSAGE_VARIABLES,
                        &message_id,
                        variables,
                    )
                    .await?;
                    let variables: Variables = serde_json::from_str(&variables).map_err(|e| {
                        StoreError::InvalidData(format!("variables of message {message_id}: {e}"))
                    })?;
                    sqlx::query(
                        "INSERT INTO message_correlations (message_id, instance_id) VALUES ($1, $2)",
                    )
                    .bind(&message_id)
                    .bind(&instance_id)
                    .execute(&mut **tx)
                    .await?;
                    let command = Command::CorrelateMessage {
                        name,
                        correlation_key,
                        variables,
                    };
                    self.execute_one(tx, &instance_id, command, now, work)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Publishes a message in `tx`: it is correlated to every instance with
    /// an open subscription for `name` and `correlation_key` (once per
    /// instance), starts an instance at each message start event named
    /// `name` (latest versions), and, with `ttl_ms > 0`, is kept until
    /// `now + ttl_ms` for subscriptions opened later. Returns the ids of
    /// the instances it was correlated to or started.
    pub async fn publish_message(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        correlation_key: &str,
        variables: Variables,
        ttl_ms: i64,
        now: Millis,
    ) -> Result<Vec<String>, WorkflowError> {
        let mut work = VecDeque::new();
        let reached = self
            .publish(tx, name, correlation_key, variables, ttl_ms, now, &mut work)
            .await?;
        self.drain(tx, work, now).await?;
        Ok(reached)
    }

    #[allow(clippy::too_many_arguments)]
    async fn publish(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        correlation_key: &str,
        variables: Variables,
        ttl_ms: i64,
        now: Millis,
        work: &mut VecDeque<Work>,
    ) -> Result<Vec<String>, WorkflowError> {
        sqlx::query("DELETE FROM messages WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut **tx)
            .await?;
        let rows = sqlx::query(
            "SELECT DISTINCT instance_id FROM message_subscriptions \
             WHERE message_name = $1 AND correlation_key = $2 ORDER BY instance_id",
        )
        .bind(name)
        .bind(correlation_key)
        .fetch_all(&mut **tx)
        .await?;
        let mut reached = Vec::new();
        for row in rows {
            let instance_id: String = row.try_get("instance_id")?;
            let command = Command::CorrelateMessage {
                name: name.to_string(),
                correlation_key: correlation_key.to_string(),
                variables: variables.clone(),
            };
            match self.execute_one(tx, &instance_id, command, now, work).await {
                Ok(_) => reached.push(instance_id),
                Err(WorkflowError::Engine(error)) => {
                    tracing::warn!(%error, %instance_id, "message not correlated");
                }
                Err(error) => return Err(error),
            }
        }
        for (definition, element_id) in self.start_events(tx, "message", name).await? {
            let instance = self
                .start_one(
                    tx,
                    &definition,
                    Some(element_id),
                    variables.clone(),
                    None,
                    &format!("message:{name}"),
                    now,
                    work,
                )
                .await?;
            reached.push(instance.id);
        }
        if ttl_ms > 0 {
            let message_id = crate::new_id();
            let sealer = Sealer::new(&self.store, self.store.sensitive().configured());
            let variables = sealer.seal(
                &sensitive::MESSAGE_VARIABLES,
                &message_id,
                Value::Object(variables),
            )?;
            sqlx::query(
                "INSERT INTO messages (id, message_name, correlation_key, variables, \
                 published_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&message_id)
            .bind(name)
            .bind(correlation_key)
            .bind(variables)
            .bind(now)
            .bind(now.saturating_add(ttl_ms))
            .execute(&mut **tx)
            .await?;
            for instance_id in &reached {
                sqlx::query(
                    "INSERT INTO message_correlations (message_id, instance_id) VALUES ($1, $2)",
                )
                .bind(&message_id)
                .bind(instance_id)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(reached)
    }

    /// Broadcasts a signal in `tx`: every instance with an open
    /// subscription for `name` gets it, and an instance starts at each
    /// signal start event named `name` (latest versions). Returns the ids
    /// of the instances it reached or started.
    pub async fn broadcast_signal(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        variables: Variables,
        now: Millis,
    ) -> Result<Vec<String>, WorkflowError> {
        let mut work = VecDeque::new();
        let reached = self.signal(tx, name, variables, &mut work).await?;
        self.drain(tx, work, now).await?;
        Ok(reached)
    }

    async fn signal(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        variables: Variables,
        work: &mut VecDeque<Work>,
    ) -> Result<Vec<String>, WorkflowError> {
        let rows = sqlx::query(
            "SELECT DISTINCT instance_id FROM signal_subscriptions WHERE signal_name = $1 \
             ORDER BY instance_id",
        )
        .bind(name)
        .fetch_all(&mut **tx)
        .await?;
        let mut reached = Vec::new();
        for row in rows {
            let instance_id: String = row.try_get("instance_id")?;
            work.push_back(Work::Command {
                instance_key: self.instance_key(tx, &instance_id).await?,
                command: Command::BroadcastSignal {
                    name: name.to_string(),
                    variables: variables.clone(),
                },
            });
            reached.push(instance_id);
        }
        for (definition, element_id) in self.start_events(tx, "signal", name).await? {
            work.push_back(Work::Start {
                process_id: definition.process_id.clone(),
                definition: Some(Box::new(definition)),
                start_element: Some(element_id),
                variables: variables.clone(),
                parent: None,
                actor: format!("signal:{name}"),
            });
        }
        Ok(reached)
    }

    /// Starts an instance at every conditional start event (latest
    /// versions) whose condition holds for `variables`, with them as start
    /// variables, in `tx`; returns the new instances' ids. A condition that
    /// cannot be evaluated starts nothing (and is logged).
    pub async fn evaluate_start_conditions(
        &self,
        tx: &mut Tx<'_>,
        variables: Variables,
        now: Millis,
    ) -> Result<Vec<String>, WorkflowError> {
        // Conditional start events are rare and only evaluated on request:
        // the latest definitions are scanned (compiled ones are cached).
        let rows = sqlx::query(
            "SELECT d.id FROM definitions d WHERE d.kind = 'bpmn' AND d.version = \
             (SELECT MAX(e.version) FROM definitions e WHERE e.kind = 'bpmn' \
             AND e.process_id = d.process_id) ORDER BY d.process_id",
        )
        .fetch_all(&mut **tx)
        .await?;
        let mut work = VecDeque::new();
        let mut started = Vec::new();
        for row in rows {
            let definition_id: String = row.try_get("id")?;
            let Some(definition) = definitions::find(&mut **tx, &definition_id).await? else {
                continue;
            };
            let process = match self.processes.compiled(&definition) {
                Ok(process) => process,
                Err(error) => {
                    tracing::warn!(%error, "definition skipped for conditional start events");
                    continue;
                }
            };
            for start in process.start_events() {
                let EventTrigger::Conditional { condition } = &start.trigger else {
                    continue;
                };
                match expressions().evaluate(condition, &variables) {
                    Ok(Value::Bool(true)) => {}
                    Ok(_) => continue,
                    Err(error) => {
                        tracing::warn!(%error, element_id = %start.element_id, "conditional start event not evaluated");
                        continue;
                    }
                }
                let instance = self
                    .start_one(
                        tx,
                        &definition,
                        Some(start.element_id.clone()),
                        variables.clone(),
                        None,
                        "condition",
                        now,
                        &mut work,
                    )
                    .await?;
                started.push(instance.id);
            }
        }
        self.drain(tx, work, now).await?;
        Ok(started)
    }

    async fn instance_key(&self, tx: &mut Tx<'_>, instance_id: &str) -> Result<u64, WorkflowError> {
        let row = sqlx::query("SELECT instance_key FROM instances WHERE id = $1")
            .bind(instance_id)
            .fetch_one(&mut **tx)
            .await?;
        let key: Option<i64> = row.try_get("instance_key")?;
        key.map(key_from_db).ok_or_else(|| {
            WorkflowError::Conflict(format!("instance {instance_id} has no engine state"))
        })
    }

    /// The definitions and start event ids of the `kind` (`message` or
    /// `signal`) start events named `name`, registering new definitions first.
    async fn start_events(
        &self,
        tx: &mut Tx<'_>,
        kind: &str,
        name: &str,
    ) -> Result<Vec<(Definition, String)>, WorkflowError> {
        self.register_start_events(tx).await?;
        let rows = sqlx::query(
            "SELECT definition_id, element_id FROM start_events WHERE kind = $1 AND name = $2 \
             ORDER BY process_id, element_id",
        )
        .bind(kind)
        .bind(name)
        .fetch_all(&mut **tx)
        .await?;
        let mut found = Vec::new();
        for row in rows {
            let definition_id: String = row.try_get("definition_id")?;
            let element_id: String = row.try_get("element_id")?;
            let definition = definitions::find(&mut **tx, &definition_id)
                .await?
                .ok_or_else(|| WorkflowError::NotFound(format!("definition {definition_id}")))?;
            found.push((definition, element_id));
        }
        Ok(found)
    }

    /// Registers the message, signal and timer start events of BPMN
    /// definitions not seen yet; a process's latest version replaces the
    /// start events of its earlier ones. A timer start event is first due
    /// after the definition's deployment. Definitions that do not compile
    /// have no start events.
    pub async fn register_start_events(&self, tx: &mut Tx<'_>) -> Result<(), WorkflowError> {
        let rows = sqlx::query(
            "SELECT id FROM definitions d WHERE kind = 'bpmn' AND NOT EXISTS \
             (SELECT 1 FROM start_event_definitions s WHERE s.definition_id = d.id) \
             ORDER BY process_id, version",
        )
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            let definition_id: String = row.try_get("id")?;
            let registered = sqlx::query(
                "INSERT INTO start_event_definitions (definition_id) VALUES ($1) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&definition_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            let Some(definition) = definitions::find(&mut **tx, &definition_id).await? else {
                continue;
            };
            let latest = definitions::latest(&mut **tx, Kind::Bpmn, &definition.process_id)
                .await?
                .is_some_and(|latest| latest.id == definition.id);
            if registered == 0 || !latest {
                continue;
            }
            sqlx::query("DELETE FROM start_events WHERE process_id = $1")
                .bind(&definition.process_id)
                .execute(&mut **tx)
                .await?;
            let process = match self.processes.compiled(&definition) {
                Ok(process) => process,
                Err(error) => {
                    tracing::warn!(%error, "definition has no runnable start events");
                    continue;
                }
            };
            for start in process.start_events() {
                let (kind, name, due_at, remaining, schedule) = match &start.trigger {
                    EventTrigger::Message { name, .. } => {
                        ("message", Some(name.clone()), None, None, None)
                    }
                    EventTrigger::Signal { name } => {
                        ("signal", Some(name.clone()), None, None, None)
                    }
                    EventTrigger::Timer {
                        schedule: Some(schedule),
                        ..
                    } => {
                        let Some(due_at) = schedule.first_due(definition.deployed_at) else {
                            continue;
                        };
                        let text = serde_json::to_string(schedule)
                            .map_err(|e| StoreError::InvalidData(format!("timer schedule: {e}")))?;
                        (
                            "timer",
                            None,
                            Some(due_at),
                            schedule.repetitions().map(i64::from),
                            Some(text),
                        )
                    }
                    _ => continue,
                };
                sqlx::query(
                    "INSERT INTO start_events (definition_id, process_id, element_id, kind, name, \
                     due_at, remaining, schedule) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&definition.id)
                .bind(&definition.process_id)
                .bind(&start.element_id)
                .bind(kind)
                .bind(name)
                .bind(due_at)
                .bind(remaining)
                .bind(schedule)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
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
        self.throw_error_with_variables(tx, job_key, code, message, Variables::new(), now)
            .await
    }

    /// Throws a BPMN error from a job with variables, which are set at the
    /// catching event.
    pub async fn throw_error_with_variables(
        &self,
        tx: &mut Tx<'_>,
        job_key: i64,
        code: &str,
        message: &str,
        variables: Variables,
        now: Millis,
    ) -> Result<JobOutcome, WorkflowError> {
        let Some(job) = self.open_job(tx, job_key).await? else {
            return Ok(JobOutcome::AlreadyDone);
        };
        let command = Command::ThrowError {
            job_key: key_from_db(job_key),
            code: code.to_string(),
            message: message.to_string(),
            variables,
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
    /// `name` and `correlation_key` and starts instances at message start
    /// events, without keeping it for later ([`Workflow::publish_message`]
    /// with no time to live); returns the ids of the instances reached.
    pub async fn correlate_message(
        &self,
        tx: &mut Tx<'_>,
        name: &str,
        correlation_key: &str,
        variables: Variables,
        now: Millis,
    ) -> Result<Vec<String>, WorkflowError> {
        self.publish_message(tx, name, correlation_key, variables, 0, now)
            .await
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

    /// Fires every timer due at `now` (up to 100 instance timers and 100
    /// timer start events per call), each in its own transaction; returns
    /// how many fired. A timer fired or cancelled meanwhile by another node
    /// is skipped.
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
            // Firing consumes the row; a repeating timer's next firing
            // comes back as a `TimerScheduled` effect with the same key.
            delete_timer(&mut tx, key).await?;
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
        fired += self.fire_due_start_timers(now).await?;
        Ok(fired)
    }

    /// Starts an instance for each timer start event due at `now`, each in
    /// its own transaction, and schedules the event's next firing.
    async fn fire_due_start_timers(&self, now: Millis) -> Result<usize, WorkflowError> {
        self.register_pending_start_events().await?;
        let due = sqlx::query(
            "SELECT definition_id, element_id FROM start_events \
             WHERE kind = 'timer' AND due_at <= $1 ORDER BY due_at, process_id LIMIT 100",
        )
        .bind(now)
        .fetch_all(self.store.pool())
        .await?;
        let mut fired = 0;
        for row in due {
            let definition_id: String = row.try_get("definition_id")?;
            let element_id: String = row.try_get("element_id")?;
            let mut tx = self.begin().await?;
            let lock = match self.store.dialect() {
                Dialect::Postgres => " FOR UPDATE",
                Dialect::Sqlite => "",
            };
            let Some(current) = sqlx::query(&format!(
                "SELECT due_at, remaining, schedule FROM start_events \
                 WHERE definition_id = $1 AND element_id = $2 AND due_at <= $3{lock}"
            ))
            .bind(&definition_id)
            .bind(&element_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
            else {
                continue;
            };
            let due_at: i64 = current.try_get("due_at")?;
            let remaining: Option<i64> = current.try_get("remaining")?;
            let schedule: Option<String> = current.try_get("schedule")?;
            let schedule: TimerSchedule = serde_json::from_str(schedule.as_deref().unwrap_or(""))
                .map_err(|e| {
                StoreError::InvalidData(format!(
                    "timer start event {element_id} of definition {definition_id}: {e}"
                ))
            })?;
            let remaining = remaining.map(|count| count.saturating_sub(1));
            let next = if remaining == Some(0) {
                None
            } else {
                schedule.next_due(due_at)
            };
            let update = match next {
                Some(next) => sqlx::query(
                    "UPDATE start_events SET due_at = $3, remaining = $4 \
                     WHERE definition_id = $1 AND element_id = $2",
                )
                .bind(&definition_id)
                .bind(&element_id)
                .bind(next)
                .bind(remaining),
                None => sqlx::query(
                    "DELETE FROM start_events WHERE definition_id = $1 AND element_id = $2",
                )
                .bind(&definition_id)
                .bind(&element_id),
            };
            update.execute(&mut *tx).await?;
            let definition = definitions::find(&mut *tx, &definition_id)
                .await?
                .ok_or_else(|| WorkflowError::NotFound(format!("definition {definition_id}")))?;
            self.start_instance_at(
                &mut tx,
                &definition,
                Some(&element_id),
                Variables::new(),
                "timer",
                due_at,
            )
            .await?;
            tx.commit().await?;
            fired += 1;
        }
        Ok(fired)
    }

    /// When the next timer (of an instance or a timer start event) is due,
    /// if any is scheduled.
    pub async fn next_timer_due(&self) -> Result<Option<Millis>, WorkflowError> {
        self.register_pending_start_events().await?;
        let row = sqlx::query(
            "SELECT MIN(due_at) AS due_at FROM (SELECT due_at FROM timers UNION ALL \
             SELECT due_at FROM start_events WHERE kind = 'timer') AS due",
        )
        .fetch_one(self.store.pool())
        .await?;
        Ok(row.try_get("due_at")?)
    }

    /// Registers the start events of new definitions in a transaction of
    /// its own, taking the write lock only when there is one (the timer
    /// worker calls this on every pass).
    async fn register_pending_start_events(&self) -> Result<(), WorkflowError> {
        let pending = sqlx::query(
            "SELECT id FROM definitions d WHERE kind = 'bpmn' AND NOT EXISTS \
             (SELECT 1 FROM start_event_definitions s WHERE s.definition_id = d.id) LIMIT 1",
        )
        .fetch_optional(self.store.pool())
        .await?;
        if pending.is_some() {
            let mut tx = self.begin().await?;
            self.register_start_events(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

async fn delete_timer(tx: &mut Tx<'_>, key: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM timers WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The history kind of an effect other than an element event: its `type`
/// (`jobCreated`, `timerScheduled`, …).
fn history_kind(detail: &Value) -> String {
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
    // Element events are most of history and carry no variables: written
    // straight to text, without the `Value` tree the general case builds,
    // and without what the row's own columns hold (kind, element id).
    if let Effect::Element {
        intent,
        element_instance_key,
        element_type,
        ..
    } = effect
    {
        let element_type = serde_json::to_string(element_type)
            .map_err(|e| StoreError::InvalidData(format!("effect: {e}")))?;
        let detail = format!(
            "{{\"element_instance_key\":{element_instance_key},\"element_type\":{element_type}}}"
        );
        return Ok((format!("element{intent:?}"), detail));
    }
    let mut detail = serde_json::to_value(effect)
        .map_err(|e| StoreError::InvalidData(format!("effect: {e}")))?;
    let kind = history_kind(&detail);
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
/// instance row, sensitive variables sealed by `sealer`.
#[allow(clippy::too_many_arguments)]
async fn persist(
    tx: &mut Tx<'_>,
    sealer: &Sealer,
    instance_id: &str,
    state: &ProcessInstanceState,
    effects: &[Effect],
    next_key: u64,
    now: Millis,
) -> Result<(), WorkflowError> {
    let rows = history_rows(effects)?;
    let (variables, state_json) = sealer.seal_state(instance_id, state)?;
    history::append_many(tx, &history_events(instance_id, now, effects, &rows)).await?;
    write_effect_rows(tx, sealer, instance_id, effects, now).await?;
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
    .bind(variables)
    .bind(state_json)
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
    sqlx::query("DELETE FROM signal_subscriptions WHERE instance_id = $1")
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
/// was created. Job variables are sealed by `sealer`.
async fn write_effect_rows(
    tx: &mut Tx<'_>,
    sealer: &Sealer,
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
                | Effect::SignalSubscriptionOpened { .. }
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
                        variables: sealer.seal(
                            &sensitive::JOB_VARIABLES,
                            &key.to_string(),
                            Value::Object(variables.clone()),
                        )?,
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
            Effect::SignalSubscriptionOpened { key, name } => {
                sqlx::query(
                    "INSERT INTO signal_subscriptions \
                     (key, instance_id, signal_name, created_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(key_to_db(*key))
                .bind(instance_id)
                .bind(name)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            Effect::SignalSubscriptionClosed { key, .. } => {
                sqlx::query("DELETE FROM signal_subscriptions WHERE key = $1")
                    .bind(key_to_db(*key))
                    .execute(&mut **tx)
                    .await?;
            }
            Effect::IncidentResolved { key } => {
                incidents::resolve(tx, key_to_db(*key), now).await?;
            }
            // Messages, signals, call activities and errors thrown to a
            // parent reach other instances: see `follow_ups`.
            _ => {}
        }
    }
    Ok(created_rows)
}

/// The work a command's effects cause outside its instance.
fn follow_ups(
    instance_id: &str,
    state: &ProcessInstanceState,
    effects: &[Effect],
    work: &mut VecDeque<Work>,
) {
    for effect in effects {
        match effect {
            Effect::MessageSubscriptionOpened {
                name,
                correlation_key,
                ..
            } => work.push_back(Work::TakeBuffered {
                instance_id: instance_id.to_string(),
                name: name.clone(),
                correlation_key: correlation_key.clone(),
            }),
            Effect::MessagePublished {
                name,
                correlation_key,
                variables,
            } => work.push_back(Work::Publish {
                name: name.clone(),
                correlation_key: correlation_key.clone(),
                variables: variables.clone(),
            }),
            Effect::SignalBroadcast { name, variables } => work.push_back(Work::Signal {
                name: name.clone(),
                variables: variables.clone(),
            }),
            Effect::CallActivityStarted {
                element_instance_key,
                process_id,
                binding: binding @ (CallBinding::Deployment | CallBinding::VersionTag(_)),
                variables,
            } => work.push_back(Work::StartBound {
                process_id: process_id.clone(),
                binding: binding.clone(),
                variables: variables.clone(),
                parent: (
                    instance_id.to_string(),
                    ParentLink {
                        instance_key: state.key,
                        element_instance_key: *element_instance_key,
                    },
                ),
            }),
            Effect::CallActivityStarted {
                element_instance_key,
                process_id,
                binding: CallBinding::Latest,
                variables,
            } => work.push_back(Work::Start {
                process_id: process_id.clone(),
                definition: None,
                start_element: None,
                variables: variables.clone(),
                parent: Some((
                    instance_id.to_string(),
                    ParentLink {
                        instance_key: state.key,
                        element_instance_key: *element_instance_key,
                    },
                )),
                actor: "call-activity".to_string(),
            }),
            Effect::CallActivityTerminated {
                element_instance_key,
            } => work.push_back(Work::TerminateChild {
                element_instance_key: *element_instance_key,
            }),
            Effect::ErrorThrownToParent {
                parent,
                code,
                message,
                variables,
            } => work.push_back(Work::Command {
                instance_key: parent.instance_key,
                command: Command::ThrowErrorAt {
                    element_instance_key: parent.element_instance_key,
                    code: code.clone(),
                    message: message.clone(),
                    variables: variables.clone(),
                },
            }),
            Effect::InstanceCompleted { variables } => {
                if let Some(parent) = state.parent {
                    work.push_back(Work::Command {
                        instance_key: parent.instance_key,
                        command: Command::CompleteCallActivity {
                            element_instance_key: parent.element_instance_key,
                            variables: variables.clone(),
                        },
                    });
                }
            }
            _ => {}
        }
    }
}
