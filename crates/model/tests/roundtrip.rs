//! Lossless import and round-trip: every BPMN MIWG reference model, the
//! order-approval fixture and a model full of unknown extensions import
//! with nothing lost, and import -> export -> import gives equal documents
//! (element trees, typed models, diagram bounds).

mod common;

use std::path::{Path, PathBuf};

use flowdesk_model::bpmn::{self, Definitions, Document, XmlNode};

fn miwg_reference() -> PathBuf {
    common::shared().join("conformance/bpmn-miwg/Reference")
}

/// The typed model without source positions (export changes columns and
/// may change lines).
fn without_positions(definitions: &Definitions) -> Definitions {
    let mut definitions = definitions.clone();
    for process in &mut definitions.processes {
        (process.line, process.column) = (0, 0);
        for element in &mut process.elements {
            (element.line, element.column) = (0, 0);
        }
        for flow in &mut process.sequence_flows {
            (flow.line, flow.column) = (0, 0);
        }
    }
    definitions
}

/// A roxmltree tree as comparable values: (namespace, local name),
/// attributes by (namespace, local name) in order, text, comments, PIs.
#[derive(Debug, PartialEq)]
enum Plain {
    Element {
        name: (Option<String>, String),
        attributes: Vec<(Option<String>, String, String)>,
        namespaces: Vec<(Option<String>, String)>,
        children: Vec<Plain>,
    },
    Text(String),
    Comment(String),
    Pi(String, Option<String>),
}

fn plain(node: roxmltree::Node<'_, '_>) -> Vec<Plain> {
    node.children()
        .filter_map(|child| match child.node_type() {
            roxmltree::NodeType::Element => {
                let mut namespaces: Vec<(Option<String>, String)> = child
                    .namespaces()
                    .map(|ns| (ns.name().map(str::to_owned), ns.uri().to_owned()))
                    .collect();
                namespaces.sort();
                Some(Plain::Element {
                    name: (
                        child.tag_name().namespace().map(str::to_owned),
                        child.tag_name().name().to_owned(),
                    ),
                    attributes: child
                        .attributes()
                        .map(|a| {
                            (
                                a.namespace().map(str::to_owned),
                                a.name().to_owned(),
                                a.value().to_owned(),
                            )
                        })
                        .collect(),
                    namespaces,
                    children: plain(child),
                })
            }
            roxmltree::NodeType::Text => child
                .text()
                .filter(|text| !text.is_empty())
                .map(|text| Plain::Text(text.to_owned())),
            roxmltree::NodeType::Comment => child.text().map(|t| Plain::Comment(t.to_owned())),
            roxmltree::NodeType::PI => child
                .pi()
                .map(|pi| Plain::Pi(pi.target.to_owned(), pi.value.map(str::to_owned))),
            roxmltree::NodeType::Root => None,
        })
        .collect()
}

fn plain_document(xml: &str, what: &str) -> Vec<Plain> {
    let tree = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{what}: {e}"));
    plain(tree.root())
}

fn count(nodes: &[XmlNode]) -> (usize, usize) {
    nodes.iter().fold((0, 0), |(elements, attributes), node| {
        if let XmlNode::Element(element) = node {
            let (e, a) = count(&element.children);
            (elements + 1 + e, attributes + element.attributes.len() + a)
        } else {
            (elements, attributes)
        }
    })
}

/// Import, export, import again; checks everything and returns the
/// imported document.
fn round_trip(path: &Path) -> Document {
    let name = path.display().to_string();
    let xml = common::read(path);
    let first = Document::parse(&xml).unwrap_or_else(|e| panic!("{name}: import: {e}"));
    let exported = first.to_xml();
    let second =
        Document::parse(&exported).unwrap_or_else(|e| panic!("{name}: re-import: {e}\n{exported}"));

    // Same element trees (prefixes, declarations, attributes, text, comments).
    assert_eq!(first, second, "{name}: element trees differ");
    // Independently of this crate's tree: the exported XML has the same
    // infoset as the source (nothing lost on import or export).
    assert_eq!(
        plain_document(&xml, &name),
        plain_document(&exported, &name),
        "{name}: exported XML differs from the source"
    );
    // Exporting again is stable.
    assert_eq!(exported, second.to_xml(), "{name}: second export differs");
    // Same typed models and diagram layout.
    assert_eq!(
        without_positions(first.definitions()),
        without_positions(second.definitions()),
        "{name}: typed models differ"
    );
    assert_eq!(
        first.diagram_bounds(),
        second.diagram_bounds(),
        "{name}: DI differs"
    );
    // The typed model is what `bpmn::parse` reads (when it accepts the model).
    if let Ok(definitions) = bpmn::parse(&xml) {
        assert_eq!(
            first.validate().expect("validates like parse"),
            &definitions
        );
    }
    first
}

#[test]
fn every_miwg_reference_model_round_trips() {
    let folder = miwg_reference();
    assert!(
        folder.is_dir(),
        "MIWG reference models missing: {}",
        folder.display()
    );
    let files = common::bpmn_files(&folder);
    assert!(!files.is_empty(), "no models in {}", folder.display());
    let source_elements = |xml: &str| {
        let tree = roxmltree::Document::parse(xml).expect("source is XML");
        let elements = tree.descendants().filter(|n| n.is_element()).count();
        let attributes: usize = tree.descendants().map(|n| n.attributes().len()).sum();
        (elements, attributes)
    };
    for path in &files {
        let document = round_trip(path);
        let name = path.display();
        assert_eq!(
            count(&[XmlNode::Element(document.root.clone())]),
            source_elements(&common::read(path)),
            "{name}: elements or attributes lost on import"
        );
        let diagram = document.diagram_bounds();
        assert!(!diagram.shapes.is_empty(), "{name}: no DI shapes read");
        assert!(
            diagram.shapes.values().all(|shape| shape.bounds.is_some()),
            "{name}: a shape without bounds"
        );
        assert!(
            diagram.edges.values().all(|edge| edge.waypoints.len() >= 2),
            "{name}: an edge with fewer than two waypoints"
        );
        assert!(
            !document.definitions().processes.is_empty(),
            "{name}: no process read"
        );
    }
    assert_eq!(files.len(), 21, "the suite has 21 reference models");
}

#[test]
fn order_approval_round_trips() {
    let document = round_trip(&common::fixtures().join("order-approval.bpmn"));
    document.validate().expect("order-approval is valid");
}

#[test]
fn every_valid_fixture_round_trips() {
    for path in common::bpmn_files(&common::fixtures().join("valid")) {
        let document = round_trip(&path);
        document
            .validate()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn every_invalid_fixture_round_trips_and_keeps_its_problems() {
    for path in common::bpmn_files(&common::fixtures().join("invalid")) {
        let xml = common::read(&path);
        let Ok(document) = Document::parse(&xml) else {
            continue;
        };
        round_trip(&path);
        assert_eq!(
            document.validate().cloned(),
            bpmn::parse(&xml),
            "{}",
            path.display()
        );
    }
}

#[test]
fn unknown_extensions_survive() {
    let path = common::fixtures().join("roundtrip/extensions.bpmn");
    let document = round_trip(&path);
    let exported = document.to_xml();
    for kept in [
        r#"xmlns:acme="urn:example:acme""#,
        r#"acme:origin="legacy &amp; new""#,
        r#"<acme:audit xmlns:other="urn:example:other" level="full">"#,
        r#"<other:note>kept &lt;as-is&gt;</other:note>"#,
        r#"<acme:color value="red"/>"#,
        r#"if (a &lt; b &amp;&amp; c &gt; d) { x = "y"; }"#,
        r#"<unqualified xmlns="urn:example:default"><inner attr="tab&#9;newline&#10;end"/></unqualified>"#,
        r#"<acme:sla hours="4" xsi:type="acme:tSla"/>"#,
        "<?acme-hint keep this?>",
        "<acme:weight>0.5</acme:weight>",
        "<!-- A model with extensions of vendors Flowdesk does not know. -->",
        "<!-- trailing comment -->",
        "ümlauts and 漢字",
    ] {
        assert!(exported.contains(kept), "lost {kept:?} in\n{exported}");
    }
    let definitions = document.validate().expect("the model is valid");
    let work = definitions.processes[0]
        .elements
        .iter()
        .find(|element| element.id == "work")
        .expect("work");
    assert_eq!(work.task_type.as_deref(), Some("work"));

    let diagram = document.diagram_bounds();
    let work = diagram.bounds("work").expect("work shape");
    assert_eq!(
        (work.x, work.y, work.width, work.height),
        (240.5, 80.0, 100.0, 80.0)
    );
    let label = diagram.shapes["work"].label.expect("label");
    assert_eq!((label.x, label.y), (250.0, 170.0));
    let waypoints = diagram.waypoints("f2").expect("f2 edge");
    assert_eq!(
        waypoints.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>(),
        [(340.5, 120.0), (366.0, 120.0), (392.0, 120.0)]
    );
}

#[test]
fn a_changed_extension_makes_documents_differ() {
    let xml = common::read(&common::fixtures().join("roundtrip/extensions.bpmn"));
    let original = Document::parse(&xml).expect("parses");
    let changed =
        Document::parse(&xml.replace(r#"value="red""#, r#"value="blue""#)).expect("parses");
    assert_ne!(original, changed);
    let moved = Document::parse(&xml.replace(r#"x="240.5""#, r#"x="241""#)).expect("parses");
    assert_ne!(original.diagram_bounds(), moved.diagram_bounds());
}

#[test]
fn document_parse_rejects_what_is_not_bpmn_like_parse() {
    for input in [
        "",
        "<a>",
        "<html/>",
        "<bpmn:definitions id=\"d\"/>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e \"boom\">]>\n<x>&e;</x>",
    ] {
        let errors = Document::parse(input).expect_err(input);
        assert_eq!(
            Err(errors),
            bpmn::parse(input),
            "{input}: same problem as parse"
        );
    }
    let deep = format!(
        "<bpmn:definitions xmlns:bpmn=\"{}\">{}",
        bpmn::BPMN_NAMESPACE,
        "<a>".repeat(bpmn::MAX_XML_DEPTH + 10)
    );
    let errors = Document::parse(&deep).expect_err("too deep");
    assert_eq!(errors.problems.len(), 1);
}

#[test]
fn non_executable_models_import_and_fail_only_validation() {
    let xml = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p" isExecutable="false"><task id="t"/></process>
</definitions>"#;
    let document = Document::parse(xml).expect("imports");
    assert_eq!(document.definitions().processes[0].elements.len(), 1);
    assert_eq!(document.validate().cloned(), bpmn::parse(xml));
    assert!(document.validate().is_err());
    let again = Document::parse(&document.to_xml()).expect("re-imports");
    assert_eq!(document, again);
    assert!(again.to_xml().starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">"));
}

#[test]
fn tricky_text_and_attribute_values_round_trip() {
    let xml = "<definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" a='say \"hi\" &amp; &lt;bye&gt;' b=\"cr&#13;lf&#10;tab&#9;\" xml:lang=\"en\">\r\n<documentation>carriage&#13;return ]]&gt; and <![CDATA[<raw> & ]]]]><![CDATA[>]]></documentation><!--c--><?pi?></definitions>";
    let document = Document::parse(xml).expect("imports");
    let exported = document.to_xml();
    let again = Document::parse(&exported).expect("re-imports");
    assert_eq!(document, again, "{exported}");
    assert_eq!(
        plain_document(xml, "source"),
        plain_document(&exported, "export")
    );
    assert_eq!(document.root.attribute("a"), Some("say \"hi\" & <bye>"));
}
