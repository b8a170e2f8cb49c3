//! `flowdesk audit verify` on a real database file / PostgreSQL database
//! after one audit row was edited behind Flowdesk's back, and the role and
//! user administration commands.

use std::process::{Command, Output};

use flowdesk_identity::Identity;
use flowdesk_store::test_support::TestDb;
use flowdesk_store::Dialect;

const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");
const PASSWORD: &str = "a long test password";

fn flowdesk(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("FLOWDESK_CONFIG")
        .env_remove("FLOWDESK_DB")
        .output()
        .expect("the flowdesk binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn tampered_row_is_named(dialect: Dialect) {
    let db = TestDb::fresh(dialect).await;
    let identity = Identity::new(db.store.clone());
    identity
        .setup_first_admin("admin", PASSWORD, 1)
        .await
        .unwrap();
    for (i, name) in ["ann", "bob", "cid"].iter().enumerate() {
        identity
            .create_user("admin", name, PASSWORD, "viewer", 2 + i as i64)
            .await
            .unwrap();
    }
    let intact = flowdesk(&["audit", "verify", "--db", &db.url]);
    assert!(intact.status.success(), "{}", text(&intact.stderr));
    assert!(
        text(&intact.stdout).contains("audit chain intact: 5 entries"),
        "{}",
        text(&intact.stdout)
    );

    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        .execute(db.store.pool())
        .await
        .unwrap();
    let broken = flowdesk(&["audit", "verify", "--db", &db.url]);
    assert_eq!(broken.status.code(), Some(1));
    let stderr = text(&broken.stderr);
    assert!(
        stderr.contains("audit entry 3: hash does not match its content"),
        "{stderr}"
    );
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_edited_row_on_sqlite() {
    tampered_row_is_named(Dialect::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_the_edited_row_on_postgres() {
    tampered_row_is_named(Dialect::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_created_granted_and_listed_and_sessions_revoked() {
    let db = TestDb::fresh(Dialect::Sqlite).await;
    let identity = Identity::new(db.store.clone());
    identity
        .setup_first_admin("admin", PASSWORD, 1)
        .await
        .unwrap();
    let created = flowdesk(&[
        "role",
        "create",
        "auditor",
        "--description",
        "Reads the audit log",
        "--db",
        &db.url,
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let granted = flowdesk(&["role", "grant", "auditor", "audit:read", "--db", &db.url]);
    assert_eq!(
        text(&granted.stdout).trim(),
        "granted audit:read to auditor"
    );
    let unknown = flowdesk(&["role", "grant", "auditor", "audit:write", "--db", &db.url]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("expected one of"),
        "{}",
        text(&unknown.stderr)
    );
    let mfa = flowdesk(&["role", "require-mfa", "auditor", "on", "--db", &db.url]);
    assert!(mfa.status.success(), "{}", text(&mfa.stderr));
    let listed = text(&flowdesk(&["role", "list", "--db", &db.url]).stdout);
    assert!(
        listed
            .lines()
            .any(|l| l == "auditor\taudit:read\tmfa required"),
        "{listed}"
    );

    let users = text(&flowdesk(&["user", "list", "--db", &db.url]).stdout);
    assert!(users.contains("\tadmin\tadmin"), "{users}");
    let revoked = flowdesk(&["user", "revoke-sessions", "admin", "--db", &db.url]);
    assert_eq!(text(&revoked.stdout).trim(), "ended 1 sessions of admin");
    let verified = flowdesk(&["audit", "verify", "--db", &db.url]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    db.finish().await;
}
