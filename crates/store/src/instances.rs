//! Process instances.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{history, Dialect, Millis, StoreError, Tx};

/// A process instance as stored (with the process name of its definition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// UUID v7.
    pub id: String,
    /// The definition version it runs.
    pub definition_id: String,
    /// BPMN process id.
    pub process_id: String,
    /// Name of the definition (joined, not stored on the instance).
    pub process_name: String,
    /// Version of the definition.
    pub version: i64,
    /// `active`, `completed`, `cancelled` or `incident`.
    pub state: String,
    /// Process variables as a JSON object text.
    pub variables: String,
    /// Start time.
    pub started_at: Millis,
    /// End time, once finished.
    pub ended_at: Option<Millis>,
    /// Who started it.
    pub started_by: String,
}

/// Filters and paging for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceFilter {
    /// Only instances of this process id.
    pub process_id: Option<String>,
    /// Only instances in this state; `incident` selects the active instances
    /// with an open incident.
    pub state: Option<String>,
    /// Only instances of this definition version.
    pub version: Option<i64>,
    /// Only instances started at or after this time.
    pub started_from: Option<Millis>,
    /// Only instances started before this time.
    pub started_before: Option<Millis>,
    /// Only instances whose process variable `.0` has the value `.1`, a JSON
    /// text (so the string `"42"` and the number `42` differ).
    pub variable: Option<(String, String)>,
    /// Keyset paging: only instances after this one in the list's order
    /// (newest first). Takes the place of `offset`.
    pub after: Option<InstanceCursor>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip (when `after` is not set).
    pub offset: i64,
}

/// A position in the instance list: the last instance of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceCursor {
    /// Its start time.
    pub started_at: Millis,
    /// Its id (ties on the start time are ordered by id).
    pub id: String,
}

/// The most instances [`list`] counts: counting every match of a filter
/// that matches 100,000 instances would cost more than the page itself.
pub const COUNT_CAP: i64 = 1_000;

/// One page of instances and the number matching the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePage {
    /// Newest first.
    pub items: Vec<Instance>,
    /// Instances matching the filter, counted up to [`COUNT_CAP`].
    pub total: i64,
    /// Whether more than [`COUNT_CAP`] match (then `total` is the cap).
    pub total_capped: bool,
    /// Where the next page starts, when there is one.
    pub next: Option<InstanceCursor>,
}

const SELECT: &str =
    "SELECT i.id, i.definition_id, i.process_id, d.name AS process_name, i.version, \
    i.state, i.variables, i.started_at, i.ended_at, i.started_by \
    FROM instances i JOIN definitions d ON d.id = i.definition_id";

fn from_row(row: &AnyRow) -> Result<Instance, StoreError> {
    Ok(Instance {
        id: row.try_get("id")?,
        definition_id: row.try_get("definition_id")?,
        process_id: row.try_get("process_id")?,
        process_name: row.try_get("process_name")?,
        version: row.try_get("version")?,
        state: row.try_get("state")?,
        variables: row.try_get("variables")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        started_by: row.try_get("started_by")?,
    })
}

/// Inserts an instance (its `process_name` is ignored: it comes from the definition).
pub async fn insert(tx: &mut Tx<'_>, instance: &Instance) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO instances (id, definition_id, process_id, version, state, variables, \
         started_at, ended_at, started_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&instance.id)
    .bind(&instance.definition_id)
    .bind(&instance.process_id)
    .bind(instance.version)
    .bind(&instance.state)
    .bind(&instance.variables)
    .bind(instance.started_at)
    .bind(instance.ended_at)
    .bind(&instance.started_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The engine's side of a new instance row, see [`insert_with_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineState<'a> {
    /// The engine's instance key.
    pub instance_key: i64,
    /// The serialized engine state.
    pub state_json: &'a str,
    /// The next free engine key of the instance.
    pub next_key: i64,
    /// Last change.
    pub updated_at: Millis,
}

/// Inserts an instance together with its engine state (its `process_name`
/// is ignored: it comes from the definition), then appends its first
/// history `events`. On SQLite the row and the first history rows go in one
/// call (two statements, one round trip to the connection's worker thread);
/// PostgreSQL prepares one statement per call.
pub async fn insert_with_state(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    instance: &Instance,
    engine: &EngineState<'_>,
    events: &[history::NewEvent<'_>],
) -> Result<(), StoreError> {
    const INSERT: &str = "INSERT INTO instances (id, definition_id, process_id, version, state, \
        variables, started_at, ended_at, started_by, instance_key, state_json, next_key, \
        updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    let together = match dialect {
        Dialect::Sqlite => events.len().min(history::ROWS_PER_INSERT),
        Dialect::Postgres => 0,
    };
    let sql = if together > 0 {
        format!("{INSERT}; {}", history::insert_sql(14, together))
    } else {
        INSERT.to_string()
    };
    let query = sqlx::query(&sql)
        .bind(&instance.id)
        .bind(&instance.definition_id)
        .bind(&instance.process_id)
        .bind(instance.version)
        .bind(&instance.state)
        .bind(&instance.variables)
        .bind(instance.started_at)
        .bind(instance.ended_at)
        .bind(&instance.started_by)
        .bind(engine.instance_key)
        .bind(engine.state_json)
        .bind(engine.next_key)
        .bind(engine.updated_at);
    history::bind(query, &events[..together])
        .execute(&mut **tx)
        .await?;
    history::append_many(tx, &events[together..]).await?;
    Ok(())
}

/// Finds an instance by id.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<Instance>, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Lists instances matching `filter`, newest first (by start time, then
/// id), with their number up to [`COUNT_CAP`].
///
/// With `after` the page is found by keyset on `(started_at, id)`, which the
/// `instances_started`, `instances_state` and `instances_process_state`
/// indexes serve: page 1000 costs what page 1 costs, and instances started
/// meanwhile (newer, so before the cursor) neither repeat nor hide rows.
pub async fn list(
    store: &crate::Store,
    filter: &InstanceFilter,
) -> Result<InstancePage, StoreError> {
    enum Value<'a> {
        Text(&'a str),
        Number(i64),
    }
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(process_id) = &filter.process_id {
        values.push(Value::Text(process_id));
        conditions.push(format!("i.process_id = ${}", values.len()));
    }
    match filter.state.as_deref() {
        Some("incident") => conditions.push(
            "i.state = 'active' AND EXISTS (SELECT 1 FROM incidents n \
             WHERE n.instance_id = i.id AND n.state = 'open')"
                .to_string(),
        ),
        Some(state) => {
            values.push(Value::Text(state));
            conditions.push(format!("i.state = ${}", values.len()));
        }
        None => {}
    }
    if let Some(version) = filter.version {
        values.push(Value::Number(version));
        conditions.push(format!("i.version = ${}", values.len()));
    }
    if let Some(from) = filter.started_from {
        values.push(Value::Number(from));
        conditions.push(format!("i.started_at >= ${}", values.len()));
    }
    if let Some(before) = filter.started_before {
        values.push(Value::Number(before));
        conditions.push(format!("i.started_at < ${}", values.len()));
    }
    if let Some((name, value)) = &filter.variable {
        values.push(Value::Text(name));
        values.push(Value::Text(value));
        let (name, value) = (values.len() - 1, values.len());
        conditions.push(match store.dialect() {
            Dialect::Sqlite => format!("(i.variables -> ${name}) = json(${value})"),
            Dialect::Postgres => format!("(i.variables::jsonb -> ${name}) = ${value}::jsonb"),
        });
    }
    let filter_conditions = conditions.clone();
    if let Some(after) = &filter.after {
        values.push(Value::Number(after.started_at));
        values.push(Value::Text(&after.id));
        conditions.push(format!(
            "(i.started_at < ${0} OR (i.started_at = ${0} AND i.id < ${1}))",
            values.len() - 1,
            values.len()
        ));
    }
    let where_of = |conditions: &[String]| {
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        }
    };
    fn bind_all<'q>(
        mut query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
        values: &'q [Value<'q>],
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        for value in values {
            query = match value {
                Value::Text(text) => query.bind(*text),
                Value::Number(number) => query.bind(*number),
            };
        }
        query
    }

    // The count ignores the cursor: it is the number of the whole list.
    let filter_values = &values[..values.len() - if filter.after.is_some() { 2 } else { 0 }];
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM instances i{} LIMIT {}) counted",
        where_of(&filter_conditions),
        COUNT_CAP + 1
    );
    let counted: i64 = bind_all(sqlx::query(&count_sql), filter_values)
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;

    // One row more than the page tells whether a next page exists.
    let offset = if filter.after.is_some() {
        0
    } else {
        filter.offset
    };
    let list_sql = format!(
        "{SELECT}{} ORDER BY i.started_at DESC, i.id DESC LIMIT ${} OFFSET ${}",
        where_of(&conditions),
        values.len() + 1,
        values.len() + 2
    );
    let rows = bind_all(sqlx::query(&list_sql), &values)
        .bind(filter.limit + 1)
        .bind(offset)
        .fetch_all(store.pool())
        .await?;
    let mut items = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() as i64 > filter.limit {
        items.truncate(usize::try_from(filter.limit).unwrap_or(0));
        items.last().map(|last| InstanceCursor {
            started_at: last.started_at,
            id: last.id.clone(),
        })
    } else {
        None
    };
    Ok(InstancePage {
        items,
        total: counted.min(COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        next,
    })
}

/// Number of instances started by `actor`.
pub async fn count_started_by<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    actor: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM instances WHERE started_by = $1")
        .bind(actor)
        .fetch_one(executor)
        .await?;
    Ok(row.try_get("n")?)
}
