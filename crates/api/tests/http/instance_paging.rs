//! The instance list with keyset paging (`after`/`next`), its filters and
//! its capped count.

use std::collections::HashSet;

use axum::http::StatusCode;
use flowdesk_store::instances::{self, Instance};
use flowdesk_store::{dual_test, Store};
use serde_json::{json, Value};

use crate::common::*;

const QUICK: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="quick" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// Inserts `count` instance rows of the deployed `quick` process started at
/// `first_at`, `first_at + 1`, … (`same_time`: all at `first_at`).
async fn insert(store: &Store, definition: &Value, count: i64, first_at: i64, same_time: bool) {
    let mut tx = store.begin().await.unwrap();
    for n in 0..count {
        instances::insert(
            &mut tx,
            &Instance {
                id: flowdesk_store::new_id(),
                definition_id: definition["id"].as_str().unwrap().to_string(),
                process_id: "quick".into(),
                process_name: String::new(),
                version: definition["version"].as_i64().unwrap(),
                state: "completed".into(),
                variables: format!(
                    r#"{{"n":{n},"tier":"{}"}}"#,
                    if n % 2 == 0 { "gold" } else { "basic" }
                ),
                started_at: if same_time { first_at } else { first_at + n },
                ended_at: Some(first_at + count),
                started_by: "admin".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn page(app: &axum::Router, auth: &Auth, query: &str) -> Value {
    let reply = get(app, &format!("/api/instances?{query}"), auth).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

dual_test!(async fn keyset_pages_neither_repeat_nor_skip_while_instances_start(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let deployed = post_xml(&app, "/api/definitions?name=quick.bpmn", &admin, QUICK).await.json();
    let definition = deployed[0].clone();
    // 23 instances, 7 of them started in the same millisecond (ties are
    // ordered by id).
    insert(&store, &definition, 16, 1_000, false).await;
    insert(&store, &definition, 7, 1_008, true).await;
    let before = page(&app, &admin, "limit=500").await;
    let expected = ids(&before);
    assert_eq!(expected.len(), 23);
    assert_eq!(before["total"], 23);
    assert_eq!(before["total_capped"], false);
    assert_eq!(before["next"], Value::Null);

    let mut seen = Vec::new();
    let mut query = "limit=5".to_string();
    loop {
        let current = page(&app, &admin, &query).await;
        assert!(current["items"].as_array().unwrap().len() <= 5);
        seen.extend(ids(&current));
        // New instances start between the pages (they are newer: before the cursor).
        let started = post_json(&app, "/api/instances", &admin, json!({"process_id": "quick"})).await;
        assert_eq!(started.status, StatusCode::CREATED);
        match current["next"].as_str() {
            Some(next) => query = format!("limit=5&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every page in order, none twice, none missed");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23);

    // Offset paging still works for existing callers.
    let second = page(&app, &admin, "limit=5&offset=5").await;
    assert_eq!(second["items"].as_array().unwrap().len(), 5);
});

dual_test!(async fn filters_combine_with_the_cursor(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let definition = post_xml(&app, "/api/definitions?name=quick.bpmn", &admin, QUICK).await.json()[0].clone();
    insert(&store, &definition, 10, 1_700_000_000_000, false).await;

    // Variable value: JSON, or a plain string.
    let gold = page(&app, &admin, "variable=tier&value=gold&limit=2").await;
    assert_eq!(gold["total"], 5);
    let mut all_gold = ids(&gold);
    let rest = page(&app, &admin, &format!("variable=tier&value=%22gold%22&limit=10&after={}", gold["next"].as_str().unwrap())).await;
    all_gold.extend(ids(&rest));
    assert_eq!(all_gold.len(), 5);
    let n3 = page(&app, &admin, "variable=n&value=3").await;
    assert_eq!(n3["total"], 1);
    assert_eq!(n3["items"][0]["variables"]["n"], 3);
    assert_eq!(page(&app, &admin, "variable=n&value=%223%22").await["total"], 0, "the string \"3\" is not the number 3");

    // Start date range [from, before).
    let ranged = page(&app, &admin, "started_from=2023-11-14T22:13:20.002Z&started_before=2023-11-14T22:13:20.005Z").await;
    assert_eq!(ranged["total"], 3);
    // Version and state.
    assert_eq!(page(&app, &admin, "version=1&state=completed").await["total"], 10);
    assert_eq!(page(&app, &admin, "version=2").await["total"], 0);
    assert_eq!(page(&app, &admin, "state=incident").await["total"], 0);

    // Malformed parameters: 400 naming the parameter.
    for (query, named) in [
        ("after=yesterday", "after"),
        ("after=12_not-hex!", "after"),
        ("started_from=monday", "started_from"),
        ("variable=tier", "tier"),
        ("value=gold", "value"),
        ("version=two", "version"),
    ] {
        let reply = get(&app, &format!("/api/instances?{query}"), &admin).await;
        let problem = reply.assert_problem(400, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains(named), "{query}: {problem}");
    }
});

dual_test!(async fn the_count_stops_at_a_thousand(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let definition = post_xml(&app, "/api/definitions?name=quick.bpmn", &admin, QUICK).await.json()[0].clone();
    insert(&store, &definition, 1_001, 5_000, false).await;
    let first = page(&app, &admin, "limit=50").await;
    assert_eq!(first["total"], 1_000);
    assert_eq!(first["total_capped"], true);
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    assert!(first["next"].is_string());
    let exact = page(&app, &admin, "limit=50&variable=tier&value=basic").await;
    assert_eq!(exact["total"], 500);
    assert_eq!(exact["total_capped"], false);
});

/// Page 1, a deep page and a filtered page of the list at 100,000
/// instances, timed through the Router (run with `--run-ignored only`; the
/// figures go to docs/ARCHITECTURE.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: inserts 100,000 instances per dialect"]
async fn measure_pages_at_100k() {
    for dialect in [
        flowdesk_store::Dialect::Sqlite,
        flowdesk_store::Dialect::Postgres,
    ] {
        flowdesk_store::test_support::run(dialect, |store: Store| async move {
            let app = app(&store);
            let admin = setup_admin(&app).await;
            let definition = post_xml(&app, "/api/definitions?name=quick.bpmn", &admin, QUICK)
                .await
                .json()[0]
                .clone();
            insert(&store, &definition, 100_000, 1_700_000_000_000, false).await;
            let timed = |query: String| {
                let app = app.clone();
                let admin = admin.clone();
                async move {
                    let started = std::time::Instant::now();
                    let body = page(&app, &admin, &query).await;
                    (started.elapsed(), body)
                }
            };
            let (first, body) = timed("limit=50".into()).await;
            assert_eq!(body["total_capped"], true);
            let mut after = body["next"].as_str().unwrap().to_string();
            for _ in 0..998 {
                let next = page(&app, &admin, &format!("limit=50&after={after}")).await;
                after = next["next"].as_str().unwrap().to_string();
            }
            let (deep, _) = timed(format!("limit=50&after={after}")).await;
            let (offset, _) = timed("limit=50&offset=50000".into()).await;
            let (state, _) = timed("limit=50&state=completed".into()).await;
            let (variable, _) = timed("limit=50&variable=tier&value=gold".into()).await;
            println!(
                "{dialect:?} at 100,000 instances: page 1 {first:?}, page 1,000 by cursor {deep:?}, \
                 page 1,001 by offset {offset:?}, state filter page 1 {state:?}, variable filter page 1 {variable:?}"
            );
        })
        .await;
    }
}
