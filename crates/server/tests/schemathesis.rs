//! schemathesis (PyPI) against `flowdesk serve` on a fresh SQLite file,
//! signed in with an administrator's API token: every operation of
//! /api/openapi.json, no 5xx and no response that breaks the schema.
//!
//! `cargo xtask test` installs schemathesis into `target/schemathesis/venv`
//! and passes its `st` as `FLOWDESK_SCHEMATHESIS`. The test fails (never
//! skips) when it cannot find it.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");
const PASSWORD: &str = "a long test password";

fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("FLOWDESK_SCHEMATHESIS") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let st = target.join("schemathesis/venv/bin/st");
    assert!(
        st.exists(),
        "schemathesis not found at {}: run `cargo xtask test` (it installs it) or set FLOWDESK_SCHEMATHESIS",
        st.display()
    );
    st
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_errors_or_schema_violations() {
    let st = schemathesis();
    let dir = std::env::temp_dir().join(format!("flowdesk-schemathesis-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let db = format!("sqlite:{}", dir.join("flowdesk.db").display());
    let _server = Server(
        Command::new(BIN)
            .args([
                "serve",
                "--db",
                &db,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env_remove("FLOWDESK_CONFIG")
            // TOTP enrolment needs a master key (without one it is refused with a 500).
            .env(
                "FLOWDESK_MASTER_KEY",
                flowdesk_store::test_support::TEST_MASTER_KEY,
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("flowdesk serve starts"),
    );
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(reply) = client.get(format!("{base}/health/ready")).send().await {
            if reply.status().is_success() {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "flowdesk serve did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let setup = client
        .post(format!("{base}/api/auth/setup"))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let cookie = setup.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token: serde_json::Value = client
        .post(format!("{base}/api/tokens"))
        .header("cookie", cookie)
        .json(&serde_json::json!({"name": "schemathesis"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = token["secret"].as_str().unwrap();
    let schema = client
        .get(format!("{base}/api/openapi.json"))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let schema_file = dir.join("openapi.json");
    std::fs::write(&schema_file, schema).unwrap();

    let output = Command::new(st)
        .arg("run")
        .arg(&schema_file)
        .args(["--url", &base])
        .args(["--header", &format!("Authorization: Bearer {secret}")])
        .args(["--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"])
        // Signing out and revoking tokens would end the run's own credentials.
        .args(["--exclude-path", "/api/auth/logout"])
        .args(["--exclude-path-regex", "^/api/tokens/"])
        .args(["--exclude-path-regex", "^/api/users/.*/sessions$"])
        // The live update stream never ends (crates/api/tests/http/live.rs tests it).
        .args(["--exclude-path", "/api/events"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "20", "--workers", "2", "--seed", "1"])
        .args(["--no-color"])
        .env("SCHEMATHESIS_HOOKS", "")
        .current_dir(&dir)
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{stdout}\n{stderr}"
    );
}
