//! The walking skeleton in the real desktop app (`flowdesk-desktop`, WebKitGTK
//! driven through tauri-driver) under Xvfb, with a fresh data folder, so the
//! app starts on its first-run screen; then once more on the same data folder,
//! where the administrator signs in and finds the earlier work kept. The
//! first start also runs the console flow (designer, test run, incident,
//! tasklist, diff; see `flowdesk_e2e::console`) and the DMN and form editors
//! (`flowdesk_e2e::editors`).

use anyhow::{Context, Result};
use flowdesk_e2e::console::{console_flow, Screens};
use flowdesk_e2e::editors::editors_flow;
use flowdesk_e2e::{
    bin, capture_page, isolated_xdg_environment, walking_skeleton, TauriDriver, TestContext, Xvfb,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walking_skeleton_in_the_desktop_app() {
    let ctx = TestContext::new("desktop").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

async fn run(ctx: &TestContext) -> Result<()> {
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

    let outcome = match walking_skeleton(&client, true).await {
        Ok(()) => {
            async {
                let screens = Screens::from_environment();
                console_flow(&client, &screens)
                    .await
                    .context("the console flow")?;
                editors_flow(&client, &screens)
                    .await
                    .context("the DMN and form editors")
            }
            .await
        }
        Err(error) => Err(error),
    };
    capture_page(ctx, &client, "after").await;
    client.close().await.ok();
    outcome?;

    let client = driver
        .client(&app, &args)
        .await
        .context("restarting the app on the same data folder")?;
    let outcome = walking_skeleton(&client, false).await;
    capture_page(ctx, &client, "after-restart").await;
    client.close().await.ok();
    outcome.context("second start, on the same data folder")
}
