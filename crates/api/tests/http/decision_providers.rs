//! A business rule task whose decision fetches its data from PostgreSQL
//! through an SQL provider: each instance follows the decision's result,
//! and the evaluation history (with the SQL fetch and the matched rule) is
//! readable through the API.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use flowdesk_api::{router_with_decision_data, ApiConfig};
use flowdesk_providers::{ConnectionConfig, Providers};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;
use serde_json::{json, Value};

use crate::common::*;

/// A decision whose input data comes from an SQL provider on `crm`
/// (also used by the server test of provider connections).
const CREDIT_DMN: &str = include_str!("credit.dmn");

const CREDIT_BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="credit_defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="credit_check" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="credit_decision" resultVariable="outcome"/>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:exclusiveGateway id="route" default="to_declined"/>
    <bpmn:endEvent id="approved"/>
    <bpmn:endEvent id="declined"/>
    <bpmn:sequenceFlow id="to_decide" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="to_route" sourceRef="decide" targetRef="route"/>
    <bpmn:sequenceFlow id="to_approved" sourceRef="route" targetRef="approved">
      <bpmn:conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="bpmn:tFormalExpression">=outcome = "approve"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_declined" sourceRef="route" targetRef="declined"/>
  </bpmn:process>
</bpmn:definitions>"#;

async fn start(app: &axum::Router, auth: &Auth, customer_id: i64) -> String {
    let reply = post_json(
        app,
        "/api/instances",
        auth,
        json!({"process_id": "credit_check", "variables": {"customerId": customer_id}}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"]
        .as_str()
        .expect("instance id")
        .to_string()
}

async fn end_event(app: &axum::Router, auth: &Auth, id: &str) -> String {
    let instance = get(app, &format!("/api/instances/{id}"), auth).await.json();
    assert_eq!(instance["state"], "completed", "{instance}");
    let history = get(app, &format!("/api/instances/{id}/history"), auth)
        .await
        .json();
    let ends: Vec<String> = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|event| event["kind"] == "elementCompleted")
        .filter_map(|event| event["element_id"].as_str())
        .filter(|element| ["approved", "declined"].contains(element))
        .map(str::to_string)
        .collect();
    assert_eq!(ends.len(), 1, "{history}");
    ends[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_rule_task_decides_on_data_fetched_from_postgres() {
    let db = TestDb::fresh(Dialect::Postgres).await;
    for statement in [
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, income NUMERIC(12, 2) NOT NULL)",
        "INSERT INTO customers VALUES (1, 'Ada', 85000), (2, 'Bob', 21000)",
    ] {
        sqlx::raw_sql(statement).execute(db.store.pool()).await.unwrap();
    }
    let providers = Providers::new(&[ConnectionConfig {
        name: "crm".into(),
        url: db.url.clone(),
    }])
    .expect("providers");
    let app = router_with_decision_data(
        db.store.clone(),
        ApiConfig::default(),
        Some(Arc::new(providers)),
    );
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    let reply = post_xml(&app, "/api/decisions?name=credit.dmn", &admin, CREDIT_DMN).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let reply = post_xml(
        &app,
        "/api/definitions?name=credit.bpmn",
        &admin,
        CREDIT_BPMN,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );

    let ada = start(&app, &operator, 1).await;
    let bob = start(&app, &operator, 2).await;
    assert_eq!(end_event(&app, &operator, &ada).await, "approved");
    assert_eq!(end_event(&app, &operator, &bob).await, "declined");

    // History is written by a background task: wait for both, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(10);
    let evaluations = loop {
        let reply = get(
            &app,
            "/api/decisions/evaluations?decision=credit_decision",
            &operator,
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let all = reply.json().as_array().cloned().unwrap_or_default();
        if all.len() == 2 || Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(evaluations.len(), 2, "{evaluations:?}");
    let of_customer = |id: i64| -> Value {
        evaluations
            .iter()
            .find(|e| e["trace"]["fetches"][0]["parameters"]["customerId"] == json!(id))
            .cloned()
            .unwrap_or_else(|| panic!("an evaluation for customer {id}: {evaluations:?}"))
    };
    let for_ada = of_customer(1);
    assert_eq!(for_ada["result"], "approve");
    assert_eq!(for_ada["decision_name"], "Credit decision");
    assert_eq!(for_ada["version"], 1);
    let fetch = &for_ada["trace"]["fetches"][0];
    assert_eq!(fetch["provider"], "sql:crm");
    assert_eq!(
        fetch["target"],
        "select name, income from customers where id = :customerId"
    );
    assert_eq!(fetch["rows"], 1);
    assert_eq!(fetch["value"]["name"], "Ada");
    assert!(fetch["duration_ms"].is_number(), "{fetch}");
    assert_eq!(fetch["error"], Value::Null);
    // Every rule whose entries match is listed; FIRST took the first.
    assert_eq!(
        for_ada["trace"]["decisions"][0]["matched_rules"],
        json!([1, 2])
    );
    let for_bob = of_customer(2);
    assert_eq!(for_bob["result"], "decline");
    assert_eq!(
        for_bob["trace"]["decisions"][0]["matched_rules"],
        json!([2])
    );

    // Each business rule task's evaluation is recorded against its
    // instance and element, and found by instance.
    for (instance, customer, result) in [(&ada, 1, "approve"), (&bob, 2, "decline")] {
        let reply = get(
            &app,
            &format!("/api/decisions/evaluations?instance={instance}"),
            &operator,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        let of_instance = reply.json();
        let of_instance = of_instance.as_array().expect("a list");
        assert_eq!(of_instance.len(), 1, "{of_instance:?}");
        assert_eq!(of_instance[0]["instance_id"], instance.as_str());
        assert_eq!(of_instance[0]["element_id"], "decide");
        assert_eq!(of_instance[0]["result"], result);
        assert_eq!(
            of_instance[0]["trace"]["fetches"][0]["parameters"]["customerId"],
            json!(customer)
        );
    }

    let id = for_ada["id"].as_str().unwrap();
    let one = get(&app, &format!("/api/decisions/evaluations/{id}"), &operator).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json(), for_ada);
    get(&app, "/api/decisions/evaluations/nope", &operator)
        .await
        .assert_problem(404, "not-found");
    get(&app, "/api/decisions/evaluations", &Auth::None)
        .await
        .assert_problem(401, "unauthenticated");

    // Evaluating through the API fetches too, and is recorded.
    let reply = post_json(
        &app,
        "/api/decisions/credit_decision/evaluate",
        &operator,
        json!({"variables": {"customerId": 2}}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["result"], "decline");
    let of_bob = get(
        &app,
        &format!("/api/decisions/evaluations?instance={bob}"),
        &operator,
    )
    .await
    .json();
    assert_eq!(
        of_bob.as_array().map(Vec::len),
        Some(1),
        "an evaluation through the API belongs to no instance: {of_bob}"
    );
    let all = get(
        &app,
        "/api/decisions/evaluations?decision=credit_decision",
        &operator,
    )
    .await
    .json();
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    db.finish().await;
}
