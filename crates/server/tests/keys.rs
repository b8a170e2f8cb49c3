//! Encryption at rest through the real binary: `flowdesk keys rotate` while
//! `flowdesk serve` keeps signing users in with their sealed TOTP secrets,
//! a master key change, and the master key sources' errors.

mod common;

use common::*;
use flowdesk_store::dual_test;
use flowdesk_store::test_support::TEST_MASTER_KEY;
use serde_json::{json, Value};
use sqlx::Row;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn code(secret: &str, at: i64) -> String {
    flowdesk_identity::mfa::totp(secret, "ada")
        .unwrap()
        .generate((at / 1000) as u64)
}

/// `flowdesk ARGS` with `FLOWDESK_MASTER_KEY` set to `key`.
fn with_key(args: &[&str], key: &str) -> std::process::Output {
    command(args)
        .env("FLOWDESK_MASTER_KEY", key)
        .output()
        .expect("the flowdesk binary runs")
}

fn stdout_of(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn cookie_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

async fn raw_secret(store: &flowdesk_store::Store) -> String {
    sqlx::query("SELECT CAST(secret AS TEXT) AS secret FROM totp_credentials")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("secret")
}

/// Password then TOTP code through the API; returns the final status.
async fn sign_in_with_totp(base: &str, code: &str) -> u16 {
    let client = reqwest::Client::new();
    let pending = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        pending.status(),
        202,
        "the password asks for the second factor"
    );
    let cookie = cookie_of(&pending);
    let done = client
        .post(format!("{base}/api/auth/login/mfa"))
        .header("cookie", cookie)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    let status = done.status().as_u16();
    assert_eq!(status, 200, "{}", done.text().await.unwrap());
    status
}

dual_test!(async fn rotation_runs_while_the_server_signs_users_in(store) {
    let db = db_url(&store).await;
    let dir = TempDir::new("keys-rotate");
    let address = format!("127.0.0.1:{}", free_port());
    let mut serve_cmd = command(&["serve", "--db", &db, "--listen", &address]);
    serve_cmd.env("FLOWDESK_MASTER_KEY", TEST_MASTER_KEY);
    let (_server, base) = serve_command(serve_cmd, &address, &dir.path().join("server.log")).await;

    let client = reqwest::Client::new();
    let setup = client
        .post(format!("{base}/api/auth/setup"))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let cookie = cookie_of(&setup);
    let enrolment: Value = client
        .post(format!("{base}/api/auth/mfa/totp"))
        .header("cookie", &cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = enrolment["secret"].as_str().expect("a TOTP secret").to_string();
    let started = now();
    let confirmed = client
        .post(format!("{base}/api/auth/mfa/totp/confirm"))
        .header("cookie", &cookie)
        .json(&json!({"code": code(&secret, started)}))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    let stored = raw_secret(&store).await;
    assert!(stored.starts_with("fdenc:v1:1:") && !stored.contains(&secret), "{stored}");

    let rotated = stdout_of(&with_key(&["keys", "rotate", "--db", &db, "--batch-size", "1"], TEST_MASTER_KEY));
    assert_eq!(rotated.trim(), "data key 2 is active; 1 values re-sealed; retired [1]");
    let stored = raw_secret(&store).await;
    assert!(stored.starts_with("fdenc:v1:2:"), "{stored}");
    // The running server has not loaded key 2; the value naming it makes it
    // reload, and the next step's code signs in.
    sign_in_with_totp(&base, &code(&secret, started + 30_000)).await;

    let status = stdout_of(&command(&["keys", "status", "--db", &db]).output().unwrap());
    let lines: Vec<Vec<&str>> = status.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(lines.len(), 2, "{status}");
    assert_eq!((lines[0][0], lines[0][1], lines[0][3]), ("1", "retired", "0"), "{status}");
    assert_eq!((lines[1][0], lines[1][1], lines[1][3]), ("2", "active", "1"), "{status}");
    let audited: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('keys.rotate', 'keys.rotated') AND actor = 'cli'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(audited, 2);
});

dual_test!(async fn a_new_master_key_file_rewraps_the_data_keys(store) {
    let db = db_url(&store).await;
    let dir = TempDir::new("keys-master");
    let new_key = dir.path().join("new.key");
    let new_key = new_key.to_str().unwrap();
    let written = stdout_of(&command(&["keys", "new-master-key", new_key]).output().unwrap());
    assert!(written.starts_with("master key ") && written.contains(new_key), "{written}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(new_key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let (_, refused) = flowdesk_fails(&["keys", "new-master-key", new_key]);
    assert!(refused.contains("cannot create it"), "{refused}");

    let rewrapped = stdout_of(&with_key(&["keys", "rotate", "--db", &db, "--new-master-key-file", new_key], TEST_MASTER_KEY));
    assert!(rewrapped.starts_with("1 data keys re-wrapped under master key "), "{rewrapped}");
    let old = with_key(&["keys", "rotate", "--db", &db], TEST_MASTER_KEY);
    assert!(!old.status.success());
    let error = String::from_utf8_lossy(&old.stderr);
    assert!(error.contains("data key 1 does not unwrap with the configured master key"), "{error}");

    let config = dir.write("flowdesk.toml", &format!("[security]\nmaster_key_file = {new_key:?}\n"));
    let rotated = stdout_of(&command(&["--config", &config, "keys", "rotate", "--db", &db]).output().unwrap());
    assert!(rotated.starts_with("data key 2 is active"), "{rotated}");
});

#[test]
fn malformed_or_exposed_master_keys_are_refused_naming_their_source() {
    let dir = TempDir::new("keys-errors");
    let short = with_key(&["keys", "rotate", "--db", "sqlite::memory:"], "c2hvcnQ=");
    assert!(!short.status.success());
    let error = String::from_utf8_lossy(&short.stderr);
    assert!(
        error.contains("master key from environment variable FLOWDESK_MASTER_KEY: it decodes to 5 bytes; a master key is exactly 32 bytes"),
        "{error}"
    );
    let address = format!("127.0.0.1:{}", free_port());
    let garbage = with_key(
        &["serve", "--db", "sqlite::memory:", "--listen", &address],
        "not a key!",
    );
    assert!(!garbage.status.success());
    let error = String::from_utf8_lossy(&garbage.stderr);
    assert!(
        error
            .contains("master key from environment variable FLOWDESK_MASTER_KEY: it is not base64"),
        "{error}"
    );

    let key_file = dir.write("master.key", &format!("{TEST_MASTER_KEY}\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let config = dir.write(
            "flowdesk.toml",
            &format!("[security]\nmaster_key_file = {key_file:?}\n"),
        );
        let (_, error) = flowdesk_fails(&[
            "--config",
            &config,
            "keys",
            "rotate",
            "--db",
            "sqlite::memory:",
        ]);
        assert!(
            error.contains(&format!("master key from file {key_file}: it is accessible to other users (mode 644); restrict it with `chmod 600 {key_file}`")),
            "{error}"
        );
    }
    let empty = dir.write("empty.key", "");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = dir.write(
        "empty.toml",
        &format!("[security]\nmaster_key_file = {empty:?}\n"),
    );
    let (_, error) = flowdesk_fails(&[
        "--config",
        &config,
        "keys",
        "rotate",
        "--db",
        "sqlite::memory:",
    ]);
    assert!(
        error.contains(&format!("master key from file {empty}: it is empty")),
        "{error}"
    );
    let (_, error) = flowdesk_fails(&["keys", "rotate", "--db", "sqlite::memory:"]);
    assert!(
        error
            .contains("flowdesk keys rotate needs the current master key: set FLOWDESK_MASTER_KEY"),
        "{error}"
    );
}
