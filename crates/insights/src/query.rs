//! Queries of the read model: KPI summary, time series and per-element
//! statistics, all with the same [`Filter`].
//!
//! A bucket (an hour of process data, a day of element data) belongs to a
//! date range when its start lies in `[from, to)`; times are UTC
//! milliseconds since the Unix epoch. A query reads the whole months and
//! days of its range from the monthly and daily rollups and only the hours
//! (days) at its edges from the finest rows, so its cost grows with the
//! number of months, not of hours.

use std::collections::BTreeMap;

use flowdesk_store::Millis;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::fold::{
    Durations, ElementRow, Level, ProcessRow, Rollup, ELEMENT_ROLLUPS, PROCESS_ROLLUPS,
};
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

/// The earliest time a filter may name: 9999 BC (year -9999), January 1st, UTC.
pub const EARLIEST: Millis = -377_705_203_200_000;
/// The latest time a filter may name: the last millisecond of 9999, UTC.
pub const LATEST: Millis = 253_402_300_799_999;

impl Filter {
    /// Refuses bounds outside the years -9999..=9999 (the calendar the
    /// rollups use), naming the parameter.
    pub fn check(&self) -> Result<(), InsightsError> {
        for (name, bound) in [("from", self.from), ("to", self.to)] {
            if let Some(at) = bound.filter(|at| !(EARLIEST..=LATEST).contains(at)) {
                return Err(InsightsError::InvalidQuery(format!(
                    "{name} ({at}) must be from {EARLIEST} to {LATEST} (ms since the epoch: the years -9999 to 9999)"
                )));
            }
        }
        Ok(())
    }
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
    pub(crate) fn millis(self) -> Millis {
        match self {
            Granularity::Hour => 3_600_000,
            Granularity::Day => 86_400_000,
        }
    }

    pub(crate) fn start(self, at: Millis) -> Millis {
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

/// A part of a range read from one table: bucket starts in `[from, to)`
/// (`None`: unbounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    rollup: Rollup,
    from: Option<Millis>,
    to: Option<Millis>,
}

/// Splits the bucket starts `[from, to)` of `rollups[0]`'s level (bounds
/// aligned to it) into segments: whole buckets of the coarsest rollup the
/// range holds, and finer ones only at its edges. Reading the segments
/// reads every finest bucket of the range exactly once.
fn cover(from: Option<Millis>, to: Option<Millis>, rollups: &[Rollup]) -> Vec<Segment> {
    let Some((&finest, coarser)) = rollups.split_first() else {
        return Vec::new();
    };
    let whole = |from: Option<Millis>, to: Option<Millis>| Segment {
        rollup: finest,
        from,
        to,
    };
    let Some(next) = coarser.first() else {
        return vec![whole(from, to)];
    };
    let inner_from = from.map(|at| next.level.ceil(at));
    let inner_to = to.map(|at| next.level.floor(at));
    if let (Some(inner_from), Some(inner_to)) = (inner_from, inner_to) {
        if inner_from >= inner_to {
            return vec![whole(from, to)];
        }
    }
    let mut segments = Vec::new();
    if inner_from != from {
        segments.push(whole(from, inner_from));
    }
    segments.extend(cover(inner_from, inner_to, coarser));
    if inner_to != to {
        segments.push(whole(inner_to, to));
    }
    segments
}

/// The process-table buckets (hour starts) a filter's range holds.
fn hour_range(filter: &Filter) -> (Option<Millis>, Option<Millis>) {
    let ceil = |at: Millis| Level::Hour.ceil(at);
    (filter.from.map(ceil), filter.to.map(ceil))
}

/// The element-table buckets (day starts) a filter's range holds.
fn day_range(filter: &Filter) -> (Option<Millis>, Option<Millis>) {
    let ceil = |at: Millis| Level::Day.ceil(at);
    (filter.from.map(ceil), filter.to.map(ceil))
}

/// `SELECT {select} FROM` a segment's table with the filter's process and
/// version and the segment's range, and the binds in order (texts first,
/// then numbers: both dialects take `$n` in any order).
struct SegmentQuery {
    sql: String,
    texts: Vec<String>,
    numbers: Vec<i64>,
}

impl SegmentQuery {
    fn new(select: &str, filter: &Filter, segment: &Segment) -> SegmentQuery {
        let mut parts = Vec::new();
        let mut texts = Vec::new();
        let mut numbers = Vec::new();
        if let Some(process_id) = &filter.process_id {
            texts.push(process_id.clone());
            parts.push(format!("process_id = ${}", texts.len()));
        }
        let bucket = segment.rollup.level.column();
        for (value, condition) in [
            (filter.version, "version ="),
            (segment.from, &format!("{bucket} >=")),
            (segment.to, &format!("{bucket} <")),
        ] {
            if let Some(value) = value {
                numbers.push(value);
                parts.push(format!("{condition} ${}", texts.len() + numbers.len()));
            }
        }
        let mut sql = format!("SELECT {select} FROM {}", segment.rollup.table);
        if !parts.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&parts.join(" AND "));
        }
        SegmentQuery {
            sql,
            texts,
            numbers,
        }
    }

    async fn fetch(&self, insights: &Insights) -> Result<Vec<AnyRow>, InsightsError> {
        let mut query = sqlx::query(&self.sql);
        for text in &self.texts {
            query = query.bind(text.as_str());
        }
        for number in &self.numbers {
            query = query.bind(*number);
        }
        Ok(query.fetch_all(insights.store().pool()).await?)
    }
}

impl Insights {
    /// Process rows of the filter (process, version) covering the hours
    /// `[from, to)`, from the coarsest of `rollups` that fit: (bucket
    /// start, row).
    async fn process_rows(
        &self,
        filter: &Filter,
        (from, to): (Option<Millis>, Option<Millis>),
        rollups: &[Rollup],
    ) -> Result<Vec<(Millis, ProcessRow)>, InsightsError> {
        let mut out = Vec::new();
        for segment in cover(from, to, rollups) {
            let column = segment.rollup.level.column();
            for row in SegmentQuery::new("*", filter, &segment).fetch(self).await? {
                out.push((row.try_get(column)?, ProcessRow::from_row(&row)?));
            }
        }
        Ok(out)
    }

    /// Instances of the filter (process, version) active before the hour
    /// boundary `at` (all history in earlier hours).
    async fn active_before(
        &self,
        filter: &Filter,
        at: Option<Millis>,
    ) -> Result<i64, InsightsError> {
        let mut active = 0;
        for segment in cover(None, at, &PROCESS_ROLLUPS) {
            let query = SegmentQuery::new(
                "CAST(COALESCE(SUM(started - completed - cancelled), 0) AS BIGINT) AS active",
                filter,
                &segment,
            );
            for row in query.fetch(self).await? {
                active += row.try_get::<i64, _>("active")?;
            }
        }
        Ok(active)
    }

    /// KPI summary of a range.
    pub async fn kpis(&self, filter: &Filter) -> Result<Kpis, InsightsError> {
        filter.check()?;
        let range = hour_range(filter);
        let mut total = ProcessRow::default();
        for (_, row) in self.process_rows(filter, range, &PROCESS_ROLLUPS).await? {
            total.merge(&row);
        }
        Ok(Kpis {
            started: total.started,
            completed: total.completed,
            cancelled: total.cancelled,
            active: self.active_before(filter, range.1).await?,
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
        filter.check()?;
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from >= to {
                return Err(InsightsError::InvalidQuery(format!(
                    "from ({from}) must be before to ({to})"
                )));
            }
        }
        // Daily points may come from the daily rollup, hourly ones only
        // from the hourly rows.
        let rollups = match granularity {
            Granularity::Hour => &PROCESS_ROLLUPS[..1],
            Granularity::Day => &PROCESS_ROLLUPS[..2],
        };
        let range = hour_range(filter);
        let rows = self.process_rows(filter, range, rollups).await?;
        let (Some(first), Some(last)) = (
            filter.from.or(rows.iter().map(|(at, _)| *at).min()),
            filter.to.or(rows.iter().map(|(at, _)| *at + 1).max()),
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
        let mut grouped: BTreeMap<Millis, ProcessRow> = BTreeMap::new();
        for (at, row) in &rows {
            grouped
                .entry(granularity.start(*at))
                .or_default()
                .merge(row);
        }
        // The backlog before the first hour of the range, then each
        // bucket's hours (those of the range) added to it.
        let mut active = self
            .active_before(filter, Some(range.0.unwrap_or(start)))
            .await?;
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
        filter.check()?;
        let (from, to) = day_range(filter);
        let mut elements: BTreeMap<String, ElementRow> = BTreeMap::new();
        for segment in cover(from, to, &ELEMENT_ROLLUPS) {
            for row in SegmentQuery::new("*", filter, &segment).fetch(self).await? {
                elements
                    .entry(row.try_get("element_id")?)
                    .or_default()
                    .merge(&ElementRow::from_row(&row)?);
            }
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

    /// Every process version seen in history, with its instance count (the
    /// instances counted as started, summed over the monthly rollup).
    pub async fn processes(&self) -> Result<Vec<ProcessVersion>, InsightsError> {
        let rows = sqlx::query(
            "SELECT process_id, version, CAST(SUM(started) AS BIGINT) AS instances \
             FROM insights_process_month GROUP BY process_id, version \
             ORDER BY process_id, version",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{month_start, next_month_start};

    const HOUR: Millis = 3_600_000;
    const DAY: Millis = 86_400_000;
    /// 2026-01-01T00:00:00Z.
    const JAN: Millis = 1_767_225_600_000;
    const FEB: Millis = JAN + 31 * DAY;
    const MAR: Millis = FEB + 28 * DAY;

    #[test]
    fn months_are_calendar_months_in_utc() {
        assert_eq!(month_start(JAN), JAN);
        assert_eq!(month_start(FEB - 1), JAN);
        assert_eq!(month_start(MAR + 5 * HOUR), MAR);
        assert_eq!(next_month_start(JAN + 17 * DAY), FEB);
        assert_eq!(next_month_start(FEB), MAR);
        // 2025-12-31T23:59:59.999Z, a leap February (2024) and before 1970.
        assert_eq!(month_start(JAN - 1), JAN - 31 * DAY);
        assert_eq!(next_month_start(JAN - 1), JAN);
        let feb_2024 = 1_706_745_600_000;
        assert_eq!(next_month_start(feb_2024), feb_2024 + 29 * DAY);
        assert_eq!(month_start(-1), -31 * DAY);
        assert_eq!(next_month_start(-1), 0);
        assert_eq!(Level::Month.ceil(FEB), FEB);
        assert_eq!(Level::Month.ceil(FEB + 1), MAR);
        assert_eq!(Level::Day.ceil(FEB + 1), FEB + DAY);
        assert_eq!(Level::Hour.ceil(FEB - 1), FEB);
        // Far-off times stay ordered instead of failing.
        assert!(month_start(i64::MAX) > month_start(0));
        assert!(month_start(i64::MIN) < month_start(0));
    }

    fn segments(from: Option<Millis>, to: Option<Millis>, rollups: &[Rollup]) -> Vec<String> {
        cover(from, to, rollups)
            .into_iter()
            .map(|s| format!("{:?} {:?}..{:?}", s.rollup.level, s.from, s.to))
            .collect()
    }

    #[test]
    fn a_range_is_read_from_whole_months_then_days_then_hours() {
        let from = JAN + 19 * DAY + 14 * HOUR;
        let to = MAR + 2 * DAY + 6 * HOUR;
        assert_eq!(
            segments(Some(from), Some(to), &PROCESS_ROLLUPS),
            [
                format!("Hour {:?}..{:?}", Some(from), Some(JAN + 20 * DAY)),
                format!("Day {:?}..{:?}", Some(JAN + 20 * DAY), Some(FEB)),
                format!("Month {:?}..{:?}", Some(FEB), Some(MAR)),
                format!("Day {:?}..{:?}", Some(MAR), Some(MAR + 2 * DAY)),
                format!("Hour {:?}..{:?}", Some(MAR + 2 * DAY), Some(to)),
            ]
        );
        // Unbounded: all months; open at one end.
        assert_eq!(segments(None, None, &PROCESS_ROLLUPS), ["Month None..None"]);
        assert_eq!(
            segments(None, Some(FEB + 3 * HOUR), &PROCESS_ROLLUPS),
            [
                format!("Month None..{:?}", Some(FEB)),
                format!("Hour {:?}..{:?}", Some(FEB), Some(FEB + 3 * HOUR)),
            ]
        );
        // No whole day inside: hours only; no whole month: days and hours.
        assert_eq!(
            segments(Some(FEB + HOUR), Some(FEB + 20 * HOUR), &PROCESS_ROLLUPS),
            [format!(
                "Hour {:?}..{:?}",
                Some(FEB + HOUR),
                Some(FEB + 20 * HOUR)
            )]
        );
        assert_eq!(
            segments(Some(FEB), Some(FEB + 3 * DAY), &ELEMENT_ROLLUPS),
            [format!("Day {:?}..{:?}", Some(FEB), Some(FEB + 3 * DAY))]
        );
        // A daily series never reads months.
        assert_eq!(
            segments(Some(JAN), Some(MAR), &PROCESS_ROLLUPS[..2]),
            [format!("Day {:?}..{:?}", Some(JAN), Some(MAR))]
        );
    }
}
