//! Per-resource permissions: a role granted one permission on one process,
//! decision or report may use the routes of that resource and no other (the
//! same route allowed and denied), grants are managed by admins only,
//! malformed grants are refused naming the problem, and every change is
//! audited.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use flowdesk_store::dual_test;
use serde_json::{json, Value};

use crate::common::*;

/// A process kept waiting at a user task, id `other-process`.
const OTHER_PROCESS: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="other-process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="review" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// Two decisions: `granted` and `withheld`.
const TWO_DECISIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="grants" name="Grants" namespace="https://flowdesk.dev/test">
  <decision id="granted" name="Granted">
    <literalExpression><text>"yes"</text></literalExpression>
  </decision>
  <decision id="withheld" name="Withheld">
    <literalExpression><text>"no"</text></literalExpression>
  </decision>
</definitions>"#;

async fn grant(app: &axum::Router, admin: &Auth, role: &str, body: Value) -> Value {
    let reply = post_json(app, &format!("/api/roles/{role}/grants"), admin, body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

async fn start(app: &axum::Router, auth: &Auth, body: Value) -> Reply {
    post_json(app, "/api/instances", auth, body).await
}

dual_test!(async fn a_process_grant_opens_start_and_cancel_of_that_process_only(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    for (name, xml) in [("order-approval.bpmn", ORDER_APPROVAL), ("other.bpmn", OTHER_PROCESS)] {
        let deployed = post_xml(&app, &format!("/api/definitions?name={name}"), &admin, xml).await;
        assert_eq!(deployed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&deployed.body));
    }
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let order = json!({"process_id": "order-approval", "variables": {"amount": 10}});
    let other = json!({"process_id": "other-process"});

    // Deny by default: the viewer role holds no instance:start.
    start(&app, &viewer, order.clone()).await.assert_problem(403, "forbidden");

    let granted = grant(&app, &admin, "viewer",
        json!({"permission": "instance:start", "resource_type": "process", "resource_id": "order-approval"})).await;
    assert_eq!(granted["role"], "viewer");
    assert_eq!(granted["resource_type"], "process");

    let started = start(&app, &viewer, order.clone()).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&started.body));
    let mine = started.json()["id"].as_str().unwrap().to_string();
    start(&app, &viewer, other.clone()).await.assert_problem(403, "forbidden");
    // By definition version id too: the grant follows the process, not the way it is named.
    let definitions = get(&app, "/api/definitions", &admin).await.json();
    let version_of = |process: &str| definitions.as_array().unwrap().iter()
        .find(|d| d["process_id"] == process).unwrap()["id"].as_str().unwrap().to_string();
    let by_version = start(&app, &viewer, json!({"definition_id": version_of("order-approval")})).await;
    assert_eq!(by_version.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&by_version.body));
    start(&app, &viewer, json!({"definition_id": version_of("other-process")})).await
        .assert_problem(403, "forbidden");
    // A body that names no process is denied, not guessed.
    start(&app, &viewer, json!({"variables": {}})).await.assert_problem(403, "forbidden");

    // Cancelling: the same route, allowed on the granted process only.
    let theirs = start(&app, &admin, other).await.json()["id"].as_str().unwrap().to_string();
    post_json(&app, &format!("/api/instances/{theirs}/cancel"), &viewer, json!({})).await
        .assert_problem(403, "forbidden");
    let cancelled = post_json(&app, &format!("/api/instances/{mine}/cancel"), &viewer, json!({})).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", String::from_utf8_lossy(&cancelled.body));
    assert_eq!(cancelled.json()["state"], "cancelled");
    post_json(&app, "/api/instances/0190c0de-0000-7000-8000-000000000000/cancel", &viewer, json!({})).await
        .assert_problem(403, "forbidden");

    // An API token carries the permissions it was created with (its
    // scopes): a grant does not widen it.
    for body in [json!({"name": "read only", "scopes": ["instance:read"]}), json!({"name": "worker"})] {
        let secret = post_json(&app, "/api/tokens", &viewer, body).await.json()["secret"]
            .as_str().unwrap().to_string();
        start(&app, &Auth::Bearer(secret), order.clone()).await.assert_problem(403, "forbidden");
    }

    // Revoked: denied again; both changes are in the audit log.
    let id = granted["id"].as_str().unwrap();
    let revoked = send(&app, Method::DELETE, &format!("/api/roles/viewer/grants/{id}"), &admin, None, Body::empty()).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    start(&app, &viewer, order).await.assert_problem(403, "forbidden");
    assert_eq!(count(&store, "audit_log WHERE action = 'role.grant' AND detail = 'instance:start on process:order-approval'").await, 1);
    assert_eq!(count(&store, "audit_log WHERE action = 'role.revoke_grant' AND resource = 'role:viewer'").await, 1);
});

dual_test!(async fn a_decision_grant_opens_evaluation_of_that_decision_only(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let deployed = post_xml(&app, "/api/decisions?name=grants.dmn", &admin, TWO_DECISIONS).await;
    assert_eq!(deployed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&deployed.body));
    let analyst = user_with_role(&app, &admin, "analyst").await;
    let evaluate = |decision: &'static str| {
        let app = app.clone();
        let analyst = analyst.clone();
        async move {
            post_json(&app, &format!("/api/decisions/{decision}/evaluate"), &analyst, json!({"variables": {}})).await
        }
    };
    evaluate("granted").await.assert_problem(403, "forbidden");
    grant(&app, &admin, "analyst",
        json!({"permission": "instance:start", "resource_type": "decision", "resource_id": "granted"})).await;
    let evaluated = evaluate("granted").await;
    assert_eq!(evaluated.status, StatusCode::OK, "{}", String::from_utf8_lossy(&evaluated.body));
    assert_eq!(evaluated.json()["result"], "yes");
    evaluate("withheld").await.assert_problem(403, "forbidden");
});

dual_test!(async fn a_report_grant_opens_running_that_report_only(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let mut ids = Vec::new();
    for name in ["Granted report", "Other report"] {
        let created = post_json(&app, "/api/reports", &admin,
            json!({"name": name, "roles": ["viewer"], "definition": {"source": "kpis", "columns": ["figure", "value"]}})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&created.body));
        ids.push(created.json()["id"].as_str().unwrap().to_string());
    }
    // Both are shared with viewers, who may read but not run them.
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let run = |report: String| {
        let app = app.clone();
        let viewer = viewer.clone();
        async move { post_json(&app, &format!("/api/reports/{report}/run"), &viewer, json!({})).await }
    };
    run(ids[0].clone()).await.assert_problem(403, "forbidden");
    grant(&app, &admin, "viewer",
        json!({"permission": "report:manage", "resource_type": "report", "resource_id": ids[0]})).await;
    let ran = run(ids[0].clone()).await;
    assert_eq!(ran.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&ran.body));
    // Named by its name instead of its id, it is the same report.
    let by_name = run("Granted report".replace(' ', "%20")).await;
    assert_eq!(by_name.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&by_name.body));
    run(ids[1].clone()).await.assert_problem(403, "forbidden");
});

dual_test!(async fn grants_are_managed_by_admins_and_malformed_ones_refused(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    let valid = json!({"permission": "instance:start", "resource_type": "process", "resource_id": "order-approval"});

    post_json(&app, "/api/roles/viewer/grants", &operator, valid.clone()).await.assert_problem(403, "forbidden");
    get(&app, "/api/roles/viewer/grants", &operator).await.assert_problem(403, "forbidden");

    let problem = post_json(&app, "/api/roles/viewer/grants", &admin,
        json!({"permission": "instance:fly", "resource_type": "process", "resource_id": "p"})).await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("instance:fly"), "{problem}");
    let problem = post_json(&app, "/api/roles/viewer/grants", &admin,
        json!({"permission": "user:manage", "resource_type": "process", "resource_id": "p"})).await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("cannot be granted on a process"), "{problem}");
    let problem = post_json(&app, "/api/roles/viewer/grants", &admin,
        json!({"permission": "instance:start", "resource_type": "tenant", "resource_id": "p"})).await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("resource_type"), "{problem}");
    let problem = post_json(&app, "/api/roles/viewer/grants", &admin,
        json!({"permission": "instance:start", "resource_type": "process", "resource_id": "  "})).await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("resource_id"), "{problem}");
    let problem = post_json(&app, "/api/roles/viewer/grants", &admin,
        json!({"permission": "instance:start", "resource_type": "process", "resource_id": "a\u{0}b"})).await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("control characters"), "{problem}");
    let malformed = send(&app, Method::POST, "/api/roles/viewer/grants", &admin,
        Some("application/json"), "{\"permission\": ").await;
    malformed.assert_problem(400, "invalid-request");
    post_json(&app, "/api/roles/nobody/grants", &admin, valid.clone()).await.assert_problem(404, "not-found");
    get(&app, "/api/roles/nobody/grants", &admin).await.assert_problem(404, "not-found");

    let granted = grant(&app, &admin, "viewer", valid.clone()).await;
    post_json(&app, "/api/roles/viewer/grants", &admin, valid).await.assert_problem(409, "conflict");
    let listed = get(&app, "/api/roles/viewer/grants", &admin).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], granted["id"]);
    assert_eq!(listed[0]["resource_id"], "order-approval");
    // Another role's grant id is not this role's.
    let id = granted["id"].as_str().unwrap();
    send(&app, Method::DELETE, &format!("/api/roles/operator/grants/{id}"), &admin, None, Body::empty()).await
        .assert_problem(404, "not-found");
    send(&app, Method::DELETE, &format!("/api/roles/viewer/grants/{id}"), &operator, None, Body::empty()).await
        .assert_problem(403, "forbidden");
    assert_eq!(get(&app, "/api/roles/viewer/grants", &admin).await.json().as_array().unwrap().len(), 1);
});
