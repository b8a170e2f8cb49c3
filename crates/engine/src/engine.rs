//! An in-memory runner over the pure core, for tests and the in-memory
//! benchmark: deployed processes, instances, a controllable clock, a job
//! queue, buffered messages with TTL, call activities, and timer, message
//! and signal start events. It plays the part `flowdesk-store` and the
//! workers play in production; it does no I/O either.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use flowdesk_model::bpmn::ElementKind;
use serde::Serialize;
use serde_json::Value;

use crate::compiled::{CompiledProcess, EventTrigger};
use crate::error::EngineError;
use crate::execute::{apply, Context, DecisionEvaluator, NoDecisions, ScopeView};
use crate::expression::{ExpressionEvaluator, FeelEvaluator};
use crate::state::*;
use crate::timer::TimerSchedule;

/// One history event recorded by the runner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRecord {
    /// The process instance key.
    pub instance_key: u64,
    /// The element instance key.
    pub element_instance_key: u64,
    /// The element id.
    pub element_id: Arc<str>,
    /// The element type.
    pub element_type: ElementKind,
    /// What happened.
    pub intent: Intent,
}

/// A job handed to a worker by [`Engine::activate_jobs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivatedJob {
    /// The job key.
    pub key: u64,
    /// The job type.
    pub job_type: String,
    /// The process instance key.
    pub instance_key: u64,
    /// The element id.
    pub element_id: Arc<str>,
    /// Retries left.
    pub retries: i64,
    /// Task headers.
    pub headers: Vec<(String, String)>,
    /// The variables visible at the task now.
    pub variables: Variables,
}

#[derive(Debug, Clone)]
struct JobEntry {
    instance_key: u64,
    job_type: String,
    element_id: Arc<str>,
    element_instance_key: u64,
    retries: i64,
    available_at: i64,
    activated: bool,
    headers: Vec<(String, String)>,
    kind: JobKind,
}

#[derive(Debug, Clone)]
enum TimerOwner {
    Instance(u64),
    Start {
        process_id: String,
        element_id: String,
        schedule: TimerSchedule,
        remaining: Option<u32>,
    },
}

#[derive(Debug, Clone)]
struct TimerEntry {
    due_at: i64,
    owner: TimerOwner,
}

#[derive(Debug, Clone)]
struct BufferedMessage {
    name: String,
    correlation_key: String,
    variables: Variables,
    expires_at: i64,
    correlated: Vec<u64>,
}

enum Work {
    Command(u64, Command),
    Start {
        process_id: String,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<ParentLink>,
    },
    /// A call activity's child instance of a version chosen by its binding.
    StartCalled {
        process: Arc<CompiledProcess>,
        variables: Variables,
        parent: ParentLink,
    },
}

/// The in-memory runner. See the [module documentation](self).
pub struct Engine {
    processes: HashMap<String, Arc<CompiledProcess>>,
    /// Every deployed version per process id, oldest first, with the
    /// number of the deployment (`deploy` call) that brought it.
    versions: HashMap<String, Vec<(u64, Arc<CompiledProcess>)>>,
    deployments: u64,
    instances: BTreeMap<u64, (Arc<CompiledProcess>, ProcessInstanceState)>,
    now: i64,
    next_key: u64,
    jobs: BTreeMap<u64, JobEntry>,
    timers: BTreeMap<u64, TimerEntry>,
    messages: Vec<BufferedMessage>,
    children: HashMap<u64, u64>,
    history: Vec<HistoryRecord>,
    record_history: bool,
    keep_ended: bool,
    expressions: Box<dyn ExpressionEvaluator>,
    decisions: Box<dyn DecisionEvaluator>,
    work: VecDeque<Work>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An empty engine at time 0 with the FEEL evaluator ([`FeelEvaluator`])
    /// and no decisions.
    pub fn new() -> Self {
        Engine {
            processes: HashMap::new(),
            versions: HashMap::new(),
            deployments: 0,
            instances: BTreeMap::new(),
            now: 0,
            next_key: 1,
            jobs: BTreeMap::new(),
            timers: BTreeMap::new(),
            messages: Vec::new(),
            children: HashMap::new(),
            history: Vec::new(),
            record_history: true,
            keep_ended: true,
            expressions: Box::new(FeelEvaluator::new()),
            decisions: Box::new(NoDecisions),
            work: VecDeque::new(),
        }
    }

    /// Uses `evaluator` for expressions.
    pub fn with_expressions(mut self, evaluator: Box<dyn ExpressionEvaluator>) -> Self {
        self.expressions = evaluator;
        self
    }

    /// Uses `decisions` for business rule tasks.
    pub fn with_decisions(mut self, decisions: Box<dyn DecisionEvaluator>) -> Self {
        self.decisions = decisions;
        self
    }

    /// Whether to record history (on by default; the benchmark turns it off).
    pub fn set_record_history(&mut self, record: bool) {
        self.record_history = record;
    }

    /// Whether to keep ended instances for inspection (on by default).
    pub fn set_keep_ended_instances(&mut self, keep: bool) {
        self.keep_ended = keep;
    }

    /// Deploys BPMN XML; returns the ids of the deployed processes.
    pub fn deploy_xml(&mut self, xml: &str) -> Result<Vec<String>, EngineError> {
        let model = |errors: flowdesk_model::ModelErrors| EngineError::Model(errors.to_string());
        let document = flowdesk_model::bpmn::Document::parse(xml).map_err(model)?;
        document.validate().map_err(model)?;
        let compiled = CompiledProcess::compile_all_document(&document)?;
        Ok(self.install(compiled))
    }

    /// Deploys every executable process of `definitions` (a redeployed id
    /// replaces the old version for new instances). Element data only the
    /// XML carries needs [`Engine::deploy_xml`].
    pub fn deploy(
        &mut self,
        definitions: &flowdesk_model::bpmn::Definitions,
    ) -> Result<Vec<String>, EngineError> {
        let compiled = CompiledProcess::compile_all(definitions)?;
        Ok(self.install(compiled))
    }

    fn install(&mut self, compiled: Vec<CompiledProcess>) -> Vec<String> {
        self.deployments += 1;
        let mut ids = Vec::new();
        for process in compiled {
            let id = process.id().to_owned();
            self.timers.retain(|_, timer| {
                !matches!(&timer.owner, TimerOwner::Start { process_id, .. } if *process_id == id)
            });
            for start in process.start_events() {
                if let EventTrigger::Timer {
                    schedule: Some(schedule),
                    ..
                } = &start.trigger
                {
                    if let Some(due_at) = schedule.first_due(self.now) {
                        let key = self.new_key();
                        self.timers.insert(
                            key,
                            TimerEntry {
                                due_at,
                                owner: TimerOwner::Start {
                                    process_id: id.clone(),
                                    element_id: start.element_id.clone(),
                                    schedule: schedule.clone(),
                                    remaining: schedule.repetitions(),
                                },
                            },
                        );
                    }
                }
            }
            let process = Arc::new(process);
            self.versions
                .entry(id.clone())
                .or_default()
                .push((self.deployments, process.clone()));
            self.processes.insert(id.clone(), process);
            ids.push(id);
        }
        ids
    }

    fn new_key(&mut self) -> u64 {
        let key = self.next_key;
        self.next_key += 1;
        key
    }

    /// The current time of the engine's clock, ms since the epoch.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Sets the clock without firing timers (use before starting instances).
    pub fn set_clock(&mut self, now: i64) {
        self.now = now;
    }

    /// Starts an instance at the none start event.
    pub fn start_instance(
        &mut self,
        process_id: &str,
        variables: Variables,
    ) -> Result<u64, EngineError> {
        self.start(process_id, None, variables, None)
    }

    /// Starts an instance at a given top-level start event.
    pub fn start_instance_at(
        &mut self,
        process_id: &str,
        start_element: &str,
        variables: Variables,
    ) -> Result<u64, EngineError> {
        self.start(process_id, Some(start_element.to_owned()), variables, None)
    }

    fn start(
        &mut self,
        process_id: &str,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<ParentLink>,
    ) -> Result<u64, EngineError> {
        let process = self.processes.get(process_id).cloned().ok_or_else(|| {
            EngineError::ProcessNotFound {
                process_id: process_id.to_owned(),
            }
        })?;
        let key = self.new_key();
        let mut state = ProcessInstanceState::new(key, process_id);
        state.parent = parent;
        let effects = self.apply_to(
            &process,
            &mut state,
            Command::StartInstance {
                variables,
                start_element,
            },
        )?;
        if let Some(parent) = parent {
            self.children.insert(parent.element_instance_key, key);
        }
        self.instances.insert(key, (process, state));
        self.handle_effects(key, effects);
        self.drain();
        Ok(key)
    }

    fn apply_to(
        &mut self,
        process: &CompiledProcess,
        state: &mut ProcessInstanceState,
        command: Command,
    ) -> Result<Vec<Effect>, EngineError> {
        let mut context = Context {
            now: self.now,
            next_key: self.next_key,
            expressions: &*self.expressions,
            decisions: &*self.decisions,
            instance_id: None,
        };
        let result = apply(process, state, command, &mut context);
        self.next_key = context.next_key;
        result
    }

    /// Applies a command to an instance and everything that follows from it.
    pub fn command(&mut self, instance_key: u64, command: Command) -> Result<(), EngineError> {
        let result = self.command_once(instance_key, command);
        self.drain();
        result
    }

    fn command_once(&mut self, instance_key: u64, command: Command) -> Result<(), EngineError> {
        let Some((process, mut state)) = self.instances.remove(&instance_key) else {
            return Err(EngineError::InstanceNotActive {
                instance_key,
                status: "unknown".into(),
            });
        };
        let result = self.apply_to(&process, &mut state, command);
        self.instances.insert(instance_key, (process, state));
        let effects = result?;
        self.handle_effects(instance_key, effects);
        Ok(())
    }

    fn drain(&mut self) {
        while let Some(work) = self.work.pop_front() {
            // Follow-up work fails only on races (a message whose
            // subscription closed meanwhile), which are harmless.
            let _ = match work {
                Work::Command(instance, command) => self.command_once(instance, command),
                Work::Start {
                    process_id,
                    start_element,
                    variables,
                    parent,
                } => self.start_without_drain(&process_id, start_element, variables, parent),
                Work::StartCalled {
                    process,
                    variables,
                    parent,
                } => self.start_process(process, None, variables, Some(parent)),
            };
        }
        if !self.keep_ended {
            self.instances
                .retain(|_, (_, state)| state.status == InstanceStatus::Active);
        }
    }

    fn start_without_drain(
        &mut self,
        process_id: &str,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<ParentLink>,
    ) -> Result<(), EngineError> {
        let process = self.processes.get(process_id).cloned().ok_or_else(|| {
            EngineError::ProcessNotFound {
                process_id: process_id.to_owned(),
            }
        })?;
        self.start_process(process, start_element, variables, parent)
    }

    fn start_process(
        &mut self,
        process: Arc<CompiledProcess>,
        start_element: Option<String>,
        variables: Variables,
        parent: Option<ParentLink>,
    ) -> Result<(), EngineError> {
        let key = self.new_key();
        let mut state = ProcessInstanceState::new(key, process.id());
        state.parent = parent;
        let effects = self.apply_to(
            &process,
            &mut state,
            Command::StartInstance {
                variables,
                start_element,
            },
        )?;
        if let Some(parent) = parent {
            self.children.insert(parent.element_instance_key, key);
        }
        self.instances.insert(key, (process, state));
        self.handle_effects(key, effects);
        Ok(())
    }

    fn handle_effects(&mut self, instance_key: u64, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Element {
                    element_instance_key,
                    element_id,
                    element_type,
                    intent,
                } if self.record_history => {
                    self.history.push(HistoryRecord {
                        instance_key,
                        element_instance_key,
                        element_id,
                        element_type,
                        intent,
                    });
                }
                Effect::JobCreated {
                    key,
                    job_type,
                    retries,
                    kind,
                    element_id,
                    element_instance_key,
                    headers,
                    variables: _,
                } => {
                    self.jobs.insert(
                        key,
                        JobEntry {
                            instance_key,
                            job_type,
                            element_id,
                            element_instance_key,
                            retries,
                            available_at: self.now,
                            activated: false,
                            headers,
                            kind,
                        },
                    );
                }
                Effect::JobActivatable {
                    key,
                    retries,
                    available_at,
                } => {
                    if let Some(job) = self.jobs.get_mut(&key) {
                        job.retries = retries;
                        job.available_at = available_at;
                        job.activated = false;
                    }
                }
                Effect::JobFailed { key, .. } => {
                    if let Some(job) = self.jobs.get_mut(&key) {
                        job.retries = 0;
                    }
                }
                Effect::JobCompleted { key } | Effect::JobCancelled { key } => {
                    self.jobs.remove(&key);
                }
                Effect::TimerScheduled { key, due_at, .. } => {
                    self.timers.insert(
                        key,
                        TimerEntry {
                            due_at,
                            owner: TimerOwner::Instance(instance_key),
                        },
                    );
                }
                Effect::TimerCancelled { key } => {
                    self.timers.remove(&key);
                }
                Effect::MessageSubscriptionOpened {
                    name,
                    correlation_key,
                    ..
                } => {
                    let now = self.now;
                    if let Some(message) = self.messages.iter_mut().find(|message| {
                        message.name == name
                            && message.correlation_key == correlation_key
                            && message.expires_at > now
                            && !message.correlated.contains(&instance_key)
                    }) {
                        message.correlated.push(instance_key);
                        self.work.push_back(Work::Command(
                            instance_key,
                            Command::CorrelateMessage {
                                name,
                                correlation_key,
                                variables: message.variables.clone(),
                            },
                        ));
                    }
                }
                Effect::MessagePublished {
                    name,
                    correlation_key,
                    variables,
                } => self.publish(name, correlation_key, variables, 0),
                Effect::SignalBroadcast { name, variables } => self.signal(name, variables),
                Effect::CallActivityStarted {
                    element_instance_key,
                    process_id,
                    binding,
                    variables,
                } => {
                    let parent = ParentLink {
                        instance_key,
                        element_instance_key,
                    };
                    let work = match self.bound_version(instance_key, &process_id, &binding) {
                        None => Work::Start {
                            process_id,
                            start_element: None,
                            variables,
                            parent: Some(parent),
                        },
                        Some(Ok(process)) => Work::StartCalled {
                            process,
                            variables,
                            parent,
                        },
                        Some(Err(message)) => Work::Command(
                            instance_key,
                            Command::FailCallActivity {
                                element_instance_key,
                                message,
                            },
                        ),
                    };
                    self.work.push_back(work);
                }
                Effect::CallActivityTerminated {
                    element_instance_key,
                } => {
                    if let Some(child) = self.children.remove(&element_instance_key) {
                        self.work
                            .push_back(Work::Command(child, Command::TerminateInstance));
                    }
                }
                Effect::ErrorThrownToParent {
                    parent,
                    code,
                    message,
                    variables,
                } => self.work.push_back(Work::Command(
                    parent.instance_key,
                    Command::ThrowErrorAt {
                        element_instance_key: parent.element_instance_key,
                        code,
                        message,
                        variables,
                    },
                )),
                Effect::InstanceCompleted { variables } => {
                    let parent = self
                        .instances
                        .get(&instance_key)
                        .and_then(|(_, state)| state.parent);
                    if let Some(parent) = parent {
                        self.children.remove(&parent.element_instance_key);
                        self.work.push_back(Work::Command(
                            parent.instance_key,
                            Command::CompleteCallActivity {
                                element_instance_key: parent.element_instance_key,
                                variables,
                            },
                        ));
                    }
                    self.drop_instance_records(instance_key);
                }
                Effect::InstanceTerminated => self.drop_instance_records(instance_key),
                _ => {}
            }
        }
    }

    /// The version of `process_id` a call activity of instance
    /// `instance_key` starts: `None` for the latest version, an error
    /// message when no version matches the binding. `deployment` is the
    /// version deployed with the calling version or before it.
    fn bound_version(
        &self,
        instance_key: u64,
        process_id: &str,
        binding: &CallBinding,
    ) -> Option<Result<Arc<CompiledProcess>, String>> {
        let versions = self
            .versions
            .get(process_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match binding {
            CallBinding::Latest => None,
            CallBinding::VersionTag(tag) => Some(
                versions
                    .iter()
                    .rev()
                    .find(|(_, process)| process.version_tag() == Some(tag.as_str()))
                    .map(|(_, process)| process.clone())
                    .ok_or_else(|| {
                        format!("process {process_id} has no version with version tag {tag}")
                    }),
            ),
            CallBinding::Deployment => {
                let (caller, _) = self.instances.get(&instance_key)?;
                let deployment = self
                    .versions
                    .get(caller.id())
                    .and_then(|own| own.iter().find(|(_, p)| Arc::ptr_eq(p, caller)))
                    .map(|(deployment, _)| *deployment)?;
                Some(
                    versions
                        .iter()
                        .rev()
                        .find(|(at, _)| *at <= deployment)
                        .map(|(_, process)| process.clone())
                        .ok_or_else(|| {
                            format!(
                                "process {process_id} was not deployed with or before the \
                                 calling process"
                            )
                        }),
                )
            }
        }
    }

    fn drop_instance_records(&mut self, instance_key: u64) {
        self.jobs.retain(|_, job| job.instance_key != instance_key);
        self.timers.retain(
            |_, timer| !matches!(timer.owner, TimerOwner::Instance(owner) if owner == instance_key),
        );
    }

    fn publish(
        &mut self,
        name: String,
        correlation_key: String,
        variables: Variables,
        ttl_ms: i64,
    ) {
        let mut correlated = Vec::new();
        for (key, (_, state)) in &self.instances {
            if state.status != InstanceStatus::Active {
                continue;
            }
            let matches = state.subscriptions.iter().any(|subscription| {
                matches!(&subscription.kind, SubscriptionKind::Message { name: n, correlation_key: k } if *n == name && *k == correlation_key)
            });
            if matches {
                correlated.push(*key);
            }
        }
        for key in &correlated {
            self.work.push_back(Work::Command(
                *key,
                Command::CorrelateMessage {
                    name: name.clone(),
                    correlation_key: correlation_key.clone(),
                    variables: variables.clone(),
                },
            ));
        }
        let mut starts = Vec::new();
        for process in self.processes.values() {
            for start in process.start_events() {
                if matches!(&start.trigger, EventTrigger::Message { name: n, .. } if *n == name) {
                    starts.push((process.id().to_owned(), start.element_id));
                }
            }
        }
        starts.sort();
        for (process_id, element_id) in starts {
            self.work.push_back(Work::Start {
                process_id,
                start_element: Some(element_id),
                variables: variables.clone(),
                parent: None,
            });
        }
        if ttl_ms > 0 {
            self.messages.push(BufferedMessage {
                name,
                correlation_key,
                variables,
                expires_at: self.now + ttl_ms,
                correlated,
            });
        }
    }

    /// Publishes a message: correlates it to every instance with a matching
    /// subscription (once per instance), starts instances at matching
    /// message start events, and buffers it for `ttl_ms` for subscriptions
    /// opened later.
    pub fn publish_message(
        &mut self,
        name: &str,
        correlation_key: &str,
        variables: Variables,
        ttl_ms: i64,
    ) {
        let now = self.now;
        self.messages.retain(|message| message.expires_at > now);
        self.publish(
            name.to_owned(),
            correlation_key.to_owned(),
            variables,
            ttl_ms,
        );
        self.drain();
    }

    fn signal(&mut self, name: String, variables: Variables) {
        let mut starts = Vec::new();
        for process in self.processes.values() {
            for start in process.start_events() {
                if matches!(&start.trigger, EventTrigger::Signal { name: n } if *n == name) {
                    starts.push((process.id().to_owned(), start.element_id));
                }
            }
        }
        starts.sort();
        let listening: Vec<u64> = self
            .instances
            .iter()
            .filter(|(_, (_, state))| {
                state.status == InstanceStatus::Active
                    && state.subscriptions.iter().any(|subscription| {
                        matches!(&subscription.kind, SubscriptionKind::Signal { name: n } if *n == name)
                    })
            })
            .map(|(key, _)| *key)
            .collect();
        for key in listening {
            self.work.push_back(Work::Command(
                key,
                Command::BroadcastSignal {
                    name: name.clone(),
                    variables: variables.clone(),
                },
            ));
        }
        for (process_id, element_id) in starts {
            self.work.push_back(Work::Start {
                process_id,
                start_element: Some(element_id),
                variables: variables.clone(),
                parent: None,
            });
        }
    }

    /// Broadcasts a signal to every instance and signal start event.
    pub fn broadcast_signal(&mut self, name: &str, variables: Variables) {
        self.signal(name.to_owned(), variables);
        self.drain();
    }

    /// Starts an instance at every conditional start event whose condition
    /// holds for `variables` (with them as start variables), processes in
    /// id order; returns the new instances' keys. A condition that cannot
    /// be evaluated starts nothing.
    pub fn evaluate_start_conditions(&mut self, variables: Variables) -> Vec<u64> {
        let mut starts = Vec::new();
        for process in self.processes.values() {
            for start in process.start_events() {
                if let EventTrigger::Conditional { condition } = &start.trigger {
                    if self.expressions.evaluate(condition, &variables) == Ok(Value::Bool(true)) {
                        starts.push((process.id().to_owned(), start.element_id));
                    }
                }
            }
        }
        starts.sort();
        let mut started = Vec::new();
        for (process_id, element_id) in starts {
            let result = self.start(&process_id, Some(element_id), variables.clone(), None);
            started.extend(result.ok());
        }
        started
    }

    /// Moves the clock forward, firing due timers in due order (the clock
    /// stands at each timer's due time while it fires).
    pub fn advance_clock(&mut self, millis: i64) {
        let target = self.now + millis.max(0);
        loop {
            let due = self
                .timers
                .iter()
                .filter(|(_, timer)| timer.due_at <= target)
                .min_by_key(|(key, timer)| (timer.due_at, **key))
                .map(|(key, timer)| (*key, timer.clone()));
            let Some((key, timer)) = due else {
                break;
            };
            self.now = self.now.max(timer.due_at);
            match timer.owner {
                TimerOwner::Instance(instance) => {
                    self.timers.remove(&key);
                    let _ = self.command_once(instance, Command::FireTimer { timer_key: key });
                }
                TimerOwner::Start {
                    process_id,
                    element_id,
                    schedule,
                    remaining,
                } => {
                    self.timers.remove(&key);
                    let remaining = remaining.map(|count| count.saturating_sub(1));
                    if remaining != Some(0) {
                        if let Some(next) = schedule.next_due(timer.due_at) {
                            self.timers.insert(
                                key,
                                TimerEntry {
                                    due_at: next,
                                    owner: TimerOwner::Start {
                                        process_id: process_id.clone(),
                                        element_id: element_id.clone(),
                                        schedule,
                                        remaining,
                                    },
                                },
                            );
                        }
                    }
                    self.work.push_back(Work::Start {
                        process_id,
                        start_element: Some(element_id),
                        variables: Variables::new(),
                        parent: None,
                    });
                }
            }
            self.drain();
        }
        self.now = target;
        let now = self.now;
        self.messages.retain(|message| message.expires_at > now);
    }

    /// Hands up to `max` available jobs of `job_type` to a worker.
    pub fn activate_jobs(&mut self, job_type: &str, max: usize) -> Vec<ActivatedJob> {
        let now = self.now;
        let keys: Vec<u64> = self
            .jobs
            .iter()
            .filter(|(_, job)| {
                job.job_type == job_type
                    && !job.activated
                    && job.retries > 0
                    && job.available_at <= now
            })
            .map(|(key, _)| *key)
            .take(max)
            .collect();
        let mut activated = Vec::new();
        for key in keys {
            let Some(job) = self.jobs.get_mut(&key) else {
                continue;
            };
            job.activated = true;
            let job = job.clone();
            let variables = self
                .instances
                .get(&job.instance_key)
                .map(|(_, state)| ScopeView::new(state, job.element_instance_key).collect())
                .unwrap_or_default();
            activated.push(ActivatedJob {
                key,
                job_type: job.job_type,
                instance_key: job.instance_key,
                element_id: job.element_id,
                retries: job.retries,
                headers: job.headers,
                variables,
            });
        }
        activated
    }

    /// Keys of open jobs of a type (activated or not), oldest first.
    pub fn open_jobs(&self, job_type: &str) -> Vec<u64> {
        self.jobs
            .iter()
            .filter(|(_, job)| job.job_type == job_type)
            .map(|(key, _)| *key)
            .collect()
    }

    /// How many jobs of each type are open (activated or not, user tasks
    /// included).
    pub fn open_jobs_by_type(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for job in self.jobs.values() {
            *counts.entry(job.job_type.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Keys of open user tasks of an element, oldest first.
    pub fn open_user_tasks(&self, element_id: &str) -> Vec<u64> {
        self.jobs
            .iter()
            .filter(|(_, job)| job.kind == JobKind::UserTask && &*job.element_id == element_id)
            .map(|(key, _)| *key)
            .collect()
    }

    fn job_instance(&self, job_key: u64) -> Result<u64, EngineError> {
        self.jobs
            .get(&job_key)
            .map(|job| job.instance_key)
            .ok_or(EngineError::JobNotFound { job_key })
    }

    /// Completes a job. Completing it twice fails with `JobNotFound` and
    /// changes nothing.
    pub fn complete_job(&mut self, job_key: u64, variables: Variables) -> Result<(), EngineError> {
        let instance = self.job_instance(job_key)?;
        self.command(instance, Command::CompleteJob { job_key, variables })
    }

    /// Completes a user task.
    pub fn complete_user_task(
        &mut self,
        user_task_key: u64,
        variables: Variables,
    ) -> Result<(), EngineError> {
        let instance = self.job_instance(user_task_key)?;
        self.command(
            instance,
            Command::CompleteUserTask {
                user_task_key,
                variables,
            },
        )
    }

    /// Fails a job; with no retries left an incident is raised.
    pub fn fail_job(
        &mut self,
        job_key: u64,
        retries: i64,
        error_message: &str,
        backoff_ms: i64,
    ) -> Result<(), EngineError> {
        let instance = self.job_instance(job_key)?;
        self.command(
            instance,
            Command::FailJob {
                job_key,
                retries,
                error_message: error_message.to_owned(),
                backoff_ms,
            },
        )
    }

    /// Throws a BPMN error from a job.
    pub fn throw_error(
        &mut self,
        job_key: u64,
        code: &str,
        message: &str,
        variables: Variables,
    ) -> Result<(), EngineError> {
        let instance = self.job_instance(job_key)?;
        self.command(
            instance,
            Command::ThrowError {
                job_key,
                code: code.to_owned(),
                message: message.to_owned(),
                variables,
            },
        )
    }

    /// Resolves an incident of any instance.
    pub fn resolve_incident(&mut self, incident_key: u64) -> Result<(), EngineError> {
        let instance = self
            .instances
            .iter()
            .find(|(_, (_, state))| {
                state
                    .incidents
                    .iter()
                    .any(|incident| incident.key == incident_key)
            })
            .map(|(key, _)| *key)
            .ok_or(EngineError::IncidentNotFound { incident_key })?;
        self.command(instance, Command::ResolveIncident { incident_key })
    }

    /// Sets variables at the process level of an instance (propagating).
    pub fn set_variables(
        &mut self,
        instance_key: u64,
        variables: Variables,
    ) -> Result<(), EngineError> {
        self.command(
            instance_key,
            Command::SetVariables {
                scope: None,
                variables,
                local: false,
            },
        )
    }

    /// Cancels an instance.
    pub fn cancel_instance(&mut self, instance_key: u64) -> Result<(), EngineError> {
        self.command(instance_key, Command::CancelInstance)
    }

    /// An instance's state (ended instances are kept unless turned off).
    pub fn instance(&self, instance_key: u64) -> Option<&ProcessInstanceState> {
        self.instances.get(&instance_key).map(|(_, state)| state)
    }

    /// The process version an instance runs (a call activity's binding
    /// may have started an older version than [`Engine::process`] gives).
    pub fn instance_process(&self, instance_key: u64) -> Option<&CompiledProcess> {
        self.instances
            .get(&instance_key)
            .map(|(process, _)| &**process)
    }

    /// All instances, by key.
    pub fn instances(&self) -> impl Iterator<Item = &ProcessInstanceState> {
        self.instances.values().map(|(_, state)| state)
    }

    /// Open incidents of all instances.
    pub fn incidents(&self) -> Vec<&Incident> {
        self.instances
            .values()
            .flat_map(|(_, state)| state.incidents.iter())
            .collect()
    }

    /// The recorded history.
    pub fn history(&self) -> &[HistoryRecord] {
        &self.history
    }

    /// The deployed process with this id.
    pub fn process(&self, process_id: &str) -> Option<&CompiledProcess> {
        self.processes.get(process_id).map(|process| &**process)
    }
}
