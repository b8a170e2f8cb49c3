//! The read model's numbers computed directly from `history` (and the
//! instances it names) by SQL, without the fold: every counted event and
//! every duration with its time and calendar month, grouped into the rows
//! each read-model table should hold, and the stored tables read back for
//! comparison.

use std::collections::BTreeMap;

use flowdesk_insights::sketch::Sketch;
use flowdesk_store::{Dialect, Store};
use sqlx::any::AnyRow;
use sqlx::Row;

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 86_400_000;

/// Durations as the read model stores them: count, sum, min, max, sketch.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Durations {
    pub count: i64,
    pub sum: i64,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub sketch: Vec<u8>,
}

impl Durations {
    pub fn of(values: &[i64]) -> Durations {
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

/// One row of a read-model table, keyed in [`Table`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Row_ {
    pub element_type: String,
    pub counts: BTreeMap<&'static str, i64>,
    pub durations: BTreeMap<&'static str, Durations>,
}

/// (process id, version, element id or "", bucket start).
pub type Key = (String, i64, String, i64);

/// Key → row.
pub type Table = BTreeMap<Key, Row_>;

pub const PROCESS_COUNTS: [&str; 5] = [
    "started",
    "completed",
    "cancelled",
    "incidents_opened",
    "incidents_resolved",
];
pub const ELEMENT_COUNTS: [&str; 5] = [
    "activated",
    "completed",
    "terminated",
    "incidents_opened",
    "incidents_resolved",
];

/// A bucket size of the read model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Hour,
    Day,
    Month,
}

impl Level {
    pub fn column(self) -> &'static str {
        match self {
            Level::Hour => "hour_start",
            Level::Day => "day_start",
            Level::Month => "month_start",
        }
    }
}

/// The process tables and the element tables with their bucket sizes.
pub const PROCESS_TABLES: [(&str, Level); 3] = [
    ("insights_process_hour", Level::Hour),
    ("insights_process_day", Level::Day),
    ("insights_process_month", Level::Month),
];
pub const ELEMENT_TABLES: [(&str, Level); 2] = [
    ("insights_element_day", Level::Day),
    ("insights_element_month", Level::Month),
];

/// One counted event or measured duration.
#[derive(Debug, Clone)]
pub struct Measure {
    pub name: &'static str,
    pub process_id: String,
    pub version: i64,
    /// The element, "" for process figures.
    pub element: String,
    /// When it counts (ms).
    pub at: i64,
    /// Start of the calendar month of `at` (UTC), computed by the database.
    pub month: i64,
    /// 1 for counts, the duration (ms) for durations.
    pub value: i64,
}

impl Measure {
    pub fn bucket(&self, level: Level) -> i64 {
        match level {
            Level::Hour => self.at - self.at.rem_euclid(HOUR),
            Level::Day => self.at - self.at.rem_euclid(DAY),
            Level::Month => self.month,
        }
    }

    pub fn is_duration(&self) -> bool {
        matches!(self.name, "duration" | "wait")
    }
}

/// Everything the read model should count, from history.
#[derive(Debug, Default)]
pub struct Expected {
    pub process: Vec<Measure>,
    pub element: Vec<Measure>,
    /// Element activations: (measure named by the element type).
    pub element_types: Vec<(Measure, String)>,
}

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

/// SQL for the start (ms) of the UTC calendar month holding `at` (ms).
fn month_sql(dialect: Dialect, at: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "(CAST(strftime('%s', {at} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000)"
        ),
        Dialect::Postgres => format!(
            "(CAST(EXTRACT(EPOCH FROM date_trunc('month', \
             to_timestamp({at} / 1000.0) AT TIME ZONE 'UTC')) AS BIGINT) * 1000)"
        ),
    }
}

/// Rows `(process_id, version, element, at, value)` of a query whose
/// `at` column is `at`; the month is added by the database.
async fn measures(store: &Store, name: &'static str, select: &str, at: &str) -> Vec<Measure> {
    let sql = format!(
        "SELECT process_id, version, element, at, {} AS month, value FROM ({select}) m",
        month_sql(store.dialect(), at)
    );
    sqlx::query(&sql)
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| Measure {
            name,
            process_id: row.get("process_id"),
            version: row.get("version"),
            element: row.get("element"),
            at: row.get("at"),
            month: row.get("month"),
            value: row.get("value"),
        })
        .collect()
}

impl Expected {
    /// What folding history up to seq `up_to` (all of it: `None`) counts.
    pub async fn load(store: &Store, up_to: Option<i64>) -> Expected {
        let dialect = store.dialect();
        let seq =
            |alias: &str| up_to.map_or(String::new(), |seq| format!(" AND {alias}.seq <= {seq}"));
        let mut expected = Expected::default();

        // Process figures.
        expected.process.extend(
            measures(
                store,
                "started",
                &format!(
                    "SELECT process_id, version, '' AS element, started_at AS at, 1 AS value \
                     FROM instances WHERE id IN (SELECT h.instance_id FROM history h WHERE 1 = 1{})",
                    seq("h")
                ),
                "m.at",
            )
            .await,
        );
        for (name, kind) in [
            ("completed", "instanceCompleted"),
            ("cancelled", "instanceTerminated"),
            ("incidents_opened", "incidentRaised"),
            ("incidents_resolved", "incidentResolved"),
        ] {
            let select = format!(
                "SELECT i.process_id, i.version, '' AS element, h.at, 1 AS value \
                 FROM history h JOIN instances i ON i.id = h.instance_id \
                 WHERE h.kind = '{kind}'{}",
                seq("h")
            );
            expected
                .process
                .extend(measures(store, name, &select, "m.at").await);
        }
        let select = format!(
            "SELECT i.process_id, i.version, '' AS element, h.at, h.at - i.started_at AS value \
             FROM history h JOIN instances i ON i.id = h.instance_id \
             WHERE h.kind IN ('instanceCompleted', 'instanceTerminated'){}",
            seq("h")
        );
        expected
            .process
            .extend(measures(store, "duration", &select, "m.at").await);

        // Element figures.
        for (name, kind) in [
            ("activated", "elementActivated"),
            ("completed", "elementCompleted"),
            ("terminated", "elementTerminated"),
            ("incidents_opened", "incidentRaised"),
        ] {
            let select = format!(
                "SELECT i.process_id, i.version, h.element_id AS element, h.at, 1 AS value \
                 FROM history h JOIN instances i ON i.id = h.instance_id \
                 WHERE h.kind = '{kind}'{}",
                seq("h")
            );
            expected
                .element
                .extend(measures(store, name, &select, "m.at").await);
        }
        let select = format!(
            "SELECT i.process_id, i.version, o.element_id AS element, r.at, 1 AS value \
             FROM history r JOIN history o ON o.instance_id = r.instance_id \
             AND o.kind = 'incidentRaised' AND {} = {} \
             JOIN instances i ON i.id = r.instance_id WHERE r.kind = 'incidentResolved'{}",
            json_int(dialect, "o.detail", &["incident", "key"]),
            json_int(dialect, "r.detail", &["key"]),
            seq("r")
        );
        expected
            .element
            .extend(measures(store, "incidents_resolved", &select, "m.at").await);
        let select = format!(
            "SELECT i.process_id, i.version, c.element_id AS element, c.at, \
             c.at - a.at AS value FROM history c JOIN history a ON a.instance_id = c.instance_id \
             AND a.kind = 'elementActivated' AND {} = {} \
             JOIN instances i ON i.id = c.instance_id WHERE c.kind = 'elementCompleted'{}",
            json_int(dialect, "a.detail", &["element_instance_key"]),
            json_int(dialect, "c.detail", &["element_instance_key"]),
            seq("c")
        );
        expected
            .element
            .extend(measures(store, "duration", &select, "m.at").await);
        let select = format!(
            "SELECT i.process_id, i.version, j.element_id AS element, c.at, \
             c.at - j.at AS value FROM history c JOIN history j ON j.instance_id = c.instance_id \
             AND j.kind = 'jobCreated' AND {} = 'userTask' AND {} = {} \
             JOIN instances i ON i.id = c.instance_id WHERE c.kind = 'jobCompleted'{}",
            json_text(dialect, "j.detail", "kind"),
            json_int(dialect, "j.detail", &["key"]),
            json_int(dialect, "c.detail", &["key"]),
            seq("c")
        );
        expected
            .element
            .extend(measures(store, "wait", &select, "m.at").await);

        let sql = format!(
            "SELECT i.process_id, i.version, h.element_id AS element, h.at, {} AS month, \
             {} AS element_type FROM history h JOIN instances i ON i.id = h.instance_id \
             WHERE h.kind = 'elementActivated'{}",
            month_sql(dialect, "h.at"),
            json_text(dialect, "h.detail", "element_type"),
            seq("h")
        );
        for row in sqlx::query(&sql).fetch_all(store.pool()).await.unwrap() {
            expected.element_types.push((
                Measure {
                    name: "activated",
                    process_id: row.get("process_id"),
                    version: row.get("version"),
                    element: row.get("element"),
                    at: row.get("at"),
                    month: row.get("month"),
                    value: 1,
                },
                row.get("element_type"),
            ));
        }
        expected
    }

    /// The rows of a process table with buckets of `level`.
    pub fn process_table(&self, level: Level) -> Table {
        table(&self.process, &[], level, &PROCESS_COUNTS, &["duration"])
    }

    /// The rows of an element table with buckets of `level`.
    pub fn element_table(&self, level: Level) -> Table {
        table(
            &self.element,
            &self.element_types,
            level,
            &ELEMENT_COUNTS,
            &["duration", "wait"],
        )
    }
}

fn key(measure: &Measure, level: Level) -> Key {
    (
        measure.process_id.clone(),
        measure.version,
        measure.element.clone(),
        measure.bucket(level),
    )
}

fn table(
    measures: &[Measure],
    types: &[(Measure, String)],
    level: Level,
    counts: &[&'static str],
    durations: &[&'static str],
) -> Table {
    let mut table = Table::new();
    let mut values: BTreeMap<(&'static str, Key), Vec<i64>> = BTreeMap::new();
    for measure in measures {
        let row = table.entry(key(measure, level)).or_default();
        if measure.is_duration() {
            values
                .entry((measure.name, key(measure, level)))
                .or_default()
                .push(measure.value);
        } else {
            *row.counts.entry(measure.name).or_default() += measure.value;
        }
    }
    for ((name, key), values) in values {
        table
            .get_mut(&key)
            .unwrap()
            .durations
            .insert(name, Durations::of(&values));
    }
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
    // The element type is the one of the element's activations in the bucket.
    for (measure, element_type) in types {
        table
            .get_mut(&key(measure, level))
            .expect("a row for each activation")
            .element_type = element_type.clone();
    }
    table
}

/// A stored process or element table.
pub async fn stored(store: &Store, table: &str, level: Level, element: bool) -> Table {
    let mut out = Table::new();
    for row in sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        let mut stored = Row_::default();
        let (counts, durations): (&[&'static str], &[&'static str]) = if element {
            stored.element_type = row.get("element_type");
            (&ELEMENT_COUNTS, &["duration", "wait"])
        } else {
            (&PROCESS_COUNTS, &["duration"])
        };
        for name in counts {
            stored.counts.insert(name, row.get(*name));
        }
        for name in durations {
            stored.durations.insert(name, Durations::read(&row, name));
        }
        let element_id = if element {
            row.get("element_id")
        } else {
            String::new()
        };
        out.insert(
            (
                row.get("process_id"),
                row.get("version"),
                element_id,
                row.get(level.column()),
            ),
            stored,
        );
    }
    out
}

fn assert_tables_equal(stored: &Table, expected: &Table, what: &str) {
    for (key, row) in expected {
        assert_eq!(stored.get(key), Some(row), "{what} {key:?}");
    }
    assert_eq!(stored.len(), expected.len(), "{what}: rows");
}

/// Every process and element table of the read model equals what
/// `expected` says, row for row.
pub async fn assert_read_model_is(store: &Store, expected: &Expected) {
    for (table, level) in PROCESS_TABLES {
        assert_tables_equal(
            &stored(store, table, level, false).await,
            &expected.process_table(level),
            table,
        );
    }
    for (table, level) in ELEMENT_TABLES {
        assert_tables_equal(
            &stored(store, table, level, true).await,
            &expected.element_table(level),
            table,
        );
    }
}

/// Every row of every read-model table, as text, in key order.
pub async fn dump(store: &Store) -> Vec<String> {
    let mut tables: Vec<(&str, String)> = Vec::new();
    for (table, level) in PROCESS_TABLES {
        tables.push((table, format!("process_id, version, {}", level.column())));
    }
    for (table, level) in ELEMENT_TABLES {
        tables.push((
            table,
            format!("process_id, version, element_id, {}", level.column()),
        ));
    }
    tables.push(("insights_instances", "instance_id".into()));
    tables.push(("insights_pending", "kind, key".into()));
    let mut out = Vec::new();
    for (table, order) in tables {
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
