//! `flowdesk serve` with decision data provider connections from the
//! config file: a deployed decision fetches its input from a PostgreSQL
//! database through an SQL provider, and a bad connection URL stops the
//! start-up with an error naming the connection, never the URL.

mod common;

use common::*;
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;
use serde_json::{json, Value};

/// A password in the connection URL (trust authentication ignores it);
/// it must not reach the log.
const URL_PASSWORD: &str = "not-for-the-log";

/// The API test's decision whose input data comes from an SQL provider on `crm`.
const CREDIT_DMN: &str = include_str!("../../api/tests/http/credit.dmn");

/// Kills the server when the test ends, however it ends.
/// Starts `flowdesk --config CONFIG serve` and waits until it is ready.
async fn serve_with_config(
    config: &str,
    address: &str,
    log_path: &std::path::Path,
) -> (Server, String) {
    serve(&["--config", config, "serve"], address, log_path).await
}

async fn evaluate(base: &str, token: &str, customer_id: i64) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/decisions/credit_decision/evaluate"))
        .bearer_auth(token)
        .json(&json!({"variables": {"customerId": customer_id}}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// `toml` string quoting for a URL or path.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_evaluates_decisions_with_the_configured_sql_connection() {
    let db = TestDb::fresh(Dialect::Postgres).await;
    let crm = TestDb::fresh(Dialect::Postgres).await;
    for statement in [
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, income NUMERIC(12, 2) NOT NULL)",
        "INSERT INTO customers VALUES (1, 'Ada', 85000), (2, 'Bob', 21000)",
    ] {
        sqlx::raw_sql(statement)
            .execute(crm.store.pool())
            .await
            .unwrap();
    }
    let crm_url = crm.url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{URL_PASSWORD}@"),
        1,
    );
    let dir = TempDir::new("decision-providers");
    let address = format!("127.0.0.1:{}", free_port());
    let config = dir.write(
        "flowdesk.toml",
        &format!(
            "db = {}\nlisten = {}\n\n[providers.connections.crm]\nurl = {}\n",
            quoted(&db.url),
            quoted(&address),
            quoted(&crm_url)
        ),
    );
    let log_path = dir.path().join("server.log");
    let (server, base) = serve_with_config(&config, &address, &log_path).await;
    let secret = api_token(&base, "provider test").await;

    let deployed = reqwest::Client::new()
        .post(format!("{base}/api/decisions?name=credit.dmn"))
        .bearer_auth(&secret)
        .header("content-type", "application/xml")
        .body(CREDIT_DMN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        deployed.status(),
        201,
        "{}",
        deployed.text().await.unwrap_or_default()
    );

    let ada = evaluate(&base, &secret, 1).await;
    assert_eq!(ada["result"], "approve", "{ada}");
    let bob = evaluate(&base, &secret, 2).await;
    assert_eq!(bob["result"], "decline", "{bob}");
    // The value is fetched at each evaluation: a raise changes the outcome.
    sqlx::raw_sql("UPDATE customers SET income = 60000 WHERE id = 2")
        .execute(crm.store.pool())
        .await
        .unwrap();
    let bob = evaluate(&base, &secret, 2).await;
    assert_eq!(bob["result"], "approve", "{bob}");

    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("crm"), "the connection name is logged: {log}");
    assert!(!log.contains(URL_PASSWORD), "the URL is not logged: {log}");
    crm.finish().await;
    db.finish().await;
}

#[test]
fn a_bad_connection_url_stops_serve_naming_the_connection() {
    let dir = TempDir::new("decision-providers-bad-url");
    let config = dir.write(
        "flowdesk.toml",
        &format!(
            "db = \"sqlite::memory:\"\nlisten = \"127.0.0.1:{}\"\n\n\
             [providers.connections.billing]\nurl = \"mysql://app:{URL_PASSWORD}@db/billing\"\n",
            free_port()
        ),
    );
    let (_, stderr) = flowdesk_fails(&["--config", &config, "serve"]);
    assert!(stderr.contains("`billing`"), "{stderr}");
    assert!(!stderr.contains(URL_PASSWORD), "{stderr}");

    let (_, stderr) = command(&["serve", "--db", "sqlite::memory:"])
        .env(
            "FLOWDESK_PROVIDERS__CONNECTIONS__LEDGER__URL",
            format!("ftp://app:{URL_PASSWORD}@db/ledger"),
        )
        .output()
        .map(|output| {
            assert!(!output.status.success());
            (
                output.status,
                String::from_utf8_lossy(&output.stderr).to_string(),
            )
        })
        .unwrap();
    assert!(stderr.contains("`ledger`"), "{stderr}");
    assert!(!stderr.contains(URL_PASSWORD), "{stderr}");
}
