//! Repository behaviour, each test run on SQLite and on PostgreSQL.

use flowdesk_store::audit::{self, ChainError, NewAuditEntry};
use flowdesk_store::definitions::{self, Kind, NewDefinition};
use flowdesk_store::instances::{self, Instance, InstanceFilter};
use flowdesk_store::sessions::{self, Session};
use flowdesk_store::tokens::{self, ApiToken};
use flowdesk_store::users::{self, User};
use flowdesk_store::{dual_test, roles, Store, StoreError};

fn user(username: &str, role: &str) -> User {
    User {
        id: flowdesk_store::new_id(),
        username: username.into(),
        password_hash: "$argon2id$fake".into(),
        role: role.into(),
        created_at: 1_000,
        disabled: false,
    }
}

async fn insert_user(store: &Store, username: &str) -> User {
    let u = user(username, "viewer");
    let mut tx = store.begin().await.unwrap();
    users::insert(&mut tx, &u).await.unwrap();
    tx.commit().await.unwrap();
    u
}

async fn deploy(
    store: &Store,
    process_id: &str,
    content: &str,
    at: i64,
) -> (definitions::Definition, bool) {
    let mut tx = store.begin().await.unwrap();
    let result = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Bpmn,
            process_id,
            name: "Order approval",
            resource_name: "order.bpmn",
            content,
            deployed_at: at,
            deployed_by: "ann",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    result
}

dual_test!(async fn migrations_seed_the_preset_roles(store) {
    store.migrate().await.unwrap(); // idempotent
    store.ping().await.unwrap();
    let all = roles::list(store.pool()).await.unwrap();
    let names: Vec<_> = all.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["admin", "analyst", "designer", "operator", "viewer"]);
    // The admin role is seeded with every permission.
    let mut admin = all[0].permissions.clone();
    admin.sort_unstable();
    assert_eq!(
        admin,
        [
            "audit:read",
            "definition:deploy",
            "definition:read",
            "instance:read",
            "instance:start",
            "report:manage",
            "report:read",
            "user:manage",
            "user:read",
            "variable:unmask",
        ]
    );
    assert_eq!(
        roles::permissions_of(store.pool(), "operator").await.unwrap(),
        ["definition:read", "instance:read", "instance:start", "report:read"]
    );
    assert!(roles::exists(store.pool(), "viewer").await.unwrap());
    assert!(!roles::exists(store.pool(), "root").await.unwrap());
});

dual_test!(async fn users_are_unique_by_username(store) {
    let ann = insert_user(&store, "ann").await;
    assert_eq!(users::find_by_username(store.pool(), "ann").await.unwrap(), Some(ann.clone()));
    assert_eq!(users::find_by_id(store.pool(), &ann.id).await.unwrap(), Some(ann));
    assert_eq!(users::find_by_username(store.pool(), "bob").await.unwrap(), None);

    let mut tx = store.begin().await.unwrap();
    let err = users::insert(&mut tx, &user("ann", "viewer")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    drop(tx);
    assert_eq!(users::count(store.pool()).await.unwrap(), 1);
});

dual_test!(async fn unknown_role_is_rejected_by_foreign_key(store) {
    let mut tx = store.begin().await.unwrap();
    assert!(users::insert(&mut tx, &user("eve", "root")).await.is_err());
});

dual_test!(async fn sessions_round_trip(store) {
    let ann = insert_user(&store, "ann").await;
    let session = Session {
        id: "s1".into(),
        token_hash: "h1".into(),
        user_id: ann.id.clone(),
        created_at: 10,
        expires_at: 100,
        last_seen_at: 10,
        stage: sessions::STAGE_FULL.into(),
        client: "127.0.0.1".into(),
    };
    let mut tx = store.begin().await.unwrap();
    sessions::insert(&mut tx, &session).await.unwrap();
    tx.commit().await.unwrap();
    sessions::touch(store.pool(), "h1", 50).await.unwrap();
    let found = sessions::find(store.pool(), "h1").await.unwrap().unwrap();
    assert_eq!(found.last_seen_at, 50);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(sessions::delete_expired(&mut tx, 60, 0).await.unwrap(), 0);
    assert!(sessions::delete(&mut tx, "h1").await.unwrap());
    assert!(!sessions::delete(&mut tx, "h1").await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(sessions::find(store.pool(), "h1").await.unwrap(), None);

    let bob = insert_user(&store, "bob").await;
    let mut tx = store.begin().await.unwrap();
    for (id, hash, user) in [("a", "ha", &ann.id), ("b", "hb", &ann.id), ("c", "hc", &bob.id)] {
        let s = Session { id: id.into(), token_hash: hash.into(), user_id: user.clone(), ..session.clone() };
        sessions::insert(&mut tx, &s).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(sessions::list_for_user(store.pool(), &ann.id).await.unwrap().len(), 2);
    let mut tx = store.begin().await.unwrap();
    assert!(!sessions::delete_for_user(&mut tx, &bob.id, "a").await.unwrap(), "not bob's");
    assert!(sessions::delete_for_user(&mut tx, &ann.id, "a").await.unwrap());
    assert_eq!(sessions::delete_all_for_user(&mut tx, &ann.id).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(sessions::list_for_user(store.pool(), &ann.id).await.unwrap().is_empty());
    assert_eq!(sessions::list_for_user(store.pool(), &bob.id).await.unwrap().len(), 1);
});

dual_test!(async fn throttle_and_second_factor_records(store) {
    let ann = insert_user(&store, "ann").await;
    assert_eq!(users::throttle(store.pool(), "account:ann").await.unwrap(), None);
    let record = users::Throttle { failures: 3, last_failure_at: 7, locked_until: 0 };
    let mut tx = store.begin().await.unwrap();
    users::set_throttle(&mut tx, "account:ann", &record).await.unwrap();
    users::set_throttle(&mut tx, "account:ann", &users::Throttle { failures: 4, ..record }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(users::throttle(store.pool(), "account:ann").await.unwrap().unwrap().failures, 4);
    let mut tx = store.begin().await.unwrap();
    users::clear_throttle(&mut tx, "account:ann").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(users::throttle(store.pool(), "account:ann").await.unwrap(), None);

    let credential = users::TotpCredential {
        user_id: ann.id.clone(), secret: "JBSWY3DPEHPK3PXP".into(), created_at: 1, confirmed_at: None, last_step: 0,
    };
    let mut tx = store.begin().await.unwrap();
    users::put_totp(&mut tx, &credential).await.unwrap();
    assert!(users::accept_totp_step(&mut tx, &ann.id, 100, 5).await.unwrap());
    assert!(!users::accept_totp_step(&mut tx, &ann.id, 100, 6).await.unwrap(), "a step is accepted once");
    users::replace_recovery_codes(&mut tx, &ann.id, &["r1".into(), "r2".into()]).await.unwrap();
    assert!(users::use_recovery_code(&mut tx, &ann.id, "r1", 7).await.unwrap());
    assert!(!users::use_recovery_code(&mut tx, &ann.id, "r1", 8).await.unwrap(), "single use");
    tx.commit().await.unwrap();
    let stored = users::totp(store.pool(), &ann.id).await.unwrap().unwrap();
    assert_eq!((stored.confirmed_at, stored.last_step), (Some(5), 100));
    assert_eq!(users::unused_recovery_codes(store.pool(), &ann.id).await.unwrap(), 1);
});

dual_test!(async fn tokens_belong_to_their_user(store) {
    let ann = insert_user(&store, "ann").await;
    let bob = insert_user(&store, "bob").await;
    let token = ApiToken {
        id: flowdesk_store::new_id(),
        user_id: ann.id.clone(),
        name: "ci".into(),
        token_hash: "th".into(),
        created_at: 5,
        expires_at: None,
        last_used_at: None,
        scopes: Some("definition:read".into()),
    };
    let mut tx = store.begin().await.unwrap();
    tokens::insert(&mut tx, &token).await.unwrap();
    tx.commit().await.unwrap();
    tokens::touch(store.pool(), &token.id, 9).await.unwrap();
    let found = tokens::find_by_hash(store.pool(), "th").await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(9));
    assert_eq!(found.scopes.as_deref(), Some("definition:read"));
    assert_eq!(tokens::list_for_user(store.pool(), &ann.id).await.unwrap().len(), 1);
    assert!(tokens::list_for_user(store.pool(), &bob.id).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    assert!(!tokens::delete_for_user(&mut tx, &bob.id, &token.id).await.unwrap());
    assert!(tokens::delete_for_user(&mut tx, &ann.id, &token.id).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(tokens::find_by_hash(store.pool(), "th").await.unwrap(), None);
});

dual_test!(async fn deploy_creates_versions_only_for_changed_content(store) {
    let (v1, created) = deploy(&store, "order", "<a/>", 1).await;
    assert!(created);
    assert_eq!(v1.version, 1);
    let (same, created) = deploy(&store, "order", "<a/>", 2).await;
    assert!(!created);
    assert_eq!(same.id, v1.id);
    let (v2, created) = deploy(&store, "order", "<b/>", 3).await;
    assert!(created);
    assert_eq!(v2.version, 2);
    let latest = definitions::latest(store.pool(), Kind::Bpmn, "order").await.unwrap().unwrap();
    assert_eq!(latest.id, v2.id);
    assert_eq!(definitions::latest(store.pool(), Kind::Dmn, "order").await.unwrap(), None);
    assert_eq!(definitions::count(store.pool()).await.unwrap(), 2);
    let listed = definitions::list(store.pool()).await.unwrap();
    assert_eq!(listed[0].id, v2.id, "newest first");
    assert_eq!(definitions::find(store.pool(), &v1.id).await.unwrap().unwrap().content, "<a/>");
});

dual_test!(async fn instances_filter_page_and_count(store) {
    let (order, _) = deploy(&store, "order", "<a/>", 1).await;
    let (leave, _) = deploy(&store, "leave", "<l/>", 1).await;
    let mut tx = store.begin().await.unwrap();
    for i in 0..5i64 {
        let definition = if i < 3 { &order } else { &leave };
        instances::insert(
            &mut tx,
            &Instance {
                id: flowdesk_store::new_id(),
                definition_id: definition.id.clone(),
                process_id: definition.process_id.clone(),
                process_name: String::new(),
                version: definition.version,
                state: if i == 0 { "completed".into() } else { "active".into() },
                variables: format!("{{\"i\":{i}}}"),
                started_at: 100 + i,
                ended_at: (i == 0).then_some(200),
                started_by: "ann".into(),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let all = instances::list(&store, &InstanceFilter { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(all.items.len(), 2);
    assert_eq!(all.items[0].started_at, 104, "newest first");
    assert_eq!(all.items[0].process_name, "Order approval");
    let page2 = instances::list(&store, &InstanceFilter { limit: 2, offset: 4, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    let active_orders = instances::list(
        &store,
        &InstanceFilter {
            process_id: Some("order".into()),
            state: Some("active".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(active_orders.total, 2);
    assert!(active_orders.items.iter().all(|i| i.process_id == "order" && i.state == "active"));
    let one = &active_orders.items[0];
    assert_eq!(instances::find(store.pool(), &one.id).await.unwrap().as_ref(), Some(one));
    assert_eq!(instances::count_started_by(store.pool(), "ann").await.unwrap(), 5);
});

async fn append(store: &Store, action: &str) {
    let mut tx = store.begin().await.unwrap();
    audit::append(
        &mut tx,
        &NewAuditEntry {
            at: 7,
            actor: "ann",
            action,
            resource: "thing:1",
            detail: "d",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

dual_test!(async fn audit_chain_links_and_verifies(store) {
    assert_eq!(audit::verify(&store).await.unwrap(), Ok(0));
    for action in ["a", "b", "c"] {
        append(&store, action).await;
    }
    assert_eq!(audit::verify(&store).await.unwrap(), Ok(3));
    let entries = audit::list(store.pool(), 10, 0).await.unwrap();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(entries[0].prev_hash, entries[1].hash);
    assert_eq!(entries[2].prev_hash, audit::GENESIS_HASH);
    assert_eq!(audit::count(store.pool()).await.unwrap(), 3);

    sqlx::query("UPDATE audit_log SET detail = 'forged' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(audit::verify(&store).await.unwrap(), Err(ChainError::HashMismatch { seq: 2 }));
});

dual_test!(async fn audit_detects_truncation(store) {
    for action in ["a", "b"] {
        append(&store, action).await;
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(store.pool()).await.unwrap();
    assert_eq!(audit::verify(&store).await.unwrap(), Err(ChainError::HeadMismatch));
});

dual_test!(async fn rolled_back_audit_leaves_no_trace(store) {
    let mut tx = store.begin().await.unwrap();
    users::insert(&mut tx, &user("ann", "viewer")).await.unwrap();
    audit::append(
        &mut tx,
        &NewAuditEntry { at: 1, actor: "x", action: "user.create", resource: "u", detail: "" },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(users::count(store.pool()).await.unwrap(), 0);
    assert_eq!(audit::count(store.pool()).await.unwrap(), 0);
    append(&store, "after").await;
    assert_eq!(audit::verify(&store).await.unwrap(), Ok(1));
});

dual_test!(async fn concurrent_audit_appends_keep_the_chain_whole(store) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { append(&store, &format!("a{i}")).await }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(audit::verify(&store).await.unwrap(), Ok(8));
});
