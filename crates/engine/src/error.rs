//! The errors of this crate.

/// A process could not be compiled for execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("process \"{process_id}\", element \"{element_id}\": {message}")]
pub struct CompileError {
    /// The process id.
    pub process_id: String,
    /// The element (or sequence flow) the problem is about.
    pub element_id: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// A command could not be applied. The instance state is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The instance was already started, or has ended and takes no more
    /// commands.
    #[error("process instance {instance_key} is {status}; it takes no more commands")]
    InstanceNotActive {
        /// The instance key.
        instance_key: u64,
        /// Its status, e.g. "completed".
        status: String,
    },
    /// `StartInstance` on an instance that was already started.
    #[error("process instance {instance_key} was already started")]
    AlreadyStarted {
        /// The instance key.
        instance_key: u64,
    },
    /// No process with that id is deployed.
    #[error("no process \"{process_id}\" is deployed")]
    ProcessNotFound {
        /// The process id asked for.
        process_id: String,
    },
    /// No element with that id in the process.
    #[error("process \"{process_id}\" has no element \"{element_id}\"")]
    ElementNotFound {
        /// The process id.
        process_id: String,
        /// The element id asked for.
        element_id: String,
    },
    /// The element cannot start an instance (not a start event at the top
    /// level), or the process has no none start event.
    #[error("process \"{process_id}\" cannot be started at \"{element_id}\": {reason}")]
    InvalidStartElement {
        /// The process id.
        process_id: String,
        /// The element id asked for (empty for the none start event).
        element_id: String,
        /// Why not.
        reason: String,
    },
    /// No such job in this instance: unknown, already completed, or its
    /// element instance moved on. Completing a job twice ends here, harmlessly.
    #[error("job {job_key} not found; it may have been completed or cancelled already")]
    JobNotFound {
        /// The job key.
        job_key: u64,
    },
    /// No timer with that key (it fired or was cancelled already).
    #[error("timer {timer_key} not found; it may have fired or been cancelled already")]
    TimerNotFound {
        /// The timer key.
        timer_key: u64,
    },
    /// No incident with that key.
    #[error("incident {incident_key} not found; it may have been resolved already")]
    IncidentNotFound {
        /// The incident key.
        incident_key: u64,
    },
    /// No element instance with that key in this instance.
    #[error("element instance {element_instance_key} not found")]
    ElementInstanceNotFound {
        /// The element instance key.
        element_instance_key: u64,
    },
    /// No open subscription of this instance matches the message.
    #[error("no subscription for message \"{name}\" with correlation key \"{correlation_key}\"")]
    NoMessageSubscription {
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
    },
    /// An error thrown into an element instance was not caught there.
    #[error("error \"{code}\" is not caught by element \"{element_id}\" or its scopes")]
    ErrorNotCaught {
        /// The error code.
        code: String,
        /// The element it was thrown at.
        element_id: String,
    },
    /// The command does not fit the element instance it names.
    #[error("element \"{element_id}\": {reason}")]
    InvalidCommand {
        /// The element concerned.
        element_id: String,
        /// Why the command does not apply.
        reason: String,
    },
    /// A model was rejected when deploying.
    #[error("invalid model: {0}")]
    Model(String),
    /// A process could not be compiled.
    #[error(transparent)]
    Compile(#[from] CompileError),
}
