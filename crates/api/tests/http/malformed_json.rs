//! (d) Malformed JSON bodies are 400 problem+json naming the position or field.

use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

dual_test!(async fn malformed_json_is_a_400_problem(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;

    let syntax = send(&app, axum::http::Method::POST, "/api/auth/login", &Auth::None,
        Some("application/json"), r#"{"username": "admin", "password""#).await;
    let problem = syntax.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("line 1 column"), "{problem}");

    let missing = post_json(&app, "/api/auth/login", &Auth::None, json!({"username": "admin"})).await;
    let problem = missing.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("password"), "{problem}");

    let no_type = send(&app, axum::http::Method::POST, "/api/auth/login", &Auth::None, None, "{}").await;
    no_type.assert_problem(400, "invalid-request");

    let wrong_type = post_json(&app, "/api/instances", &admin, json!({"definition_id": 5})).await;
    let problem = wrong_type.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("definition_id"), "{problem}");

    let syntax = send(&app, axum::http::Method::POST, "/api/instances", &admin,
        Some("application/json"), "{not json").await;
    syntax.assert_problem(400, "invalid-request");

    let not_object = post_json(&app, "/api/instances", &admin, json!({"process_id": "x", "variables": [1]})).await;
    not_object.assert_problem(404, "not-found");

    let bad_query = get(&app, "/api/instances?limit=many", &admin).await;
    bad_query.assert_problem(400, "invalid-request");
});
