//! Queries of the read model: KPI summary, time series and per-element
//! statistics, all with the same [`Filter`].
//!
//! A bucket (an hour of process data, a day of element data) belongs to a
//! date range when its start lies in `[from, to)`; times are UTC
//! milliseconds since the Unix epoch.

use std::collections::BTreeMap;

use flowdesk_store::Millis;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::fold::{Durations, ElementDay, ProcessHour};
use crate::{day_start, hour_start, Insights, InsightsError};

/// At most this many buckets in one time series.
pub const MAX_BUCKETS: i64 = 10_000;

/// Which data a query covers. Empty = everything.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    utoipa::IntoParams,
)]
pub struct Filter {
    /// Only this BPMN process id.
    #[serde(default)]
    pub process_id: Option<String>,
    /// Only this version of the process.
    #[serde(default)]
    pub version: Option<i64>,
    /// From this time (ms since the epoch, inclusive).
    #[serde(default)]
    pub from: Option<Millis>,
    /// Until this time (ms since the epoch, exclusive).
    #[serde(default)]
    pub to: Option<Millis>,
}

/// Bucket size of a time series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One point per UTC hour.
    Hour,
    /// One point per UTC day.
    #[default]
    Day,
}

impl Granularity {
    fn millis(self) -> Millis {
        match self {
            Granularity::Hour => 3_600_000,
            Granularity::Day => 86_400_000,
        }
    }

    fn start(self, at: Millis) -> Millis {
        match self {
            Granularity::Hour => hour_start(at),
            Granularity::Day => day_start(at),
        }
    }
}

/// Summary statistics of durations in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DurationStats {
    /// How many durations.
    pub count: i64,
    /// Mean.
    pub mean_ms: Option<f64>,
    /// Shortest.
    pub min_ms: Option<i64>,
    /// Longest.
    pub max_ms: Option<i64>,
    /// Median (within 1 %).
    pub p50_ms: Option<f64>,
    /// 90th percentile (within 1 %).
    pub p90_ms: Option<f64>,
    /// 99th percentile (within 1 %).
    pub p99_ms: Option<f64>,
}

impl DurationStats {
    pub(crate) fn of(durations: &Durations) -> DurationStats {
        let clamp = |value: Option<f64>| {
            value.map(|v| {
                v.clamp(
                    durations.min.unwrap_or(0) as f64,
                    durations.max.unwrap_or(0) as f64,
                )
            })
        };
        DurationStats {
            count: durations.count,
            mean_ms: (durations.count > 0).then(|| durations.sum as f64 / durations.count as f64),
            min_ms: durations.min,
            max_ms: durations.max,
            p50_ms: clamp(durations.sketch.quantile(0.5)),
            p90_ms: clamp(durations.sketch.quantile(0.9)),
            p99_ms: clamp(durations.sketch.quantile(0.99)),
        }
    }
}

/// Key figures of the instances of a range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Kpis {
    /// Instances started in the range.
    pub started: i64,
    /// Instances completed in the range.
    pub completed: i64,
    /// Instances cancelled or terminated in the range.
    pub cancelled: i64,
    /// Instances active at the end of the range (the backlog).
    pub active: i64,
    /// Incidents raised in the range.
    pub incidents_opened: i64,
    /// Incidents resolved in the range.
    pub incidents_resolved: i64,
    /// Durations of the instances that ended in the range.
    pub duration: DurationStats,
}

/// One bucket of a time series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    /// Bucket start (ms since the epoch, UTC).
    pub start: Millis,
    /// Instances started.
    pub started: i64,
    /// Instances completed (throughput).
    pub completed: i64,
    /// Instances cancelled or terminated.
    pub cancelled: i64,
    /// Instances active at the end of the bucket (backlog).
    pub active: i64,
    /// Incidents raised.
    pub incidents_opened: i64,
    /// Incidents resolved.
    pub incidents_resolved: i64,
    /// Durations of the instances that ended in the bucket.
    pub duration: DurationStats,
}

/// Statistics of one BPMN element over a range (for the diagram heatmap).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ElementStats {
    /// The BPMN element id.
    pub element_id: String,
    /// Its type, e.g. `userTask`.
    pub element_type: String,
    /// Element instances activated.
    pub activated: i64,
    /// Element instances completed.
    pub completed: i64,
    /// Element instances terminated (interrupted or cancelled).
    pub terminated: i64,
    /// Incidents raised at the element.
    pub incidents_opened: i64,
    /// Incidents at the element resolved.
    pub incidents_resolved: i64,
    /// Time from activation to completion.
    pub duration: DurationStats,
    /// User tasks: time from creation to completion of the task.
    pub wait: DurationStats,
}

/// A process version the read model has seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProcessVersion {
    /// BPMN process id.
    pub process_id: String,
    /// Version.
    pub version: i64,
    /// Instances seen.
    pub instances: i64,
}

/// How current the read model is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReadModelStatus {
    /// Every history seq up to this one is folded (but the awaited gaps).
    pub high_water: i64,
    /// The newest history seq.
    pub history_head: i64,
    /// History seqs below the high-water mark still awaited.
    pub awaited_gaps: i64,
    /// When the read model last caught up (wall clock, ms since the epoch):
    /// the as-of time of its numbers.
    pub as_of: Millis,
}

/// `WHERE` conditions and their binds for a filter on a table whose bucket
/// column is `bucket`; parameters start at `$1`.
struct Conditions {
    sql: String,
    texts: Vec<String>,
    numbers: Vec<i64>,
}

fn conditions(filter: &Filter, bucket: &str, with_range: bool) -> Conditions {
    // Text binds first, then numbers: both dialects take `$n` in any order.
    let mut parts = Vec::new();
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    if let Some(process_id) = &filter.process_id {
        texts.push(process_id.clone());
        parts.push(format!("process_id = ${}", texts.len()));
    }
    let mut next = texts.len();
    let mut number = |value: i64, condition: &str, parts: &mut Vec<String>| {
        next += 1;
        numbers.push(value);
        parts.push(format!("{condition} ${next}"));
    };
    if let Some(version) = filter.version {
        number(version, "version =", &mut parts);
    }
    if with_range {
        if let Some(from) = filter.from {
            number(from, &format!("{bucket} >="), &mut parts);
        }
    }
    if let Some(to) = filter.to {
        number(to, &format!("{bucket} <"), &mut parts);
    }
    Conditions {
        sql: if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(" AND "))
        },
        texts,
        numbers,
    }
}

impl Insights {
    async fn process_hours(
        &self,
        filter: &Filter,
        with_range: bool,
    ) -> Result<Vec<(Millis, ProcessHour)>, InsightsError> {
        let conditions = conditions(filter, "hour_start", with_range);
        let sql = format!(
            "SELECT * FROM insights_process_hour{} ORDER BY hour_start",
            conditions.sql
        );
        let mut query = sqlx::query(&sql);
        for text in &conditions.texts {
            query = query.bind(text.as_str());
        }
        for number in &conditions.numbers {
            query = query.bind(*number);
        }
        let rows = query.fetch_all(self.store().pool()).await?;
        rows.iter()
            .map(|row| Ok((row.try_get("hour_start")?, ProcessHour::from_row(row)?)))
            .collect()
    }

    /// Instances active before `at` (all history before it).
    async fn active_before(
        &self,
        filter: &Filter,
        at: Option<Millis>,
    ) -> Result<i64, InsightsError> {
        let before = Filter {
            from: None,
            to: at,
            ..filter.clone()
        };
        let conditions = conditions(&before, "hour_start", false);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(started - completed - cancelled), 0) AS BIGINT) AS active \
             FROM insights_process_hour{}",
            conditions.sql
        );
        let mut query = sqlx::query(&sql);
        for text in &conditions.texts {
            query = query.bind(text.as_str());
        }
        for number in &conditions.numbers {
            query = query.bind(*number);
        }
        let row = query.fetch_one(self.store().pool()).await?;
        Ok(row.try_get("active")?)
    }

    /// KPI summary of a range.
    pub async fn kpis(&self, filter: &Filter) -> Result<Kpis, InsightsError> {
        let mut total = ProcessHour::default();
        for (_, row) in self.process_hours(filter, true).await? {
            total.merge(&row);
        }
        Ok(Kpis {
            started: total.started,
            completed: total.completed,
            cancelled: total.cancelled,
            active: self.active_before(filter, filter.to).await?,
            incidents_opened: total.incidents_opened,
            incidents_resolved: total.incidents_resolved,
            duration: DurationStats::of(&total.duration),
        })
    }

    /// A time series over the filter's range with one point per bucket
    /// (buckets without data included). Without `from`/`to` the range is
    /// that of the data.
    pub async fn time_series(
        &self,
        filter: &Filter,
        granularity: Granularity,
    ) -> Result<Vec<SeriesPoint>, InsightsError> {
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from >= to {
                return Err(InsightsError::InvalidQuery(format!(
                    "from ({from}) must be before to ({to})"
                )));
            }
        }
        let hours = self.process_hours(filter, true).await?;
        let (Some(first), Some(last)) = (
            filter.from.or(hours.first().map(|(at, _)| *at)),
            filter.to.or(hours.last().map(|(at, _)| *at + 1)),
        ) else {
            return Ok(Vec::new());
        };
        let step = granularity.millis();
        let start = granularity.start(first);
        let buckets = (last - start + step - 1) / step;
        if buckets > MAX_BUCKETS {
            return Err(InsightsError::InvalidQuery(format!(
                "{buckets} buckets asked for, at most {MAX_BUCKETS}: narrow the range or use days"
            )));
        }
        let mut grouped: BTreeMap<Millis, ProcessHour> = BTreeMap::new();
        for (at, row) in &hours {
            grouped
                .entry(granularity.start(*at))
                .or_default()
                .merge(row);
        }
        let mut active = self.active_before(filter, Some(start)).await?;
        let mut points = Vec::new();
        for n in 0..buckets.max(0) {
            let bucket = start + n * step;
            let row = grouped.remove(&bucket).unwrap_or_default();
            active += row.started - row.completed - row.cancelled;
            points.push(SeriesPoint {
                start: bucket,
                started: row.started,
                completed: row.completed,
                cancelled: row.cancelled,
                active,
                incidents_opened: row.incidents_opened,
                incidents_resolved: row.incidents_resolved,
                duration: DurationStats::of(&row.duration),
            });
        }
        Ok(points)
    }

    /// Statistics per element (days whose start lies in the range), by element id.
    pub async fn element_stats(&self, filter: &Filter) -> Result<Vec<ElementStats>, InsightsError> {
        let conditions = conditions(filter, "day_start", true);
        let sql = format!("SELECT * FROM insights_element_day{}", conditions.sql);
        let mut query = sqlx::query(&sql);
        for text in &conditions.texts {
            query = query.bind(text.as_str());
        }
        for number in &conditions.numbers {
            query = query.bind(*number);
        }
        let mut elements: BTreeMap<String, ElementDay> = BTreeMap::new();
        for row in query.fetch_all(self.store().pool()).await? {
            elements
                .entry(row.try_get("element_id")?)
                .or_default()
                .merge(&ElementDay::from_row(&row)?);
        }
        Ok(elements
            .into_iter()
            .map(|(element_id, row)| ElementStats {
                element_id,
                element_type: row.element_type,
                activated: row.activated,
                completed: row.completed,
                terminated: row.terminated,
                incidents_opened: row.incidents_opened,
                incidents_resolved: row.incidents_resolved,
                duration: DurationStats::of(&row.duration),
                wait: DurationStats::of(&row.wait),
            })
            .collect())
    }

    /// Every process version seen in history, with its instance count.
    pub async fn processes(&self) -> Result<Vec<ProcessVersion>, InsightsError> {
        let rows = sqlx::query(
            "SELECT process_id, version, COUNT(*) AS instances FROM insights_instances \
             GROUP BY process_id, version ORDER BY process_id, version",
        )
        .fetch_all(self.store().pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProcessVersion {
                    process_id: row.try_get("process_id")?,
                    version: row.try_get("version")?,
                    instances: row.try_get("instances")?,
                })
            })
            .collect()
    }

    /// How far the read model has caught up with history.
    pub async fn status(&self) -> Result<ReadModelStatus, InsightsError> {
        let cursor = sqlx::query("SELECT high_water, updated_at FROM insights_cursor WHERE id = 1")
            .fetch_one(self.store().pool())
            .await?;
        let head = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS head FROM history")
            .fetch_one(self.store().pool())
            .await?;
        let gaps = sqlx::query("SELECT COUNT(*) AS n FROM insights_gaps")
            .fetch_one(self.store().pool())
            .await?;
        Ok(ReadModelStatus {
            high_water: cursor.try_get("high_water")?,
            history_head: head.try_get("head")?,
            awaited_gaps: gaps.try_get("n")?,
            as_of: cursor.try_get("updated_at")?,
        })
    }
}
