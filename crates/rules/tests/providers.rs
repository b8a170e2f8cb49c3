//! Input data providers: declaration and validation with positions, one
//! fetch per input and evaluation, parameters from the inputs, the trace of
//! what was fetched. The I/O itself is behind the `DataProvider` trait
//! (real SQL and HTTP implementations are tested in flowdesk-providers);
//! here a provider that answers from a table in memory stands in for it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use flowdesk_rules::{
    Catalog, Context, DataProvider, DmnModel, Fetched, ProviderError, ProviderRequest,
    ProviderSource, Value,
};

const NS: &str = "https://www.omg.org/spec/DMN/20230324/MODEL/";

fn model(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{NS}" xmlns:flowdesk="https://flowdesk.dev/dmn/provider" id="m" name="m" namespace="urn:test">
{body}
</definitions>"#
    )
}

const CUSTOMER: &str = r##"<inputData id="customer" name="customer">
  <extensionElements>
    <flowdesk:provider type="sql" connection="crm" timeout="PT2S"
      query="select name, segment from customers where id = :customerId"/>
  </extensionElements>
</inputData>
<inputData id="customerId" name="customerId"/>
<decision id="segment" name="Segment">
  <informationRequirement><requiredInput href="#customer"/></informationRequirement>
  <literalExpression><text>customer.segment</text></literalExpression>
</decision>
<decision id="greeting" name="Greeting">
  <informationRequirement><requiredInput href="#customer"/></informationRequirement>
  <informationRequirement><requiredDecision href="#segment"/></informationRequirement>
  <literalExpression><text>"Dear " + customer.name + " (" + Segment + ")"</text></literalExpression>
</decision>"##;

/// A request as recorded: the input's name and the parameter values.
type Recorded = (String, Vec<(String, Value)>);

/// Answers SQL fetches from rows in memory and records every request.
struct Rows {
    rows: Vec<(i64, &'static str, &'static str)>,
    requests: Mutex<Vec<Recorded>>,
    fail: Option<ProviderError>,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            rows: vec![(1, "Ada", "gold"), (2, "Bob", "silver")],
            requests: Mutex::new(Vec::new()),
            fail: None,
        }
    }
}

impl DataProvider for Rows {
    fn fetch(&self, request: &ProviderRequest<'_>) -> Result<Fetched, ProviderError> {
        self.requests
            .lock()
            .unwrap()
            .push((request.input.to_string(), request.parameters.to_vec()));
        if let Some(e) = &self.fail {
            return Err(e.clone());
        }
        let ProviderSource::Sql { connection, .. } = &request.spec.source else {
            return Err(ProviderError::Failed("not SQL".into()));
        };
        assert_eq!(connection, "crm");
        let id = request.parameters[0].1.clone();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .filter(|(i, _, _)| Value::int(*i) == id)
            .map(|(_, name, segment)| {
                let mut row = Context::new();
                row.insert("name", Value::string(*name));
                row.insert("segment", Value::string(*segment));
                Value::context(row)
            })
            .collect();
        Ok(Fetched {
            rows: Some(rows.len()),
            value: Value::list(rows),
            duration: Duration::from_millis(3),
        })
    }
}

fn catalog(xml: &str, provider: Arc<Rows>) -> Catalog {
    let mut catalog = Catalog::new().with_data_provider(provider);
    catalog.add(DmnModel::parse(xml).expect("model loads"));
    catalog
}

fn inputs(pairs: &[(&str, Value)]) -> Context {
    let mut c = Context::new();
    for (k, v) in pairs {
        c.insert(*k, v.clone());
    }
    c
}

#[test]
fn an_input_is_fetched_once_per_evaluation_with_its_parameters_and_traced() {
    let provider = Arc::new(Rows::new());
    let catalog = catalog(&model(CUSTOMER), provider.clone());
    let (result, trace) = catalog
        .evaluate_decision(
            "urn:test",
            "greeting",
            inputs(&[("customerId", Value::int(1))]),
        )
        .unwrap();
    assert_eq!(result, Value::string("Dear Ada (gold)"));
    let requests = provider.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "cached for the second decision");
    assert_eq!(requests[0].0, "customer");
    assert_eq!(
        requests[0].1,
        vec![("customerId".to_string(), Value::int(1))]
    );
    assert_eq!(trace.fetches.len(), 1);
    let fetch = &trace.fetches[0];
    assert_eq!(fetch.input, "customer");
    assert_eq!(fetch.provider, "sql:crm");
    assert_eq!(
        fetch.target,
        "select name, segment from customers where id = :customerId"
    );
    assert_eq!(fetch.parameters.get("customerId"), Some(&Value::int(1)));
    assert_eq!(fetch.rows, Some(1));
    assert_eq!(fetch.duration, Some(Duration::from_millis(3)));
    assert_eq!(fetch.error, None);
    let Value::Context(row) = &fetch.value else {
        panic!("a row is a context: {:?}", fetch.value)
    };
    assert_eq!(row.get("name"), Some(&Value::string("Ada")));

    // A second evaluation fetches again (the cache is per evaluation).
    let (result, _) = catalog
        .evaluate_decision(
            "urn:test",
            "segment",
            inputs(&[("customerId", Value::int(2))]),
        )
        .unwrap();
    assert_eq!(result, Value::string("silver"));
    assert_eq!(provider.requests.lock().unwrap().len(), 2);
}

#[test]
fn a_value_given_by_the_caller_wins_over_the_provider() {
    let provider = Arc::new(Rows::new());
    let catalog = catalog(&model(CUSTOMER), provider.clone());
    let mut given = Context::new();
    given.insert("segment", Value::string("bronze"));
    let (result, trace) = catalog
        .evaluate_decision(
            "urn:test",
            "segment",
            inputs(&[("customer", Value::context(given))]),
        )
        .unwrap();
    assert_eq!(result, Value::string("bronze"));
    assert!(provider.requests.lock().unwrap().is_empty());
    assert!(trace.fetches.is_empty());
}

#[test]
fn a_failed_fetch_makes_the_input_null_and_the_trace_says_why() {
    let provider = Arc::new(Rows {
        fail: Some(ProviderError::Timeout(Duration::from_secs(2))),
        ..Rows::new()
    });
    let catalog = catalog(&model(CUSTOMER), provider);
    let (result, trace) = catalog
        .evaluate_decision(
            "urn:test",
            "segment",
            inputs(&[("customerId", Value::int(1))]),
        )
        .unwrap();
    assert_eq!(result, Value::Null);
    assert_eq!(
        trace.fetches[0].error.as_deref(),
        Some("the fetch did not finish within 2s")
    );

    let mut without = Catalog::new();
    without.add(DmnModel::parse(&model(CUSTOMER)).unwrap());
    let (_, trace) = without
        .evaluate_decision(
            "urn:test",
            "segment",
            inputs(&[("customerId", Value::int(1))]),
        )
        .unwrap();
    assert_eq!(
        trace.fetches[0].error.as_deref(),
        Some("no data provider is configured for this evaluation")
    );
}

#[test]
fn rows_and_value_results_shape_the_rows() {
    let xml = model(
        r##"<inputData id="all" name="all">
  <extensionElements>
    <flowdesk:provider type="sql" connection="crm" result="rows" query="select * from customers where id = :customerId"/>
  </extensionElements>
</inputData>
<inputData id="first" name="first">
  <extensionElements>
    <flowdesk:provider type="sql" connection="crm" result="value" query="select name from customers where id = :customerId"/>
  </extensionElements>
</inputData>
<decision id="d" name="d">
  <informationRequirement><requiredInput href="#all"/></informationRequirement>
  <informationRequirement><requiredInput href="#first"/></informationRequirement>
  <literalExpression><text>[count(all), first]</text></literalExpression>
</decision>"##,
    );
    let catalog = catalog(&xml, Arc::new(Rows::new()));
    let (result, trace) = catalog
        .evaluate_decision("urn:test", "d", inputs(&[("customerId", Value::int(2))]))
        .unwrap();
    assert_eq!(
        result,
        Value::list(vec![Value::int(1), Value::string("Bob")])
    );
    assert_eq!(trace.fetches.len(), 2);
}

#[test]
fn a_decision_provider_takes_another_decisions_result() {
    let xml = model(
        r##"<inputData id="limit" name="limit">
  <extensionElements><flowdesk:provider type="decision" decision="Base limit"/></extensionElements>
</inputData>
<decision id="base" name="Base limit"><literalExpression><text>1000</text></literalExpression></decision>
<decision id="d" name="d">
  <informationRequirement><requiredInput href="#limit"/></informationRequirement>
  <literalExpression><text>limit * 2</text></literalExpression>
</decision>"##,
    );
    let catalog = catalog(&xml, Arc::new(Rows::new()));
    let (result, trace) = catalog
        .evaluate_decision("urn:test", "d", Context::new())
        .unwrap();
    assert_eq!(result, Value::int(2000));
    assert_eq!(trace.fetches[0].provider, "decision:Base limit");
    assert_eq!(trace.fetches[0].value, Value::int(1000));
}

#[test]
fn bad_provider_declarations_are_all_reported_with_positions() {
    let xml = model(
        r##"<inputData id="a" name="a">
  <extensionElements><flowdesk:provider type="ftp"/></extensionElements>
</inputData>
<inputData id="b" name="b">
  <extensionElements><flowdesk:provider type="sql" connection="crm" timeout="soon"/></extensionElements>
</inputData>
<inputData id="c" name="c">
  <extensionElements><flowdesk:provider type="http" url="ftp://x" path="score"/></extensionElements>
</inputData>
<inputData id="e" name="e">
  <extensionElements><flowdesk:provider type="decision" decision="missing"/></extensionElements>
</inputData>"##,
    );
    let problems = DmnModel::parse(&xml).expect_err("rejected");
    let found: Vec<(String, u32, u32, String)> = problems
        .iter()
        .map(|p| (p.element.clone(), p.line, p.column, p.message.clone()))
        .collect();
    let expected = [
        (
            "a",
            4,
            22,
            "has type `ftp`; expected `sql`, `http` or `decision`",
        ),
        (
            "b",
            7,
            22,
            "the sql provider of input data `b` needs a `query` attribute",
        ),
        (
            "b",
            7,
            22,
            "has timeout `soon`; expected a positive ISO 8601 duration",
        ),
        (
            "c",
            10,
            22,
            "has url `ftp://x`; expected an http:// or https:// URL",
        ),
        ("c", 10, 22, "has path `score`; expected a JSON pointer"),
        (
            "e",
            13,
            22,
            "names decision `missing`, which is not a decision of the model",
        ),
    ];
    assert_eq!(found.len(), expected.len(), "{problems}");
    for ((element, line, column, message), (e, l, c, m)) in found.iter().zip(expected) {
        assert_eq!((element.as_str(), *line, *column), (e, l, c), "{message}");
        assert!(message.contains(m), "{message} should contain {m}");
    }
}
