//! History: per-instance, append-only events (element activated and
//! completed, jobs, timers, messages, incidents). Rows are never updated.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// One history event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    /// Position in the whole history (increasing).
    pub seq: i64,
    /// The process instance (row id).
    pub instance_id: String,
    /// When it happened.
    pub at: Millis,
    /// What happened, e.g. `elementActivated`, `jobCreated`, `incidentRaised`.
    pub kind: String,
    /// The element concerned, if any.
    pub element_id: Option<String>,
    /// The engine's effect as JSON text.
    pub detail: String,
}

/// Appends an event.
pub async fn append(
    tx: &mut Tx<'_>,
    instance_id: &str,
    at: Millis,
    kind: &str,
    element_id: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO history (instance_id, at, kind, element_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(instance_id)
    .bind(at)
    .bind(kind)
    .bind(element_id)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<HistoryEvent, StoreError> {
    Ok(HistoryEvent {
        seq: row.try_get("seq")?,
        instance_id: row.try_get("instance_id")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        element_id: row.try_get("element_id")?,
        detail: row.try_get("detail")?,
    })
}

/// The events of one instance, in order.
pub async fn for_instance<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    instance_id: &str,
) -> Result<Vec<HistoryEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, instance_id, at, kind, element_id, detail FROM history \
         WHERE instance_id = $1 ORDER BY seq",
    )
    .bind(instance_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}
