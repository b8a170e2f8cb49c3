//! Operating running instances over HTTP: start and wait for the result,
//! the `incident` state, incidents of one instance, variables, modification,
//! definition versions.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

/// start -> task `a` (job type `a`) -> task `b` (job type `b`) -> end.
const TWO_TASKS: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="two-tasks" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="task_a">
      <bpmn:extensionElements><zeebe:taskDefinition type="a" retries="1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="task_b">
      <bpmn:extensionElements><zeebe:taskDefinition type="b" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task_a" />
    <bpmn:sequenceFlow id="f2" sourceRef="task_a" targetRef="task_b" />
    <bpmn:sequenceFlow id="f3" sourceRef="task_b" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// start -> end: completes at once.
fn straight(name: &str) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="straight" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

async fn deploy(app: &axum::Router, auth: &Auth, name: &str, xml: &str) {
    let reply = post_xml(app, &format!("/api/definitions?name={name}"), auth, xml).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

async fn start(app: &axum::Router, auth: &Auth, body: Value) -> Value {
    let reply = post_json(app, "/api/instances", auth, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// Activates the jobs of `job_type`, waiting (with a deadline) until one
/// is there: another task may still be creating it.
async fn activate_one(app: &axum::Router, auth: &Auth, job_type: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let reply = post_json(
            app,
            "/api/jobs/activate",
            auth,
            json!({"type": job_type, "worker": "w", "max_jobs": 1}),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        if let Some(job) = reply.json()["jobs"]
            .as_array()
            .and_then(|jobs| jobs.first().cloned())
        {
            return job;
        }
        assert!(Instant::now() < deadline, "no {job_type} job in time");
        tokio::task::yield_now().await;
    }
}

fn put_json<'a>(
    app: &'a axum::Router,
    uri: &'a str,
    auth: &'a Auth,
    body: Value,
) -> impl std::future::Future<Output = Reply> + 'a {
    send(
        app,
        Method::PUT,
        uri,
        auth,
        Some("application/json"),
        body.to_string(),
    )
}

dual_test!(async fn start_with_await_answers_the_final_state_and_variables(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "straight.bpmn", &straight("Straight")).await;
    deploy(&app, &admin, "two-tasks.bpmn", TWO_TASKS).await;

    let done = start(&app, &admin, json!({"process_id": "straight", "variables": {"n": 1}, "await_seconds": 10})).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["variables"], json!({"n": 1}));

    // The answer waits for the workers: it comes once both jobs are completed.
    let waiting = {
        let app = app.clone();
        let admin = admin.clone();
        tokio::spawn(async move {
            start(&app, &admin, json!({"process_id": "two-tasks", "variables": {"n": 2}, "await_seconds": 60})).await
        })
    };
    let job_a = activate_one(&app, &admin, "a").await;
    post_json(&app, &format!("/api/jobs/{}/complete", job_a["key"]), &admin, json!({"variables": {"a": true}})).await;
    let job_b = activate_one(&app, &admin, "b").await;
    assert!(!waiting.is_finished(), "the start answer waits for the end");
    post_json(&app, &format!("/api/jobs/{}/complete", job_b["key"]), &admin, json!({"variables": {"b": "done"}})).await;
    let finished = waiting.await.expect("the start request finishes");
    assert_eq!(finished["state"], "completed");
    assert_eq!(finished["variables"], json!({"n": 2, "a": true, "b": "done"}));
    assert!(finished["ended_at"].is_string());

    // When the time is up the answer is the current state.
    let pending = start(&app, &admin, json!({"process_id": "two-tasks", "await_seconds": 0.2})).await;
    assert_eq!(pending["state"], "active");

    // An incident ends the wait: the instance is stuck until an operator acts.
    let stuck = {
        let app = app.clone();
        let admin = admin.clone();
        tokio::spawn(async move {
            start(&app, &admin, json!({"process_id": "two-tasks", "variables": {"n": 3}, "await_seconds": 60})).await
        })
    };
    // The first job of type `a` is the pending instance's; fail the other one.
    let mut job = activate_one(&app, &admin, "a").await;
    if job["instance_id"] == pending["id"] {
        job = activate_one(&app, &admin, "a").await;
    }
    post_json(&app, &format!("/api/jobs/{}/fail", job["key"]), &admin,
        json!({"retries": 0, "error_message": "backend down"})).await;
    let stuck = stuck.await.expect("the start request finishes");
    assert_eq!(stuck["id"], job["instance_id"]);
    assert_eq!(stuck["state"], "incident");
    assert_eq!(stuck["open_incidents"], 1);

    for bad in [json!(-1), json!("soon")] {
        post_json(&app, "/api/instances", &admin, json!({"process_id": "straight", "await_seconds": bad}))
            .await
            .assert_problem(400, "invalid-request");
    }
});

dual_test!(async fn an_instance_with_an_open_incident_is_in_state_incident(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "two-tasks.bpmn", TWO_TASKS).await;
    let healthy = start(&app, &admin, json!({"process_id": "two-tasks"})).await;
    let broken = start(&app, &admin, json!({"process_id": "two-tasks"})).await;
    let broken_id = broken["id"].as_str().unwrap().to_string();
    let mut job = activate_one(&app, &admin, "a").await;
    if job["instance_id"] != broken["id"] {
        job = activate_one(&app, &admin, "a").await;
    }
    post_json(&app, &format!("/api/jobs/{}/fail", job["key"]), &admin,
        json!({"retries": 0, "error_message": "backend down"})).await;

    let one = get(&app, &format!("/api/instances/{broken_id}"), &admin).await.json();
    assert_eq!(one["state"], "incident");
    assert_eq!(one["open_incidents"], 1);
    let other = get(&app, &format!("/api/instances/{}", healthy["id"].as_str().unwrap()), &admin).await.json();
    assert_eq!(other["state"], "active");
    assert_eq!(other["open_incidents"], 0);

    let listed = get(&app, "/api/instances?state=incident", &admin).await.json();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], broken_id.as_str());
    assert_eq!(listed["items"][0]["state"], "incident");
    let all = get(&app, "/api/instances", &admin).await.json();
    let states: Vec<&str> = all["items"].as_array().unwrap().iter().filter_map(|i| i["state"].as_str()).collect();
    assert_eq!(states.len(), 2);
    assert!(states.contains(&"incident") && states.contains(&"active"), "{states:?}");

    let of_broken = get(&app, &format!("/api/incidents?instance={broken_id}"), &admin).await.json();
    assert_eq!(of_broken.as_array().map(Vec::len), Some(1));
    assert_eq!(of_broken[0]["message"], "backend down");
    let of_healthy = get(&app, &format!("/api/incidents?instance={}", healthy["id"].as_str().unwrap()), &admin).await.json();
    assert_eq!(of_healthy, json!([]));
    get(&app, "/api/incidents?state=stuck", &admin).await.assert_problem(400, "invalid-request");

    let key = of_broken[0]["key"].as_i64().unwrap();
    post_json(&app, &format!("/api/incidents/{key}/resolve"), &admin, json!({})).await;
    let resolved = get(&app, &format!("/api/instances/{broken_id}"), &admin).await.json();
    assert_eq!(resolved["state"], "active");
    assert_eq!(resolved["open_incidents"], 0);
    let closed = get(&app, &format!("/api/incidents?instance={broken_id}&state=resolved"), &admin).await.json();
    assert_eq!(closed.as_array().map(Vec::len), Some(1));
    assert_eq!(get(&app, "/api/instances?state=incident", &admin).await.json()["total"], 0);
});

dual_test!(async fn variables_are_read_and_set_on_active_instances(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let operator = user_with_role(&app, &admin, "operator").await;
    deploy(&app, &admin, "two-tasks.bpmn", TWO_TASKS).await;
    deploy(&app, &admin, "straight.bpmn", &straight("Straight")).await;
    let instance = start(&app, &admin, json!({"process_id": "two-tasks", "variables": {"amount": 10}})).await;
    let uri = format!("/api/instances/{}/variables", instance["id"].as_str().unwrap());

    assert_eq!(get(&app, &uri, &viewer).await.json(), json!({"variables": {"amount": 10}}));
    put_json(&app, &uri, &viewer, json!({"variables": {"amount": 1}})).await.assert_problem(403, "forbidden");

    let changed = put_json(&app, &uri, &operator, json!({"variables": {"amount": 20, "note": "rush"}})).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", String::from_utf8_lossy(&changed.body));
    assert_eq!(changed.json()["variables"], json!({"amount": 20, "note": "rush"}));
    assert_eq!(get(&app, &uri, &viewer).await.json(), json!({"variables": {"amount": 20, "note": "rush"}}));
    // The job created earlier keeps its snapshot; the next one sees the change.
    let job = activate_one(&app, &operator, "a").await;
    post_json(&app, &format!("/api/jobs/{}/complete", job["key"]), &operator, json!({})).await;
    let job_b = activate_one(&app, &operator, "b").await;
    assert_eq!(job_b["variables"]["note"], "rush");

    let audit = get(&app, "/api/audit?limit=100", &admin).await.json();
    let entry = audit["items"].as_array().unwrap().iter()
        .find(|e| e["action"] == "instance.variables").expect("an audit entry").clone();
    assert_eq!(entry["detail"], "amount, note", "names only, never values");

    put_json(&app, &uri, &operator, json!({"variables": [1]})).await.assert_problem(400, "invalid-request");
    put_json(&app, &uri, &operator, json!({"variables": {}})).await.assert_problem(400, "invalid-request");
    put_json(&app, "/api/instances/nope/variables", &operator, json!({"variables": {"a": 1}})).await.assert_problem(404, "not-found");
    get(&app, "/api/instances/nope/variables", &operator).await.assert_problem(404, "not-found");
    let ended = start(&app, &admin, json!({"process_id": "straight"})).await;
    put_json(&app, &format!("/api/instances/{}/variables", ended["id"].as_str().unwrap()), &operator,
        json!({"variables": {"a": 1}})).await.assert_problem(409, "conflict");
});

dual_test!(async fn modify_activates_elements_and_terminates_element_instances(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "two-tasks.bpmn", TWO_TASKS).await;
    let instance = start(&app, &admin, json!({"process_id": "two-tasks"})).await;
    let id = instance["id"].as_str().unwrap().to_string();
    let uri = format!("/api/instances/{id}/modify");
    let job_a = activate_one(&app, &admin, "a").await;
    let task_a = job_a["element_instance_key"].as_i64().unwrap();

    // Skip task a: activate task b and terminate task a in one step.
    let modified = post_json(&app, &uri, &admin, json!({
        "activate": [{"element_id": "task_b", "variables": {"skipped": true}}],
        "terminate": [task_a],
    })).await;
    assert_eq!(modified.status, StatusCode::OK, "{}", String::from_utf8_lossy(&modified.body));
    assert_eq!(modified.json()["state"], "active");
    assert_eq!(modified.json()["variables"], json!({"skipped": true}));
    let completed_a = post_json(&app, &format!("/api/jobs/{}/complete", job_a["key"]), &admin, json!({})).await;
    assert_eq!(completed_a.json(), json!({"outcome": "already-done"}), "task a's job was cancelled");
    let job_b = activate_one(&app, &admin, "b").await;
    assert_eq!(job_b["instance_id"], id.as_str());
    post_json(&app, &format!("/api/jobs/{}/complete", job_b["key"]), &admin, json!({})).await;
    assert_eq!(get(&app, &format!("/api/instances/{id}"), &admin).await.json()["state"], "completed");
    let history = get(&app, &format!("/api/instances/{id}/history"), &admin).await.json();
    assert!(history.as_array().unwrap().iter()
        .any(|e| e["kind"] == "elementTerminated" && e["element_id"] == "task_a"), "{history}");

    let other = start(&app, &admin, json!({"process_id": "two-tasks"})).await;
    let other_uri = format!("/api/instances/{}/modify", other["id"].as_str().unwrap());
    post_json(&app, &other_uri, &admin, json!({})).await.assert_problem(400, "invalid-request");
    post_json(&app, &other_uri, &admin, json!({"activate": [{"element_id": "nowhere"}]})).await.assert_problem(404, "not-found");
    post_json(&app, &other_uri, &admin, json!({"terminate": [12345]})).await.assert_problem(404, "not-found");
    post_json(&app, &other_uri, &admin, json!({"activate": [{"element_id": "task_b", "variables": 3}]})).await.assert_problem(400, "invalid-request");
    post_json(&app, &other_uri, &admin, json!({"activate": [{"element": "task_b"}]})).await.assert_problem(400, "invalid-request");
    post_json(&app, &uri, &admin, json!({"activate": [{"element_id": "task_b"}]})).await.assert_problem(409, "conflict");
    let viewer = user_with_role(&app, &admin, "viewer").await;
    post_json(&app, &other_uri, &viewer, json!({"terminate": [1]})).await.assert_problem(403, "forbidden");
});

dual_test!(async fn definition_versions_are_listed_and_started_by_number(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "straight.bpmn", &straight("First")).await;
    deploy(&app, &admin, "straight.bpmn", &straight("Second")).await;
    deploy(&app, &admin, "two-tasks.bpmn", TWO_TASKS).await;

    let versions = get(&app, "/api/definitions?process_id=straight", &admin).await.json();
    let numbers: Vec<i64> = versions.as_array().unwrap().iter().filter_map(|d| d["version"].as_i64()).collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(versions[1]["name"], "First");
    assert_eq!(get(&app, "/api/definitions", &admin).await.json().as_array().map(Vec::len), Some(3));

    let first = start(&app, &admin, json!({"process_id": "straight", "version": 1})).await;
    assert_eq!(first["version"], 1);
    assert_eq!(first["process_name"], "First");
    let latest = start(&app, &admin, json!({"process_id": "straight"})).await;
    assert_eq!(latest["version"], 2);
    post_json(&app, "/api/instances", &admin, json!({"process_id": "straight", "version": 9}))
        .await
        .assert_problem(404, "not-found");
    let definition_id = versions[0]["id"].as_str().unwrap();
    post_json(&app, "/api/instances", &admin, json!({"definition_id": definition_id, "version": 1}))
        .await
        .assert_problem(400, "invalid-request");
});

const PAYMENT: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="payment">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="payment" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait_payment">
      <bpmn:messageEventDefinition messageRef="m" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_payment" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

dual_test!(async fn a_message_with_a_time_to_live_reaches_a_later_instance(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, "payment.bpmn", PAYMENT).await;
    let dropped = post_json(&app, "/api/messages", &admin, json!({"name": "payment", "correlation_key": "o-1"})).await;
    assert_eq!(dropped.json(), json!({"instances": []}));
    let kept = post_json(&app, "/api/messages", &admin,
        json!({"name": "payment", "correlation_key": "o-2", "variables": {"paid": true}, "ttl_ms": 60000})).await;
    assert_eq!(kept.json(), json!({"instances": []}));

    let without = start(&app, &admin, json!({"process_id": "payment", "variables": {"orderId": "o-1"}})).await;
    assert_eq!(without["state"], "active", "a message without a time to live is not kept");
    let with = start(&app, &admin, json!({"process_id": "payment", "variables": {"orderId": "o-2"}})).await;
    assert_eq!(with["state"], "completed");
    assert_eq!(with["variables"], json!({"orderId": "o-2", "paid": true}));

    post_json(&app, "/api/messages", &admin, json!({"name": "payment", "ttl_ms": -1}))
        .await
        .assert_problem(400, "invalid-request");
});
