//! Folding history into the read model: one batch per transaction, the
//! cursor advanced in the same transaction as the aggregates.

use std::collections::{BTreeMap, HashMap, HashSet};

use flowdesk_store::{Dialect, Millis, Tx};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sketch::Sketch;
use crate::{
    day_start, hour_start, month_start, next_month_start, wall_clock, Insights, InsightsError,
};

/// How long a missing history seq below the high-water mark is waited for
/// (a PostgreSQL transaction that took its seq before a later one committed)
/// before it is taken for a rolled-back insert and forgotten.
pub const GAP_GRACE_MS: Millis = 10 * 60 * 1000;

/// A jump in seq larger than this is not tracked seq by seq (a sequence
/// restart or cache jump, not transactions in flight).
const MAX_TRACKED_GAP: i64 = 1_000;

/// Bind parameters per statement: under SQLite's oldest limit (999).
const MAX_PARAMS: usize = 900;

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    /// History events folded.
    pub events: usize,
    /// The cursor after the batch: every seq up to it is consumed, except
    /// the gaps still awaited.
    pub high_water: i64,
    /// Whether the batch was full (more history may be waiting).
    pub more: bool,
}

/// Count, sum, extremes and sketch of durations in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Durations {
    pub count: i64,
    pub sum: i64,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub sketch: Sketch,
}

impl Durations {
    pub fn add(&mut self, millis: i64) {
        let millis = millis.max(0);
        self.count += 1;
        self.sum += millis;
        self.min = Some(self.min.map_or(millis, |min| min.min(millis)));
        self.max = Some(self.max.map_or(millis, |max| max.max(millis)));
        self.sketch.add(millis);
    }

    pub fn merge(&mut self, other: &Durations) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.sketch.merge(&other.sketch);
    }

    pub fn from_row(row: &AnyRow, prefix: &str) -> Result<Durations, InsightsError> {
        let sketch: Vec<u8> = row.try_get(format!("{prefix}_sketch").as_str())?;
        Ok(Durations {
            count: row.try_get(format!("{prefix}_count").as_str())?,
            sum: row.try_get(format!("{prefix}_sum").as_str())?,
            min: row.try_get(format!("{prefix}_min").as_str())?,
            max: row.try_get(format!("{prefix}_max").as_str())?,
            sketch: Sketch::from_bytes(&sketch)
                .map_err(|e| InsightsError::InvalidData(e.to_string()))?,
        })
    }
}

/// A bucket size of the read model's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// A UTC hour.
    Hour,
    /// A UTC day.
    Day,
    /// A calendar month (UTC).
    Month,
}

impl Level {
    /// Start of the bucket holding `at`.
    pub fn floor(self, at: Millis) -> Millis {
        match self {
            Level::Hour => hour_start(at),
            Level::Day => day_start(at),
            Level::Month => month_start(at),
        }
    }

    /// The first bucket start at or after `at`.
    pub fn ceil(self, at: Millis) -> Millis {
        let floor = self.floor(at);
        if floor == at {
            at
        } else {
            match self {
                Level::Hour => floor.saturating_add(3_600_000),
                Level::Day => floor.saturating_add(86_400_000),
                Level::Month => next_month_start(at),
            }
        }
    }

    /// The column holding a bucket's start.
    pub fn column(self) -> &'static str {
        match self {
            Level::Hour => "hour_start",
            Level::Day => "day_start",
            Level::Month => "month_start",
        }
    }
}

/// One table of aggregates: its bucket size and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rollup {
    pub level: Level,
    pub table: &'static str,
}

/// The process tables, finest first: each coarser one holds the sums of
/// the finer rows in its bucket.
pub(crate) const PROCESS_ROLLUPS: [Rollup; 3] = [
    Rollup {
        level: Level::Hour,
        table: "insights_process_hour",
    },
    Rollup {
        level: Level::Day,
        table: "insights_process_day",
    },
    Rollup {
        level: Level::Month,
        table: "insights_process_month",
    },
];

/// The element tables, finest first.
pub(crate) const ELEMENT_ROLLUPS: [Rollup; 2] = [
    Rollup {
        level: Level::Day,
        table: "insights_element_day",
    },
    Rollup {
        level: Level::Month,
        table: "insights_element_month",
    },
];

/// One row of a process table (without its key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProcessRow {
    pub started: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub duration: Durations,
}

impl ProcessRow {
    pub fn merge(&mut self, other: &ProcessRow) {
        self.started += other.started;
        self.completed += other.completed;
        self.cancelled += other.cancelled;
        self.incidents_opened += other.incidents_opened;
        self.incidents_resolved += other.incidents_resolved;
        self.duration.merge(&other.duration);
    }

    pub fn from_row(row: &AnyRow) -> Result<ProcessRow, InsightsError> {
        Ok(ProcessRow {
            started: row.try_get("started")?,
            completed: row.try_get("completed")?,
            cancelled: row.try_get("cancelled")?,
            incidents_opened: row.try_get("incidents_opened")?,
            incidents_resolved: row.try_get("incidents_resolved")?,
            duration: Durations::from_row(row, "duration")?,
        })
    }
}

/// One row of an element table (without its key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ElementRow {
    pub element_type: String,
    pub activated: i64,
    pub completed: i64,
    pub terminated: i64,
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub duration: Durations,
    pub wait: Durations,
}

impl ElementRow {
    pub fn merge(&mut self, other: &ElementRow) {
        if self.element_type.is_empty() {
            self.element_type = other.element_type.clone();
        }
        self.activated += other.activated;
        self.completed += other.completed;
        self.terminated += other.terminated;
        self.incidents_opened += other.incidents_opened;
        self.incidents_resolved += other.incidents_resolved;
        self.duration.merge(&other.duration);
        self.wait.merge(&other.wait);
    }

    pub fn from_row(row: &AnyRow) -> Result<ElementRow, InsightsError> {
        Ok(ElementRow {
            element_type: row.try_get("element_type")?,
            activated: row.try_get("activated")?,
            completed: row.try_get("completed")?,
            terminated: row.try_get("terminated")?,
            incidents_opened: row.try_get("incidents_opened")?,
            incidents_resolved: row.try_get("incidents_resolved")?,
            duration: Durations::from_row(row, "duration")?,
            wait: Durations::from_row(row, "wait")?,
        })
    }
}

type ProcessKey = (String, i64, Millis);
type ElementKey = (String, i64, String, Millis);

/// An instance as the read model knows it.
#[derive(Debug, Clone)]
struct Fact {
    process_id: String,
    version: i64,
    started_at: Millis,
    ended_at: Option<Millis>,
    end_state: Option<&'static str>,
    changed: bool,
}

/// Something open across batches.
#[derive(Debug, Clone)]
struct Pending {
    instance_id: String,
    element_id: String,
    since: Millis,
}

const ELEMENT: &str = "element";
const USER_TASK: &str = "userTask";
const INCIDENT: &str = "incident";

type PendingKey = (&'static str, i64);

struct Event {
    seq: i64,
    instance_id: String,
    at: Millis,
    kind: String,
    element_id: Option<String>,
    detail: Value,
}

fn event_from_row(row: &AnyRow) -> Result<Event, InsightsError> {
    let seq: i64 = row.try_get("seq")?;
    let detail: String = row.try_get("detail")?;
    Ok(Event {
        seq,
        instance_id: row.try_get("instance_id")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        element_id: row.try_get("element_id")?,
        detail: serde_json::from_str(&detail).map_err(|e| {
            InsightsError::InvalidData(format!("history seq {seq}: detail is not JSON: {e}"))
        })?,
    })
}

fn detail_key(event: &Event, pointer: &str) -> Result<i64, InsightsError> {
    event
        .detail
        .pointer(pointer)
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            InsightsError::InvalidData(format!(
                "history seq {} ({}): no {pointer} in its detail",
                event.seq, event.kind
            ))
        })
}

/// `$first, $first+1, …` for `n` parameters.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($a, $b), ($c, $d), …`: `rows` tuples of `width` parameters.
fn tuples(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|row| format!("({})", placeholders(1 + row * width, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

const HISTORY_COLUMNS: &str = "seq, instance_id, at, kind, element_id, detail";

/// The in-memory result of folding one batch, before it is written.
#[derive(Default)]
struct Fold {
    facts: HashMap<String, Fact>,
    pending_db: HashMap<PendingKey, Pending>,
    pending_new: HashMap<PendingKey, Pending>,
    pending_delete: Vec<PendingKey>,
    ended: Vec<String>,
    processes: BTreeMap<ProcessKey, ProcessRow>,
    elements: BTreeMap<ElementKey, ElementRow>,
}

impl Fold {
    fn close(&mut self, kind: &'static str, key: i64) -> Option<Pending> {
        if let Some(pending) = self.pending_new.remove(&(kind, key)) {
            return Some(pending);
        }
        let pending = self.pending_db.remove(&(kind, key))?;
        self.pending_delete.push((kind, key));
        Some(pending)
    }

    fn element(&mut self, fact: &Fact, element_id: &str, at: Millis) -> &mut ElementRow {
        self.elements
            .entry((
                fact.process_id.clone(),
                fact.version,
                element_id.to_string(),
                day_start(at),
            ))
            .or_default()
    }

    fn process(&mut self, fact: &Fact, at: Millis) -> &mut ProcessRow {
        self.processes
            .entry((fact.process_id.clone(), fact.version, hour_start(at)))
            .or_default()
    }

    fn apply(&mut self, event: &Event) -> Result<(), InsightsError> {
        let Some(fact) = self.facts.get(&event.instance_id).cloned() else {
            return Err(InsightsError::InvalidData(format!(
                "history seq {}: instance {} is unknown",
                event.seq, event.instance_id
            )));
        };
        if fact.ended_at.is_some() {
            // Nothing happens to an ended instance; ignore stray events.
            return Ok(());
        }
        let element_id = event.element_id.as_deref().unwrap_or_default();
        match event.kind.as_str() {
            "elementActivated" => {
                let key = detail_key(event, "/element_instance_key")?;
                let element_type = event
                    .detail
                    .get("element_type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let row = self.element(&fact, element_id, event.at);
                row.activated += 1;
                if row.element_type.is_empty() {
                    row.element_type = element_type;
                }
                self.pending_new.insert(
                    (ELEMENT, key),
                    Pending {
                        instance_id: event.instance_id.clone(),
                        element_id: element_id.to_string(),
                        since: event.at,
                    },
                );
            }
            "elementCompleted" | "elementTerminated" => {
                let key = detail_key(event, "/element_instance_key")?;
                let opened = self.close(ELEMENT, key);
                let completed = event.kind == "elementCompleted";
                let row = self.element(&fact, element_id, event.at);
                if completed {
                    row.completed += 1;
                    if let Some(opened) = opened {
                        row.duration.add(event.at - opened.since);
                    }
                } else {
                    row.terminated += 1;
                }
            }
            "jobCreated"
                if event.detail.get("kind").and_then(Value::as_str) == Some("userTask") =>
            {
                let key = detail_key(event, "/key")?;
                self.pending_new.insert(
                    (USER_TASK, key),
                    Pending {
                        instance_id: event.instance_id.clone(),
                        element_id: element_id.to_string(),
                        since: event.at,
                    },
                );
            }
            "jobCompleted" => {
                let key = detail_key(event, "/key")?;
                if let Some(task) = self.close(USER_TASK, key) {
                    self.element(&fact, &task.element_id, event.at)
                        .wait
                        .add(event.at - task.since);
                }
            }
            "jobCancelled" => {
                let key = detail_key(event, "/key")?;
                self.close(USER_TASK, key);
            }
            "incidentRaised" => {
                let key = detail_key(event, "/incident/key")?;
                let incident_element = event
                    .detail
                    .pointer("/incident/element_id")
                    .and_then(Value::as_str)
                    .unwrap_or(element_id)
                    .to_string();
                self.element(&fact, &incident_element, event.at)
                    .incidents_opened += 1;
                self.process(&fact, event.at).incidents_opened += 1;
                self.pending_new.insert(
                    (INCIDENT, key),
                    Pending {
                        instance_id: event.instance_id.clone(),
                        element_id: incident_element,
                        since: event.at,
                    },
                );
            }
            "incidentResolved" => {
                let key = detail_key(event, "/key")?;
                if let Some(incident) = self.close(INCIDENT, key) {
                    self.element(&fact, &incident.element_id, event.at)
                        .incidents_resolved += 1;
                    self.process(&fact, event.at).incidents_resolved += 1;
                }
            }
            "instanceCompleted" | "instanceTerminated" => {
                let completed = event.kind == "instanceCompleted";
                let row = self.process(&fact, event.at);
                if completed {
                    row.completed += 1;
                } else {
                    row.cancelled += 1;
                }
                row.duration.add(event.at - fact.started_at);
                if let Some(stored) = self.facts.get_mut(&event.instance_id) {
                    stored.ended_at = Some(event.at);
                    stored.end_state = Some(if completed { "completed" } else { "cancelled" });
                    stored.changed = true;
                }
                let instance_id = &event.instance_id;
                self.pending_new
                    .retain(|_, pending| &pending.instance_id != instance_id);
                self.pending_db
                    .retain(|_, pending| &pending.instance_id != instance_id);
                self.ended.push(instance_id.clone());
            }
            _ => {}
        }
        Ok(())
    }
}

impl Insights {
    /// Starts a transaction for folding: on SQLite it takes the writer lock
    /// at once (`BEGIN IMMEDIATE`), so the batch read and the write see the
    /// same history.
    pub async fn begin(&self) -> Result<Tx<'static>, InsightsError> {
        Ok(match self.store().dialect() {
            Dialect::Sqlite => self.store().pool().begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.store().pool().begin().await?,
        })
    }

    /// Folds up to `batch` history events after the cursor into the read
    /// model inside `tx` and advances the cursor there. Nothing is visible
    /// until the caller commits; dropping `tx` instead loses the whole batch
    /// and leaves the cursor where it was. `now` is the wall clock, used for
    /// the gap bookkeeping only ([`GAP_GRACE_MS`]).
    ///
    /// Concurrent callers (several nodes) are serialised by the cursor row
    /// lock on PostgreSQL and the writer lock on SQLite.
    pub async fn fold_batch(
        &self,
        tx: &mut Tx<'_>,
        batch: usize,
        now: Millis,
    ) -> Result<BatchOutcome, InsightsError> {
        let batch = batch.max(1);
        let lock = match self.store().dialect() {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        };
        let cursor = sqlx::query(&format!(
            "SELECT high_water FROM insights_cursor WHERE id = 1{lock}"
        ))
        .fetch_one(&mut **tx)
        .await?;
        let high_water: i64 = cursor.try_get("high_water")?;

        let gap_rows = sqlx::query("SELECT seq, first_seen_at FROM insights_gaps ORDER BY seq")
            .fetch_all(&mut **tx)
            .await?;
        let mut gaps = BTreeMap::new();
        for row in &gap_rows {
            gaps.insert(
                row.try_get::<i64, _>("seq")?,
                row.try_get::<i64, _>("first_seen_at")?,
            );
        }

        let rows = sqlx::query(&format!(
            "SELECT {HISTORY_COLUMNS} FROM history WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(high_water)
        .bind(i64::try_from(batch).unwrap_or(i64::MAX))
        .fetch_all(&mut **tx)
        .await?;
        let more = rows.len() == batch;
        let mut events = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;

        // Seqs skipped by the new events are awaited as gaps.
        let mut new_gaps = Vec::new();
        let mut expected = high_water + 1;
        for event in &events {
            if event.seq > expected && event.seq - expected <= MAX_TRACKED_GAP {
                new_gaps.extend(expected..event.seq);
            }
            expected = event.seq + 1;
        }
        let new_high_water = events.last().map_or(high_water, |event| event.seq);

        // Awaited gaps that have appeared meanwhile.
        let awaited: Vec<i64> = gaps.keys().copied().collect();
        let mut filled = Vec::new();
        for chunk in awaited.chunks(MAX_PARAMS) {
            let sql = format!(
                "SELECT {HISTORY_COLUMNS} FROM history WHERE seq IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for seq in chunk {
                query = query.bind(*seq);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let event = event_from_row(&row)?;
                filled.push(event.seq);
                events.push(event);
            }
        }
        events.sort_by_key(|event| event.seq);
        let expired: Vec<i64> = gaps
            .iter()
            .filter(|(seq, first_seen)| {
                !filled.contains(seq) && now.saturating_sub(**first_seen) > GAP_GRACE_MS
            })
            .map(|(seq, _)| *seq)
            .collect();

        let mut fold = Fold::default();
        self.load_facts(tx, &events, &mut fold).await?;
        self.load_pending(tx, &events, &mut fold).await?;
        for event in &events {
            fold.apply(event)?;
        }
        self.write(tx, &fold).await?;

        let mut gone: Vec<i64> = filled;
        gone.extend(expired);
        delete_in(tx, "DELETE FROM insights_gaps WHERE seq IN", &gone).await?;
        for chunk in new_gaps.chunks(MAX_PARAMS / 2) {
            let sql = format!(
                "INSERT INTO insights_gaps (seq, first_seen_at) VALUES {}",
                tuples(chunk.len(), 2)
            );
            let mut query = sqlx::query(&sql);
            for seq in chunk {
                query = query.bind(*seq).bind(now);
            }
            query.execute(&mut **tx).await?;
        }
        sqlx::query("UPDATE insights_cursor SET high_water = $1, updated_at = $2 WHERE id = 1")
            .bind(new_high_water)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        Ok(BatchOutcome {
            events: events.len(),
            high_water: new_high_water,
            more,
        })
    }

    /// Folds every history event not folded yet, `batch` events per
    /// transaction; returns how many were folded.
    pub async fn catch_up(&self, batch: usize) -> Result<u64, InsightsError> {
        let mut total = 0u64;
        loop {
            let mut tx = self.begin().await?;
            let outcome = self.fold_batch(&mut tx, batch, wall_clock()).await?;
            tx.commit().await?;
            total += outcome.events as u64;
            if !outcome.more {
                return Ok(total);
            }
        }
    }

    /// Empties the read model and folds all of history again, `batch`
    /// events per transaction; returns how many events were folded.
    /// Dashboards show partial numbers until it returns.
    pub async fn rebuild(&self, batch: usize) -> Result<u64, InsightsError> {
        let mut tx = self.begin().await?;
        let rollups = PROCESS_ROLLUPS.iter().chain(&ELEMENT_ROLLUPS);
        for table in rollups.map(|rollup| rollup.table).chain([
            "insights_pending",
            "insights_instances",
            "insights_gaps",
        ]) {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE insights_cursor SET high_water = 0, updated_at = $1 WHERE id = 1")
            .bind(wall_clock())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.catch_up(batch).await
    }

    /// Loads what the read model knows of the batch's instances, and the
    /// process and version of the ones it sees for the first time (counted
    /// as started in the hour they started).
    async fn load_facts(
        &self,
        tx: &mut Tx<'_>,
        events: &[Event],
        fold: &mut Fold,
    ) -> Result<(), InsightsError> {
        let ids: Vec<&str> = events
            .iter()
            .map(|event| event.instance_id.as_str())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for chunk in ids.chunks(MAX_PARAMS) {
            let sql = format!(
                "SELECT instance_id, process_id, version, started_at, ended_at, end_state \
                 FROM insights_instances WHERE instance_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let end_state: Option<String> = row.try_get("end_state")?;
                fold.facts.insert(
                    row.try_get("instance_id")?,
                    Fact {
                        process_id: row.try_get("process_id")?,
                        version: row.try_get("version")?,
                        started_at: row.try_get("started_at")?,
                        ended_at: row.try_get("ended_at")?,
                        end_state: match end_state.as_deref() {
                            Some("completed") => Some("completed"),
                            Some(_) => Some("cancelled"),
                            None => None,
                        },
                        changed: false,
                    },
                );
            }
        }
        let unseen: Vec<&str> = ids
            .into_iter()
            .filter(|id| !fold.facts.contains_key(*id))
            .collect();
        for chunk in unseen.chunks(MAX_PARAMS) {
            let sql = format!(
                "SELECT id, process_id, version, started_at FROM instances WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let fact = Fact {
                    process_id: row.try_get("process_id")?,
                    version: row.try_get("version")?,
                    started_at: row.try_get("started_at")?,
                    ended_at: None,
                    end_state: None,
                    changed: true,
                };
                fold.process(&fact, fact.started_at).started += 1;
                fold.facts.insert(row.try_get("id")?, fact);
            }
        }
        Ok(())
    }

    /// Loads the open items the batch closes that earlier batches opened.
    async fn load_pending(
        &self,
        tx: &mut Tx<'_>,
        events: &[Event],
        fold: &mut Fold,
    ) -> Result<(), InsightsError> {
        let mut wanted: BTreeMap<&'static str, HashSet<i64>> = BTreeMap::new();
        for event in events {
            let (kind, pointer) = match event.kind.as_str() {
                "elementCompleted" | "elementTerminated" => (ELEMENT, "/element_instance_key"),
                "jobCompleted" | "jobCancelled" => (USER_TASK, "/key"),
                "incidentResolved" => (INCIDENT, "/key"),
                _ => continue,
            };
            if let Some(key) = event.detail.pointer(pointer).and_then(Value::as_i64) {
                wanted.entry(kind).or_default().insert(key);
            }
        }
        for (kind, keys) in wanted {
            let keys: Vec<i64> = keys.into_iter().collect();
            for chunk in keys.chunks(MAX_PARAMS) {
                let sql = format!(
                    "SELECT key, instance_id, element_id, since FROM insights_pending \
                     WHERE kind = $1 AND key IN ({})",
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query(&sql).bind(kind);
                for key in chunk {
                    query = query.bind(*key);
                }
                for row in query.fetch_all(&mut **tx).await? {
                    fold.pending_db.insert(
                        (kind, row.try_get("key")?),
                        Pending {
                            instance_id: row.try_get("instance_id")?,
                            element_id: row.try_get("element_id")?,
                            since: row.try_get("since")?,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// Writes a folded batch: instance facts, open items, and the
    /// aggregates merged with their stored rows.
    async fn write(&self, tx: &mut Tx<'_>, fold: &Fold) -> Result<(), InsightsError> {
        let facts: Vec<(&String, &Fact)> =
            fold.facts.iter().filter(|(_, fact)| fact.changed).collect();
        for chunk in facts.chunks(MAX_PARAMS / 6) {
            let sql = format!(
                "INSERT INTO insights_instances \
                 (instance_id, process_id, version, started_at, ended_at, end_state) VALUES {} \
                 ON CONFLICT (instance_id) DO UPDATE SET ended_at = excluded.ended_at, \
                 end_state = excluded.end_state",
                tuples(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for (id, fact) in chunk {
                query = query
                    .bind(id.as_str())
                    .bind(fact.process_id.as_str())
                    .bind(fact.version)
                    .bind(fact.started_at)
                    .bind(fact.ended_at)
                    .bind(fact.end_state);
            }
            query.execute(&mut **tx).await?;
        }

        let mut by_kind: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
        for (kind, key) in &fold.pending_delete {
            by_kind.entry(kind).or_default().push(*key);
        }
        for (kind, keys) in by_kind {
            for chunk in keys.chunks(MAX_PARAMS) {
                let sql = format!(
                    "DELETE FROM insights_pending WHERE kind = $1 AND key IN ({})",
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query(&sql).bind(kind);
                for key in chunk {
                    query = query.bind(*key);
                }
                query.execute(&mut **tx).await?;
            }
        }
        let ended: Vec<&str> = fold.ended.iter().map(String::as_str).collect();
        for chunk in ended.chunks(MAX_PARAMS) {
            let sql = format!(
                "DELETE FROM insights_pending WHERE instance_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut **tx).await?;
        }
        let opened: Vec<(&PendingKey, &Pending)> = fold.pending_new.iter().collect();
        for chunk in opened.chunks(MAX_PARAMS / 5) {
            let sql = format!(
                "INSERT INTO insights_pending (kind, key, instance_id, element_id, since) VALUES {}",
                tuples(chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for ((kind, key), pending) in chunk {
                query = query
                    .bind(*kind)
                    .bind(*key)
                    .bind(pending.instance_id.as_str())
                    .bind(pending.element_id.as_str())
                    .bind(pending.since);
            }
            query.execute(&mut **tx).await?;
        }

        // The hourly (daily) deltas summed into each coarser bucket: every
        // level gets the same events in the same transaction.
        for rollup in PROCESS_ROLLUPS {
            let mut deltas: BTreeMap<ProcessKey, ProcessRow> = BTreeMap::new();
            for ((process_id, version, at), delta) in &fold.processes {
                deltas
                    .entry((process_id.clone(), *version, rollup.level.floor(*at)))
                    .or_default()
                    .merge(delta);
            }
            self.write_processes(tx, rollup, &deltas).await?;
        }
        for rollup in ELEMENT_ROLLUPS {
            let mut deltas: BTreeMap<ElementKey, ElementRow> = BTreeMap::new();
            for ((process_id, version, element_id, at), delta) in &fold.elements {
                deltas
                    .entry((
                        process_id.clone(),
                        *version,
                        element_id.clone(),
                        rollup.level.floor(*at),
                    ))
                    .or_default()
                    .merge(delta);
            }
            self.write_elements(tx, rollup, &deltas).await?;
        }
        Ok(())
    }

    /// Adds `deltas` to the rows of `rollup`'s table.
    async fn write_processes(
        &self,
        tx: &mut Tx<'_>,
        rollup: Rollup,
        deltas: &BTreeMap<ProcessKey, ProcessRow>,
    ) -> Result<(), InsightsError> {
        let (table, bucket) = (rollup.table, rollup.level.column());
        let keys: Vec<&ProcessKey> = deltas.keys().collect();
        let mut merged: BTreeMap<ProcessKey, ProcessRow> = BTreeMap::new();
        for chunk in keys.chunks(MAX_PARAMS / 3) {
            let sql = format!(
                "SELECT * FROM {table} WHERE (process_id, version, {bucket}) IN (VALUES {})",
                tuples(chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for (process_id, version, hour) in chunk {
                query = query.bind(process_id.as_str()).bind(*version).bind(*hour);
            }
            for row in query.fetch_all(&mut **tx).await? {
                merged.insert(
                    (
                        row.try_get("process_id")?,
                        row.try_get("version")?,
                        row.try_get(bucket)?,
                    ),
                    ProcessRow::from_row(&row)?,
                );
            }
        }
        for (key, delta) in deltas {
            merged.entry(key.clone()).or_default().merge(delta);
        }
        let rows: Vec<(&ProcessKey, &ProcessRow)> = merged.iter().collect();
        const WIDTH: usize = 13;
        for chunk in rows.chunks(MAX_PARAMS / WIDTH) {
            let sql = format!(
                "INSERT INTO {table} (process_id, version, {bucket}, started, \
                 completed, cancelled, incidents_opened, incidents_resolved, duration_count, \
                 duration_sum, duration_min, duration_max, duration_sketch) VALUES {} \
                 ON CONFLICT (process_id, version, {bucket}) DO UPDATE SET \
                 started = excluded.started, completed = excluded.completed, \
                 cancelled = excluded.cancelled, incidents_opened = excluded.incidents_opened, \
                 incidents_resolved = excluded.incidents_resolved, \
                 duration_count = excluded.duration_count, duration_sum = excluded.duration_sum, \
                 duration_min = excluded.duration_min, duration_max = excluded.duration_max, \
                 duration_sketch = excluded.duration_sketch",
                tuples(chunk.len(), WIDTH)
            );
            let mut query = sqlx::query(&sql);
            for ((process_id, version, hour), row) in chunk {
                query = query
                    .bind(process_id.as_str())
                    .bind(*version)
                    .bind(*hour)
                    .bind(row.started)
                    .bind(row.completed)
                    .bind(row.cancelled)
                    .bind(row.incidents_opened)
                    .bind(row.incidents_resolved)
                    .bind(row.duration.count)
                    .bind(row.duration.sum)
                    .bind(row.duration.min)
                    .bind(row.duration.max)
                    .bind(row.duration.sketch.to_bytes());
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Adds `deltas` to the rows of `rollup`'s table.
    async fn write_elements(
        &self,
        tx: &mut Tx<'_>,
        rollup: Rollup,
        deltas: &BTreeMap<ElementKey, ElementRow>,
    ) -> Result<(), InsightsError> {
        let (table, bucket) = (rollup.table, rollup.level.column());
        let keys: Vec<&ElementKey> = deltas.keys().collect();
        let mut merged: BTreeMap<ElementKey, ElementRow> = BTreeMap::new();
        for chunk in keys.chunks(MAX_PARAMS / 4) {
            let sql = format!(
                "SELECT * FROM {table} \
                 WHERE (process_id, version, element_id, {bucket}) IN (VALUES {})",
                tuples(chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql);
            for (process_id, version, element_id, day) in chunk {
                query = query
                    .bind(process_id.as_str())
                    .bind(*version)
                    .bind(element_id.as_str())
                    .bind(*day);
            }
            for row in query.fetch_all(&mut **tx).await? {
                merged.insert(
                    (
                        row.try_get("process_id")?,
                        row.try_get("version")?,
                        row.try_get("element_id")?,
                        row.try_get(bucket)?,
                    ),
                    ElementRow::from_row(&row)?,
                );
            }
        }
        for (key, delta) in deltas {
            merged.entry(key.clone()).or_default().merge(delta);
        }
        let rows: Vec<(&ElementKey, &ElementRow)> = merged.iter().collect();
        const WIDTH: usize = 20;
        for chunk in rows.chunks(MAX_PARAMS / WIDTH) {
            let sql = format!(
                "INSERT INTO {table} (process_id, version, element_id, {bucket}, \
                 element_type, activated, completed, terminated, incidents_opened, \
                 incidents_resolved, duration_count, duration_sum, duration_min, duration_max, \
                 duration_sketch, wait_count, wait_sum, wait_min, wait_max, wait_sketch) \
                 VALUES {} ON CONFLICT (process_id, version, element_id, {bucket}) DO UPDATE SET \
                 element_type = excluded.element_type, activated = excluded.activated, \
                 completed = excluded.completed, terminated = excluded.terminated, \
                 incidents_opened = excluded.incidents_opened, \
                 incidents_resolved = excluded.incidents_resolved, \
                 duration_count = excluded.duration_count, duration_sum = excluded.duration_sum, \
                 duration_min = excluded.duration_min, duration_max = excluded.duration_max, \
                 duration_sketch = excluded.duration_sketch, wait_count = excluded.wait_count, \
                 wait_sum = excluded.wait_sum, wait_min = excluded.wait_min, \
                 wait_max = excluded.wait_max, wait_sketch = excluded.wait_sketch",
                tuples(chunk.len(), WIDTH)
            );
            let mut query = sqlx::query(&sql);
            for ((process_id, version, element_id, day), row) in chunk {
                query = query
                    .bind(process_id.as_str())
                    .bind(*version)
                    .bind(element_id.as_str())
                    .bind(*day)
                    .bind(row.element_type.as_str())
                    .bind(row.activated)
                    .bind(row.completed)
                    .bind(row.terminated)
                    .bind(row.incidents_opened)
                    .bind(row.incidents_resolved)
                    .bind(row.duration.count)
                    .bind(row.duration.sum)
                    .bind(row.duration.min)
                    .bind(row.duration.max)
                    .bind(row.duration.sketch.to_bytes())
                    .bind(row.wait.count)
                    .bind(row.wait.sum)
                    .bind(row.wait.min)
                    .bind(row.wait.max)
                    .bind(row.wait.sketch.to_bytes());
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// `DELETE … IN (…)` over `seqs` in chunks.
async fn delete_in(tx: &mut Tx<'_>, prefix: &str, seqs: &[i64]) -> Result<(), InsightsError> {
    for chunk in seqs.chunks(MAX_PARAMS) {
        let sql = format!("{prefix} ({})", placeholders(1, chunk.len()));
        let mut query = sqlx::query(&sql);
        for seq in chunk {
            query = query.bind(*seq);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
