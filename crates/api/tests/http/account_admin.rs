//! An administrator removes a user's passkeys (audited), and an operation
//! that must store a secret sealed answers 503 `encryption-not-configured`
//! on a server without a master key, on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use flowdesk_store::passkeys::{self, StoredPasskey};
use flowdesk_store::test_support::TestDb;
use flowdesk_store::{dual_test, Dialect, Store};
use serde_json::json;

use crate::common::*;

dual_test!(async fn an_admin_removes_every_passkey_of_a_user(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let operator = user_with_role(&app, &admin, "operator").await;
    let users = get(&app, "/api/users", &admin).await.json();
    let user_id = users.as_array().unwrap().iter()
        .find(|u| u["username"] == "operator-user").unwrap()["id"].as_str().unwrap().to_string();
    let mut tx = store.begin().await.unwrap();
    for n in 0..2 {
        passkeys::insert(&mut tx, &StoredPasskey {
            id: flowdesk_store::new_id(),
            user_id: user_id.clone(),
            credential_id: format!("credential-{n}"),
            name: format!("key {n}"),
            passkey: "{}".into(),
            created_at: 1,
            last_used_at: None,
        }).await.unwrap();
    }
    tx.commit().await.unwrap();
    let reset = |auth: Auth, id: String| {
        let app = app.clone();
        async move { send(&app, Method::DELETE, &format!("/api/users/{id}/passkeys"), &auth, None, Body::empty()).await }
    };

    reset(operator.clone(), user_id.clone()).await.assert_problem(403, "forbidden");
    assert_eq!(count(&store, "passkeys").await, 2);
    reset(admin.clone(), "0190c0de-0000-7000-8000-000000000000".into()).await.assert_problem(404, "not-found");
    assert_eq!(count(&store, "passkeys").await, 2);

    assert_eq!(reset(admin.clone(), user_id.clone()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(count(&store, "passkeys").await, 0);
    assert_eq!(get(&app, "/api/account/passkeys", &operator).await.json(), json!([]));
    assert_eq!(count(&store, &format!(
        "audit_log WHERE action = 'passkey.reset' AND actor = 'admin' AND resource = 'user:{user_id}' AND detail = 'passkeys=2'"
    )).await, 1);
});

async fn totp_enrolment_without_a_master_key(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    // The same database without data keys: no master key configured.
    let store = Store::connect(&db.url).await.unwrap();
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let reply = post_json(&app, "/api/auth/mfa/totp", &admin, json!({})).await;
    let problem = reply.assert_problem(503, "encryption-not-configured");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("TOTP"), "{detail}");
    assert!(detail.contains("FLOWDESK_MASTER_KEY"), "{detail}");
    store.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_enrolment_without_a_master_key_is_503_sqlite() {
    totp_enrolment_without_a_master_key(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totp_enrolment_without_a_master_key_is_503_postgres() {
    totp_enrolment_without_a_master_key(Dialect::Postgres).await;
}
