//! The read model against history: for a generated workload every number
//! equals the same number computed directly by SQL over `history`; a
//! rebuild gives identical tables; a batch lost mid-way (transaction
//! dropped before commit) is folded again exactly once.

mod workload;

use std::collections::BTreeMap;

use flowdesk_insights::sketch::Sketch;
use flowdesk_insights::{Filter, Granularity, Insights};
use flowdesk_store::{dual_test, Dialect, Store};
use sqlx::any::AnyRow;
use sqlx::Row;

const INSTANCES: u64 = 2_000;

/// Durations as the read model stores them: count, sum, min, max, sketch.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Durations {
    count: i64,
    sum: i64,
    min: Option<i64>,
    max: Option<i64>,
    sketch: Vec<u8>,
}

impl Durations {
    fn of(values: &[i64]) -> Durations {
        let mut sketch = Sketch::new();
        for value in values {
            sketch.add(*value);
        }
        Durations {
            count: values.len() as i64,
            sum: values.iter().sum(),
            min: values.iter().min().copied(),
            max: values.iter().max().copied(),
            sketch: sketch.to_bytes(),
        }
    }

    fn read(row: &AnyRow, prefix: &str) -> Durations {
        let sketch: Vec<u8> = row.get(format!("{prefix}_sketch").as_str());
        Durations {
            count: row.get(format!("{prefix}_count").as_str()),
            sum: row.get(format!("{prefix}_sum").as_str()),
            min: row.get(format!("{prefix}_min").as_str()),
            max: row.get(format!("{prefix}_max").as_str()),
            // Normalise: an empty sketch is stored in its encoded form.
            sketch: Sketch::from_bytes(&sketch).unwrap().to_bytes(),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Row_ {
    element_type: String,
    counts: BTreeMap<&'static str, i64>,
    durations: BTreeMap<&'static str, Durations>,
}

type Table = BTreeMap<(String, i64, String, i64), Row_>;

const PROCESS_COUNTS: [&str; 5] = [
    "started",
    "completed",
    "cancelled",
    "incidents_opened",
    "incidents_resolved",
];
const ELEMENT_COUNTS: [&str; 5] = [
    "activated",
    "completed",
    "terminated",
    "incidents_opened",
    "incidents_resolved",
];

fn json_int(dialect: Dialect, column: &str, path: &[&str]) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({column}, '$.{}')", path.join(".")),
        Dialect::Postgres => format!(
            "CAST({column}::json #>> '{{{}}}' AS BIGINT)",
            path.join(",")
        ),
    }
}

fn json_text(dialect: Dialect, column: &str, field: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("json_extract({column}, '$.{field}')"),
        Dialect::Postgres => format!("({column}::json ->> '{field}')"),
    }
}

/// Rows `(process_id, version, element, bucket, value)` of a query.
async fn rows(store: &Store, sql: &str) -> Vec<(String, i64, String, i64, i64)> {
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| {
            (
                row.get("process_id"),
                row.get("version"),
                row.get("element"),
                row.get("bucket"),
                row.get("value"),
            )
        })
        .collect()
}

fn add_count(table: &mut Table, name: &'static str, rows: Vec<(String, i64, String, i64, i64)>) {
    for (process_id, version, element, bucket, value) in rows {
        *table
            .entry((process_id, version, element, bucket))
            .or_default()
            .counts
            .entry(name)
            .or_default() += value;
    }
}

fn add_durations(
    table: &mut Table,
    name: &'static str,
    rows: Vec<(String, i64, String, i64, i64)>,
) {
    let mut grouped: BTreeMap<(String, i64, String, i64), Vec<i64>> = BTreeMap::new();
    for (process_id, version, element, bucket, value) in rows {
        grouped
            .entry((process_id, version, element, bucket))
            .or_default()
            .push(value);
    }
    for (key, values) in grouped {
        table
            .entry(key)
            .or_default()
            .durations
            .insert(name, Durations::of(&values));
    }
}

/// Fills in the zero counts and empty durations a stored row has.
fn complete(table: &mut Table, counts: &[&'static str], durations: &[&'static str]) {
    for row in table.values_mut() {
        for name in counts {
            row.counts.entry(name).or_default();
        }
        for name in durations {
            row.durations
                .entry(name)
                .or_insert_with(|| Durations::of(&[]));
        }
    }
}

const HOUR: &str = "3600000";
const DAY: &str = "86400000";

/// `insights_process_hour` computed directly from history.
async fn expected_processes(store: &Store) -> Table {
    let bucket = |at: &str| format!("{at} - ({at} % {HOUR})");
    let mut table = Table::new();
    add_count(
        &mut table,
        "started",
        rows(
            store,
            &format!(
                "SELECT process_id, version, '' AS element, {} AS bucket, COUNT(*) AS value \
                 FROM instances WHERE id IN (SELECT instance_id FROM history) \
                 GROUP BY process_id, version, {}",
                bucket("started_at"),
                bucket("started_at")
            ),
        )
        .await,
    );
    for (name, kind) in [
        ("completed", "instanceCompleted"),
        ("cancelled", "instanceTerminated"),
        ("incidents_opened", "incidentRaised"),
        ("incidents_resolved", "incidentResolved"),
    ] {
        let sql = format!(
            "SELECT i.process_id, i.version, '' AS element, {} AS bucket, COUNT(*) AS value \
             FROM history h JOIN instances i ON i.id = h.instance_id WHERE h.kind = '{kind}' \
             GROUP BY i.process_id, i.version, {}",
            bucket("h.at"),
            bucket("h.at")
        );
        add_count(&mut table, name, rows(store, &sql).await);
    }
    let sql = format!(
        "SELECT i.process_id, i.version, '' AS element, {} AS bucket, \
         h.at - i.started_at AS value FROM history h JOIN instances i ON i.id = h.instance_id \
         WHERE h.kind IN ('instanceCompleted', 'instanceTerminated')",
        bucket("h.at")
    );
    add_durations(&mut table, "duration", rows(store, &sql).await);
    complete(&mut table, &PROCESS_COUNTS, &["duration"]);
    table
}

/// `insights_element_day` computed directly from history.
async fn expected_elements(store: &Store) -> Table {
    let dialect = store.dialect();
    let bucket = |at: &str| format!("{at} - ({at} % {DAY})");
    let mut table = Table::new();
    for (name, kind) in [
        ("activated", "elementActivated"),
        ("completed", "elementCompleted"),
        ("terminated", "elementTerminated"),
        ("incidents_opened", "incidentRaised"),
    ] {
        let sql = format!(
            "SELECT i.process_id, i.version, h.element_id AS element, {} AS bucket, \
             COUNT(*) AS value FROM history h JOIN instances i ON i.id = h.instance_id \
             WHERE h.kind = '{kind}' GROUP BY i.process_id, i.version, h.element_id, {}",
            bucket("h.at"),
            bucket("h.at")
        );
        add_count(&mut table, name, rows(store, &sql).await);
    }
    let sql = format!(
        "SELECT i.process_id, i.version, o.element_id AS element, {} AS bucket, COUNT(*) AS value \
         FROM history r JOIN history o ON o.instance_id = r.instance_id \
         AND o.kind = 'incidentRaised' AND {} = {} \
         JOIN instances i ON i.id = r.instance_id WHERE r.kind = 'incidentResolved' \
         GROUP BY i.process_id, i.version, o.element_id, {}",
        bucket("r.at"),
        json_int(dialect, "o.detail", &["incident", "key"]),
        json_int(dialect, "r.detail", &["key"]),
        bucket("r.at")
    );
    add_count(&mut table, "incidents_resolved", rows(store, &sql).await);
    let sql = format!(
        "SELECT i.process_id, i.version, c.element_id AS element, {} AS bucket, \
         c.at - a.at AS value FROM history c JOIN history a ON a.instance_id = c.instance_id \
         AND a.kind = 'elementActivated' AND {} = {} \
         JOIN instances i ON i.id = c.instance_id WHERE c.kind = 'elementCompleted'",
        bucket("c.at"),
        json_int(dialect, "a.detail", &["element_instance_key"]),
        json_int(dialect, "c.detail", &["element_instance_key"]),
    );
    add_durations(&mut table, "duration", rows(store, &sql).await);
    let sql = format!(
        "SELECT i.process_id, i.version, j.element_id AS element, {} AS bucket, \
         c.at - j.at AS value FROM history c JOIN history j ON j.instance_id = c.instance_id \
         AND j.kind = 'jobCreated' AND {} = 'userTask' AND {} = {} \
         JOIN instances i ON i.id = c.instance_id WHERE c.kind = 'jobCompleted'",
        bucket("c.at"),
        json_text(dialect, "j.detail", "kind"),
        json_int(dialect, "j.detail", &["key"]),
        json_int(dialect, "c.detail", &["key"]),
    );
    add_durations(&mut table, "wait", rows(store, &sql).await);
    complete(&mut table, &ELEMENT_COUNTS, &["duration", "wait"]);
    // The element type is the one of the element's activations that day.
    let sql = format!(
        "SELECT DISTINCT i.process_id, i.version, h.element_id AS element, {} AS bucket, \
         {} AS element_type FROM history h JOIN instances i ON i.id = h.instance_id \
         WHERE h.kind = 'elementActivated'",
        bucket("h.at"),
        json_text(dialect, "h.detail", "element_type"),
    );
    for row in sqlx::query(&sql).fetch_all(store.pool()).await.unwrap() {
        let key = (
            row.get("process_id"),
            row.get("version"),
            row.get("element"),
            row.get("bucket"),
        );
        table
            .get_mut(&key)
            .expect("a row for each activation")
            .element_type = row.get("element_type");
    }
    table
}

async fn stored_processes(store: &Store) -> Table {
    let mut table = Table::new();
    for row in sqlx::query("SELECT * FROM insights_process_hour")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        let mut stored = Row_::default();
        for name in PROCESS_COUNTS {
            stored.counts.insert(name, row.get(name));
        }
        stored
            .durations
            .insert("duration", Durations::read(&row, "duration"));
        table.insert(
            (
                row.get("process_id"),
                row.get("version"),
                String::new(),
                row.get("hour_start"),
            ),
            stored,
        );
    }
    table
}

async fn stored_elements(store: &Store) -> Table {
    let mut table = Table::new();
    for row in sqlx::query("SELECT * FROM insights_element_day")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        let mut stored = Row_ {
            element_type: row.get("element_type"),
            ..Row_::default()
        };
        for name in ELEMENT_COUNTS {
            stored.counts.insert(name, row.get(name));
        }
        stored
            .durations
            .insert("duration", Durations::read(&row, "duration"));
        stored
            .durations
            .insert("wait", Durations::read(&row, "wait"));
        table.insert(
            (
                row.get("process_id"),
                row.get("version"),
                row.get("element_id"),
                row.get("day_start"),
            ),
            stored,
        );
    }
    table
}

fn assert_tables_equal(stored: &Table, expected: &Table, what: &str) {
    for (key, row) in expected {
        assert_eq!(stored.get(key), Some(row), "{what} {key:?}");
    }
    assert_eq!(stored.len(), expected.len(), "{what}: rows");
}

/// Every row of every read-model table, as text, in key order.
async fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in [
        ("insights_process_hour", "process_id, version, hour_start"),
        (
            "insights_element_day",
            "process_id, version, element_id, day_start",
        ),
        ("insights_instances", "instance_id"),
        ("insights_pending", "kind, key"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(store.pool())
            .await
            .unwrap();
        for row in rows {
            let mut line = table.to_string();
            for index in 0..row.len() {
                let text = row
                    .try_get::<Option<i64>, _>(index)
                    .map(|v| format!("{v:?}"))
                    .or_else(|_| {
                        row.try_get::<Option<String>, _>(index)
                            .map(|v| format!("{v:?}"))
                    })
                    .or_else(|_| row.try_get::<Vec<u8>, _>(index).map(|v| format!("{v:?}")))
                    .unwrap();
                line.push('|');
                line.push_str(&text);
            }
            out.push(line);
        }
    }
    out
}

async fn assert_matches_history(store: &Store) {
    assert_tables_equal(
        &stored_processes(store).await,
        &expected_processes(store).await,
        "process hour",
    );
    assert_tables_equal(
        &stored_elements(store).await,
        &expected_elements(store).await,
        "element day",
    );
}

dual_test!(async fn read_model_equals_history_rebuilds_identically_and_survives_a_lost_batch(store) {
    let v1 = workload::deploy(&store, "Claims", workload::T0).await;
    let v2 = workload::deploy(&store, "Claims v2", workload::T0).await;
    assert_eq!((v1.version, v2.version), (1, 2));
    let definitions = [v1, v2];
    let insights = Insights::new(store.clone());

    // First half, folded in small batches while instances are still open.
    workload::run(&store, &definitions, 0..INSTANCES / 2).await;
    assert!(insights.catch_up(97).await.unwrap() > 0);
    workload::run(&store, &definitions, INSTANCES / 2..INSTANCES).await;

    // A crash after reading a batch, before commit: nothing of it stays.
    let before = insights.status().await.unwrap();
    let mut tx = insights.begin().await.unwrap();
    let lost = insights.fold_batch(&mut tx, 500, 0).await.unwrap();
    assert_eq!(lost.events, 500);
    drop(tx);
    assert_eq!(insights.status().await.unwrap().high_water, before.high_water);

    insights.catch_up(251).await.unwrap();
    let status = insights.status().await.unwrap();
    assert_eq!(status.high_water, status.history_head);
    assert_eq!(status.awaited_gaps, 0);
    assert_matches_history(&store).await;
    // Caught up: nothing more to fold.
    assert_eq!(insights.catch_up(251).await.unwrap(), 0);

    let folded = dump(&store).await;
    let events = insights.rebuild(1_000).await.unwrap();
    assert_eq!(events as i64, status.history_head);
    assert_eq!(dump(&store).await, folded, "a rebuild gives identical tables");

    // The queries over the tables agree with history too.
    let expected = expected_processes(&store).await;
    let total = |name: &str| -> i64 { expected.values().map(|row| row.counts[name]).sum() };
    let kpis = insights.kpis(&Filter::default()).await.unwrap();
    assert_eq!(kpis.started, INSTANCES as i64);
    assert_eq!(kpis.started, total("started"));
    assert_eq!(kpis.completed, total("completed"));
    assert_eq!(kpis.cancelled, total("cancelled"));
    assert_eq!(kpis.incidents_opened, total("incidents_opened"));
    assert_eq!(kpis.incidents_resolved, total("incidents_resolved"));
    let active: i64 = sqlx::query("SELECT COUNT(*) AS n FROM instances WHERE state = 'active'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n");
    assert!(active > 0);
    assert_eq!(kpis.active, active);
    let durations: Vec<i64> = sqlx::query(
        "SELECT ended_at - started_at AS d FROM instances WHERE ended_at IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| row.get("d"))
    .collect();
    assert_eq!(kpis.duration.count, durations.len() as i64);
    assert_eq!(kpis.duration.max_ms, durations.iter().max().copied());
    let mut sorted = durations.clone();
    sorted.sort();
    let exact_p90 = sorted[(0.9 * (sorted.len() - 1) as f64).floor() as usize] as f64;
    let p90 = kpis.duration.p90_ms.unwrap();
    assert!((p90 - exact_p90).abs() <= exact_p90 * 0.01, "p90 {p90} vs {exact_p90}");

    // Per version, per day: the series adds up to the KPIs, the backlog
    // ends at the active count of that version.
    for version in [1, 2] {
        let filter = Filter { process_id: Some("claims".into()), version: Some(version), ..Filter::default() };
        let series = insights.time_series(&filter, Granularity::Day).await.unwrap();
        let kpis = insights.kpis(&filter).await.unwrap();
        assert_eq!(series.iter().map(|p| p.started).sum::<i64>(), kpis.started);
        assert_eq!(series.iter().map(|p| p.completed).sum::<i64>(), kpis.completed);
        assert_eq!(series.last().unwrap().active, kpis.active);
        assert!(series.windows(2).all(|w| w[1].start - w[0].start == 86_400_000));
        let hourly = insights.time_series(&filter, Granularity::Hour).await.unwrap();
        assert_eq!(hourly.iter().map(|p| p.completed).sum::<i64>(), kpis.completed);
    }

    // A date range: the second day only.
    let day = Filter {
        from: Some(workload::T0 + 86_400_000),
        to: Some(workload::T0 + 2 * 86_400_000),
        ..Filter::default()
    };
    let in_day = |bucket: i64| bucket >= day.from.unwrap() && bucket < day.to.unwrap();
    let kpis = insights.kpis(&day).await.unwrap();
    let day_total = |name: &str| -> i64 {
        expected.iter().filter(|(key, _)| in_day(key.3)).map(|(_, row)| row.counts[name]).sum()
    };
    assert_eq!(kpis.started, day_total("started"));
    assert_eq!(kpis.completed, day_total("completed"));

    // The heatmap: per element over everything.
    let elements = insights.element_stats(&Filter::default()).await.unwrap();
    let expected_elements = expected_elements(&store).await;
    for stats in &elements {
        let of = |name: &str| -> i64 {
            expected_elements
                .iter()
                .filter(|(key, _)| key.2 == stats.element_id)
                .map(|(_, row)| row.counts[name])
                .sum()
        };
        assert_eq!(stats.activated, of("activated"), "{}", stats.element_id);
        assert_eq!(stats.completed, of("completed"), "{}", stats.element_id);
        assert_eq!(stats.terminated, of("terminated"), "{}", stats.element_id);
        assert_eq!(stats.incidents_opened, of("incidents_opened"), "{}", stats.element_id);
    }
    let approve = elements.iter().find(|e| e.element_id == "approve").unwrap();
    assert_eq!(approve.element_type, "userTask");
    assert!(approve.wait.count > 0 && approve.wait.max_ms.unwrap() < 3_600_000);
    assert!(elements.iter().find(|e| e.element_id == "check").unwrap().incidents_resolved > 0);
});
