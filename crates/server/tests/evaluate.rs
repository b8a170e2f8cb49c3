//! Runs the real `flowdesk` binary: `flowdesk feel` and `flowdesk decide`,
//! with FEEL and JSON output, and failures reported with their position.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");

fn flowdesk(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("FLOWDESK_CONFIG")
        .env_remove("FLOWDESK_DB")
        .output()
        .expect("the flowdesk binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string()
}

fn failure(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "expected a failure, got: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// A DMN file in the temp directory, removed on drop.
struct DmnFile(PathBuf);

impl DmnFile {
    fn new(name: &str, xml: &str) -> DmnFile {
        let path =
            std::env::temp_dir().join(format!("flowdesk-decide-{}-{name}.dmn", std::process::id()));
        std::fs::write(&path, xml).expect("write the DMN file");
        DmnFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for DmnFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Camunda Modeler style: no input data declared, the table reads variables.
const SHIPPING: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="shipping-definitions" name="Shipping" namespace="urn:shipping">
  <decision id="shipping" name="Shipping">
    <decisionTable id="shipping-table" hitPolicy="UNIQUE">
      <input id="weight-input"><inputExpression typeRef="number"><text>weight</text></inputExpression></input>
      <output id="method" name="method" typeRef="string"/>
      <output id="cost" name="cost" typeRef="number"/>
      <output id="delivery" name="delivery" typeRef="date"/>
      <rule id="heavy">
        <inputEntry><text>&gt; 20</text></inputEntry>
        <outputEntry><text>"freight"</text></outputEntry>
        <outputEntry><text>weight * 1.123456789012345678901</text></outputEntry>
        <outputEntry><text>date("2024-03-01") + duration("P5D")</text></outputEntry>
      </rule>
      <rule id="light">
        <inputEntry><text>&lt;= 20</text></inputEntry>
        <outputEntry><text>"parcel"</text></outputEntry>
        <outputEntry><text>4.99</text></outputEntry>
        <outputEntry><text>date("2024-03-01") + duration("P1D")</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"##;

/// Line 5 holds a FEEL syntax error; line 9 requires a missing decision.
const BROKEN: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="broken" name="Broken" namespace="urn:broken">
  <decision id="total" name="Total">
    <literalExpression id="total-expression">
      <text>amount * (1 +</text>
    </literalExpression>
  </decision>
  <decision id="dangling" name="Dangling">
    <informationRequirement><requiredDecision href="#missing"/></informationRequirement>
    <literalExpression><text>1</text></literalExpression>
  </decision>
</definitions>
"##;

#[test]
fn feel_prints_feel_or_exact_json() {
    assert_eq!(stdout(&flowdesk(&["feel", "1 + 2.5"])), "3.5");
    assert_eq!(
        stdout(&flowdesk(&[
            "feel",
            "amount * 2",
            "--vars",
            r#"{"amount": 21}"#
        ])),
        "42"
    );
    assert_eq!(stdout(&flowdesk(&["feel", "\"a\" + \"b\""])), "\"ab\"");
    let json = stdout(&flowdesk(&[
        "feel",
        r#"{due: date("2024-01-31") + duration("P1D"), at: date and time("2024-01-01T10:00:00Z"), wait: duration("PT90M"), span: duration("P1Y2M"), share: 1/3, big: 123456789012345678901234567890.123}"#,
        "--json",
    ]));
    assert_eq!(
        json,
        r#"{"due":"2024-02-01","at":"2024-01-01T10:00:00Z","wait":"PT1H30M","span":"P1Y2M","share":0.3333333333333333333333333333333333,"big":123456789012345678901234567890.123}"#
    );
    // Still valid JSON.
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(parsed["due"], "2024-02-01");
    assert_eq!(stdout(&flowdesk(&["feel", "-5", "--json"])), "-5");
    assert_eq!(stdout(&flowdesk(&["feel", "today() != null"])), "true");
}

#[test]
fn malformed_feel_fails_with_its_position() {
    let error = failure(&flowdesk(&[
        "feel",
        "amount * (1 +",
        "--vars",
        r#"{"amount": 1}"#,
    ]));
    assert!(error.contains("1:14"), "{error}");
    assert!(error.contains("FEEL syntax error"), "{error}");
    let error = failure(&flowdesk(&["feel", "1 +\n  * 2"]));
    assert!(error.contains("2:3"), "{error}");
    let error = failure(&flowdesk(&["feel", "1", "--vars", "{\"amount\": "]));
    assert!(error.contains("--vars is not valid JSON"), "{error}");
    assert!(error.contains("line 1 column"), "{error}");
    let error = failure(&flowdesk(&["feel", "1", "--vars", "[1]"]));
    assert!(error.contains("JSON object"), "{error}");
}

#[test]
fn decide_evaluates_a_camunda_style_decision_table() {
    let file = DmnFile::new("shipping", SHIPPING);
    let heavy = stdout(&flowdesk(&[
        "decide",
        file.path(),
        "shipping",
        "--vars",
        r#"{"weight": 100}"#,
        "--json",
    ]));
    assert_eq!(
        heavy,
        r#"{"method":"freight","cost":112.3456789012345678901,"delivery":"2024-03-06"}"#
    );
    let light = stdout(&flowdesk(&[
        "decide",
        file.path(),
        "Shipping",
        "--vars",
        r#"{"weight": 2}"#,
    ]));
    assert!(light.contains("\"parcel\""), "{light}");
    assert!(light.contains("4.99"), "{light}");
}

#[test]
fn decide_reports_malformed_dmn_with_positions() {
    let file = DmnFile::new("broken", BROKEN);
    let error = failure(&flowdesk(&["decide", file.path(), "total"]));
    assert!(error.contains("is not a valid DMN model"), "{error}");
    // The FEEL problem: the element's line:column and the position inside
    // the expression.
    let feel_line = error
        .lines()
        .find(|line| line.contains("(expression 1:"))
        .unwrap_or_else(|| panic!("a FEEL problem with its position: {error}"));
    assert!(
        feel_line.contains(&format!("{}:4:", file.path())),
        "{feel_line}"
    );
    assert!(error.contains("missing"), "{error}");

    let not_xml = DmnFile::new("not-xml", "<definitions");
    let error = failure(&flowdesk(&["decide", not_xml.path(), "total"]));
    assert!(error.contains(&format!("{}:1:", not_xml.path())), "{error}");

    let shipping = DmnFile::new("shipping-unknown", SHIPPING);
    let error = failure(&flowdesk(&["decide", shipping.path(), "nope"]));
    assert!(
        error.contains("no decision") && error.contains("shipping"),
        "{error}"
    );
    let error = failure(&flowdesk(&["decide", "/nonexistent/file.dmn", "x"]));
    assert!(error.contains("cannot read"), "{error}");
}
