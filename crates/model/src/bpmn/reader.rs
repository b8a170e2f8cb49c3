//! Reading the XML tree into the model, with the problems only the XML can
//! show: syntax, root element, missing and duplicate ids, unsupported tags.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::model::{
    Definitions, ElementKind, ErrorDefinition, Escalation, EventDefinition, FlowElement, Message,
    MultiInstance, Process, SequenceFlow, Signal, TaskHeader, TimerKind, VariableMapping,
};
use super::position::LineIndex;
use super::{
    BPMNDI_NAMESPACE, BPMN_NAMESPACE, MAX_SUB_PROCESS_DEPTH, MAX_XML_DEPTH, ZEEBE_NAMESPACE,
};
use crate::Problem;

/// Flow nodes and containers an executable process may not contain.
const UNSUPPORTED_IN_PROCESS: &[&str] = &[
    "complexGateway",
    "transaction",
    "adHocSubProcess",
    "choreographyTask",
    "subChoreography",
    "callChoreography",
    "implicitThrowEvent",
];

/// The outcome of reading: the model (when the XML is a BPMN document at
/// all) and the problems found so far.
pub(super) struct Read {
    pub(super) definitions: Option<Definitions>,
    pub(super) problems: Vec<Problem>,
    /// Position of the `definitions` element, for document-level problems.
    pub(super) definitions_position: (u32, u32),
}

/// Parses the XML and reads the model.
pub(super) fn read(xml: &str) -> Read {
    let index = LineIndex::new(xml);
    match parse_xml(xml, &index) {
        Ok(document) => read_tree(&document, &index),
        Err(problem) => Read {
            definitions: None,
            problems: vec![problem],
            definitions_position: (1, 1),
        },
    }
}

/// Parses the XML into a tree: the one problem is a syntax error or nesting
/// deeper than [`MAX_XML_DEPTH`].
pub(super) fn parse_xml<'input>(
    xml: &'input str,
    index: &LineIndex<'_>,
) -> Result<Document<'input>, Problem> {
    if let Some(offset) = too_deeply_nested(xml.as_bytes(), MAX_XML_DEPTH) {
        let (line, column) = index.position(offset);
        return Err(Problem {
            message: format!(
                "elements nested more than {MAX_XML_DEPTH} levels deep are not supported"
            ),
            element_id: None,
            line,
            column,
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(xml, options).map_err(|error| syntax_problem(xml, index, &error))
}

/// Reads the model from a parsed tree (`definitions` is `None` when the root
/// is not `bpmn:definitions`).
pub(super) fn read_tree(document: &Document<'_>, index: &LineIndex<'_>) -> Read {
    let mut reader = Reader {
        index,
        problems: Vec::new(),
    };
    let root = document.root_element();
    let definitions_position = reader.position(root);
    if root.tag_name().name() != "definitions"
        || root.tag_name().namespace() != Some(BPMN_NAMESPACE)
    {
        let found = match root.tag_name().namespace() {
            Some(namespace) => format!("<{}> in namespace {namespace}", qualified_name(root)),
            None => format!("<{}> without a namespace", qualified_name(root)),
        };
        reader.problem(
            root,
            format!(
                "not a BPMN 2.0 document: the root element must be bpmn:definitions in namespace {BPMN_NAMESPACE}, found {found}"
            ),
        );
        return Read {
            definitions: None,
            problems: reader.problems,
            definitions_position,
        };
    }

    let definitions = reader.definitions(root);
    reader.duplicate_ids(document);
    Read {
        definitions: Some(definitions),
        problems: reader.problems,
        definitions_position,
    }
}

/// The offset of the first start tag deeper than `limit`, if any.
///
/// roxmltree parses nested elements by recursion, so a hostile document of
/// a few hundred kilobytes of `<a><a><a>...` would overflow the stack; this
/// scan runs first. On well-formed XML its depth is exact (text cannot hold
/// a raw `<`); on malformed XML it is an estimate, and the document is
/// rejected either way.
fn too_deeply_nested(bytes: &[u8], limit: usize) -> Option<usize> {
    let find = |from: usize, pattern: &[u8]| {
        bytes
            .get(from..)
            .and_then(|rest| {
                rest.windows(pattern.len())
                    .position(|window| window == pattern)
            })
            .map(|position| from + position + pattern.len())
    };
    let mut depth = 0usize;
    let mut cursor = 0;
    while let Some(start) = bytes
        .get(cursor..)
        .and_then(|rest| rest.iter().position(|&byte| byte == b'<'))
        .map(|position| cursor + position)
    {
        let rest = &bytes[start..];
        let end = if rest.starts_with(b"<!--") {
            find(start + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            find(start + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            find(start + 2, b"?>")
        } else if rest.starts_with(b"<!") {
            find(start + 2, b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            find(start + 2, b">")
        } else {
            let mut position = start + 1;
            let mut quote = None;
            let mut end = None;
            while let Some(&byte) = bytes.get(position) {
                match (quote, byte) {
                    (None, b'"' | b'\'') => quote = Some(byte),
                    (Some(open), _) if byte == open => quote = None,
                    (None, b'>') => {
                        end = Some(position + 1);
                        break;
                    }
                    _ => {}
                }
                position += 1;
            }
            if end.is_some() && bytes.get(position.wrapping_sub(1)) != Some(&b'/') {
                depth += 1;
                if depth > limit {
                    return Some(start);
                }
            }
            end
        };
        cursor = end?;
    }
    None
}

/// The single problem for an XML syntax error, positioned where roxmltree
/// stopped (or at the end of the text when it ran out of input).
fn syntax_problem(xml: &str, index: &LineIndex<'_>, error: &roxmltree::Error) -> Problem {
    use roxmltree::Error as XmlError;
    let (message, (line, column)) = match error {
        XmlError::NoRootNode if xml.trim().is_empty() => {
            ("the document is empty".to_owned(), (1, 1))
        }
        XmlError::NoRootNode => (
            "the document has no root element; is this an XML file?".to_owned(),
            (1, 1),
        ),
        XmlError::UnclosedRootNode | XmlError::UnexpectedEndOfStream => (
            format!("{error}: the file ends before the root element is closed (truncated?)"),
            index.end(),
        ),
        XmlError::DtdDetected => (
            "document type declarations (<!DOCTYPE>) are not allowed in BPMN files".to_owned(),
            xml.find("<!DOCTYPE")
                .map_or((1, 1), |offset| index.position(offset)),
        ),
        _ => {
            let position = error.pos();
            let message = error.to_string().replace(&format!(" at {position}"), "");
            (message, (position.row, position.col))
        }
    };
    Problem {
        message: format!("XML syntax error: {message}"),
        element_id: None,
        line,
        column,
    }
}

struct Reader<'a> {
    index: &'a LineIndex<'a>,
    problems: Vec<Problem>,
}

/// Where a scope's children are read into.
struct Scope<'p> {
    parent: Option<&'p str>,
    executable: bool,
    depth: usize,
}

impl Reader<'_> {
    fn position(&self, node: Node<'_, '_>) -> (u32, u32) {
        self.index.position(node.range().start)
    }

    fn problem(&mut self, node: Node<'_, '_>, message: String) {
        let (line, column) = self.position(node);
        self.problems.push(Problem {
            message,
            element_id: node.attribute("id").map(str::to_owned),
            line,
            column,
        });
    }

    fn definitions(&mut self, root: Node<'_, '_>) -> Definitions {
        let mut definitions = Definitions {
            id: attribute(root, "id"),
            target_namespace: attribute(root, "targetNamespace"),
            exporter: attribute(root, "exporter"),
            exporter_version: attribute(root, "exporterVersion"),
            processes: Vec::new(),
            messages: Vec::new(),
            signals: Vec::new(),
            errors: Vec::new(),
            escalations: Vec::new(),
        };
        for child in bpmn_children(root) {
            let id = attribute(child, "id");
            let name = attribute(child, "name");
            match child.tag_name().name() {
                "process" => {
                    let process = self.process(child);
                    definitions.processes.push(process);
                }
                "message" => definitions.messages.extend(id.map(|id| Message {
                    id,
                    name,
                    correlation_key: zeebe_extensions(child)
                        .find(|extension| extension.tag_name().name() == "subscription")
                        .and_then(|subscription| attribute(subscription, "correlationKey")),
                })),
                "signal" => definitions
                    .signals
                    .extend(id.map(|id| Signal { id, name })),
                "error" => definitions.errors.extend(id.map(|id| ErrorDefinition {
                    id,
                    name,
                    error_code: attribute(child, "errorCode"),
                })),
                "escalation" => definitions.escalations.extend(id.map(|id| Escalation {
                    id,
                    name,
                    escalation_code: attribute(child, "escalationCode"),
                })),
                "choreography" => self.problem(
                    child,
                    "unsupported element bpmn:choreography: the engine runs processes, not choreographies"
                        .to_owned(),
                ),
                // Collaborations (pools, message flows), global tasks,
                // item definitions, data stores, ... carry no behaviour.
                _ => {}
            }
        }
        definitions
    }

    fn process(&mut self, node: Node<'_, '_>) -> Process {
        let is_executable = self.boolean(node, "isExecutable", false);
        let id = attribute(node, "id").unwrap_or_default();
        if id.is_empty() && is_executable {
            self.problem(node, "executable process has no id".to_owned());
        }
        let (line, column) = self.position(node);
        let mut process = Process {
            id,
            name: attribute(node, "name"),
            is_executable,
            version_tag: zeebe_extensions(node)
                .find(|extension| extension.tag_name().name() == "versionTag")
                .and_then(|tag| attribute(tag, "value")),
            elements: Vec::new(),
            sequence_flows: Vec::new(),
            line,
            column,
        };
        let scope = Scope {
            parent: None,
            executable: is_executable,
            depth: 0,
        };
        let mut associations = Vec::new();
        self.scope(node, &scope, &mut process, &mut associations);
        link_flows(&mut process);
        link_compensation_handlers(&mut process, &associations);
        process
    }

    /// Reads the flow nodes and sequence flows directly inside `node`
    /// (a process or sub-process), descending into sub-processes.
    fn scope(
        &mut self,
        node: Node<'_, '_>,
        scope: &Scope<'_>,
        process: &mut Process,
        associations: &mut Vec<(String, String)>,
    ) {
        for child in bpmn_children(node) {
            let tag = child.tag_name().name();
            if tag == "sequenceFlow" {
                if let Some(flow) = self.sequence_flow(child, scope) {
                    process.sequence_flows.push(flow);
                }
            } else if let Some(kind) = ElementKind::from_tag(tag) {
                let Some(element) = self.flow_element(child, kind, scope) else {
                    continue;
                };
                let id = element.id.clone();
                process.elements.push(element);
                if kind == ElementKind::SubProcess {
                    if scope.depth >= MAX_SUB_PROCESS_DEPTH {
                        if scope.executable {
                            self.problem(
                                child,
                                format!("sub-processes nested more than {MAX_SUB_PROCESS_DEPTH} levels deep are not supported"),
                            );
                        }
                        continue;
                    }
                    let inner = Scope {
                        parent: Some(&id),
                        executable: scope.executable,
                        depth: scope.depth + 1,
                    };
                    self.scope(child, &inner, process, associations);
                }
            } else if UNSUPPORTED_IN_PROCESS.contains(&tag) && scope.executable {
                self.problem(
                    child,
                    format!("unsupported element bpmn:{tag}: the engine cannot run it; remove it or replace it with a supported element"),
                );
            } else if tag == "association" {
                // Only a compensation boundary event's association has
                // behaviour (it names the handler); see link_compensation_handlers.
                if let (Some(source), Some(target)) =
                    (attribute(child, "sourceRef"), attribute(child, "targetRef"))
                {
                    associations.push((source, target));
                }
            }
            // Lanes, data objects and references, text annotations,
            // groups, documentation: no behaviour.
        }
    }

    fn sequence_flow(&mut self, node: Node<'_, '_>, scope: &Scope<'_>) -> Option<SequenceFlow> {
        let Some(id) = attribute(node, "id") else {
            if scope.executable {
                self.problem(node, "sequence flow has no id".to_owned());
            }
            return None;
        };
        let (line, column) = self.position(node);
        Some(SequenceFlow {
            id,
            name: attribute(node, "name"),
            source_ref: attribute(node, "sourceRef").unwrap_or_default(),
            target_ref: attribute(node, "targetRef").unwrap_or_default(),
            condition: bpmn_children(node)
                .find(|child| child.tag_name().name() == "conditionExpression")
                .and_then(text),
            parent: scope.parent.map(str::to_owned),
            line,
            column,
        })
    }

    fn flow_element(
        &mut self,
        node: Node<'_, '_>,
        kind: ElementKind,
        scope: &Scope<'_>,
    ) -> Option<FlowElement> {
        let Some(id) = attribute(node, "id") else {
            if scope.executable {
                self.problem(node, format!("flow element bpmn:{} has no id", kind.tag()));
            }
            return None;
        };
        let (line, column) = self.position(node);
        let interrupting = match kind {
            ElementKind::BoundaryEvent => self.boolean(node, "cancelActivity", true),
            ElementKind::StartEvent => self.boolean(node, "isInterrupting", true),
            _ => true,
        };
        let triggered_by_event =
            kind == ElementKind::SubProcess && self.boolean(node, "triggeredByEvent", false);
        let mut element = FlowElement {
            id,
            name: attribute(node, "name"),
            kind,
            parent: scope.parent.map(str::to_owned),
            incoming: Vec::new(),
            outgoing: Vec::new(),
            default_flow: attribute(node, "default"),
            event_definition: None,
            attached_to: attribute(node, "attachedToRef"),
            interrupting,
            triggered_by_event,
            task_type: None,
            retries: None,
            task_headers: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            assignee: None,
            candidate_groups: None,
            form: None,
            called_process_id: None,
            called_decision_id: None,
            script: None,
            result_variable: None,
            multi_instance: None,
            for_compensation: kind.is_activity() && self.boolean(node, "isForCompensation", false),
            compensation_handler: None,
            line,
            column,
        };
        if kind.is_event() {
            element.event_definition = Some(self.event_definition(node, scope));
        }
        read_zeebe_extensions(node, &mut element);
        for child in bpmn_children(node) {
            match child.tag_name().name() {
                "multiInstanceLoopCharacteristics" => {
                    let loop_extension = zeebe_extensions(child)
                        .find(|extension| extension.tag_name().name() == "loopCharacteristics");
                    let loop_attribute =
                        |name| loop_extension.and_then(|extension| attribute(extension, name));
                    element.multi_instance = Some(MultiInstance {
                        sequential: self.boolean(child, "isSequential", false),
                        input_collection: loop_attribute("inputCollection"),
                        input_element: loop_attribute("inputElement"),
                        output_collection: loop_attribute("outputCollection"),
                        output_element: loop_attribute("outputElement"),
                    });
                }
                "standardLoopCharacteristics" if scope.executable => self.problem(
                    node,
                    "unsupported standard loop (bpmn:standardLoopCharacteristics): use a multi-instance activity instead".to_owned(),
                ),
                _ => {}
            }
        }
        Some(element)
    }

    fn event_definition(&mut self, event: Node<'_, '_>, scope: &Scope<'_>) -> EventDefinition {
        let mut definitions = bpmn_children(event)
            .filter(|child| child.tag_name().name().ends_with("EventDefinition"));
        let Some(first) = definitions.next() else {
            return EventDefinition::None;
        };
        let extra = definitions.count();
        if extra > 0 && scope.executable {
            self.problem(
                event,
                format!(
                    "event has {} event definitions; multiple event definitions are not supported",
                    extra + 1
                ),
            );
        }
        let reference = |name| attribute(first, name);
        match first.tag_name().name() {
            "messageEventDefinition" => EventDefinition::Message {
                message_ref: reference("messageRef"),
            },
            "timerEventDefinition" => {
                let timer = bpmn_children(first).find_map(|child| {
                    let kind = match child.tag_name().name() {
                        "timeDate" => TimerKind::Date,
                        "timeDuration" => TimerKind::Duration,
                        "timeCycle" => TimerKind::Cycle,
                        _ => return None,
                    };
                    Some((kind, text(child)))
                });
                EventDefinition::Timer {
                    timer: timer.as_ref().map(|(kind, _)| *kind),
                    expression: timer.and_then(|(_, expression)| expression),
                }
            }
            "signalEventDefinition" => EventDefinition::Signal {
                signal_ref: reference("signalRef"),
            },
            "conditionalEventDefinition" => EventDefinition::Conditional {
                condition: bpmn_children(first)
                    .find(|child| child.tag_name().name() == "condition")
                    .and_then(text),
            },
            "errorEventDefinition" => EventDefinition::Error {
                error_ref: reference("errorRef"),
            },
            "escalationEventDefinition" => EventDefinition::Escalation {
                escalation_ref: reference("escalationRef"),
            },
            "terminateEventDefinition" => EventDefinition::Terminate,
            "linkEventDefinition" => EventDefinition::Link {
                name: reference("name"),
            },
            "compensateEventDefinition" => EventDefinition::Compensate {
                activity_ref: reference("activityRef"),
                wait_for_completion: self.boolean(first, "waitForCompletion", true),
            },
            other => {
                if scope.executable {
                    self.problem(event, format!("unsupported event definition bpmn:{other}"));
                }
                EventDefinition::Cancel
            }
        }
    }

    /// An `xs:boolean` attribute; a value that is not one is reported and
    /// read as the default.
    fn boolean(&mut self, node: Node<'_, '_>, name: &str, default: bool) -> bool {
        match node.attribute(name).map(str::trim) {
            None => default,
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            Some(other) => {
                self.problem(
                    node,
                    format!("attribute {name} must be true or false, found \"{other}\""),
                );
                default
            }
        }
    }

    /// Ids must be unique across the model and its diagram (BPMN and
    /// BPMN DI elements): references would be ambiguous otherwise.
    fn duplicate_ids(&mut self, document: &Document<'_>) {
        let mut first_seen: HashMap<&str, (u32, u32)> = HashMap::new();
        for node in document.descendants().filter(|node| {
            node.is_element()
                && matches!(
                    node.tag_name().namespace(),
                    Some(BPMN_NAMESPACE | BPMNDI_NAMESPACE)
                )
        }) {
            let Some(id) = node.attribute("id") else {
                continue;
            };
            let position = self.position(node);
            if let Some((line, column)) = first_seen.get(id).copied() {
                self.problem(
                    node,
                    format!(
                        "duplicate id \"{id}\" (first used at {line}:{column}); ids must be unique"
                    ),
                );
            } else {
                first_seen.insert(id, position);
            }
        }
    }
}

/// Fills `incoming`/`outgoing` of every element from the sequence flows, so
/// they are right even when a tool omits `bpmn:incoming`/`bpmn:outgoing`.
fn link_flows(process: &mut Process) {
    let positions: HashMap<String, usize> = process
        .elements
        .iter()
        .enumerate()
        .rev()
        .map(|(position, element)| (element.id.clone(), position))
        .collect();
    for flow in &process.sequence_flows {
        if let Some(&source) = positions.get(&flow.source_ref) {
            process.elements[source].outgoing.push(flow.id.clone());
        }
        if let Some(&target) = positions.get(&flow.target_ref) {
            process.elements[target].incoming.push(flow.id.clone());
        }
    }
}

/// Sets [`FlowElement::compensation_handler`] of each compensation boundary
/// event from the association (source, target) that leaves it.
fn link_compensation_handlers(process: &mut Process, associations: &[(String, String)]) {
    for element in &mut process.elements {
        if element.kind == ElementKind::BoundaryEvent
            && matches!(
                element.event_definition,
                Some(EventDefinition::Compensate { .. })
            )
        {
            element.compensation_handler = associations
                .iter()
                .find(|(source, _)| *source == element.id)
                .map(|(_, target)| target.clone());
        }
    }
}

fn read_zeebe_extensions(node: Node<'_, '_>, element: &mut FlowElement) {
    for extension in zeebe_extensions(node) {
        match extension.tag_name().name() {
            "taskDefinition" => {
                element.task_type = attribute(extension, "type");
                element.retries = attribute(extension, "retries");
            }
            "taskHeaders" => {
                element.task_headers = zeebe_children(extension, "header")
                    .map(|header| TaskHeader {
                        key: attribute(header, "key").unwrap_or_default(),
                        value: attribute(header, "value").unwrap_or_default(),
                    })
                    .collect();
            }
            "ioMapping" => {
                let mapping = |mapping| VariableMapping {
                    source: attribute(mapping, "source").unwrap_or_default(),
                    target: attribute(mapping, "target").unwrap_or_default(),
                };
                element.inputs = zeebe_children(extension, "input").map(mapping).collect();
                element.outputs = zeebe_children(extension, "output").map(mapping).collect();
            }
            "assignmentDefinition" => {
                element.assignee = attribute(extension, "assignee");
                element.candidate_groups = attribute(extension, "candidateGroups");
            }
            "formDefinition" => {
                element.form =
                    attribute(extension, "formId").or_else(|| attribute(extension, "formKey"));
            }
            "calledElement" => element.called_process_id = attribute(extension, "processId"),
            "calledDecision" => {
                element.called_decision_id = attribute(extension, "decisionId");
                element.result_variable = attribute(extension, "resultVariable");
            }
            "script" => {
                element.script = attribute(extension, "expression");
                element.result_variable = attribute(extension, "resultVariable");
            }
            _ => {}
        }
    }
}

/// Element children in the BPMN model namespace.
fn bpmn_children<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(|child| child.is_element() && child.tag_name().namespace() == Some(BPMN_NAMESPACE))
}

/// The `zeebe:` elements inside the node's `bpmn:extensionElements`.
fn zeebe_extensions<'a, 'input>(node: Node<'a, 'input>) -> impl Iterator<Item = Node<'a, 'input>> {
    bpmn_children(node)
        .filter(|child| child.tag_name().name() == "extensionElements")
        .flat_map(|extensions| extensions.children())
        .filter(|child| child.is_element() && child.tag_name().namespace() == Some(ZEEBE_NAMESPACE))
}

fn zeebe_children<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |child| {
        child.is_element()
            && child.tag_name().namespace() == Some(ZEEBE_NAMESPACE)
            && child.tag_name().name() == name
    })
}

/// An attribute without a namespace, `None` when absent.
fn attribute(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.attribute(name).map(str::to_owned)
}

/// All text inside an element (text and CDATA), trimmed; `None` when blank.
fn text(node: Node<'_, '_>) -> Option<String> {
    let text: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|child| child.text())
        .collect();
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// `prefix:name` as written, for messages about foreign root elements.
fn qualified_name(node: Node<'_, '_>) -> String {
    let name = node.tag_name().name();
    match node
        .tag_name()
        .namespace()
        .and_then(|namespace| node.lookup_prefix(namespace))
    {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{name}"),
        _ => name.to_owned(),
    }
}
