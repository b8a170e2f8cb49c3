//! Sensitive variables through the API on SQLite and PostgreSQL: shown as
//! `****` to every preset role but admin (`variable:unmask`) in instances,
//! their variables, job activation and the tasklist; never in history or
//! the audit export; refused without a master key; and absent from the raw
//! storage: the SQLite file and its WAL, every PostgreSQL table, including
//! the decision evaluations of business rule tasks.

use axum::body::Body;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use flowdesk_store::sensitive::{NamePattern, SensitiveVariables};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::{Dialect, Store};
use serde_json::{json, Value};
use sqlx::Row;

use crate::common::*;

/// `apiPassword` is sensitive by the process's declaration, `region_secret`
/// by the server's `*_secret` pattern.
const DELIVERY: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="delivery" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="flowdesk:sensitive" value="apiPassword" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="deliver">
      <bpmn:extensionElements><zeebe:taskDefinition type="deliver" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:userTask id="review" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="deliver" />
    <bpmn:sequenceFlow id="f2" sourceRef="deliver" targetRef="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

const PASSWORD_VALUE: &str = "pw-PLAINTEXT-5f3a9c1e";
const REGION_VALUE: &str = "region-PLAINTEXT-77d2";
const TOKEN_VALUE: &str = "token-PLAINTEXT-0b6e44";
const CUSTOMER_VALUE: &str = "visible-customer-8841";
const SECRETS: [&str; 3] = [PASSWORD_VALUE, REGION_VALUE, TOKEN_VALUE];

fn configured(store: Store) -> Store {
    store.with_sensitive_variables(SensitiveVariables::new(vec![
        NamePattern::parse("*_secret").unwrap(),
        NamePattern::parse("access_token").unwrap(),
    ]))
}

fn ok(reply: &Reply) -> Value {
    assert!(
        reply.status.is_success(),
        "{}: {}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

async fn start(app: &axum::Router, auth: &Auth) -> Reply {
    post_json(
        app,
        "/api/instances",
        auth,
        json!({"process_id": "delivery", "variables": {
            "apiPassword": PASSWORD_VALUE,
            "region_secret": REGION_VALUE,
            "customer": CUSTOMER_VALUE,
        }}),
    )
    .await
}

async fn activate(app: &axum::Router, auth: &Auth) -> Value {
    let reply = post_json(
        app,
        "/api/jobs/activate",
        auth,
        json!({"type": "deliver", "worker": "w1", "max_jobs": 1, "timeout_ms": 60000}),
    )
    .await;
    let jobs = ok(&reply)["jobs"].as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs[0].clone()
}

fn assert_masked(variables: &Value) {
    assert_eq!(variables["apiPassword"], "****", "{variables}");
    assert_eq!(variables["region_secret"], "****", "{variables}");
    assert_eq!(variables["customer"], CUSTOMER_VALUE, "{variables}");
}

fn assert_plain(variables: &Value) {
    assert_eq!(variables["apiPassword"], PASSWORD_VALUE, "{variables}");
    assert_eq!(variables["region_secret"], REGION_VALUE, "{variables}");
    assert_eq!(variables["customer"], CUSTOMER_VALUE, "{variables}");
}

fn assert_no_secret(text: &str, what: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} in {what}:\n{text}");
    }
}

/// The database's raw bytes: the SQLite file and its WAL, or every row of
/// every PostgreSQL table as text.
async fn raw_storage(db: &TestDb) -> String {
    match db.store.dialect() {
        Dialect::Sqlite => {
            let path = db.url.strip_prefix("sqlite:").expect("a sqlite: URL");
            let mut bytes = std::fs::read(path).expect("the database file");
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend_from_slice(&wal);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Dialect::Postgres => {
            let tables = sqlx::query(
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(db.store.pool())
            .await
            .unwrap();
            assert!(tables.len() > 20, "every table of the schema");
            let mut text = String::new();
            for table in tables {
                let name: String = table.try_get("name").unwrap();
                let rows = sqlx::query(&format!("SELECT t::text AS row FROM \"{name}\" t"))
                    .fetch_all(db.store.pool())
                    .await
                    .unwrap();
                for row in rows {
                    text.push_str(&row.try_get::<String, _>("row").unwrap());
                    text.push('\n');
                }
            }
            text
        }
    }
}

async fn masked_per_role_and_absent_from_raw_storage(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    let store = configured(db.store.clone());
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let mut roles = Vec::new();
    for role in ["designer", "operator", "analyst", "viewer"] {
        roles.push((role, user_with_role(&app, &admin, role).await));
    }
    let operator = roles[1].1.clone();
    ok(&post_xml(
        &app,
        "/api/definitions?name=delivery.bpmn",
        &admin,
        DELIVERY,
    )
    .await);

    // The operator starts it and sees its own secrets masked; the admin,
    // starting the second, sees them.
    let first = ok(&start(&app, &operator).await);
    assert_masked(&first["variables"]);
    let second = ok(&start(&app, &admin).await);
    assert_plain(&second["variables"]);
    let first_id = first["id"].as_str().unwrap().to_string();
    let second_id = second["id"].as_str().unwrap().to_string();

    for uri in [
        format!("/api/instances/{first_id}"),
        format!("/api/instances/{first_id}/variables"),
    ] {
        assert_plain(&ok(&get(&app, &uri, &admin).await)["variables"]);
        for (role, auth) in &roles {
            let variables = ok(&get(&app, &uri, auth).await)["variables"].clone();
            assert_masked(&variables);
            assert!(
                !variables.to_string().contains("fdenc"),
                "{role}: {variables}"
            );
        }
    }
    let listed = |reply: &Reply| ok(reply)["items"].as_array().cloned().unwrap();
    for item in listed(&get(&app, "/api/instances?process_id=delivery", &admin).await) {
        assert_plain(&item["variables"]);
    }
    for (_, auth) in &roles {
        let page = get(&app, "/api/instances?process_id=delivery", auth).await;
        let items = listed(&page);
        assert_eq!(items.len(), 2);
        items
            .iter()
            .for_each(|item| assert_masked(&item["variables"]));
        assert_no_secret(&String::from_utf8_lossy(&page.body), "the instance list");
    }

    // Workers: plain text only with variable:unmask.
    let masked_job = activate(&app, &operator).await;
    assert_masked(&masked_job["variables"]);
    let plain_job = activate(&app, &admin).await;
    assert_plain(&plain_job["variables"]);
    for job in [&masked_job, &plain_job] {
        let key = job["key"].as_i64().unwrap();
        let reply = post_json(
            &app,
            &format!("/api/jobs/{key}/complete"),
            &admin,
            json!({"variables": {"access_token": TOKEN_VALUE}}),
        )
        .await;
        ok(&reply);
    }

    // The tasklist: the review task of both instances.
    let tasks = |reply: Reply| ok(&reply).as_array().cloned().unwrap();
    let admin_tasks = tasks(get(&app, "/api/tasks", &admin).await);
    assert_eq!(admin_tasks.len(), 2);
    for task in &admin_tasks {
        assert_plain(&task["variables"]);
        assert_eq!(task["variables"]["access_token"], TOKEN_VALUE);
    }
    for (_, auth) in &roles {
        for task in tasks(get(&app, "/api/tasks", auth).await) {
            assert_masked(&task["variables"]);
            assert_eq!(task["variables"]["access_token"], "****");
        }
    }

    // Setting a sensitive variable: the operator's answer is masked.
    let reply = send(
        &app,
        Method::PUT,
        &format!("/api/instances/{second_id}/variables"),
        &operator,
        Some("application/json"),
        Body::from(json!({"variables": {"apiPassword": PASSWORD_VALUE}}).to_string()),
    )
    .await;
    assert_masked(&ok(&reply)["variables"]);

    // Neither history nor the audit export carries a value.
    for id in [&first_id, &second_id] {
        let history = get(&app, &format!("/api/instances/{id}/history"), &admin).await;
        ok(&history);
        assert_no_secret(&String::from_utf8_lossy(&history.body), "history");
    }
    let audit = get(&app, "/api/audit/export.csv", &admin).await;
    assert_eq!(audit.status, StatusCode::OK);
    assert_no_secret(&String::from_utf8_lossy(&audit.body), "the audit export");

    // The raw storage holds none of them; the plain variable proves the scan reads it.
    let raw = raw_storage(&db).await;
    assert_no_secret(&raw, "the raw storage");
    assert!(
        raw.contains(CUSTOMER_VALUE),
        "the scan sees stored variables"
    );
    assert!(raw.contains("fdenc:v1:"), "sealed values are stored");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_masked_per_role_and_absent_from_raw_storage_sqlite() {
    masked_per_role_and_absent_from_raw_storage(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_masked_per_role_and_absent_from_raw_storage_postgres() {
    masked_per_role_and_absent_from_raw_storage(Dialect::Postgres).await;
}

async fn refused_without_a_master_key(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    // The same database without data keys: no master key configured.
    let store = configured(Store::connect(&db.url).await.unwrap());
    let app = app(&store);
    let admin = setup_admin(&app).await;
    ok(&post_xml(
        &app,
        "/api/definitions?name=delivery.bpmn",
        &admin,
        DELIVERY,
    )
    .await);
    let reply = start(&app, &admin).await;
    let problem = reply.assert_problem(503, "encryption-not-configured");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("apiPassword"), "{detail}");
    assert!(
        detail.contains("encryption at rest is not configured"),
        "{detail}"
    );
    assert_no_secret(&String::from_utf8_lossy(&reply.body), "the problem");
    assert_eq!(count(&store, "instances").await, 0);

    // A decision evaluated with a variable a deployed process declares
    // sensitive: refused the same way, no evaluation recorded.
    ok(&post_xml(&app, "/api/decisions?name=screen.dmn", &admin, SCREEN_DMN).await);
    let reply = post_json(
        &app,
        "/api/decisions/screen/evaluate",
        &admin,
        json!({"variables": {"apiPassword": PASSWORD_VALUE}}),
    )
    .await;
    let problem = reply.assert_problem(503, "encryption-not-configured");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("apiPassword"), "{detail}");
    assert_no_secret(&String::from_utf8_lossy(&reply.body), "the problem");
    assert_eq!(count(&store, "decision_evaluations").await, 0);
    store.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_refused_without_a_master_key_sqlite() {
    refused_without_a_master_key(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sensitive_variables_are_refused_without_a_master_key_postgres() {
    refused_without_a_master_key(Dialect::Postgres).await;
}

/// A business rule task deciding on the length of the sensitive
/// `apiPassword` (the DMN names no value, so only the evaluation could
/// leak one).
const SCREENING: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="s">
  <bpmn:process id="screening" isExecutable="true">
    <bpmn:extensionElements><zeebe:properties>
      <zeebe:property name="flowdesk:sensitive" value="apiPassword" />
    </zeebe:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:businessRuleTask id="screen_task">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="screen" resultVariable="verdict" />
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:exclusiveGateway id="route" default="to_short" />
    <bpmn:endEvent id="trusted" />
    <bpmn:endEvent id="short" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="screen_task" />
    <bpmn:sequenceFlow id="f2" sourceRef="screen_task" targetRef="route" />
    <bpmn:sequenceFlow id="to_trusted" sourceRef="route" targetRef="trusted">
      <bpmn:conditionExpression>=verdict = "trusted"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_short" sourceRef="route" targetRef="short" />
  </bpmn:process>
</bpmn:definitions>"#;

const SCREEN_DMN: &str = r#"<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    id="screening" name="Screening" namespace="urn:flowdesk:screening">
  <decision id="screen" name="Screen">
    <decisionTable id="screen_table" hitPolicy="FIRST">
      <input id="length"><inputExpression typeRef="number"><text>string length(apiPassword)</text></inputExpression></input>
      <output id="verdict" typeRef="string"/>
      <rule id="long"><inputEntry><text>&gt; 10</text></inputEntry><outputEntry><text>"trusted"</text></outputEntry></rule>
      <rule id="other"><inputEntry><text>-</text></inputEntry><outputEntry><text>"short"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"#;

/// The password of the instance that ends at `short`: not a secret of the
/// raw scan, sealed all the same.
const SHORT_PASSWORD: &str = "tiny-pw";

/// The decision evaluations the background writer has recorded once there
/// are `count` of them (with a deadline).
async fn evaluations(app: &axum::Router, auth: &Auth, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = get(app, "/api/decisions/evaluations?decision=screen", auth).await;
        let all = ok(&reply).as_array().cloned().unwrap_or_default();
        if all.len() >= count || Instant::now() > deadline {
            assert_eq!(all.len(), count, "{all:?}");
            return all;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn inputs_of(evaluation: &Value) -> Value {
    evaluation["trace"]["decisions"][0]["inputs"].clone()
}

async fn decision_evaluations_sealed(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    let store = configured(db.store.clone());
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    let analyst = user_with_role(&app, &admin, "analyst").await;
    ok(&post_xml(&app, "/api/decisions?name=screen.dmn", &admin, SCREEN_DMN).await);
    ok(&post_xml(
        &app,
        "/api/definitions?name=screening.bpmn",
        &admin,
        SCREENING,
    )
    .await);

    // The decision reads the sensitive value and still routes on it.
    let mut ends = Vec::new();
    for password in [PASSWORD_VALUE, SHORT_PASSWORD] {
        let started = ok(&post_json(
            &app,
            "/api/instances",
            &operator,
            json!({"process_id": "screening", "variables": {
                "apiPassword": password,
                "region_secret": REGION_VALUE,
                "customer": CUSTOMER_VALUE,
            }}),
        )
        .await);
        let id = started["id"].as_str().unwrap().to_string();
        let instance = ok(&get(&app, &format!("/api/instances/{id}"), &admin).await);
        assert_eq!(instance["state"], "completed", "{instance}");
        assert_eq!(instance["variables"]["apiPassword"], password);
        ends.push((id, instance["variables"]["verdict"].clone()));
    }
    assert_eq!(ends[0].1, "trusted");
    assert_eq!(ends[1].1, "short");

    // The evaluations: `****` without variable:unmask, the values to the admin.
    for auth in [&operator, &analyst] {
        for evaluation in evaluations(&app, auth, 2).await {
            let inputs = inputs_of(&evaluation);
            assert_eq!(inputs["apiPassword"], "****", "{evaluation}");
            assert_eq!(inputs["region_secret"], "****", "{evaluation}");
            assert_eq!(inputs["customer"], CUSTOMER_VALUE, "{evaluation}");
            assert!(!evaluation.to_string().contains("fdenc"), "{evaluation}");
        }
    }
    let by_admin = evaluations(&app, &admin, 2).await;
    for (instance, verdict) in &ends {
        let evaluation = by_admin
            .iter()
            .find(|e| e["instance_id"] == instance.as_str())
            .unwrap_or_else(|| panic!("an evaluation of {instance}: {by_admin:?}"));
        assert_eq!(&evaluation["result"], verdict);
        assert_eq!(evaluation["element_id"], "screen_task");
        let inputs = inputs_of(evaluation);
        let password = if verdict == "trusted" {
            PASSWORD_VALUE
        } else {
            SHORT_PASSWORD
        };
        assert_eq!(inputs["apiPassword"], password, "{evaluation}");
        assert_eq!(inputs["region_secret"], REGION_VALUE, "{evaluation}");
        let id = evaluation["id"].as_str().unwrap();
        let one = ok(&get(&app, &format!("/api/decisions/evaluations/{id}"), &admin).await);
        assert_eq!(&one, evaluation);
        let masked = ok(&get(&app, &format!("/api/decisions/evaluations/{id}"), &operator).await);
        assert_eq!(inputs_of(&masked)["apiPassword"], "****");
        assert_eq!(inputs_of(&masked)["region_secret"], "****");
    }

    // Evaluated through the API, outside any process: the names every
    // deployed process declares apply, and the server's patterns.
    let reply = post_json(
        &app,
        "/api/decisions/screen/evaluate",
        &operator,
        json!({"variables": {"apiPassword": SHORT_PASSWORD, "region_secret": REGION_VALUE}}),
    )
    .await;
    assert_eq!(ok(&reply)["result"], "short");
    let direct = evaluations(&app, &operator, 3).await;
    let direct = direct
        .iter()
        .find(|e| e["instance_id"].is_null())
        .expect("the direct evaluation");
    assert_eq!(inputs_of(direct)["apiPassword"], "****", "{direct}");
    assert_eq!(inputs_of(direct)["region_secret"], "****", "{direct}");

    // The raw storage holds no value; the scan reads the evaluations
    // (their ids and the plain variable are there).
    let raw = raw_storage(&db).await;
    assert_no_secret(&raw, "the raw storage");
    assert!(
        !raw.contains(SHORT_PASSWORD),
        "the short password is sealed too"
    );
    for evaluation in &by_admin {
        assert!(raw.contains(evaluation["id"].as_str().unwrap()));
    }
    assert!(raw.contains(CUSTOMER_VALUE));
    let stored = sqlx::query("SELECT trace FROM decision_evaluations")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    for row in stored {
        let trace: String = row.try_get("trace").unwrap();
        assert!(trace.contains("fdenc:v1:"), "{trace}");
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_evaluations_seal_sensitive_inputs_sqlite() {
    decision_evaluations_sealed(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_evaluations_seal_sensitive_inputs_postgres() {
    decision_evaluations_sealed(Dialect::Postgres).await;
}
