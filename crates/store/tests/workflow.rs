//! Durable execution on both databases: start, jobs, incidents, history,
//! messages and timers through `flowdesk_store::workflow`.

use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::workflow::{JobOutcome, Workflow};
use flowdesk_store::{dual_test, history, incidents, instances, jobs, Store};
use serde_json::{json, Map, Value};

const ORDER_APPROVAL: &str = include_str!("../../model/tests/fixtures/order-approval.bpmn");

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

const T0: i64 = 1_700_000_000_000;

async fn deploy(store: &Store, process_id: &str, xml: &str) -> Definition {
    let mut tx = store.begin().await.unwrap();
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id,
            name: process_id,
            resource_name: "test.bpmn",
            content: xml,
            deployed_at: T0,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    definition
}

fn vars(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

async fn start(
    workflow: &Workflow,
    definition: &Definition,
    variables: Value,
) -> instances::Instance {
    let mut tx = workflow.begin().await.unwrap();
    let instance = workflow
        .start_instance(&mut tx, definition, vars(variables), "test", T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    instance
}

async fn activate_one(workflow: &Workflow, job_type: &str, now: i64) -> jobs::Job {
    let mut activated = workflow
        .activate_jobs(job_type, "worker-1", 10, 30_000, now)
        .await
        .unwrap();
    assert_eq!(activated.len(), 1, "one {job_type} job: {activated:?}");
    activated.remove(0)
}

async fn complete(workflow: &Workflow, key: i64, variables: Value) -> JobOutcome {
    let mut tx = workflow.begin().await.unwrap();
    let outcome = workflow
        .complete_job(&mut tx, key, vars(variables), T0 + 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    outcome
}

dual_test!(async fn order_approval_runs_to_completion(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "order-approval", ORDER_APPROVAL).await;
    let instance = start(&workflow, &definition, json!({"order": {"amount": 250}, "amount": 250})).await;
    assert_eq!(instance.state, "active");

    let job = activate_one(&workflow, "check-order", T0 + 1).await;
    assert_eq!(job.state, "activated");
    assert_eq!(job.worker.as_deref(), Some("worker-1"));
    assert_eq!(job.element_id, "Activity_CheckOrder");
    assert!(job.custom_headers.contains("channel"));
    // Leased: nobody else gets it before the deadline.
    assert!(workflow.activate_jobs("check-order", "w2", 10, 1000, T0 + 2).await.unwrap().is_empty());

    assert_eq!(complete(&workflow, job.key, json!({"valid": true})).await, JobOutcome::Applied);
    // Completing twice is harmless.
    assert_eq!(complete(&workflow, job.key, json!({"valid": true})).await, JobOutcome::AlreadyDone);

    let auto = activate_one(&workflow, "auto-approve", T0 + 3).await;
    assert_eq!(complete(&workflow, auto.key, json!({})).await, JobOutcome::Applied);

    let done = instances::find(store.pool(), &instance.id).await.unwrap().unwrap();
    assert_eq!(done.state, "completed");
    assert!(done.ended_at.is_some());
    let variables: Value = serde_json::from_str(&done.variables).unwrap();
    assert_eq!(variables["orderValid"], true);

    let events = history::for_instance(store.pool(), &instance.id).await.unwrap();
    let path: Vec<&str> = events
        .iter()
        .filter(|event| event.kind == "elementCompleted")
        .filter_map(|event| event.element_id.as_deref())
        .collect();
    assert_eq!(
        path,
        [
            "StartEvent_OrderReceived",
            "Activity_CheckOrder",
            "Gateway_Amount",
            "Activity_AutoApprove",
            "Gateway_Join",
            "EndEvent_OrderApproved",
        ]
    );
    assert!(events.windows(2).all(|pair| pair[0].seq < pair[1].seq));
});

dual_test!(async fn large_orders_wait_for_approval(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "order-approval", ORDER_APPROVAL).await;
    let instance = start(&workflow, &definition, json!({"order": {"amount": 5000}, "amount": 5000})).await;
    let job = activate_one(&workflow, "check-order", T0 + 1).await;
    complete(&workflow, job.key, json!({"valid": true})).await;
    let open: Vec<_> = jobs::list_for_instance(store.pool(), &instance.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|job| job.state == "activatable")
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].element_id, "Activity_ApproveOrder");
    assert_eq!(open[0].kind, "userTask");
    complete(&workflow, open[0].key, json!({"approved": true})).await;
    let done = instances::find(store.pool(), &instance.id).await.unwrap().unwrap();
    assert_eq!(done.state, "completed");
});

dual_test!(async fn failing_without_retries_raises_an_incident_until_resolved(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "order-approval", ORDER_APPROVAL).await;
    let instance = start(&workflow, &definition, json!({"order": {"amount": 10}})).await;
    let job = activate_one(&workflow, "check-order", T0 + 1).await;

    // With retries left and a backoff, the job comes back after the backoff.
    let mut tx = workflow.begin().await.unwrap();
    workflow.fail_job(&mut tx, job.key, 2, "timeout", 5_000, T0 + 2).await.unwrap();
    tx.commit().await.unwrap();
    assert!(workflow.activate_jobs("check-order", "w", 10, 1000, T0 + 3).await.unwrap().is_empty());
    let again = activate_one(&workflow, "check-order", T0 + 5_002).await;
    assert_eq!(again.key, job.key);
    assert_eq!(again.retries, 2);

    let mut tx = workflow.begin().await.unwrap();
    workflow.fail_job(&mut tx, job.key, 0, "order service down", 0, T0 + 6_000).await.unwrap();
    tx.commit().await.unwrap();
    let failed = jobs::find(store.pool(), job.key).await.unwrap().unwrap();
    assert_eq!(failed.state, "failed");
    assert_eq!(failed.error_message.as_deref(), Some("order service down"));
    assert!(workflow.activate_jobs("check-order", "w", 10, 1000, T0 + 7_000).await.unwrap().is_empty());

    let open = incidents::list(store.pool(), Some("open"), 10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].instance_id, instance.id);
    assert_eq!(open[0].job_key, Some(job.key));
    assert_eq!(open[0].kind, "jobNoRetries");
    assert!(open[0].message.contains("order service down"));

    let mut tx = workflow.begin().await.unwrap();
    assert_eq!(
        workflow.resolve_incident(&mut tx, open[0].key, T0 + 8_000).await.unwrap(),
        JobOutcome::Applied
    );
    tx.commit().await.unwrap();
    assert!(incidents::list(store.pool(), Some("open"), 10).await.unwrap().is_empty());
    let resumed = activate_one(&workflow, "check-order", T0 + 8_001).await;
    assert_eq!(resumed.key, job.key);
    assert!(resumed.retries >= 1);
});

dual_test!(async fn messages_and_timers_move_waiting_instances(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "waiting", WAITING).await;
    let instance = start(&workflow, &definition, json!({"orderId": "ORD-7"})).await;
    assert_eq!(instance.state, "active");

    let mut tx = workflow.begin().await.unwrap();
    let none = workflow
        .correlate_message(&mut tx, "payment-received", "ORD-8", Map::new(), T0 + 1)
        .await
        .unwrap();
    assert!(none.is_empty());
    let correlated = workflow
        .correlate_message(&mut tx, "payment-received", "ORD-7", vars(json!({"paid": 42})), T0 + 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(correlated, std::slice::from_ref(&instance.id));

    // The one-hour timer is scheduled from the correlation time.
    assert_eq!(workflow.fire_due_timers(T0 + 1_000).await.unwrap(), 0);
    assert_eq!(workflow.fire_due_timers(T0 + 1 + 3_600_000).await.unwrap(), 1);
    assert_eq!(workflow.fire_due_timers(T0 + 2 * 3_600_000).await.unwrap(), 0);

    let done = instances::find(store.pool(), &instance.id).await.unwrap().unwrap();
    assert_eq!(done.state, "completed");
    let variables: Value = serde_json::from_str(&done.variables).unwrap();
    assert_eq!(variables["paid"], 42);
});

dual_test!(async fn cancelling_ends_the_instance_and_its_jobs(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "order-approval", ORDER_APPROVAL).await;
    let instance = start(&workflow, &definition, json!({})).await;
    let mut tx = workflow.begin().await.unwrap();
    workflow.cancel_instance(&mut tx, &instance.id, T0 + 1).await.unwrap();
    tx.commit().await.unwrap();
    let cancelled = instances::find(store.pool(), &instance.id).await.unwrap().unwrap();
    assert_eq!(cancelled.state, "cancelled");
    assert!(workflow.activate_jobs("check-order", "w", 10, 1000, T0 + 2).await.unwrap().is_empty());
});

dual_test!(async fn concurrent_completions_apply_once(store) {
    let workflow = Workflow::new(store.clone());
    let definition = deploy(&store, "order-approval", ORDER_APPROVAL).await;
    let instance = start(&workflow, &definition, json!({"amount": 5})).await;
    let job = activate_one(&workflow, "check-order", T0 + 1).await;
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let workflow = workflow.clone();
            tokio::spawn(async move { complete(&workflow, job.key, json!({"valid": true})).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for racer in racers {
        outcomes.push(racer.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| **o == JobOutcome::Applied).count(), 1, "{outcomes:?}");
    let auto: Vec<_> = jobs::list_for_instance(store.pool(), &instance.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|job| job.job_type == "auto-approve")
        .collect();
    assert_eq!(auto.len(), 1, "the next step was created once");
});
