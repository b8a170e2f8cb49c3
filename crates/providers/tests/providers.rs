//! SQL providers against fresh PostgreSQL and SQLite databases and HTTP
//! providers against a local HTTP server, through DMN evaluations.

use std::sync::Arc;

use flowdesk_providers::{ConnectionConfig, Providers, SetupError};
use flowdesk_rules::{Catalog, Context, DmnModel, Trace, Value};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;

const NS: &str = "https://www.omg.org/spec/DMN/20230324/MODEL/";

fn model(provider: &str, expression: &str) -> String {
    format!(
        r##"<definitions xmlns="{NS}" xmlns:flowdesk="https://flowdesk.dev/dmn/provider"
    id="m" name="m" namespace="urn:providers">
  <inputData id="customerId" name="customerId"/>
  <inputData id="customer" name="customer">
    <extensionElements>{provider}</extensionElements>
  </inputData>
  <decision id="d" name="d">
    <informationRequirement><requiredInput href="#customer"/></informationRequirement>
    <literalExpression><text>{expression}</text></literalExpression>
  </decision>
</definitions>"##
    )
}

/// Evaluates decision `d` on a blocking thread, as callers must.
async fn evaluate(xml: String, providers: Arc<Providers>, customer_id: Value) -> (Value, Trace) {
    tokio::task::spawn_blocking(move || {
        let mut catalog = Catalog::new().with_data_provider(providers);
        catalog.add(DmnModel::parse(&xml).expect("model loads"));
        let mut inputs = Context::new();
        inputs.insert("customerId", customer_id);
        catalog
            .evaluate_decision("urn:providers", "d", inputs)
            .expect("decision exists")
    })
    .await
    .expect("evaluation thread")
}

async fn customers(db: &TestDb) {
    for statement in [
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, income NUMERIC(12, 2), since DATE)",
        "INSERT INTO customers VALUES (1, 'Ada', 85000.50, '2019-03-01')",
        "INSERT INTO customers VALUES (2, 'Bob', 21000, '2024-11-15')",
    ] {
        sqlx::raw_sql(statement)
            .execute(db.store.pool())
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

const ROW: &str = r#"<flowdesk:provider type="sql" connection="crm" timeout="PT5S"
  query="select name, income, since from customers where id = :customerId"/>"#;

async fn sql_row_becomes_a_context(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    customers(&db).await;
    let providers = Arc::new(
        Providers::new(&[ConnectionConfig {
            name: "crm".into(),
            url: db.url.clone(),
        }])
        .unwrap(),
    );
    let xml = model(ROW, "customer.name + \" earns \" + string(customer.income)");
    let (result, trace) = evaluate(xml.clone(), providers.clone(), Value::int(1)).await;
    assert_eq!(result, Value::string("Ada earns 85000.5"), "{trace:?}");
    let fetch = &trace.fetches[0];
    assert_eq!(fetch.provider, "sql:crm");
    assert_eq!(fetch.rows, Some(1));
    assert!(fetch.duration.is_some());
    assert_eq!(fetch.error, None);
    assert_eq!(fetch.parameters.get("customerId"), Some(&Value::int(1)));

    // No row: the input is null, and so is the decision.
    let (result, trace) = evaluate(xml, providers, Value::int(99)).await;
    assert_eq!(result, Value::Null);
    assert_eq!(trace.fetches[0].rows, Some(0));
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_provider_on_postgres() {
    sql_row_becomes_a_context(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_provider_on_sqlite() {
    sql_row_becomes_a_context(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dates_arrive_as_iso_text_and_rows_as_a_list() {
    let db = TestDb::fresh(Dialect::Postgres).await;
    customers(&db).await;
    let providers = Arc::new(
        Providers::new(&[ConnectionConfig {
            name: "crm".into(),
            url: db.url.clone(),
        }])
        .unwrap(),
    );
    let xml = model(
        r#"<flowdesk:provider type="sql" connection="crm" result="rows"
  query="select id, since from customers where id &lt;= :customerId order by id"/>"#,
        "for c in customer return date(c.since).year",
    );
    let (result, trace) = evaluate(xml, providers, Value::int(2)).await;
    assert_eq!(
        result,
        Value::list(vec![Value::int(2019), Value::int(2024)]),
        "{trace:?}"
    );
    assert_eq!(trace.fetches[0].rows, Some(2));
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_query_times_out_and_an_unknown_connection_is_named() {
    let db = TestDb::fresh(Dialect::Postgres).await;
    let providers = Arc::new(
        Providers::new(&[ConnectionConfig {
            name: "crm".into(),
            url: db.url.clone(),
        }])
        .unwrap(),
    );
    let slow = model(
        r#"<flowdesk:provider type="sql" connection="crm" timeout="PT0.2S" result="value"
  query="select pg_sleep(5) where :customerId = 1"/>"#,
        "customer",
    );
    let (result, trace) = evaluate(slow, providers.clone(), Value::int(1)).await;
    assert_eq!(result, Value::Null);
    assert_eq!(
        trace.fetches[0].error.as_deref(),
        Some("the fetch did not finish within 200ms")
    );

    let unknown = model(
        r#"<flowdesk:provider type="sql" connection="billing" query="select 1"/>"#,
        "customer",
    );
    let (_, trace) = evaluate(unknown, providers, Value::int(1)).await;
    assert_eq!(
        trace.fetches[0].error.as_deref(),
        Some("no connection named `billing` is configured")
    );
    db.finish().await;
}

#[test]
fn bad_connection_configuration_is_refused() {
    let err = Providers::new(&[ConnectionConfig {
        name: "crm".into(),
        url: "mysql://x".into(),
    }])
    .unwrap_err();
    assert!(matches!(err, SetupError::UnsupportedUrl { .. }), "{err}");
    let twice = ConnectionConfig {
        name: "crm".into(),
        url: "sqlite::memory:".into(),
    };
    let err = Providers::new(&[twice.clone(), twice]).unwrap_err();
    assert_eq!(err.to_string(), "connection `crm` is configured twice");
}

/// `flowdesk serve` builds its providers inside its runtime: a refused
/// configuration must come back as an error there, not as a panic from
/// dropping the providers' own runtime.
#[tokio::test]
async fn bad_configuration_is_refused_inside_a_runtime() {
    for url in ["mysql://x", "postgres://host:notaport/db", "sqlite:"] {
        let result = Providers::new(&[
            ConnectionConfig {
                name: "ok".into(),
                url: "sqlite::memory:".into(),
            },
            ConnectionConfig {
                name: "crm".into(),
                url: url.into(),
            },
        ]);
        match result {
            Err(SetupError::UnsupportedUrl { name, .. } | SetupError::Connection { name, .. }) => {
                assert_eq!(name, "crm", "{url}")
            }
            Err(other) => panic!("{url}: unexpected error {other}"),
            Ok(_) if url == "sqlite:" => {}
            Ok(_) => panic!("{url} was accepted"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_provider_reads_the_json_pointer() {
    use axum::{extract::Path, routing::get, Json, Router};
    let app = Router::new().route(
        "/scores/{id}",
        get(|Path(id): Path<String>| async move {
            Json(serde_json::json!({ "customer": id, "score": { "value": 712, "band": "B" } }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let providers = Arc::new(Providers::new(&[]).unwrap());
    let xml = model(
        &format!(
            r#"<flowdesk:provider type="http" url="http://{address}/scores/{{customerId}}" path="/score"/>"#
        ),
        "customer.value",
    );
    let (result, trace) = evaluate(xml, providers.clone(), Value::string("c 7")).await;
    assert_eq!(result, Value::int(712), "{trace:?}");
    assert_eq!(trace.fetches[0].provider, "http");

    let missing = model(
        &format!(
            r#"<flowdesk:provider type="http" url="http://{address}/nothing/{{customerId}}"/>"#
        ),
        "customer",
    );
    let (result, trace) = evaluate(missing, providers, Value::int(1)).await;
    assert_eq!(result, Value::Null);
    let error = trace.fetches[0].error.clone().unwrap();
    assert!(error.contains("returned 404 Not Found"), "{error}");
}
