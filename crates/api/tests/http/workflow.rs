//! (d) Durable execution over HTTP: start, jobs, incidents, history,
//! messages, timers and cancellation.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

const WAITING: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="paid" name="payment-received">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait_payment">
      <bpmn:messageEventDefinition messageRef="paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="wait_hour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_payment" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="wait_hour" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait_hour" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

async fn activate(app: &axum::Router, auth: &Auth, job_type: &str) -> Vec<Value> {
    let reply = post_json(
        app,
        "/api/jobs/activate",
        auth,
        json!({"type": job_type, "worker": "w1", "max_jobs": 5, "timeout_ms": 60000}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["jobs"].as_array().cloned().unwrap_or_default()
}

async fn start(app: &axum::Router, auth: &Auth, process_id: &str, variables: Value) -> Value {
    let reply = post_json(
        app,
        "/api/instances",
        auth,
        json!({"process_id": process_id, "variables": variables}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

dual_test!(async fn order_approval_runs_through_jobs(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    assert_eq!(post_xml(&app, "/api/definitions?name=order-approval.bpmn", &admin, ORDER_APPROVAL).await.status, StatusCode::CREATED);

    let started = start(&app, &operator, "order-approval", json!({"order": {"amount": 120}, "amount": 120})).await;
    assert_eq!(started["state"], "active");
    let id = started["id"].as_str().unwrap().to_string();

    let jobs = activate(&app, &operator, "check-order").await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["instance_id"], id.as_str());
    assert_eq!(jobs[0]["custom_headers"], json!({"channel": "web"}));
    assert!(activate(&app, &operator, "check-order").await.is_empty(), "leased");
    let key = jobs[0]["key"].as_i64().unwrap();
    let done = post_json(&app, &format!("/api/jobs/{key}/complete"), &operator, json!({"variables": {"valid": true}})).await;
    assert_eq!(done.json(), json!({"outcome": "applied"}));
    let again = post_json(&app, &format!("/api/jobs/{key}/complete"), &operator, json!({"variables": {"valid": true}})).await;
    assert_eq!(again.json(), json!({"outcome": "already-done"}), "completing twice is harmless");
    post_json(&app, "/api/jobs/999/complete", &operator, json!({})).await.assert_problem(404, "not-found");
    post_json(&app, &format!("/api/jobs/{key}/complete"), &operator, json!({"variables": [1]})).await.assert_problem(400, "invalid-request");

    let auto = activate(&app, &operator, "auto-approve").await;
    assert_eq!(auto.len(), 1);
    let auto_key = auto[0]["key"].as_i64().unwrap();
    post_json(&app, &format!("/api/jobs/{auto_key}/complete"), &operator, json!({})).await;

    let instance = get(&app, &format!("/api/instances/{id}"), &operator).await.json();
    assert_eq!(instance["state"], "completed");
    assert!(instance["ended_at"].is_string());
    let history = get(&app, &format!("/api/instances/{id}/history"), &operator).await.json();
    let completed: Vec<&str> = history.as_array().unwrap().iter()
        .filter(|event| event["kind"] == "elementCompleted")
        .filter_map(|event| event["element_id"].as_str())
        .collect();
    assert_eq!(completed, ["StartEvent_OrderReceived", "Activity_CheckOrder", "Gateway_Amount",
        "Activity_AutoApprove", "Gateway_Join", "EndEvent_OrderApproved"]);
    get(&app, "/api/instances/nope/history", &operator).await.assert_problem(404, "not-found");
    let viewer = user_with_role(&app, &admin, "viewer").await;
    post_json(&app, "/api/jobs/activate", &viewer, json!({"type": "check-order", "worker": "w"})).await.assert_problem(403, "forbidden");
});

dual_test!(async fn failed_jobs_raise_incidents_that_operators_resolve(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    post_xml(&app, "/api/definitions?name=order-approval.bpmn", &admin, ORDER_APPROVAL).await;
    let started = start(&app, &admin, "order-approval", json!({})).await;
    assert_eq!(started["state"], "active", "waits at check-order");
    let jobs = activate(&app, &admin, "check-order").await;
    let key = jobs[0]["key"].as_i64().unwrap();
    let failed = post_json(&app, &format!("/api/jobs/{key}/fail"), &admin,
        json!({"retries": 0, "error_message": "order service down"})).await;
    assert_eq!(failed.json(), json!({"outcome": "applied"}));
    post_json(&app, &format!("/api/jobs/{key}/complete"), &admin, json!({})).await.assert_problem(409, "conflict");

    let incidents = get(&app, "/api/incidents?state=open", &admin).await.json();
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["job_key"], key);
    assert_eq!(incidents[0]["instance_id"], started["id"]);
    assert_eq!(incidents[0]["element_id"], "Activity_CheckOrder");
    assert!(activate(&app, &admin, "check-order").await.is_empty());

    let incident_key = incidents[0]["key"].as_i64().unwrap();
    let resolved = post_json(&app, &format!("/api/incidents/{incident_key}/resolve"), &admin, json!({})).await;
    assert_eq!(resolved.json(), json!({"outcome": "applied"}));
    assert_eq!(get(&app, "/api/incidents?state=open", &admin).await.json(), json!([]));
    let resumed = activate(&app, &admin, "check-order").await;
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0]["key"], key);

    // A BPMN error nobody catches is an incident too.
    let thrown = post_json(&app, &format!("/api/jobs/{key}/error"), &admin,
        json!({"error_code": "ORDER_INVALID", "message": "bad order"})).await;
    assert_eq!(thrown.status, StatusCode::OK, "{}", String::from_utf8_lossy(&thrown.body));
    assert_eq!(get(&app, "/api/incidents?state=open", &admin).await.json().as_array().unwrap().len(), 1);

    let id = started["id"].as_str().unwrap();
    let cancelled = post_json(&app, &format!("/api/instances/{id}/cancel"), &admin, json!({})).await;
    assert_eq!(cancelled.json()["state"], "cancelled");
    assert_eq!(get(&app, "/api/incidents?state=open", &admin).await.json(), json!([]));
    post_json(&app, &format!("/api/instances/{id}/cancel"), &admin, json!({})).await.assert_problem(409, "conflict");
});

dual_test!(async fn messages_and_timers_move_waiting_instances(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let deployed = post_xml(&app, "/api/definitions?name=waiting.bpmn", &admin, WAITING).await;
    assert_eq!(deployed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&deployed.body));
    let started = start(&app, &admin, "waiting", json!({"orderId": "ORD-1"})).await;
    let id = started["id"].as_str().unwrap();

    let none = post_json(&app, "/api/messages", &admin, json!({"name": "payment-received", "correlation_key": "ORD-2"})).await;
    assert_eq!(none.json(), json!({"instances": []}));
    let hit = post_json(&app, "/api/messages", &admin,
        json!({"name": "payment-received", "correlation_key": "ORD-1", "variables": {"paid": 10}})).await;
    assert_eq!(hit.json(), json!({"instances": [id]}));

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert_eq!(flowdesk_api::fire_due_timers(&store, now).await.unwrap(), 0);
    assert_eq!(flowdesk_api::fire_due_timers(&store, now + 2 * 3_600_000).await.unwrap(), 1);
    let instance = get(&app, &format!("/api/instances/{id}"), &admin).await.json();
    assert_eq!(instance["state"], "completed");
    assert_eq!(instance["variables"]["paid"], 10);
});
