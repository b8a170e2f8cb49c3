//! Reports and dashboards in headless Chromium against `flowdesk serve` on
//! a fresh PostgreSQL database (see `flowdesk_e2e::reports`): a report built
//! in the UI, run and downloaded as a PDF that holds its title; a dashboard
//! built in the editor and opened, with its KPIs, chart and diagram heatmap.
//! With `FLOWDESK_SCREENSHOT_DIR` set it saves the report, dashboard and
//! heatmap screens in both themes.

use anyhow::Result;
use flowdesk_e2e::console::Screens;
use flowdesk_e2e::reports::reports_flow;
use flowdesk_e2e::{capture_page, walking_skeleton, ChromeDriver, Postgres, Server, TestContext};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_built_run_and_downloaded_and_dashboard_opened_in_chromium() {
    let ctx = TestContext::new("browser_reports").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

async fn run(ctx: &TestContext) -> Result<()> {
    let database = Postgres::fresh_database().await?;
    let server = Server::start(ctx, database.url()).await?;
    let mut driver = ChromeDriver::start(ctx).await?;
    let client = driver.client().await?;
    let downloads = ctx.temp_dir("downloads")?;

    let outcome = async {
        client.goto(server.base_url()).await?;
        walking_skeleton(&client, true).await?;
        reports_flow(
            &client,
            driver.url(),
            downloads.path(),
            &Screens::from_environment(),
        )
        .await
    }
    .await;
    capture_page(
        ctx,
        &client,
        if outcome.is_ok() { "after" } else { "failure" },
    )
    .await;
    client.close().await.ok();
    outcome
}
