//! (b) A malformed or invalid BPMN upload is a 400 listing every problem,
//! and changes nothing in the database.

use axum::http::StatusCode;
use flowdesk_store::dual_test;

use crate::common::*;

const TRUNCATED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="order-approval" isExecutable="true">
    <bpmn:startEvent id="Start" />
"#;

/// Well-formed, with two validation problems: a service task without a job
/// type and a sequence flow to a missing element.
const TWO_PROBLEMS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="order-approval" isExecutable="true">
    <bpmn:startEvent id="Start">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:serviceTask id="Task_NoType" name="No job type">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="End">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Task_NoType" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_NoType" targetRef="End" />
    <bpmn:sequenceFlow id="Flow_Broken" sourceRef="Task_NoType" targetRef="Task_Missing" />
  </bpmn:process>
</bpmn:definitions>
"#;

dual_test!(async fn invalid_uploads_list_problems_and_write_nothing(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let first = post_xml(&app, "/api/definitions?name=order-approval.bpmn", &admin, ORDER_APPROVAL).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&first.body));
    let v1 = first.json()[0]["id"].as_str().unwrap().to_string();

    let definitions_before = count(&store, "definitions").await;
    let audit_before = count(&store, "audit_log").await;

    let truncated = post_xml(&app, "/api/definitions?name=truncated.bpmn", &admin, TRUNCATED).await;
    let problem = truncated.assert_problem(400, "invalid-model");
    let problems = problem["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problem}");
    assert!(problems[0]["line"].as_u64().unwrap() >= 4, "{problem}");
    assert!(problems[0]["column"].as_u64().unwrap() >= 1, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("truncated.bpmn"));

    let invalid = post_xml(&app, "/api/definitions?name=two.bpmn", &admin, TWO_PROBLEMS).await;
    let problem = invalid.assert_problem(400, "invalid-model");
    let problems = problem["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problem}");
    let located: Vec<(String, u64, u64)> = problems
        .iter()
        .map(|p| {
            assert!(p["message"].is_string());
            (
                p["element_id"].as_str().unwrap_or_default().to_string(),
                p["line"].as_u64().unwrap(),
                p["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(located[0], ("Task_NoType".to_string(), 7, 5), "{problem}");
    assert_eq!(located[1], ("Flow_Broken".to_string(), 16, 5), "{problem}");

    assert_eq!(count(&store, "definitions").await, definitions_before);
    assert_eq!(count(&store, "audit_log").await, audit_before);
    let listed = get(&app, "/api/definitions", &admin).await.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], v1.as_str());
    assert_eq!(listed[0]["version"], 1);
    // Starting by process id still picks the previously deployed version.
    let started = post_json(&app, "/api/instances", &admin, serde_json::json!({"process_id": "order-approval"})).await;
    assert_eq!(started.status, StatusCode::CREATED);
    assert_eq!(started.json()["definition_id"], v1.as_str());
});
