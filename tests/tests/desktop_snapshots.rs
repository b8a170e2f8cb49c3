//! Offline report viewing in the real desktop app (`flowdesk-desktop`,
//! WebKitGTK driven through tauri-driver) under Xvfb: `flowdesk serve` on a
//! fresh PostgreSQL database gets a report with a run; the app, on a fresh
//! data folder, connects to it, saves a snapshot of the report, and the
//! server is stopped; the app is quit and started again on the same data
//! folder, and the snapshot opens with its rows, chart and the label
//! "Snapshot of <cluster> as of <time>", while Refresh says the cluster is
//! not reachable (see `flowdesk_e2e::snapshots`).

use anyhow::{Context, Result};
use flowdesk_e2e::console::Screens;
use flowdesk_e2e::snapshots::{
    connect_to_cluster, open_snapshot_offline, save_report_snapshot, seed_report,
};
use flowdesk_e2e::{
    bin, capture_page, click, fill_form, isolated_xdg_environment, wait_for, Postgres, Server,
    TauriDriver, TestContext, Xvfb, ADMIN_PASSWORD, ADMIN_USERNAME, STARTUP_DEADLINE, UI_DEADLINE,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_snapshot_opens_offline_after_a_restart() {
    let ctx = TestContext::new("desktop_snapshots").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

async fn run(ctx: &TestContext) -> Result<()> {
    let database = Postgres::fresh_database().await?;
    let mut server = Server::start(ctx, database.url()).await?;
    let token = server.admin_token().await?;
    let report = seed_report(server.base_url(), &token)
        .await
        .context("preparing the report on the cluster")?;

    let app = bin("flowdesk-desktop")?;
    let xvfb = Xvfb::start(ctx).await?;
    let data_dir = ctx.temp_dir("data")?;
    let home = ctx.temp_dir("home")?;
    let environment = isolated_xdg_environment(home.path())?;
    let mut driver = TauriDriver::start_with_environment(ctx, xvfb.display(), &environment).await?;
    let args = vec![
        "--data-dir".to_owned(),
        data_dir.path().display().to_string(),
    ];

    let client = driver.client(&app, &args).await?;
    let outcome = async {
        wait_for(&client, "#setup-username", STARTUP_DEADLINE)
            .await
            .context("the first-run screen did not appear")?;
        fill_form(
            &client,
            &[
                ("#setup-username", ADMIN_USERNAME),
                ("#setup-password", ADMIN_PASSWORD),
                ("#setup-password-confirm", ADMIN_PASSWORD),
            ],
        )
        .await?;
        click(&client, "#setup-submit", UI_DEADLINE).await?;
        wait_for(&client, "[data-testid=nav-snapshots]", UI_DEADLINE)
            .await
            .context("the desktop app shell has no Snapshots entry")?;
        connect_to_cluster(&client, server.base_url()).await?;
        save_report_snapshot(&client, &report).await
    }
    .await;
    capture_page(ctx, &client, "saved").await;
    client.close().await.ok();
    outcome?;

    server.kill9();

    let client = driver
        .client(&app, &args)
        .await
        .context("restarting the app on the same data folder")?;
    let outcome = async {
        wait_for(&client, "#login-username", STARTUP_DEADLINE)
            .await
            .context("the login screen did not appear")?;
        fill_form(
            &client,
            &[
                ("#login-username", ADMIN_USERNAME),
                ("#login-password", ADMIN_PASSWORD),
            ],
        )
        .await?;
        click(&client, "#login-submit", UI_DEADLINE).await?;
        open_snapshot_offline(&client, &report, &Screens::from_environment()).await
    }
    .await;
    capture_page(ctx, &client, "offline").await;
    client.close().await.ok();
    outcome.context("opening the snapshot with the cluster stopped, after a restart")
}
