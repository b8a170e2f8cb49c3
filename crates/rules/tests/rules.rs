//! Behaviour of DMN models through the public API: hit policies, load-time
//! validation with positions, type checks, the DRG and traces.

use flowdesk_rules::{Context, DmnModel, EvalError, Severity, Value};

const NS: &str = "https://www.omg.org/spec/DMN/20230324/MODEL/";

fn model(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{NS}" id="m" name="m" namespace="urn:test">
{body}
</definitions>"#
    )
}

fn num(n: i64) -> Value {
    Value::int(n)
}

fn inputs(pairs: &[(&str, Value)]) -> Context {
    pairs.iter().map(|(k, v)| (*k, v.clone())).collect()
}

/// A model with input `x` (number) and a decision table `d` with one input
/// column `x` and outputs as given; each rule is (input test, outputs).
fn table(
    hit_policy: &str,
    outputs: &[(&str, Option<&str>)],
    rules: &[(&str, &[&str])],
) -> DmnModel {
    let (policy, aggregation) = match hit_policy.split_once(' ') {
        Some(("COLLECT", agg)) => ("COLLECT", format!(r#" aggregation="{agg}""#)),
        _ => (hit_policy, String::new()),
    };
    let mut xml = format!(
        r##"<inputData id="x" name="x"><variable name="x" typeRef="number"/></inputData>
<decision id="d" name="d">
  <informationRequirement><requiredInput href="#x"/></informationRequirement>
  <decisionTable hitPolicy="{policy}"{aggregation}>
    <input><inputExpression><text>x</text></inputExpression></input>"##
    );
    for (name, values) in outputs {
        xml.push_str(&format!(r#"<output name="{name}">"#));
        if let Some(v) = values {
            xml.push_str(&format!("<outputValues><text>{v}</text></outputValues>"));
        }
        xml.push_str("</output>");
    }
    for (test, outs) in rules {
        xml.push_str(&format!(
            "<rule><inputEntry><text>{test}</text></inputEntry>"
        ));
        for o in *outs {
            xml.push_str(&format!("<outputEntry><text>{o}</text></outputEntry>"));
        }
        xml.push_str("</rule>");
    }
    xml.push_str("</decisionTable></decision>");
    DmnModel::parse(&model(&xml)).expect("the fixture is valid")
}

fn eval(m: &DmnModel, x: i64) -> Value {
    m.evaluate_decision("d", inputs(&[("x", num(x))]))
        .expect("decision d exists")
        .0
}

fn list(items: &[Value]) -> Value {
    Value::list(items.to_vec())
}

#[test]
fn unique_returns_the_single_match_and_null_on_overlap() {
    let m = table(
        "UNIQUE",
        &[("o", None)],
        &[("&lt; 10", &["1"]), ("&gt;= 5", &["2"])],
    );
    assert_eq!(eval(&m, 1), num(1));
    assert_eq!(eval(&m, 20), num(2));
    assert_eq!(eval(&m, 7), Value::Null);
}

#[test]
fn any_needs_agreeing_outputs() {
    let m = table(
        "ANY",
        &[("o", None)],
        &[("&lt; 10", &["1"]), ("&lt; 5", &["1"]), ("0", &["2"])],
    );
    assert_eq!(eval(&m, 3), num(1));
    assert_eq!(eval(&m, 0), Value::Null);
}

#[test]
fn priority_uses_the_output_values_order() {
    let m = table(
        "PRIORITY",
        &[("o", Some(r#""high","medium","low""#))],
        &[
            ("&gt; 0", &[r#""low""#]),
            ("&gt; 5", &[r#""high""#]),
            ("&gt; 2", &[r#""medium""#]),
        ],
    );
    assert_eq!(eval(&m, 1), Value::string("low"));
    assert_eq!(eval(&m, 3), Value::string("medium"));
    assert_eq!(eval(&m, 9), Value::string("high"));
}

#[test]
fn first_takes_the_first_match_in_rule_order() {
    let m = table(
        "FIRST",
        &[("o", None)],
        &[("&gt; 5", &["1"]), ("&gt; 0", &["2"])],
    );
    assert_eq!(eval(&m, 9), num(1));
    assert_eq!(eval(&m, 3), num(2));
}

#[test]
fn rule_order_and_output_order_return_lists() {
    let rules: &[(&str, &[&str])] = &[("&gt; 0", &[r#""b""#]), ("&gt; 5", &[r#""a""#])];
    let r = table("RULE ORDER", &[("o", Some(r#""a","b""#))], rules);
    assert_eq!(eval(&r, 9), list(&[Value::string("b"), Value::string("a")]));
    let o = table("OUTPUT ORDER", &[("o", Some(r#""a","b""#))], rules);
    assert_eq!(eval(&o, 9), list(&[Value::string("a"), Value::string("b")]));
    assert_eq!(eval(&o, -1), list(&[]));
}

#[test]
fn collect_and_its_aggregations() {
    let rules: &[(&str, &[&str])] = &[("&gt; 0", &["10"]), ("&gt; 5", &["3"]), ("&gt; 7", &["7"])];
    assert_eq!(
        eval(&table("COLLECT", &[("o", None)], rules), 9),
        list(&[num(10), num(3), num(7)])
    );
    assert_eq!(
        eval(&table("COLLECT SUM", &[("o", None)], rules), 9),
        num(20)
    );
    assert_eq!(
        eval(&table("COLLECT MIN", &[("o", None)], rules), 9),
        num(3)
    );
    assert_eq!(
        eval(&table("COLLECT MAX", &[("o", None)], rules), 9),
        num(10)
    );
    assert_eq!(
        eval(&table("COLLECT COUNT", &[("o", None)], rules), 6),
        num(2)
    );
    assert_eq!(
        eval(&table("COLLECT COUNT", &[("o", None)], rules), -1),
        num(0)
    );
    assert_eq!(
        eval(&table("COLLECT SUM", &[("o", None)], rules), -1),
        Value::Null
    );
}

#[test]
fn several_outputs_make_a_context_and_the_trace_names_the_matched_rules() {
    let m = table(
        "FIRST",
        &[("a", None), ("b", None)],
        &[("&gt; 5", &["1", r#""x""#]), ("-", &["2", r#""y""#])],
    );
    let (v, trace) = m.evaluate_decision("d", inputs(&[("x", num(1))])).unwrap();
    let expected: Context = [("a", num(2)), ("b", Value::string("y"))]
        .into_iter()
        .collect();
    assert_eq!(v, Value::context(expected));
    let d = trace.decision("d").expect("d is traced");
    assert_eq!(d.matched_rules, vec![2]);
    assert_eq!(d.inputs.get("x"), Some(&num(1)));
}

#[test]
fn malformed_xml_is_a_positioned_problem() {
    let err =
        DmnModel::parse("<definitions xmlns=\"x\">\n  <decision>\n</definitions>").unwrap_err();
    let p = &err.0[0];
    assert_eq!((p.line, p.column), (3, 1));
    assert!(p.message.contains("malformed XML"), "{}", p.message);
}

#[test]
fn a_document_that_is_not_dmn_is_rejected() {
    let err = DmnModel::parse("<html/>").unwrap_err();
    assert!(err.0[0].message.contains("not a DMN model"));
}

#[test]
fn a_cycle_in_the_drg_is_reported_with_its_position() {
    let xml = model(
        r##"<decision id="a" name="A">
  <informationRequirement><requiredDecision href="#b"/></informationRequirement>
  <literalExpression><text>B</text></literalExpression>
</decision>
<decision id="b" name="B">
  <informationRequirement><requiredDecision href="#a"/></informationRequirement>
  <literalExpression><text>A</text></literalExpression>
</decision>"##,
    );
    let err = DmnModel::parse(&xml).unwrap_err();
    let cycle = err
        .iter()
        .find(|p| p.message.contains("cycle"))
        .expect("the cycle is reported");
    assert_eq!(cycle.element, "a");
    assert_eq!((cycle.line, cycle.column), (3, 1));
    assert!(cycle.message.contains("A -> B -> A"), "{}", cycle.message);
}

#[test]
fn feel_syntax_errors_in_cells_are_all_reported_with_positions_inside() {
    let xml = model(
        r#"<decision id="d" name="d">
  <decisionTable>
    <input><inputExpression><text>1</text></inputExpression></input>
    <output name="o"/>
    <rule id="r1"><inputEntry><text>&gt; (</text></inputEntry><outputEntry><text>1 +</text></outputEntry></rule>
  </decisionTable>
</decision>"#,
    );
    let err = DmnModel::parse(&xml).unwrap_err();
    assert_eq!(err.len(), 2, "{err}");
    assert!(
        err.iter().all(|p| p.element == "r1" && p.line == 7),
        "{err}"
    );
    assert_eq!(err.0[0].expression_position, Some((1, 4)));
    assert_eq!(err.0[1].expression_position, Some((1, 4)));
}

#[test]
fn an_unknown_function_is_a_positioned_warning_and_evaluates_to_null() {
    let xml = model(
        r#"<decision id="d" name="d">
  <literalExpression><text>1 + no such fn(2)</text></literalExpression>
</decision>"#,
    );
    let m = DmnModel::parse(&xml).expect("unknown functions do not reject the model");
    let w = &m.warnings()[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.expression_position, Some((1, 5)));
    assert!(
        w.message.contains("unknown function `no such fn`"),
        "{}",
        w.message
    );
    assert_eq!(
        m.evaluate_decision("d", Context::new()).unwrap().0,
        Value::Null
    );
}

#[test]
fn allowed_values_of_item_definitions_are_checked() {
    let xml = model(
        r##"<itemDefinition name="tColour"><typeRef>string</typeRef>
  <allowedValues><text>"red", "green"</text></allowedValues></itemDefinition>
<itemDefinition name="tColours" isCollection="true"><typeRef>tColour</typeRef></itemDefinition>
<inputData id="c" name="colour"><variable name="colour" typeRef="tColour"/></inputData>
<decision id="d" name="d"><variable name="d" typeRef="tColour"/>
  <informationRequirement><requiredInput href="#c"/></informationRequirement>
  <literalExpression><text>colour</text></literalExpression></decision>
<decision id="all" name="all"><variable name="all" typeRef="tColours"/>
  <literalExpression><text>["red", "blue"]</text></literalExpression></decision>
<decision id="one" name="one"><variable name="one" typeRef="tColours"/>
  <literalExpression><text>"green"</text></literalExpression></decision>"##,
    );
    let m = DmnModel::parse(&xml).unwrap();
    let d = |c: &str| {
        m.evaluate_decision("d", inputs(&[("colour", Value::string(c))]))
            .unwrap()
            .0
    };
    assert_eq!(d("red"), Value::string("red"));
    assert_eq!(d("blue"), Value::Null);
    assert_eq!(
        m.evaluate_decision("all", Context::new()).unwrap().0,
        Value::Null
    );
    assert_eq!(
        m.evaluate_decision("one", Context::new()).unwrap().0,
        list(&[Value::string("green")])
    );
}

#[test]
fn requirements_are_evaluated_once_and_bkms_are_invoked() {
    let xml = model(
        r##"<inputData id="n" name="n"><variable name="n" typeRef="number"/></inputData>
<businessKnowledgeModel id="twice" name="twice">
  <encapsulatedLogic><formalParameter name="v" typeRef="number"/>
    <literalExpression><text>v * 2</text></literalExpression></encapsulatedLogic>
</businessKnowledgeModel>
<decision id="a" name="A">
  <informationRequirement><requiredInput href="#n"/></informationRequirement>
  <knowledgeRequirement><requiredKnowledge href="#twice"/></knowledgeRequirement>
  <literalExpression><text>twice(n)</text></literalExpression></decision>
<decision id="b" name="B">
  <informationRequirement><requiredDecision href="#a"/></informationRequirement>
  <literalExpression><text>A + 1</text></literalExpression></decision>
<decision id="c" name="C">
  <informationRequirement><requiredDecision href="#a"/></informationRequirement>
  <informationRequirement><requiredDecision href="#b"/></informationRequirement>
  <literalExpression><text>A + B</text></literalExpression></decision>"##,
    );
    let m = DmnModel::parse(&xml).unwrap();
    let (v, trace) = m.evaluate_decision("C", inputs(&[("n", num(5))])).unwrap();
    assert_eq!(v, num(21));
    let names: Vec<&str> = trace.decisions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(
        m.invoke_bkm("twice", inputs(&[("v", num(4))])).unwrap(),
        num(8)
    );
    assert_eq!(
        m.evaluate_decision("nope", Context::new()).unwrap_err(),
        EvalError::UnknownDecision("nope".into())
    );
}

#[test]
fn a_bkm_that_calls_itself_is_rejected_with_the_position_of_the_call() {
    let xml = model(
        r##"<businessKnowledgeModel id="fib" name="fibonacci">
  <encapsulatedLogic><formalParameter name="n"/>
    <literalExpression><text>if n &lt; 2 then n else fibonacci(n - 1) + fibonacci(n - 2)</text></literalExpression></encapsulatedLogic>
</businessKnowledgeModel>
<decision id="d" name="d">
  <knowledgeRequirement><requiredKnowledge href="#fib"/></knowledgeRequirement>
  <literalExpression><text>fibonacci(10)</text></literalExpression></decision>"##,
    );
    let problems = DmnModel::parse(&xml).expect_err("recursion rejects the model");
    assert_eq!(problems.len(), 2, "{problems}");
    let first = &problems.0[0];
    assert_eq!(first.severity, Severity::Error);
    assert_eq!(first.expression_position, Some((1, 22)));
    assert_eq!((first.line, first.column), (5, 5));
    assert!(
        first
            .message
            .contains("business knowledge model `fibonacci` calls itself"),
        "{}",
        first.message
    );
}

#[test]
fn runaway_recursion_of_a_bkm_is_null_not_a_crash() {
    let xml = model(
        r##"<businessKnowledgeModel id="f" name="forever">
  <encapsulatedLogic><formalParameter name="n"/>
    <literalExpression><text>again(n + 1)</text></literalExpression></encapsulatedLogic>
</businessKnowledgeModel>
<businessKnowledgeModel id="g" name="again">
  <encapsulatedLogic><formalParameter name="n"/>
    <literalExpression><text>forever(n + 1)</text></literalExpression></encapsulatedLogic>
</businessKnowledgeModel>
<decision id="d" name="d">
  <knowledgeRequirement><requiredKnowledge href="#f"/></knowledgeRequirement>
  <literalExpression><text>forever(0)</text></literalExpression></decision>"##,
    );
    let m = DmnModel::parse(&xml).unwrap();
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || m.evaluate_decision("d", Context::new()).unwrap().0)
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result, Value::Null);
}

#[test]
fn models_of_every_dmn_version_load() {
    for ns in flowdesk_rules::DMN_NAMESPACES {
        let xml = format!(
            r#"<definitions xmlns="{ns}" id="m" name="m" namespace="urn:v">
<decision id="d" name="d"><literalExpression><text>1 + 1</text></literalExpression></decision>
</definitions>"#
        );
        let m = DmnModel::parse(&xml).unwrap();
        assert_eq!(m.evaluate_decision("d", Context::new()).unwrap().0, num(2));
    }
}

#[test]
fn matched_rules_carry_their_annotations() {
    let xml = model(
        r#"<decision id="d" name="d">
  <decisionTable hitPolicy="COLLECT">
    <input><inputExpression><text>5</text></inputExpression></input>
    <output name="o"/>
    <annotation name="why"/>
    <rule><inputEntry><text>&gt; 1</text></inputEntry><outputEntry><text>1</text></outputEntry>
      <annotationEntry><text>more than one</text></annotationEntry></rule>
    <rule><inputEntry><text>&lt; 1</text></inputEntry><outputEntry><text>2</text></outputEntry>
      <annotationEntry><text>less than one</text></annotationEntry></rule>
  </decisionTable>
</decision>"#,
    );
    let m = DmnModel::parse(&xml).unwrap();
    let (v, trace) = m.evaluate_decision("d", Context::new()).unwrap();
    assert_eq!(v, list(&[num(1)]));
    let d = trace.decision("d").unwrap();
    assert_eq!(d.matched_rules, vec![1]);
    assert_eq!(d.annotations, vec![vec!["more than one".to_string()]]);
}

#[test]
fn imported_models_are_reached_through_the_import_name() {
    let library = format!(
        r#"<definitions xmlns="{NS}" id="lib" name="lib" namespace="urn:lib">
<businessKnowledgeModel id="greet" name="greet">
  <encapsulatedLogic><formalParameter name="who" typeRef="string"/>
    <literalExpression><text>"Hello " + who</text></literalExpression></encapsulatedLogic>
</businessKnowledgeModel>
</definitions>"#
    );
    let main = format!(
        r##"<definitions xmlns="{NS}" id="main" name="main" namespace="urn:main">
<import namespace="urn:lib" name="lib" importType="{NS}"/>
<decision id="d" name="d">
  <knowledgeRequirement><requiredKnowledge href="urn:lib#greet"/></knowledgeRequirement>
  <literalExpression><text>lib.greet("Ann")</text></literalExpression></decision>
</definitions>"##
    );
    let mut catalog = flowdesk_rules::Catalog::new();
    catalog.add(DmnModel::parse(&library).unwrap());
    catalog.add(DmnModel::parse(&main).unwrap());
    let (v, _) = catalog
        .evaluate_decision("urn:main", "d", Context::new())
        .unwrap();
    assert_eq!(v, Value::string("Hello Ann"));
}

#[test]
fn java_externals_of_java_lang_are_bridged_and_others_are_null() {
    let xml = model(
        r#"<decision id="d" name="d"><literalExpression><text>{
  max: function(a, b) external {java: {class: "java.lang.Math", method signature: "max(double,double)"}},
  nope: function(a) external {java: {class: "com.example.Nope", method signature: "x(double)"}},
  result: [max(1, 2), nope(1)]
}.result</text></literalExpression></decision>"#,
    );
    let m = DmnModel::parse(&xml).unwrap();
    assert_eq!(
        m.evaluate_decision("d", Context::new()).unwrap().0,
        list(&[num(2), Value::Null])
    );
}

#[test]
fn decisions_without_ids_are_told_apart_by_name() {
    let m = DmnModel::parse(&model(
        r#"<decision name="first"><variable name="first" typeRef="number"/>
  <literalExpression><text>1</text></literalExpression></decision>
<decision name="second"><variable name="second" typeRef="number"/>
  <literalExpression><text>2</text></literalExpression></decision>"#,
    ))
    .unwrap();
    assert_eq!(
        m.evaluate_decision("first", Context::new()).unwrap().0,
        num(1)
    );
    assert_eq!(
        m.evaluate_decision("second", Context::new()).unwrap().0,
        num(2)
    );
}
