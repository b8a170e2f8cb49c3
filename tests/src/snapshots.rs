//! Offline report snapshots on the desktop (issue 9): a cluster gets a
//! report with a run and a dashboard ([`seed_report`], through its API with
//! a token), the desktop app connects to it through the connection switcher
//! ([`connect_to_cluster`]), saves a snapshot of each from its page
//! ([`save_snapshots`]), and — the server stopped and the app restarted —
//! opens them from the local database ([`open_snapshot_offline`]): the
//! report's as-of label names the cluster and the run's as-of time, its
//! table holds the run's rows, Refresh says the cluster is not reachable;
//! the dashboard's KPI tile holds the count and its series tile the chart.
//! The exported report file then opens on another desktop
//! ([`import_on_another_desktop`]).

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::console::{Screens, REVIEW_BPMN};
use crate::{
    click, fill_form, poll, upload_file, wait_for, wait_for_text, Attempt, ADMIN_PASSWORD,
    ADMIN_USERNAME, UI_DEADLINE,
};

/// The connection profile the desktop saves for the cluster.
pub const CLUSTER_NAME: &str = "e2e-cluster";
/// The report the snapshot is taken of.
pub const REPORT_NAME: &str = "Review starts per day";
/// The dashboard the other snapshot is taken of.
pub const DASHBOARD_NAME: &str = "Review board";
/// Instances started on the cluster before the report runs.
pub const STARTED: usize = 3;

/// The report and dashboard on the cluster, and what their snapshots should hold.
#[derive(Debug, Clone)]
pub struct SeededReport {
    /// The report's id.
    pub id: String,
    /// The dashboard's id: a KPI tile `started` and a series tile `throughput`.
    pub dashboard_id: String,
    /// The run's as-of time (ms since the epoch).
    pub as_of: i64,
    /// The run's result rows.
    pub rows: Vec<Vec<Value>>,
}

async fn api(
    http: &reqwest::Client,
    base_url: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<(String, &str)>,
) -> Result<Value> {
    let mut request = http
        .request(method.clone(), format!("{base_url}{path}"))
        .bearer_auth(token);
    if let Some((body, content_type)) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    ensure!(
        status.is_success(),
        "{method} {path} answered {status}: {text}"
    );
    serde_json::from_str(&text).with_context(|| format!("{method} {path} returned no JSON: {text}"))
}

/// Deploys [`REVIEW_BPMN`], starts [`STARTED`] instances, saves
/// [`REPORT_NAME`] (daily starts of the review process, with a bar chart)
/// and runs it once, and saves [`DASHBOARD_NAME`], all as the
/// administrator whose API token is `token`.
pub async fn seed_report(base_url: &str, token: &str) -> Result<SeededReport> {
    let http = reqwest::Client::new();
    let post = reqwest::Method::POST;
    api(
        &http,
        base_url,
        token,
        post.clone(),
        "/api/definitions?name=e2e-review.bpmn",
        Some((REVIEW_BPMN.to_owned(), "application/xml")),
    )
    .await?;
    for _ in 0..STARTED {
        api(
            &http,
            base_url,
            token,
            post.clone(),
            "/api/instances",
            Some((
                json!({ "process_id": "e2e-review" }).to_string(),
                "application/json",
            )),
        )
        .await?;
    }
    let report = api(
        &http,
        base_url,
        token,
        post.clone(),
        "/api/reports",
        Some((
            json!({
                "name": REPORT_NAME,
                "description": "Instances of the review process started each day",
                "definition": {
                    "source": "daily",
                    "parameters": { "process_id": "e2e-review" },
                    "columns": ["start", "started", "active"],
                    "chart": { "kind": "bar", "x": "start", "y": ["started", "active"] }
                }
            })
            .to_string(),
            "application/json",
        )),
    )
    .await?;
    let id = report["id"]
        .as_str()
        .context("the created report has no id")?
        .to_owned();
    let run = api(
        &http,
        base_url,
        token,
        post,
        &format!("/api/reports/{id}/run"),
        Some((json!({ "parameters": {} }).to_string(), "application/json")),
    )
    .await?;
    let dashboard = api(
        &http,
        base_url,
        token,
        reqwest::Method::POST,
        "/api/dashboards",
        Some((
            json!({
                "name": DASHBOARD_NAME,
                "description": "Starts of the review process",
                "roles": [],
                "definition": {
                    "filters": { "process_id": "e2e-review" },
                    "tiles": [
                        { "id": "started", "title": "Started", "kind": "kpi", "metric": "started" },
                        { "id": "throughput", "title": "Throughput", "kind": "series", "metric": "throughput", "width": 2 }
                    ]
                }
            })
            .to_string(),
            "application/json",
        )),
    )
    .await?;
    let dashboard_id = dashboard["id"]
        .as_str()
        .context("the created dashboard has no id")?
        .to_owned();
    let as_of = run["as_of"].as_i64().context("the run has no as_of")?;
    let rows: Vec<Vec<Value>> = serde_json::from_value(run["result"]["rows"].clone())
        .context("the run's result has no rows")?;
    let started: i64 = rows
        .iter()
        .filter_map(|row| row.get(1).and_then(Value::as_i64))
        .sum();
    ensure!(
        started == STARTED as i64,
        "the run counts {started} started instances, not {STARTED}: {run}"
    );
    Ok(SeededReport {
        id,
        dashboard_id,
        as_of,
        rows,
    })
}

/// Opens the connection switcher, adds the cluster at `url` as
/// [`CLUSTER_NAME`] (signing in as the administrator, whose token goes to
/// the OS keyring) and switches to it.
pub async fn connect_to_cluster(client: &Client, url: &str) -> Result<()> {
    click(client, "[data-testid=connection-switcher]", UI_DEADLINE).await?;
    click_xpath(client, "//button[contains(., 'Add cluster')]").await?;
    fill_form(
        client,
        &[
            ("#conn-name", CLUSTER_NAME),
            ("#conn-url", url),
            ("#conn-username", ADMIN_USERNAME),
            ("#conn-password", ADMIN_PASSWORD),
        ],
    )
    .await?;
    click(client, "form.add button[type=submit]", UI_DEADLINE).await?;
    click_xpath(
        client,
        &format!("//button[contains(@class, 'item')][.//span[text()='{CLUSTER_NAME}']]"),
    )
    .await
    .context("the saved cluster did not appear in the switcher")?;
    // The switcher's accessible name carries the active workspace (WebKit's
    // WebDriver reports no text for a button with an aria-label).
    wait_for(
        client,
        &format!("[data-testid=connection-switcher][aria-label*='{CLUSTER_NAME}']"),
        UI_DEADLINE,
    )
    .await
    .context("the app did not switch to the cluster")?;
    Ok(())
}

async fn click_xpath(client: &Client, xpath: &str) -> Result<()> {
    poll(&format!("a click on {xpath}"), UI_DEADLINE, || async move {
        let element = match client.find(Locator::XPath(xpath)).await {
            Ok(element) => element,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        match element.click().await {
            Ok(()) => Ok(Attempt::Done(())),
            Err(error) => Ok(Attempt::Retry(error.to_string())),
        }
    })
    .await
}

/// Opens the report's and then the dashboard's page (served by the cluster
/// through the bridge), saves a snapshot of each with its "Save snapshot"
/// button and finds both on the Snapshots page.
pub async fn save_snapshots(client: &Client, seeded: &SeededReport) -> Result<()> {
    for (hash, title_css, title) in [
        (
            format!("#/reports/{}", seeded.id),
            "[data-testid=report-title]",
            REPORT_NAME,
        ),
        (
            format!("#/dashboards/{}", seeded.dashboard_id),
            "[data-testid=dashboard-title]",
            DASHBOARD_NAME,
        ),
    ] {
        client
            .execute(
                "window.location.hash = arguments[0]; return true;",
                vec![json!(hash)],
            )
            .await
            .with_context(|| format!("opening {hash}"))?;
        wait_for_text(
            client,
            title_css,
            &format!("naming {title:?}"),
            UI_DEADLINE,
            |text| text.contains(title),
        )
        .await
        .with_context(|| format!("the page of {title:?} did not open"))?;
        click(client, "[data-testid=snapshot-save]", UI_DEADLINE)
            .await
            .with_context(|| format!("no Save snapshot button on the page of {title:?}"))?;
        wait_for_text(
            client,
            ".toast-success",
            "saying the snapshot was saved",
            UI_DEADLINE,
            |text| text.contains(&format!("Snapshot of “{title}” saved for offline use")),
        )
        .await
        .with_context(|| format!("saving the snapshot of {title:?} reported no success"))?;
    }
    click(client, "[data-testid=nav-snapshots]", UI_DEADLINE).await?;
    for title in [REPORT_NAME, DASHBOARD_NAME] {
        wait_for_text(
            client,
            "[data-testid=snapshot-row]",
            &format!("naming {title:?} and {CLUSTER_NAME:?}"),
            UI_DEADLINE,
            |text| text.contains(title) && text.contains(CLUSTER_NAME),
        )
        .await
        .with_context(|| format!("the snapshot of {title:?} is not listed"))?;
    }
    Ok(())
}

/// Opens the snapshot titled `title` from the Snapshots page.
async fn open_snapshot(client: &Client, title: &str) -> Result<()> {
    click(client, "[data-testid=nav-snapshots]", UI_DEADLINE).await?;
    click_xpath(
        client,
        &format!("//a[@data-testid='snapshot-open'][normalize-space(.)='{title}']"),
    )
    .await
    .with_context(|| format!("no snapshot of {title:?} to open"))
}

/// With the cluster gone: opens the report snapshot from the Snapshots page
/// and checks it ([`check_report_snapshot`]), that Refresh reports the
/// cluster unreachable, and exports it (the path of the written file is
/// returned); then opens the dashboard snapshot: its label, KPI value and
/// series chart.
pub async fn open_snapshot_offline(
    client: &Client,
    report: &SeededReport,
    screens: &Screens,
) -> Result<PathBuf> {
    open_snapshot(client, REPORT_NAME).await?;
    let label = check_report_snapshot(client, report).await?;
    screens.capture(client, "snapshot").await?;

    click(client, "[data-testid=snapshot-refresh]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        "[data-testid=snapshot-refresh-error]",
        "saying the cluster is not reachable",
        UI_DEADLINE,
        |text| text.contains(CLUSTER_NAME) && text.contains("not reachable"),
    )
    .await
    .context("Refresh without the cluster did not say it is unreachable")?;
    wait_for_text(
        client,
        "[data-testid=snapshot-label]",
        "still with the old as-of time",
        UI_DEADLINE,
        |text| text.contains(&label),
    )
    .await?;

    click(client, "[data-testid=snapshot-export]", UI_DEADLINE).await?;
    let toast = wait_for_text(
        client,
        ".toast-success",
        "naming the exported file",
        UI_DEADLINE,
        |text| text.contains("Exported to ") && text.contains(".flowdesk-report"),
    )
    .await
    .context("exporting the snapshot reported no file")?;
    let text = toast.text().await?;
    let start = text.find("Exported to ").map(|i| i + "Exported to ".len());
    let path = start
        .and_then(|start| {
            text[start..]
                .find(".flowdesk-report")
                .map(|end| &text[start..start + end + ".flowdesk-report".len()])
        })
        .with_context(|| format!("no file path in the export message {text:?}"))?;
    let exported = PathBuf::from(path);
    ensure!(exported.is_file(), "{} was not written", exported.display());

    open_snapshot(client, DASHBOARD_NAME).await?;
    wait_for_text(
        client,
        "[data-testid=snapshot-label]",
        &format!("saying it is a snapshot of {CLUSTER_NAME}"),
        UI_DEADLINE,
        |text| text.contains(&format!("Snapshot of {CLUSTER_NAME} as of ")),
    )
    .await
    .context("the dashboard snapshot's as-of label is missing")?;
    wait_for_text(
        client,
        "[data-testid=snapshot-tile][data-tile=started] [data-testid=snapshot-tile-value]",
        &format!("counting {STARTED} started instances"),
        UI_DEADLINE,
        |text| text.trim() == STARTED.to_string(),
    )
    .await
    .context("the dashboard snapshot's KPI tile is wrong")?;
    wait_for(
        client,
        "[data-testid=snapshot-tile][data-tile=throughput] img[data-testid=snapshot-tile-chart]",
        UI_DEADLINE,
    )
    .await
    .context("the dashboard snapshot's series tile has no chart")?;
    Ok(exported)
}

/// Checks the open report snapshot: the label (cluster and the run's as-of
/// time, formatted by the page's own clock functions in UTC), the table
/// against the run's rows, and the chart. Returns the label.
pub async fn check_report_snapshot(client: &Client, report: &SeededReport) -> Result<String> {
    let as_of = client
        .execute(
            "return new Date(arguments[0]).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';",
            vec![json!(report.as_of)],
        )
        .await?;
    let as_of = as_of.as_str().context("no formatted time")?.to_owned();
    let label = format!("Snapshot of {CLUSTER_NAME} as of {as_of}");
    check_report_rows(client, &label, report).await?;
    Ok(label)
}

async fn check_report_rows(client: &Client, label: &str, report: &SeededReport) -> Result<()> {
    wait_for_text(
        client,
        "[data-testid=snapshot-label]",
        &format!("saying {label:?}"),
        UI_DEADLINE,
        |text| text.contains(label),
    )
    .await
    .context("the snapshot's as-of label is missing or wrong")?;

    let rows = client
        .find_all(Locator::Css("[data-testid=snapshot-table] tbody tr"))
        .await?;
    ensure!(
        rows.len() == report.rows.len(),
        "the snapshot shows {} rows, the run has {}",
        rows.len(),
        report.rows.len()
    );
    for (row, expected) in rows.iter().zip(&report.rows) {
        let cells = row.find_all(Locator::Css("td")).await?;
        let mut texts = Vec::new();
        for cell in &cells {
            texts.push(cell.text().await?);
        }
        // Columns start (a day, ms since the epoch), started, active.
        let mut wanted = Vec::new();
        for (index, value) in expected.iter().enumerate() {
            wanted.push(match value {
                Value::Number(ms) if index == 0 => client
                    .execute(
                        "return new Date(arguments[0]).toISOString().slice(0, 10);",
                        vec![json!(ms)],
                    )
                    .await?
                    .as_str()
                    .context("no formatted day")?
                    .to_owned(),
                Value::String(text) => text.clone(),
                Value::Null => "—".to_owned(),
                other => other.to_string(),
            });
        }
        if texts != wanted {
            bail!("a snapshot row shows {texts:?}, the run has {wanted:?}");
        }
    }
    wait_for(client, "img[data-testid=snapshot-chart]", UI_DEADLINE)
        .await
        .context("the snapshot shows no chart")?;
    Ok(())
}

/// On another desktop (a fresh data folder, signed in): a file that is not
/// a snapshot this version reads (`bad`) is refused with the file and the
/// problem named; the `exported` file is imported and opens as the
/// original did.
pub async fn import_on_another_desktop(
    client: &Client,
    exported: &Path,
    bad: &Path,
    report: &SeededReport,
) -> Result<()> {
    let input = "input[data-testid=snapshot-import]";
    click(client, "[data-testid=nav-snapshots]", UI_DEADLINE).await?;
    upload_file(client, input, bad).await?;
    let bad_name = bad
        .file_name()
        .and_then(|name| name.to_str())
        .context("the bad file has no name")?;
    wait_for_text(
        client,
        "[data-testid=snapshot-import-error]",
        "naming the file and its version",
        UI_DEADLINE,
        |text| text.contains(bad_name) && text.contains("`version` is 2"),
    )
    .await
    .context("importing a newer version was not refused with the problem named")?;
    upload_file(client, input, exported).await?;
    check_report_snapshot(client, report)
        .await
        .context("the imported snapshot does not open as the original")?;
    Ok(())
}

/// With the cluster up: Refresh on the report snapshot runs the report
/// anew on the cluster (its runs go from one to two) and says so. Returns
/// what the snapshot holds now: the new run's as-of time and rows.
pub async fn refresh_online(
    client: &Client,
    base_url: &str,
    token: &str,
    seeded: &SeededReport,
) -> Result<SeededReport> {
    open_snapshot(client, REPORT_NAME).await?;
    check_report_snapshot(client, seeded).await?;
    click(client, "[data-testid=snapshot-refresh]", UI_DEADLINE).await?;
    wait_for_text(
        client,
        ".toast-success",
        "saying the snapshot was refreshed",
        UI_DEADLINE,
        |text| text.contains(&format!("Refreshed from {CLUSTER_NAME}")),
    )
    .await
    .context("Refresh with the cluster up reported no success")?;
    let runs = api(
        &reqwest::Client::new(),
        base_url,
        token,
        reqwest::Method::GET,
        &format!("/api/reports/{}/runs", seeded.id),
        None,
    )
    .await?;
    let count = runs.as_array().map_or(0, Vec::len);
    ensure!(
        count == 2,
        "after Refresh the report has {count} runs, not 2: {runs}"
    );
    let newest = &runs[0];
    let refreshed = SeededReport {
        as_of: newest["as_of"]
            .as_i64()
            .context("the new run has no as_of")?,
        rows: serde_json::from_value(newest["result"]["rows"].clone())
            .context("the new run's result has no rows")?,
        ..seeded.clone()
    };
    check_report_snapshot(client, &refreshed)
        .await
        .context("the refreshed snapshot does not show the new run")?;
    Ok(refreshed)
}
