//! The embedded-mode commands of the real binary on both databases:
//! deploy, start, instances, incidents.

use std::process::{Command, Output};

use flowdesk_store::dual_test;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");
const ORDER_APPROVAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../model/tests/fixtures/order-approval.bpmn"
);

fn flowdesk(args: &[&str]) -> Output {
    let output = Command::new(BIN)
        .args(args)
        .env_remove("FLOWDESK_CONFIG")
        .env_remove("FLOWDESK_DB")
        .output()
        .expect("the flowdesk binary runs");
    assert!(
        output.status.success(),
        "flowdesk {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

dual_test!(async fn deploy_start_and_list_in_embedded_mode(store) {
    let url = match store.dialect() {
        flowdesk_store::Dialect::Sqlite => {
            // The test database is a file; reach it through its own URL.
            let row: (String,) = sqlx_file(&store).await;
            format!("sqlite:{}", row.0)
        }
        flowdesk_store::Dialect::Postgres => pg_url(&store).await,
    };
    let deployed = flowdesk(&["deploy", ORDER_APPROVAL, "--db", &url]);
    assert!(String::from_utf8_lossy(&deployed.stdout).contains("order-approval v1"));

    let started = json(&flowdesk(&[
        "start", "order-approval", "--vars", r#"{"amount": 10}"#, "--db", &url, "--json",
    ]));
    assert_eq!(started["state"], "active", "waits at the check-order job");
    assert_eq!(started["variables"]["amount"], 10);

    let listed = json(&flowdesk(&["instances", "--process", "order-approval", "--db", &url, "--json"]));
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], started["id"]);
    let none = json(&flowdesk(&["instances", "--process", "other", "--db", &url, "--json"]));
    assert_eq!(none, serde_json::json!([]));
    let incidents = json(&flowdesk(&["incidents", "--db", &url, "--json"]));
    assert_eq!(incidents, serde_json::json!([]));

    let bad = Command::new(BIN)
        .args(["start", "order-approval", "--vars", "[1]", "--db", &url])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("variables must be a JSON object"));
});

/// The file behind a SQLite test store.
async fn sqlx_file(store: &flowdesk_store::Store) -> (String,) {
    use sqlx::Row;
    let row = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(store.pool())
        .await
        .expect("database list");
    (row.try_get("file").expect("file"),)
}

/// The URL of a PostgreSQL test store.
async fn pg_url(store: &flowdesk_store::Store) -> String {
    use sqlx::Row;
    let row = sqlx::query("SELECT CAST(current_database() AS TEXT) AS name")
        .fetch_one(store.pool())
        .await
        .expect("current database");
    let name: String = row.try_get("name").expect("name");
    format!(
        "{}/{name}",
        flowdesk_store::test_support::postgres_base_url()
    )
}
