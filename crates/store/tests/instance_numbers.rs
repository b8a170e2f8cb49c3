//! Instance numbers reserved in blocks stay unique when several stores
//! (processes, nodes) share one database, when a command starts more
//! instances than a block holds, and when a transaction rolls back.

use std::collections::HashSet;

use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::instance_numbers::BLOCK;
use flowdesk_store::test_support::TestDb;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{Dialect, Store};
use sqlx::Row;

const STRAIGHT: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="straight" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

async fn deploy(store: &Store) -> Definition {
    let mut tx = store.begin().await.unwrap();
    let (definition, _) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id: "straight",
            name: "straight",
            resource_name: "straight.bpmn",
            content: STRAIGHT,
            deployed_at: 1,
            deployed_by: "test",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    definition
}

/// Starts `count` instances in one transaction of `workflow`, committed or
/// rolled back.
async fn start(workflow: &Workflow, definition: &Definition, count: usize, commit: bool) {
    let mut tx = workflow.begin().await.unwrap();
    for _ in 0..count {
        let instance = workflow
            .start_instance(&mut tx, definition, Default::default(), "test", 1)
            .await
            .unwrap();
        assert_eq!(instance.state, "completed");
    }
    if commit {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
}

async fn shared_database(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    let other = Store::connect(&db.url).await.unwrap();
    let definition = deploy(&db.store).await;
    let first = Workflow::new(db.store.clone());
    let second = Workflow::new(other.clone());

    start(&first, &definition, 3, false).await;
    start(&second, &definition, 2, true).await;
    start(&first, &definition, 2, true).await;
    // More than a block in one transaction: the rest come from the row.
    start(&first, &definition, BLOCK as usize + 5, true).await;
    start(&second, &definition, 1, true).await;
    start(&first, &definition, 1, true).await;

    let rows = sqlx::query("SELECT instance_key FROM instances")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    let keys: Vec<i64> = rows.iter().map(|row| row.get("instance_key")).collect();
    let expected = 2 + 2 + BLOCK as usize + 5 + 1 + 1;
    assert_eq!(keys.len(), expected, "every committed start is stored");
    let distinct: HashSet<i64> = keys.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        expected,
        "instance keys are unique: {keys:?}"
    );

    let next: i64 = sqlx::query("SELECT next_instance FROM engine_keys WHERE id = 1")
        .fetch_one(db.store.pool())
        .await
        .unwrap()
        .get("next_instance");
    let highest = keys.iter().max().copied().unwrap_or_default() >> 20;
    assert!(
        next > highest,
        "the counter ({next}) is past every number handed out ({highest})"
    );
    other.close().await;
    db.finish().await;
}

#[tokio::test]
async fn numbers_stay_unique_across_stores_sqlite() {
    shared_database(Dialect::Sqlite).await;
}

#[tokio::test]
async fn numbers_stay_unique_across_stores_postgres() {
    shared_database(Dialect::Postgres).await;
}
