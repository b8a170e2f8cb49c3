//! The state of one process instance, and the commands and effects that
//! move it. Everything here is plain data and serializable, so a store can
//! persist a state as one JSON document and effects as outbox rows.

use std::sync::Arc;

use flowdesk_model::bpmn::ElementKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::timer::TimerSchedule;

/// Variables: names to JSON values.
pub type Variables = Map<String, Value>;

/// Where a process instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InstanceStatus {
    /// Created, not started yet.
    Created,
    /// Running (possibly waiting, possibly with incidents).
    Active,
    /// Reached its end (including through a terminate end event).
    Completed,
    /// Ended because its parent call activity was terminated.
    Terminated,
    /// Cancelled by a command.
    Cancelled,
}

impl InstanceStatus {
    fn name(self) -> &'static str {
        match self {
            InstanceStatus::Created => "created",
            InstanceStatus::Active => "active",
            InstanceStatus::Completed => "completed",
            InstanceStatus::Terminated => "terminated",
            InstanceStatus::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for InstanceStatus {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The call activity that started an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentLink {
    /// The parent process instance key.
    pub instance_key: u64,
    /// The key of the call activity's element instance in the parent.
    pub element_instance_key: u64,
}

/// The whole state of one process instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessInstanceState {
    /// The process instance key; also the key of its root variable scope.
    pub key: u64,
    /// The process id it runs.
    pub process_id: String,
    /// Where it is in its life.
    pub status: InstanceStatus,
    /// Root scope variables.
    pub variables: Variables,
    /// Active element instances (tokens), in activation order.
    pub element_instances: Vec<ElementInstance>,
    /// Tokens waiting at joining parallel and inclusive gateways.
    pub joins: Vec<JoinState>,
    /// Open jobs (service tasks and user tasks).
    pub jobs: Vec<Job>,
    /// Open subscriptions: timers, messages, signals, conditions.
    pub subscriptions: Vec<Subscription>,
    /// Open incidents.
    pub incidents: Vec<Incident>,
    /// The call activity that started this instance, if any.
    pub parent: Option<ParentLink>,
    /// Completed activities with a compensation handler that no
    /// compensation event has compensated yet, in completion order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compensable: Vec<Compensable>,
}

impl ProcessInstanceState {
    /// A fresh instance of `process_id` with key `key`, to be started with
    /// [`Command::StartInstance`].
    pub fn new(key: u64, process_id: impl Into<String>) -> Self {
        ProcessInstanceState {
            key,
            process_id: process_id.into(),
            status: InstanceStatus::Created,
            variables: Variables::new(),
            element_instances: Vec::new(),
            joins: Vec::new(),
            jobs: Vec::new(),
            subscriptions: Vec::new(),
            incidents: Vec::new(),
            parent: None,
            compensable: Vec::new(),
        }
    }

    /// The element instance with this key.
    pub fn element_instance(&self, key: u64) -> Option<&ElementInstance> {
        self.element_instances
            .iter()
            .find(|instance| instance.key == key)
    }

    /// The job with this key.
    pub fn job(&self, key: u64) -> Option<&Job> {
        self.jobs.iter().find(|job| job.key == key)
    }
}

/// What an element instance is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Being activated (or stuck there on an incident).
    Activating,
    /// Waiting: for a job, a message, a timer, its children...
    Active,
    /// Being completed (or stuck there on an incident).
    Completing,
}

/// A token: one activation of a flow node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementInstance {
    /// The element instance key.
    pub key: u64,
    /// The index of the element in the compiled process.
    pub element: usize,
    /// The enclosing scope: a sub-process's or multi-instance body's element
    /// instance key, or the process instance key.
    pub scope: u64,
    /// What it is doing.
    pub phase: Phase,
    /// Local variables (input mappings, multi-instance input element...).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub variables: Variables,
    /// For the body of a multi-instance activity: its progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi_instance: Option<Box<MultiInstanceState>>,
    /// For an inner instance of a multi-instance activity: its 1-based index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loop_counter: Option<usize>,
    /// For a compensation throw event: the handlers it still waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensating: Option<Box<Compensating>>,
}

/// A completed activity that can be compensated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compensable {
    /// The activity (its index in the compiled process).
    pub element: usize,
    /// The scopes it completed in, innermost first: element instance keys
    /// of sub-processes and multi-instance bodies, then the process
    /// instance key. A compensation event compensates what completed in
    /// its own scope, nested scopes included.
    pub scopes: Vec<u64>,
    /// The elements of those scopes (without the process), innermost first,
    /// so that `activityRef` naming a sub-process compensates its inside.
    pub within: Vec<usize>,
}

/// Progress of a compensation throw event: handlers run one at a time, in
/// reverse order of their activities' completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compensating {
    /// Activities still to compensate; the next one is last.
    pub pending: Vec<usize>,
    /// The activity whose handler runs now.
    pub running: Option<usize>,
}

/// Progress of a multi-instance body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiInstanceState {
    /// The input collection, as evaluated at activation.
    pub items: Vec<Value>,
    /// How many inner instances were started.
    pub started: usize,
    /// How many completed.
    pub completed: usize,
    /// The output element of each completed inner instance, by index.
    pub outputs: Vec<Value>,
}

/// Tokens that arrived at a joining gateway, by incoming flow index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinState {
    /// The scope the gateway is in.
    pub scope: u64,
    /// The gateway's element index.
    pub element: usize,
    /// The incoming flows taken so far (a flow may appear more than once).
    pub arrived: Vec<usize>,
}

/// Whether a job is for a worker or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    /// A job for a worker of its type (service task, send task, ...).
    Worker,
    /// A user task.
    UserTask,
}

/// An open job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The job key.
    pub key: u64,
    /// The element instance waiting for it.
    pub element_instance_key: u64,
    /// The job type (`zeebe:taskDefinition type`), or
    /// `"io.camunda.zeebe:userTask"` for user tasks.
    pub job_type: String,
    /// Retries left.
    pub retries: i64,
    /// Worker job or user task.
    pub kind: JobKind,
}

/// The job type of user tasks, as in Camunda 8.
pub const USER_TASK_JOB_TYPE: &str = "io.camunda.zeebe:userTask";

/// What role a subscription plays for the element that owns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionRole {
    /// An intermediate catch event waiting.
    Catch,
    /// A catch event after an event-based gateway (owned by the gateway).
    EventGateway,
    /// A boundary event of an activity (owned by the activity).
    Boundary,
    /// The start event of an event sub-process (owned by the enclosing scope).
    EventSubProcess,
}

/// What a subscription waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SubscriptionKind {
    /// A message with this name and correlation key.
    Message {
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
    },
    /// A signal with this name.
    Signal {
        /// The signal name.
        name: String,
    },
    /// A timer.
    Timer {
        /// When it fires next (ms since the epoch).
        due_at: i64,
        /// Firings left including the next; `None` for unbounded.
        remaining: Option<u32>,
        /// The schedule, for the firings after the next.
        schedule: TimerSchedule,
    },
    /// A condition, triggered when it turns true.
    Conditional {
        /// The condition expression.
        condition: String,
        /// Whether it was true at the last evaluation.
        last: bool,
    },
}

/// An open subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// The subscription key (the timer key for timers).
    pub key: u64,
    /// The element instance (or process instance) key that owns it.
    pub owner: u64,
    /// The event element activated when it triggers.
    pub element: usize,
    /// Its role.
    pub role: SubscriptionRole,
    /// Whether triggering interrupts the owner.
    pub interrupting: bool,
    /// What it waits for.
    pub kind: SubscriptionKind,
}

/// Why an incident was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncidentKind {
    /// A job failed with no retries left.
    JobNoRetries,
    /// An expression (mapping, condition, collection...) failed.
    Expression,
    /// No outgoing flow of a gateway could be taken.
    ConditionNotMet,
    /// A thrown error was not caught.
    UnhandledError,
    /// A decision could not be evaluated.
    Decision,
    /// Something else about the element, e.g. a bad timer.
    Element,
}

/// Which version of its called process a call activity starts
/// (`zeebe:calledElement bindingType`, default `latest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "tag", rename_all = "camelCase")]
pub enum CallBinding {
    /// The latest deployed version.
    Latest,
    /// The version deployed together with the calling process.
    Deployment,
    /// The version with this `zeebe:versionTag`.
    VersionTag(String),
}

/// An open incident: the element instance is stuck until it is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The incident key.
    pub key: u64,
    /// The stuck element instance.
    pub element_instance_key: u64,
    /// The element id.
    pub element_id: String,
    /// The job, for job incidents.
    pub job_key: Option<u64>,
    /// Why.
    pub kind: IncidentKind,
    /// What went wrong, for the operator.
    pub message: String,
}

/// Where to activate an element when modifying an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivateInstruction {
    /// The element to activate.
    pub element_id: String,
    /// Variables to set at the process level first.
    #[serde(default)]
    pub variables: Variables,
}

/// Something that happens to a process instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Command {
    /// Starts a created instance, at the none start event or at the given
    /// top-level start event (with the trigger's variables).
    StartInstance {
        /// Start variables.
        variables: Variables,
        /// The start event id; `None` for the none start event.
        start_element: Option<String>,
    },
    /// A worker completed a job.
    CompleteJob {
        /// The job key.
        job_key: u64,
        /// Result variables.
        variables: Variables,
    },
    /// A worker failed a job.
    FailJob {
        /// The job key.
        job_key: u64,
        /// Retries left; 0 raises an incident.
        retries: i64,
        /// Why it failed.
        error_message: String,
        /// How long until the job may be activated again, in ms.
        backoff_ms: i64,
    },
    /// A worker threw a BPMN error from a job.
    ThrowError {
        /// The job key.
        job_key: u64,
        /// The error code boundary events and event sub-processes catch.
        code: String,
        /// A message for an incident if nothing catches it.
        message: String,
        /// Variables set at the catching event.
        variables: Variables,
    },
    /// Throws a BPMN error at an element instance (a call activity whose
    /// child instance did not catch an error).
    ThrowErrorAt {
        /// The element instance to throw at.
        element_instance_key: u64,
        /// The error code.
        code: String,
        /// A message.
        message: String,
        /// Variables set at the catching event.
        variables: Variables,
    },
    /// Correlates a message to the first matching subscription.
    CorrelateMessage {
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
        /// The message variables.
        variables: Variables,
    },
    /// A timer is due.
    FireTimer {
        /// The timer (subscription) key.
        timer_key: u64,
    },
    /// A signal was broadcast; triggers every matching subscription.
    BroadcastSignal {
        /// The signal name.
        name: String,
        /// The signal variables.
        variables: Variables,
    },
    /// An operator resolved an incident; the stuck step is retried.
    ResolveIncident {
        /// The incident key.
        incident_key: u64,
    },
    /// Updates the retries of a job (typically before resolving its incident).
    UpdateJobRetries {
        /// The job key.
        job_key: u64,
        /// The new retries.
        retries: i64,
    },
    /// Sets variables.
    SetVariables {
        /// The scope (element instance key); `None` for the process.
        scope: Option<u64>,
        /// The variables.
        variables: Variables,
        /// Set in that scope only, instead of propagating to the scope where
        /// each variable already exists.
        local: bool,
    },
    /// Cancels the instance.
    CancelInstance,
    /// Ends the instance because its parent terminated the call activity.
    TerminateInstance,
    /// Activates elements and terminates element instances.
    ModifyInstance {
        /// Elements to activate.
        activate: Vec<ActivateInstruction>,
        /// Element instance keys to terminate.
        terminate: Vec<u64>,
    },
    /// A person completed a user task.
    CompleteUserTask {
        /// The user task (job) key.
        user_task_key: u64,
        /// Result variables.
        variables: Variables,
    },
    /// The called process of a call activity could not be started (no
    /// version matches its binding): an incident at the call activity.
    FailCallActivity {
        /// The call activity's element instance key.
        element_instance_key: u64,
        /// Why.
        message: String,
    },
    /// The instance started by a call activity completed.
    CompleteCallActivity {
        /// The call activity's element instance key.
        element_instance_key: u64,
        /// The child's variables.
        variables: Variables,
    },
    /// Evaluates conditional events (done after every command anyway).
    EvaluateConditions,
}

/// Lifecycle step of an element instance, for history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Intent {
    /// The element instance was activated.
    Activated,
    /// It completed.
    Completed,
    /// It was terminated (interrupted or cancelled).
    Terminated,
}

/// What the outside world has to do after a command: effects are data; the
/// store persists them and the runner acts on them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Effect {
    /// An element instance changed (history).
    Element {
        /// The element instance key.
        element_instance_key: u64,
        /// The element id.
        element_id: Arc<str>,
        /// The element type.
        element_type: ElementKind,
        /// What happened.
        intent: Intent,
    },
    /// Variables were set in a scope by a command (job completion, message,
    /// set variables...).
    VariablesChanged {
        /// The scope key where the command set them.
        scope: u64,
        /// The names set.
        names: Vec<String>,
    },
    /// A job was created and can be activated by workers of its type.
    JobCreated {
        /// The job key.
        key: u64,
        /// The job type.
        job_type: String,
        /// Retries.
        retries: i64,
        /// Worker job or user task.
        kind: JobKind,
        /// The element id.
        element_id: Arc<str>,
        /// The element instance waiting for it.
        element_instance_key: u64,
        /// Task headers (for user tasks: assignee, candidateGroups, formKey).
        headers: Vec<(String, String)>,
        /// The variables visible at the task.
        variables: Variables,
    },
    /// A job can be activated again (after a failure with retries left or an
    /// incident resolution), not before `available_at`.
    JobActivatable {
        /// The job key.
        key: u64,
        /// Retries left.
        retries: i64,
        /// Earliest activation time, ms since the epoch.
        available_at: i64,
    },
    /// A job completed.
    JobCompleted {
        /// The job key.
        key: u64,
    },
    /// A job failed with no retries left (an incident follows).
    JobFailed {
        /// The job key.
        key: u64,
        /// The worker's message.
        error_message: String,
    },
    /// A job is no longer wanted (its element instance was terminated).
    JobCancelled {
        /// The job key.
        key: u64,
    },
    /// A timer was scheduled (or rescheduled, same key).
    TimerScheduled {
        /// The timer key.
        key: u64,
        /// The timer event id.
        element_id: Arc<str>,
        /// When it is due, ms since the epoch.
        due_at: i64,
        /// Firings left including this one; `None` for unbounded.
        repetitions: Option<u32>,
    },
    /// A timer was cancelled.
    TimerCancelled {
        /// The timer key.
        key: u64,
    },
    /// A message subscription was opened.
    MessageSubscriptionOpened {
        /// The subscription key.
        key: u64,
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
        /// The catching element id.
        element_id: Arc<str>,
    },
    /// A message subscription was closed.
    MessageSubscriptionClosed {
        /// The subscription key.
        key: u64,
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
    },
    /// A signal subscription was opened.
    SignalSubscriptionOpened {
        /// The subscription key.
        key: u64,
        /// The signal name.
        name: String,
    },
    /// A signal subscription was closed.
    SignalSubscriptionClosed {
        /// The subscription key.
        key: u64,
        /// The signal name.
        name: String,
    },
    /// A message throw or end event published a message.
    MessagePublished {
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
        /// The message variables.
        variables: Variables,
    },
    /// A signal throw or end event broadcast a signal.
    SignalBroadcast {
        /// The signal name.
        name: String,
        /// The signal variables.
        variables: Variables,
    },
    /// A call activity wants a child instance.
    CallActivityStarted {
        /// The call activity's element instance key.
        element_instance_key: u64,
        /// The process to start.
        process_id: String,
        /// Which version of it.
        binding: CallBinding,
        /// The variables to start it with.
        variables: Variables,
    },
    /// A call activity was terminated: its child instance must end too.
    CallActivityTerminated {
        /// The call activity's element instance key.
        element_instance_key: u64,
    },
    /// An error was not caught in this called instance; the parent's call
    /// activity should get a chance to catch it.
    ErrorThrownToParent {
        /// The parent link.
        parent: ParentLink,
        /// The error code.
        code: String,
        /// The message.
        message: String,
        /// The variables thrown with it.
        variables: Variables,
    },
    /// An incident was raised.
    IncidentRaised {
        /// The incident.
        incident: Incident,
    },
    /// An incident was resolved (or went away with its element instance).
    IncidentResolved {
        /// The incident key.
        key: u64,
    },
    /// The instance completed.
    InstanceCompleted {
        /// Its final root variables.
        variables: Variables,
    },
    /// The instance was cancelled or terminated.
    InstanceTerminated,
}
