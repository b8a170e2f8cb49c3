//! A process prepared for execution: ids resolved to indexes once, so that
//! the hot path works on `Vec` indexes instead of string lookups.

use std::collections::HashMap;
use std::sync::Arc;

use flowdesk_model::bpmn::{
    Definitions, Document, ElementKind, EventDefinition, MultiInstance, Process, TimerKind,
    VariableMapping, XmlNode, BPMN_NAMESPACE, ZEEBE_NAMESPACE,
};

use crate::error::CompileError;
use crate::state::CallBinding;
use crate::timer::TimerSchedule;

/// What an event reacts to or throws, with global references resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTrigger {
    /// A none event (or not an event).
    None,
    /// A message, by name, with the `zeebe:subscription` correlation key
    /// expression of its `bpmn:message`.
    Message {
        /// The message name.
        name: String,
        /// The correlation key expression, when the message defines one.
        correlation_key: Option<String>,
    },
    /// A timer.
    Timer {
        /// Date, duration or cycle.
        kind: TimerKind,
        /// The definition text (ISO 8601, cron, or a `=` expression).
        expression: String,
        /// The parsed schedule when the text is not an expression.
        schedule: Option<TimerSchedule>,
    },
    /// A signal, by name.
    Signal {
        /// The signal name.
        name: String,
    },
    /// A condition over variables.
    Conditional {
        /// The condition expression, without a leading `=`.
        condition: String,
    },
    /// An error; `None` code catches every error.
    Error {
        /// The error code.
        code: Option<String>,
    },
    /// An escalation; `None` code catches every escalation.
    Escalation {
        /// The escalation code.
        code: Option<String>,
    },
    /// A terminate end event.
    Terminate,
    /// A link, paired by name.
    Link {
        /// The link name.
        name: String,
    },
    /// Compensation: caught by a boundary event whose handler it runs,
    /// thrown by intermediate throw and end events.
    Compensate,
}

/// One flow node, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub id: Arc<str>,
    pub kind: ElementKind,
    pub parent: Option<usize>,
    pub outgoing: Vec<usize>,
    pub incoming: Vec<usize>,
    pub default_flow: Option<usize>,
    pub trigger: EventTrigger,
    pub boundaries: Vec<usize>,
    pub event_subprocesses: Vec<usize>,
    /// For sub-processes: the start event inside.
    pub start: Option<usize>,
    pub interrupting: bool,
    pub triggered_by_event: bool,
    pub task_type: Option<String>,
    pub retries: Option<String>,
    pub headers: Vec<(String, String)>,
    pub inputs: Vec<VariableMapping>,
    pub outputs: Vec<VariableMapping>,
    pub multi_instance: Option<MultiInstance>,
    /// `completionCondition` of a multi-instance activity, without `=`.
    pub completion_condition: Option<String>,
    /// `loopCardinality` of a multi-instance activity without an input
    /// collection, without `=`.
    pub loop_cardinality: Option<String>,
    /// `zeebe:calledElement propagateAllChildVariables` (default true).
    pub propagate_all_child_variables: bool,
    /// `zeebe:calledElement propagateAllParentVariables` (default true).
    pub propagate_all_parent_variables: bool,
    pub called_process_id: Option<String>,
    /// `zeebe:calledElement bindingType` (and `versionTag`).
    pub call_binding: CallBinding,
    pub called_decision_id: Option<String>,
    pub script: Option<String>,
    pub result_variable: Option<String>,
    pub assignee: Option<String>,
    pub candidate_groups: Option<String>,
    pub form: Option<String>,
    /// For link throw events: the catch event with the same name.
    pub link_target: Option<usize>,
    /// For joining inclusive gateways: which elements can reach it.
    pub reached_from: Vec<bool>,
    /// For an activity with a compensation boundary event: that event and
    /// the handler activity it is associated with.
    pub compensation: Option<Compensation>,
    /// `isForCompensation`: a handler, never reached by sequence flow.
    pub for_compensation: bool,
    /// For a compensation throw event with `activityRef`: that activity.
    pub compensate_activity: Option<usize>,
}

/// How an activity is compensated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compensation {
    /// The compensation boundary event attached to the activity.
    pub boundary: usize,
    /// The handler activity (`isForCompensation`).
    pub handler: usize,
}

/// One sequence flow, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    pub target: usize,
    /// The condition without its leading `=`.
    pub condition: Option<String>,
}

/// A start event at the top level of a process: how instances get started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartEventInfo {
    /// The start event id.
    pub element_id: String,
    /// What starts an instance there.
    pub trigger: EventTrigger,
}

/// A process compiled for execution. Compile once per deployment and share
/// (it is immutable).
#[derive(Debug, Clone)]
pub struct CompiledProcess {
    id: String,
    pub(crate) elements: Vec<Element>,
    pub(crate) flows: Vec<Flow>,
    by_id: HashMap<String, usize>,
    pub(crate) none_start: Option<usize>,
    pub(crate) root_event_subprocesses: Vec<usize>,
    top_level_starts: Vec<usize>,
    version_tag: Option<String>,
}

/// Strips the leading `=` of a Camunda 8 expression.
pub(crate) fn expression_text(text: &str) -> &str {
    text.trim().strip_prefix('=').unwrap_or(text).trim()
}

impl CompiledProcess {
    /// Compiles `process`, resolving messages, signals, errors and
    /// escalations from `definitions`. Element data only the XML document
    /// carries (multi-instance completion condition and loop cardinality,
    /// a receive task's `messageRef`, the variable propagation flags of
    /// call activities) needs [`CompiledProcess::compile_document`].
    pub fn compile(definitions: &Definitions, process: &Process) -> Result<Self, CompileError> {
        Self::compile_with(definitions, process, &HashMap::new())
    }

    /// Compiles the process `process_id` of a lossless BPMN document,
    /// including the element data the typed model does not carry.
    pub fn compile_document(document: &Document, process_id: &str) -> Result<Self, CompileError> {
        let definitions = document.definitions();
        let process = definitions
            .process(process_id)
            .ok_or_else(|| CompileError {
                process_id: process_id.to_owned(),
                element_id: process_id.to_owned(),
                message: "the document has no such process".into(),
            })?;
        Self::compile_with(definitions, process, &document_extras(document))
    }

    /// Compiles every executable process of a lossless BPMN document.
    pub fn compile_all_document(document: &Document) -> Result<Vec<Self>, CompileError> {
        let extras = document_extras(document);
        let definitions = document.definitions();
        definitions
            .executable_processes()
            .map(|process| Self::compile_with(definitions, process, &extras))
            .collect()
    }

    fn compile_with(
        definitions: &Definitions,
        process: &Process,
        extras: &HashMap<String, Extras>,
    ) -> Result<Self, CompileError> {
        let fail = |element_id: &str, message: String| CompileError {
            process_id: process.id.clone(),
            element_id: element_id.to_owned(),
            message,
        };
        let by_id: HashMap<String, usize> = process
            .elements
            .iter()
            .enumerate()
            .map(|(index, element)| (element.id.clone(), index))
            .collect();
        let flow_index: HashMap<&str, usize> = process
            .sequence_flows
            .iter()
            .enumerate()
            .map(|(index, flow)| (flow.id.as_str(), index))
            .collect();
        let mut flows = Vec::with_capacity(process.sequence_flows.len());
        for flow in &process.sequence_flows {
            let target = *by_id.get(&flow.target_ref).ok_or_else(|| {
                fail(
                    &flow.id,
                    format!("target \"{}\" does not exist", flow.target_ref),
                )
            })?;
            flows.push(Flow {
                target,
                condition: flow
                    .condition
                    .as_deref()
                    .map(expression_text)
                    .filter(|text| !text.is_empty())
                    .map(str::to_owned),
            });
        }
        let resolve_flows =
            |element_id: &str, ids: &[String]| -> Result<Vec<usize>, CompileError> {
                ids.iter()
                    .map(|id| {
                        flow_index.get(id.as_str()).copied().ok_or_else(|| {
                            fail(element_id, format!("sequence flow \"{id}\" does not exist"))
                        })
                    })
                    .collect()
            };
        let mut elements = Vec::with_capacity(process.elements.len());
        for element in &process.elements {
            let parent = match &element.parent {
                Some(parent) => Some(*by_id.get(parent).ok_or_else(|| {
                    fail(&element.id, format!("parent \"{parent}\" does not exist"))
                })?),
                None => None,
            };
            let extra = extras.get(&element.id).cloned().unwrap_or_default();
            let call_binding = match (
                extra.binding_type.as_deref().map(str::trim),
                extra.binding_version_tag.as_deref().map(str::trim),
            ) {
                (None | Some("latest"), _) => CallBinding::Latest,
                (Some("deployment"), _) => CallBinding::Deployment,
                (Some("versionTag"), Some(tag)) if !tag.is_empty() => {
                    CallBinding::VersionTag(tag.to_owned())
                }
                (Some("versionTag"), _) => {
                    return Err(fail(
                        &element.id,
                        "zeebe:calledElement bindingType=\"versionTag\" needs a versionTag".into(),
                    ))
                }
                (Some(other), _) => {
                    return Err(fail(
                        &element.id,
                        format!(
                            "zeebe:calledElement bindingType \"{other}\" is not latest, \
                             deployment or versionTag"
                        ),
                    ))
                }
            };
            let trigger = match (&element.event_definition, &extra.message_ref) {
                (None | Some(EventDefinition::None), Some(message_ref))
                    if element.kind == ElementKind::ReceiveTask =>
                {
                    trigger(
                        definitions,
                        &EventDefinition::Message {
                            message_ref: Some(message_ref.clone()),
                        },
                    )
                    .map_err(|message| fail(&element.id, message))?
                }
                (None | Some(EventDefinition::None), _) => EventTrigger::None,
                (Some(definition), _) => trigger(definitions, definition)
                    .map_err(|message| fail(&element.id, message))?,
            };
            elements.push(Element {
                id: Arc::from(element.id.as_str()),
                kind: element.kind,
                parent,
                outgoing: resolve_flows(&element.id, &element.outgoing)?,
                incoming: resolve_flows(&element.id, &element.incoming)?,
                default_flow: match &element.default_flow {
                    Some(id) => Some(resolve_flows(&element.id, std::slice::from_ref(id))?[0]),
                    None => None,
                },
                trigger,
                boundaries: Vec::new(),
                event_subprocesses: Vec::new(),
                start: None,
                interrupting: element.interrupting,
                triggered_by_event: element.triggered_by_event,
                task_type: element.task_type.clone(),
                retries: element.retries.clone(),
                headers: element
                    .task_headers
                    .iter()
                    .map(|header| (header.key.clone(), header.value.clone()))
                    .collect(),
                inputs: element.inputs.clone(),
                outputs: element.outputs.clone(),
                multi_instance: element.multi_instance.clone(),
                completion_condition: extra.completion_condition,
                loop_cardinality: extra.loop_cardinality,
                propagate_all_child_variables: extra.propagate_all_child_variables.unwrap_or(true),
                propagate_all_parent_variables: extra
                    .propagate_all_parent_variables
                    .unwrap_or(true),
                called_process_id: element.called_process_id.clone(),
                call_binding,
                called_decision_id: element.called_decision_id.clone(),
                script: element.script.clone(),
                result_variable: element.result_variable.clone(),
                assignee: element.assignee.clone(),
                candidate_groups: element.candidate_groups.clone(),
                form: element.form.clone(),
                link_target: None,
                reached_from: Vec::new(),
                compensation: None,
                for_compensation: element.for_compensation,
                compensate_activity: None,
            });
        }
        let mut none_start = None;
        let mut root_event_subprocesses = Vec::new();
        let mut top_level_starts = Vec::new();
        for index in 0..elements.len() {
            let (kind, parent) = (elements[index].kind, elements[index].parent);
            let source = &process.elements[index];
            if kind == ElementKind::BoundaryEvent {
                let host = source
                    .attached_to
                    .as_ref()
                    .and_then(|host| by_id.get(host))
                    .copied()
                    .ok_or_else(|| {
                        fail(
                            &source.id,
                            "boundary event is not attached to an activity".into(),
                        )
                    })?;
                if elements[index].trigger == EventTrigger::Compensate {
                    let handler = source
                        .compensation_handler
                        .as_ref()
                        .and_then(|handler| by_id.get(handler))
                        .copied()
                        .filter(|handler| elements[*handler].for_compensation)
                        .ok_or_else(|| {
                            fail(
                                &source.id,
                                "compensation boundary event has no handler marked isForCompensation"
                                    .into(),
                            )
                        })?;
                    elements[host].compensation = Some(Compensation {
                        boundary: index,
                        handler,
                    });
                } else {
                    elements[host].boundaries.push(index);
                }
            }
            if let Some(EventDefinition::Compensate {
                activity_ref: Some(activity),
                ..
            }) = &source.event_definition
            {
                let activity = by_id.get(activity).copied().ok_or_else(|| {
                    fail(
                        &source.id,
                        format!("activityRef \"{activity}\" does not name an element"),
                    )
                })?;
                elements[index].compensate_activity = Some(activity);
            }
            if kind == ElementKind::StartEvent
                && elements[index].trigger == EventTrigger::Compensate
            {
                return Err(fail(
                    &source.id,
                    "compensation event sub-processes are not supported".into(),
                ));
            }
            if kind == ElementKind::SubProcess && elements[index].triggered_by_event {
                match parent {
                    Some(parent) => elements[parent].event_subprocesses.push(index),
                    None => root_event_subprocesses.push(index),
                }
            }
            if kind == ElementKind::StartEvent {
                match parent {
                    Some(parent) => elements[parent].start = Some(index),
                    None => {
                        top_level_starts.push(index);
                        if elements[index].trigger == EventTrigger::None {
                            none_start = Some(index);
                        }
                    }
                }
            }
            if kind == ElementKind::IntermediateThrowEvent {
                if let EventTrigger::Link { name } = &elements[index].trigger {
                    let target = (0..elements.len()).find(|candidate| {
                        let other = &elements[*candidate];
                        other.kind == ElementKind::IntermediateCatchEvent
                            && other.parent == parent
                            && matches!(&other.trigger, EventTrigger::Link { name: other_name } if other_name == name)
                    });
                    let target = target.ok_or_else(|| {
                        fail(
                            &source.id,
                            format!("no link catch event named \"{name}\" in the same scope"),
                        )
                    })?;
                    elements[index].link_target = Some(target);
                }
            }
        }
        for index in 0..elements.len() {
            if elements[index].kind == ElementKind::InclusiveGateway
                && elements[index].incoming.len() > 1
            {
                elements[index].reached_from = reached_from(&elements, &flows, index);
            }
        }
        Ok(CompiledProcess {
            id: process.id.clone(),
            elements,
            flows,
            by_id,
            none_start,
            root_event_subprocesses,
            top_level_starts,
            version_tag: extras
                .get(process.id.as_str())
                .and_then(|extra| extra.version_tag.clone()),
        })
    }

    /// Compiles every executable process of `definitions`.
    pub fn compile_all(definitions: &Definitions) -> Result<Vec<Self>, CompileError> {
        definitions
            .executable_processes()
            .map(|process| Self::compile(definitions, process))
            .collect()
    }

    /// The process id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The process's `zeebe:versionTag` (read from the lossless document
    /// by [`CompiledProcess::compile_document`]).
    pub fn version_tag(&self) -> Option<&str> {
        self.version_tag.as_deref()
    }

    /// The index of the element with this id.
    pub fn element_index(&self, element_id: &str) -> Option<usize> {
        self.by_id.get(element_id).copied()
    }

    /// The id of the element at `index`.
    pub fn element_id(&self, index: usize) -> Option<&str> {
        self.elements.get(index).map(|element| &*element.id)
    }

    /// The start events at the top level, with their triggers.
    pub fn start_events(&self) -> Vec<StartEventInfo> {
        self.top_level_starts
            .iter()
            .map(|index| StartEventInfo {
                element_id: self.elements[*index].id.to_string(),
                trigger: self.elements[*index].trigger.clone(),
            })
            .collect()
    }
}

fn trigger(
    definitions: &Definitions,
    definition: &EventDefinition,
) -> Result<EventTrigger, String> {
    Ok(match definition {
        EventDefinition::None => EventTrigger::None,
        EventDefinition::Message { message_ref } => {
            let reference = message_ref
                .as_deref()
                .ok_or("the message event has no messageRef; choose a global message")?;
            let message = definitions
                .message(reference)
                .ok_or_else(|| format!("message \"{reference}\" is not defined"))?;
            EventTrigger::Message {
                name: message.name.clone().unwrap_or_else(|| message.id.clone()),
                correlation_key: message.correlation_key.clone(),
            }
        }
        EventDefinition::Timer { timer, expression } => {
            let kind = timer.ok_or("the timer has no timeDate, timeDuration or timeCycle")?;
            let expression = expression
                .clone()
                .ok_or("the timer definition is empty; give a date, duration or cycle")?;
            let schedule = if expression.starts_with('=') {
                None
            } else {
                Some(TimerSchedule::parse(kind, &expression).map_err(|error| error.to_string())?)
            };
            EventTrigger::Timer {
                kind,
                expression,
                schedule,
            }
        }
        EventDefinition::Signal { signal_ref } => {
            let reference = signal_ref
                .as_deref()
                .ok_or("the signal event has no signalRef; choose a global signal")?;
            let signal = definitions
                .signals
                .iter()
                .find(|signal| signal.id == reference)
                .ok_or_else(|| format!("signal \"{reference}\" is not defined"))?;
            EventTrigger::Signal {
                name: signal.name.clone().unwrap_or_else(|| signal.id.clone()),
            }
        }
        EventDefinition::Conditional { condition } => EventTrigger::Conditional {
            condition: expression_text(
                condition
                    .as_deref()
                    .ok_or("the conditional event has no condition")?,
            )
            .to_owned(),
        },
        EventDefinition::Error { error_ref } => EventTrigger::Error {
            code: match error_ref {
                None => None,
                Some(reference) => {
                    let error = definitions
                        .errors
                        .iter()
                        .find(|error| &error.id == reference)
                        .ok_or_else(|| format!("error \"{reference}\" is not defined"))?;
                    Some(error.error_code.clone().unwrap_or_else(|| error.id.clone()))
                }
            },
        },
        EventDefinition::Escalation { escalation_ref } => EventTrigger::Escalation {
            code: match escalation_ref {
                None => None,
                Some(reference) => {
                    let escalation = definitions
                        .escalations
                        .iter()
                        .find(|escalation| &escalation.id == reference)
                        .ok_or_else(|| format!("escalation \"{reference}\" is not defined"))?;
                    Some(
                        escalation
                            .escalation_code
                            .clone()
                            .unwrap_or_else(|| escalation.id.clone()),
                    )
                }
            },
        },
        EventDefinition::Terminate => EventTrigger::Terminate,
        EventDefinition::Link { name } => EventTrigger::Link {
            name: name.clone().ok_or("the link event has no name")?,
        },
        EventDefinition::Compensate { .. } => EventTrigger::Compensate,
        EventDefinition::Cancel => return Err("cancel events are not supported".into()),
    })
}

/// Element data the typed model does not carry, read from the document.
#[derive(Debug, Clone, Default)]
struct Extras {
    completion_condition: Option<String>,
    loop_cardinality: Option<String>,
    message_ref: Option<String>,
    propagate_all_child_variables: Option<bool>,
    propagate_all_parent_variables: Option<bool>,
    binding_type: Option<String>,
    binding_version_tag: Option<String>,
    version_tag: Option<String>,
}

/// The [`Extras`] of every BPMN element with an id, by id.
fn document_extras(document: &Document) -> HashMap<String, Extras> {
    let mut extras = HashMap::new();
    collect_extras(&document.root, &mut extras);
    extras
}

fn collect_extras(element: &flowdesk_model::bpmn::Element, extras: &mut HashMap<String, Extras>) {
    if element.namespace.as_deref() == Some(BPMN_NAMESPACE) {
        if let Some(id) = element.attribute("id") {
            let mut extra = Extras {
                message_ref: (element.name == "receiveTask")
                    .then(|| element.attribute("messageRef").map(str::to_owned))
                    .flatten(),
                ..Extras::default()
            };
            for child in element.child_elements() {
                if child.is(BPMN_NAMESPACE, "multiInstanceLoopCharacteristics") {
                    for part in child.child_elements() {
                        let text = || {
                            let text = element_text(part);
                            let text = expression_text(&text);
                            (!text.is_empty()).then(|| text.to_owned())
                        };
                        if part.is(BPMN_NAMESPACE, "completionCondition") {
                            extra.completion_condition = text();
                        } else if part.is(BPMN_NAMESPACE, "loopCardinality") {
                            extra.loop_cardinality = text();
                        }
                    }
                }
                if child.is(BPMN_NAMESPACE, "extensionElements") {
                    for extension in child.child_elements() {
                        if extension.is(ZEEBE_NAMESPACE, "calledElement") {
                            let flag =
                                |name| extension.attribute(name).map(|value| value == "true");
                            extra.propagate_all_child_variables =
                                flag("propagateAllChildVariables");
                            extra.propagate_all_parent_variables =
                                flag("propagateAllParentVariables");
                            extra.binding_type =
                                extension.attribute("bindingType").map(str::to_owned);
                            extra.binding_version_tag =
                                extension.attribute("versionTag").map(str::to_owned);
                        }
                        if element.name == "process" && extension.is(ZEEBE_NAMESPACE, "versionTag")
                        {
                            extra.version_tag = extension
                                .attribute("value")
                                .map(str::trim)
                                .filter(|value| !value.is_empty())
                                .map(str::to_owned);
                        }
                    }
                }
            }
            extras.insert(id.to_owned(), extra);
        }
    }
    for child in element.child_elements() {
        collect_extras(child, extras);
    }
}

/// The character data directly inside an element.
fn element_text(element: &flowdesk_model::bpmn::Element) -> String {
    element
        .children
        .iter()
        .filter_map(|child| match child {
            XmlNode::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Which elements have a path of sequence flows to `gateway`.
fn reached_from(elements: &[Element], flows: &[Flow], gateway: usize) -> Vec<bool> {
    // Reverse edges: target -> sources.
    let mut sources: Vec<Vec<usize>> = vec![Vec::new(); elements.len()];
    for (index, element) in elements.iter().enumerate() {
        for flow in &element.outgoing {
            sources[flows[*flow].target].push(index);
        }
        // A token at an activity can leave through its boundary events.
        for boundary in &element.boundaries {
            sources[*boundary].push(index);
        }
    }
    let mut reached = vec![false; elements.len()];
    let mut stack = vec![gateway];
    while let Some(current) = stack.pop() {
        for source in &sources[current] {
            if !reached[*source] {
                reached[*source] = true;
                stack.push(*source);
            }
        }
    }
    reached
}
