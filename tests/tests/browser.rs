//! The walking skeleton in headless Chromium against `flowdesk serve` on a
//! fresh PostgreSQL database: the administrator is created on the first-run
//! screen, and the API confirms what the UI showed. Then the console flow
//! (designer, test run, incident, tasklist, diff; see `flowdesk_e2e::console`)
//! and the DMN and form editors (`flowdesk_e2e::editors`).

use anyhow::{ensure, Context, Result};
use flowdesk_e2e::console::{console_flow, Screens};
use flowdesk_e2e::editors::editors_flow;
use flowdesk_e2e::{
    capture_page, walking_skeleton, ApiSession, ChromeDriver, Postgres, Server, TestContext,
    ADMIN_PASSWORD, ADMIN_USERNAME, PROCESS_ID,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walking_skeleton_in_chromium_on_postgres() {
    let ctx = TestContext::new("browser").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

async fn run(ctx: &TestContext) -> Result<()> {
    let database = Postgres::fresh_database().await?;
    let server = Server::start(ctx, database.url()).await?;
    let mut driver = ChromeDriver::start(ctx).await?;
    let client = driver.client().await?;

    let outcome = async {
        client.goto(server.base_url()).await?;
        walking_skeleton(&client, true).await?;
        console_flow(&client, &Screens(None)).await?;
        editors_flow(&client, &Screens::from_environment()).await
    }
    .await;
    capture_page(
        ctx,
        &client,
        if outcome.is_ok() { "after" } else { "failure" },
    )
    .await;
    client.close().await.ok();
    outcome?;

    let api = ApiSession::login(server.base_url(), ADMIN_USERNAME, ADMIN_PASSWORD)
        .await
        .context("the administrator created in the UI cannot sign in through the API")?;
    let definitions = api.get_json("/api/definitions").await?;
    let deployed = definitions
        .as_array()
        .context("GET /api/definitions is not an array")?
        .iter()
        .any(|definition| definition["process_id"] == PROCESS_ID);
    ensure!(
        deployed,
        "no definition of {PROCESS_ID} in GET /api/definitions: {definitions}"
    );

    let instances = api
        .get_json(&format!("/api/instances?process_id={PROCESS_ID}"))
        .await?;
    let active = instances["items"]
        .as_array()
        .context("GET /api/instances has no items array")?
        .iter()
        .filter(|instance| instance["process_id"] == PROCESS_ID && instance["state"] == "active")
        .count();
    ensure!(
        active >= 1,
        "no active instance of {PROCESS_ID} in GET /api/instances: {instances}"
    );
    ensure!(
        instances["total"].as_u64().is_some_and(|total| total >= 1),
        "GET /api/instances total is not >= 1: {instances}"
    );
    Ok(())
}
