//! Encryption at rest: TOTP secrets are sealed in the database (checked in
//! the raw SQLite file and the raw PostgreSQL column), plaintext seeds from
//! before are sealed on the first start, rotation re-seals every value while
//! nodes keep reading, and a master key change re-wraps the data keys.

use base64::Engine;
use flowdesk_identity::keys::{self, KeyError, MasterKey};
use flowdesk_identity::{Identity, IdentityError, Principal};
use flowdesk_store::data_keys::{self, TOTP_SECRETS};
use flowdesk_store::test_support::{test_master_key, TestDb};
use flowdesk_store::users::{self, TotpCredential, User};
use flowdesk_store::{audit, dual_test, Dialect, Store, StoreError};
use sqlx::Row;

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

/// The raw TOTP column, as text.
async fn raw_secrets(store: &Store) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT user_id, CAST(secret AS TEXT) AS secret FROM totp_credentials ORDER BY user_id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("user_id"), row.get("secret")))
    .collect()
}

/// Users with TOTP credentials, inserted directly (argon2 would be slow);
/// `seal` false stores them as before migration 0010.
async fn users_with_totp(
    store: &Store,
    prefix: &str,
    count: usize,
    seal: bool,
) -> Vec<(String, String)> {
    let mut created = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for i in 0..count {
        let id = format!("{prefix}-{i:04}");
        users::insert(
            &mut tx,
            &User {
                id: id.clone(),
                username: format!("{prefix}{i}"),
                password_hash: String::new(),
                role: "viewer".into(),
                created_at: 0,
                disabled: false,
            },
        )
        .await
        .unwrap();
        let secret = flowdesk_identity::mfa::new_secret();
        let stored = if seal {
            keys::seal_totp_secret(store, &id, &secret).unwrap()
        } else {
            secret.clone()
        };
        users::put_totp(
            &mut tx,
            &TotpCredential {
                user_id: id.clone(),
                secret: stored,
                created_at: 0,
                confirmed_at: Some(0),
                last_step: 0,
            },
        )
        .await
        .unwrap();
        created.push((id, secret));
    }
    tx.commit().await.unwrap();
    created
}

async fn open_all(store: &Store, expected: &[(String, String)]) {
    for (id, secret) in expected {
        let credential = users::totp(store.pool(), id).await.unwrap().unwrap();
        assert!(keys::is_sealed(&credential.secret), "{id} is sealed");
        let opened = keys::totp_secret(store, &credential).await.unwrap();
        assert_eq!(opened.as_str(), secret, "{id}");
    }
}

fn base32_decode(secret: &str) -> Vec<u8> {
    totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .unwrap()
}

/// Enrols TOTP for the admin through the service; returns the secret.
async fn enrol(identity: &Identity, admin: &Principal) -> String {
    let enrolment = identity.begin_totp(admin, 100_000).await.unwrap();
    identity
        .confirm_totp(
            admin,
            &code_at(&enrolment.secret, "admin", 100_000),
            100_000,
        )
        .await
        .unwrap();
    enrolment.secret
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_totp_seed_is_in_the_raw_sqlite_file() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let identity = Identity::new(db.store.clone());
    let admin = admin(&identity).await;
    let secret = enrol(&identity, &admin).await;
    let sign_in = identity
        .login("admin", PASSWORD, None, None, 200_000)
        .await
        .unwrap();
    assert!(sign_in.mfa_pending);
    identity
        .complete_mfa(
            &sign_in.secret,
            &code_at(&secret, "admin", 200_000),
            None,
            200_000,
        )
        .await
        .expect("the sealed secret opens for sign-in");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db.store.pool())
        .await
        .unwrap();
    let path = db.url.strip_prefix("sqlite:").unwrap().to_string();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    let raw_seed = base32_decode(&secret);
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"fdenc:v1:1:"), "the sealed value is in the file");
    assert!(
        !contains(secret.as_bytes()),
        "base32 seed in the SQLite file"
    );
    assert!(
        !contains(secret.to_lowercase().as_bytes()),
        "lower-case base32 seed in the SQLite file"
    );
    assert!(!contains(&raw_seed), "raw seed bytes in the SQLite file");
    let standard = base64::engine::general_purpose::STANDARD.encode(&raw_seed);
    assert!(
        !contains(standard.as_bytes()),
        "base64 seed in the SQLite file"
    );
    db.finish().await;
}

dual_test!(async fn totp_seeds_are_sealed_in_the_raw_column(store) {
    let identity = Identity::new(store.clone());
    let admin = admin(&identity).await;
    let secret = enrol(&identity, &admin).await;
    let raw = raw_secrets(&store).await;
    assert_eq!(raw.len(), 1);
    let (user_id, stored) = &raw[0];
    assert_eq!(user_id, &admin.user_id);
    assert!(stored.starts_with("fdenc:v1:1:"), "{stored}");
    assert!(!stored.contains(&secret) && !stored.to_uppercase().contains(&secret), "seed visible in {stored}");
    let raw_seed = base32_decode(&secret);
    assert!(!stored.as_bytes().windows(raw_seed.len()).any(|w| w == raw_seed));
    // Moved to another user's row, the ciphertext does not open.
    let credential = users::totp(store.pool(), &admin.user_id).await.unwrap().unwrap();
    let moved = TotpCredential { user_id: "someone-else".into(), ..credential };
    match keys::totp_secret(&store, &moved).await {
        Err(KeyError::Open { context, source }) => {
            assert_eq!(context, "totp_credentials.secret/someone-else");
            assert!(matches!(*source, flowdesk_identity::keys::VaultError::Tampered { .. }), "{source}");
        }
        other => panic!("expected a refused open, got {other:?}"),
    }
});

dual_test!(async fn plaintext_seeds_are_sealed_on_the_first_start_with_a_master_key(store) {
    // The same database as an older version left it: no keys, plaintext seeds.
    let url_store = store.clone();
    let plain = plain_store(&url_store).await;
    let identity = Identity::new(plain.clone());
    let admin = admin(&identity).await;
    let created = users_with_totp(&plain, "old", 3, false).await;
    assert_eq!(data_keys::plaintext_values(plain.pool(), &TOTP_SECRETS, 10).await.unwrap().len(), 3);
    // Without a master key, old plaintext seeds still work, new enrolment is refused.
    let credential = users::totp(plain.pool(), &created[0].0).await.unwrap().unwrap();
    assert_eq!(keys::totp_secret(&plain, &credential).await.unwrap().as_str(), created[0].1);
    let refused = identity.begin_totp(&admin, 0).await.unwrap_err();
    assert!(
        matches!(&refused, IdentityError::Store(StoreError::EncryptionNotConfigured(_)) if refused.to_string().contains("FLOWDESK_MASTER_KEY")),
        "{refused:?}"
    );

    let (unlocked, sealed) = keys::unlock(plain, test_master_key(), 0).await.unwrap();
    assert_eq!(sealed, 3);
    assert!(data_keys::plaintext_values(unlocked.pool(), &TOTP_SECRETS, 10).await.unwrap().is_empty());
    for (_, stored) in raw_secrets(&unlocked).await {
        assert!(stored.starts_with("fdenc:v1:"), "{stored}");
    }
    open_all(&unlocked, &created).await;
    let (_, again) = keys::unlock(unlocked.clone(), test_master_key(), 0).await.unwrap();
    assert_eq!(again, 0, "a second start has nothing left to seal");
    // Once sealed, a store without keys cannot read them, and says why.
    let credential = users::totp(unlocked.pool(), &created[0].0).await.unwrap().unwrap();
    let error = keys::totp_secret(&plain_store(&url_store).await, &credential).await.unwrap_err();
    assert!(error.to_string().starts_with("encryption at rest is not configured"), "{error}");
});

/// A second pool on the database of `store`, without data keys.
async fn plain_store(store: &Store) -> Store {
    let url = database_url(store).await;
    Store::connect(&url).await.unwrap()
}

async fn database_url(store: &Store) -> String {
    match store.dialect() {
        Dialect::Sqlite => {
            let row = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(store.pool())
                .await
                .unwrap();
            format!("sqlite:{}", row.get::<String, _>("file"))
        }
        Dialect::Postgres => {
            let row = sqlx::query("SELECT CAST(current_database() AS TEXT) AS name")
                .fetch_one(store.pool())
                .await
                .unwrap();
            format!(
                "{}/{}",
                flowdesk_store::test_support::postgres_base_url(),
                row.get::<String, _>("name")
            )
        }
    }
}

dual_test!(async fn rotation_reseals_every_value_while_a_running_node_keeps_reading(store) {
    let created = users_with_totp(&store, "user", 23, true).await;
    // A node that opened its keys before the rotation and never reloads on
    // its own: values it cannot open name a new key and make it reload.
    let node = store.clone();
    let reader = tokio::spawn({
        let created = created.clone();
        async move {
            let mut reads = 0;
            for _ in 0..10 {
                open_all(&node, &created).await;
                reads += created.len();
                tokio::task::yield_now().await;
            }
            reads
        }
    });
    let cli = plain_store(&store).await;
    let rotation = keys::rotate(&cli, test_master_key(), "cli", 5, 7_000).await.unwrap();
    assert_eq!(reader.await.unwrap(), 230, "every read during the rotation opened");
    assert_eq!(rotation.version, 2);
    assert_eq!(rotation.retired, vec![1]);
    assert_eq!(rotation.resealed, 23);
    for (_, stored) in raw_secrets(&store).await {
        assert!(stored.starts_with("fdenc:v1:2:"), "{stored}");
    }
    open_all(&store, &created).await;
    assert_eq!(store.keys().unwrap().active_version(), 2, "the node reloaded and seals under key 2");

    // A node that has not reloaded yet still seals under key 1; that value
    // opens, and the next rotation re-seals it.
    let stale = plain_store(&store).await;
    let stale = stale.with_keys(data_keys::open_keys(&store, test_master_key(), 0).await.unwrap());
    stale.keys().unwrap().set_active(1).unwrap();
    let late = users_with_totp(&stale, "late", 1, true).await;
    let late_stored = users::totp(store.pool(), &late[0].0).await.unwrap().unwrap().secret;
    assert!(late_stored.starts_with("fdenc:v1:1:"), "{late_stored}");
    open_all(&store, &late).await;
    let status = keys::status(&store).await.unwrap();
    let summary: Vec<_> = status.iter().map(|k| (k.version, k.state.as_str(), k.values)).collect();
    assert_eq!(summary, vec![(1, "retired", 1), (2, "active", 23)]);
    let second = keys::rotate(&cli, test_master_key(), "cli", 500, 8_000).await.unwrap();
    assert_eq!((second.version, second.retired.clone(), second.resealed), (3, vec![2], 24));
    open_all(&store, &created).await;
    open_all(&store, &late).await;

    let actions: Vec<String> = audit::list(store.pool(), 100, 0).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "keys.rotate").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "keys.rotated").count(), 2, "{actions:?}");
    cli.close().await;
    stale.close().await;
});

dual_test!(async fn a_new_master_key_rewraps_the_data_keys_and_the_old_one_stops_working(store) {
    let created = users_with_totp(&store, "user", 2, true).await;
    keys::rotate(&store, test_master_key(), "cli", 10, 1).await.unwrap();
    assert!(keys::reload(&store).await.unwrap(), "the node loads data key 2");
    let new = MasterKey::generate();
    let rewrapped = keys::change_master_key(&store, &test_master_key(), &new, "cli", 2).await.unwrap();
    assert_eq!(rewrapped, 2);
    let error = data_keys::open_keys(&store, test_master_key(), 3).await.unwrap_err().to_string();
    assert!(
        error.contains("does not unwrap with the configured master key")
            && error.contains(&format!("wrapped by master key {}", new.id())),
        "{error}"
    );
    let fresh = plain_store(&store).await;
    let (fresh, sealed) = keys::unlock(fresh, new.clone(), 3).await.unwrap();
    assert_eq!(sealed, 0);
    open_all(&fresh, &created).await;
    // The running node keeps its unwrapped keys: it still reads and reloads.
    open_all(&store, &created).await;
    assert!(!keys::reload(&store).await.unwrap());
    let wrong = keys::change_master_key(&store, &test_master_key(), &MasterKey::generate(), "cli", 4).await.unwrap_err();
    assert!(wrong.to_string().contains("does not unwrap"), "{wrong}");
    let actions: Vec<String> = audit::list(store.pool(), 100, 0).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"keys.master_change".to_string()), "{actions:?}");
    fresh.close().await;
});
