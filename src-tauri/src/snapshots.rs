//! Offline snapshots of a cluster's reports and dashboards.
//!
//! Connected to a cluster, the desktop fetches a report (its definition, a
//! run and the run's chart as SVG) or a dashboard (its definition, each
//! tile's data and chart SVG) with the profile's token, and keeps it in the
//! local database (`flowdesk_store::snapshots`) as one JSON document. The
//! document carries the cluster's name and URL and the read model's as-of
//! time, so it opens with no network and says where and when its numbers
//! come from. The same document, written to a file, is the self-contained
//! `.flowdesk-report` export another desktop imports (docs/REPORTS.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use flowdesk_client::Client;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tauri::{AppHandle, Manager};

use crate::bridge::Bridge;
use crate::connections;

/// The `format` member of every snapshot document.
pub const FORMAT: &str = "flowdesk-report";
/// The newest document version this build reads and the one it writes.
pub const VERSION: u64 = 1;
/// The file name extension of an exported snapshot.
pub const EXTENSION: &str = "flowdesk-report";
/// Largest file [`parse`] accepts.
const MAX_DOCUMENT: usize = 64 * 1024 * 1024;
/// How long one request to the cluster may take before it counts as unreachable.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// What a snapshot is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A saved report and one of its runs.
    Report,
    /// A dashboard and the data of each tile.
    Dashboard,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Report => "report",
            Kind::Dashboard => "dashboard",
        }
    }
}

/// One tile of a dashboard snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    /// The tile's id in the dashboard definition.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What `GET /api/dashboards/{id}/tiles/{tile}` answered (null when
    /// it refused, see `problem`).
    pub data: Value,
    /// Why the cluster gave no data for the tile (e.g. a heatmap without a
    /// process), as the live dashboard would show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Its chart as SVG markup, when the cluster draws one for it.
    #[serde(default)]
    pub svg: Option<String>,
}

/// A snapshot: what the local database keeps and an export file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Always [`FORMAT`].
    pub format: String,
    /// The document version, 1 to [`VERSION`].
    pub version: u64,
    /// UUID v7 of the snapshot (kept by export and import).
    pub id: String,
    /// Report or dashboard.
    pub kind: Kind,
    /// The report's or dashboard's id on its cluster.
    pub source_id: String,
    /// Its name.
    pub title: String,
    /// The connection profile it was saved from.
    pub cluster_name: String,
    /// That cluster's base URL.
    pub cluster_url: String,
    /// When the cluster's read model produced the numbers (ms since the epoch).
    pub as_of: i64,
    /// When it was saved or last refreshed (ms since the epoch).
    pub saved_at: i64,
    /// The report or dashboard as the cluster answered it.
    pub definition: Value,
    /// Report: the run (parameters, as-of time, result table). Dashboard: null.
    #[serde(default)]
    pub data: Value,
    /// Report: the run's chart as SVG, when the report has a chart.
    #[serde(default)]
    pub svg: Option<String>,
    /// Dashboard: its tiles in order. Report: empty.
    #[serde(default)]
    pub tiles: Vec<Tile>,
}

/// Why a snapshot file cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    /// Larger than any snapshot this app writes.
    #[error("the file is {size} bytes, more than the {max} a snapshot may have")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Not JSON at all, or JSON of the wrong shape.
    #[error("not a valid snapshot document: {0}")]
    Syntax(String),
    /// JSON, but not a Flowdesk report snapshot.
    #[error("not a Flowdesk report snapshot: `format` is {found}, expected \"{FORMAT}\"")]
    WrongFormat {
        /// The `format` member as found (or `missing`).
        found: String,
    },
    /// A version this build does not know.
    #[error("`version` is {found}; this Flowdesk reads versions 1 to {VERSION}{hint}")]
    UnsupportedVersion {
        /// The `version` member as found.
        found: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// A member with a value that makes no sense.
    #[error("`{field}` {problem}")]
    Invalid {
        /// Path of the member, e.g. `tiles[2].svg`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> FormatError {
    FormatError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Reads and checks a snapshot document (an export file or a stored one).
pub fn parse(bytes: &[u8]) -> Result<Document, FormatError> {
    if bytes.len() > MAX_DOCUMENT {
        return Err(FormatError::TooLarge {
            size: bytes.len(),
            max: MAX_DOCUMENT,
        });
    }
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| FormatError::Syntax(e.to_string()))?;
    let Some(object) = value.as_object() else {
        return Err(FormatError::Syntax(format!(
            "the document is a JSON {}, not an object",
            json_type(&value)
        )));
    };
    match object.get("format") {
        Some(Value::String(format)) if format == FORMAT => {}
        Some(other) => {
            return Err(FormatError::WrongFormat {
                found: other.to_string(),
            })
        }
        None => {
            return Err(FormatError::WrongFormat {
                found: "missing".to_owned(),
            })
        }
    }
    match object.get("version") {
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| (1..=VERSION).contains(&v)) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v > VERSION) => {
            return Err(FormatError::UnsupportedVersion {
                found: n.to_string(),
                hint: " (it was written by a newer Flowdesk; update this one to open it)",
            })
        }
        Some(other) => {
            return Err(FormatError::UnsupportedVersion {
                found: other.to_string(),
                hint: "",
            })
        }
        None => {
            return Err(FormatError::UnsupportedVersion {
                found: "missing".to_owned(),
                hint: "",
            })
        }
    }
    let document: Document =
        serde_json::from_slice(bytes).map_err(|e| FormatError::Syntax(e.to_string()))?;
    validate(&document)?;
    Ok(document)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn validate(document: &Document) -> Result<(), FormatError> {
    for (field, text) in [
        ("id", &document.id),
        ("source_id", &document.source_id),
        ("title", &document.title),
        ("cluster_name", &document.cluster_name),
    ] {
        if text.trim().is_empty() {
            return Err(invalid(field, "is empty"));
        }
    }
    if !(document.cluster_url.starts_with("http://")
        || document.cluster_url.starts_with("https://"))
    {
        return Err(invalid(
            "cluster_url",
            format!(
                "is {:?}; it must start with http:// or https://",
                document.cluster_url
            ),
        ));
    }
    for (field, millis) in [("as_of", document.as_of), ("saved_at", document.saved_at)] {
        if millis < 0 {
            return Err(invalid(
                field,
                format!("is {millis}; it must be milliseconds since 1970"),
            ));
        }
    }
    if let Some(svg) = &document.svg {
        check_svg("svg", svg)?;
    }
    match document.kind {
        Kind::Report => {
            if !document.tiles.is_empty() {
                return Err(invalid("tiles", "must be empty in a report snapshot"));
            }
            check_table(&document.data)
        }
        Kind::Dashboard => {
            let mut seen = std::collections::BTreeSet::new();
            for (index, tile) in document.tiles.iter().enumerate() {
                if tile.id.trim().is_empty() {
                    return Err(invalid(format!("tiles[{index}].id"), "is empty"));
                }
                if !seen.insert(tile.id.as_str()) {
                    return Err(invalid(
                        format!("tiles[{index}].id"),
                        format!("{:?} names an earlier tile too", tile.id),
                    ));
                }
                if let Some(svg) = &tile.svg {
                    check_svg(&format!("tiles[{index}].svg"), svg)?;
                }
            }
            Ok(())
        }
    }
}

/// The chart is shown as an image, never inlined into the page, but it
/// must at least be SVG markup.
fn check_svg(field: &str, svg: &str) -> Result<(), FormatError> {
    let start = svg.trim_start();
    if start.starts_with("<svg") || start.starts_with("<?xml") {
        Ok(())
    } else {
        Err(invalid(
            field,
            "is not SVG markup (it must start with <svg or <?xml)",
        ))
    }
}

/// A report run's result: `data.result` with `columns` and rows of as many values.
fn check_table(data: &Value) -> Result<(), FormatError> {
    let result = data
        .get("result")
        .ok_or_else(|| invalid("data.result", "is missing; a report snapshot holds a run"))?;
    let columns = result
        .get("columns")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("data.result.columns", "must be a list of column names"))?;
    if let Some(index) = columns.iter().position(|c| !c.is_string()) {
        return Err(invalid(
            format!("data.result.columns[{index}]"),
            "must be a column name (text)",
        ));
    }
    let rows = result
        .get("rows")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("data.result.rows", "must be a list of rows"))?;
    for (index, row) in rows.iter().enumerate() {
        let values = row.as_array().ok_or_else(|| {
            invalid(
                format!("data.result.rows[{index}]"),
                "must be a list of values",
            )
        })?;
        if values.len() != columns.len() {
            return Err(invalid(
                format!("data.result.rows[{index}]"),
                format!("has {} values for {} columns", values.len(), columns.len()),
            ));
        }
    }
    Ok(())
}

/// What the Snapshots page lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    id: String,
    kind: String,
    source_id: String,
    title: String,
    cluster_name: String,
    cluster_url: String,
    as_of: i64,
    saved_at: i64,
}

impl From<flowdesk_store::snapshots::SnapshotSummary> for Summary {
    fn from(s: flowdesk_store::snapshots::SnapshotSummary) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            source_id: s.source_id,
            title: s.title,
            cluster_name: s.cluster_name,
            cluster_url: s.cluster_url,
            as_of: s.as_of,
            saved_at: s.saved_at,
        }
    }
}

fn stored(document: &Document) -> Result<flowdesk_store::snapshots::Snapshot, String> {
    Ok(flowdesk_store::snapshots::Snapshot {
        summary: flowdesk_store::snapshots::SnapshotSummary {
            id: document.id.clone(),
            kind: document.kind.as_str().to_owned(),
            source_id: document.source_id.clone(),
            title: document.title.clone(),
            cluster_name: document.cluster_name.clone(),
            cluster_url: document.cluster_url.clone(),
            as_of: document.as_of,
            saved_at: document.saved_at,
        },
        document: serde_json::to_string(document).map_err(|e| e.to_string())?,
    })
}

// ------------------------------------------------------------------ fetching

/// Why the cluster did not give the data.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    /// No answer (stopped, no network, timed out).
    #[error("the cluster is not reachable: {0}")]
    Unreachable(String),
    /// An answer other than 2xx.
    #[error("GET {path} answered {status}: {detail}")]
    Refused {
        path: String,
        status: StatusCode,
        detail: String,
    },
    /// A 2xx answer that is not what the API documents.
    #[error("unexpected answer to {path}: {detail}")]
    Unexpected { path: String, detail: String },
}

/// How to get a report's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// The newest kept run; a new run when there is none.
    Latest,
    /// A new run with the parameters given (the newest kept run where the
    /// user may not run reports).
    Fresh,
}

async fn send(
    client: &Client,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Vec<u8>, FetchError> {
    let mut headers = HeaderMap::new();
    let bytes = match body {
        Some(body) => {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            body.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    let answer = tokio::time::timeout(
        REQUEST_TIMEOUT,
        client.forward(method, path, &headers, bytes),
    )
    .await
    .map_err(|_| {
        FetchError::Unreachable(format!(
            "no answer to {path} within {} s",
            REQUEST_TIMEOUT.as_secs()
        ))
    })?
    .map_err(|e| FetchError::Unreachable(e.to_string()))?;
    if answer.status.is_success() {
        return Ok(answer.body);
    }
    let detail = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|problem| {
            problem
                .get("detail")
                .or_else(|| problem.get("title"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| String::from_utf8_lossy(&answer.body).into_owned());
    Err(FetchError::Refused {
        path: path.to_owned(),
        status: answer.status,
        detail,
    })
}

async fn get_json(client: &Client, path: &str) -> Result<Value, FetchError> {
    let body = send(client, Method::GET, path, None).await?;
    serde_json::from_slice(&body).map_err(|e| FetchError::Unexpected {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

async fn get_svg(client: &Client, path: &str) -> Result<Option<String>, FetchError> {
    match send(client, Method::GET, path, None).await {
        Ok(body) => {
            let svg = String::from_utf8(body).map_err(|e| FetchError::Unexpected {
                path: path.to_owned(),
                detail: e.to_string(),
            })?;
            check_svg("svg", &svg).map_err(|e| FetchError::Unexpected {
                path: path.to_owned(),
                detail: e.to_string(),
            })?;
            Ok(Some(svg))
        }
        // A tile or report without a chart (a KPI, a table) has no drawing.
        Err(FetchError::Refused {
            status: StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND,
            ..
        }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// `id` as one URL path segment: unreserved characters as they are, every
/// other byte percent-encoded.
fn segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn text_of<'a>(value: &'a Value, field: &str, path: &str) -> Result<&'a str, FetchError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| FetchError::Unexpected {
            path: path.to_owned(),
            detail: format!("no `{field}` text"),
        })
}

/// The parts of a document that come from the cluster.
struct Fetched {
    source_id: String,
    title: String,
    as_of: i64,
    definition: Value,
    data: Value,
    svg: Option<String>,
    tiles: Vec<Tile>,
}

async fn fetch_report(
    client: &Client,
    id: &str,
    run: Run,
    parameters: &Value,
) -> Result<Fetched, FetchError> {
    let base = format!("/api/reports/{}", segment(id));
    let report = get_json(client, &base).await?;
    let report_id = text_of(&report, "id", &base)?.to_owned();
    let base = format!("/api/reports/{}", segment(&report_id));
    let latest = || async {
        let runs_path = format!("{base}/runs");
        let runs = get_json(client, &runs_path).await?;
        Ok::<_, FetchError>(runs.as_array().and_then(|runs| runs.first()).cloned())
    };
    let new_run = || async {
        let body = json!({ "parameters": parameters });
        let path = format!("{base}/run");
        let answer = send(client, Method::POST, &path, Some(&body)).await?;
        serde_json::from_slice::<Value>(&answer).map_err(|e| FetchError::Unexpected {
            path,
            detail: e.to_string(),
        })
    };
    let run = match run {
        Run::Latest => match latest().await? {
            Some(run) => run,
            None => new_run().await?,
        },
        Run::Fresh => match new_run().await {
            Ok(run) => run,
            Err(FetchError::Refused {
                status: StatusCode::FORBIDDEN,
                ..
            }) => latest().await?.ok_or_else(|| FetchError::Unexpected {
                path: format!("{base}/runs"),
                detail: "the report has no run and this user may not run it".to_owned(),
            })?,
            Err(other) => return Err(other),
        },
    };
    let run_id = text_of(&run, "id", &base)?;
    let as_of = run
        .get("as_of")
        .and_then(Value::as_i64)
        .ok_or_else(|| FetchError::Unexpected {
            path: format!("{base}/runs"),
            detail: "the run has no `as_of` time".to_owned(),
        })?;
    let has_chart = report
        .pointer("/definition/chart")
        .is_some_and(|chart| !chart.is_null());
    let svg = if has_chart {
        get_svg(
            client,
            &format!("{base}/runs/{}/download?format=svg", segment(run_id)),
        )
        .await?
    } else {
        None
    };
    Ok(Fetched {
        source_id: report_id,
        title: text_of(&report, "name", &base)?.to_owned(),
        as_of,
        definition: report,
        data: run,
        svg,
        tiles: Vec::new(),
    })
}

async fn fetch_dashboard(client: &Client, id: &str) -> Result<Fetched, FetchError> {
    let base = format!("/api/dashboards/{}", segment(id));
    let dashboard = get_json(client, &base).await?;
    let dashboard_id = text_of(&dashboard, "id", &base)?.to_owned();
    let base = format!("/api/dashboards/{}", segment(&dashboard_id));
    let status = get_json(client, "/api/insights/status").await?;
    let as_of =
        status
            .get("as_of")
            .and_then(Value::as_i64)
            .ok_or_else(|| FetchError::Unexpected {
                path: "/api/insights/status".to_owned(),
                detail: "no `as_of` time".to_owned(),
            })?;
    let listed = dashboard
        .pointer("/definition/tiles")
        .and_then(Value::as_array)
        .ok_or_else(|| FetchError::Unexpected {
            path: base.clone(),
            detail: "no `definition.tiles` list".to_owned(),
        })?;
    let mut tiles = Vec::with_capacity(listed.len());
    for tile in listed {
        let tile_id = text_of(tile, "id", &base)?;
        let path = format!("{base}/tiles/{}", segment(tile_id));
        let (data, problem, svg) = match get_json(client, &path).await {
            Ok(data) => (
                data,
                None,
                get_svg(client, &format!("{path}/chart?format=svg")).await?,
            ),
            // The tile cannot be drawn with these filters; the rest can.
            Err(FetchError::Refused {
                status: StatusCode::BAD_REQUEST,
                detail,
                ..
            }) => (Value::Null, Some(detail), None),
            Err(other) => return Err(other),
        };
        tiles.push(Tile {
            id: tile_id.to_owned(),
            title: tile
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(tile_id)
                .to_owned(),
            data,
            problem,
            svg,
        });
    }
    Ok(Fetched {
        source_id: dashboard_id,
        title: text_of(&dashboard, "name", &base)?.to_owned(),
        as_of,
        definition: dashboard,
        data: Value::Null,
        svg: None,
        tiles,
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn fetch(
    client: &Client,
    kind: Kind,
    source_id: &str,
    run: Run,
    parameters: &Value,
) -> Result<Fetched, FetchError> {
    match kind {
        Kind::Report => fetch_report(client, source_id, run, parameters).await,
        Kind::Dashboard => fetch_dashboard(client, source_id).await,
    }
}

// ------------------------------------------------------------------ commands

fn bridge(app: &AppHandle) -> Result<Arc<Bridge>, String> {
    let bridge = app.state::<Arc<Bridge>>().inner().clone();
    if !bridge.signed_in() {
        return Err("sign in first: snapshots are part of this computer's workspace".to_owned());
    }
    Ok(bridge)
}

async fn load(bridge: &Bridge, id: &str) -> Result<Document, String> {
    let stored = flowdesk_store::snapshots::get(bridge.store().pool(), id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no snapshot {id}"))?;
    parse(stored.document.as_bytes())
        .map_err(|e| format!("the stored snapshot {id} is damaged: {e}"))
}

async fn keep(bridge: &Bridge, document: &Document) -> Result<(), String> {
    flowdesk_store::snapshots::upsert(bridge.store().pool(), &stored(document)?)
        .await
        .map_err(|e| e.to_string())
}

/// Saves a snapshot of report or dashboard `source_id` of the connected
/// cluster: for a report its newest run (a new run when it has none).
#[tauri::command]
pub async fn snapshot_save(
    app: AppHandle,
    kind: Kind,
    source_id: String,
) -> Result<Document, String> {
    let bridge = bridge(&app)?;
    let (profile, client) = bridge.remote().ok_or_else(|| {
        "connect to a cluster first: snapshots keep a cluster's reports and dashboards".to_owned()
    })?;
    let fetched = fetch(&client, kind, &source_id, Run::Latest, &json!({}))
        .await
        .map_err(|e| format!("{profile}: {e}"))?;
    let document = Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        id: flowdesk_store::new_id(),
        kind,
        source_id: fetched.source_id,
        title: fetched.title,
        cluster_name: profile,
        cluster_url: client.base_url().to_owned(),
        as_of: fetched.as_of,
        saved_at: now_ms(),
        definition: fetched.definition,
        data: fetched.data,
        svg: fetched.svg,
        tiles: fetched.tiles,
    };
    keep(&bridge, &document).await?;
    tracing::info!(snapshot = %document.id, kind = kind.as_str(), source = %document.source_id, "snapshot saved");
    Ok(document)
}

/// Every snapshot on this computer, newest first.
#[tauri::command]
pub async fn snapshots_list(app: AppHandle) -> Result<Vec<Summary>, String> {
    let bridge = bridge(&app)?;
    let list = flowdesk_store::snapshots::list(bridge.store().pool())
        .await
        .map_err(|e| e.to_string())?;
    Ok(list.into_iter().map(Summary::from).collect())
}

/// One snapshot, from the local database only (no network).
#[tauri::command]
pub async fn snapshot_open(app: AppHandle, id: String) -> Result<Document, String> {
    let bridge = bridge(&app)?;
    load(&bridge, &id).await
}

/// Fetches the snapshot's report or dashboard again from its cluster (with
/// that profile's token, whichever connection is active) and replaces it.
/// A report is run anew with the same parameters. When the cluster cannot
/// be reached the snapshot stays as it was and the error says so.
#[tauri::command]
pub async fn snapshot_refresh(app: AppHandle, id: String) -> Result<Document, String> {
    let bridge = bridge(&app)?;
    let document = load(&bridge, &id).await?;
    let client = connections::client_for(&app, &document.cluster_name)?;
    let parameters = document
        .data
        .get("parameters")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let fetched = fetch(
        &client,
        document.kind,
        &document.source_id,
        Run::Fresh,
        &parameters,
    )
    .await
    .map_err(|e| match e {
        FetchError::Unreachable(detail) => format!(
            "{} ({}) is not reachable, so the snapshot was not refreshed: {detail}",
            document.cluster_name, document.cluster_url
        ),
        other => format!("{}: {other}", document.cluster_name),
    })?;
    let refreshed = Document {
        source_id: fetched.source_id,
        title: fetched.title,
        cluster_url: client.base_url().to_owned(),
        as_of: fetched.as_of,
        saved_at: now_ms(),
        definition: fetched.definition,
        data: fetched.data,
        svg: fetched.svg,
        tiles: fetched.tiles,
        ..document
    };
    keep(&bridge, &refreshed).await?;
    Ok(refreshed)
}

/// Deletes a snapshot from this computer.
#[tauri::command]
pub async fn snapshot_delete(app: AppHandle, id: String) -> Result<(), String> {
    let bridge = bridge(&app)?;
    let deleted = flowdesk_store::snapshots::delete(bridge.store().pool(), &id)
        .await
        .map_err(|e| e.to_string())?;
    if deleted {
        Ok(())
    } else {
        Err(format!("there is no snapshot {id}"))
    }
}

/// A file name for `title`: letters, digits and dashes.
fn file_name(title: &str, as_of: i64) -> String {
    let slug: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug = if slug.is_empty() {
        "snapshot".to_owned()
    } else {
        slug
    };
    format!("{slug}-{as_of}.{EXTENSION}")
}

/// Writes the snapshot as one self-contained `.flowdesk-report` file into
/// `folder` (default: the user's Downloads folder); returns the file's path.
#[tauri::command]
pub async fn snapshot_export(
    app: AppHandle,
    id: String,
    folder: Option<String>,
) -> Result<String, String> {
    let bridge = bridge(&app)?;
    let document = load(&bridge, &id).await?;
    let folder = match folder {
        Some(folder) => PathBuf::from(folder),
        None => app
            .path()
            .download_dir()
            .map_err(|e| format!("no Downloads folder to export to: {e}"))?,
    };
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let path = folder.join(file_name(&document.title, document.as_of));
    let text = serde_json::to_vec_pretty(&document).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// Reads an exported `.flowdesk-report` file's text into this computer's
/// snapshots (replacing the one with the same id).
#[tauri::command]
pub async fn snapshot_import(app: AppHandle, contents: String) -> Result<Document, String> {
    let bridge = bridge(&app)?;
    let document = parse(contents.as_bytes()).map_err(|e| e.to_string())?;
    keep(&bridge, &document).await?;
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Value {
        json!({
            "format": "flowdesk-report",
            "version": 1,
            "id": "0193a4c2-0000-7000-8000-000000000001",
            "kind": "report",
            "source_id": "0193a4c2-0000-7000-8000-0000000000aa",
            "title": "Weekly throughput",
            "cluster_name": "Production",
            "cluster_url": "https://flowdesk.example.com",
            "as_of": 1_764_000_000_000_i64,
            "saved_at": 1_764_000_060_000_i64,
            "definition": { "id": "0193a4c2-0000-7000-8000-0000000000aa", "name": "Weekly throughput" },
            "data": {
                "id": "run-1",
                "parameters": { "process_id": "order-approval" },
                "as_of": 1_764_000_000_000_i64,
                "result": { "columns": ["day", "completed"], "rows": [["2026-11-27", 12], ["2026-11-28", 7]] }
            },
            "svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
            "tiles": []
        })
    }

    fn dashboard() -> Value {
        json!({
            "format": "flowdesk-report",
            "version": 1,
            "id": "snap-2",
            "kind": "dashboard",
            "source_id": "dash-1",
            "title": "Operations",
            "cluster_name": "Staging",
            "cluster_url": "http://10.0.0.5:8080",
            "as_of": 5,
            "saved_at": 6,
            "definition": { "id": "dash-1", "name": "Operations", "definition": { "tiles": [] } },
            "data": null,
            "tiles": [
                { "id": "started", "title": "Started", "data": { "value": 40 }, "svg": null },
                { "id": "series", "title": "Throughput", "data": { "points": [] }, "svg": "<?xml version=\"1.0\"?><svg/>" },
                { "id": "heat", "title": "Heatmap", "data": null, "problem": "a heatmap needs a process" }
            ]
        })
    }

    fn error_of(value: &Value) -> String {
        parse(value.to_string().as_bytes())
            .expect_err("the document is refused")
            .to_string()
    }

    #[test]
    fn reads_back_what_it_writes() {
        for value in [report(), dashboard()] {
            let document = parse(value.to_string().as_bytes()).expect("a valid document");
            let written = serde_json::to_vec_pretty(&document).expect("serialises");
            assert_eq!(parse(&written).expect("reads back"), document);
        }
        let document = parse(report().to_string().as_bytes()).expect("valid");
        assert_eq!(document.kind, Kind::Report);
        assert_eq!(document.cluster_name, "Production");
        assert_eq!(document.as_of, 1_764_000_000_000);
        let document = parse(dashboard().to_string().as_bytes()).expect("valid");
        assert_eq!(document.tiles.len(), 3);
        assert_eq!(document.tiles[0].svg, None);
        assert_eq!(
            document.tiles[2].problem.as_deref(),
            Some("a heatmap needs a process")
        );
    }

    #[test]
    fn refuses_what_is_not_json_with_its_position() {
        let error = parse(b"{\"format\": \"flowdesk-report\",\n  \"version\": 1,,}").unwrap_err();
        assert!(matches!(error, FormatError::Syntax(_)), "{error:?}");
        assert!(error.to_string().contains("line 2 column"), "{error}");

        let error = parse(b"").unwrap_err().to_string();
        assert!(error.contains("EOF"), "{error}");

        let error = parse(b"[1, 2]").unwrap_err().to_string();
        assert_eq!(
            error,
            "not a valid snapshot document: the document is a JSON array, not an object"
        );
    }

    #[test]
    fn refuses_other_formats_and_versions() {
        let mut value = report();
        value["format"] = json!("bpmn");
        assert_eq!(
            error_of(&value),
            "not a Flowdesk report snapshot: `format` is \"bpmn\", expected \"flowdesk-report\""
        );
        value.as_object_mut().expect("object").remove("format");
        assert!(error_of(&value).contains("`format` is missing"));

        let mut value = report();
        value["version"] = json!(2);
        let error = error_of(&value);
        assert!(
            error.starts_with("`version` is 2; this Flowdesk reads versions 1 to 1"),
            "{error}"
        );
        assert!(error.contains("newer Flowdesk"), "{error}");
        for bad in [json!(0), json!("1"), json!(1.5), json!(-1)] {
            value["version"] = bad.clone();
            let error = error_of(&value);
            assert_eq!(
                error,
                format!("`version` is {bad}; this Flowdesk reads versions 1 to 1")
            );
        }
        value.as_object_mut().expect("object").remove("version");
        assert!(error_of(&value).starts_with("`version` is missing"));
    }

    #[test]
    fn names_missing_unknown_and_mistyped_members() {
        let mut value = report();
        value.as_object_mut().expect("object").remove("title");
        assert!(error_of(&value).contains("missing field `title`"));

        let mut value = report();
        value["colour"] = json!("red");
        assert!(error_of(&value).contains("unknown field `colour`"));

        let mut value = report();
        value["as_of"] = json!("yesterday");
        let error = error_of(&value);
        assert!(
            error.contains("invalid type: string \"yesterday\""),
            "{error}"
        );
        assert!(error.contains("line 1 column"), "{error}");

        let mut value = report();
        value["kind"] = json!("spreadsheet");
        assert!(error_of(&value).contains("unknown variant `spreadsheet`"));
    }

    #[test]
    fn names_the_member_whose_value_makes_no_sense() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("/title", json!("  "), "`title` is empty"),
            ("/cluster_name", json!(""), "`cluster_name` is empty"),
            (
                "/cluster_url",
                json!("ftp://x"),
                "`cluster_url` is \"ftp://x\"; it must start with http:// or https://",
            ),
            (
                "/as_of",
                json!(-5),
                "`as_of` is -5; it must be milliseconds since 1970",
            ),
            (
                "/svg",
                json!("<script>alert(1)</script>"),
                "`svg` is not SVG markup (it must start with <svg or <?xml)",
            ),
            (
                "/data/result/rows/1",
                json!(["2026-11-28"]),
                "`data.result.rows[1]` has 1 values for 2 columns",
            ),
            (
                "/data/result/rows/0",
                json!("2026-11-27,12"),
                "`data.result.rows[0]` must be a list of values",
            ),
            (
                "/data/result/columns",
                json!("day"),
                "`data.result.columns` must be a list of column names",
            ),
            (
                "/data",
                json!(null),
                "`data.result` is missing; a report snapshot holds a run",
            ),
            (
                "/tiles",
                json!([{ "id": "a", "title": "A", "data": {} }]),
                "`tiles` must be empty in a report snapshot",
            ),
        ];
        for (pointer, bad, expected) in cases {
            let mut value = report();
            *value.pointer_mut(pointer).expect(pointer) = bad;
            assert_eq!(error_of(&value), expected, "{pointer}");
        }

        let mut value = dashboard();
        value["tiles"][1]["id"] = json!("started");
        assert_eq!(
            error_of(&value),
            "`tiles[1].id` \"started\" names an earlier tile too"
        );
        let mut value = dashboard();
        value["tiles"][1]["svg"] = json!("PNG\u{1a}");
        assert_eq!(
            error_of(&value),
            "`tiles[1].svg` is not SVG markup (it must start with <svg or <?xml)"
        );
        let mut value = dashboard();
        value["tiles"][0]["id"] = json!("");
        assert_eq!(error_of(&value), "`tiles[0].id` is empty");
    }

    #[test]
    fn refuses_oversized_files_before_reading_them() {
        let big = vec![b' '; MAX_DOCUMENT + 1];
        assert_eq!(
            parse(&big),
            Err(FormatError::TooLarge {
                size: MAX_DOCUMENT + 1,
                max: MAX_DOCUMENT
            })
        );
    }

    #[test]
    fn export_file_names_and_path_segments_are_safe() {
        assert_eq!(
            file_name("Weekly throughput / EU", 1_764_000_000_000),
            "Weekly-throughput-EU-1764000000000.flowdesk-report"
        );
        assert_eq!(file_name("../..", 7), "snapshot-7.flowdesk-report");
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(segment("0193a4c2-7000_x.y~"), "0193a4c2-7000_x.y~");
    }
}
