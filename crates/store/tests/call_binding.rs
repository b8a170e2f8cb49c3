//! Call activity `bindingType="deployment"` in the durable runner. The store
//! keeps no deployment grouping, so the version deployed with the calling
//! definition is the called process's latest version deployed at or before
//! the calling version's deployment time.

use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{dual_test, incidents, Store};
use serde_json::Map;

const T0: i64 = 1_700_000_000_000;

/// Process `child` with one task of job type `work-<n>`.
fn child(n: u32) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="child" isExecutable="true">
    <bpmn:startEvent id="cs" />
    <bpmn:serviceTask id="ctask">
      <bpmn:extensionElements><zeebe:taskDefinition type="work-{n}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="ce" />
    <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="ctask" />
    <bpmn:sequenceFlow id="c2" sourceRef="ctask" targetRef="ce" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

/// Process `parent` calling `child` with `bindingType="deployment"`.
const PARENT: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="parent" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:callActivity id="call">
      <bpmn:extensionElements><zeebe:calledElement processId="child" bindingType="deployment" /></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="p1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

async fn deploy(store: &Store, process_id: &str, xml: &str, deployed_at: i64) -> Definition {
    let mut tx = store.begin().await.unwrap();
    let (definition, created) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id,
            name: process_id,
            resource_name: "test.bpmn",
            content: xml,
            deployed_at,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(created);
    definition
}

async fn start(workflow: &Workflow, definition: &Definition, now: i64) {
    let mut tx = workflow.begin().await.unwrap();
    workflow
        .start_instance(&mut tx, definition, Map::new(), "test", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn open_jobs(workflow: &Workflow, job_type: &str, now: i64) -> usize {
    workflow
        .activate_jobs(job_type, "worker", 10, 30_000, now)
        .await
        .unwrap()
        .len()
}

dual_test!(async fn deployment_binding_starts_the_version_deployed_with_the_caller(store) {
    let workflow = Workflow::new(store.clone());
    deploy(&store, "child", &child(1), T0).await;
    let parent = deploy(&store, "parent", PARENT, T0 + 1_000).await;
    deploy(&store, "child", &child(2), T0 + 2_000).await;

    start(&workflow, &parent, T0 + 3_000).await;
    assert_eq!(open_jobs(&workflow, "work-2", T0 + 3_000).await, 0);
    assert_eq!(open_jobs(&workflow, "work-1", T0 + 3_000).await, 1);
    let open = incidents::list(store.pool(), Some("open"), 10).await.unwrap();
    assert!(open.is_empty(), "{open:?}");
});

dual_test!(async fn deployment_binding_without_an_earlier_version_is_an_incident(store) {
    let workflow = Workflow::new(store.clone());
    let parent = deploy(&store, "parent", PARENT, T0).await;
    deploy(&store, "child", &child(1), T0 + 1_000).await;

    start(&workflow, &parent, T0 + 2_000).await;
    assert_eq!(open_jobs(&workflow, "work-1", T0 + 2_000).await, 0);
    let open = incidents::list(store.pool(), Some("open"), 10).await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].element_id, "call");
    assert!(open[0].message.contains("child"), "{}", open[0].message);
});
