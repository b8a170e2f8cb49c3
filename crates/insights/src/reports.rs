//! Saved reports: a definition (a read-model query or a read-only SQL
//! query over the analytics tables, its default parameters, the table
//! columns, an optional chart and an optional cron schedule), the roles
//! that may read it, runs kept with their parameters, as-of time and
//! result, and exports of a run.
//!
//! A run serialises to one JSON document — the report, its parameters, the
//! as-of time and the result table — which is what an offline snapshot
//! stores.

use std::collections::BTreeMap;

use flowdesk_store::{new_id, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::render::{Chart, ChartKind, Cover, Series, Table};
use crate::schedule::{set_next_run, Schedule};
use crate::{sql_source, DurationStats, Filter, Granularity, Insights, InsightsError};

/// Which read-model query a report runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The KPI summary: one row per figure.
    Kpis,
    /// The daily time series: one row per day.
    Daily,
    /// The hourly time series: one row per hour.
    Hourly,
    /// Per-element statistics: one row per element.
    Elements,
    /// A read-only SELECT over the analytics tables (`definition.sql`).
    Sql,
}

/// The chart drawn from a report's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChartSpec {
    /// Line or bar.
    pub kind: ChartKind,
    /// The column along the x axis.
    pub x: String,
    /// The columns drawn as series.
    pub y: Vec<String>,
}

/// What a report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDefinition {
    /// The query.
    pub source: Source,
    /// With source `sql`: one SELECT over `insights_*` tables; `$name` is a parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Default parameters, overridden per run: `process_id`, `version`,
    /// `from`, `to` for the read-model sources, the `$name`s of the query
    /// for `sql`.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// The table's columns, in order; empty = every column of the source.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The chart, if any.
    #[serde(default)]
    pub chart: Option<ChartSpec>,
    /// A cron expression (five fields, UTC): the report runs by itself then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

/// A saved report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// UUID v7.
    pub id: String,
    /// Unique name (what `flowdesk report run NAME` takes).
    pub name: String,
    /// Free text.
    pub description: String,
    /// What it shows.
    pub definition: ReportDefinition,
    /// The roles whose users may read it and its runs (besides holders of `report:manage`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Who created it.
    pub created_by: String,
    /// When (ms since the epoch).
    pub created_at: Millis,
    /// When it was last changed (ms since the epoch).
    #[serde(default)]
    pub updated_at: Millis,
}

/// One run of a report: self-contained (an offline snapshot is this document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRun {
    /// UUID v7.
    pub id: String,
    /// The report as it was run.
    pub report: Report,
    /// The parameters it ran with (defaults merged with the run's own).
    pub parameters: BTreeMap<String, String>,
    /// The read model's as-of time: the numbers include history up to then.
    pub as_of: Millis,
    /// Who ran it.
    pub ran_by: String,
    /// When (ms since the epoch).
    pub ran_at: Millis,
    /// The result.
    pub result: Table,
}

/// An export format of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The chart as SVG.
    Svg,
    /// The chart as PNG.
    Png,
    /// The table as CSV.
    Csv,
    /// The whole run as JSON (a snapshot).
    Json,
    /// The whole run as a PDF document: cover, chart, table.
    Pdf,
    /// The table as an XLSX workbook, with the run's details on a second sheet.
    Xlsx,
}

impl Format {
    /// The media type of the export.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension of the export.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = InsightsError;
    fn from_str(text: &str) -> Result<Format, InsightsError> {
        match text {
            "svg" => Ok(Format::Svg),
            "png" => Ok(Format::Png),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "pdf" => Ok(Format::Pdf),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(InsightsError::InvalidQuery(format!(
                "unknown format {other:?} (expected pdf, png, svg, csv, xlsx or json)"
            ))),
        }
    }
}

const PARAMETERS: [&str; 4] = ["process_id", "version", "from", "to"];

fn filter_of(parameters: &BTreeMap<String, String>) -> Result<Filter, InsightsError> {
    let number = |name: &str| -> Result<Option<i64>, InsightsError> {
        parameters
            .get(name)
            .map(|text| {
                text.parse::<i64>().map_err(|_| {
                    InsightsError::InvalidQuery(format!(
                        "parameter {name} must be a whole number, not {text:?}"
                    ))
                })
            })
            .transpose()
    };
    if let Some(unknown) = parameters
        .keys()
        .find(|k| !PARAMETERS.contains(&k.as_str()))
    {
        return Err(InsightsError::InvalidQuery(format!(
            "unknown parameter {unknown:?} (expected one of {})",
            PARAMETERS.join(", ")
        )));
    }
    Ok(Filter {
        process_id: parameters.get("process_id").cloned(),
        version: number("version")?,
        from: number("from")?,
        to: number("to")?,
    })
}

fn stats_cells(stats: &DurationStats) -> [Value; 4] {
    [
        json!(stats.mean_ms),
        json!(stats.p50_ms),
        json!(stats.p90_ms),
        json!(stats.p99_ms),
    ]
}

fn report_from_row(row: &AnyRow) -> Result<Report, InsightsError> {
    let definition: String = row.try_get("definition")?;
    let roles: String = row.try_get("roles")?;
    let id: String = row.try_get("id")?;
    Ok(Report {
        definition: serde_json::from_str(&definition)
            .map_err(|e| InsightsError::InvalidData(format!("report {id}: definition: {e}")))?,
        roles: serde_json::from_str(&roles)
            .map_err(|e| InsightsError::InvalidData(format!("report {id}: roles: {e}")))?,
        id,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Whether a user whose role is `role` may read a dashboard or report
/// shared with `roles`: when the list names their role, or when they hold
/// `report:manage` (`manages`).
pub fn readable_by(roles: &[String], role: &str, manages: bool) -> bool {
    manages || roles.iter().any(|r| r == role)
}

/// A new report or the new state of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The roles whose users may read it (role names).
    #[serde(default)]
    pub roles: Vec<String>,
    /// What it shows.
    pub definition: ReportDefinition,
}

impl Insights {
    /// The full table of a source for a filter.
    async fn source_table(&self, source: Source, filter: &Filter) -> Result<Table, InsightsError> {
        let duration_columns = |prefix: &str| {
            ["mean_ms", "p50_ms", "p90_ms", "p99_ms"].map(|s| format!("{prefix}_{s}"))
        };
        Ok(match source {
            Source::Kpis => {
                let kpis = self.kpis(filter).await?;
                let mut rows = vec![
                    vec![json!("started"), json!(kpis.started)],
                    vec![json!("completed"), json!(kpis.completed)],
                    vec![json!("cancelled"), json!(kpis.cancelled)],
                    vec![json!("active"), json!(kpis.active)],
                    vec![json!("incidents_opened"), json!(kpis.incidents_opened)],
                    vec![json!("incidents_resolved"), json!(kpis.incidents_resolved)],
                ];
                for (name, value) in duration_columns("duration")
                    .into_iter()
                    .zip(stats_cells(&kpis.duration))
                {
                    rows.push(vec![json!(name), value]);
                }
                Table {
                    columns: vec!["figure".into(), "value".into()],
                    rows,
                }
            }
            Source::Daily | Source::Hourly => {
                let granularity = if source == Source::Daily {
                    Granularity::Day
                } else {
                    Granularity::Hour
                };
                let points = self.time_series(filter, granularity).await?;
                let mut columns: Vec<String> = [
                    "start",
                    "started",
                    "completed",
                    "cancelled",
                    "active",
                    "incidents_opened",
                    "incidents_resolved",
                ]
                .map(String::from)
                .to_vec();
                columns.extend(duration_columns("duration"));
                let rows = points
                    .iter()
                    .map(|p| {
                        let mut row = vec![
                            json!(p.start),
                            json!(p.started),
                            json!(p.completed),
                            json!(p.cancelled),
                            json!(p.active),
                            json!(p.incidents_opened),
                            json!(p.incidents_resolved),
                        ];
                        row.extend(stats_cells(&p.duration));
                        row
                    })
                    .collect();
                Table { columns, rows }
            }
            Source::Elements => {
                let elements = self.element_stats(filter).await?;
                let mut columns: Vec<String> = [
                    "element_id",
                    "element_type",
                    "activated",
                    "completed",
                    "terminated",
                    "incidents_opened",
                    "incidents_resolved",
                ]
                .map(String::from)
                .to_vec();
                columns.extend(duration_columns("duration"));
                columns.extend(duration_columns("wait"));
                let rows = elements
                    .iter()
                    .map(|e| {
                        let mut row = vec![
                            json!(e.element_id),
                            json!(e.element_type),
                            json!(e.activated),
                            json!(e.completed),
                            json!(e.terminated),
                            json!(e.incidents_opened),
                            json!(e.incidents_resolved),
                        ];
                        row.extend(stats_cells(&e.duration));
                        row.extend(stats_cells(&e.wait));
                        row
                    })
                    .collect();
                Table { columns, rows }
            }
            Source::Sql => {
                return Err(InsightsError::InvalidQuery(
                    "a SQL report's table comes from its query".into(),
                ))
            }
        })
    }

    /// Checks a report about to be saved: a name, known roles, a valid
    /// schedule, and for the read-model sources columns and chart that name
    /// columns of the source and known parameters; for `sql` a query that
    /// passes [`sql_source::check`] and defaults only for its parameters.
    async fn check_report(&self, input: &ReportInput) -> Result<(), InsightsError> {
        if input.name.trim().is_empty() {
            return Err(InsightsError::InvalidQuery(
                "name: a report needs a name".into(),
            ));
        }
        self.check_roles(&input.roles).await?;
        let definition = &input.definition;
        if let Some(expression) = &definition.schedule {
            expression.parse::<Schedule>()?;
        }
        if definition.source == Source::Sql {
            let Some(sql) = &definition.sql else {
                return Err(InsightsError::InvalidQuery(
                    "definition.sql: a report with source sql needs its query".into(),
                ));
            };
            let checked = sql_source::check(sql, self.store().dialect())?;
            if let Some(unknown) = definition
                .parameters
                .keys()
                .find(|name| !checked.parameters.contains(name))
            {
                return Err(InsightsError::InvalidQuery(format!(
                    "definition.parameters.{unknown}: the query has no ${unknown}"
                )));
            }
            if let Some(chart) = &definition.chart {
                if chart.y.is_empty() {
                    return Err(InsightsError::InvalidQuery(
                        "definition.chart.y: chart y names no column".into(),
                    ));
                }
            }
            return Ok(());
        }
        if definition.sql.is_some() {
            return Err(InsightsError::InvalidQuery(format!(
                "definition.sql: only a report with source sql has a query, not {:?}",
                definition.source
            )));
        }
        let available = self
            .source_table(
                definition.source,
                &Filter {
                    to: Some(0),
                    ..Filter::default()
                },
            )
            .await?
            .columns;
        let known = |column: &String, role: &str| {
            if available.contains(column) {
                Ok(())
            } else {
                Err(InsightsError::InvalidQuery(format!(
                    "{role} {column:?} is not a column of {:?} (columns: {})",
                    definition.source,
                    available.join(", ")
                )))
            }
        };
        for column in &definition.columns {
            known(column, "column")?;
        }
        if let Some(chart) = &definition.chart {
            known(&chart.x, "chart x")?;
            if chart.y.is_empty() {
                return Err(InsightsError::InvalidQuery(
                    "chart y names no column".into(),
                ));
            }
            for column in &chart.y {
                known(column, "chart y")?;
            }
        }
        filter_of(&definition.parameters).map(|_| ())
    }

    /// Checks that every role of a sharing list exists; an unknown one is
    /// named by its place (`roles[1]`).
    pub(crate) async fn check_roles(&self, roles: &[String]) -> Result<(), InsightsError> {
        let known: Vec<String> = sqlx::query("SELECT name FROM roles")
            .fetch_all(self.store().pool())
            .await?
            .iter()
            .map(|row| row.try_get("name"))
            .collect::<Result<_, _>>()?;
        for (index, role) in roles.iter().enumerate() {
            if !known.contains(role) {
                return Err(InsightsError::InvalidQuery(format!(
                    "roles[{index}]: there is no role {role:?} (roles: {})",
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Saves a new report; its name must be unique, its roles must exist
    /// and its definition must pass the checks of its source. A schedule
    /// makes it due at the schedule's next time after `now`.
    pub async fn create_report(
        &self,
        input: &ReportInput,
        actor: &str,
        now: Millis,
    ) -> Result<Report, InsightsError> {
        self.check_report(input).await?;
        let report = Report {
            id: new_id(),
            name: input.name.trim().to_string(),
            description: input.description.clone(),
            definition: input.definition.clone(),
            roles: input.roles.clone(),
            created_by: actor.to_string(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store().begin().await?;
        sqlx::query(
            "INSERT INTO insights_reports (id, name, description, definition, roles, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&report.id)
        .bind(&report.name)
        .bind(&report.description)
        .bind(to_json(&report.definition)?)
        .bind(to_json(&report.roles)?)
        .bind(&report.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        set_next_run(&mut tx, &report.id, next_run(&report.definition, now)?).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Replaces a report's name, description, roles and definition (its
    /// runs stay); `None` when there is no report `id`.
    pub async fn update_report(
        &self,
        id: &str,
        input: &ReportInput,
        now: Millis,
    ) -> Result<Option<Report>, InsightsError> {
        self.check_report(input).await?;
        let Some(existing) = self.find_report(id).await? else {
            return Ok(None);
        };
        let report = Report {
            name: input.name.trim().to_string(),
            description: input.description.clone(),
            definition: input.definition.clone(),
            roles: input.roles.clone(),
            updated_at: now,
            ..existing
        };
        let mut tx = self.store().begin().await?;
        sqlx::query(
            "UPDATE insights_reports SET name = $1, description = $2, definition = $3, \
             roles = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&report.name)
        .bind(&report.description)
        .bind(to_json(&report.definition)?)
        .bind(to_json(&report.roles)?)
        .bind(now)
        .bind(&report.id)
        .execute(&mut *tx)
        .await?;
        set_next_run(&mut tx, &report.id, next_run(&report.definition, now)?).await?;
        tx.commit().await?;
        Ok(Some(report))
    }

    /// Every saved report, by name.
    pub async fn list_reports(&self) -> Result<Vec<Report>, InsightsError> {
        let rows = sqlx::query("SELECT * FROM insights_reports ORDER BY name")
            .fetch_all(self.store().pool())
            .await?;
        rows.iter().map(report_from_row).collect()
    }

    /// The report with this id or name.
    pub async fn find_report(&self, id_or_name: &str) -> Result<Option<Report>, InsightsError> {
        let row = sqlx::query("SELECT * FROM insights_reports WHERE id = $1 OR name = $1")
            .bind(id_or_name)
            .fetch_optional(self.store().pool())
            .await?;
        row.as_ref().map(report_from_row).transpose()
    }

    /// Deletes a report and its runs; false when there was none.
    pub async fn delete_report(&self, id: &str) -> Result<bool, InsightsError> {
        let mut tx = self.store().begin().await?;
        set_next_run(&mut tx, id, None).await?;
        sqlx::query("DELETE FROM insights_report_runs WHERE report_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM insights_reports WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Runs a report with `parameters` over its defaults and keeps the run.
    pub async fn run_report(
        &self,
        report: &Report,
        parameters: &BTreeMap<String, String>,
        actor: &str,
        now: Millis,
    ) -> Result<ReportRun, InsightsError> {
        let mut merged = report.definition.parameters.clone();
        merged.extend(parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
        let as_of = self.status().await?.as_of;
        let full = match (&report.definition.source, &report.definition.sql) {
            (Source::Sql, Some(sql)) => {
                let checked = sql_source::check(sql, self.store().dialect())?;
                sql_source::run(self.store(), &checked, &merged).await?
            }
            (source, _) => self.source_table(*source, &filter_of(&merged)?).await?,
        };
        let result = if report.definition.columns.is_empty() {
            full
        } else {
            let indices = report
                .definition
                .columns
                .iter()
                .map(|c| {
                    full.columns.iter().position(|f| f == c).ok_or_else(|| {
                        InsightsError::InvalidQuery(format!(
                            "column {c:?} is not in the result (columns: {})",
                            full.columns.join(", ")
                        ))
                    })
                })
                .collect::<Result<Vec<usize>, InsightsError>>()?;
            Table {
                columns: indices.iter().map(|i| full.columns[*i].clone()).collect(),
                rows: full
                    .rows
                    .iter()
                    .map(|row| indices.iter().map(|i| row[*i].clone()).collect())
                    .collect(),
            }
        };
        let run = ReportRun {
            id: new_id(),
            report: report.clone(),
            parameters: merged,
            as_of,
            ran_by: actor.to_string(),
            ran_at: now,
            result,
        };
        sqlx::query(
            "INSERT INTO insights_report_runs (id, report_id, parameters, as_of, ran_by, ran_at, \
             result) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&run.id)
        .bind(&report.id)
        .bind(to_json(&run.parameters)?)
        .bind(as_of)
        .bind(&run.ran_by)
        .bind(now)
        .bind(to_json(&run.result)?)
        .execute(self.store().pool())
        .await?;
        Ok(run)
    }

    /// The runs of a report, newest first (up to `limit`).
    pub async fn list_runs(
        &self,
        report: &Report,
        limit: i64,
    ) -> Result<Vec<ReportRun>, InsightsError> {
        let rows = sqlx::query(
            "SELECT * FROM insights_report_runs WHERE report_id = $1 ORDER BY ran_at DESC, id DESC \
             LIMIT $2",
        )
        .bind(&report.id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.store().pool())
        .await?;
        rows.iter().map(|row| run_from_row(row, report)).collect()
    }

    /// One run of a report.
    pub async fn find_run(
        &self,
        report: &Report,
        run_id: &str,
    ) -> Result<Option<ReportRun>, InsightsError> {
        let row =
            sqlx::query("SELECT * FROM insights_report_runs WHERE report_id = $1 AND id = $2")
                .bind(&report.id)
                .bind(run_id)
                .fetch_optional(self.store().pool())
                .await?;
        row.as_ref()
            .map(|row| run_from_row(row, report))
            .transpose()
    }
}

fn run_from_row(row: &AnyRow, report: &Report) -> Result<ReportRun, InsightsError> {
    let id: String = row.try_get("id")?;
    let invalid = |what: &str, e: serde_json::Error| {
        InsightsError::InvalidData(format!("report run {id}: {what}: {e}"))
    };
    let parameters: String = row.try_get("parameters")?;
    let result: String = row.try_get("result")?;
    Ok(ReportRun {
        report: report.clone(),
        parameters: serde_json::from_str(&parameters).map_err(|e| invalid("parameters", e))?,
        as_of: row.try_get("as_of")?,
        ran_by: row.try_get("ran_by")?,
        ran_at: row.try_get("ran_at")?,
        result: serde_json::from_str(&result).map_err(|e| invalid("result", e))?,
        id,
    })
}

/// When a report with `definition` is next due after `now`, if it has a schedule.
fn next_run(definition: &ReportDefinition, now: Millis) -> Result<Option<Millis>, InsightsError> {
    definition
        .schedule
        .as_ref()
        .map(|expression| expression.parse::<Schedule>()?.next_after(now))
        .transpose()
}

/// JSON text of a stored value.
fn to_json<T: Serialize>(value: &T) -> Result<String, InsightsError> {
    serde_json::to_string(value).map_err(|e| InsightsError::InvalidData(e.to_string()))
}

impl ReportRun {
    /// The chart of the run, when its report defines one.
    pub fn chart(&self) -> Option<Chart> {
        let spec = self.report.definition.chart.as_ref()?;
        let column = |name: &str| self.result.columns.iter().position(|c| c == name);
        let x = column(&spec.x)?;
        // The buckets of a time series read as dates, not milliseconds.
        let format = match self.report.definition.source {
            Source::Daily if spec.x == "start" => Some(DAY_LABEL),
            Source::Hourly if spec.x == "start" => Some(HOUR_LABEL),
            _ => None,
        };
        let categories = self
            .result
            .rows
            .iter()
            .map(|row| match (format, row[x].as_i64()) {
                (Some(format), Some(ms)) => utc_label(ms, format),
                _ => crate::render::cell_text(&row[x]),
            })
            .collect();
        let series = spec
            .y
            .iter()
            .filter_map(|name| {
                let index = column(name)?;
                Some(Series {
                    name: name.clone(),
                    values: self
                        .result
                        .rows
                        .iter()
                        .map(|row| row[index].as_f64().unwrap_or(0.0))
                        .collect(),
                })
            })
            .collect();
        Some(Chart {
            title: self.report.name.clone(),
            kind: spec.kind,
            categories,
            series,
        })
    }

    /// What the PDF's cover page and the XLSX's "About" sheet say: the
    /// report's name and description, its source, each parameter, the
    /// as-of time, who ran it and when, and the row count.
    pub fn cover(&self) -> Cover {
        let mut details = vec![(
            "Source".to_string(),
            format!("{:?}", self.report.definition.source).to_lowercase(),
        )];
        if let Some(sql) = &self.report.definition.sql {
            details.push(("Query".to_string(), sql.clone()));
        }
        if self.parameters.is_empty() {
            details.push(("Parameters".to_string(), "none".to_string()));
        }
        for (key, value) in &self.parameters {
            details.push((format!("Parameter {key}"), value.clone()));
        }
        details.push(("As of".to_string(), utc_time(self.as_of)));
        details.push((
            "Ran".to_string(),
            format!("{} by {}", utc_time(self.ran_at), self.ran_by),
        ));
        details.push(("Run".to_string(), self.id.clone()));
        details.push(("Rows".to_string(), self.result.rows.len().to_string()));
        Cover {
            title: self.report.name.clone(),
            description: self.report.description.clone(),
            details,
        }
    }

    /// The run exported as `format` (charts 960 x 540).
    pub fn export(&self, format: Format) -> Result<Vec<u8>, InsightsError> {
        let chart = || {
            self.chart().ok_or_else(|| {
                InsightsError::InvalidQuery(format!(
                    "report {:?} defines no chart; export it as pdf, csv, xlsx or json",
                    self.report.name
                ))
            })
        };
        let rendered = match format {
            Format::Svg => chart()?.to_svg(960, 540).map(String::into_bytes),
            Format::Png => chart()?.to_png(960, 540),
            Format::Csv => self.result.to_csv(),
            Format::Pdf => {
                // A run without rows has nothing to draw: the cover and the empty table.
                let chart = self.chart().filter(|chart| !chart.categories.is_empty());
                crate::render::pdf(&self.cover(), chart.as_ref(), &self.result)
            }
            Format::Xlsx => crate::render::xlsx(&self.cover(), &self.result),
            Format::Json => {
                return serde_json::to_vec_pretty(self)
                    .map_err(|e| InsightsError::InvalidData(e.to_string()))
            }
        };
        rendered.map_err(|e| InsightsError::InvalidQuery(e.to_string()))
    }
}

pub(crate) type Label = &'static [time::format_description::BorrowedFormatItem<'static>];
pub(crate) const DAY_LABEL: Label = time::macros::format_description!("[year]-[month]-[day]");
pub(crate) const HOUR_LABEL: Label = time::macros::format_description!("[month]-[day] [hour]:00");
const TIME_LABEL: Label =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");

/// `ms` since the epoch in UTC as `format`; the number itself when out of range.
pub(crate) fn utc_label(ms: Millis, format: Label) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|at| at.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM:SS UTC (ms ms)`.
pub fn utc_time(ms: Millis) -> String {
    format!("{} ({ms} ms)", utc_label(ms, TIME_LABEL))
}
