//! Offline report viewing in the real desktop app (`flowdesk-desktop`,
//! WebKitGTK driven through tauri-driver) under Xvfb: `flowdesk serve` on a
//! fresh PostgreSQL database gets a report with a run and a dashboard; the
//! app, on a fresh data folder, connects to it, saves a snapshot of each
//! (Refresh, with the cluster up, runs the report anew), and the server is
//! stopped; the app is quit and started again on the same
//! data folder, and the report snapshot opens with its rows, chart and the
//! label "Snapshot of <cluster> as of <time>", while Refresh says the
//! cluster is not reachable, and the dashboard snapshot with its KPI value
//! and chart; the report snapshot, exported to a file, is imported by the
//! app on another data folder (another desktop) and opens there, after a
//! file of a newer format version was refused (see `flowdesk_e2e::snapshots`).

use anyhow::{Context, Result};
use flowdesk_e2e::console::Screens;
use flowdesk_e2e::snapshots::{
    connect_to_cluster, import_on_another_desktop, open_snapshot_offline, refresh_online,
    save_snapshots, seed_report,
};
use flowdesk_e2e::{
    bin, capture_page, click, fill_form, isolated_xdg_environment, wait_for, Postgres, Server,
    TauriDriver, TestContext, Xvfb, ADMIN_PASSWORD, ADMIN_USERNAME, STARTUP_DEADLINE, UI_DEADLINE,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_and_dashboard_snapshots_open_offline_after_a_restart() {
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
    // Where "Export file" writes: the Downloads folder of the XDG user dirs.
    let downloads = home.path().join("Downloads");
    std::fs::create_dir_all(&downloads)?;
    std::fs::write(
        home.path().join("config").join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )?;
    let mut driver = TauriDriver::start_with_environment(ctx, xvfb.display(), &environment).await?;
    let args = vec![
        "--data-dir".to_owned(),
        data_dir.path().display().to_string(),
    ];

    let client = driver.client(&app, &args).await?;
    let outcome = async {
        set_up_local_workspace(&client).await?;
        connect_to_cluster(&client, server.base_url()).await?;
        save_snapshots(&client, &report).await?;
        refresh_online(&client, server.base_url(), &token, &report).await
    }
    .await;
    capture_page(ctx, &client, "saved").await;
    client.close().await.ok();
    // The snapshot now holds the run Refresh made.
    let report = outcome?;

    server.kill9();

    let client = driver
        .client(&app, &args)
        .await
        .context("restarting the app on the same data folder")?;
    let exported = async {
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
    let exported =
        exported.context("opening the snapshots with the cluster stopped, after a restart")?;

    // Another desktop: a fresh data folder.
    let other_data_dir = ctx.temp_dir("other-data")?;
    let bad = ctx.temp_dir("bad")?;
    let bad_file = bad.path().join("from-the-future.flowdesk-report");
    std::fs::write(&bad_file, r#"{"format": "flowdesk-report", "version": 2}"#)?;
    let other_args = vec![
        "--data-dir".to_owned(),
        other_data_dir.path().display().to_string(),
    ];
    let client = driver
        .client(&app, &other_args)
        .await
        .context("starting the app on another data folder")?;
    let outcome = async {
        set_up_local_workspace(&client).await?;
        import_on_another_desktop(&client, &exported, &bad_file, &report).await
    }
    .await;
    capture_page(ctx, &client, "imported").await;
    client.close().await.ok();
    outcome.context("importing the exported snapshot on another desktop")
}

/// Creates the local administrator on the first-run screen.
async fn set_up_local_workspace(client: &fantoccini::Client) -> Result<()> {
    wait_for(client, "#setup-username", STARTUP_DEADLINE)
        .await
        .context("the first-run screen did not appear")?;
    fill_form(
        client,
        &[
            ("#setup-username", ADMIN_USERNAME),
            ("#setup-password", ADMIN_PASSWORD),
            ("#setup-password-confirm", ADMIN_PASSWORD),
        ],
    )
    .await?;
    click(client, "#setup-submit", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=nav-snapshots]", UI_DEADLINE)
        .await
        .context("the desktop app shell has no Snapshots entry")?;
    Ok(())
}
