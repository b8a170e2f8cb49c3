//! (r) Saved reports over HTTP: analysts create and run, viewers read and
//! download; bad definitions and formats are problems.

use axum::http::{Method, StatusCode};
use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

dual_test!(async fn analysts_create_and_run_reports_viewers_download_them(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let analyst = user_with_role(&app, &admin, "analyst").await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let definition = json!({
        "source": "elements",
        "columns": ["element_id", "activated", "completed"],
        "chart": {"kind": "bar", "x": "element_id", "y": ["activated"]}
    });
    let body = json!({"name": "Elements", "description": "Heat", "roles": ["viewer"], "definition": definition});
    post_json(&app, "/api/reports", &viewer, body.clone()).await.assert_problem(403, "forbidden");
    let created = post_json(&app, "/api/reports", &analyst, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&created.body));
    let id = created.json()["id"].as_str().unwrap().to_string();
    post_json(&app, "/api/reports", &analyst, body).await.assert_problem(409, "conflict");
    let bad = json!({"name": "Bad", "definition": {"source": "kpis", "columns": ["colour"]}});
    let problem = post_json(&app, "/api/reports", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("colour"));

    let listed = get(&app, "/api/reports", &viewer).await.json();
    assert_eq!(listed[0]["name"], "Elements");
    assert_eq!(get(&app, "/api/reports/Elements", &viewer).await.json()["id"], id.as_str());

    post_json(&app, &format!("/api/reports/{id}/run"), &viewer, json!({})).await.assert_problem(403, "forbidden");
    let run = post_json(&app, &format!("/api/reports/{id}/run"), &analyst, json!({"parameters": {"process_id": "none"}})).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&run.body));
    let run = run.json();
    assert_eq!(run["parameters"], json!({"process_id": "none"}));
    assert_eq!(run["result"]["columns"], json!(["element_id", "activated", "completed"]));
    assert!(run["as_of"].is_i64());
    let run_id = run["id"].as_str().unwrap();
    post_json(&app, &format!("/api/reports/{id}/run"), &analyst, json!({"parameters": {"colour": "red"}}))
        .await
        .assert_problem(400, "invalid-request");

    let runs = get(&app, &format!("/api/reports/{id}/runs"), &viewer).await.json();
    assert_eq!(runs.as_array().unwrap().len(), 1);

    let csv = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=csv"), &viewer).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert_eq!(String::from_utf8(csv.body).unwrap(), "element_id,activated,completed\n");
    let snapshot = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=json"), &viewer).await;
    assert_eq!(snapshot.json()["report"]["definition"]["source"], "elements");
    let pdf = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=pdf"), &viewer).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    let xlsx = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=xlsx"), &viewer).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.content_type(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(xlsx.body.starts_with(b"PK"), "an XLSX is a zip file");
    assert_eq!(
        xlsx.headers.get("content-disposition").unwrap(),
        &format!("attachment; filename=\"report-{run_id}.xlsx\"")
    );
    let problem = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=doc"), &viewer)
        .await
        .assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("expected pdf, png, svg, csv, xlsx or json"));
    get(&app, &format!("/api/reports/{id}/runs/nope/download?format=csv"), &viewer)
        .await
        .assert_problem(404, "not-found");

    let deleted = send(&app, Method::DELETE, &format!("/api/reports/{id}"), &analyst, None, axum::body::Body::empty()).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    get(&app, &format!("/api/reports/{id}"), &viewer).await.assert_problem(404, "not-found");
});

#[test]
fn the_openapi_document_lists_every_download_format() {
    let document = serde_json::to_value(flowdesk_api::openapi()).unwrap();
    let download = &document["paths"]["/api/reports/{id}/runs/{run_id}/download"]["get"];
    let content = download["responses"]["200"]["content"].as_object().unwrap();
    let mut types: Vec<&str> = content.keys().map(String::as_str).collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "application/json",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/png",
            "image/svg+xml",
            "text/csv",
        ]
    );
    let format = download["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "format")
        .unwrap();
    assert!(format["description"].as_str().unwrap().contains("`xlsx`"));
}
