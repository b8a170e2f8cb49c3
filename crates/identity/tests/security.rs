//! Sign-in throttling, two-step sign-in with TOTP and recovery codes, MFA
//! per role, scoped tokens, session management and password changes, on
//! SQLite and PostgreSQL with the clock passed in.

use flowdesk_identity::session::{SESSION_ABSOLUTE_MS, SESSION_IDLE_MS};
use flowdesk_identity::throttle::{BASE_LOCK_MS, WINDOW_MS};
use flowdesk_identity::{Identity, IdentityError, Permission, Principal, Role};
use flowdesk_store::{audit, dual_test};

const PASSWORD: &str = "correct horse battery";

async fn admin(identity: &Identity) -> Principal {
    let (_, secret) = identity
        .setup_first_admin("admin", PASSWORD, 0)
        .await
        .unwrap();
    identity.authenticate_session(&secret, 0).await.unwrap()
}

fn code_at(secret: &str, account: &str, now: i64) -> String {
    flowdesk_identity::mfa::totp(secret, account)
        .unwrap()
        .generate((now / 1000) as u64)
}

fn retry_after(result: Result<flowdesk_identity::SignIn, IdentityError>) -> i64 {
    match result {
        Err(IdentityError::TooManyAttempts { retry_after_ms }) => retry_after_ms,
        other => panic!("expected a lockout, got {other:?}"),
    }
}

dual_test!(async fn accounts_lock_after_five_failures_back_off_and_unlock(store) {
    let identity = Identity::new(store.clone());
    admin(&identity).await;
    identity.create_user("admin", "vic", PASSWORD, "viewer", 0).await.unwrap();
    for now in 1..=5 {
        assert!(matches!(identity.login("vic", "wrong password", None, None, now).await, Err(IdentityError::InvalidCredentials)));
    }
    // Locked: even the right password is refused, without being checked.
    assert_eq!(retry_after(identity.login("vic", PASSWORD, None, None, 6).await), BASE_LOCK_MS - 1);
    // The lock passes; the right password works and forgets the failures.
    let unlocked = 5 + BASE_LOCK_MS;
    assert!(identity.login("vic", PASSWORD, None, None, unlocked).await.is_ok());
    for now in 1..=5 {
        let _ = identity.login("vic", "wrong password", None, None, unlocked + now).await;
    }
    assert_eq!(retry_after(identity.login("vic", PASSWORD, None, None, unlocked + 6).await), BASE_LOCK_MS - 1);
    // Back-off: a failure right after the lock locks twice as long.
    let after = unlocked + 5 + BASE_LOCK_MS;
    assert!(matches!(identity.login("vic", "wrong password", None, None, after).await, Err(IdentityError::InvalidCredentials)));
    assert_eq!(retry_after(identity.login("vic", PASSWORD, None, None, after).await), 2 * BASE_LOCK_MS);
    // After the lock and a quiet window, one failure no longer locks.
    let quiet = after + 2 * BASE_LOCK_MS + WINDOW_MS;
    assert!(matches!(identity.login("vic", "wrong password", None, None, quiet).await, Err(IdentityError::InvalidCredentials)));
    assert!(identity.login("vic", PASSWORD, None, None, quiet + 1).await.is_ok());
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

dual_test!(async fn unknown_users_are_answered_and_locked_like_known_ones(store) {
    let identity = Identity::new(store.clone());
    admin(&identity).await;
    for now in 1..=5 {
        assert!(matches!(identity.login("ghost", PASSWORD, None, None, now).await, Err(IdentityError::InvalidCredentials)));
    }
    assert_eq!(retry_after(identity.login("ghost", PASSWORD, None, None, 6).await), BASE_LOCK_MS - 1);
});

dual_test!(async fn client_addresses_lock_across_usernames(store) {
    let identity = Identity::new(store.clone());
    admin(&identity).await;
    for i in 0..20 {
        let username = format!("guess{i}");
        let _ = identity.login(&username, "wrong password", Some("10.0.0.9"), None, i).await;
    }
    assert!(retry_after(identity.login("admin", PASSWORD, Some("10.0.0.9"), None, 30).await) > 0);
    assert!(identity.login("admin", PASSWORD, Some("10.0.0.10"), None, 30).await.is_ok(), "other addresses sign in");
});

dual_test!(async fn new_passwords_follow_the_policy(store) {
    let identity = Identity::new(store.clone());
    for (password, why) in [("short pass", "at least 12"), ("administrator", "username"), ("password1234", "too common")] {
        match identity.setup_first_admin("administrator", password, 0).await {
            Err(IdentityError::InvalidInput(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("{password:?} accepted: {other:?}"),
        }
    }
    let admin = admin(&identity).await;
    assert!(matches!(identity.create_user("admin", "vic", "vic-vic", "viewer", 1).await, Err(IdentityError::InvalidInput(_))));
    assert!(matches!(identity.create_user("admin", "vic", "qwerty123456", "viewer", 1).await, Err(IdentityError::InvalidInput(_))));

    let other = identity.login("admin", PASSWORD, None, None, 1).await.unwrap().secret;
    assert!(matches!(identity.change_password(&admin, "wrong password", "a new long password", 2).await, Err(IdentityError::InvalidCredentials)));
    assert!(matches!(identity.change_password(&admin, PASSWORD, "admin", 2).await, Err(IdentityError::InvalidInput(_))));
    identity.change_password(&admin, PASSWORD, "a new long password", 3).await.unwrap();
    assert!(identity.authenticate_session(&other, 4).await.is_err(), "other sessions end");
    let Principal { via: flowdesk_identity::Via::Session { .. }, .. } = &admin else { panic!("a session principal") };
    assert!(matches!(identity.login("admin", PASSWORD, None, None, 5).await, Err(IdentityError::InvalidCredentials)));
    assert!(identity.login("admin", "a new long password", None, None, 6).await.is_ok());
});

dual_test!(async fn sessions_are_listed_revoked_and_rotated(store) {
    let identity = Identity::new(store.clone());
    let admin = admin(&identity).await;
    identity.create_user("admin", "vic", PASSWORD, "viewer", 0).await.unwrap();
    let first = identity.login("vic", PASSWORD, None, None, 10).await.unwrap().secret;
    // Signing in again with the old session presented rotates it.
    let second = identity.login("vic", PASSWORD, Some("10.1.1.1"), Some(&first), 20).await.unwrap().secret;
    assert!(identity.authenticate_session(&first, 21).await.is_err(), "rotated away");
    let third = identity.login("vic", PASSWORD, None, None, 30).await.unwrap().secret;
    let vic = identity.authenticate_session(&third, 31).await.unwrap();
    let listed = identity.list_sessions(&vic, 32).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].client, "10.1.1.1");
    let second_id = listed[1].id.clone();
    assert!(matches!(identity.revoke_session(&admin, &second_id, 33).await, Err(IdentityError::NotFound(_))), "not the admin's own");
    identity.revoke_session(&vic, &second_id, 34).await.unwrap();
    assert!(identity.authenticate_session(&second, 35).await.is_err());
    assert!(identity.authenticate_session(&third, 35).await.is_ok());
    // Idle and absolute expiry hide sessions from the list too.
    assert!(identity.list_sessions(&vic, 35 + SESSION_IDLE_MS).await.unwrap().is_empty());
    assert!(identity.list_sessions(&vic, SESSION_ABSOLUTE_MS + 30).await.unwrap().is_empty());

    assert_eq!(identity.revoke_user_sessions("admin", &vic.user_id, 40).await.unwrap(), 1);
    assert!(identity.authenticate_session(&third, 41).await.is_err());
    assert!(matches!(identity.revoke_user_sessions("admin", "nobody", 42).await, Err(IdentityError::NotFound(_))));
});

dual_test!(async fn tokens_are_limited_to_their_scopes(store) {
    let identity = Identity::new(store.clone());
    let admin = admin(&identity).await;
    let scopes = vec!["definition:read".to_string(), "instance:read".to_string()];
    let (token, secret) = identity.create_token(&admin, "reader", Some(30), Some(&scopes), 1).await.unwrap();
    assert_eq!(token.scopes.as_deref(), Some("definition:read instance:read"));
    let by_token = identity.authenticate_token(&secret, 2).await.unwrap();
    assert_eq!(by_token.permissions.into_iter().collect::<Vec<_>>(), [Permission::DefinitionRead, Permission::InstanceRead]);

    identity.create_user("admin", "vic", PASSWORD, "viewer", 3).await.unwrap();
    let vic_secret = identity.login("vic", PASSWORD, None, None, 4).await.unwrap().secret;
    let vic = identity.authenticate_session(&vic_secret, 5).await.unwrap();
    match identity.create_token(&vic, "escalate", None, Some(&["user:manage".to_string()]), 6).await {
        Err(IdentityError::InvalidInput(message)) => assert!(message.contains("user:manage is not one of your permissions"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(identity.create_token(&vic, "typo", None, Some(&["definition:write".to_string()]), 6).await, Err(IdentityError::InvalidInput(_))));
    // Without scopes a token gets the creator's permissions, and a token can
    // only mint tokens within its own scopes.
    let (_, all) = identity.create_token(&vic, "all", None, None, 7).await.unwrap();
    assert_eq!(identity.authenticate_token(&all, 8).await.unwrap().permissions.len(), Role::Viewer.permissions().len());
    let (_, narrow) = identity.create_token(&admin, "narrow", None, Some(&["audit:read".to_string()]), 9).await.unwrap();
    let narrow = identity.authenticate_token(&narrow, 10).await.unwrap();
    assert!(matches!(identity.create_token(&narrow, "wider", None, Some(&["user:read".to_string()]), 11).await, Err(IdentityError::InvalidInput(_))));
});

dual_test!(async fn totp_enrolment_two_step_sign_in_and_recovery_codes(store) {
    let identity = Identity::new(store.clone());
    let admin = admin(&identity).await;
    let now = 1_700_000_000_000;
    let enrolment = identity.begin_totp(&admin, now).await.unwrap();
    assert!(enrolment.otpauth_uri.starts_with("otpauth://totp/Flowdesk:admin?secret="), "{}", enrolment.otpauth_uri);
    assert!(enrolment.qr_code.starts_with("data:image/svg+xml;base64,"));
    assert!(matches!(identity.confirm_totp(&admin, "000000", now).await, Err(IdentityError::InvalidCode)));
    let codes = identity.confirm_totp(&admin, &code_at(&enrolment.secret, "admin", now), now).await.unwrap();
    assert_eq!(codes.len(), 10);
    assert!(matches!(identity.begin_totp(&admin, now).await, Err(IdentityError::Conflict(_))));

    // Password first: a pending session that opens nothing.
    let later = now + 60_000;
    let pending = identity.login("admin", PASSWORD, None, None, later).await.unwrap();
    assert!(pending.mfa_pending);
    assert!(matches!(identity.authenticate_session(&pending.secret, later).await, Err(IdentityError::Unauthenticated)));
    assert!(matches!(identity.complete_mfa(&pending.secret, "123", None, later).await, Err(IdentityError::InvalidCode)));
    let code = code_at(&enrolment.secret, "admin", later);
    let full = identity.complete_mfa(&pending.secret, &code, None, later).await.unwrap();
    assert!(!full.mfa_pending);
    assert!(identity.authenticate_session(&full.secret, later).await.is_ok());
    assert!(identity.complete_mfa(&pending.secret, &code, None, later).await.is_err(), "the pending session is gone");

    // The same code is not accepted twice.
    let again = identity.login("admin", PASSWORD, None, None, later + 1).await.unwrap();
    assert!(matches!(identity.complete_mfa(&again.secret, &code, None, later + 1).await, Err(IdentityError::InvalidCode)));
    // A recovery code works, once.
    let by_recovery = identity.complete_mfa(&again.secret, &codes[3].to_uppercase(), None, later + 2).await.unwrap();
    assert!(identity.authenticate_session(&by_recovery.secret, later + 3).await.is_ok());
    let third = identity.login("admin", PASSWORD, None, None, later + 4).await.unwrap();
    assert!(matches!(identity.complete_mfa(&third.secret, &codes[3], None, later + 4).await, Err(IdentityError::InvalidCode)));
    // A pending session lapses after five minutes.
    let next = code_at(&enrolment.secret, "admin", later + 400_000);
    assert!(matches!(identity.complete_mfa(&third.secret, &next, None, later + 400_000).await, Err(IdentityError::Unauthenticated)));
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

dual_test!(async fn a_role_can_require_mfa(store) {
    let identity = Identity::new(store.clone());
    admin(&identity).await;
    identity.create_user("admin", "vic", PASSWORD, "viewer", 0).await.unwrap();
    identity.set_role_requires_mfa("admin", "viewer", true, 1).await.unwrap();
    assert!(matches!(identity.set_role_requires_mfa("admin", "root", true, 1).await, Err(IdentityError::NotFound(_))));
    let roles = identity.list_roles().await.unwrap();
    assert!(roles.iter().any(|r| r.name == "viewer" && r.require_mfa));
    let now = 1_700_000_000_000;
    let signed_in = identity.login("vic", PASSWORD, None, None, now).await.unwrap();
    assert!(!signed_in.mfa_pending, "nothing enrolled yet to ask for");
    let vic = identity.authenticate_session(&signed_in.secret, now).await.unwrap();
    assert!(vic.must_enrol_mfa);
    let enrolment = identity.begin_totp(&vic, now).await.unwrap();
    identity.confirm_totp(&vic, &code_at(&enrolment.secret, "vic", now), now).await.unwrap();
    assert!(!identity.authenticate_session(&signed_in.secret, now).await.unwrap().must_enrol_mfa);
    assert!(identity.login("vic", PASSWORD, None, None, now + 1).await.unwrap().mfa_pending);
});

dual_test!(async fn roles_are_created_and_granted(store) {
    let identity = Identity::new(store.clone());
    admin(&identity).await;
    identity.create_role("admin", "auditor", "Reads the audit log", 1).await.unwrap();
    assert!(matches!(identity.create_role("admin", "auditor", "again", 2).await, Err(IdentityError::Conflict(_))));
    assert!(matches!(identity.create_role("admin", "Bad Name", "", 2).await, Err(IdentityError::InvalidInput(_))));
    assert!(identity.grant("admin", "auditor", Permission::AuditRead, 3).await.unwrap());
    assert!(!identity.grant("admin", "auditor", Permission::AuditRead, 4).await.unwrap());
    assert!(matches!(identity.grant("admin", "root", Permission::AuditRead, 4).await, Err(IdentityError::NotFound(_))));
    identity.create_user("admin", "aud", PASSWORD, "auditor", 5).await.unwrap();
    let secret = identity.login("aud", PASSWORD, None, None, 6).await.unwrap().secret;
    let aud = identity.authenticate_session(&secret, 7).await.unwrap();
    assert_eq!(aud.permissions.into_iter().collect::<Vec<_>>(), [Permission::AuditRead]);
});
