//! The typed workflow calls of the client against the real Router served
//! over loopback HTTP: deploy, definition versions, start, variables,
//! modification, cancel, incidents.

use flowdesk_client::{Client, ClientError, StartInstance};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;
use http::StatusCode;
use serde_json::json;

/// start -> task `a` (job type `a`, no retries) -> task `b` -> end.
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

async fn serve(db: &TestDb) -> String {
    let router = flowdesk_api::router(db.store.clone(), flowdesk_api::ApiConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}

/// A client holding the first administrator's API token.
async fn admin_client(base: &str) -> Client {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/setup"))
        .json(&json!({ "username": "ada", "password": "correct horse battery" }))
        .send()
        .await
        .expect("setup request");
    assert_eq!(response.status(), StatusCode::CREATED);
    let client = Client::new(base).expect("valid URL");
    let token = client
        .sign_in_for_token("ada", "correct horse battery", "operations test")
        .await
        .expect("sign in");
    client.with_token(token)
}

/// The first job of `job_type` (the instances here create theirs before
/// the start call answers).
async fn activate(base: &str, client_token: &str, job_type: &str) -> serde_json::Value {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/jobs/activate"))
        .bearer_auth(client_token)
        .json(&json!({"type": job_type, "worker": "test", "max_jobs": 1}))
        .send()
        .await
        .expect("activate")
        .json()
        .await
        .expect("JSON");
    answer["jobs"][0].clone()
}

#[tokio::test]
async fn operates_instances_through_the_typed_calls() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let base = serve(&db).await;
    let client = admin_client(&base).await;
    let token = client
        .sign_in_for_token("ada", "correct horse battery", "worker")
        .await
        .expect("a second token");

    let deployed = client
        .deploy("two-tasks.bpmn", TWO_TASKS.to_string())
        .await
        .expect("deploy");
    assert_eq!(deployed.len(), 1);
    assert_eq!(deployed[0].process_id, "two-tasks");
    let versions = client
        .definitions(Some("two-tasks"))
        .await
        .expect("versions");
    assert_eq!(versions, deployed);

    let start = StartInstance {
        process_id: Some("two-tasks".into()),
        version: Some(1),
        variables: Some(json!({"amount": 5})),
        ..StartInstance::default()
    };
    let instance = client.start(&start).await.expect("start");
    assert_eq!(instance.state, "active");
    assert_eq!(instance.open_incidents, 0);

    let changed = client
        .set_variables(&instance.id, json!({"amount": 6, "note": "rush"}))
        .await
        .expect("set variables");
    assert_eq!(changed.variables, json!({"amount": 6, "note": "rush"}));
    assert_eq!(
        client.variables(&instance.id).await.expect("variables"),
        json!({"amount": 6, "note": "rush"})
    );

    // Fail task a for good: the instance is in state incident.
    let job = activate(&base, &token, "a").await;
    let failed = reqwest::Client::new()
        .post(format!("{base}/api/jobs/{}/fail", job["key"]))
        .bearer_auth(&token)
        .json(&json!({"retries": 0, "error_message": "down"}))
        .send()
        .await
        .expect("fail");
    assert_eq!(failed.status(), StatusCode::OK);
    assert_eq!(
        client.instance(&instance.id).await.expect("instance").state,
        "incident"
    );
    let incidents = client
        .incidents(Some("open"), Some(&instance.id))
        .await
        .expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].element_id, "task_a");
    let outcome = client
        .resolve_incident(incidents[0].key)
        .await
        .expect("resolve");
    assert_eq!(outcome.outcome, "applied");
    assert_eq!(
        client.instance(&instance.id).await.expect("instance").state,
        "active"
    );

    // Skip task a by modification, then cancel.
    let task_a = job["element_instance_key"].as_i64().expect("a key");
    let modified = client
        .modify(&instance.id, json!([{"element_id": "task_b"}]), &[task_a])
        .await
        .expect("modify");
    assert_eq!(modified.state, "active");
    assert_eq!(
        activate(&base, &token, "b").await["instance_id"],
        instance.id.as_str()
    );
    let cancelled = client.cancel(&instance.id).await.expect("cancel");
    assert_eq!(cancelled.state, "cancelled");
    let page = client
        .instances(Some("two-tasks"), Some("cancelled"), 10)
        .await
        .expect("instances");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, instance.id);

    // Problems arrive with their title and detail.
    let error = client
        .cancel(&instance.id)
        .await
        .expect_err("cancelling twice is a conflict");
    match error {
        ClientError::Status {
            status,
            title,
            detail,
            ..
        } => {
            assert_eq!(status, StatusCode::CONFLICT);
            assert_eq!(title, "Conflict");
            assert!(!detail.is_empty());
        }
        other => panic!("expected a problem, got {other:?}"),
    }
    let error = client
        .instance("no such/instance")
        .await
        .expect_err("unknown instance");
    assert!(
        matches!(
            error,
            ClientError::Status {
                status: StatusCode::NOT_FOUND,
                ..
            }
        ),
        "got {error:?}"
    );
    db.finish().await;
}
