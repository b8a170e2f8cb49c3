//! BPMN 2.0 XML, as written by Camunda Modeler with the `zeebe:` extension
//! namespace, read into a typed [`Definitions`] model and validated.
//!
//! ```
//! let xml = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
//!   <bpmn:process id="hello" isExecutable="true">
//!     <bpmn:startEvent id="start" />
//!     <bpmn:endEvent id="end" />
//!     <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end" />
//!   </bpmn:process>
//! </bpmn:definitions>"#;
//! let definitions = flowdesk_model::bpmn::parse(xml)?;
//! assert_eq!(definitions.processes[0].elements.len(), 2);
//! # Ok::<(), flowdesk_model::ModelErrors>(())
//! ```
//!
//! # Model shape
//!
//! Elements of embedded sub-processes are flattened into their process's
//! [`Process::elements`] and [`Process::sequence_flows`], each with the id of
//! its enclosing sub-process in `parent` (`None` at the top level);
//! [`Process::children_of`] gives one scope. `incoming` and `outgoing` of a
//! [`FlowElement`] are derived from the sequence flows' `sourceRef` and
//! `targetRef`, not copied from `bpmn:incoming`/`bpmn:outgoing`.
//!
//! # Validation rules
//!
//! [`parse`] returns every problem it finds, sorted by position, never just
//! the first. Each has the element id (when there is one) and the 1-based
//! line:column of the element's tag.
//!
//! 1. The text must be well-formed XML without a DTD, with elements nested
//!    at most [`MAX_XML_DEPTH`] deep. A syntax error is reported alone, at
//!    the position where reading stopped (the end of the text when it is
//!    truncated).
//! 2. The root element must be `definitions` in the BPMN 2.0 model namespace
//!    `http://www.omg.org/spec/BPMN/20100524/MODEL`; otherwise the problem
//!    names what was found instead, and is reported alone.
//! 3. At least one process must have `isExecutable="true"` (reported at the
//!    `definitions` element).
//! 4. Ids of BPMN and BPMN DI elements are unique across the document
//!    (reported at every repetition, with the first position).
//! 5. Boolean attributes (`isExecutable`, `cancelActivity`, ...) are
//!    `true`/`false`/`1`/`0`.
//! 6. `bpmn:choreography` is unsupported wherever it appears.
//!
//! For each executable process (non-executable processes are read into the
//! model but not checked):
//!
//! 7. The process and every flow element and sequence flow have an id.
//! 8. There is at least one start event at the top level (not inside a
//!    sub-process), and at most one top-level none start event.
//! 9. A sequence flow has `sourceRef` and `targetRef`, both naming flow
//!    elements in the same scope (process level or the same sub-process) as
//!    the flow.
//! 10. A `default` flow (gateway or activity) is one of the element's
//!     outgoing sequence flows.
//! 11. A service task has `zeebe:taskDefinition` with a non-empty `type`.
//!     Other tasks (including a plain `bpmn:task`) need no job type.
//! 12. An embedded sub-process has exactly one start event, a none start
//!     event; an event sub-process (`triggeredByEvent="true"`) has exactly
//!     one start event, with a trigger.
//! 13. A boundary event is attached (`attachedToRef`) to an activity of the
//!     same scope.
//! 14. Unsupported constructs are reported with their id and position:
//!     `complexGateway`, `transaction`, `adHocSubProcess`,
//!     `implicitThrowEvent`, choreography activities, standard loops
//!     (`standardLoopCharacteristics`), cancel and unknown event
//!     definitions, events with more than one event definition, and
//!     sub-processes nested more than [`MAX_SUB_PROCESS_DEPTH`] deep.
//!
//! Accepted and ignored: non-executable processes, collaborations (pools,
//! participants, message flows), lanes, data objects and stores, text
//! annotations, associations, groups, documentation, diagram interchange
//! (`bpmndi:`), and extension elements of other vendors.
//!
//! # Lossless documents and round-trips
//!
//! [`Document::parse`] keeps the whole XML tree besides the typed model:
//! every element and attribute of every namespace (diagram interchange,
//! `zeebe:` and unknown extension elements included), namespace prefixes and
//! declarations, text, comments. [`Document::to_xml`] writes it back, and
//! parsing the output gives an equal document, typed model and
//! [`Document::diagram_bounds`]. It fails only on XML-level problems (rules 1
//! and 2); [`Document::validate`] applies the other rules.
//!
//! ```
//! use flowdesk_model::bpmn::Document;
//! let xml = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:acme="urn:acme" id="d">
//!   <bpmn:process id="p">
//!     <bpmn:extensionElements><acme:color value="red"/></bpmn:extensionElements>
//!   </bpmn:process>
//! </bpmn:definitions>"#;
//! let document = Document::parse(xml)?;
//! let again = Document::parse(&document.to_xml())?;
//! assert_eq!(document, again);
//! assert!(again.to_xml().contains(r#"<acme:color value="red"/>"#));
//! # Ok::<(), flowdesk_model::ModelErrors>(())
//! ```

mod document;
mod model;
mod position;
mod reader;
mod validate;

pub use document::{
    Attribute, Bounds, DiagramBounds, Document, Edge, Element, NamespaceDeclaration, Point, Shape,
    XmlNode, DC_NAMESPACE, DI_NAMESPACE,
};
pub use model::{
    Definitions, ElementKind, ErrorDefinition, Escalation, EventDefinition, FlowElement, Message,
    MultiInstance, Process, SequenceFlow, Signal, TaskHeader, TimerKind, VariableMapping,
};

use crate::ModelErrors;

/// The BPMN 2.0 model namespace.
pub const BPMN_NAMESPACE: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// The BPMN 2.0 diagram interchange namespace (`bpmndi:`).
pub const BPMNDI_NAMESPACE: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
/// The Camunda 8 (Zeebe) extension namespace (`zeebe:`).
pub const ZEEBE_NAMESPACE: &str = "http://camunda.org/schema/zeebe/1.0";
/// How deep XML elements may nest. Real models stay far below; the limit
/// keeps hostile input from overflowing the stack of the recursive XML
/// parser. Deeper documents are rejected with one problem, like a syntax
/// error.
pub const MAX_XML_DEPTH: usize = 256;
/// How deep sub-processes may nest; deeper ones are reported, which also
/// bounds the reader's recursion on hostile input.
pub const MAX_SUB_PROCESS_DEPTH: usize = 64;

/// Parses BPMN 2.0 XML and validates what the engine can run.
///
/// Returns the model when there is no problem, otherwise every problem found
/// (see the [rules](self#validation-rules)). Never panics, whatever the input.
pub fn parse(xml: &str) -> Result<Definitions, ModelErrors> {
    let read = reader::read(xml);
    let mut problems = read.problems;
    let Some(definitions) = read.definitions else {
        return Err(ModelErrors { problems });
    };
    validate::validate(&definitions, read.definitions_position, &mut problems);
    if problems.is_empty() {
        Ok(definitions)
    } else {
        problems.sort_by_key(|problem| (problem.line, problem.column));
        Err(ModelErrors { problems })
    }
}
