//! (c) Setup, sign-in, deploy, start, list: with the session cookie and with an API token.

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

dual_test!(async fn vertical_slice_with_cookie_and_token(store) {
    let app = app(&store);
    assert_eq!(get(&app, "/api/auth/setup", &Auth::None).await.json(), json!({"needs_setup": true}));
    let setup_cookie = setup_admin(&app).await;
    assert_eq!(get(&app, "/api/auth/setup", &Auth::None).await.json(), json!({"needs_setup": false}));
    post_json(&app, "/api/auth/setup", &Auth::None, json!({"username": "eve", "password": PASSWORD}))
        .await
        .assert_problem(409, "conflict");

    // Wrong password: 401 problem, no cookie.
    let wrong = post_json(&app, "/api/auth/login", &Auth::None, json!({"username": "admin", "password": "nope-nope"})).await;
    wrong.assert_problem(401, "unauthenticated");
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    post_json(&app, "/api/auth/login", &Auth::None, json!({"username": "ghost", "password": "nope-nope"}))
        .await
        .assert_problem(401, "unauthenticated");

    let cookie = login(&app, "admin").await;
    if let (Auth::Cookie(a), Auth::Cookie(b)) = (&cookie, &setup_cookie) {
        assert_ne!(a, b, "each sign-in gets a new session");
    }
    let me = get(&app, "/api/auth/me", &cookie).await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");
    let mut permissions: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    permissions.sort_unstable();
    let mut every: Vec<&str> = flowdesk_identity::Permission::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    every.sort_unstable();
    assert_eq!(permissions, every, "the admin role holds every permission");

    let deployed = post_xml(&app, "/api/definitions?name=order-approval.bpmn", &cookie, ORDER_APPROVAL).await;
    assert_eq!(deployed.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&deployed.body));
    let deployed = deployed.json();
    assert_eq!(deployed[0]["process_id"], "order-approval");
    assert_eq!(deployed[0]["name"], "Order approval");
    assert_eq!(deployed[0]["version"], 1);
    assert_eq!(deployed[0]["kind"], "bpmn");
    assert_eq!(deployed[0]["deployed_by"], "admin");
    let definition_id = deployed[0]["id"].as_str().unwrap().to_string();
    let again = post_xml(&app, "/api/definitions?name=order-approval.bpmn", &cookie, ORDER_APPROVAL).await;
    assert_eq!(again.json()[0]["id"], definition_id.as_str(), "unchanged content keeps its version");

    let listed = get(&app, "/api/definitions", &cookie).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let one = get(&app, &format!("/api/definitions/{definition_id}"), &cookie).await.json();
    assert_eq!(one["resource_name"], "order-approval.bpmn");
    let xml = get(&app, &format!("/api/definitions/{definition_id}/xml"), &cookie).await;
    assert_eq!(xml.content_type(), "application/xml");
    assert_eq!(String::from_utf8(xml.body).unwrap(), ORDER_APPROVAL);
    get(&app, "/api/definitions/nope", &cookie).await.assert_problem(404, "not-found");

    let started = post_json(&app, "/api/instances", &cookie,
        json!({"process_id": "order-approval", "variables": {"amount": 120}})).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&started.body));
    let started = started.json();
    assert_eq!(started["state"], "active");
    assert_eq!(started["process_name"], "Order approval");
    assert_eq!(started["variables"], json!({"amount": 120}));
    assert!(started["ended_at"].is_null());
    assert!(started["started_at"].as_str().unwrap().ends_with('Z'));
    let page = get(&app, "/api/instances", &cookie).await.json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], started["id"]);

    // The same with an API token.
    let created = post_json(&app, "/api/tokens", &cookie, json!({"name": "ci", "expires_in_days": 30})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let created = created.json();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("fd_"));
    let token_id = created["token"]["id"].as_str().unwrap().to_string();
    let bearer = Auth::Bearer(secret);
    assert_eq!(get(&app, "/api/definitions", &bearer).await.json().as_array().unwrap().len(), 1);
    let by_token = post_json(&app, "/api/instances", &bearer, json!({"definition_id": definition_id})).await;
    assert_eq!(by_token.status, StatusCode::CREATED);
    let by_token_id = by_token.json()["id"].clone();
    let page = get(&app, "/api/instances?process_id=order-approval&state=active&limit=10", &bearer).await.json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["id"], by_token_id, "newest first");
    let one = get(&app, &format!("/api/instances/{}", by_token_id.as_str().unwrap()), &bearer).await;
    assert_eq!(one.status, StatusCode::OK);
    let tokens = get(&app, "/api/tokens", &bearer).await;
    assert!(!String::from_utf8_lossy(&tokens.body).contains("fd_"), "secrets are never listed");
    assert!(tokens.json()[0]["last_used_at"].is_string());
    let audit = get(&app, "/api/audit?limit=100", &bearer).await.json();
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for expected in ["setup.first_admin", "auth.login", "definition.deploy", "instance.start", "token.create"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
    let revoked = send(&app, Method::DELETE, &format!("/api/tokens/{token_id}"), &cookie, None, Body::empty()).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    get(&app, "/api/definitions", &bearer).await.assert_problem(401, "unauthenticated");

    // Every response carries the security headers and a request id.
    let reply = get(&app, "/health/live", &Auth::None).await;
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert_eq!(reply.headers["referrer-policy"], "no-referrer");
    assert!(reply.headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(reply.headers["x-request-id"].to_str().unwrap().len(), 36);
    let metrics = String::from_utf8(get(&app, "/metrics", &Auth::None).await.body).unwrap();
    assert!(metrics.contains(r#"flowdesk_http_requests_total{method="POST",path="/api/instances",status="201"} 2"#), "{metrics}");
    assert!(metrics.contains("flowdesk_process_uptime_seconds"));
    assert_eq!(get(&app, "/health/ready", &Auth::None).await.json()["database"], "ok");
    get(&app, "/api/nothing-here", &cookie).await.assert_problem(404, "not-found");

    let logout = send(&app, Method::POST, "/api/auth/logout", &cookie, None, Body::empty()).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert!(logout.headers[header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    get(&app, "/api/auth/me", &cookie).await.assert_problem(401, "unauthenticated");
    assert_eq!(get(&app, "/api/auth/me", &setup_cookie).await.status, StatusCode::OK);
});

dual_test!(async fn demo_seed_is_idempotent(store) {
    flowdesk_api::demo::seed(&store).await.unwrap();
    flowdesk_api::demo::seed(&store).await.unwrap();
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let definitions = get(&app, "/api/definitions", &admin).await.json();
    let mut kinds: Vec<&str> = definitions.as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["bpmn", "dmn", "form"]);
    let all = get(&app, "/api/instances?limit=100", &admin).await.json();
    assert_eq!(all["total"], 14);
    for (state, n) in [("completed", 10), ("cancelled", 1), ("active", 3), ("incident", 1)] {
        let page = get(&app, &format!("/api/instances?state={state}"), &admin).await.json();
        assert_eq!(page["total"], n, "{state}");
    }
    assert_eq!(flowdesk_store::audit::verify(&store).await.unwrap().map(|n| n > 0), Ok(true));
});

#[tokio::test]
async fn serves_the_ui_with_index_fallback() {
    let dir = std::env::temp_dir().join(format!("flowdesk-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Flowdesk</title>",
    )
    .unwrap();
    let store = flowdesk_store::Store::connect("sqlite::memory:")
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = flowdesk_api::router(
        store,
        flowdesk_api::ApiConfig {
            ui_dir: Some(dir.clone()),
            secure_cookies: true,
            passkeys: None,
        },
    );
    for path in ["/", "/index.html", "/some/client/route"] {
        let reply = get(&app, path, &Auth::None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(String::from_utf8_lossy(&reply.body).contains("Flowdesk"));
    }
    get(&app, "/api/unknown", &Auth::None)
        .await
        .assert_problem(404, "not-found");
    let setup = post_json(
        &app,
        "/api/auth/setup",
        &Auth::None,
        json!({"username": "admin", "password": PASSWORD}),
    )
    .await;
    assert!(setup.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .ends_with("; Secure"));
    let _ = std::fs::remove_dir_all(dir);
}
