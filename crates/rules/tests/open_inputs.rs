//! Camunda compatibility: decisions that read the evaluation context
//! directly, without declared input data (open inputs), and the strict
//! DMN default.

use flowdesk_rules::{Catalog, Context, DmnModel, Value};

const CAMUNDA_DISCOUNT: &str = include_str!("fixtures/camunda-discount.dmn");

fn variables(customer_type: &str, amount: i64) -> Context {
    let mut context = Context::new();
    context.insert("customerType", Value::string(customer_type));
    context.insert("amount", Value::int(amount));
    context
}

fn number(text: &str) -> Value {
    Value::Number(flowdesk_feel::Number::parse(text).expect("a number"))
}

#[test]
fn open_inputs_make_the_context_visible_to_undeclared_reads() {
    let model = DmnModel::parse(CAMUNDA_DISCOUNT).expect("the Camunda model loads");
    let (result, trace) = model
        .evaluate_decision_open("discount", variables("gold", 1500))
        .expect("evaluates");
    assert_eq!(result, number("0.15"));
    let decision = trace.decision("discount").expect("traced");
    assert_eq!(decision.matched_rules, vec![1, 2, 3]);
    assert_eq!(decision.inputs.get("amount"), Some(&Value::int(1500)));

    let (result, _) = model
        .evaluate_decision_open("discount", variables("gold", 20))
        .expect("evaluates");
    assert_eq!(result, number("0.1"));
}

#[test]
fn strict_evaluation_is_the_default_and_binds_only_declared_requirements() {
    let model = DmnModel::parse(CAMUNDA_DISCOUNT).expect("the Camunda model loads");
    let (result, trace) = model
        .evaluate_decision("discount", variables("gold", 1500))
        .expect("evaluates");
    // customerType and amount are unknown to the decision: only the
    // catch-all rule matches.
    assert_eq!(result, Value::int(0));
    assert_eq!(trace.decision("discount").unwrap().matched_rules, vec![3]);
    assert!(!Catalog::new().open_inputs());
}

#[test]
fn declared_requirements_take_precedence_over_the_open_context() {
    // The input data converts the raw value to its type; a decision that
    // declares it sees the converted value even with open inputs.
    let xml = r##"<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
        namespace="urn:precedence" name="precedence" id="precedence">
      <inputData id="age" name="age"><variable name="age" typeRef="number"/></inputData>
      <decision id="adult" name="Adult">
        <informationRequirement><requiredInput href="#age"/></informationRequirement>
        <literalExpression><text>if age = null then "unknown" else age >= 18 and country = "DE"</text></literalExpression>
      </decision>
    </definitions>"##;
    let mut catalog = Catalog::new().with_open_inputs(true);
    catalog.add(DmnModel::parse(xml).expect("loads"));
    let mut context = Context::new();
    // A string is not a number: the declared input data makes it null.
    context.insert("age", Value::string("20"));
    context.insert("country", Value::string("DE"));
    let (result, _) = catalog
        .evaluate_decision("urn:precedence", "adult", context.clone())
        .expect("evaluates");
    assert_eq!(result, Value::string("unknown"));

    context.insert("age", Value::int(20));
    let (result, _) = catalog
        .evaluate_decision("urn:precedence", "adult", context)
        .expect("evaluates");
    assert_eq!(result, Value::Boolean(true));
}
