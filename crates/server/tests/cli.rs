//! Runs the real `flowdesk` binary: help, migrate, user add, serve over HTTP.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");
const PASSWORD: &str = "a long test password";

fn flowdesk(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("FLOWDESK_CONFIG")
        .env_remove("FLOWDESK_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the flowdesk binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("flowdesk finishes")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "flowdesk-cli-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Kills the server if the test fails before stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn help_lists_every_subcommand() {
    let output = flowdesk(&["--help"], "");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for word in [
        "serve",
        "migrate",
        "user",
        "--config",
        "FLOWDESK_DB",
        "variables",
        "modify",
        "cancel",
        "resolve",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let user_help = String::from_utf8_lossy(&flowdesk(&["user", "--help"], "").stdout).to_string();
    assert!(user_help.contains("add"), "{user_help}");
    let serve_help =
        String::from_utf8_lossy(&flowdesk(&["serve", "--help"], "").stdout).to_string();
    for word in ["--db", "--listen", "--ui-dir", "--demo"] {
        assert!(
            serve_help.contains(word),
            "serve --help lacks {word}:\n{serve_help}"
        );
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

#[tokio::test]
async fn migrate_add_user_serve_and_sign_in() {
    let dir = TempDir::new();
    let db = format!("sqlite:{}", dir.path().join("flowdesk.db").display());

    let migrated = flowdesk(&["migrate", "--db", &db], "");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );

    let refused = flowdesk(
        &[
            "user",
            "add",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            &db,
        ],
        "\n",
    );
    assert!(!refused.status.success(), "an empty password is refused");

    let added = flowdesk(
        &[
            "user",
            "add",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
            "--db",
            &db,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let user_id = String::from_utf8_lossy(&added.stdout).trim().to_string();
    assert_eq!(user_id.len(), 36, "prints the user id: {user_id:?}");

    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Server(
        Command::new(BIN)
            .args(["serve", "--db", &db, "--listen", &address])
            .env("RUST_LOG", "info")
            .env_remove("FLOWDESK_CONFIG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("serve starts"),
    );

    let client = reqwest::Client::new();
    let base = format!("http://{address}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("{base}/health/ready")).send().await {
            Ok(response) if response.status().is_success() => break,
            _ if Instant::now() > deadline => panic!(
                "server not ready in time; log:\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            ),
            _ => {
                if let Ok(Some(status)) = server.0.try_wait() {
                    panic!(
                        "server exited with {status}: {}",
                        std::fs::read_to_string(&log_path).unwrap_or_default()
                    );
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let me = client
        .get(format!("{base}/api/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["id"], user_id.as_str());
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"], "admin");
    let anonymous = client
        .get(format!("{base}/api/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &server.0.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = server.0.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(status.success(), "graceful shutdown exits 0, got {status}");
    }

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains(&format!("listening on {address}")), "{log}");
    let secret = cookie.trim_start_matches("flowdesk_session=");
    assert!(
        !log.contains(secret),
        "the session secret must never be logged"
    );
    assert!(!log.contains(PASSWORD), "passwords must never be logged");
}
