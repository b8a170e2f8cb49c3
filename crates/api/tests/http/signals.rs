//! POST /api/signals: a broadcast reaches waiting instances and starts
//! instances at signal start events.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

/// `waiting` waits for signal `go`, then ends; `started` starts on `go`
/// and waits at a task of job type `after-go`.
const SIGNALS: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:signal id="sig_go" name="go" />
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait_go"><bpmn:signalEventDefinition signalRef="sig_go" /></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_go" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_go" targetRef="end" />
  </bpmn:process>
  <bpmn:process id="started" isExecutable="true">
    <bpmn:startEvent id="on_go"><bpmn:signalEventDefinition signalRef="sig_go" /></bpmn:startEvent>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="after-go" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="g1" sourceRef="on_go" targetRef="task" />
  </bpmn:process>
</bpmn:definitions>"#;

async fn instance(app: &axum::Router, auth: &Auth, id: &str) -> Value {
    get(app, &format!("/api/instances/{id}"), auth).await.json()
}

dual_test!(async fn a_signal_reaches_waiting_instances_and_starts_others(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let reply = post_xml(&app, "/api/definitions?name=signals.bpmn", &admin, SIGNALS).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let reply = post_json(&app, "/api/instances", &admin, json!({"process_id": "waiting"})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&reply.body));
    let waiting = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(instance(&app, &admin, &waiting).await["state"], "active");

    let reply = post_json(&app, "/api/signals", &admin, json!({"name": "go", "variables": {"why": "now"}})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["instances"], json!([waiting]));
    let done = instance(&app, &admin, &waiting).await;
    assert_eq!(done["state"], "completed");
    let page = get(&app, "/api/instances?process_id=started", &admin).await.json();
    let started = page["items"].as_array().expect("a page of instances");
    assert_eq!(started.len(), 1, "{page}");
    assert_eq!(started[0]["state"], "active");
    let other = started[0]["id"].as_str().unwrap();
    let variables = get(&app, &format!("/api/instances/{other}/variables"), &admin).await.json();
    assert_eq!(variables["variables"]["why"], "now");

    let none = post_json(&app, "/api/signals", &admin, json!({"name": "nobody-listens"})).await;
    assert_eq!(none.json()["instances"], json!([]));
});

dual_test!(async fn a_broadcast_needs_a_name_and_the_start_permission(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    post_json(&app, "/api/signals", &admin, json!({"name": ""})).await.assert_problem(400, "invalid-request");
    post_json(&app, "/api/signals", &admin, json!({"name": "go", "variables": [1]}))
        .await
        .assert_problem(400, "invalid-request");
    let viewer = user_with_role(&app, &admin, "viewer").await;
    post_json(&app, "/api/signals", &viewer, json!({"name": "go"})).await.assert_problem(403, "forbidden");
});
