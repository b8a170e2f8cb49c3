//! Sign-in throttling, password policy, sessions, CSRF protection, scoped
//! tokens and TOTP over HTTP. Where time matters, the identity service is
//! called with an earlier `now` (the clock is a parameter, never a sleep).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use flowdesk_identity::session::{SESSION_ABSOLUTE_MS, SESSION_IDLE_MS};
use flowdesk_identity::Identity;
use flowdesk_store::dual_test;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A JSON POST with extra headers and, optionally, the client address a
/// server started with connect info would see.
async fn post_with(
    app: &Router,
    uri: &str,
    auth: &Auth,
    headers: &[(&str, &str)],
    from: Option<&str>,
    body: Value,
) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    match auth {
        Auth::None => {}
        Auth::Cookie(secret) => {
            request = request.header(header::COOKIE, format!("flowdesk_session={secret}"))
        }
        Auth::Bearer(secret) => {
            request = request.header(header::AUTHORIZATION, format!("Bearer {secret}"))
        }
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(from) = from {
        let address: SocketAddr = format!("{from}:40000").parse().unwrap();
        request = request.extension(ConnectInfo(address));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn login_reply(app: &Router, username: &str, password: &str, from: Option<&str>) -> Reply {
    post_with(
        app,
        "/api/auth/login",
        &Auth::None,
        &[],
        from,
        json!({"username": username, "password": password}),
    )
    .await
}

async fn delete(app: &Router, uri: &str, auth: &Auth) -> Reply {
    send(app, Method::DELETE, uri, auth, None, Body::empty()).await
}

dual_test!(async fn repeated_failures_lock_sign_in_with_the_same_answer_for_unknown_users(store) {
    let app = app(&store);
    setup_admin(&app).await;
    for username in ["admin", "ghost"] {
        for _ in 0..5 {
            login_reply(&app, username, "wrong password!", None).await.assert_problem(401, "unauthenticated");
        }
        let locked = login_reply(&app, username, PASSWORD, None).await;
        let problem = locked.assert_problem(429, "too-many-attempts");
        assert!(problem["detail"].as_str().unwrap().contains("try again in 60 seconds"), "{problem}");
        assert_eq!(locked.headers.get(header::RETRY_AFTER).unwrap(), "60");
    }
    // One client address guessing across many accounts is locked too.
    for i in 0..20 {
        login_reply(&app, &format!("user{i}"), "wrong password!", Some("10.0.0.9")).await.assert_problem(401, "unauthenticated");
    }
    identity_user(&store, "vic").await;
    login_reply(&app, "vic", PASSWORD, Some("10.0.0.9")).await.assert_problem(429, "too-many-attempts");
    assert_eq!(login_reply(&app, "vic", PASSWORD, Some("10.0.0.10")).await.status, StatusCode::OK);
    let failures = count(&store, "audit_log WHERE action = 'auth.login_failed' AND detail LIKE 'from 10.0.0.9%'").await;
    assert_eq!(failures, 20, "failed sign-ins are audited with the client address");
});

async fn identity_user(store: &flowdesk_store::Store, username: &str) {
    Identity::new(store.clone())
        .create_user("admin", username, PASSWORD, "viewer", now())
        .await
        .unwrap();
}

dual_test!(async fn new_passwords_must_follow_the_policy(store) {
    let app = app(&store);
    let short = post_json(&app, "/api/auth/setup", &Auth::None, json!({"username": "admin", "password": "elevenchars"})).await;
    let problem = short.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("at least 12 characters"), "{problem}");
    let admin = setup_admin(&app).await;
    let same = post_json(&app, "/api/users", &admin, json!({"username": "bob-the-builder", "password": "Bob-The-Builder", "role": "viewer"})).await;
    assert!(same.assert_problem(400, "invalid-request")["detail"].as_str().unwrap().contains("username"));
    post_json(&app, "/api/users", &admin, json!({"username": "bob", "password": "password1234", "role": "viewer"})).await.assert_problem(400, "invalid-request");

    let change = json!({"current_password": PASSWORD, "new_password": "qwerty123456"});
    post_json(&app, "/api/auth/password", &admin, change).await.assert_problem(400, "invalid-request");
    let wrong = json!({"current_password": "not my password", "new_password": "a much better secret"});
    post_json(&app, "/api/auth/password", &admin, wrong).await.assert_problem(401, "unauthenticated");
    let other = login(&app, "admin").await;
    let change = json!({"current_password": PASSWORD, "new_password": "a much better secret"});
    assert_eq!(post_json(&app, "/api/auth/password", &admin, change).await.status, StatusCode::NO_CONTENT);
    get(&app, "/api/auth/me", &other).await.assert_problem(401, "unauthenticated");
    assert_eq!(get(&app, "/api/auth/me", &admin).await.status, StatusCode::OK, "the changing session stays");
    assert_eq!(login_reply(&app, "admin", "a much better secret", None).await.status, StatusCode::OK);
});

dual_test!(async fn sessions_are_listed_revoked_rotated_and_expire(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let vic = user_with_role(&app, &admin, "viewer").await;
    let vic_too = login(&app, "viewer-user").await;
    let listed = get(&app, "/api/auth/sessions", &vic).await.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    let other_id = listed.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
    delete(&app, &format!("/api/auth/sessions/{other_id}"), &admin).await.assert_problem(404, "not-found");
    assert_eq!(delete(&app, &format!("/api/auth/sessions/{other_id}"), &vic).await.status, StatusCode::NO_CONTENT);
    get(&app, "/api/auth/me", &vic_too).await.assert_problem(401, "unauthenticated");
    assert_eq!(get(&app, "/api/auth/me", &vic).await.status, StatusCode::OK);

    // Signing in with a session cookie ends that session: the id rotates.
    let Auth::Cookie(old) = &vic else { unreachable!() };
    let rotated = post_with(&app, "/api/auth/login", &vic, &[], None, json!({"username": "viewer-user", "password": PASSWORD})).await;
    assert_ne!(&rotated.session_cookie(), old);
    get(&app, "/api/auth/me", &vic).await.assert_problem(401, "unauthenticated");
    let vic = Auth::Cookie(rotated.session_cookie());

    // An administrator ends all of someone's sessions.
    let me = get(&app, "/api/auth/me", &vic).await.json();
    let vic_id = me["id"].as_str().unwrap();
    delete(&app, &format!("/api/users/{vic_id}/sessions"), &vic).await.assert_problem(403, "forbidden");
    assert_eq!(delete(&app, &format!("/api/users/{vic_id}/sessions"), &admin).await.status, StatusCode::NO_CONTENT);
    get(&app, "/api/auth/me", &vic).await.assert_problem(401, "unauthenticated");

    // Expiry, with the sign-in back-dated through the service's clock.
    let identity = Identity::new(store.clone());
    let idle = identity.login("viewer-user", PASSWORD, None, None, now() - SESSION_IDLE_MS - 1_000).await.unwrap().secret;
    get(&app, "/api/auth/me", &Auth::Cookie(idle)).await.assert_problem(401, "unauthenticated");
    let start = now() - SESSION_ABSOLUTE_MS - 60_000;
    let busy = identity.login("viewer-user", PASSWORD, None, None, start).await.unwrap().secret;
    let mut at = start;
    while at + 20 * 60_000 < start + SESSION_ABSOLUTE_MS {
        at += 20 * 60_000;
        identity.authenticate_session(&busy, at).await.unwrap();
    }
    // Active within the idle limit, but past the absolute one.
    assert!(now() - at < SESSION_IDLE_MS);
    get(&app, "/api/auth/me", &Auth::Cookie(busy)).await.assert_problem(401, "unauthenticated");
});

dual_test!(async fn cross_origin_unsafe_requests_with_cookies_are_refused(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let token = json!({"name": "csrf"});
    for headers in [
        &[("origin", "https://evil.example"), ("host", "flowdesk.example")][..],
        &[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "null")][..],
    ] {
        let reply = post_with(&app, "/api/tokens", &admin, headers, None, token.clone()).await;
        reply.assert_problem(403, "cross-origin");
    }
    // Forged sign-in (login CSRF) is refused too.
    let forged = post_with(&app, "/api/auth/login", &Auth::None, &[("origin", "https://evil.example")], None,
        json!({"username": "admin", "password": PASSWORD})).await;
    forged.assert_problem(403, "cross-origin");
    for headers in [
        &[("origin", "https://flowdesk.example"), ("host", "flowdesk.example")][..],
        &[("sec-fetch-site", "same-origin"), ("origin", "https://flowdesk.example")][..],
        &[("origin", "tauri://localhost"), ("sec-fetch-site", "cross-site")][..],
        &[][..],
    ] {
        let reply = post_with(&app, "/api/tokens", &admin, headers, None, token.clone()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{headers:?}");
    }
    // Bearer tokens are no ambient credential: exempt.
    let secret = post_json(&app, "/api/tokens", &admin, token.clone()).await.json()["secret"].as_str().unwrap().to_string();
    let reply = post_with(&app, "/api/tokens", &Auth::Bearer(secret), &[("origin", "https://evil.example")], None, token).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(count(&store, "audit_log WHERE action = 'access.denied' AND detail LIKE 'cross-origin%'").await, 5);
});

dual_test!(async fn tokens_are_scoped_expire_and_are_revoked(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let created = post_json(&app, "/api/tokens", &admin, json!({"name": "reader", "scopes": ["definition:read"], "expires_in_days": 7})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let created = created.json();
    assert_eq!(created["token"]["scopes"], json!(["definition:read"]));
    assert!(created["token"]["expires_at"].is_string());
    let reader = Auth::Bearer(created["secret"].as_str().unwrap().to_string());
    assert_eq!(get(&app, "/api/definitions", &reader).await.status, StatusCode::OK);
    get(&app, "/api/users", &reader).await.assert_problem(403, "forbidden");
    get(&app, "/api/audit", &reader).await.assert_problem(403, "forbidden");
    // The secret is shown once: listing never repeats it.
    let listed = get(&app, "/api/tokens", &admin).await.json();
    assert!(!listed.to_string().contains(created["secret"].as_str().unwrap()));

    let viewer = user_with_role(&app, &admin, "viewer").await;
    let escalate = post_json(&app, "/api/tokens", &viewer, json!({"name": "x", "scopes": ["user:manage"]})).await;
    assert!(escalate.assert_problem(400, "invalid-request")["detail"].as_str().unwrap().contains("user:manage"));

    // Expired: created through the service with a clock 2 days back.
    let identity = Identity::new(store.clone());
    let Auth::Cookie(cookie) = &admin else { unreachable!() };
    let principal = identity.authenticate_session(cookie, now()).await.unwrap();
    let (_, expired) = identity.create_token(&principal, "old", Some(1), None, now() - 2 * 86_400_000).await.unwrap();
    get(&app, "/api/definitions", &Auth::Bearer(expired)).await.assert_problem(401, "unauthenticated");

    let id = created["token"]["id"].as_str().unwrap();
    assert_eq!(delete(&app, &format!("/api/tokens/{id}"), &admin).await.status, StatusCode::NO_CONTENT);
    get(&app, "/api/definitions", &reader).await.assert_problem(401, "unauthenticated");
});

fn code(secret: &str, account: &str, at: i64) -> String {
    flowdesk_identity::mfa::totp(secret, account)
        .unwrap()
        .generate((at / 1000) as u64)
}

dual_test!(async fn totp_enrolment_and_two_step_sign_in(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let enrolment = post_json(&app, "/api/auth/mfa/totp", &admin, json!({})).await;
    assert_eq!(enrolment.status, StatusCode::CREATED);
    let enrolment = enrolment.json();
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    assert!(enrolment["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Flowdesk:admin?secret="));
    assert!(enrolment["qr_code"].as_str().unwrap().starts_with("data:image/svg+xml;base64,"));
    post_json(&app, "/api/auth/mfa/totp/confirm", &admin, json!({"code": "000000"})).await.assert_problem(401, "unauthenticated");
    let confirmed = post_json(&app, "/api/auth/mfa/totp/confirm", &admin, json!({"code": code(&secret, "admin", now())})).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", String::from_utf8_lossy(&confirmed.body));
    let recovery: Vec<String> = serde_json::from_value(confirmed.json()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);

    let pending = login_reply(&app, "admin", PASSWORD, None).await;
    assert_eq!(pending.status, StatusCode::ACCEPTED);
    assert_eq!(pending.json()["mfa_required"], true);
    let pending = Auth::Cookie(pending.session_cookie());
    get(&app, "/api/auth/me", &pending).await.assert_problem(401, "unauthenticated");
    post_json(&app, "/api/auth/login/mfa", &pending, json!({"code": "123456"})).await.assert_problem(401, "unauthenticated");
    post_json(&app, "/api/auth/login/mfa", &Auth::None, json!({"code": "123456"})).await.assert_problem(401, "unauthenticated");
    // The next time step's code (one step of skew is accepted; the current
    // step was spent on the confirmation).
    let signed_in = post_json(&app, "/api/auth/login/mfa", &pending, json!({"code": code(&secret, "admin", now() + 30_000)})).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", String::from_utf8_lossy(&signed_in.body));
    assert_eq!(signed_in.json()["username"], "admin");
    let full = Auth::Cookie(signed_in.session_cookie());
    assert_eq!(get(&app, "/api/auth/me", &full).await.status, StatusCode::OK);

    // A recovery code works once.
    let pending = Auth::Cookie(login_reply(&app, "admin", PASSWORD, None).await.session_cookie());
    assert_eq!(post_json(&app, "/api/auth/login/mfa", &pending, json!({"code": recovery[0]})).await.status, StatusCode::OK);
    let pending = Auth::Cookie(login_reply(&app, "admin", PASSWORD, None).await.session_cookie());
    post_json(&app, "/api/auth/login/mfa", &pending, json!({"code": recovery[0]})).await.assert_problem(401, "unauthenticated");
    assert_eq!(post_json(&app, "/api/auth/login/mfa", &pending, json!({"code": recovery[1]})).await.status, StatusCode::OK);
});

dual_test!(async fn a_role_requiring_mfa_forces_enrolment(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let viewer = user_with_role(&app, &admin, "viewer").await;
    send(&app, Method::PATCH, "/api/roles/viewer", &viewer, Some("application/json"), json!({"require_mfa": true}).to_string()).await.assert_problem(403, "forbidden");
    let changed = send(&app, Method::PATCH, "/api/roles/viewer", &admin, Some("application/json"), json!({"require_mfa": true}).to_string()).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(changed.json()["require_mfa"], true);
    get(&app, "/api/definitions", &viewer).await.assert_problem(403, "mfa-enrolment-required");
    assert_eq!(get(&app, "/api/auth/me", &viewer).await.status, StatusCode::OK);
    let enrolment = post_json(&app, "/api/auth/mfa/totp", &viewer, json!({})).await.json();
    let secret = enrolment["secret"].as_str().unwrap();
    let confirmed = post_json(&app, "/api/auth/mfa/totp/confirm", &viewer, json!({"code": code(secret, "viewer-user", now())})).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    assert_eq!(get(&app, "/api/definitions", &viewer).await.status, StatusCode::OK);
    let roles = get(&app, "/api/roles", &admin).await.json();
    assert!(roles.as_array().unwrap().iter().any(|r| r["name"] == "viewer" && r["require_mfa"] == true));
});

dual_test!(async fn the_audit_log_filters_and_exports_csv(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    post_json(&app, "/api/users", &admin, json!({"username": "=HYPERLINK(\"x\")", "password": PASSWORD, "role": "viewer"})).await;
    login_reply(&app, "=HYPERLINK(\"x\")", "wrong password!", None).await;
    let page = get(&app, "/api/audit?action=auth.&limit=10", &admin).await.json();
    assert!(page["total"].as_i64().unwrap() >= 2);
    assert!(page["items"].as_array().unwrap().iter().all(|e| e["action"].as_str().unwrap().starts_with("auth.")));
    get(&app, "/api/audit?since=yesterday", &admin).await.assert_problem(400, "invalid-request");

    let csv = get(&app, "/api/audit/export.csv?action=auth.login_failed", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type().starts_with("text/csv"));
    let text = String::from_utf8(csv.body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "seq,at,actor,action,resource,detail,hash");
    assert_eq!(lines.len(), 2, "{text}");
    // Quoted, quotes doubled, and the formula defused.
    assert!(lines[1].contains(",\"'=HYPERLINK(\"\"x\"\")\",\"auth.login_failed\","), "{}", lines[1]);
    let future = get(&app, "/api/audit/export.csv?since=2999-01-01T00:00:00Z", &admin).await;
    assert_eq!(String::from_utf8(future.body).unwrap().lines().count(), 1);
});
