//! The RBAC matrix: every operation of the OpenAPI document (so a new route
//! cannot escape) × every preset role, signed in. For each pair: 403 exactly
//! when the access table requires a permission the role lacks, and never 401
//! with valid credentials.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use flowdesk_api::access::{self, Access};
use flowdesk_identity::Role;
use flowdesk_store::dual_test;

use crate::common::*;
use crate::route_walk::{concrete, operations};

dual_test!(async fn every_route_by_every_preset_role(store) {
    let app = app(&store);
    let admin = setup_admin(&app).await;
    let mut signed_in = Vec::new();
    for role in Role::ALL {
        let auth = match role {
            Role::Admin => admin.clone(),
            other => user_with_role(&app, &admin, other.as_str()).await,
        };
        signed_in.push((role, auth));
    }
    let mut pairs = 0;
    let mut denied = 0;
    for (method, path) in operations() {
        // Signing out would end the session the rest of the walk uses.
        if method == Method::POST && path == "/api/auth/logout" {
            continue;
        }
        let access = access::required_permission(&method, &path);
        assert_ne!(access, Access::Deny, "{method} {path} is documented but not in the access table");
        for (role, auth) in &signed_in {
            let reply = send(&app, method.clone(), &concrete(&path), auth, None, Body::empty()).await;
            pairs += 1;
            assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "{role} signed in got 401 on {method} {path}");
            let lacks = matches!(access, Access::Requires(p) if !role.permissions().contains(&p));
            if lacks {
                reply.assert_problem(403, "forbidden");
                denied += 1;
            } else {
                assert_ne!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role} may {method} {path} but got 403: {}",
                    String::from_utf8_lossy(&reply.body)
                );
            }
        }
    }
    let operations = operations().len() - 1;
    assert_eq!(pairs, operations * Role::ALL.len());
    assert!(denied > 0);
    assert_eq!(
        count(&store, "audit_log WHERE action = 'access.denied'").await,
        denied as i64,
        "every denial is audited"
    );
});
