//! Saved dashboards: filters, an auto-refresh period and tiles (KPI, time
//! series, bar, pie, diagram heatmap, table), each showing one metric of
//! the read model; the roles that may read a dashboard; each tile's data
//! and its chart, drawn by the same [`crate::render`] code as report exports.
//!
//! A definition is checked whole before it is saved; every error names the
//! field it is about as a path from the request body (`definition.tiles[2].width`).

use std::collections::BTreeSet;

use flowdesk_store::{new_id, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::query::ProcessVersion;
use crate::render::{Chart, ChartKind, Series};
use crate::reports::{utc_label, DAY_LABEL, HOUR_LABEL};
use crate::{
    DurationStats, ElementStats, Filter, Granularity, Insights, InsightsError, Kpis, SeriesPoint,
};

/// At most this many tiles on a dashboard.
pub const MAX_TILES: usize = 48;

/// A series whose range spans at most this long has one point per hour,
/// otherwise one per day.
pub const HOURLY_SERIES_UP_TO_MS: Millis = 3 * 86_400_000;

const DAY_MS: Millis = 86_400_000;

/// Only instances whose process variable `name` has `value` (a number,
/// string or boolean; JSON equality). Tiles under it are read from the
/// folded instances and their variables (see `by_variable`); metrics kept
/// only per element (per-element bars, pies and tables, the heatmap, user
/// task waits) are refused under it, as are sensitive (sealed) variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableFilter {
    /// The variable's name.
    pub name: String,
    /// The value it must have.
    pub value: Value,
}

/// The filters of a dashboard; every tile's data is read with them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardFilters {
    /// Only this BPMN process id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<String>,
    /// Only this version of the process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// From (ms since the epoch, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Millis>,
    /// Until (ms since the epoch, exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Millis>,
    /// Only instances with this variable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<VariableFilter>,
}

/// How a tile shows its metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TileKind {
    /// One number, with the previous period's when the range is bounded.
    Kpi,
    /// A line over time.
    Series,
    /// Bars per element (a process is filtered) or per process.
    Bar,
    /// Slices per element (a process is filtered) or per process.
    Pie,
    /// Element counts and durations drawn on the process diagram.
    Heatmap,
    /// The bar's items as rows.
    Table,
}

/// What a tile measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Instances started (per element: element instances activated).
    Started,
    /// Instances completed (per element: element instances completed).
    Completed,
    /// Instances cancelled or terminated (per element: terminated).
    Cancelled,
    /// Incidents raised.
    Incidents,
    /// Instances active at the end of the range (per element: activated − completed − terminated).
    Active,
    /// Median instance (per element: element) duration, ms.
    DurationP50,
    /// 90th percentile duration, ms.
    DurationP90,
    /// 99th percentile duration, ms.
    DurationP99,
    /// Instances completed per day (a series: per bucket).
    Throughput,
    /// Same as active: the work not finished yet.
    Backlog,
    /// Mean time user tasks waited from creation to completion, ms.
    UserTaskWait,
}

impl Metric {
    /// The wire name, e.g. `duration_p90`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Started => "started",
            Metric::Completed => "completed",
            Metric::Cancelled => "cancelled",
            Metric::Incidents => "incidents",
            Metric::Active => "active",
            Metric::DurationP50 => "duration_p50",
            Metric::DurationP90 => "duration_p90",
            Metric::DurationP99 => "duration_p99",
            Metric::Throughput => "throughput",
            Metric::Backlog => "backlog",
            Metric::UserTaskWait => "user_task_wait",
        }
    }

    fn of_duration(self, stats: &DurationStats) -> Option<f64> {
        match self {
            Metric::DurationP50 => stats.p50_ms,
            Metric::DurationP90 => stats.p90_ms,
            Metric::DurationP99 => stats.p99_ms,
            _ => None,
        }
    }

    /// The metric of one element.
    fn of_element(self, element: &ElementStats) -> Option<f64> {
        match self {
            Metric::Started => Some(element.activated as f64),
            Metric::Completed | Metric::Throughput => Some(element.completed as f64),
            Metric::Cancelled => Some(element.terminated as f64),
            Metric::Incidents => Some(element.incidents_opened as f64),
            Metric::Active | Metric::Backlog => {
                Some((element.activated - element.completed - element.terminated) as f64)
            }
            Metric::DurationP50 | Metric::DurationP90 | Metric::DurationP99 => {
                self.of_duration(&element.duration)
            }
            Metric::UserTaskWait => element.wait.mean_ms,
        }
    }
}

/// One tile of a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tile {
    /// Unique on the dashboard; letters, digits, `-` and `_` (it is part of the tile's URL).
    pub id: String,
    /// Caption.
    pub title: String,
    /// How it shows its metric.
    pub kind: TileKind,
    /// What it measures.
    pub metric: Metric,
    /// Only this process, whatever the dashboard's filters say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_id: Option<String>,
    /// Columns it spans in the grid: 1, 2 or 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u8>,
}

/// What a dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardDefinition {
    /// Filters for every tile.
    #[serde(default)]
    pub filters: DashboardFilters,
    /// Reload the tiles this often (seconds, 5 to 86,400); none = no auto-refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_seconds: Option<i64>,
    /// The tiles, in order.
    pub tiles: Vec<Tile>,
}

/// A saved dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// UUID v7.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The roles whose users may read it (besides holders of `report:manage`).
    pub roles: Vec<String>,
    /// What it shows.
    pub definition: DashboardDefinition,
    /// Who created it.
    pub created_by: String,
    /// When (ms since the epoch).
    pub created_at: Millis,
    /// When it was last changed (ms since the epoch).
    pub updated_at: Millis,
}

/// A dashboard in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DashboardSummary {
    /// UUID v7.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The roles whose users may read it.
    pub roles: Vec<String>,
    /// When it was last changed (ms since the epoch).
    pub updated_at: Millis,
}

/// A new dashboard or the new state of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardInput {
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The roles whose users may read it (role names).
    #[serde(default)]
    pub roles: Vec<String>,
    /// What it shows.
    pub definition: DashboardDefinition,
}

/// One point of a series tile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TilePoint {
    /// Bucket start (ms since the epoch, UTC).
    pub t: Millis,
    /// The metric in the bucket; null when there is nothing to measure (a duration without instances).
    pub value: Option<f64>,
}

/// One bar or slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TileItem {
    /// The element id or process id.
    pub label: String,
    /// The metric.
    pub value: f64,
}

/// One element of a heatmap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeatmapElement {
    /// The BPMN element id.
    pub element_id: String,
    /// Element instances activated.
    pub count: i64,
    /// Mean activation-to-completion time, ms.
    pub mean_ms: Option<f64>,
    /// 90th percentile of that time, ms.
    pub p90_ms: Option<f64>,
}

/// The data of a tile; its shape follows the tile's kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum TileData {
    /// `kpi`: the value over the range and, when the range is bounded, over
    /// the range of the same length just before it.
    Kpi {
        /// The metric over the range (null: nothing to measure).
        value: Option<f64>,
        /// The metric over the previous range.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<Option<f64>>,
    },
    /// `series`: one point per hour (ranges up to 3 days) or day.
    Series {
        /// Oldest first.
        points: Vec<TilePoint>,
    },
    /// `bar` and `pie`: per element when a process is filtered, else per process.
    Items {
        /// In element or process id order.
        items: Vec<TileItem>,
    },
    /// `heatmap`: per element of one process version.
    Heatmap {
        /// The process.
        process_id: String,
        /// Its version (the filter's, else the newest seen).
        version: i64,
        /// By element id.
        elements: Vec<HeatmapElement>,
    },
    /// `table`: the bar's items as rows.
    Table {
        /// `element_id` or `process_id`, then the metric's name.
        columns: Vec<String>,
        /// One row per item.
        #[schema(value_type = Vec<Vec<Object>>)]
        rows: Vec<Vec<Value>>,
    },
}

/// Filter values given with a tile request; each one set replaces the
/// dashboard's saved filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterOverrides {
    /// Only this BPMN process id.
    pub process_id: Option<String>,
    /// Only this version.
    pub version: Option<i64>,
    /// From (ms, inclusive).
    pub from: Option<Millis>,
    /// Until (ms, exclusive).
    pub to: Option<Millis>,
    /// Only instances with this variable value.
    pub variable: Option<VariableFilter>,
}

fn invalid(path: &str, message: impl std::fmt::Display) -> InsightsError {
    InsightsError::InvalidQuery(format!("{path}: {message}"))
}

impl DashboardDefinition {
    /// Checks the definition whole; the error names the field as
    /// `definition.…`.
    pub fn check(&self) -> Result<(), InsightsError> {
        let filters = &self.filters;
        if filters
            .process_id
            .as_deref()
            .is_some_and(|p| p.trim().is_empty())
        {
            return Err(invalid(
                "definition.filters.process_id",
                "is empty; leave it out for every process",
            ));
        }
        if filters.version.is_some_and(|v| v < 1) {
            return Err(invalid("definition.filters.version", "versions start at 1"));
        }
        if let (Some(from), Some(to)) = (filters.from, filters.to) {
            if from >= to {
                return Err(invalid(
                    "definition.filters.to",
                    format!("must be after from ({from} ms), not {to} ms"),
                ));
            }
        }
        if let Some(variable) = &filters.variable {
            variable.check("definition.filters.variable")?;
        }
        if let Some(seconds) = self.refresh_seconds {
            if !(5..=86_400).contains(&seconds) {
                return Err(invalid(
                    "definition.refresh_seconds",
                    format!("must be between 5 and 86400 seconds, not {seconds}"),
                ));
            }
        }
        if self.tiles.len() > MAX_TILES {
            return Err(invalid(
                "definition.tiles",
                format!("{} tiles, at most {MAX_TILES}", self.tiles.len()),
            ));
        }
        let mut ids = BTreeSet::new();
        for (index, tile) in self.tiles.iter().enumerate() {
            let path = |field: &str| format!("definition.tiles[{index}].{field}");
            let id_ok = !tile.id.is_empty()
                && tile.id.len() <= 64
                && tile
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !id_ok {
                return Err(invalid(
                    &path("id"),
                    format!("{:?} must be 1 to 64 letters, digits, '-' or '_'", tile.id),
                ));
            }
            if !ids.insert(tile.id.as_str()) {
                return Err(invalid(
                    &path("id"),
                    format!("{:?} is used by an earlier tile", tile.id),
                ));
            }
            if tile.title.trim().is_empty() {
                return Err(invalid(&path("title"), "is empty"));
            }
            if tile
                .process_id
                .as_deref()
                .is_some_and(|p| p.trim().is_empty())
            {
                return Err(invalid(
                    &path("process_id"),
                    "is empty; leave it out for the dashboard's process",
                ));
            }
            if let Some(width) = tile.width {
                if !(1..=3).contains(&width) {
                    return Err(invalid(
                        &path("width"),
                        format!("must be 1, 2 or 3, not {width}"),
                    ));
                }
            }
            if tile.kind == TileKind::Series && tile.metric == Metric::UserTaskWait {
                return Err(invalid(
                    &path("metric"),
                    "user_task_wait has no time series: show it as kpi, bar, pie or table",
                ));
            }
        }
        Ok(())
    }
}

impl VariableFilter {
    /// Checks the name (not empty) and the value (a number, string or
    /// boolean); `path` names the filter in errors.
    pub fn check(&self, path: &str) -> Result<(), InsightsError> {
        if self.name.trim().is_empty() {
            return Err(invalid(&format!("{path}.name"), "is empty"));
        }
        if !matches!(
            self.value,
            Value::Number(_) | Value::String(_) | Value::Bool(_)
        ) {
            return Err(invalid(
                &format!("{path}.value"),
                format!("must be a number, string or boolean, not {}", self.value),
            ));
        }
        Ok(())
    }
}

fn dashboard_from_row(row: &AnyRow) -> Result<Dashboard, InsightsError> {
    let id: String = row.try_get("id")?;
    let definition: String = row.try_get("definition")?;
    let roles: String = row.try_get("roles")?;
    let bad = |what: &str, e: serde_json::Error| {
        InsightsError::InvalidData(format!("dashboard {id}: {what}: {e}"))
    };
    Ok(Dashboard {
        definition: serde_json::from_str(&definition).map_err(|e| bad("definition", e))?,
        roles: serde_json::from_str(&roles).map_err(|e| bad("roles", e))?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        id,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<String, InsightsError> {
    serde_json::to_string(value).map_err(|e| InsightsError::InvalidData(e.to_string()))
}

impl Dashboard {
    /// The summary shown in lists.
    pub fn summary(&self) -> DashboardSummary {
        DashboardSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            roles: self.roles.clone(),
            updated_at: self.updated_at,
        }
    }

    /// The tile `tile_id`.
    pub fn tile(&self, tile_id: &str) -> Option<&Tile> {
        self.definition.tiles.iter().find(|t| t.id == tile_id)
    }
}

impl Insights {
    async fn check_dashboard(&self, input: &DashboardInput) -> Result<(), InsightsError> {
        if input.name.trim().is_empty() {
            return Err(invalid("name", "a dashboard needs a name"));
        }
        self.check_roles(&input.roles).await?;
        input.definition.check()
    }

    /// Saves a new dashboard (its name unique, its roles known, its definition valid).
    pub async fn create_dashboard(
        &self,
        input: &DashboardInput,
        actor: &str,
        now: Millis,
    ) -> Result<Dashboard, InsightsError> {
        self.check_dashboard(input).await?;
        let dashboard = Dashboard {
            id: new_id(),
            name: input.name.trim().to_string(),
            description: input.description.clone(),
            roles: input.roles.clone(),
            definition: input.definition.clone(),
            created_by: actor.to_string(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query(
            "INSERT INTO insights_dashboards (id, name, description, definition, roles, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&dashboard.id)
        .bind(&dashboard.name)
        .bind(&dashboard.description)
        .bind(to_json(&dashboard.definition)?)
        .bind(to_json(&dashboard.roles)?)
        .bind(&dashboard.created_by)
        .bind(now)
        .execute(self.store().pool())
        .await?;
        Ok(dashboard)
    }

    /// Replaces a dashboard's name, description, roles and definition;
    /// `None` when there is no dashboard `id`.
    pub async fn update_dashboard(
        &self,
        id: &str,
        input: &DashboardInput,
        now: Millis,
    ) -> Result<Option<Dashboard>, InsightsError> {
        self.check_dashboard(input).await?;
        let Some(existing) = self.find_dashboard(id).await? else {
            return Ok(None);
        };
        let dashboard = Dashboard {
            name: input.name.trim().to_string(),
            description: input.description.clone(),
            roles: input.roles.clone(),
            definition: input.definition.clone(),
            updated_at: now,
            ..existing
        };
        sqlx::query(
            "UPDATE insights_dashboards SET name = $1, description = $2, definition = $3, \
             roles = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&dashboard.name)
        .bind(&dashboard.description)
        .bind(to_json(&dashboard.definition)?)
        .bind(to_json(&dashboard.roles)?)
        .bind(now)
        .bind(&dashboard.id)
        .execute(self.store().pool())
        .await?;
        Ok(Some(dashboard))
    }

    /// Every dashboard, by name.
    pub async fn list_dashboards(&self) -> Result<Vec<Dashboard>, InsightsError> {
        sqlx::query("SELECT * FROM insights_dashboards ORDER BY name")
            .fetch_all(self.store().pool())
            .await?
            .iter()
            .map(dashboard_from_row)
            .collect()
    }

    /// The dashboard `id`.
    pub async fn find_dashboard(&self, id: &str) -> Result<Option<Dashboard>, InsightsError> {
        sqlx::query("SELECT * FROM insights_dashboards WHERE id = $1")
            .bind(id)
            .fetch_optional(self.store().pool())
            .await?
            .as_ref()
            .map(dashboard_from_row)
            .transpose()
    }

    /// Deletes a dashboard; false when there was none.
    pub async fn delete_dashboard(&self, id: &str) -> Result<bool, InsightsError> {
        let deleted = sqlx::query("DELETE FROM insights_dashboards WHERE id = $1")
            .bind(id)
            .execute(self.store().pool())
            .await?
            .rows_affected();
        Ok(deleted > 0)
    }

    /// The data of `tile` on `dashboard`, with `overrides` over the saved
    /// filters (the tile's own process wins over both).
    pub async fn tile_data(
        &self,
        dashboard: &Dashboard,
        tile: &Tile,
        overrides: &FilterOverrides,
    ) -> Result<TileData, InsightsError> {
        let (filter, variable) = effective_filter(dashboard, tile, overrides)?;
        if let Some((variable, path)) = variable {
            return self
                .variable_tile_data(tile, &filter, &variable, path)
                .await;
        }
        let metric = tile.metric;
        Ok(match tile.kind {
            TileKind::Kpi => {
                let value = self.kpi_value(&filter, metric).await?;
                let previous = match (filter.from, filter.to) {
                    (Some(from), Some(to)) => Some(
                        self.kpi_value(
                            &Filter {
                                from: Some(from - (to - from)),
                                to: Some(from),
                                ..filter.clone()
                            },
                            metric,
                        )
                        .await?,
                    ),
                    _ => None,
                };
                TileData::Kpi { value, previous }
            }
            TileKind::Series => TileData::Series {
                points: tile_points(
                    metric,
                    self.time_series(&filter, series_granularity(&filter))
                        .await?,
                ),
            },
            TileKind::Bar | TileKind::Pie => TileData::Items {
                items: self.items(&filter, metric).await?.1,
            },
            TileKind::Table => {
                let (dimension, items) = self.items(&filter, metric).await?;
                table(dimension, metric, items)
            }
            TileKind::Heatmap => {
                let Some(process_id) = filter.process_id.clone() else {
                    return Err(invalid(
                        "process_id",
                        format!(
                            "tile {:?} is a heatmap of one process: set the tile's process_id or filter by a process",
                            tile.id
                        ),
                    ));
                };
                let version = match filter.version {
                    Some(version) => version,
                    None => {
                        newest_version(&self.processes().await?, &process_id).ok_or_else(|| {
                            InsightsError::InvalidQuery(format!(
                                "process_id: the read model has seen no instance of {process_id:?}"
                            ))
                        })?
                    }
                };
                let elements = self
                    .element_stats(&Filter {
                        version: Some(version),
                        ..filter
                    })
                    .await?
                    .into_iter()
                    .map(|element| HeatmapElement {
                        element_id: element.element_id,
                        count: element.activated,
                        mean_ms: element.duration.mean_ms,
                        p90_ms: element.duration.p90_ms,
                    })
                    .collect();
                TileData::Heatmap {
                    process_id,
                    version,
                    elements,
                }
            }
        })
    }

    /// The chart of a tile (series: line; bar; pie; heatmap: bars of the
    /// elements' mean durations), as report exports draw it. KPI and table
    /// tiles have no chart.
    pub async fn tile_chart(
        &self,
        dashboard: &Dashboard,
        tile: &Tile,
        overrides: &FilterOverrides,
    ) -> Result<Chart, InsightsError> {
        let name = tile.metric.as_str().to_string();
        let (kind, categories, values): (ChartKind, Vec<String>, Vec<f64>) = match self.tile_data(dashboard, tile, overrides).await? {
            TileData::Kpi { .. } | TileData::Table { .. } => {
                return Err(InsightsError::InvalidQuery(format!(
                    "tile {:?} is a {} tile and has no chart; charts are drawn for series, bar, pie and heatmap tiles",
                    tile.id,
                    if tile.kind == TileKind::Kpi { "kpi" } else { "table" }
                )))
            }
            TileData::Series { points } => {
                let hourly = points.len() > 1 && points[1].t - points[0].t < DAY_MS;
                let format = if hourly { HOUR_LABEL } else { DAY_LABEL };
                (
                    ChartKind::Line,
                    points.iter().map(|p| utc_label(p.t, format)).collect(),
                    points.iter().map(|p| p.value.unwrap_or(0.0)).collect(),
                )
            }
            TileData::Items { items } => (
                if tile.kind == TileKind::Pie {
                    ChartKind::Pie
                } else {
                    ChartKind::Bar
                },
                items.iter().map(|i| i.label.clone()).collect(),
                items.iter().map(|i| i.value).collect(),
            ),
            TileData::Heatmap { elements, .. } => (
                ChartKind::Bar,
                elements.iter().map(|e| e.element_id.clone()).collect(),
                elements.iter().map(|e| e.mean_ms.unwrap_or(0.0)).collect(),
            ),
        };
        if categories.is_empty() {
            return Err(InsightsError::InvalidQuery(format!(
                "tile {:?} has no data to draw for these filters",
                tile.id
            )));
        }
        Ok(Chart {
            title: tile.title.clone(),
            kind,
            categories,
            series: vec![Series {
                name: if tile.kind == TileKind::Heatmap {
                    "mean duration (ms)".to_string()
                } else {
                    name
                },
                values,
            }],
        })
    }

    /// A KPI: the metric over the filter's range.
    async fn kpi_value(
        &self,
        filter: &Filter,
        metric: Metric,
    ) -> Result<Option<f64>, InsightsError> {
        Ok(match metric {
            Metric::Throughput => throughput(&self.time_series(filter, Granularity::Day).await?),
            Metric::UserTaskWait => mean_wait(&self.element_stats(filter).await?),
            other => kpi_of(&self.kpis(filter).await?, other),
        })
    }

    /// Bar, pie and table items: per element when the filter names a
    /// process, else per process; with the dimension's column name.
    async fn items(
        &self,
        filter: &Filter,
        metric: Metric,
    ) -> Result<(&'static str, Vec<TileItem>), InsightsError> {
        if filter.process_id.is_some() {
            let items = self
                .element_stats(filter)
                .await?
                .iter()
                .filter_map(|element| {
                    Some(TileItem {
                        label: element.element_id.clone(),
                        value: metric.of_element(element)?,
                    })
                })
                .collect();
            return Ok(("element_id", items));
        }
        let mut processes: Vec<String> = self
            .processes()
            .await?
            .into_iter()
            .map(|p| p.process_id)
            .collect();
        processes.dedup();
        let mut items = Vec::new();
        for process_id in processes {
            let value = self
                .kpi_value(
                    &Filter {
                        process_id: Some(process_id.clone()),
                        ..filter.clone()
                    },
                    metric,
                )
                .await?;
            if let Some(value) = value {
                items.push(TileItem {
                    label: process_id,
                    value,
                });
            }
        }
        Ok(("process_id", items))
    }
}

/// A variable filter and the path that names it in errors
/// (`definition.filters.variable` or the request's `variable`).
type NamedVariable = (VariableFilter, &'static str);

/// The filter a tile reads with: the request's values over the saved
/// filters, the tile's process over both; with the variable filter, if any.
fn effective_filter(
    dashboard: &Dashboard,
    tile: &Tile,
    overrides: &FilterOverrides,
) -> Result<(Filter, Option<NamedVariable>), InsightsError> {
    let saved = &dashboard.definition.filters;
    let variable = match (&overrides.variable, &saved.variable) {
        (Some(variable), _) => Some((variable.clone(), "variable")),
        (None, Some(variable)) => Some((variable.clone(), "definition.filters.variable")),
        (None, None) => None,
    };
    if let Some((variable, path)) = &variable {
        variable.check(path)?;
    }
    let filter = Filter {
        process_id: tile
            .process_id
            .clone()
            .or_else(|| overrides.process_id.clone())
            .or_else(|| saved.process_id.clone()),
        version: overrides.version.or(saved.version),
        from: overrides.from.or(saved.from),
        to: overrides.to.or(saved.to),
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if from >= to {
            return Err(invalid(
                "to",
                format!("must be after from ({from} ms), not {to} ms"),
            ));
        }
    }
    Ok((filter, variable))
}

/// Hourly points for ranges up to [`HOURLY_SERIES_UP_TO_MS`], else daily.
pub(crate) fn series_granularity(filter: &Filter) -> Granularity {
    match (filter.from, filter.to) {
        (Some(from), Some(to)) if to - from <= HOURLY_SERIES_UP_TO_MS => Granularity::Hour,
        _ => Granularity::Day,
    }
}

/// A series tile's points: the metric of each bucket.
pub(crate) fn tile_points(metric: Metric, series: Vec<SeriesPoint>) -> Vec<TilePoint> {
    series
        .into_iter()
        .map(|point| TilePoint {
            t: point.start,
            value: match metric {
                Metric::Started => Some(point.started as f64),
                Metric::Completed | Metric::Throughput => Some(point.completed as f64),
                Metric::Cancelled => Some(point.cancelled as f64),
                Metric::Incidents => Some(point.incidents_opened as f64),
                Metric::Active | Metric::Backlog => Some(point.active as f64),
                other => other.of_duration(&point.duration),
            },
        })
        .collect()
}

/// Instances completed per day, averaged over the days of the series.
pub(crate) fn throughput(days: &[SeriesPoint]) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    let completed: i64 = days.iter().map(|d| d.completed).sum();
    Some(completed as f64 / days.len() as f64)
}

/// A table tile: the items as rows.
pub(crate) fn table(dimension: &str, metric: Metric, items: Vec<TileItem>) -> TileData {
    TileData::Table {
        columns: vec![dimension.to_string(), metric.as_str().to_string()],
        rows: items
            .into_iter()
            .map(|item| vec![json!(item.label), json!(item.value)])
            .collect(),
    }
}

pub(crate) fn kpi_of(kpis: &Kpis, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Started => Some(kpis.started as f64),
        Metric::Completed => Some(kpis.completed as f64),
        Metric::Cancelled => Some(kpis.cancelled as f64),
        Metric::Incidents => Some(kpis.incidents_opened as f64),
        Metric::Active | Metric::Backlog => Some(kpis.active as f64),
        other => other.of_duration(&kpis.duration),
    }
}

/// The mean wait over every user task (weighted by how many waited).
fn mean_wait(elements: &[ElementStats]) -> Option<f64> {
    let (total, count) = elements
        .iter()
        .filter_map(|e| Some((e.wait.mean_ms? * e.wait.count as f64, e.wait.count)))
        .fold((0.0, 0), |(t, c), (total, count)| (t + total, c + count));
    (count > 0).then(|| total / count as f64)
}

fn newest_version(processes: &[ProcessVersion], process_id: &str) -> Option<i64> {
    processes
        .iter()
        .filter(|p| p.process_id == process_id)
        .map(|p| p.version)
        .max()
}
