//! Offline snapshots of reports and dashboards, kept by the desktop.
//!
//! The document (definition, data and chart SVGs of a report run or a
//! dashboard, as the versioned `.flowdesk-report` JSON) is opaque text here;
//! the desktop shell owns its format. The other columns are what the
//! Snapshots page lists without reading every document.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError};

/// What the Snapshots page lists of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSummary {
    /// UUID v7 (kept by export and import).
    pub id: String,
    /// `report` or `dashboard`.
    pub kind: String,
    /// Id of the report or dashboard on its cluster.
    pub source_id: String,
    /// Its name when saved.
    pub title: String,
    /// The connection profile it came from.
    pub cluster_name: String,
    /// That cluster's base URL.
    pub cluster_url: String,
    /// When the cluster's read model produced the numbers.
    pub as_of: Millis,
    /// When this desktop stored it.
    pub saved_at: Millis,
}

/// A snapshot with its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The listed fields.
    pub summary: SnapshotSummary,
    /// The whole snapshot as JSON text.
    pub document: String,
}

const SUMMARY_COLUMNS: &str =
    "id, kind, source_id, title, cluster_name, cluster_url, as_of, saved_at";

fn summary_from_row(row: &AnyRow) -> Result<SnapshotSummary, StoreError> {
    Ok(SnapshotSummary {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        source_id: row.try_get("source_id")?,
        title: row.try_get("title")?,
        cluster_name: row.try_get("cluster_name")?,
        cluster_url: row.try_get("cluster_url")?,
        as_of: row.try_get("as_of")?,
        saved_at: row.try_get("saved_at")?,
    })
}

/// Stores a snapshot, replacing the one with the same id (a refresh, or
/// the same file imported again).
pub async fn upsert<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    let s = &snapshot.summary;
    sqlx::query(&format!(
        "INSERT INTO report_snapshots ({SUMMARY_COLUMNS}, document) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, source_id = excluded.source_id, \
         title = excluded.title, cluster_name = excluded.cluster_name, \
         cluster_url = excluded.cluster_url, as_of = excluded.as_of, \
         saved_at = excluded.saved_at, document = excluded.document"
    ))
    .bind(&s.id)
    .bind(&s.kind)
    .bind(&s.source_id)
    .bind(&s.title)
    .bind(&s.cluster_name)
    .bind(&s.cluster_url)
    .bind(s.as_of)
    .bind(s.saved_at)
    .bind(&snapshot.document)
    .execute(executor)
    .await?;
    Ok(())
}

/// Every snapshot, newest saved first, without the documents.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
) -> Result<Vec<SnapshotSummary>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM report_snapshots ORDER BY saved_at DESC, id DESC"
    ))
    .fetch_all(executor)
    .await?;
    rows.iter().map(summary_from_row).collect()
}

/// The snapshot with this id, with its document.
pub async fn get<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<Snapshot>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS}, document FROM report_snapshots WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(Snapshot {
            summary: summary_from_row(&row)?,
            document: row.try_get("document")?,
        })
    })
    .transpose()
}

/// Deletes a snapshot; false when there is none with this id.
pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM report_snapshots WHERE id = $1")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(result.rows_affected() > 0)
}
