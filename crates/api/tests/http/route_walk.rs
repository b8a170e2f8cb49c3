//! (a) Every route of the OpenAPI document is in the access table, and
//! answers 401 without credentials, 403 to a role lacking its permission.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use flowdesk_api::access::{self, Access};
use flowdesk_store::{dual_test, roles};

use crate::common::*;

const PRESET_ROLES: [&str; 4] = ["designer", "operator", "analyst", "viewer"];
const OPEN_ROUTES: [(&str, &str); 6] = [
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/metrics"),
    ("POST", "/api/auth/login"),
    ("GET", "/api/auth/setup"),
    ("POST", "/api/auth/setup"),
];

/// Open routes that authenticate with the pending session of a password
/// sign-in: without one they answer 401 `unauthenticated`.
const PENDING_SESSION_ROUTES: [(&str, &str); 1] =
    [("POST", "/api/auth/passkeys/second-factor/options")];

/// Routes that add or remove a way to sign in: a browser session only, API
/// tokens get 403 `forbidden` (a leaked token must not add a passkey).
/// (`POST /api/account/passkeys` too, but its empty body is refused first.)
const SESSION_ONLY_ROUTES: [(&str, &str); 2] = [
    ("POST", "/api/account/passkeys/options"),
    ("DELETE", "/api/account/passkeys/{id}"),
];

fn listed(routes: &[(&str, &str)], method: &Method, path: &str) -> bool {
    routes
        .iter()
        .any(|(m, p)| *m == method.as_str() && *p == path)
}

/// Every (method, path) of the OpenAPI document.
pub(crate) fn operations() -> Vec<(Method, String)> {
    let mut operations = Vec::new();
    for (path, item) in flowdesk_api::openapi().paths.paths {
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
            (Method::HEAD, item.head.is_some()),
            (Method::OPTIONS, item.options.is_some()),
        ];
        for (method, present) in methods {
            if present {
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

/// `path` with its parameters filled in with ids that match nothing.
pub(crate) fn concrete(path: &str) -> String {
    path.replace("{id}", "0190c0de-0000-7000-8000-000000000000")
        .replace("{name}", "no-such-role")
}

#[test]
fn every_operation_has_an_access_entry_and_the_table_no_extra_ones() {
    let operations = operations();
    assert!(operations.len() >= 22, "{operations:?}");
    for (method, path) in &operations {
        assert_ne!(
            access::required_permission(method, path),
            Access::Deny,
            "{method} {path} is in the OpenAPI document but not in the access table"
        );
    }
    for (method, path, _) in access::TABLE {
        assert!(
            operations
                .iter()
                .any(|(m, p)| m.as_str() == *method && p == path),
            "{method} {path} is in the access table but not a documented route"
        );
    }
    for (method, path) in OPEN_ROUTES {
        assert!(operations
            .iter()
            .any(|(m, p)| m.as_str() == method && p == path));
        assert_eq!(
            access::required_permission(&method.parse().unwrap(), path),
            Access::Open
        );
    }
    let document = serde_json::to_value(flowdesk_api::openapi()).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
}

dual_test!(async fn without_credentials_only_open_routes_answer(store) {
    let app = app(&store);
    for (method, path) in operations() {
        let reply = send(&app, method.clone(), &concrete(&path), &Auth::None, None, Body::empty()).await;
        match access::required_permission(&method, &path) {
            Access::Open if listed(&PENDING_SESSION_ROUTES, &method, &path) => {
                reply.assert_problem(401, "unauthenticated");
            }
            Access::Open => assert!(
                reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
                "{method} {path} is open but answered {}",
                reply.status
            ),
            _ => {
                reply.assert_problem(401, "unauthenticated");
            }
        }
    }
    // Rejected bearer tokens and cookies are no better than none.
    for auth in [Auth::Bearer("fd_forged".into()), Auth::Cookie("forged".into())] {
        get(&app, "/api/definitions", &auth).await.assert_problem(401, "unauthenticated");
    }
});

dual_test!(async fn roles_lacking_a_permission_get_403_and_admin_passes(store) {
    let app = app(&store);
    let admin_cookie = setup_admin(&app).await;
    let token = post_json(&app, "/api/tokens", &admin_cookie, serde_json::json!({"name": "walk"})).await;
    assert_eq!(token.status, StatusCode::CREATED);
    let admin = Auth::Bearer(token.json()["secret"].as_str().unwrap().to_string());
    let mut users = Vec::new();
    for role in PRESET_ROLES {
        let permissions = roles::permissions_of(store.pool(), role).await.unwrap();
        users.push((role, permissions, user_with_role(&app, &admin_cookie, role).await));
    }

    let denials_before = count(&store, "audit_log WHERE action = 'access.denied'").await;
    let mut expected_denials = 0;
    for (method, path) in operations() {
        let uri = concrete(&path);
        match access::required_permission(&method, &path) {
            Access::Requires(permission) => {
                for (role, permissions, auth) in &users {
                    let reply = send(&app, method.clone(), &uri, auth, None, Body::empty()).await;
                    if permissions.iter().any(|p| p == permission.as_str()) {
                        assert!(
                            reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
                            "{role} holds {permission} but got {} on {method} {path}",
                            reply.status
                        );
                    } else {
                        reply.assert_problem(403, "forbidden");
                        expected_denials += 1;
                    }
                }
            }
            Access::Authenticated if path != "/api/auth/logout" => {
                for (role, _, auth) in &users {
                    let reply = send(&app, method.clone(), &uri, auth, None, Body::empty()).await;
                    assert!(
                        reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
                        "{role} got {} on {method} {path}",
                        reply.status
                    );
                }
            }
            _ => {}
        }
        let reply = send(&app, method.clone(), &uri, &admin, None, Body::empty()).await;
        if listed(&SESSION_ONLY_ROUTES, &method, &path) {
            reply.assert_problem(403, "forbidden");
            continue;
        }
        if listed(&PENDING_SESSION_ROUTES, &method, &path) {
            reply.assert_problem(401, "unauthenticated");
            continue;
        }
        assert!(
            reply.status != StatusCode::UNAUTHORIZED && reply.status != StatusCode::FORBIDDEN,
            "admin got {} on {method} {path}",
            reply.status
        );
    }
    assert!(expected_denials > 0);
    let denials_after = count(&store, "audit_log WHERE action = 'access.denied'").await;
    assert_eq!(denials_after - denials_before, expected_denials, "every denial is audited");
    assert_eq!(flowdesk_store::audit::verify(&store).await.unwrap(), Ok(count(&store, "audit_log").await as u64));
});
