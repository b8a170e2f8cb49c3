//! Definition versions by `zeebe:versionTag`: listed with each version and
//! usable to start an instance.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

/// Process `tagged` with `zeebe:versionTag` `tag` and one task of job type `work-<tag>`.
fn tagged(tag: &str) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="tagged" name="Tagged {tag}" isExecutable="true">
    <bpmn:extensionElements><zeebe:versionTag value="{tag}" /></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="work-{tag}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

async fn deploy(app: &axum::Router, auth: &Auth, xml: &str) {
    let reply = post_xml(app, "/api/definitions?name=tagged.bpmn", auth, xml).await;
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

dual_test!(async fn versions_carry_their_tag_and_start_by_it(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    deploy(&app, &admin, &tagged("v1.0")).await;
    deploy(&app, &admin, &tagged("v2.0")).await;

    let versions = get(&app, "/api/definitions?process_id=tagged", &admin).await.json();
    let tags: Vec<(i64, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["version"].as_i64().unwrap(), d["version_tag"].as_str().unwrap()))
        .collect();
    assert_eq!(tags, [(2, "v2.0"), (1, "v1.0")]);

    let pinned = start(&app, &admin, json!({"process_id": "tagged", "version_tag": "v1.0"})).await;
    assert_eq!((pinned["version"].clone(), pinned["process_name"].clone()), (json!(1), json!("Tagged v1.0")));
    let latest = start(&app, &admin, json!({"process_id": "tagged"})).await;
    assert_eq!(latest["version"], 2);

    let problem = post_json(&app, "/api/instances", &admin, json!({"process_id": "tagged", "version_tag": "v9"}))
        .await
        .assert_problem(404, "not-found");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("tagged") && detail.contains("v9"), "{detail}");
    post_json(&app, "/api/instances", &admin, json!({"process_id": "tagged", "version": 1, "version_tag": "v1.0"}))
        .await
        .assert_problem(400, "invalid-request");
});

dual_test!(async fn a_process_without_a_tag_lists_none(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let untagged = tagged("x").replace(r#"<bpmn:extensionElements><zeebe:versionTag value="x" /></bpmn:extensionElements>"#, "");
    deploy(&app, &admin, &untagged).await;
    let versions = get(&app, "/api/definitions?process_id=tagged", &admin).await.json();
    assert_eq!(versions[0]["version_tag"], Value::Null);
    post_json(&app, "/api/instances", &admin, json!({"process_id": "tagged", "version_tag": "x"}))
        .await
        .assert_problem(404, "not-found");
});
