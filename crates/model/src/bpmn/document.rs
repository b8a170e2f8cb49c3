//! A lossless BPMN document: the whole XML element tree (namespace
//! prefixes and declarations, attributes in order, text, comments,
//! processing instructions), the typed model read from it, typed access to
//! diagram interchange, and a writer.
//!
//! What is kept: every element and attribute of every namespace (BPMN, DI,
//! `zeebe:`, other vendors' extensions, unknown ones), with the prefix it
//! was written with; namespace declarations where they were written and in
//! their order; text exactly (whitespace included; CDATA sections are kept
//! as their text, written escaped); comments and processing instructions
//! (also those around the root element).
//!
//! What is not kept: the XML declaration (the writer always writes
//! `<?xml version="1.0" encoding="UTF-8"?>`), the quote style of attribute
//! values, whitespace inside tags, the place of namespace declarations among
//! the attributes (written first), `<a></a>` versus `<a/>`, and which
//! characters were written as references. None of these change the
//! document's information.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use roxmltree::{Node, NodeType};

use super::model::Definitions;
use super::position::LineIndex;
use super::reader;
use super::{validate, BPMNDI_NAMESPACE};
use crate::{ModelErrors, Problem};

/// The diagram interchange "DC" namespace (`dc:Bounds`).
pub const DC_NAMESPACE: &str = "http://www.omg.org/spec/DD/20100524/DC";
/// The diagram interchange "DI" namespace (`di:waypoint`).
pub const DI_NAMESPACE: &str = "http://www.omg.org/spec/DD/20100524/DI";

/// A BPMN 2.0 document read without loss: [`Document::to_xml`] writes it
/// back with every element, attribute, extension and DI shape, so that
/// parsing the output gives an equal document.
///
/// Equality (`==`) compares the XML content (the nodes around the root and
/// the element tree), not the positions recorded in the typed model.
#[derive(Debug, Clone)]
pub struct Document {
    /// Comments and processing instructions before the root element.
    pub prolog: Vec<XmlNode>,
    /// The root element, `bpmn:definitions`.
    pub root: Element,
    /// Comments and processing instructions after the root element.
    pub epilog: Vec<XmlNode>,
    definitions: Definitions,
    read_problems: Vec<Problem>,
    definitions_position: (u32, u32),
}

impl PartialEq for Document {
    fn eq(&self, other: &Self) -> bool {
        self.prolog == other.prolog && self.root == other.root && self.epilog == other.epilog
    }
}

/// One XML element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The prefix it was written with (`bpmn` in `<bpmn:task>`), if any.
    pub prefix: Option<String>,
    /// The namespace URI of the name, if any.
    pub namespace: Option<String>,
    /// The local name (`task`).
    pub name: String,
    /// Namespace declarations written on this element, in order.
    pub namespace_declarations: Vec<NamespaceDeclaration>,
    /// The attributes (without namespace declarations), in order.
    pub attributes: Vec<Attribute>,
    /// Child elements, text, comments and processing instructions, in order.
    pub children: Vec<XmlNode>,
}

/// `xmlns="uri"` (no prefix) or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDeclaration {
    /// The declared prefix; `None` for the default namespace.
    pub prefix: Option<String>,
    /// The namespace URI; empty when the default namespace is undeclared
    /// (`xmlns=""`).
    pub uri: String,
}

/// One attribute, with its value after XML normalization and references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The prefix it was written with, if any.
    pub prefix: Option<String>,
    /// The namespace URI, if any (unprefixed attributes have none).
    pub namespace: Option<String>,
    /// The local name.
    pub name: String,
    /// The value.
    pub value: String,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlNode {
    /// An element.
    Element(Element),
    /// Character data (CDATA sections included), never empty.
    Text(String),
    /// `<!--...-->`: the text between the markers.
    Comment(String),
    /// `<?target value?>`.
    ProcessingInstruction {
        /// The target.
        target: String,
        /// Everything after the target, if anything.
        value: Option<String>,
    },
}

/// `dc:Bounds` of a shape or label.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Bounds {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A `di:waypoint` of an edge.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A `bpmndi:BPMNShape`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Shape {
    /// The shape's own `id`, if it has one.
    pub id: Option<String>,
    /// The BPMN element shown (`bpmnElement`).
    pub bpmn_element: Option<String>,
    /// The shape's bounds, when it has a readable `dc:Bounds`.
    pub bounds: Option<Bounds>,
    /// The label's bounds, when it has a `bpmndi:BPMNLabel` with bounds.
    pub label: Option<Bounds>,
}

/// A `bpmndi:BPMNEdge`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Edge {
    /// The edge's own `id`, if it has one.
    pub id: Option<String>,
    /// The BPMN element shown (`bpmnElement`).
    pub bpmn_element: Option<String>,
    /// The waypoints, in order.
    pub waypoints: Vec<Point>,
    /// The label's bounds, when it has a `bpmndi:BPMNLabel` with bounds.
    pub label: Option<Bounds>,
}

/// The layout of every diagram of a document.
///
/// Keyed by the id of the BPMN element shown (`bpmnElement`); a shape or
/// edge without one, or showing an element already shown by an earlier
/// shape or edge (a second diagram), is keyed by its own `id` (or
/// `#<n>`, its document-order number, when it has none).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct DiagramBounds {
    /// `bpmndi:BPMNShape`s.
    pub shapes: BTreeMap<String, Shape>,
    /// `bpmndi:BPMNEdge`s.
    pub edges: BTreeMap<String, Edge>,
}

impl DiagramBounds {
    /// The bounds of the shape showing a BPMN element.
    pub fn bounds(&self, element_id: &str) -> Option<Bounds> {
        self.shapes.get(element_id).and_then(|shape| shape.bounds)
    }

    /// The waypoints of the edge showing a BPMN element.
    pub fn waypoints(&self, element_id: &str) -> Option<&[Point]> {
        self.edges
            .get(element_id)
            .map(|edge| edge.waypoints.as_slice())
    }
}

impl Document {
    /// Parses a BPMN 2.0 document without loss.
    ///
    /// Fails only when the text is not XML (syntax, DTD, nesting deeper than
    /// [`MAX_XML_DEPTH`](super::MAX_XML_DEPTH)) or its root is not
    /// `bpmn:definitions`, with one positioned problem, as [`parse`](super::parse)
    /// reports it. Whether the engine can run the model is checked by
    /// [`Document::validate`]. Never panics.
    pub fn parse(xml: &str) -> Result<Document, ModelErrors> {
        let index = LineIndex::new(xml);
        let tree = reader::parse_xml(xml, &index).map_err(|problem| ModelErrors {
            problems: vec![problem],
        })?;
        let read = reader::read_tree(&tree, &index);
        let Some(definitions) = read.definitions else {
            return Err(ModelErrors {
                problems: read.problems,
            });
        };
        let mut prolog = Vec::new();
        let mut epilog = Vec::new();
        let mut root = None;
        for child in tree.root().children() {
            if child.is_element() {
                root = Some(element(xml, child));
            } else if let Some(node) = leaf(child) {
                if root.is_none() {
                    prolog.push(node);
                } else {
                    epilog.push(node);
                }
            }
        }
        let Some(root) = root else {
            // roxmltree guarantees a root element; keep the promise anyway.
            return Err(ModelErrors {
                problems: vec![Problem {
                    message: "XML syntax error: the document has no root element".to_owned(),
                    element_id: None,
                    line: 1,
                    column: 1,
                }],
            });
        };
        Ok(Document {
            prolog,
            root,
            epilog,
            definitions,
            read_problems: read.problems,
            definitions_position: read.definitions_position,
        })
    }

    /// The typed model, as read (not validated: non-executable models and
    /// models with problems are read as far as they go).
    pub fn definitions(&self) -> &Definitions {
        &self.definitions
    }

    /// The typed model when the engine can run it: every problem of the
    /// [validation rules](super#validation-rules) otherwise, exactly as
    /// [`parse`](super::parse) returns them.
    pub fn validate(&self) -> Result<&Definitions, ModelErrors> {
        let mut problems = self.read_problems.clone();
        validate::validate(&self.definitions, self.definitions_position, &mut problems);
        if problems.is_empty() {
            Ok(&self.definitions)
        } else {
            problems.sort_by_key(|problem| (problem.line, problem.column));
            Err(ModelErrors { problems })
        }
    }

    /// The layout of the document's diagrams (`bpmndi:BPMNShape` bounds,
    /// `bpmndi:BPMNEdge` waypoints, label bounds).
    pub fn diagram_bounds(&self) -> DiagramBounds {
        let mut diagram = DiagramBounds::default();
        let mut count = 0usize;
        collect_di(&self.root, &mut diagram, &mut count);
        diagram
    }

    /// Writes the document as XML (UTF-8), starting with an XML declaration.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        for node in &self.prolog {
            write_node(&mut out, node);
            out.push('\n');
        }
        write_element(&mut out, &self.root);
        for node in &self.epilog {
            out.push('\n');
            write_node(&mut out, node);
        }
        out.push('\n');
        out
    }
}

impl Element {
    /// Whether the element has this namespace URI and local name.
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.namespace.as_deref() == Some(namespace) && self.name == name
    }

    /// The value of an attribute without a namespace.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|attribute| attribute.namespace.is_none() && attribute.name == name)
            .map(|attribute| attribute.value.as_str())
    }

    /// The child elements, in order.
    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|child| match child {
            XmlNode::Element(element) => Some(element),
            _ => None,
        })
    }
}

// ---- reading ---------------------------------------------------------------

/// Copies a roxmltree element (recursion is bounded by `MAX_XML_DEPTH`,
/// checked before parsing).
fn element(xml: &str, node: Node<'_, '_>) -> Element {
    let start = node.range().start;
    let tag = xml.get(start..).unwrap_or_default();
    let (qname, declared) = start_tag(tag);
    let (prefix, _) = split_qname(qname);
    let namespace_declarations = declared
        .into_iter()
        .map(|name| {
            let prefix = name.strip_prefix("xmlns:").map(str::to_owned);
            let uri = node
                .lookup_namespace_uri(prefix.as_deref())
                .unwrap_or_default()
                .to_owned();
            NamespaceDeclaration { prefix, uri }
        })
        .collect();
    let attributes = node
        .attributes()
        .map(|attribute| {
            let raw = xml.get(attribute.range_qname()).unwrap_or_default();
            Attribute {
                prefix: split_qname(raw).0.map(str::to_owned),
                namespace: attribute.namespace().map(str::to_owned),
                name: attribute.name().to_owned(),
                value: attribute.value().to_owned(),
            }
        })
        .collect();
    let children = node
        .children()
        .filter_map(|child| {
            if child.is_element() {
                Some(XmlNode::Element(element(xml, child)))
            } else {
                leaf(child)
            }
        })
        .collect();
    Element {
        prefix: prefix.map(str::to_owned),
        namespace: node.tag_name().namespace().map(str::to_owned),
        name: node.tag_name().name().to_owned(),
        namespace_declarations,
        attributes,
        children,
    }
}

/// Text, comment or processing instruction nodes (empty text is dropped:
/// it has no XML form).
fn leaf(node: Node<'_, '_>) -> Option<XmlNode> {
    match node.node_type() {
        NodeType::Text => node
            .text()
            .filter(|text| !text.is_empty())
            .map(|text| XmlNode::Text(text.to_owned())),
        NodeType::Comment => node.text().map(|text| XmlNode::Comment(text.to_owned())),
        NodeType::PI => node.pi().map(|pi| XmlNode::ProcessingInstruction {
            target: pi.target.to_owned(),
            value: pi.value.map(str::to_owned),
        }),
        NodeType::Root | NodeType::Element => None,
    }
}

/// `(prefix, local name)` of a qualified name.
fn split_qname(qname: &str) -> (Option<&str>, &str) {
    match qname.split_once(':') {
        Some((prefix, local)) => (Some(prefix), local),
        None => (None, qname),
    }
}

/// The qualified name of a start tag and the names of its namespace
/// declarations (`xmlns`, `xmlns:p`), in order. `tag` starts at the `<` of a
/// start tag that roxmltree has already checked to be well-formed.
fn start_tag(tag: &str) -> (&str, Vec<&str>) {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let rest = tag.strip_prefix('<').unwrap_or(tag);
    let name_end = rest
        .find(|c: char| is_space(c) || c == '/' || c == '>')
        .unwrap_or(rest.len());
    let qname = &rest[..name_end];
    let mut rest = &rest[name_end..];
    let mut declared = Vec::new();
    loop {
        rest = rest.trim_start_matches(is_space);
        if rest.is_empty() || rest.starts_with('/') || rest.starts_with('>') {
            break;
        }
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim_end_matches(is_space);
        rest = rest[eq + 1..].trim_start_matches(is_space);
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let after = &rest[1..];
        let Some(close) = after.find(quote) else {
            break;
        };
        if name == "xmlns" || name.starts_with("xmlns:") {
            declared.push(name);
        }
        rest = &after[close + 1..];
    }
    (qname, declared)
}

// ---- diagram interchange ---------------------------------------------------

fn collect_di(element: &Element, diagram: &mut DiagramBounds, count: &mut usize) {
    for child in element.child_elements() {
        if child.is(BPMNDI_NAMESPACE, "BPMNShape") {
            *count += 1;
            let shape = Shape {
                id: child.attribute("id").map(str::to_owned),
                bpmn_element: child.attribute("bpmnElement").map(str::to_owned),
                bounds: child
                    .child_elements()
                    .find(|bounds| bounds.is(DC_NAMESPACE, "Bounds"))
                    .and_then(bounds),
                label: label_bounds(child),
            };
            let key = key(&diagram.shapes, &shape.bpmn_element, &shape.id, *count);
            diagram.shapes.insert(key, shape);
        } else if child.is(BPMNDI_NAMESPACE, "BPMNEdge") {
            *count += 1;
            let edge = Edge {
                id: child.attribute("id").map(str::to_owned),
                bpmn_element: child.attribute("bpmnElement").map(str::to_owned),
                waypoints: child
                    .child_elements()
                    .filter(|point| point.is(DI_NAMESPACE, "waypoint"))
                    .filter_map(|point| {
                        Some(Point {
                            x: number(point, "x")?,
                            y: number(point, "y")?,
                        })
                    })
                    .collect(),
                label: label_bounds(child),
            };
            let key = key(&diagram.edges, &edge.bpmn_element, &edge.id, *count);
            diagram.edges.insert(key, edge);
        } else {
            collect_di(child, diagram, count);
        }
    }
}

fn key<T>(
    map: &BTreeMap<String, T>,
    bpmn_element: &Option<String>,
    id: &Option<String>,
    count: usize,
) -> String {
    [bpmn_element, id]
        .into_iter()
        .flatten()
        .find(|key| !map.contains_key(key.as_str()))
        .cloned()
        .unwrap_or_else(|| format!("#{count}"))
}

fn label_bounds(element: &Element) -> Option<Bounds> {
    element
        .child_elements()
        .find(|label| label.is(BPMNDI_NAMESPACE, "BPMNLabel"))?
        .child_elements()
        .find(|bounds| bounds.is(DC_NAMESPACE, "Bounds"))
        .and_then(bounds)
}

fn bounds(element: &Element) -> Option<Bounds> {
    Some(Bounds {
        x: number(element, "x")?,
        y: number(element, "y")?,
        width: number(element, "width")?,
        height: number(element, "height")?,
    })
}

fn number(element: &Element, name: &str) -> Option<f64> {
    element
        .attribute(name)?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

// ---- writing ---------------------------------------------------------------

fn write_node(out: &mut String, node: &XmlNode) {
    match node {
        XmlNode::Element(element) => write_element(out, element),
        XmlNode::Text(text) => escape(out, text, false),
        XmlNode::Comment(text) => {
            out.push_str("<!--");
            out.push_str(text);
            out.push_str("-->");
        }
        XmlNode::ProcessingInstruction { target, value } => {
            out.push_str("<?");
            out.push_str(target);
            if let Some(value) = value {
                out.push(' ');
                out.push_str(value);
            }
            out.push_str("?>");
        }
    }
}

fn write_element(out: &mut String, element: &Element) {
    out.push('<');
    write_qname(out, element.prefix.as_deref(), &element.name);
    for declaration in &element.namespace_declarations {
        out.push_str(" xmlns");
        if let Some(prefix) = &declaration.prefix {
            out.push(':');
            out.push_str(prefix);
        }
        out.push_str("=\"");
        escape(out, &declaration.uri, true);
        out.push('"');
    }
    for attribute in &element.attributes {
        out.push(' ');
        write_qname(out, attribute.prefix.as_deref(), &attribute.name);
        out.push_str("=\"");
        escape(out, &attribute.value, true);
        out.push('"');
    }
    if element.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &element.children {
        write_node(out, child);
    }
    out.push_str("</");
    write_qname(out, element.prefix.as_deref(), &element.name);
    out.push('>');
}

fn write_qname(out: &mut String, prefix: Option<&str>, name: &str) {
    if let Some(prefix) = prefix {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(name);
}

/// Escapes text or an attribute value so that an XML parser reads back
/// exactly `text` (line ends and, in attributes, tabs and line breaks are
/// written as character references, which normalization leaves alone).
fn escape(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            _ => out.push(c),
        }
    }
}
