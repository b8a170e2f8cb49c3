//! Checks on the read model: what an engine needs to run each executable
//! process. See the rule list in the [module documentation](super).

use std::collections::HashMap;

use super::model::{Definitions, ElementKind, EventDefinition, FlowElement, Process, SequenceFlow};
use crate::Problem;

/// Appends the problems of every executable process of `definitions`.
pub(super) fn validate(
    definitions: &Definitions,
    definitions_position: (u32, u32),
    problems: &mut Vec<Problem>,
) {
    if definitions.executable_processes().next().is_none() {
        let (line, column) = definitions_position;
        let message = if definitions.processes.is_empty() {
            "the model contains no process; add an executable process".to_owned()
        } else {
            format!(
                "none of the {} process(es) is executable; set isExecutable=\"true\" on the process to deploy (Camunda Modeler: \"Executable\")",
                definitions.processes.len()
            )
        };
        problems.push(Problem {
            message,
            element_id: definitions.id.clone(),
            line,
            column,
        });
    }
    for process in definitions.executable_processes() {
        ProcessCheck::new(process, problems).run();
    }
}

struct ProcessCheck<'a> {
    process: &'a Process,
    elements: HashMap<&'a str, &'a FlowElement>,
    problems: &'a mut Vec<Problem>,
}

impl<'a> ProcessCheck<'a> {
    fn new(process: &'a Process, problems: &'a mut Vec<Problem>) -> Self {
        let mut elements = HashMap::new();
        for element in &process.elements {
            // Keep the first of duplicates; the reader reports the rest.
            elements.entry(element.id.as_str()).or_insert(element);
        }
        ProcessCheck {
            process,
            elements,
            problems,
        }
    }

    fn run(&mut self) {
        self.start_events();
        for flow in &self.process.sequence_flows {
            self.flow_end(flow, "sourceRef", &flow.source_ref);
            self.flow_end(flow, "targetRef", &flow.target_ref);
        }
        for element in &self.process.elements {
            self.element(element);
        }
    }

    fn start_events(&mut self) {
        let process = self.process;
        let top_level: Vec<&FlowElement> = process.start_events().collect();
        if top_level.is_empty() {
            self.problems.push(Problem {
                message: "executable process has no start event at its top level; add a start event so instances can be started".to_owned(),
                element_id: Some(process.id.clone()).filter(|id| !id.is_empty()),
                line: process.line,
                column: process.column,
            });
        }
        for extra in none_start_events(top_level).skip(1) {
            self.report(
                extra,
                "a process can have only one none start event; give the others a trigger or remove them",
            );
        }
    }

    fn element(&mut self, element: &'a FlowElement) {
        match element.kind {
            ElementKind::ServiceTask
                if element
                    .task_type
                    .as_deref()
                    .is_none_or(|task_type| task_type.trim().is_empty()) =>
            {
                self.report(
                    element,
                    "service task has no job type; add zeebe:taskDefinition with a non-empty type (Camunda Modeler: \"Task definition\" > \"Type\")",
                );
            }
            ElementKind::SubProcess => self.sub_process(element),
            ElementKind::BoundaryEvent => self.boundary_event(element),
            _ => {}
        }
        self.compensation(element);
        if let Some(default) = &element.default_flow {
            if !element.outgoing.contains(default) {
                let owner = if element.kind.is_gateway() {
                    "gateway"
                } else {
                    "element"
                };
                self.report(
                    element,
                    &format!("default flow \"{default}\" is not an outgoing sequence flow of this {owner}"),
                );
            }
        }
    }

    fn sub_process(&mut self, sub_process: &'a FlowElement) {
        let starts: Vec<&FlowElement> = self
            .process
            .children_of(Some(&sub_process.id))
            .filter(|element| element.kind == ElementKind::StartEvent)
            .collect();
        if sub_process.triggered_by_event {
            if starts.len() != 1 {
                self.report(
                    sub_process,
                    "an event sub-process needs exactly one start event, with a trigger (message, timer, signal, error, ...)",
                );
            }
            for start in starts {
                if start.event_definition == Some(EventDefinition::None) {
                    self.report(
                        start,
                        "the start event of an event sub-process needs a trigger (message, timer, signal, error, ...)",
                    );
                }
            }
        } else if starts.len() != 1 || none_start_events(starts).count() != 1 {
            self.report(
                sub_process,
                "an embedded sub-process needs exactly one start event, a none start event",
            );
        }
    }

    fn boundary_event(&mut self, event: &'a FlowElement) {
        let Some(host_id) = &event.attached_to else {
            self.report(
                event,
                "boundary event is not attached to an activity (attachedToRef is missing)",
            );
            return;
        };
        match self.elements.get(host_id.as_str()) {
            None => self.report(
                event,
                &format!("boundary event is attached to \"{host_id}\", which is not an element of this process"),
            ),
            Some(host) if !host.kind.is_activity() => self.report(
                event,
                &format!("boundary event is attached to \"{host_id}\" (bpmn:{}); boundary events attach to activities", host.kind.tag()),
            ),
            Some(host) if host.parent != event.parent => self.report(
                event,
                &format!("boundary event is attached to \"{host_id}\" in a different scope"),
            ),
            Some(_) => {}
        }
    }

    /// Compensation: a boundary event names its handler through an
    /// association; handlers sit outside the sequence flow; throw events
    /// wait for their handlers and name an activity of their own scope.
    fn compensation(&mut self, element: &'a FlowElement) {
        if element.for_compensation {
            if !element.incoming.is_empty() || !element.outgoing.is_empty() {
                self.report(
                    element,
                    "a compensation handler (isForCompensation) cannot have incoming or outgoing sequence flows; it runs only when its activity is compensated",
                );
            }
            let associated = self.process.elements.iter().any(|boundary| {
                boundary.compensation_handler.as_deref() == Some(element.id.as_str())
            });
            if !associated {
                self.report(
                    element,
                    "this compensation handler is not associated with any compensation boundary event; draw an association from the boundary event to it",
                );
            }
        }
        let Some(EventDefinition::Compensate {
            activity_ref,
            wait_for_completion,
        }) = &element.event_definition
        else {
            return;
        };
        match element.kind {
            ElementKind::BoundaryEvent => self.compensation_boundary(element),
            ElementKind::IntermediateThrowEvent | ElementKind::EndEvent => {
                if !wait_for_completion {
                    self.report(
                        element,
                        "waitForCompletion=\"false\" is not supported: a compensation throw event waits until its handlers complete",
                    );
                }
                if let Some(activity_id) = activity_ref {
                    match self.elements.get(activity_id.as_str()) {
                        Some(activity) if activity.kind.is_activity() && activity.parent == element.parent => {}
                        Some(_) => self.report(
                            element,
                            &format!("activityRef \"{activity_id}\" must name an activity in the same scope as this compensation event"),
                        ),
                        None => self.report(
                            element,
                            &format!("activityRef \"{activity_id}\" does not name an element of this process"),
                        ),
                    }
                }
            }
            _ => self.report(
                element,
                &format!(
                    "unsupported compensation {}: compensation is caught by boundary events and thrown by intermediate throw and end events",
                    element.kind.tag()
                ),
            ),
        }
    }

    fn compensation_boundary(&mut self, boundary: &'a FlowElement) {
        if !boundary.outgoing.is_empty() {
            self.report(
                boundary,
                "a compensation boundary event has no outgoing sequence flow; connect its handler with an association",
            );
        }
        let Some(handler_id) = &boundary.compensation_handler else {
            self.report(
                boundary,
                "compensation boundary event has no handler; draw an association from it to an activity marked isForCompensation",
            );
            return;
        };
        match self.elements.get(handler_id.as_str()) {
            None => self.report(
                boundary,
                &format!("the association names handler \"{handler_id}\", which is not an element of this process"),
            ),
            Some(handler) if !handler.for_compensation => self.report(
                boundary,
                &format!("handler \"{handler_id}\" is not marked isForCompensation=\"true\" (Camunda Modeler: \"Compensation\" marker)"),
            ),
            Some(handler) if handler.parent != boundary.parent => self.report(
                boundary,
                &format!("handler \"{handler_id}\" must be in the same scope as the activity it compensates"),
            ),
            Some(_) => {}
        }
    }

    fn flow_end(&mut self, flow: &SequenceFlow, attribute: &str, reference: &str) {
        let message = if reference.is_empty() {
            format!("sequence flow has no {attribute}")
        } else {
            match self.elements.get(reference) {
                None => format!(
                    "{attribute} \"{reference}\" does not name a flow element of process \"{}\"",
                    self.process.id
                ),
                Some(element) if element.parent != flow.parent => format!(
                    "{attribute} \"{reference}\" is in {}, but the sequence flow is in {}; sequence flows cannot cross sub-process boundaries",
                    scope_name(element.parent.as_deref()),
                    scope_name(flow.parent.as_deref())
                ),
                Some(_) => return,
            }
        };
        self.problems.push(Problem {
            message,
            element_id: Some(flow.id.clone()),
            line: flow.line,
            column: flow.column,
        });
    }

    fn report(&mut self, element: &FlowElement, message: &str) {
        self.problems.push(Problem {
            message: message.to_owned(),
            element_id: Some(element.id.clone()),
            line: element.line,
            column: element.column,
        });
    }
}

fn none_start_events<'a>(
    starts: impl IntoIterator<Item = &'a FlowElement>,
) -> impl Iterator<Item = &'a FlowElement> {
    starts
        .into_iter()
        .filter(|start| start.event_definition == Some(EventDefinition::None))
}

fn scope_name(parent: Option<&str>) -> String {
    match parent {
        None => "the process level".to_owned(),
        Some(id) => format!("sub-process \"{id}\""),
    }
}
