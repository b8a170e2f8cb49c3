//! Helpers of the CLI tests: run the real binary, reach a test store by URL,
//! BPMN models for the workflow commands.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sqlx::Row;

pub const BIN: &str = env!("CARGO_BIN_EXE_flowdesk");

/// start -> wait for message `payment` (correlation key `=orderId`) -> end.
pub const PAYMENT: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="payment">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="payment" name="Payment" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:intermediateCatchEvent id="wait_payment">
      <bpmn:messageEventDefinition messageRef="m" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_payment" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// start -> gateway: `amount > 10` -> end; any other amount is an incident
/// (no flow's condition holds and there is no default).
pub const GATE: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d">
  <bpmn:process id="gate" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="big_enough" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="big_enough" />
    <bpmn:sequenceFlow id="f2" sourceRef="big_enough" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=amount &gt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"#;

/// start -> service task (job type `work`) -> end.
pub const WORK: &str = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="work" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:serviceTask id="do_work">
      <bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="do_work" />
    <bpmn:sequenceFlow id="f2" sourceRef="do_work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"#;

/// A temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "flowdesk-{label}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the directory; returns its path as text.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with a clean environment (no config, database, server or token).
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("FLOWDESK_CONFIG")
        .env_remove("FLOWDESK_DB")
        .env_remove("FLOWDESK_SERVER")
        .env_remove("FLOWDESK_TOKEN")
        .env_remove("FLOWDESK_MASTER_KEY");
    command
}

/// Runs the binary and asserts it succeeded.
pub fn flowdesk(args: &[&str]) -> Output {
    let output = command(args).output().expect("the flowdesk binary runs");
    assert!(
        output.status.success(),
        "flowdesk {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Runs the binary and asserts it failed; returns its stderr.
pub fn flowdesk_fails(args: &[&str]) -> (Output, String) {
    let output = command(args).output().expect("the flowdesk binary runs");
    assert!(
        !output.status.success(),
        "flowdesk {args:?} should have failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    (output, stderr)
}

pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON on stdout ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The URL `flowdesk --db` takes for a test store.
pub async fn db_url(store: &flowdesk_store::Store) -> String {
    match store.dialect() {
        flowdesk_store::Dialect::Sqlite => {
            let row = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_one(store.pool())
                .await
                .expect("database list");
            let file: String = row.try_get("file").expect("file");
            format!("sqlite:{file}")
        }
        flowdesk_store::Dialect::Postgres => {
            let row = sqlx::query("SELECT CAST(current_database() AS TEXT) AS name")
                .fetch_one(store.pool())
                .await
                .expect("current database");
            let name: String = row.try_get("name").expect("name");
            format!(
                "{}/{name}",
                flowdesk_store::test_support::postgres_base_url()
            )
        }
    }
}

/// The administrator password the server tests set up.
pub const PASSWORD: &str = "a long test password";

/// A running `flowdesk serve`, killed when the test ends, however it ends.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Starts `flowdesk ARGS` (a `serve` listening on `address`), its log in
/// `log_path`, and waits with a deadline until it is ready; returns it and
/// its base URL. Panics with the log if it exits first.
pub async fn serve(args: &[&str], address: &str, log_path: &Path) -> (Server, String) {
    serve_command(command(args), address, log_path).await
}

/// Like [`serve`], for a prepared command (e.g. with an environment variable set).
pub async fn serve_command(
    mut command: Command,
    address: &str,
    log_path: &Path,
) -> (Server, String) {
    use std::time::{Duration, Instant};
    let log = std::fs::File::create(log_path).unwrap();
    let mut server = Server(
        command
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("serve starts"),
    );
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("{base}/health/ready")).send().await {
            Ok(response) if response.status().is_success() => break,
            _ => {
                if let Ok(Some(status)) = server.0.try_wait() {
                    panic!(
                        "server exited with {status}: {}",
                        std::fs::read_to_string(log_path).unwrap_or_default()
                    );
                }
                assert!(Instant::now() < deadline, "server not ready in time");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    (server, base)
}

/// Creates the administrator (`ada`, [`PASSWORD`]) and an API token named
/// `name` through the API; returns the token secret.
pub async fn api_token(base: &str, name: &str) -> String {
    let client = reqwest::Client::new();
    let setup = client
        .post(format!("{base}/api/auth/setup"))
        .json(&serde_json::json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), 201);
    let cookie = setup
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string();
    let created: Value = client
        .post(format!("{base}/api/tokens"))
        .header("cookie", cookie)
        .json(&serde_json::json!({"name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["secret"]
        .as_str()
        .expect("a token secret")
        .to_string()
}
