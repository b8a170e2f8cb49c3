//! Invalid models: every problem is reported, with element id and position.
//!
//! Data-driven: each `fixtures/invalid/*.bpmn` file lists the problems it
//! must produce in comments of the form
//! `<!-- expect LINE:COLUMN [ELEMENT_ID or -] part of the message -->`,
//! and must produce exactly those, in that order.

mod common;

use flowdesk_model::{bpmn, ModelErrors, Problem};

#[derive(Debug)]
struct Expected {
    line: u32,
    column: u32,
    element_id: Option<String>,
    message_part: String,
}

fn expectations(xml: &str) -> Vec<Expected> {
    xml.lines()
        .filter_map(|line| line.trim().strip_prefix("<!-- expect "))
        .map(|rest| {
            let rest = rest.trim_end_matches("-->").trim();
            let (position, rest) = rest.split_once(' ').expect("expect: LINE:COLUMN first");
            let (line, column) = position.split_once(':').expect("expect: LINE:COLUMN");
            let rest = rest
                .strip_prefix('[')
                .expect("expect: [ID] after the position");
            let (id, message_part) = rest.split_once("] ").expect("expect: [ID] message");
            Expected {
                line: line.parse().expect("line number"),
                column: column.parse().expect("column number"),
                element_id: (id != "-").then(|| id.to_owned()),
                message_part: message_part.to_owned(),
            }
        })
        .collect()
}

fn matches(problem: &Problem, expected: &Expected) -> bool {
    problem.line == expected.line
        && problem.column == expected.column
        && problem.element_id == expected.element_id
        && problem.message.contains(&expected.message_part)
}

#[test]
fn invalid_fixtures_report_exactly_their_expected_problems() {
    let files = common::bpmn_files(&common::fixtures().join("invalid"));
    assert!(files.len() >= 8, "fixtures missing: {files:?}");
    for file in files {
        let xml = common::read(&file);
        let expected = expectations(&xml);
        assert!(
            !expected.is_empty(),
            "{} has no expect comments",
            file.display()
        );
        let errors = bpmn::parse(&xml).expect_err(&format!("{} must not parse", file.display()));
        let report = format!(
            "{}\nexpected:\n{expected:#?}\nactual:\n{errors}",
            file.display()
        );
        assert_eq!(errors.problems.len(), expected.len(), "{report}");
        for (problem, expected) in errors.problems.iter().zip(&expected) {
            assert!(matches(problem, expected), "{report}");
        }
    }
}

#[test]
fn three_different_problems_are_all_reported() {
    let xml = common::read(&common::fixtures().join("invalid/three-problems.bpmn"));
    let errors = bpmn::parse(&xml).expect_err("three problems");
    let found: Vec<(Option<&str>, u32, u32)> = errors
        .problems
        .iter()
        .map(|problem| (problem.element_id.as_deref(), problem.line, problem.column))
        .collect();
    assert_eq!(
        found,
        [
            (Some("Task_NoType"), 11, 5),
            (Some("Gateway_Route"), 15, 5),
            (Some("Flow_Broken"), 23, 5),
        ]
    );
}

#[test]
fn display_lists_every_problem_with_position_and_id() {
    let xml = common::read(&common::fixtures().join("invalid/three-problems.bpmn"));
    let errors = bpmn::parse(&xml).expect_err("three problems");
    let text = errors.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("11:5: [Task_NoType] service task has no job type"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("15:5: [Gateway_Route] default flow"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("23:5: [Flow_Broken] targetRef"),
        "{text}"
    );

    let no_id = Problem {
        message: "XML syntax error: the document is empty".to_owned(),
        element_id: None,
        line: 1,
        column: 1,
    };
    assert_eq!(
        no_id.to_string(),
        "1:1: XML syntax error: the document is empty"
    );
    let error: &dyn std::error::Error = &errors;
    assert_eq!(error.to_string(), text);
}

#[test]
fn problems_serialize_as_the_api_documents_them() {
    let errors = ModelErrors {
        problems: vec![Problem {
            message: "service task has no job type".to_owned(),
            element_id: Some("Task_1".to_owned()),
            line: 12,
            column: 5,
        }],
    };
    let json = serde_json::to_value(&errors).expect("serializable");
    assert_eq!(
        json,
        serde_json::json!({ "problems": [
            { "message": "service task has no job type", "element_id": "Task_1", "line": 12, "column": 5 }
        ]})
    );
}

#[test]
fn non_executable_processes_are_not_validated_next_to_an_executable_one() {
    // all-elements.bpmn has a non-executable "customer" process with a
    // complex gateway; it must not be reported.
    let xml = common::read(&common::fixtures().join("valid/all-elements.bpmn"));
    let definitions = bpmn::parse(&xml).unwrap_or_else(|errors| panic!("{errors}"));
    let customer = definitions.process("customer").expect("customer process");
    assert!(!customer.is_executable);
    assert!(customer.elements.is_empty());
}
