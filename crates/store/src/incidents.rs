//! Incidents: element instances stuck until an operator resolves them.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// The engine's incident key.
    pub key: i64,
    /// The process instance (row id).
    pub instance_id: String,
    /// The stuck element.
    pub element_id: String,
    /// The job, for job incidents.
    pub job_key: Option<i64>,
    /// Why, e.g. `jobNoRetries`, `expression`.
    pub kind: String,
    /// What went wrong.
    pub message: String,
    /// `open` or `resolved`.
    pub state: String,
    /// When it was raised.
    pub created_at: Millis,
    /// When it was resolved.
    pub resolved_at: Option<Millis>,
}

const COLUMNS: &str =
    "key, instance_id, element_id, job_key, kind, message, state, created_at, resolved_at";

fn from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    Ok(Incident {
        key: row.try_get("key")?,
        instance_id: row.try_get("instance_id")?,
        element_id: row.try_get("element_id")?,
        job_key: row.try_get("job_key")?,
        kind: row.try_get("kind")?,
        message: row.try_get("message")?,
        state: row.try_get("state")?,
        created_at: row.try_get("created_at")?,
        resolved_at: row.try_get("resolved_at")?,
    })
}

/// Inserts an open incident.
pub async fn insert(tx: &mut Tx<'_>, incident: &Incident) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO incidents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(incident.key)
    .bind(&incident.instance_id)
    .bind(&incident.element_id)
    .bind(incident.job_key)
    .bind(&incident.kind)
    .bind(&incident.message)
    .bind(&incident.state)
    .bind(incident.created_at)
    .bind(incident.resolved_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an incident resolved (no-op when it already is).
pub async fn resolve(tx: &mut Tx<'_>, key: i64, now: Millis) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE incidents SET state = 'resolved', resolved_at = $2 WHERE key = $1 AND state = 'open'",
    )
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Resolves every open incident of an instance (it ended).
pub async fn resolve_all(
    tx: &mut Tx<'_>,
    instance_id: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE incidents SET state = 'resolved', resolved_at = $2 \
         WHERE instance_id = $1 AND state = 'open'",
    )
    .bind(instance_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds an incident by key.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    key: i64,
) -> Result<Option<Incident>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM incidents WHERE key = $1"))
        .bind(key)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Incidents newest first, optionally only those in `state`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let rows = match state {
        Some(state) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM incidents WHERE state = $1 \
                 ORDER BY created_at DESC, key DESC LIMIT $2"
            ))
            .bind(state)
            .bind(limit)
            .fetch_all(executor)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM incidents ORDER BY created_at DESC, key DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(executor)
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}
