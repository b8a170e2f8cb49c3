//! (d) Dashboards over HTTP: analysts create, change and delete, the roles
//! a dashboard lists read it and its tiles (anyone else gets 404), bad
//! definitions are problems naming the field, tile data and charts of a
//! known workload; reports shared by role, with SQL sources and schedules.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use flowdesk_store::dual_test;
use serde_json::{json, Value};

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

/// Three review instances, one cancelled, folded into the read model.
async fn workload(app: &axum::Router, admin: &Auth) {
    let reply = post_xml(app, "/api/definitions?name=review.bpmn", admin, REVIEW).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let mut ids = Vec::new();
    for tier in ["gold", "gold", "silver"] {
        let reply = post_json(
            app,
            "/api/instances",
            admin,
            json!({"process_id": "review", "variables": {"tier": tier}}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        ids.push(reply.json()["id"].as_str().unwrap().to_string());
    }
    let reply = post_json(
        app,
        &format!("/api/instances/{}/cancel", ids[0]),
        admin,
        json!({}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = post_json(app, "/api/insights/catch-up", admin, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK);
}

fn dashboard(roles: &[&str]) -> Value {
    json!({
        "name": "Review",
        "description": "Reviews in flight",
        "roles": roles,
        "definition": {
            "filters": {"process_id": "review"},
            "refresh_seconds": 30,
            "tiles": [
                {"id": "started", "title": "Started", "kind": "kpi", "metric": "started"},
                {"id": "cancelled", "title": "Cancelled", "kind": "kpi", "metric": "cancelled"},
                {"id": "per-day", "title": "Started per day", "kind": "series", "metric": "started", "width": 2},
                {"id": "steps", "title": "Started per step", "kind": "bar", "metric": "started"},
                {"id": "share", "title": "Share", "kind": "pie", "metric": "started"},
                {"id": "heat", "title": "Heatmap", "kind": "heatmap", "metric": "duration_p90", "width": 3},
                {"id": "rows", "title": "Rows", "kind": "table", "metric": "active"}
            ]
        }
    })
}

async fn put_json(app: &axum::Router, uri: &str, auth: &Auth, body: Value) -> Reply {
    send(
        app,
        Method::PUT,
        uri,
        auth,
        Some("application/json"),
        Body::from(body.to_string()),
    )
    .await
}

async fn delete(app: &axum::Router, uri: &str, auth: &Auth) -> Reply {
    send(app, Method::DELETE, uri, auth, None, Body::empty()).await
}

dual_test!(async fn dashboards_crud_roles_tiles_and_charts(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let analyst = user_with_role(&app, &admin, "analyst").await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let operator = user_with_role(&app, &admin, "operator").await;
    workload(&app, &admin).await;

    post_json(&app, "/api/dashboards", &viewer, dashboard(&["viewer"])).await.assert_problem(403, "forbidden");
    let created = post_json(&app, "/api/dashboards", &analyst, dashboard(&["viewer"])).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&created.body));
    let created = created.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["roles"], json!(["viewer"]));
    assert_eq!(created["definition"], dashboard(&[])["definition"]);
    assert!(created["created_by"].is_string() && created["created_at"].is_i64());
    assert_eq!(created["created_at"], created["updated_at"]);
    post_json(&app, "/api/dashboards", &analyst, dashboard(&["viewer"])).await.assert_problem(409, "conflict");

    // Bad bodies: the detail names the field.
    let mut bad = dashboard(&["viewer"]);
    bad["definition"]["tiles"][2]["metric"] = json!("colour");
    let problem = post_json(&app, "/api/dashboards", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("definition.tiles[2].metric"), "{problem}");
    let mut bad = dashboard(&["viewer"]);
    bad["definition"]["tiles"][0]["width"] = json!(4);
    let problem = post_json(&app, "/api/dashboards", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("definition.tiles[0].width: "), "{problem}");
    let mut bad = dashboard(&["viewer"]);
    bad["definition"]["tiles"][3]["id"] = json!("started");
    let problem = post_json(&app, "/api/dashboards", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("definition.tiles[3].id: "), "{problem}");
    let problem = post_json(&app, "/api/dashboards", &analyst, dashboard(&["viewer", "chief"])).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("roles[1]: there is no role \"chief\""), "{problem}");
    let mut bad = dashboard(&["viewer"]);
    bad["definition"]["filters"]["from"] = json!("yesterday");
    let problem = post_json(&app, "/api/dashboards", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("definition.filters.from"), "{problem}");

    // Visibility: the listed role reads; another role gets 404 everywhere.
    let listed = get(&app, "/api/dashboards", &viewer).await.json();
    assert_eq!(listed, json!([{
        "id": id, "name": "Review", "description": "Reviews in flight", "roles": ["viewer"],
        "updated_at": created["updated_at"]
    }]));
    assert_eq!(get(&app, "/api/dashboards", &operator).await.json(), json!([]));
    assert_eq!(get(&app, &format!("/api/dashboards/{id}"), &viewer).await.json(), created);
    for uri in [format!("/api/dashboards/{id}"), format!("/api/dashboards/{id}/tiles/started"), format!("/api/dashboards/{id}/tiles/steps/chart")] {
        let problem = get(&app, &uri, &operator).await.assert_problem(404, "not-found");
        let missing = get(&app, &uri.replace(&id, "0190a000-0000-7000-8000-000000000000"), &operator).await.assert_problem(404, "not-found");
        assert_eq!(problem["title"], missing["title"], "a hidden dashboard looks like a missing one");
    }
    assert_eq!(get(&app, "/api/dashboards", &admin).await.json().as_array().unwrap().len(), 1, "report:manage reads all");

    // Tile data of the known workload: 3 started, 1 cancelled, 2 active.
    let tile = |name: &str| format!("/api/dashboards/{id}/tiles/{name}");
    assert_eq!(get(&app, &tile("started"), &viewer).await.json(), json!({"value": 3.0}));
    assert_eq!(get(&app, &tile("cancelled"), &viewer).await.json(), json!({"value": 1.0}));
    let points = get(&app, &tile("per-day"), &viewer).await.json()["points"].as_array().unwrap().clone();
    assert_eq!(points.iter().map(|p| p["value"].as_f64().unwrap()).sum::<f64>(), 3.0);
    assert!(points.iter().all(|p| p["t"].as_i64().unwrap() % 86_400_000 == 0), "daily buckets");
    let items = get(&app, &tile("steps"), &viewer).await.json()["items"].clone();
    assert!(items.as_array().unwrap().contains(&json!({"label": "read", "value": 3.0})), "{items}");
    assert_eq!(get(&app, &tile("share"), &viewer).await.json()["items"], items);
    let heat = get(&app, &tile("heat"), &viewer).await.json();
    assert_eq!((heat["process_id"].as_str(), heat["version"].as_i64()), (Some("review"), Some(1)));
    let read = heat["elements"].as_array().unwrap().iter().find(|e| e["element_id"] == "read").unwrap().clone();
    assert_eq!(read["count"], 3);
    assert!(read.get("mean_ms").is_some() && read.get("p90_ms").is_some());
    let table = get(&app, &tile("rows"), &viewer).await.json();
    assert_eq!(table["columns"], json!(["element_id", "active"]));
    assert!(table["rows"].as_array().unwrap().contains(&json!(["read", 2.0])), "{table}");
    // Query parameters override the saved filters; a bounded range has a previous period.
    let future = get(&app, &format!("{}?from=4102444800000&to=4102531200000", tile("started")), &viewer).await.json();
    assert_eq!(future, json!({"value": 0.0, "previous": 0.0}));
    let other = get(&app, &format!("{}?process_id=none", tile("started")), &viewer).await.json();
    assert_eq!(other, json!({"value": 0.0}));
    get(&app, &format!("{}?from=10&to=5", tile("started")), &viewer).await.assert_problem(400, "invalid-request");
    get(&app, &format!("{}?version=two", tile("started")), &viewer).await.assert_problem(400, "invalid-request");
    get(&app, &tile("nope"), &viewer).await.assert_problem(404, "not-found");
    // The variable filter: the two gold instances, one of them cancelled.
    let gold = "variable=tier&value=%22gold%22";
    assert_eq!(get(&app, &format!("{}?{gold}", tile("started")), &viewer).await.json(), json!({"value": 2.0}));
    assert_eq!(get(&app, &format!("{}?{gold}", tile("cancelled")), &viewer).await.json(), json!({"value": 1.0}));
    let points = get(&app, &format!("{}?{gold}", tile("per-day")), &viewer).await.json()["points"].as_array().unwrap().clone();
    assert_eq!(points.iter().map(|p| p["value"].as_f64().unwrap()).sum::<f64>(), 2.0);
    let nobody = get(&app, &format!("{}?variable=tier&value=%22platinum%22", tile("started")), &viewer).await.json();
    assert_eq!(nobody, json!({"value": 0.0}));
    for (query, expected) in [
        ("variable=tier&value=gold", "value: \"gold\" is not JSON"),
        ("variable=tier", "value: required with variable"),
        ("value=1", "variable: required with value"),
        ("variable=&value=1", "variable.name: is empty"),
        ("variable=tier&value=null", "variable.value: must be a number, string or boolean"),
    ] {
        let problem = get(&app, &format!("{}?{query}", tile("started")), &viewer).await.assert_problem(400, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().contains(expected), "{query}: {problem}");
    }
    let problem = get(&app, &format!("{}?{gold}", tile("heat")), &viewer).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("duration_p90"), "{problem}");
    let problem = get(&app, &format!("{}/chart?{gold}", tile("steps")), &viewer).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("per element"), "{problem}");

    // Charts, drawn by the report renderer.
    let svg = get(&app, &format!("{}/chart", tile("per-day")), &viewer).await;
    assert_eq!(svg.status, StatusCode::OK, "{}", String::from_utf8_lossy(&svg.body));
    assert_eq!(svg.content_type(), "image/svg+xml");
    let svg = String::from_utf8(svg.body).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Started per day"), "{svg}");
    for name in ["steps", "share", "heat"] {
        let png = get(&app, &format!("{}/chart?format=png", tile(name)), &viewer).await;
        assert_eq!(png.status, StatusCode::OK, "{name}: {}", String::from_utf8_lossy(&png.body));
        assert_eq!(png.content_type(), "image/png");
        assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}");
    }
    let problem = get(&app, &format!("{}/chart", tile("started")), &viewer).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("has no chart"), "{problem}");
    let problem = get(&app, &format!("{}/chart?format=gif", tile("steps")), &viewer).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("expected svg or png"), "{problem}");

    // Change: share with operators instead; then delete.
    let mut changed = dashboard(&["operator"]);
    changed["name"] = json!("Review (operators)");
    put_json(&app, &format!("/api/dashboards/{id}"), &viewer, changed.clone()).await.assert_problem(403, "forbidden");
    let reply = put_json(&app, &format!("/api/dashboards/{id}"), &analyst, changed).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["name"], "Review (operators)");
    assert_eq!(reply.json()["created_at"], created["created_at"]);
    assert_eq!(get(&app, &tile("started"), &operator).await.json(), json!({"value": 3.0}));
    get(&app, &format!("/api/dashboards/{id}"), &viewer).await.assert_problem(404, "not-found");
    put_json(&app, "/api/dashboards/nope", &analyst, dashboard(&[])).await.assert_problem(404, "not-found");
    delete(&app, &format!("/api/dashboards/{id}"), &viewer).await.assert_problem(403, "forbidden");
    assert_eq!(delete(&app, &format!("/api/dashboards/{id}"), &analyst).await.status, StatusCode::NO_CONTENT);
    get(&app, &format!("/api/dashboards/{id}"), &analyst).await.assert_problem(404, "not-found");
    delete(&app, &format!("/api/dashboards/{id}"), &analyst).await.assert_problem(404, "not-found");
    assert_eq!(count(&store, "audit_log WHERE action LIKE 'dashboard.%'").await, 3);
});

dual_test!(async fn reports_are_shared_by_role_with_sql_sources_and_schedules(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let analyst = user_with_role(&app, &admin, "analyst").await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    let operator = user_with_role(&app, &admin, "operator").await;
    workload(&app, &admin).await;

    let body = json!({
        "name": "Per process",
        "roles": ["operator"],
        "definition": {
            "source": "sql",
            "sql": "SELECT process_id, CAST(SUM(started) AS BIGINT) AS started FROM insights_process_hour WHERE process_id = $process GROUP BY process_id",
            "parameters": {"process": "review"},
            "chart": {"kind": "bar", "x": "process_id", "y": ["started"]},
            "schedule": "0 6 * * 1"
        }
    });
    let created = post_json(&app, "/api/reports", &analyst, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&created.body));
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.json()["definition"]["schedule"], "0 6 * * 1");

    // The operator's role is listed; the viewer's is not: 404, as for a missing report.
    assert_eq!(get(&app, "/api/reports", &operator).await.json().as_array().unwrap().len(), 1);
    assert_eq!(get(&app, "/api/reports", &viewer).await.json(), json!([]));
    get(&app, &format!("/api/reports/{id}"), &viewer).await.assert_problem(404, "not-found");
    get(&app, "/api/reports/Per%20process", &viewer).await.assert_problem(404, "not-found");
    get(&app, &format!("/api/reports/{id}/runs"), &viewer).await.assert_problem(404, "not-found");

    let run = post_json(&app, &format!("/api/reports/{id}/run"), &analyst, json!({})).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&run.body));
    let run = run.json();
    assert_eq!(run["result"], json!({"columns": ["process_id", "started"], "rows": [["review", 3]]}));
    let run_id = run["id"].as_str().unwrap();
    let csv = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=csv"), &operator).await;
    assert_eq!(String::from_utf8(csv.body).unwrap(), "process_id,started\nreview,3\n");
    let svg = get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=svg"), &operator).await;
    assert_eq!(svg.status, StatusCode::OK);
    get(&app, &format!("/api/reports/{id}/runs/{run_id}/download?format=csv"), &viewer).await.assert_problem(404, "not-found");

    // Refused SQL and schedules name the field.
    for (sql, expected) in [
        ("DELETE FROM insights_reports", "definition.sql: only a SELECT may run, not DELETE"),
        ("SELECT 1 FROM insights_cursor; DROP TABLE users", "definition.sql: give exactly one SELECT statement"),
        ("SELECT * FROM users", "definition.sql: table users is not an analytics table"),
        ("SELECT * FROM insights_cursor /* */; DELETE FROM history -- ", "definition.sql: give exactly one SELECT statement"),
    ] {
        let mut bad = body.clone();
        bad["name"] = json!("Bad");
        bad["definition"]["sql"] = json!(sql);
        bad["definition"]["parameters"] = json!({});
        let problem = post_json(&app, "/api/reports", &analyst, bad).await.assert_problem(400, "invalid-request");
        assert!(problem["detail"].as_str().unwrap().starts_with(expected), "{sql}: {problem}");
    }
    let mut bad = body.clone();
    bad["name"] = json!("Bad");
    bad["definition"]["schedule"] = json!("every monday");
    let problem = post_json(&app, "/api/reports", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("definition.schedule: "), "{problem}");
    let mut bad = body.clone();
    bad["definition"]["colour"] = json!("red");
    let problem = post_json(&app, "/api/reports", &analyst, bad).await.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("unknown field `colour`"), "{problem}");
    assert_eq!(count(&store, "insights_reports").await, 1);

    // Change: share with viewers, no schedule.
    let mut changed = body.clone();
    changed["roles"] = json!(["viewer"]);
    changed["definition"].as_object_mut().unwrap().remove("schedule");
    let reply = send(&app, Method::PUT, &format!("/api/reports/{id}"), &analyst, Some("application/json"), Body::from(changed.to_string())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", String::from_utf8_lossy(&reply.body));
    assert!(reply.json()["definition"].get("schedule").is_none());
    assert_eq!(get(&app, &format!("/api/reports/{id}/runs"), &viewer).await.json().as_array().unwrap().len(), 1, "runs stay");
    get(&app, &format!("/api/reports/{id}"), &operator).await.assert_problem(404, "not-found");
    assert_eq!(count(&store, "insights_report_schedules").await, 0);
});

dual_test!(async fn the_demo_dashboard_and_report_answer(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    flowdesk_api::demo::seed(&store).await.unwrap();
    assert_eq!(post_json(&app, "/api/insights/catch-up", &viewer, json!({})).await.status, StatusCode::OK);
    let listed = get(&app, "/api/dashboards", &viewer).await.json();
    assert_eq!(listed[0]["name"], flowdesk_api::demo::DEMO_DASHBOARD);
    let id = listed[0]["id"].as_str().unwrap();
    let dashboard = get(&app, &format!("/api/dashboards/{id}"), &viewer).await.json();
    let kinds: Vec<&str> = dashboard["definition"]["tiles"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["kpi", "kpi", "kpi", "kpi", "series", "bar", "pie", "heatmap"]);
    let kpis = get(&app, "/api/insights/kpis?process_id=order-approval", &viewer).await.json();
    let started = get(&app, &format!("/api/dashboards/{id}/tiles/started"), &viewer).await;
    assert_eq!(started.status, StatusCode::OK, "{}", String::from_utf8_lossy(&started.body));
    assert_eq!(started.json()["value"].as_f64(), kpis["started"].as_f64());
    for tile in dashboard["definition"]["tiles"].as_array().unwrap() {
        let reply = get(&app, &format!("/api/dashboards/{id}/tiles/{}", tile["id"].as_str().unwrap()), &viewer).await;
        assert_eq!(reply.status, StatusCode::OK, "{tile}: {}", String::from_utf8_lossy(&reply.body));
    }
    let report = get(&app, &format!("/api/reports/{}", flowdesk_api::demo::DEMO_REPORT.replace(' ', "%20")), &viewer).await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(report.json()["definition"]["source"], "daily");
});

dual_test!(async fn the_demo_instances_ran_through_the_engine(store) {
    flowdesk_api::demo::seed(&store).await.unwrap();
    let app = app(&store);
    let admin = setup_admin(&app).await;
    // Seeding folded history into the read model: the dashboard has numbers at first open.
    let id = get(&app, "/api/dashboards", &admin).await.json()[0]["id"].as_str().unwrap().to_string();
    let tile = |name: &str| format!("/api/dashboards/{id}/tiles/{name}");
    for (name, value) in [("started", 14.0), ("completed", 10.0), ("active", 3.0), ("incidents", 1.0)] {
        assert_eq!(get(&app, &tile(name), &admin).await.json()["value"].as_f64(), Some(value), "{name}");
    }
    let points = get(&app, &tile("throughput"), &admin).await.json()["points"].as_array().unwrap().clone();
    assert_eq!(points.iter().filter_map(|p| p["value"].as_f64()).sum::<f64>(), 10.0, "{points:?}");
    let heatmap = get(&app, &tile("heatmap"), &admin).await.json();
    let element = |element_id: &str| heatmap["elements"].as_array().unwrap().iter()
        .find(|e| e["element_id"] == element_id).unwrap_or_else(|| panic!("{element_id} in {heatmap}")).clone();
    let check = element("Activity_CheckOrder");
    assert_eq!(check["count"], 14, "{check}");
    let approve = element("Activity_ApproveOrder");
    assert_eq!(approve["count"], 7, "{approve}");
    // An approver takes at least half an hour, a worker checks an order in seconds.
    assert!(approve["p90_ms"].as_f64().unwrap() >= 30.0 * 60_000.0, "{approve}");
    assert!(check["p90_ms"].as_f64().unwrap() < 120_000.0, "{check}");
    assert!(element("Activity_AutoApprove")["count"].as_i64().unwrap() > 0);

    let instances = get(&app, "/api/instances?limit=100", &admin).await.json();
    let instances = instances["items"].as_array().unwrap();
    assert_eq!(instances.len(), 14);
    for instance in instances {
        let history = get(&app, &format!("/api/instances/{}/history", instance["id"].as_str().unwrap()), &admin).await.json();
        let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert!(kinds.len() >= 3, "{instance}: {kinds:?}");
    }
    let incidents = get(&app, "/api/incidents", &admin).await.json();
    let open: Vec<&Value> = incidents.as_array().unwrap().iter().filter(|i| i["state"] == "open").collect();
    assert_eq!(open.len(), 1, "{incidents}");
    assert_eq!(open[0]["element_id"], "Activity_CheckOrder");
    let tasks = get(&app, "/api/tasks?unassigned=true", &admin).await.json();
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["element_id"], "Activity_ApproveOrder");
    let key = tasks[0]["key"].as_i64().unwrap();
    assert_eq!(post_json(&app, &format!("/api/tasks/{key}/claim"), &admin, json!({})).await.status, StatusCode::OK);
});

#[test]
fn the_openapi_document_lists_the_variable_filter_of_tiles_and_charts() {
    let document = serde_json::to_value(flowdesk_api::openapi()).unwrap();
    for path in [
        "/api/dashboards/{id}/tiles/{tile_id}",
        "/api/dashboards/{id}/tiles/{tile_id}/chart",
    ] {
        let parameters = document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap();
        for name in ["variable", "value"] {
            let parameter = parameters
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{path} has no {name} parameter"));
            assert_eq!(parameter["in"], "query", "{path} {name}");
        }
    }
}
