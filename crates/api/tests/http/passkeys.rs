//! The passkey routes without a browser: options as browsers take them,
//! bodies refused naming the field, challenges that answer once, and 409
//! where the server has no public URL. (The ceremonies themselves run in
//! Chromium: tests/tests/passkeys.rs.)

use axum::body::Body;
use axum::http::Method;
use flowdesk_api::{router, ApiConfig};
use flowdesk_identity::passkey::RelyingParty;
use flowdesk_store::dual_test;
use serde_json::json;

use crate::common::*;

fn app_with_passkeys(store: &flowdesk_store::Store) -> axum::Router {
    let relying_party = RelyingParty::for_origin("http://localhost:8080").expect("valid origin");
    router(
        store.clone(),
        ApiConfig {
            passkeys: Some(relying_party),
            ..ApiConfig::default()
        },
    )
}

/// A well-formed assertion that no authenticator made.
fn forged_assertion() -> serde_json::Value {
    json!({
        "id": "AQID",
        "rawId": "AQID",
        "type": "public-key",
        "response": {
            "authenticatorData": "AAAA",
            "clientDataJSON": "e30",
            "signature": "AAAA",
            "userHandle": null
        }
    })
}

dual_test!(async fn passkey_options_are_what_browsers_take(store) {
    let app = app_with_passkeys(&store);
    let admin = setup_admin(&app).await;

    let registration = post_json(&app, "/api/account/passkeys/options", &admin, json!({})).await;
    assert_eq!(registration.status.as_u16(), 200, "{}", String::from_utf8_lossy(&registration.body));
    let body = registration.json();
    let public_key = &body["options"]["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(public_key["user"]["name"], "admin");
    assert_eq!(public_key["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(public_key["authenticatorSelection"]["userVerification"], "required");
    assert!(public_key["challenge"].as_str().is_some_and(|c| c.len() >= 43), "{body}");
    assert!(body["challenge_id"].as_str().is_some());

    let sign_in = post_json(&app, "/api/auth/passkeys/sign-in/options", &Auth::None, json!({})).await;
    let body = sign_in.json();
    assert_eq!(body["options"]["publicKey"]["rpId"], "localhost");
    assert!(body["options"].get("mediation").is_none(), "{body}");

    let list = get(&app, "/api/account/passkeys", &admin).await;
    assert_eq!(list.json(), json!([]));
});

dual_test!(async fn bad_passkey_bodies_name_the_field(store) {
    let app = app_with_passkeys(&store);
    let admin = setup_admin(&app).await;
    let challenge = post_json(&app, "/api/account/passkeys/options", &admin, json!({})).await.json();
    let challenge_id = challenge["challenge_id"].as_str().unwrap();

    let missing = post_json(&app, "/api/account/passkeys", &admin, json!({"challenge_id": challenge_id, "name": "Laptop"})).await;
    let problem = missing.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().contains("credential"), "{problem}");

    let unnamed = post_json(&app, "/api/account/passkeys", &admin, json!({"challenge_id": challenge_id, "name": " ", "credential": {}})).await;
    let problem = unnamed.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("name:"), "{problem}");

    let empty = post_json(&app, "/api/account/passkeys", &admin, json!({"challenge_id": challenge_id, "name": "Laptop", "credential": {}})).await;
    let problem = empty.assert_problem(400, "invalid-request");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.starts_with("credential:") && detail.contains("missing field"), "{problem}");

    let assertion = post_json(&app, "/api/auth/passkeys/sign-in", &Auth::None, json!({"challenge_id": "x", "credential": {"id": 1}})).await;
    let problem = assertion.assert_problem(400, "invalid-request");
    assert!(problem["detail"].as_str().unwrap().starts_with("credential:"), "{problem}");
});

dual_test!(async fn passkey_challenges_answer_once_and_only_their_purpose(store) {
    let app = app_with_passkeys(&store);
    let admin = setup_admin(&app).await;

    let unknown = post_json(&app, "/api/auth/passkeys/sign-in", &Auth::None, json!({"challenge_id": "no-such-challenge", "credential": forged_assertion()})).await;
    let problem = unknown.assert_problem(401, "unauthenticated");
    assert!(problem["detail"].as_str().unwrap().contains("challenge"), "{problem}");

    // A registration challenge does not answer a sign-in.
    let registration = post_json(&app, "/api/account/passkeys/options", &admin, json!({})).await.json();
    let wrong_purpose = post_json(&app, "/api/auth/passkeys/sign-in", &Auth::None, json!({"challenge_id": registration["challenge_id"], "credential": forged_assertion()})).await;
    wrong_purpose.assert_problem(401, "unauthenticated");

    // A forged assertion is refused, audited, and uses the challenge up.
    let sign_in = post_json(&app, "/api/auth/passkeys/sign-in/options", &Auth::None, json!({})).await.json();
    let body = json!({"challenge_id": sign_in["challenge_id"], "credential": forged_assertion()});
    let forged = post_json(&app, "/api/auth/passkeys/sign-in", &Auth::None, body.clone()).await;
    let problem = forged.assert_problem(401, "unauthenticated");
    assert!(problem["detail"].as_str().unwrap().contains("not registered"), "{problem}");
    assert_eq!(count(&store, "audit_log WHERE action = 'auth.passkey_failed'").await, 1);
    let again = post_json(&app, "/api/auth/passkeys/sign-in", &Auth::None, body).await;
    let problem = again.assert_problem(401, "unauthenticated");
    assert!(problem["detail"].as_str().unwrap().contains("already answered"), "{problem}");

    // The second step needs the pending session of a password sign-in.
    let no_pending = send(&app, Method::POST, "/api/auth/passkeys/second-factor/options", &Auth::None, None, Body::empty()).await;
    no_pending.assert_problem(401, "unauthenticated");
    // Without passkeys the password signs in at once.
    let login = post_json(&app, "/api/auth/login", &Auth::None, json!({"username": "admin", "password": PASSWORD})).await;
    assert_eq!(login.status.as_u16(), 200);
});

dual_test!(async fn without_a_public_url_passkeys_are_unavailable(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let registration = post_json(&app, "/api/account/passkeys/options", &admin, json!({})).await;
    let problem = registration.assert_problem(409, "conflict");
    assert!(problem["detail"].as_str().unwrap().contains("public_url"), "{problem}");
    post_json(&app, "/api/auth/passkeys/sign-in/options", &Auth::None, json!({})).await.assert_problem(409, "conflict");
});
