//! DMN decisions over HTTP: deploy a decision table (Camunda style: no
//! declared input data), evaluate it with its trace, versions, a malformed
//! model (400 with positions, nothing stored), unknown decisions (404) and
//! permissions.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

/// As Camunda Modeler draws it: the table reads process variables directly.
const DISCOUNT_V1: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="discount-definitions" name="Discount" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="discount-table" hitPolicy="FIRST">
      <input id="input-customer" label="Customer type">
        <inputExpression id="input-customer-expression" typeRef="string"><text>customerType</text></inputExpression>
      </input>
      <input id="input-amount" label="Order amount">
        <inputExpression id="input-amount-expression" typeRef="number"><text>amount</text></inputExpression>
      </input>
      <output id="output-discount" name="discount" typeRef="number" />
      <rule id="rule-gold-large">
        <inputEntry><text>"gold"</text></inputEntry>
        <inputEntry><text>&gt;= 1000</text></inputEntry>
        <outputEntry><text>0.15</text></outputEntry>
      </rule>
      <rule id="rule-gold">
        <inputEntry><text>"gold"</text></inputEntry>
        <inputEntry><text>-</text></inputEntry>
        <outputEntry><text>0.1</text></outputEntry>
      </rule>
      <rule id="rule-other">
        <inputEntry><text>-</text></inputEntry>
        <inputEntry><text>-</text></inputEntry>
        <outputEntry><text>0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="label" name="Label">
    <informationRequirement><requiredDecision href="#discount" /></informationRequirement>
    <literalExpression><text>if Discount > 0 then "discounted" else "full price"</text></literalExpression>
  </decision>
</definitions>
"##;

/// Line 6 has a FEEL syntax error at column 12 of the expression; line 9
/// requires a decision that does not exist.
const MALFORMED: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="broken-definitions" name="Broken" namespace="urn:broken">
  <decision id="broken" name="Broken">
    <literalExpression id="broken-expression">
      <text>amount * (1 +</text>
    </literalExpression>
  </decision>
  <decision id="dangling" name="Dangling">
    <informationRequirement><requiredDecision href="#missing" /></informationRequirement>
    <literalExpression><text>1</text></literalExpression>
  </decision>
</definitions>
"##;

dual_test!(async fn deploy_and_evaluate_a_decision_table(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let audit_before = count(&store, "audit_log").await;

    let deployed = post_xml(&app, "/api/decisions?name=discount.dmn", &admin, DISCOUNT_V1).await;
    assert_eq!(deployed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&deployed.body));
    let v1 = deployed.json();
    assert_eq!(v1["kind"], "dmn");
    assert_eq!(v1["process_id"], "discount", "keyed by the first decision's id");
    assert_eq!(v1["name"], "Discount");
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["resource_name"], "discount.dmn");
    assert_eq!(
        v1["decisions"],
        json!([{"id": "discount", "name": "Discount"}, {"id": "label", "name": "Label"}])
    );
    assert_eq!(count(&store, "audit_log").await, audit_before + 1);

    // Unchanged content keeps its version and writes nothing.
    let again = post_xml(&app, "/api/decisions?name=discount.dmn", &admin, DISCOUNT_V1).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], v1["id"]);
    assert_eq!(count(&store, "audit_log").await, audit_before + 1);

    let evaluated = post_json(
        &app,
        "/api/decisions/discount/evaluate",
        &admin,
        json!({"variables": {"customerType": "gold", "amount": 1500}}),
    )
    .await;
    assert_eq!(evaluated.status, StatusCode::OK, "{}", String::from_utf8_lossy(&evaluated.body));
    let body = evaluated.json();
    assert_eq!(body["result"], json!(0.15));
    assert_eq!(body["version"], 1);
    assert_eq!(body["definition_id"], v1["id"]);
    let trace = body["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 1);
    assert_eq!(trace[0]["id"], "discount");
    // Every rule that matched; the FIRST hit policy took rule 1.
    assert_eq!(trace[0]["matched_rules"], json!([1, 2, 3]));
    assert_eq!(trace[0]["inputs"]["amount"], 1500);
    assert_eq!(trace[0]["output"], json!(0.15));

    // A decision that is not the first one, with its requirement traced first.
    let label = post_json(
        &app,
        "/api/decisions/label/evaluate",
        &admin,
        json!({"variables": {"customerType": "silver", "amount": 10}}),
    )
    .await;
    let body = label.json();
    assert_eq!(body["result"], "full price", "{body}");
    let ids: Vec<&str> = body["trace"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["discount", "label"]);

    // A second version; version 1 stays evaluable.
    let v2_xml = DISCOUNT_V1.replace("<text>0.15</text>", "<text>0.2</text>");
    let v2 = post_xml(&app, "/api/decisions?name=discount.dmn", &admin, &v2_xml).await.json();
    assert_eq!(v2["version"], 2);
    let gold = json!({"customerType": "gold", "amount": 2000});
    let latest = post_json(&app, "/api/decisions/discount/evaluate", &admin, json!({"variables": gold})).await.json();
    assert_eq!((latest["result"].clone(), latest["version"].clone()), (json!(0.2), json!(2)));
    let old = post_json(&app, "/api/decisions/discount/evaluate", &admin, json!({"variables": gold, "version": 1})).await.json();
    assert_eq!((old["result"].clone(), old["version"].clone()), (json!(0.15), json!(1)));

    // Outcomes per rule from the evaluation log: four evaluations of the
    // table (one as the label's requirement), the label matched no rule.
    let outcomes = get(&app, "/api/insights/decisions", &admin).await;
    assert_eq!(outcomes.status, StatusCode::OK, "{}", String::from_utf8_lossy(&outcomes.body));
    assert_eq!(
        outcomes.json(),
        json!([
            {"decision_id": "discount", "decision_name": "Discount", "evaluations": 4, "no_rule_matched": 0,
             "rules": [{"rule": 1, "matched": 3}, {"rule": 2, "matched": 3}, {"rule": 3, "matched": 4}]},
            {"decision_id": "label", "decision_name": "Label", "evaluations": 1, "no_rule_matched": 1, "rules": []}
        ])
    );
    // Evaluations through the API belong to no process; the future holds none.
    assert_eq!(get(&app, "/api/insights/decisions?process_id=order", &admin).await.json(), json!([]));
    assert_eq!(get(&app, "/api/insights/decisions?from=253402300799999", &admin).await.json(), json!([]));
    get(&app, "/api/insights/decisions?to=-9223372036854775808", &admin).await.assert_problem(400, "invalid-request");

    let listed = get(&app, "/api/decisions", &admin).await.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|d| d["decisions"].as_array().unwrap().len() == 2));
    // The decision also shows among all definitions.
    let all = get(&app, "/api/definitions", &admin).await.json();
    assert_eq!(all.as_array().unwrap().iter().filter(|d| d["kind"] == "dmn").count(), 2);
});

dual_test!(async fn malformed_dmn_lists_every_problem_and_stores_nothing(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let definitions_before = count(&store, "definitions").await;
    let audit_before = count(&store, "audit_log").await;

    let reply = post_xml(&app, "/api/decisions?name=broken.dmn", &admin, MALFORMED).await;
    let problem = reply.assert_problem(400, "invalid-model");
    assert_eq!(problem["title"], "Invalid DMN model");
    assert!(problem["detail"].as_str().unwrap().contains("broken.dmn"), "{problem}");
    let problems = problem["problems"].as_array().unwrap();
    assert!(problems.len() >= 2, "{problem}");
    for p in problems {
        assert!(p["message"].is_string(), "{p}");
        assert!(p["line"].as_u64().unwrap() >= 1, "{p}");
        assert!(p["column"].as_u64().unwrap() >= 1, "{p}");
    }
    let feel = problems
        .iter()
        .find(|p| p["expression_line"].is_u64())
        .unwrap_or_else(|| panic!("a FEEL problem with its position: {problem}"));
    assert_eq!(feel["line"], 4, "{feel}");
    assert_eq!(feel["expression_line"], 1, "{feel}");
    assert!(feel["expression_column"].as_u64().unwrap() >= 13, "{feel}");
    assert!(problems.iter().any(|p| p["message"].as_str().unwrap().contains("missing")), "{problem}");

    // Not XML at all.
    let reply = post_xml(&app, "/api/decisions?name=junk.dmn", &admin, "<definitions").await;
    let problem = reply.assert_problem(400, "invalid-model");
    assert_eq!(problem["problems"].as_array().unwrap().len(), 1, "{problem}");

    assert_eq!(count(&store, "definitions").await, definitions_before);
    assert_eq!(count(&store, "audit_log").await, audit_before);
    assert_eq!(get(&app, "/api/decisions", &admin).await.json(), json!([]));
});

dual_test!(async fn unknown_decisions_and_versions_are_not_found(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let reply = post_json(&app, "/api/decisions/nope/evaluate", &admin, json!({"variables": {}})).await;
    reply.assert_problem(404, "not-found");

    let deployed = post_xml(&app, "/api/decisions?name=discount.dmn", &admin, DISCOUNT_V1).await;
    assert_eq!(deployed.status, StatusCode::CREATED);
    let reply = post_json(&app, "/api/decisions/nope/evaluate", &admin, json!({})).await;
    reply.assert_problem(404, "not-found");
    let reply = post_json(&app, "/api/decisions/discount/evaluate", &admin, json!({"version": 7})).await;
    reply.assert_problem(404, "not-found");
    let reply = post_json(&app, "/api/decisions/discount/evaluate", &admin, json!({"variables": 3})).await;
    reply.assert_problem(400, "invalid-request");
});

dual_test!(async fn decisions_need_their_permissions(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    post_xml(&app, "/api/decisions?name=discount.dmn", &admin, DISCOUNT_V1).await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let operator = user_with_role(&app, &admin, "operator").await;

    assert_eq!(get(&app, "/api/decisions", &viewer).await.status, StatusCode::OK);
    post_xml(&app, "/api/decisions?name=d.dmn", &viewer, DISCOUNT_V1).await.assert_problem(403, "forbidden");
    post_xml(&app, "/api/decisions?name=d.dmn", &operator, DISCOUNT_V1).await.assert_problem(403, "forbidden");
    post_json(&app, "/api/decisions/discount/evaluate", &viewer, json!({})).await.assert_problem(403, "forbidden");
    let evaluated = post_json(&app, "/api/decisions/discount/evaluate", &operator, json!({})).await;
    assert_eq!(evaluated.status, StatusCode::OK);
    assert_eq!(evaluated.json()["result"], 0);
    get(&app, "/api/decisions", &Auth::None).await.assert_problem(401, "unauthenticated");
});
