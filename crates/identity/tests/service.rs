//! The identity service on SQLite and PostgreSQL, with time passed in.

use flowdesk_identity::session::{SESSION_ABSOLUTE_MS, SESSION_IDLE_MS};
use flowdesk_identity::{Denial, Identity, IdentityError, Permission, Via};
use flowdesk_store::{audit, dual_test};

const PASSWORD: &str = "correct horse battery";
const MINUTE: i64 = 60_000;

dual_test!(async fn setup_once_then_login_rotates_sessions(store) {
    let identity = Identity::new(store.clone());
    assert!(identity.needs_setup().await.unwrap());
    let (admin, first) = identity.setup_first_admin("admin", PASSWORD, 0).await.unwrap();
    assert_eq!(admin.role, "admin");
    assert!(!identity.needs_setup().await.unwrap());
    assert!(matches!(
        identity.setup_first_admin("other", PASSWORD, 1).await,
        Err(IdentityError::AlreadySetUp)
    ));

    let second = identity.login("admin", PASSWORD, None, None, 10).await.unwrap().secret;
    assert_ne!(first, second);
    let principal = identity.authenticate_session(&second, 20).await.unwrap();
    assert_eq!(principal.username, "admin");
    assert_eq!(principal.permissions.len(), Permission::ALL.len());
    assert!(matches!(principal.via, Via::Session { .. }));

    assert!(matches!(identity.login("admin", "wrong password", None, None, 30).await, Err(IdentityError::InvalidCredentials)));
    assert!(matches!(identity.login("nobody", PASSWORD, None, None, 30).await, Err(IdentityError::InvalidCredentials)));

    identity.logout(&principal, 40).await.unwrap();
    assert!(matches!(identity.authenticate_session(&second, 50).await, Err(IdentityError::Unauthenticated)));
    assert!(identity.authenticate_session(&first, 50).await.is_ok(), "other sessions stay");
    // setup, 2 logins (setup signs in too), 2 failed logins, logout.
    assert_eq!(audit::verify(&store).await.unwrap(), Ok(6));
});

dual_test!(async fn sessions_expire_when_idle_and_absolutely(store) {
    let identity = Identity::new(store.clone());
    let (_, secret) = identity.setup_first_admin("admin", PASSWORD, 0).await.unwrap();
    assert!(identity.authenticate_session(&secret, SESSION_IDLE_MS - MINUTE).await.is_ok());
    // Activity slid the idle deadline.
    assert!(identity.authenticate_session(&secret, 2 * SESSION_IDLE_MS - 2 * MINUTE).await.is_ok());
    assert!(identity.authenticate_session(&secret, 4 * SESSION_IDLE_MS).await.is_err());

    let busy = identity.login("admin", PASSWORD, None, None, 0).await.unwrap().secret;
    let mut now = 0;
    while now + 20 * MINUTE < SESSION_ABSOLUTE_MS {
        now += 20 * MINUTE;
        assert!(identity.authenticate_session(&busy, now).await.is_ok(), "active at {now}");
    }
    assert!(identity.authenticate_session(&busy, SESSION_ABSOLUTE_MS).await.is_err());
});

dual_test!(async fn users_and_tokens(store) {
    let identity = Identity::new(store.clone());
    let (_, secret) = identity.setup_first_admin("admin", PASSWORD, 0).await.unwrap();
    let admin = identity.authenticate_session(&secret, 1).await.unwrap();

    let viewer = identity.create_user("admin", "vic", PASSWORD, "viewer", 2).await.unwrap();
    assert_eq!(viewer.role, "viewer");
    assert!(matches!(identity.create_user("admin", "vic", PASSWORD, "viewer", 3).await, Err(IdentityError::Conflict(_))));
    assert!(matches!(identity.create_user("admin", "root", PASSWORD, "root", 3).await, Err(IdentityError::InvalidInput(_))));
    assert!(matches!(identity.create_user("admin", "shorty", "short", "viewer", 3).await, Err(IdentityError::InvalidInput(_))));
    assert!(matches!(identity.create_user("admin", "a b", PASSWORD, "viewer", 3).await, Err(IdentityError::InvalidInput(_))));
    assert_eq!(identity.list_users().await.unwrap().len(), 2);

    let (token, token_secret) = identity.create_token(&admin, "ci", Some(1), None, 100).await.unwrap();
    assert!(token_secret.starts_with("fd_"));
    assert_ne!(token.token_hash, token_secret);
    let by_token = identity.authenticate_token(&token_secret, 200).await.unwrap();
    assert_eq!(by_token.user_id, admin.user_id);
    assert!(matches!(by_token.via, Via::ApiToken { .. }));
    assert!(identity.authenticate_token(&token_secret, 100 + 86_400_000).await.is_err(), "expired");
    assert!(identity.authenticate_token("fd_forged", 200).await.is_err());
    assert!(identity.authenticate_token(&secret, 200).await.is_err(), "a session secret is no token");

    let (_, forever) = identity.create_token(&admin, "forever", None, None, 300).await.unwrap();
    assert_eq!(identity.list_tokens(&admin).await.unwrap().len(), 2);
    let vic_secret = identity.login("vic", PASSWORD, None, None, 400).await.unwrap().secret;
    let vic = identity.authenticate_session(&vic_secret, 401).await.unwrap();
    assert_eq!(
        vic.permissions.iter().copied().collect::<Vec<_>>(),
        flowdesk_identity::Role::Viewer.permissions()
    );
    assert!(identity.list_tokens(&vic).await.unwrap().is_empty());
    assert!(matches!(identity.revoke_token(&vic, &token.id, 500).await, Err(IdentityError::NotFound(_))));
    identity.revoke_token(&admin, &token.id, 500).await.unwrap();
    assert!(identity.authenticate_token(&token_secret, 600).await.is_err());
    assert!(identity.authenticate_token(&forever, i64::MAX / 2).await.is_ok());

    identity.record_denial("vic", Denial::Missing(Permission::UserRead), "GET /api/users", Some("10.0.0.7"), 700).await.unwrap();
    let entries = audit::list(store.pool(), 1, 0).await.unwrap();
    assert_eq!(entries[0].action, "access.denied");
    assert_eq!(entries[0].detail, "missing permission user:read; from 10.0.0.7");
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

dual_test!(async fn seeded_roles_match_the_preset_roles(store) {
    use flowdesk_identity::Role;
    let stored = flowdesk_store::roles::list(store.pool()).await.unwrap();
    assert_eq!(stored.len(), Role::ALL.len());
    for role in Role::ALL {
        let mut expected: Vec<&str> = role.permissions().iter().map(|p| p.as_str()).collect();
        expected.sort();
        let seeded = flowdesk_store::roles::permissions_of(store.pool(), role.as_str()).await.unwrap();
        assert_eq!(seeded, expected, "{role}");
        assert_eq!(role.as_str().parse::<Role>(), Ok(role));
    }
    assert!("root".parse::<Role>().is_err());
});
