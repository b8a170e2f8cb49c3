//! The harness's own pieces work on this machine: an X server, a fresh
//! PostgreSQL database, Chromium through chromedriver and WebKitGTK through
//! tauri-driver (with WebKit's MiniBrowser standing in for the app), and the
//! file upload helper in both browsers.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::Client;
use flowdesk_e2e::{
    upload_file, wait_for, wait_for_text, webkit_client, ChromeDriver, Postgres, TauriDriver,
    TestContext, Xvfb,
};

const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// A page whose file input shows the name and first line of the chosen file.
const UPLOAD_PAGE: &str = "<!doctype html><title>Flowdesk upload</title>\
    <input type=file data-testid=upload-bpmn>\
    <p data-testid=upload-error></p>\
    <script>document.querySelector('input').addEventListener('change', async (event) => {\
    const file = event.target.files[0];\
    document.querySelector('p').textContent = file.name + ' ' + (await file.text()).split('\\n')[0];\
    });</script>";

async fn check_upload(client: &Client) -> Result<()> {
    client
        .goto(&format!("data:text/html,{}", encode(UPLOAD_PAGE)))
        .await?;
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/malformed.bpmn");
    upload_file(client, "input[data-testid=upload-bpmn]", &fixture).await?;
    wait_for_text(
        client,
        "[data-testid=upload-error]",
        "naming the file",
        Duration::from_secs(10),
        |text| text.starts_with("malformed.bpmn <?xml"),
    )
    .await?;
    Ok(())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_postgres_database_is_created_and_dropped() {
    let ctx = TestContext::new("harness-postgres").expect("creating the log directory");
    let result = async {
        let database = Postgres::fresh_database().await?;
        let name = database.name().to_owned();
        ensure!(database.url().ends_with(&name), "{}", database.url());
        let exists = |name: String| async move {
            let output = tokio::process::Command::new("psql")
                .arg(format!("{}/postgres", Postgres::server_url()))
                .args(["-X", "-t", "-A", "-c"])
                .arg(format!(
                    "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
                ))
                .output()
                .await?;
            anyhow::Ok(String::from_utf8_lossy(&output.stdout).trim() == "1")
        };
        ensure!(exists(name.clone()).await?, "{name} was not created");
        drop(database);
        ensure!(!exists(name.clone()).await?, "{name} was not dropped");
        Ok(())
    }
    .await;
    ctx.finish(result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_opens_a_page_and_takes_a_file() {
    let ctx = TestContext::new("harness-chromium").expect("creating the log directory");
    let result = async {
        let mut driver = ChromeDriver::start(&ctx).await?;
        let client = driver.client().await?;
        client.goto("about:blank").await?;
        let outcome = check_upload(&client).await;
        client.close().await.ok();
        outcome
    }
    .await;
    ctx.finish(result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webkit_through_tauri_driver_under_xvfb_takes_a_file() {
    let ctx = TestContext::new("harness-webkit").expect("creating the log directory");
    let result = async {
        let xvfb = Xvfb::start(&ctx).await?;
        ensure!(xvfb.display().starts_with(':'), "{}", xvfb.display());
        let driver = TauriDriver::start(&ctx, xvfb.display()).await?;
        let automation = ["--automation".to_owned()];
        let client = webkit_client(driver.port(), None, Path::new(MINIBROWSER), &automation)
            .await
            .with_context(|| {
                format!("launching {MINIBROWSER} (Debian package webkit2gtk-driver)")
            })?;
        let outcome = async {
            client
                .goto(&format!("data:text/html,{}", encode("<h1 id=ok>ok</h1>")))
                .await?;
            wait_for(&client, "#ok", Duration::from_secs(10)).await?;
            check_upload(&client).await
        }
        .await;
        client.close().await.ok();
        outcome
    }
    .await;
    ctx.finish(result);
}
