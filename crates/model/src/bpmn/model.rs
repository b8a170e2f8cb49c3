//! The typed BPMN model produced by [`parse`](super::parse).

use serde::Serialize;

/// A BPMN `definitions` document: the processes it holds and the global
/// elements (messages, signals, errors, escalations) their events refer to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definitions {
    /// The `id` attribute of `bpmn:definitions`.
    pub id: Option<String>,
    /// The `targetNamespace` attribute.
    pub target_namespace: Option<String>,
    /// The tool that wrote the file (`exporter`), e.g. "Camunda Modeler".
    pub exporter: Option<String>,
    /// The version of that tool (`exporterVersion`).
    pub exporter_version: Option<String>,
    /// Every process, executable or not, in document order.
    pub processes: Vec<Process>,
    /// Global `bpmn:message` elements.
    pub messages: Vec<Message>,
    /// Global `bpmn:signal` elements.
    pub signals: Vec<Signal>,
    /// Global `bpmn:error` elements.
    pub errors: Vec<ErrorDefinition>,
    /// Global `bpmn:escalation` elements.
    pub escalations: Vec<Escalation>,
}

impl Definitions {
    /// The processes an engine can deploy (`isExecutable="true"`).
    pub fn executable_processes(&self) -> impl Iterator<Item = &Process> {
        self.processes
            .iter()
            .filter(|process| process.is_executable)
    }

    /// The process with this id.
    pub fn process(&self, id: &str) -> Option<&Process> {
        self.processes.iter().find(|process| process.id == id)
    }

    /// The global message with this id (what a `messageRef` points to).
    pub fn message(&self, id: &str) -> Option<&Message> {
        self.messages.iter().find(|message| message.id == id)
    }
}

/// A `bpmn:process`.
///
/// Elements and sequence flows of embedded sub-processes are flattened into
/// [`Process::elements`] and [`Process::sequence_flows`]; each carries the id
/// of its enclosing sub-process in `parent` (`None` at the top level). The
/// order is document order, so a sub-process comes before its children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Process {
    /// The process id (the key instances are started by).
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// `isExecutable`; only executable processes are validated and deployed.
    pub is_executable: bool,
    /// `zeebe:versionTag` from the process's extension elements.
    pub version_tag: Option<String>,
    /// Every flow node, including those inside sub-processes.
    pub elements: Vec<FlowElement>,
    /// Every sequence flow, including those inside sub-processes.
    pub sequence_flows: Vec<SequenceFlow>,
    /// 1-based line of the `bpmn:process` tag.
    pub line: u32,
    /// 1-based column of the `bpmn:process` tag.
    pub column: u32,
}

impl Process {
    /// The flow element with this id.
    pub fn element(&self, id: &str) -> Option<&FlowElement> {
        self.elements.iter().find(|element| element.id == id)
    }

    /// The sequence flow with this id.
    pub fn sequence_flow(&self, id: &str) -> Option<&SequenceFlow> {
        self.sequence_flows.iter().find(|flow| flow.id == id)
    }

    /// The elements directly inside a scope: the process itself for `None`,
    /// or the sub-process with the given id.
    pub fn children_of<'a>(
        &'a self,
        parent: Option<&'a str>,
    ) -> impl Iterator<Item = &'a FlowElement> + 'a {
        self.elements
            .iter()
            .filter(move |element| element.parent.as_deref() == parent)
    }

    /// The sequence flows leaving an element.
    pub fn outgoing_flows<'a>(
        &'a self,
        element_id: &'a str,
    ) -> impl Iterator<Item = &'a SequenceFlow> + 'a {
        self.sequence_flows
            .iter()
            .filter(move |flow| flow.source_ref == element_id)
    }

    /// The start events at the top level of the process (not inside a
    /// sub-process).
    pub fn start_events(&self) -> impl Iterator<Item = &FlowElement> {
        self.children_of(None)
            .filter(|element| element.kind == ElementKind::StartEvent)
    }
}

/// What kind of flow node an element is; serialized as the BPMN tag name
/// (`"serviceTask"`, `"exclusiveGateway"`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ElementKind {
    /// `bpmn:startEvent`.
    StartEvent,
    /// `bpmn:endEvent`.
    EndEvent,
    /// `bpmn:intermediateCatchEvent`.
    IntermediateCatchEvent,
    /// `bpmn:intermediateThrowEvent`.
    IntermediateThrowEvent,
    /// `bpmn:boundaryEvent`, attached to [`FlowElement::attached_to`].
    BoundaryEvent,
    /// `bpmn:task`: an undefined task, which the engine passes through.
    Task,
    /// `bpmn:serviceTask`: a job of type [`FlowElement::task_type`].
    ServiceTask,
    /// `bpmn:userTask`.
    UserTask,
    /// `bpmn:scriptTask`.
    ScriptTask,
    /// `bpmn:businessRuleTask`.
    BusinessRuleTask,
    /// `bpmn:sendTask`.
    SendTask,
    /// `bpmn:receiveTask`.
    ReceiveTask,
    /// `bpmn:manualTask`.
    ManualTask,
    /// `bpmn:exclusiveGateway`.
    ExclusiveGateway,
    /// `bpmn:parallelGateway`.
    ParallelGateway,
    /// `bpmn:inclusiveGateway`.
    InclusiveGateway,
    /// `bpmn:eventBasedGateway`.
    EventBasedGateway,
    /// `bpmn:subProcess`, embedded; an event sub-process when
    /// [`FlowElement::triggered_by_event`] is set.
    SubProcess,
    /// `bpmn:callActivity`.
    CallActivity,
}

impl ElementKind {
    /// The kind for a BPMN tag's local name, if it is a supported flow node.
    pub fn from_tag(local_name: &str) -> Option<Self> {
        Some(match local_name {
            "startEvent" => Self::StartEvent,
            "endEvent" => Self::EndEvent,
            "intermediateCatchEvent" => Self::IntermediateCatchEvent,
            "intermediateThrowEvent" => Self::IntermediateThrowEvent,
            "boundaryEvent" => Self::BoundaryEvent,
            "task" => Self::Task,
            "serviceTask" => Self::ServiceTask,
            "userTask" => Self::UserTask,
            "scriptTask" => Self::ScriptTask,
            "businessRuleTask" => Self::BusinessRuleTask,
            "sendTask" => Self::SendTask,
            "receiveTask" => Self::ReceiveTask,
            "manualTask" => Self::ManualTask,
            "exclusiveGateway" => Self::ExclusiveGateway,
            "parallelGateway" => Self::ParallelGateway,
            "inclusiveGateway" => Self::InclusiveGateway,
            "eventBasedGateway" => Self::EventBasedGateway,
            "subProcess" => Self::SubProcess,
            "callActivity" => Self::CallActivity,
            _ => return None,
        })
    }

    /// The BPMN tag's local name, e.g. `"serviceTask"`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::StartEvent => "startEvent",
            Self::EndEvent => "endEvent",
            Self::IntermediateCatchEvent => "intermediateCatchEvent",
            Self::IntermediateThrowEvent => "intermediateThrowEvent",
            Self::BoundaryEvent => "boundaryEvent",
            Self::Task => "task",
            Self::ServiceTask => "serviceTask",
            Self::UserTask => "userTask",
            Self::ScriptTask => "scriptTask",
            Self::BusinessRuleTask => "businessRuleTask",
            Self::SendTask => "sendTask",
            Self::ReceiveTask => "receiveTask",
            Self::ManualTask => "manualTask",
            Self::ExclusiveGateway => "exclusiveGateway",
            Self::ParallelGateway => "parallelGateway",
            Self::InclusiveGateway => "inclusiveGateway",
            Self::EventBasedGateway => "eventBasedGateway",
            Self::SubProcess => "subProcess",
            Self::CallActivity => "callActivity",
        }
    }

    /// Start, end, intermediate and boundary events.
    pub fn is_event(self) -> bool {
        matches!(
            self,
            Self::StartEvent
                | Self::EndEvent
                | Self::IntermediateCatchEvent
                | Self::IntermediateThrowEvent
                | Self::BoundaryEvent
        )
    }

    /// The four gateway kinds.
    pub fn is_gateway(self) -> bool {
        matches!(
            self,
            Self::ExclusiveGateway
                | Self::ParallelGateway
                | Self::InclusiveGateway
                | Self::EventBasedGateway
        )
    }

    /// Tasks, sub-processes and call activities: what boundary events attach to.
    pub fn is_activity(self) -> bool {
        !self.is_event() && !self.is_gateway()
    }
}

/// The event definition of an event (`bpmn:*EventDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventDefinition {
    /// No event definition: a none start/end/intermediate event.
    None,
    /// `bpmn:messageEventDefinition`; `message_ref` is the id of a
    /// [`Message`] in [`Definitions::messages`].
    Message {
        /// The `messageRef` attribute.
        message_ref: Option<String>,
    },
    /// `bpmn:timerEventDefinition`.
    Timer {
        /// Which of `timeDate`, `timeDuration`, `timeCycle` was given.
        timer: Option<TimerKind>,
        /// Its expression (ISO 8601 or FEEL), trimmed.
        expression: Option<String>,
    },
    /// `bpmn:signalEventDefinition`.
    Signal {
        /// The `signalRef` attribute.
        signal_ref: Option<String>,
    },
    /// `bpmn:conditionalEventDefinition`.
    Conditional {
        /// The text of its `bpmn:condition`, trimmed.
        condition: Option<String>,
    },
    /// `bpmn:errorEventDefinition`.
    Error {
        /// The `errorRef` attribute.
        error_ref: Option<String>,
    },
    /// `bpmn:escalationEventDefinition`.
    Escalation {
        /// The `escalationRef` attribute.
        escalation_ref: Option<String>,
    },
    /// `bpmn:terminateEventDefinition`.
    Terminate,
    /// `bpmn:linkEventDefinition`.
    Link {
        /// The `name` attribute pairing link throw and catch events.
        name: Option<String>,
    },
    /// `bpmn:compensateEventDefinition`.
    Compensate {
        /// The `activityRef` attribute.
        activity_ref: Option<String>,
        /// The `waitForCompletion` attribute (`true` when absent).
        wait_for_completion: bool,
    },
    /// `bpmn:cancelEventDefinition` (transactions only; reported as
    /// unsupported in executable processes).
    Cancel,
}

/// How a timer event's expression is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimerKind {
    /// `timeDate`: a point in time.
    Date,
    /// `timeDuration`: a delay.
    Duration,
    /// `timeCycle`: a repetition.
    Cycle,
}

/// A flow node of a process: event, task, gateway, sub-process or call
/// activity, with the `zeebe:` extension data the engine needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowElement {
    /// The element id.
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// What kind of flow node it is.
    pub kind: ElementKind,
    /// The id of the enclosing sub-process; `None` at the process level.
    pub parent: Option<String>,
    /// Ids of the sequence flows whose `targetRef` is this element, in
    /// document order (derived from the flows, not from `bpmn:incoming`).
    pub incoming: Vec<String>,
    /// Ids of the sequence flows whose `sourceRef` is this element, in
    /// document order (derived from the flows, not from `bpmn:outgoing`).
    pub outgoing: Vec<String>,
    /// The `default` sequence flow of a gateway or activity.
    pub default_flow: Option<String>,
    /// For events: the event definition ([`EventDefinition::None`] for a
    /// none event). `None` for every other element.
    pub event_definition: Option<EventDefinition>,
    /// For boundary events: the `attachedToRef` activity id.
    pub attached_to: Option<String>,
    /// `cancelActivity` of a boundary event or `isInterrupting` of a start
    /// event; `true` when absent, as in BPMN.
    pub interrupting: bool,
    /// For sub-processes: `triggeredByEvent` (an event sub-process).
    pub triggered_by_event: bool,
    /// `zeebe:taskDefinition type`: the job type workers subscribe to.
    pub task_type: Option<String>,
    /// `zeebe:taskDefinition retries`, as written (may be a FEEL expression).
    pub retries: Option<String>,
    /// `zeebe:taskHeaders`: static key/value pairs handed to the worker.
    pub task_headers: Vec<TaskHeader>,
    /// `zeebe:ioMapping` inputs.
    pub inputs: Vec<VariableMapping>,
    /// `zeebe:ioMapping` outputs.
    pub outputs: Vec<VariableMapping>,
    /// `zeebe:assignmentDefinition assignee` of a user task.
    pub assignee: Option<String>,
    /// `zeebe:assignmentDefinition candidateGroups` of a user task.
    pub candidate_groups: Option<String>,
    /// `zeebe:formDefinition`: `formId` (linked form) or `formKey`.
    pub form: Option<String>,
    /// `zeebe:calledElement processId` of a call activity.
    pub called_process_id: Option<String>,
    /// `zeebe:calledDecision decisionId` of a business rule task.
    pub called_decision_id: Option<String>,
    /// `zeebe:script expression` of a script task.
    pub script: Option<String>,
    /// `resultVariable` of `zeebe:calledDecision` or `zeebe:script`.
    pub result_variable: Option<String>,
    /// `bpmn:multiInstanceLoopCharacteristics` with its `zeebe:` data.
    pub multi_instance: Option<MultiInstance>,
    /// `isForCompensation` of an activity: a compensation handler, run only
    /// when a compensation event compensates the activity it is associated with.
    pub for_compensation: bool,
    /// For a compensation boundary event: the `targetRef` of the
    /// `bpmn:association` leaving it (the handler activity's id).
    pub compensation_handler: Option<String>,
    /// 1-based line of the element's tag.
    pub line: u32,
    /// 1-based column of the element's tag.
    pub column: u32,
}

/// A sequence flow between two flow nodes of the same scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceFlow {
    /// The flow id.
    pub id: String,
    /// The display name (often the condition in words).
    pub name: Option<String>,
    /// The `sourceRef` element id.
    pub source_ref: String,
    /// The `targetRef` element id.
    pub target_ref: String,
    /// The text of `bpmn:conditionExpression`, trimmed (e.g. `=amount > 1000`).
    pub condition: Option<String>,
    /// The id of the enclosing sub-process; `None` at the process level.
    pub parent: Option<String>,
    /// 1-based line of the `bpmn:sequenceFlow` tag.
    pub line: u32,
    /// 1-based column of the `bpmn:sequenceFlow` tag.
    pub column: u32,
}

/// A `zeebe:header`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskHeader {
    /// The header key.
    pub key: String,
    /// The header value.
    pub value: String,
}

/// A `zeebe:input` or `zeebe:output` variable mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableMapping {
    /// The `source` expression.
    pub source: String,
    /// The `target` variable name.
    pub target: String,
}

/// Multi-instance loop characteristics of an activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultiInstance {
    /// `isSequential`.
    pub sequential: bool,
    /// `zeebe:loopCharacteristics inputCollection`.
    pub input_collection: Option<String>,
    /// `zeebe:loopCharacteristics inputElement`.
    pub input_element: Option<String>,
    /// `zeebe:loopCharacteristics outputCollection`.
    pub output_collection: Option<String>,
    /// `zeebe:loopCharacteristics outputElement`.
    pub output_element: Option<String>,
}

/// A global `bpmn:message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The message id (what `messageRef` points to).
    pub id: String,
    /// The message name messages are published with.
    pub name: Option<String>,
    /// `zeebe:subscription correlationKey`.
    pub correlation_key: Option<String>,
}

/// A global `bpmn:signal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// The signal id (what `signalRef` points to).
    pub id: String,
    /// The signal name.
    pub name: Option<String>,
}

/// A global `bpmn:error`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDefinition {
    /// The error id (what `errorRef` points to).
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// `errorCode`, which a thrown error is caught by.
    pub error_code: Option<String>,
}

/// A global `bpmn:escalation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// The escalation id (what `escalationRef` points to).
    pub id: String,
    /// The display name.
    pub name: Option<String>,
    /// `escalationCode`, which a thrown escalation is caught by.
    pub escalation_code: Option<String>,
}
