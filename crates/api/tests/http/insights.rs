//! (i) The analytics read model over HTTP: catch up, KPIs, series and the
//! element heatmap; viewers read; bad filters are problems.

use axum::http::StatusCode;
use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

const REVIEW: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="read"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="read" />
    <bpmn:sequenceFlow id="f2" sourceRef="read" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

dual_test!(async fn viewers_read_kpis_series_and_element_statistics(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let reply = post_xml(&app, "/api/definitions?name=review.bpmn", &admin, REVIEW).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let reply = post_json(&app, "/api/instances", &admin, json!({"process_id": "review"})).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        ids.push(reply.json()["id"].as_str().unwrap().to_string());
    }
    let reply = post_json(&app, &format!("/api/instances/{}/cancel", ids[0]), &admin, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);

    let viewer = user_with_role(&app, &admin, "viewer").await;
    let reply = post_json(&app, "/api/insights/catch-up", &viewer, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    let caught = reply.json();
    assert!(caught["events"].as_u64().unwrap() > 0);
    assert_eq!(caught["status"]["high_water"], caught["status"]["history_head"]);

    let kpis = get(&app, "/api/insights/kpis?process_id=review", &viewer).await;
    assert_eq!(kpis.status, StatusCode::OK);
    let kpis = kpis.json();
    assert_eq!(kpis["started"], 3);
    assert_eq!(kpis["cancelled"], 1);
    assert_eq!(kpis["active"], 2);
    assert_eq!(kpis["duration"]["count"], 1);

    let series = get(&app, "/api/insights/series?process_id=review&granularity=hour", &viewer).await;
    assert_eq!(series.status, StatusCode::OK);
    let points = series.json()["points"].as_array().unwrap().clone();
    assert_eq!(points.iter().map(|p| p["started"].as_i64().unwrap()).sum::<i64>(), 3);
    assert_eq!(points.last().unwrap()["active"], 2);

    let elements = get(&app, "/api/insights/elements?process_id=review", &viewer).await.json();
    let read = elements.as_array().unwrap().iter().find(|e| e["element_id"] == "read").unwrap();
    assert_eq!(read["element_type"], "userTask");
    assert_eq!(read["activated"], 3);
    assert_eq!(read["terminated"], 1);

    let processes = get(&app, "/api/insights/processes", &viewer).await.json();
    assert_eq!(processes, json!([{"process_id": "review", "version": 1, "instances": 3}]));

    get(&app, "/api/insights/series?from=10&to=5", &viewer).await.assert_problem(400, "invalid-request");
    get(&app, "/api/insights/series?granularity=week", &viewer).await.assert_problem(400, "invalid-request");
    get(&app, "/api/insights/series?from=0&to=4000000000000&granularity=hour", &viewer)
        .await
        .assert_problem(400, "invalid-request");
    // Times beyond the years -9999..=9999 are refused, not overflowed.
    for path in [
        "/api/insights/series?to=-9223372036854775808",
        "/api/insights/kpis?from=9223372036854775807",
        "/api/insights/elements?from=-377705203200001",
    ] {
        let answer = get(&app, path, &viewer).await;
        answer.assert_problem(400, "invalid-request");
        assert!(answer.json()["detail"].as_str().unwrap().contains("the years -9999 to 9999"), "{path}");
    }
    assert_eq!(get(&app, "/api/insights/kpis?from=-377705203200000&to=253402300799999", &viewer).await.status, StatusCode::OK);
    get(&app, "/api/insights/kpis", &Auth::None).await.assert_problem(401, "unauthenticated");
});
