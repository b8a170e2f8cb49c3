//! Input that is not a BPMN document: one positioned problem, never a panic.

mod common;

use flowdesk_model::bpmn;

/// (name, input, line, column, part of the message)
const CASES: &[(&str, &str, u32, u32, &str)] = &[
    ("empty string", "", 1, 1, "XML syntax error: the document is empty"),
    ("only whitespace", "  \n\t ", 1, 1, "XML syntax error: the document is empty"),
    ("not XML", "name,amount\norder-1,1200\n", 1, 1, "XML syntax error"),
    ("JSON", "{\"process\": \"order\"}", 1, 1, "XML syntax error"),
    ("garbage bytes", "\u{0}\u{1}\u{fffd}\u{7f}", 1, 1, "XML syntax error"),
    ("control character inside", "<a>\n  \u{1}</a>", 2, 3, "XML syntax error: a non-XML character"),
    ("unclosed tag", "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\">\n", 3, 1, "never closed"),
    ("cut inside a tag", "<a>\n<b id=\"x", 2, 9, "XML syntax error"),
    ("mismatched close tag", "<a>\n  <b></c>\n</a>", 2, 6, "expected 'b' tag, not 'c'"),
    ("unknown prefix", "<bpmn:definitions id=\"d\"/>", 1, 2, "unknown namespace prefix 'bpmn'"),
    ("unescaped ampersand", "<a>\n x & y</a>", 2, 4, "XML syntax error"),
    ("DTD", "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e \"boom\">]>\n<x>&e;</x>", 2, 1, "DOCTYPE"),
    ("two roots", "<a/><b/>", 1, 5, "XML syntax error"),
    ("wrong root", "<html><body/></html>", 1, 1, "found <html> without a namespace"),
    ("wrong namespace", "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/DI\"/>", 1, 1, "found <bpmn:definitions> in namespace http://www.omg.org/spec/BPMN/20100524/DI"),
];

#[test]
fn each_malformed_input_gives_one_positioned_problem() {
    for &(name, input, line, column, message_part) in CASES {
        let errors = bpmn::parse(input).expect_err(name);
        assert_eq!(errors.problems.len(), 1, "{name}: {errors}");
        let problem = &errors.problems[0];
        assert_eq!(
            (problem.line, problem.column),
            (line, column),
            "{name}: {errors}"
        );
        assert!(problem.message.contains(message_part), "{name}: {errors}");
        assert!(
            !problem.message.contains(" at "),
            "{name}: position left in the message: {errors}"
        );
    }
}

#[test]
fn truncated_fixture_points_at_the_end_of_the_file() {
    let xml = common::read(&common::fixtures().join("malformed.bpmn"));
    let errors = bpmn::parse(&xml).expect_err("truncated");
    assert_eq!(errors.problems.len(), 1, "{errors}");
    let problem = &errors.problems[0];
    let last_line = xml.lines().count() as u32;
    let last_column = xml.lines().last().map_or(0, |line| line.chars().count()) as u32 + 1;
    assert_eq!(
        (problem.line, problem.column),
        (last_line, last_column),
        "{errors}"
    );
    assert!(problem.message.starts_with("XML syntax error"), "{errors}");
}

/// A cheap deterministic stand-in for the fuzzer: every prefix of a real
/// model, and the model with each kind of structural character removed,
/// parses or fails with positioned problems inside the text.
#[test]
fn prefixes_and_mutations_of_a_model_never_panic() {
    let xml = common::read(&common::fixtures().join("order-approval.bpmn"));
    let lines = xml.lines().count() as u32 + 1;
    let mut inputs: Vec<String> = xml
        .char_indices()
        .map(|(offset, _)| xml[..offset].to_owned())
        .collect();
    for removed in ['<', '>', '"', '/', '=', ':'] {
        for (index, _) in xml.match_indices(removed).step_by(7) {
            let mut mutated = xml.clone();
            mutated.remove(index);
            inputs.push(mutated);
        }
    }
    for input in &inputs {
        if let Err(errors) = bpmn::parse(input) {
            assert!(!errors.problems.is_empty());
            for problem in &errors.problems {
                assert!(problem.line >= 1 && problem.line <= lines, "{errors}");
                assert!(problem.column >= 1, "{errors}");
            }
        }
    }
}

#[test]
fn deeply_nested_elements_are_reported_not_overflowing_the_stack() {
    let depth = 100_000;
    let xml = format!(
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n{}{}</bpmn:definitions>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let errors = bpmn::parse(&xml).expect_err("too deep");
    assert_eq!(errors.problems.len(), 1, "{errors}");
    let problem = &errors.problems[0];
    assert!(
        problem.message.contains("nested more than 256 levels"),
        "{errors}"
    );
    // The 256th <a> is the 257th element: line 2, column 1 + 255 * 3.
    assert_eq!((problem.line, problem.column), (2, 766), "{errors}");

    // Just inside the limit, with comments, CDATA and quoted '>' around,
    // the document is read normally.
    let depth = 255;
    let xml = format!(
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><!-- <x><x> --><![CDATA[<y>]]>{}{}</bpmn:definitions>",
        "<a title='>'><b/>".repeat(depth),
        "</a>".repeat(depth)
    );
    let errors = bpmn::parse(&xml).expect_err("no executable process");
    assert!(
        errors.problems[0].message.contains("no process"),
        "{errors}"
    );
}

#[test]
fn deeply_nested_sub_processes_are_reported() {
    let depth = 80;
    let mut xml = String::from(
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><bpmn:process id=\"p\" isExecutable=\"true\"><bpmn:startEvent id=\"s\"/>",
    );
    for level in 0..depth {
        xml.push_str(&format!(
            "<bpmn:subProcess id=\"sub{level}\"><bpmn:startEvent id=\"start{level}\"/>"
        ));
    }
    xml.push_str(&"</bpmn:subProcess>".repeat(depth));
    xml.push_str("</bpmn:process></bpmn:definitions>");
    let errors = bpmn::parse(&xml).expect_err("too deep");
    // The sub-process past the limit is reported (its contents are not read).
    assert!(
        errors
            .problems
            .iter()
            .all(|problem| problem.element_id.as_deref() == Some("sub64")),
        "{errors}"
    );
    assert!(
        errors
            .problems
            .iter()
            .any(|problem| problem.message.contains("nested more than 64")),
        "{errors}"
    );
}
