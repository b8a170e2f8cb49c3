//! Forms deploy like definitions: `POST /api/definitions?name=….form` stores
//! a form-js schema as a version of the form its `id` names, which the
//! tasklist then finds by the `formId` a user task links.

use axum::http::StatusCode;
use flowdesk_store::dual_test;

use crate::common::*;

const FORM: &str = r#"{"id":"approve","type":"default","components":[{"type":"textfield","key":"comment","label":"Comment"}]}"#;

dual_test!(async fn a_form_deploys_as_a_versioned_definition(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;

    let first = post_xml(&app, "/api/definitions?name=approve.form", &admin, FORM).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&first.body));
    let deployed = first.json();
    assert_eq!(deployed.as_array().unwrap().len(), 1, "{deployed}");
    assert_eq!(deployed[0]["kind"], "form");
    assert_eq!(deployed[0]["process_id"], "approve");
    assert_eq!(deployed[0]["version"], 1);
    let v1 = deployed[0]["id"].as_str().unwrap().to_string();

    let source = get(&app, &format!("/api/definitions/{v1}/xml"), &admin).await;
    assert_eq!(source.status, StatusCode::OK);
    assert_eq!(source.content_type(), "application/json");
    assert_eq!(String::from_utf8_lossy(&source.body), FORM);

    let same = post_xml(&app, "/api/definitions?name=approve.form", &admin, FORM).await;
    assert_eq!(same.json()[0]["version"], 1, "unchanged content keeps its version");
    let changed = FORM.replace("Comment", "Remark");
    let second = post_xml(&app, "/api/definitions?name=approve.form.json", &admin, &changed).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.json()[0]["version"], 2);
});

dual_test!(async fn a_form_without_id_or_components_is_refused_and_writes_nothing(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let before = count(&store, "definitions").await;

    let no_json = post_xml(&app, "/api/definitions?name=broken.form", &admin, "{\"id\":").await;
    let problem = no_json.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("broken.form"), "{problem}");

    let no_id = post_xml(&app, "/api/definitions?name=anonymous.form", &admin, r#"{"components":[]}"#).await;
    let problem = no_id.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("no form id"), "{problem}");

    let no_components = post_xml(&app, "/api/definitions?name=plain.form", &admin, r#"{"id":"plain"}"#).await;
    let problem = no_components.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("components"), "{problem}");

    assert_eq!(count(&store, "definitions").await, before);
});
