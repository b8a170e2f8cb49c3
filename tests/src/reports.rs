//! The analytics flow of issue 9 in Chromium: history is made through the
//! API (instances of [`REVIEW_BPMN`], some with their user task completed),
//! then, in the UI, a report is built, run and downloaded as a PDF (checked
//! to be a PDF whose text holds the report's title), and a dashboard is
//! built in the editor and opened: its KPI tile counts the instances, its
//! chart tile shows the server's SVG and its heatmap colours the diagram's
//! elements.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::console::{page_fetch, page_json, Screens, REVIEW_BPMN};
use crate::{click, fill_form, poll, wait_for, wait_for_text, Attempt, UI_DEADLINE};

/// The process the flow makes history for.
pub const REVIEW_PROCESS: &str = "e2e-review";
/// Instances started, and how many of them get their user task completed.
pub const STARTED: usize = 6;
pub const COMPLETED: usize = 4;
/// The report built in the UI.
pub const REPORT_TITLE: &str = "Review throughput per day";
/// The dashboard built in the UI.
pub const DASHBOARD_NAME: &str = "Review operations";

/// Deploys [`REVIEW_BPMN`], starts [`STARTED`] instances, completes the
/// review of [`COMPLETED`] of them and catches the read model up.
pub async fn make_history(client: &Client) -> Result<()> {
    let (status, body) = page_fetch(
        client,
        "POST",
        "/api/definitions?name=e2e-review.bpmn",
        Some((REVIEW_BPMN, "application/xml")),
    )
    .await?;
    ensure!(
        status == 201,
        "deploying e2e-review.bpmn answered {status}: {body}"
    );
    for _ in 0..STARTED {
        page_json(
            client,
            "POST",
            "/api/instances",
            Some(json!({"process_id": REVIEW_PROCESS})),
        )
        .await?;
    }
    let tasks = poll("the review tasks", UI_DEADLINE, || async move {
        let tasks = page_json(client, "GET", "/api/tasks", None).await?;
        let keys: Vec<i64> = tasks
            .as_array()
            .context("GET /api/tasks is not an array")?
            .iter()
            .filter(|t| t["process_id"] == REVIEW_PROCESS)
            .filter_map(|t| t["key"].as_i64())
            .collect();
        Ok(if keys.len() >= STARTED {
            Attempt::Done(keys)
        } else {
            Attempt::Retry(format!("{} of {STARTED} tasks", keys.len()))
        })
    })
    .await?;
    for key in tasks.iter().take(COMPLETED) {
        page_json(client, "POST", &format!("/api/tasks/{key}/claim"), None).await?;
        page_json(
            client,
            "POST",
            &format!("/api/tasks/{key}/complete"),
            Some(json!({"variables": {"comment": "fine"}})),
        )
        .await?;
    }
    page_json(client, "POST", "/api/insights/catch-up", None).await?;
    Ok(())
}

/// Lets Chromium save downloads into `dir` (the Chrome DevTools command
/// through chromedriver's `goog/cdp/execute`).
pub async fn allow_downloads(driver_url: &str, client: &Client, dir: &Path) -> Result<()> {
    let session = client
        .session_id()
        .await?
        .context("the WebDriver session has no id")?;
    let response = reqwest::Client::new()
        .post(format!("{driver_url}/session/{session}/goog/cdp/execute"))
        .json(&json!({
            "cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": dir.to_str().context("download dir is not UTF-8")?},
        }))
        .send()
        .await?;
    let status = response.status();
    let body = response.text().await?;
    ensure!(
        status.is_success(),
        "Browser.setDownloadBehavior answered {status}: {body}"
    );
    Ok(())
}

/// Picks `value` in the `<select>` `css`.
async fn select(client: &Client, css: &str, value: &str) -> Result<()> {
    let element = wait_for(client, css, UI_DEADLINE).await?;
    poll(
        &format!("the option {value:?} of `{css}`"),
        UI_DEADLINE,
        || {
            let element = element.clone();
            async move {
                match element.select_by_value(value).await {
                    Ok(()) => Ok(Attempt::Done(())),
                    Err(error) => Ok(Attempt::Retry(error.to_string())),
                }
            }
        },
    )
    .await
}

/// Sets a checkbox `css` to `on` by clicking it when it differs.
async fn check(client: &Client, css: &str, on: bool) -> Result<()> {
    let element = wait_for(client, css, UI_DEADLINE).await?;
    if element.is_selected().await? != on {
        element.click().await?;
    }
    ensure!(
        element.is_selected().await? == on,
        "`{css}` did not become {}",
        if on { "ticked" } else { "unticked" }
    );
    Ok(())
}

/// Builds [`REPORT_TITLE`] in the report editor (daily series of the review
/// process: a few columns and a line chart), runs it and checks the table
/// against the API's run. Returns the report id.
pub async fn build_and_run_report(client: &Client, screens: &Screens) -> Result<String> {
    click(client, "[data-testid=nav-reports]", UI_DEADLINE).await?;
    click(client, "[data-testid=new-report]", UI_DEADLINE).await?;
    fill_form(
        client,
        &[
            ("[data-testid=report-name]", REPORT_TITLE),
            (
                "[data-testid=report-description]",
                "Reviews started and completed each day",
            ),
            ("[data-testid=report-param-process]", REVIEW_PROCESS),
        ],
    )
    .await?;
    select(client, "[data-testid=report-source]", "daily").await?;
    for column in ["start", "started", "completed", "active"] {
        check(
            client,
            &format!("[data-testid=report-columns] input[data-column={column}]"),
            true,
        )
        .await?;
    }
    select(client, "[data-testid=report-chart-kind]", "bar").await?;
    select(client, "[data-testid=report-chart-x]", "start").await?;
    check(
        client,
        "[data-testid=report-chart-y] input[data-column=active]",
        true,
    )
    .await?;
    click(client, "[data-testid=save-report]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=report-title]",
        &format!("reading {REPORT_TITLE:?}"),
        UI_DEADLINE,
        |text| text == REPORT_TITLE,
    )
    .await
    .context("the saved report did not open")?;

    let run_process = wait_for(client, "[data-testid=run-process]", UI_DEADLINE).await?;
    let default = run_process.prop("value").await?.unwrap_or_default();
    ensure!(
        default == REVIEW_PROCESS,
        "the run form does not start from the report's default process: {default:?}"
    );
    click(client, "[data-testid=run-report]", UI_DEADLINE).await?;
    wait_for(client, "[data-testid=run-table]", UI_DEADLINE)
        .await
        .context("the run shows no table")?;
    wait_for_text(
        client,
        "[data-testid=run-as-of]",
        "with the as-of time",
        UI_DEADLINE,
        |text| text.contains("Numbers as of") && text.contains("run by admin"),
    )
    .await?;
    image_loaded(client, "img[data-testid=run-chart]")
        .await
        .context("the run's chart (the server's SVG) did not show")?;

    let reports = page_json(client, "GET", "/api/reports", None).await?;
    let report = reports
        .as_array()
        .context("GET /api/reports is not an array")?
        .iter()
        .find(|r| r["name"] == REPORT_TITLE)
        .with_context(|| format!("{REPORT_TITLE:?} is not in GET /api/reports: {reports}"))?;
    let definition = &report["definition"];
    ensure!(
        definition["source"] == "daily"
            && definition["parameters"] == json!({"process_id": REVIEW_PROCESS})
            && definition["columns"] == json!(["start", "started", "completed", "active"])
            && definition["chart"]
                == json!({"kind": "bar", "x": "start", "y": ["started", "completed", "active"]}),
        "the saved definition is not what the editor showed: {definition}"
    );
    let id = report["id"]
        .as_str()
        .context("report without id")?
        .to_owned();
    let runs = page_json(client, "GET", &format!("/api/reports/{id}/runs"), None).await?;
    let run = &runs[0];
    ensure!(
        run["parameters"] == json!({"process_id": REVIEW_PROCESS}),
        "the run's parameters: {run}"
    );
    let rows = run["result"]["rows"]
        .as_array()
        .context("the run has no rows array")?;
    let total = |column: usize| -> i64 { rows.iter().filter_map(|r| r[column].as_i64()).sum() };
    ensure!(
        total(1) == STARTED as i64 && total(2) == COMPLETED as i64,
        "the run counts {} started and {} completed, not {STARTED} and {COMPLETED}: {run}",
        total(1),
        total(2)
    );
    let shown_rows = client
        .find_all(Locator::Css("[data-testid=run-table] tbody tr"))
        .await?
        .len();
    ensure!(
        shown_rows == rows.len(),
        "the table shows {shown_rows} rows, the run has {}",
        rows.len()
    );
    let history = client
        .find_all(Locator::Css("[data-testid=report-run-row]"))
        .await?
        .len();
    ensure!(history == 1, "the runs history lists {history} runs, not 1");
    screens.capture(client, "report").await?;
    Ok(id)
}

/// Clicks the run's PDF download and checks the file Chromium saved in
/// `dir`: a PDF whose text holds the report's title.
pub async fn download_pdf(client: &Client, dir: &Path) -> Result<PathBuf> {
    click(client, "[data-testid=download-pdf]", UI_DEADLINE).await?;
    let file = poll("the downloaded PDF", UI_DEADLINE, || async move {
        let mut finished = Vec::new();
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "pdf") && path.metadata()?.len() > 0 {
                finished.push(path);
            }
        }
        Ok(match finished.pop() {
            Some(path) => Attempt::Done(path),
            None => Attempt::Retry(format!("{} holds no finished .pdf", dir.display())),
        })
    })
    .await?;
    let bytes = fs::read(&file)?;
    ensure!(
        bytes.starts_with(b"%PDF-"),
        "{} does not start with %PDF-",
        file.display()
    );
    let text = pdf_extract::extract_text_from_mem(&bytes)
        .with_context(|| format!("extracting the text of {}", file.display()))?;
    let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    ensure!(
        words.contains(REPORT_TITLE),
        "the PDF's text does not hold the title {REPORT_TITLE:?}: {}",
        words.chars().take(400).collect::<String>()
    );
    ensure!(
        words.contains(REVIEW_PROCESS),
        "the PDF's cover does not show the process_id parameter: {}",
        words.chars().take(400).collect::<String>()
    );
    Ok(file)
}

/// Builds [`DASHBOARD_NAME`] in the editor (three KPIs, a throughput
/// series and a heatmap of the review process, auto-refresh every 30 s),
/// opens it and checks its tiles. Returns the dashboard id.
pub async fn build_and_open_dashboard(client: &Client, screens: &Screens) -> Result<String> {
    click(client, "[data-testid=nav-dashboards]", UI_DEADLINE).await?;
    click(client, "[data-testid=new-dashboard]", UI_DEADLINE).await?;
    fill_form(client, &[("[data-testid=dashboard-name]", DASHBOARD_NAME)]).await?;
    select(client, "[data-testid=dashboard-process]", REVIEW_PROCESS).await?;
    select(client, "[data-testid=dashboard-refresh]", "30").await?;
    check(client, "[data-testid=dashboard-role-viewer]", true).await?;

    let tiles = [
        ("kpi", "started", "Reviews started"),
        ("kpi", "completed", "Reviews completed"),
        ("kpi", "active", "Waiting for review"),
        ("series", "throughput", "Throughput"),
        ("heatmap", "started", "Where reviews spend their time"),
    ];
    for (kind, metric, title) in tiles {
        select(client, "[data-testid=new-tile-kind]", kind).await?;
        select(client, "[data-testid=new-tile-metric]", metric).await?;
        fill_form(client, &[("[data-testid=new-tile-title]", title)]).await?;
        click(client, "[data-testid=add-tile]", UI_DEADLINE).await?;
    }
    let rows = client
        .find_all(Locator::Css("[data-testid=editor-tile]"))
        .await?
        .len();
    ensure!(
        rows == tiles.len(),
        "the editor lists {rows} tiles, not {}",
        tiles.len()
    );
    // The series goes last, below the heatmap: reordered with its button.
    click(client, "[aria-label='Move Throughput down']", UI_DEADLINE).await?;
    click(client, "[data-testid=save-dashboard]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=dashboard-title]",
        &format!("reading {DASHBOARD_NAME:?}"),
        UI_DEADLINE,
        |text| text == DASHBOARD_NAME,
    )
    .await
    .context("the saved dashboard did not open")?;

    let dashboards = page_json(client, "GET", "/api/dashboards", None).await?;
    let summary = dashboards
        .as_array()
        .context("GET /api/dashboards is not an array")?
        .iter()
        .find(|d| d["name"] == DASHBOARD_NAME)
        .with_context(|| {
            format!("{DASHBOARD_NAME:?} is not in GET /api/dashboards: {dashboards}")
        })?;
    let id = summary["id"]
        .as_str()
        .context("dashboard without id")?
        .to_owned();
    let saved = page_json(client, "GET", &format!("/api/dashboards/{id}"), None).await?;
    let titles: Vec<&str> = saved["definition"]["tiles"]
        .as_array()
        .context("the saved dashboard has no tiles")?
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    ensure!(
        titles
            == [
                "Reviews started",
                "Reviews completed",
                "Waiting for review",
                "Where reviews spend their time",
                "Throughput"
            ],
        "the saved tiles are not in the editor's order: {titles:?}"
    );
    ensure!(
        saved["definition"]["filters"]["process_id"] == REVIEW_PROCESS
            && saved["definition"]["refresh_seconds"] == 30
            && saved["roles"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("viewer"))),
        "the saved filters, refresh or roles differ from the editor's: {saved}"
    );

    kpi_shows(client, "Reviews started", STARTED).await?;
    kpi_shows(client, "Reviews completed", COMPLETED).await?;
    kpi_shows(client, "Waiting for review", STARTED - COMPLETED).await?;
    wait_for_text(
        client,
        "[data-testid=dashboard-as-of]",
        "with the as-of time",
        UI_DEADLINE,
        |text| text.starts_with("Numbers as of"),
    )
    .await?;
    wait_for_text(
        client,
        "[data-testid=auto-refresh]",
        "saying it refreshes every 30 s",
        UI_DEADLINE,
        |text| text.contains("every 30 s"),
    )
    .await?;
    let throughput = saved["definition"]["tiles"][4]["id"]
        .as_str()
        .context("the throughput tile has no id")?;
    chart_loaded(client, &id, throughput).await?;

    // The last 24 hours: the series comes per hour and the KPIs compare
    // with the 24 hours before (none of the instances started then).
    select(client, "[data-testid=filter-range]", "24h").await?;
    tiles_settled(client).await?;
    kpi_shows(client, "Reviews started", STARTED).await?;
    wait_for_text(
        client,
        "[data-testid=dashboard-tile]",
        "comparing with the previous period",
        UI_DEADLINE,
        |text| text.starts_with("Reviews started") && text.contains("vs previous period"),
    )
    .await?;
    chart_loaded(client, &id, throughput).await?;
    screens.capture(client, "dashboard").await?;

    // The heatmap: every element the instances reached is coloured, with a badge.
    for element in ["start", "review"] {
        wait_for(
            client,
            &format!("[data-testid=heatmap] .fd-heat[data-element={element}]"),
            UI_DEADLINE,
        )
        .await
        .with_context(|| format!("the heatmap does not colour {element}"))?;
    }
    wait_for_text(
        client,
        "[data-testid=heatmap] .fd-badge-heat",
        &format!("counting {STARTED}"),
        UI_DEADLINE,
        |text| text == STARTED.to_string(),
    )
    .await?;
    wait_for(client, "[data-testid=heatmap-legend]", UI_DEADLINE).await?;
    click(client, "[data-testid=heatmap-mode-duration]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=heatmap-legend] figcaption",
        "naming the mean duration",
        UI_DEADLINE,
        |text| text == "Mean duration",
    )
    .await?;
    client
        .execute(
            "document.querySelector('[data-testid=heatmap]').closest('article').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await?;
    screens.capture(client, "heatmap").await?;
    Ok(id)
}

/// Waits until the KPI tile titled `title` shows `expected`.
async fn kpi_shows(client: &Client, title: &str, expected: usize) -> Result<()> {
    poll(
        &format!("the KPI {title:?} to show {expected}"),
        UI_DEADLINE,
        || async move {
            let tiles = client
                .find_all(Locator::Css("[data-testid=dashboard-tile]"))
                .await?;
            for tile in tiles {
                let text = tile.text().await.unwrap_or_default();
                if !text.starts_with(title) {
                    continue;
                }
                return Ok(
                    match tile.find(Locator::Css("[data-testid=tile-value]")).await {
                        Ok(value) => {
                            let shown = value.text().await.unwrap_or_default();
                            if shown == expected.to_string() {
                                Attempt::Done(())
                            } else {
                                Attempt::Retry(format!("it shows {shown:?}"))
                            }
                        }
                        Err(error) => Attempt::Retry(format!("no value yet: {error}")),
                    },
                );
            }
            Ok(Attempt::Retry("no such tile".to_owned()))
        },
    )
    .await
}

/// Waits until no tile is loading.
async fn tiles_settled(client: &Client) -> Result<()> {
    poll("every tile to finish loading", UI_DEADLINE, || async move {
        let busy = client
            .find_all(Locator::Css("[data-testid=dashboard-tile][aria-busy=true]"))
            .await?
            .len();
        Ok(if busy == 0 {
            Attempt::Done(())
        } else {
            Attempt::Retry(format!("{busy} tiles loading"))
        })
    })
    .await
}

/// Waits until the image `css` (a chart: the server's SVG) has loaded.
async fn image_loaded(client: &Client, css: &str) -> Result<()> {
    poll(
        &format!("the image `{css}` to load"),
        UI_DEADLINE,
        || async move {
            let width = client
                .execute(
                    "const img = document.querySelector(arguments[0]); \
                 return img && img.complete ? img.naturalWidth : 0;",
                    vec![json!(css)],
                )
                .await?;
            Ok(match width.as_u64() {
                Some(width) if width > 0 => Attempt::Done(()),
                _ => Attempt::Retry("not loaded".to_owned()),
            })
        },
    )
    .await
}

/// [`image_loaded`] for a chart tile; on a timeout the error shows the
/// start of what the tile's chart endpoint answers.
async fn chart_loaded(client: &Client, dashboard_id: &str, tile_id: &str) -> Result<()> {
    let css = format!("[data-tile='{tile_id}'] img[data-testid=tile-chart]");
    if let Err(error) = image_loaded(client, &css).await {
        let path = format!("/api/dashboards/{dashboard_id}/tiles/{tile_id}/chart?format=svg");
        let (status, body) = page_fetch(client, "GET", &path, None).await?;
        let start: String = body.chars().take(300).collect();
        bail!("{error:#}; GET {path} answers {status}: {start}");
    }
    Ok(())
}

/// Opens the dashboard list and the dashboard from it, as a returning user
/// would, and checks the tiles are there.
pub async fn reopen_dashboard(client: &Client, id: &str) -> Result<()> {
    click(client, "[data-testid=nav-dashboards]", UI_DEADLINE).await?;
    let link = wait_for_text(
        client,
        "[data-testid=dashboard-link]",
        &format!("naming {DASHBOARD_NAME:?}"),
        UI_DEADLINE,
        |text| text.contains(DASHBOARD_NAME),
    )
    .await?;
    link.click().await?;
    let url = client.current_url().await?;
    if !url.fragment().is_some_and(|f| f.ends_with(id)) {
        bail!("the dashboard link opened {url}, not dashboard {id}");
    }
    kpi_shows(client, "Reviews started", STARTED).await?;
    let count = client
        .find_all(Locator::Css("[data-testid=dashboard-tile]"))
        .await?
        .len();
    ensure!(
        count == 5,
        "the reopened dashboard shows {count} tiles, not 5"
    );
    Ok(())
}

/// The whole flow, after sign-in: history, report, PDF, dashboard.
pub async fn reports_flow(
    client: &Client,
    driver_url: &str,
    downloads: &Path,
    screens: &Screens,
) -> Result<()> {
    allow_downloads(driver_url, client, downloads).await?;
    make_history(client).await?;
    build_and_run_report(client, screens).await?;
    download_pdf(client, downloads).await?;
    let dashboard_id = build_and_open_dashboard(client, screens).await?;
    reopen_dashboard(client, &dashboard_id).await
}
