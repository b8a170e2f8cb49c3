//! The tasklist over HTTP: open user tasks filtered by assignee and
//! candidate group, claim, unclaim and complete with variables.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

const REVIEW: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="sales, finance" />
        <zeebe:formDefinition formKey="camunda-forms:bpmn:approve_form" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

async fn tasks(app: &axum::Router, auth: &Auth, query: &str) -> Vec<Value> {
    let reply = get(app, &format!("/api/tasks{query}"), auth).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json().as_array().cloned().unwrap_or_default()
}

async fn start_review(app: &axum::Router, auth: &Auth) -> String {
    let reply = post_json(
        app,
        "/api/instances",
        auth,
        json!({"process_id": "review", "variables": {"amount": 70}}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"].as_str().unwrap().to_string()
}

dual_test!(async fn user_task_is_listed_claimed_and_completed(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    assert_eq!(post_xml(&app, "/api/definitions?name=review.bpmn", &admin, REVIEW).await.status, StatusCode::CREATED);
    let instance = start_review(&app, &operator).await;

    let open = tasks(&app, &operator, "").await;
    assert_eq!(open.len(), 1);
    let task = &open[0];
    assert_eq!(task["instance_id"], instance.as_str());
    assert_eq!(task["element_id"], "approve");
    assert_eq!(task["process_id"], "review");
    assert_eq!(task["candidate_groups"], json!(["sales", "finance"]));
    assert_eq!(task["form_key"], "camunda-forms:bpmn:approve_form");
    assert_eq!(task["variables"]["amount"], 70);
    assert_eq!(task["assignee"], Value::Null);
    let key = task["key"].as_i64().unwrap();

    assert_eq!(tasks(&app, &operator, "?candidateGroup=finance").await.len(), 1);
    assert!(tasks(&app, &operator, "?candidateGroup=hr").await.is_empty());
    assert!(tasks(&app, &operator, "?assignee=me").await.is_empty());
    assert_eq!(tasks(&app, &operator, "?unassigned=true").await.len(), 1);

    let claimed = post_json(&app, &format!("/api/tasks/{key}/claim"), &operator, json!({})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", String::from_utf8_lossy(&claimed.body));
    assert_eq!(claimed.json()["claimed"], true);
    let mine = tasks(&app, &operator, "?assignee=me").await;
    assert_eq!(mine.len(), 1);
    assert!(tasks(&app, &admin, "?assignee=me").await.is_empty());
    assert!(tasks(&app, &operator, "?unassigned=true").await.is_empty());

    // Somebody else can neither claim nor complete it while it is held.
    post_json(&app, &format!("/api/tasks/{key}/claim"), &admin, json!({})).await.assert_problem(409, "conflict");
    post_json(&app, &format!("/api/tasks/{key}/complete"), &admin, json!({})).await.assert_problem(409, "conflict");
    // Claiming again is harmless.
    assert_eq!(post_json(&app, &format!("/api/tasks/{key}/claim"), &operator, json!({})).await.status, StatusCode::OK);

    post_json(&app, &format!("/api/tasks/{key}/complete"), &operator, json!({"variables": 5})).await.assert_problem(400, "invalid-request");
    let done = post_json(&app, &format!("/api/tasks/{key}/complete"), &operator, json!({"variables": {"approved": true}})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", String::from_utf8_lossy(&done.body));
    assert_eq!(done.json()["outcome"], "applied");

    let finished = get(&app, &format!("/api/instances/{instance}"), &operator).await.json();
    assert_eq!(finished["state"], "completed");
    assert_eq!(finished["variables"]["approved"], true);
    assert!(tasks(&app, &operator, "").await.is_empty());
    post_json(&app, &format!("/api/tasks/{key}/complete"), &operator, json!({})).await.assert_problem(404, "not-found");
    post_json(&app, &format!("/api/tasks/{key}/claim"), &operator, json!({})).await.assert_problem(404, "not-found");
});

dual_test!(async fn unclaim_releases_a_task_to_others(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    assert_eq!(post_xml(&app, "/api/definitions?name=review.bpmn", &admin, REVIEW).await.status, StatusCode::CREATED);
    start_review(&app, &operator).await;
    let key = tasks(&app, &operator, "").await[0]["key"].as_i64().unwrap();

    assert_eq!(post_json(&app, &format!("/api/tasks/{key}/claim"), &operator, json!({})).await.status, StatusCode::OK);
    let released = post_json(&app, &format!("/api/tasks/{key}/unclaim"), &operator, json!({})).await;
    assert_eq!(released.status, StatusCode::OK);
    assert_eq!(released.json()["claimed"], false);
    assert_eq!(post_json(&app, &format!("/api/tasks/{key}/claim"), &admin, json!({})).await.status, StatusCode::OK);
    post_json(&app, "/api/tasks/999/unclaim", &admin, json!({})).await.assert_problem(404, "not-found");
});

dual_test!(async fn viewers_read_tasks_but_cannot_work_them(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    assert_eq!(post_xml(&app, "/api/definitions?name=review.bpmn", &admin, REVIEW).await.status, StatusCode::CREATED);
    start_review(&app, &admin).await;
    let key = tasks(&app, &viewer, "").await[0]["key"].as_i64().unwrap();
    post_json(&app, &format!("/api/tasks/{key}/claim"), &viewer, json!({})).await.assert_problem(403, "forbidden");
    post_json(&app, &format!("/api/tasks/{key}/complete"), &viewer, json!({})).await.assert_problem(403, "forbidden");
});
