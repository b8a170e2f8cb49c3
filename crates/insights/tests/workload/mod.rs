//! A generated workload shared by the read-model tests: claims with a
//! worker job that sometimes raises an incident, a user task with an
//! interrupting one-hour timer, cancellations, instances left active, two
//! process versions, over several days, driven with an explicit clock.

use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{incidents, jobs, Store};

pub const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

pub fn claims_xml(name: &str) -> String {
    format!(
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="claims" name="{name}" isExecutable="true">
    <bpmn:startEvent id="received" />
    <bpmn:serviceTask id="check"><bpmn:extensionElements><zeebe:taskDefinition type="check" retries="1" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:userTask id="approve"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:boundaryEvent id="too_late" attachedToRef="approve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="approved" />
    <bpmn:endEvent id="escalated" />
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="approve" />
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="approved" />
    <bpmn:sequenceFlow id="f4" sourceRef="too_late" targetRef="escalated" />
  </bpmn:process>
</bpmn:definitions>"#
    )
}

/// A small deterministic generator (no dependency, same numbers every run).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }
    pub fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.step() % n
    }
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low) as u64) as i64
    }
}

pub async fn deploy(store: &Store, name: &str, at: i64) -> Definition {
    let xml = claims_xml(name);
    let mut tx = store.begin().await.unwrap();
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id: "claims",
            name,
            resource_name: "claims.bpmn",
            content: &xml,
            deployed_at: at,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    definition
}

async fn open_job(store: &Store, instance_id: &str, kind: &str) -> i64 {
    jobs::list_for_instance(store.pool(), instance_id)
        .await
        .unwrap()
        .into_iter()
        .find(|job| job.kind == kind && matches!(job.state.as_str(), "activatable" | "activated"))
        .unwrap_or_else(|| panic!("instance {instance_id} has no open {kind} job"))
        .key
}

/// Runs instances `range` of the workload, each to its end (or left
/// waiting at its worker job), instance `i` starting at `T0 + i * 3 min`.
pub async fn run(store: &Store, definitions: &[Definition], range: std::ops::Range<u64>) {
    run_spaced(store, definitions, range, 180_000).await;
}

/// [`run`] with instance `i` starting at `T0 + i * spacing` (ms).
pub async fn run_spaced(
    store: &Store,
    definitions: &[Definition],
    range: std::ops::Range<u64>,
    spacing: i64,
) {
    let workflow = Workflow::new(store.clone());
    for i in range {
        let mut rng = Lcg::new(i * 7919 + 17);
        let definition = &definitions[rng.below(definitions.len() as u64) as usize];
        let mut now = T0 + i as i64 * spacing;
        let mut tx = workflow.begin().await.unwrap();
        let instance = workflow
            .start_instance(&mut tx, definition, Default::default(), "test", now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let fate = rng.below(100);
        if fate < 4 {
            // Left waiting at its worker job: the backlog.
            continue;
        }
        if fate < 8 {
            now += rng.between(1_000, 600_000);
            let mut tx = workflow.begin().await.unwrap();
            workflow
                .cancel_instance(&mut tx, &instance.id, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            continue;
        }
        let check = open_job(store, &instance.id, "worker").await;
        now += rng.between(500, 600_000);
        if fate < 20 {
            let mut tx = workflow.begin().await.unwrap();
            workflow
                .fail_job(&mut tx, check, 0, "service down", 0, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let incident = incidents::list(store.pool(), Some("open"), 10)
                .await
                .unwrap()
                .into_iter()
                .find(|incident| incident.instance_id == instance.id)
                .expect("an open incident");
            now += rng.between(60_000, 7_200_000);
            let mut tx = workflow.begin().await.unwrap();
            workflow
                .resolve_incident(&mut tx, incident.key, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            now += rng.between(500, 60_000);
        }
        let mut tx = workflow.begin().await.unwrap();
        workflow
            .complete_job(&mut tx, check, Default::default(), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let wait = rng.between(30_000, 5_400_000);
        if fate < 23 {
            now += wait / 2;
            let mut tx = workflow.begin().await.unwrap();
            workflow
                .cancel_instance(&mut tx, &instance.id, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        } else if wait < 3_600_000 {
            let task = open_job(store, &instance.id, "userTask").await;
            let mut tx = workflow.begin().await.unwrap();
            workflow
                .complete_job(&mut tx, task, Default::default(), now + wait)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        } else {
            let fired = workflow.fire_due_timers(now + 3_600_000).await.unwrap();
            assert_eq!(fired, 1, "instance {i}: the approval timer fires");
        }
    }
}
