//! Tile data restricted to the instances whose process variable has a given
//! value (a dashboard's variable filter).
//!
//! The rollups have no variable dimension, so these numbers come from the
//! instance-level data the read model keeps (`insights_instances`: start,
//! end and end state of every instance folded) joined with the instances'
//! variables (`instances.variables`), and from the folded history for
//! incidents. They are bucketed by hour exactly as the fold buckets them, so
//! a filter that every instance matches gives the read model's own numbers.
//! Element-level metrics (per-element bars, the heatmap, user task waits)
//! are not kept per instance and are refused under a variable filter.

use std::collections::{BTreeMap, HashMap};

use flowdesk_store::definitions::{self, Kind};
use flowdesk_store::Millis;
use serde_json::Value;
use sqlx::Row;

use crate::dashboards::{
    kpi_of, series_granularity, table, throughput, tile_points, Metric, Tile, TileData, TileItem,
    TileKind, VariableFilter,
};
use crate::fold::{Level, ProcessRow};
use crate::query::{DurationStats, Kpis, SeriesPoint, MAX_BUCKETS};
use crate::{Filter, Granularity, Insights, InsightsError};

/// Per process, the hourly rows of the matching instances (hour start → row).
#[derive(Debug, Default)]
pub(crate) struct Subset {
    by_process: BTreeMap<String, BTreeMap<Millis, ProcessRow>>,
}

/// Whether the variable `name` in the instance variables `document` equals
/// `value` (JSON equality; numbers compare by value, so 2 equals 2.0).
fn matches(document: &Value, name: &str, value: &Value) -> bool {
    match (document.get(name), value) {
        (Some(Value::Number(held)), Value::Number(wanted)) => {
            match (held.as_i64(), wanted.as_i64()) {
                (Some(a), Some(b)) => a == b,
                _ => held.as_f64() == wanted.as_f64(),
            }
        }
        (Some(held), wanted) => held == wanted,
        (None, _) => false,
    }
}

impl Subset {
    fn hours<'a>(
        &'a self,
        process_id: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Millis, &'a ProcessRow)> + 'a {
        self.by_process
            .iter()
            .filter(move |(process, _)| process_id.is_none_or(|p| p == process.as_str()))
            .flat_map(|(_, hours)| hours.iter())
    }

    /// The processes with a matching instance, in id order.
    pub(crate) fn processes(&self) -> impl Iterator<Item = &str> {
        self.by_process.keys().map(String::as_str)
    }

    /// Matching instances active before the hour boundary `at`.
    fn active_before(&self, process_id: Option<&str>, at: Option<Millis>) -> i64 {
        self.hours(process_id)
            .filter(|(hour, _)| at.is_none_or(|at| **hour < at))
            .map(|(_, row)| row.started - row.completed - row.cancelled)
            .sum()
    }

    /// The KPIs of the matching instances over the filter's range, read as
    /// [`Insights::kpis`] reads the rollups.
    pub(crate) fn kpis(&self, filter: &Filter) -> Kpis {
        let (from, to) = hour_range(filter);
        let process_id = filter.process_id.as_deref();
        let mut total = ProcessRow::default();
        for (_, row) in self
            .hours(process_id)
            .filter(|(hour, _)| in_range(**hour, from, to))
        {
            total.merge(row);
        }
        Kpis {
            started: total.started,
            completed: total.completed,
            cancelled: total.cancelled,
            active: self.active_before(process_id, to),
            incidents_opened: total.incidents_opened,
            incidents_resolved: total.incidents_resolved,
            duration: DurationStats::of(&total.duration),
        }
    }

    /// The time series of the matching instances, with the buckets
    /// [`Insights::time_series`] gives for the same filter.
    pub(crate) fn time_series(
        &self,
        filter: &Filter,
        granularity: Granularity,
    ) -> Result<Vec<SeriesPoint>, InsightsError> {
        let (from, to) = hour_range(filter);
        let process_id = filter.process_id.as_deref();
        let mut grouped: BTreeMap<Millis, ProcessRow> = BTreeMap::new();
        let (mut first_hour, mut last_hour) = (None::<Millis>, None::<Millis>);
        for (hour, row) in self
            .hours(process_id)
            .filter(|(hour, _)| in_range(**hour, from, to))
        {
            first_hour = Some(first_hour.map_or(*hour, |h| h.min(*hour)));
            last_hour = Some(last_hour.map_or(*hour + 1, |h| h.max(*hour + 1)));
            grouped
                .entry(granularity.start(*hour))
                .or_default()
                .merge(row);
        }
        let (Some(first), Some(last)) = (filter.from.or(first_hour), filter.to.or(last_hour))
        else {
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
        let mut active = self.active_before(process_id, Some(from.unwrap_or(start)));
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
}

/// The hour starts `[from, to)` a filter's range holds (as the rollup queries).
fn hour_range(filter: &Filter) -> (Option<Millis>, Option<Millis>) {
    (
        filter.from.map(|at| Level::Hour.ceil(at)),
        filter.to.map(|at| Level::Hour.ceil(at)),
    )
}

fn in_range(at: Millis, from: Option<Millis>, to: Option<Millis>) -> bool {
    from.is_none_or(|from| at >= from) && to.is_none_or(|to| at < to)
}

/// `WHERE` conditions on `insights_instances ii` for the filter's process
/// and version, and their binds (text, then number).
fn instance_conditions(filter: &Filter) -> (String, Option<String>, Option<i64>) {
    let mut parts = Vec::new();
    if filter.process_id.is_some() {
        parts.push("ii.process_id = $1".to_string());
    }
    if filter.version.is_some() {
        let n = if filter.process_id.is_some() { 2 } else { 1 };
        parts.push(format!("ii.version = ${n}"));
    }
    let sql = parts
        .iter()
        .map(|p| format!(" AND {p}"))
        .collect::<String>();
    (sql, filter.process_id.clone(), filter.version)
}

impl Subset {
    /// A KPI of the matching instances over the filter's range.
    fn kpi_value(&self, filter: &Filter, metric: Metric) -> Result<Option<f64>, InsightsError> {
        Ok(match metric {
            Metric::Throughput => throughput(&self.time_series(filter, Granularity::Day)?),
            other => kpi_of(&self.kpis(filter), other),
        })
    }

    /// Bar, pie and table items per process (no process is filtered).
    fn items(&self, filter: &Filter, metric: Metric) -> Result<Vec<TileItem>, InsightsError> {
        let mut items = Vec::new();
        for process_id in self.processes() {
            let value = self.kpi_value(
                &Filter {
                    process_id: Some(process_id.to_string()),
                    ..filter.clone()
                },
                metric,
            )?;
            if let Some(value) = value {
                items.push(TileItem {
                    label: process_id.to_string(),
                    value,
                });
            }
        }
        Ok(items)
    }
}

impl Insights {
    /// The data of `tile` under `filter` and the variable filter (named
    /// `path` in errors); tiles that need element-level data are refused.
    pub(crate) async fn variable_tile_data(
        &self,
        tile: &Tile,
        filter: &Filter,
        variable: &VariableFilter,
        path: &str,
    ) -> Result<TileData, InsightsError> {
        let metric = tile.metric;
        let per_element = match tile.kind {
            TileKind::Heatmap => Some("as a heatmap of elements"),
            TileKind::Bar | TileKind::Pie | TileKind::Table if filter.process_id.is_some() => {
                Some("per element")
            }
            _ if metric == Metric::UserTaskWait => Some("(the wait of user tasks)"),
            _ => None,
        };
        if let Some(shape) = per_element {
            return Err(InsightsError::InvalidQuery(format!(
                "{path}: tile {:?} shows {} {shape}, which is kept per element and cannot be restricted to instances whose variable {:?} is {}; kpi and series tiles, and bars, pies and tables per process, can",
                tile.id,
                metric.as_str(),
                variable.name,
                variable.value
            )));
        }
        self.refuse_sensitive(filter, variable, path).await?;
        let subset = self.variable_subset(filter, variable).await?;
        Ok(match tile.kind {
            TileKind::Kpi => {
                let value = subset.kpi_value(filter, metric)?;
                let previous = match (filter.from, filter.to) {
                    (Some(from), Some(to)) => Some(subset.kpi_value(
                        &Filter {
                            from: Some(from - (to - from)),
                            to: Some(from),
                            ..filter.clone()
                        },
                        metric,
                    )?),
                    _ => None,
                };
                TileData::Kpi { value, previous }
            }
            TileKind::Series => TileData::Series {
                points: tile_points(
                    metric,
                    subset.time_series(filter, series_granularity(filter))?,
                ),
            },
            TileKind::Bar | TileKind::Pie => TileData::Items {
                items: subset.items(filter, metric)?,
            },
            TileKind::Table => table("process_id", metric, subset.items(filter, metric)?),
            TileKind::Heatmap => unreachable!("refused above"),
        })
    }

    /// Refuses a variable filter on a sensitive (sealed) variable: the
    /// server's patterns, and those the BPMN of the filtered process (else
    /// of any process) declares. `path` names the filter.
    pub(crate) async fn refuse_sensitive(
        &self,
        filter: &Filter,
        variable: &VariableFilter,
        path: &str,
    ) -> Result<(), InsightsError> {
        let sensitive = self.store().sensitive();
        let mut sealed = sensitive.configured().matches(&variable.name);
        if !sealed {
            for definition in definitions::list(self.store().pool()).await? {
                let concerned = definition.kind == Kind::Bpmn
                    && filter
                        .process_id
                        .as_deref()
                        .is_none_or(|p| p == definition.process_id);
                if concerned
                    && sensitive
                        .of_definition(&definition)?
                        .matches(&variable.name)
                {
                    sealed = true;
                    break;
                }
            }
        }
        if sealed {
            return Err(InsightsError::InvalidQuery(format!(
                "{path}: {:?} is a sensitive variable; its values are sealed and cannot be filtered on",
                variable.name
            )));
        }
        Ok(())
    }

    /// The hourly rows of the instances of the filter's process and version
    /// whose variable matches, from the folded instances and history (every
    /// time, not only the filter's range: the backlog needs earlier hours).
    pub(crate) async fn variable_subset(
        &self,
        filter: &Filter,
        variable: &VariableFilter,
    ) -> Result<Subset, InsightsError> {
        let (conditions, process_id, version) = instance_conditions(filter);
        let sql = format!(
            "SELECT ii.instance_id, ii.process_id, ii.started_at, ii.ended_at, ii.end_state, \
             i.variables FROM insights_instances ii JOIN instances i ON i.id = ii.instance_id \
             WHERE 1 = 1{conditions}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(process_id) = &process_id {
            query = query.bind(process_id.as_str());
        }
        if let Some(version) = version {
            query = query.bind(version);
        }
        let mut subset = Subset::default();
        let mut process_of: HashMap<String, String> = HashMap::new();
        for row in query.fetch_all(self.store().pool()).await? {
            let instance_id: String = row.try_get("instance_id")?;
            let text: String = row.try_get("variables")?;
            let document: Value = serde_json::from_str(&text).map_err(|e| {
                InsightsError::InvalidData(format!(
                    "instance {instance_id}: variables are not JSON: {e}"
                ))
            })?;
            if !matches(&document, &variable.name, &variable.value) {
                continue;
            }
            let process: String = row.try_get("process_id")?;
            let started_at: Millis = row.try_get("started_at")?;
            let ended_at: Option<Millis> = row.try_get("ended_at")?;
            let end_state: Option<String> = row.try_get("end_state")?;
            let hours = subset.by_process.entry(process.clone()).or_default();
            hours
                .entry(Level::Hour.floor(started_at))
                .or_default()
                .started += 1;
            if let Some(ended_at) = ended_at {
                let row = hours.entry(Level::Hour.floor(ended_at)).or_default();
                if end_state.as_deref() == Some("completed") {
                    row.completed += 1;
                } else {
                    row.cancelled += 1;
                }
                row.duration.add(ended_at - started_at);
            }
            process_of.insert(instance_id, process);
        }
        if process_of.is_empty() {
            return Ok(subset);
        }
        // Incidents: only history the fold has consumed, as the rollups.
        let sql = format!(
            "SELECT h.instance_id, h.kind, h.at FROM history h \
             JOIN insights_instances ii ON ii.instance_id = h.instance_id \
             WHERE h.kind IN ('incidentRaised', 'incidentResolved') \
             AND h.seq <= (SELECT high_water FROM insights_cursor WHERE id = 1) \
             AND h.seq NOT IN (SELECT seq FROM insights_gaps) \
             AND (ii.ended_at IS NULL OR h.at <= ii.ended_at){conditions}"
        );
        let mut query = sqlx::query(&sql);
        if let Some(process_id) = &process_id {
            query = query.bind(process_id.as_str());
        }
        if let Some(version) = version {
            query = query.bind(version);
        }
        for row in query.fetch_all(self.store().pool()).await? {
            let instance_id: String = row.try_get("instance_id")?;
            let Some(process) = process_of.get(&instance_id) else {
                continue;
            };
            let kind: String = row.try_get("kind")?;
            let at: Millis = row.try_get("at")?;
            let hour = subset
                .by_process
                .entry(process.clone())
                .or_default()
                .entry(Level::Hour.floor(at))
                .or_default();
            if kind == "incidentRaised" {
                hour.incidents_opened += 1;
            } else {
                hour.incidents_resolved += 1;
            }
        }
        Ok(subset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variables_match_by_json_value() {
        let document = json!({"tier": "gold", "amount": 2, "rate": 0.5, "vip": true, "n": null});
        assert!(matches(&document, "tier", &json!("gold")));
        assert!(!matches(&document, "tier", &json!("silver")));
        assert!(matches(&document, "amount", &json!(2.0)));
        assert!(!matches(&document, "amount", &json!("2")));
        assert!(matches(&document, "rate", &json!(0.5)));
        assert!(matches(&document, "vip", &json!(true)));
        assert!(!matches(&document, "vip", &json!(1)));
        assert!(!matches(&document, "missing", &json!("gold")));
    }
}
