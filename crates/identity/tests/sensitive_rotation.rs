//! `keys::rotate` re-seals sensitive process variables too (they are
//! registered in `flowdesk_store::sensitive::SEALED_DOCUMENTS`), and the
//! instance keeps running on the re-sealed state.

use flowdesk_identity::keys;
use flowdesk_store::definitions::{self, Kind, NewDefinition};
use flowdesk_store::test_support::test_master_key;
use flowdesk_store::workflow::{JobOutcome, Workflow};
use flowdesk_store::{dual_test, instances};
use flowdesk_vault::sealed_version;
use sqlx::Row;

const PROCESS: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="flowdesk:sensitive" value="pin" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// The data key versions of every sealed member in the variable columns.
async fn versions(store: &flowdesk_store::Store) -> Vec<u32> {
    let mut versions = Vec::new();
    for sql in [
        "SELECT variables AS t FROM instances",
        "SELECT state_json AS t FROM instances",
        "SELECT variables AS t FROM jobs",
    ] {
        for row in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
            let text: String = row.try_get("t").unwrap();
            versions.extend(
                text.split('"')
                    .filter_map(sealed_version)
                    .collect::<Vec<_>>(),
            );
        }
    }
    versions
}

dual_test!(async fn rotation_reseals_sensitive_variables_and_the_instance_runs_on(store) {
    let mut tx = store.begin().await.unwrap();
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id: "p",
            name: "p",
            resource_name: "p.bpmn",
            content: PROCESS,
            deployed_at: 0,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let workflow = Workflow::new(store.clone());
    let mut tx = workflow.begin().await.unwrap();
    let variables = serde_json::json!({"pin": "pin-4711-plain", "other": 1});
    let instance = workflow
        .start_instance(&mut tx, &definition, variables.as_object().cloned().unwrap(), "test", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(versions(&store).await, [1, 1, 1], "instance variables, state and job");

    let rotation = keys::rotate(&store, test_master_key(), "cli", 1, 2).await.unwrap();
    assert_eq!(rotation.version, 2);
    assert_eq!(rotation.resealed, 3);
    assert_eq!(versions(&store).await, [2, 2, 2]);

    // The store's own keys load the new data key when they meet it.
    let job = workflow.activate_jobs("work", "w", 1, 1000, 3).await.unwrap().remove(0);
    let mut tx = workflow.begin().await.unwrap();
    let outcome = workflow
        .complete_job(&mut tx, job.key, serde_json::Map::new(), 4)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome, JobOutcome::Applied);
    let done = instances::find(store.pool(), &instance.id).await.unwrap().unwrap();
    assert_eq!(done.state, "completed");
    assert!(!done.variables.contains("pin-4711-plain"));
});
