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
    /// Only instances in this state.
    pub state: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// One page of instances and the total matching the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstancePage {
    /// Newest first.
    pub items: Vec<Instance>,
    /// All instances matching the filter.
    pub total: i64,
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

/// Lists instances matching `filter`, newest first, with the total count.
pub async fn list(
    store: &crate::Store,
    filter: &InstanceFilter,
) -> Result<InstancePage, StoreError> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(process_id) = &filter.process_id {
        values.push(process_id.clone());
        conditions.push(format!("i.process_id = ${}", values.len()));
    }
    if let Some(state) = &filter.state {
        values.push(state.clone());
        conditions.push(format!("i.state = ${}", values.len()));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };

    let count_sql = format!("SELECT COUNT(*) AS n FROM instances i{where_clause}");
    let mut count_query = sqlx::query(&count_sql);
    for value in &values {
        count_query = count_query.bind(value);
    }
    let total: i64 = count_query.fetch_one(store.pool()).await?.try_get("n")?;

    let list_sql = format!(
        "{SELECT}{where_clause} ORDER BY i.started_at DESC, i.id DESC LIMIT ${} OFFSET ${}",
        values.len() + 1,
        values.len() + 2
    );
    let mut list_query = sqlx::query(&list_sql);
    for value in &values {
        list_query = list_query.bind(value);
    }
    let rows = list_query
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(store.pool())
        .await?;
    Ok(InstancePage {
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
        total,
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
