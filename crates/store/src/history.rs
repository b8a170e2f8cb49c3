//! History: per-instance, append-only events (element activated and
//! completed, jobs, timers, messages, incidents). Rows are never updated.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
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

/// One event to append with [`append_many`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewEvent<'a> {
    /// The process instance (row id).
    pub instance_id: &'a str,
    /// When it happened.
    pub at: Millis,
    /// What happened.
    pub kind: &'a str,
    /// The element concerned, if any.
    pub element_id: Option<&'a str>,
    /// The engine's effect as JSON text.
    pub detail: &'a str,
}

/// Rows per multi-row `INSERT`: 5 parameters each keeps a statement at 995
/// parameters, under SQLite's oldest limit (999; 32,766 since 3.32) and
/// PostgreSQL's (65,535).
pub(crate) const ROWS_PER_INSERT: usize = 199;
const _: () = assert!(ROWS_PER_INSERT * 5 <= 999);

/// The `INSERT` text for `rows` rows whose parameters start at `$first`.
/// The text depends only on `first` and `rows`, so sqlx's per-connection
/// statement cache keeps one prepared statement per size.
pub(crate) fn insert_sql(first: usize, rows: usize) -> String {
    let mut sql =
        String::from("INSERT INTO history (instance_id, at, kind, element_id, detail) VALUES ");
    for row in 0..rows {
        let n = first + row * 5;
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${})",
            n,
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
    }
    sql
}

/// Binds the parameters of [`insert_sql`] for `events`.
pub(crate) fn bind<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    events: &[NewEvent<'q>],
) -> Query<'q, Any, AnyArguments<'q>> {
    for event in events {
        query = query
            .bind(event.instance_id)
            .bind(event.at)
            .bind(event.kind)
            .bind(event.element_id)
            .bind(event.detail);
    }
    query
}

/// Appends events in order (their `seq` follows the slice), with one
/// multi-row `INSERT` per [`ROWS_PER_INSERT`] events.
pub async fn append_many(tx: &mut Tx<'_>, events: &[NewEvent<'_>]) -> Result<(), StoreError> {
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let sql = insert_sql(1, chunk.len());
        bind(sqlx::query(&sql), chunk).execute(&mut **tx).await?;
    }
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

#[cfg(test)]
mod tests {
    use super::{insert_sql, ROWS_PER_INSERT};

    #[test]
    fn multi_row_inserts_number_every_parameter() {
        assert_eq!(
            insert_sql(1, 2),
            "INSERT INTO history (instance_id, at, kind, element_id, detail) VALUES \
             ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)"
        );
        let largest = insert_sql(1, ROWS_PER_INSERT);
        assert!(largest.contains(&format!("${}", ROWS_PER_INSERT * 5)));
        assert!(insert_sql(14, 1).ends_with("($14, $15, $16, $17, $18)"));
    }
}
