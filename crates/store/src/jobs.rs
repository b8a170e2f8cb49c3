//! Jobs: work items of service and user tasks, leased by workers.
//!
//! A job row moves `activatable -> activated -> done`; a failure with retries
//! left sends it back to `activatable` (not before `backoff_until`), without
//! retries to `failed` (an incident is open). `cancelled` jobs belong to
//! element instances that were terminated. An `activated` job whose lease
//! `deadline` passed can be activated again by another worker.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Dialect, Millis, StoreError, Tx};

/// A stored job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The engine's job key.
    pub key: i64,
    /// The process instance (row id) it belongs to.
    pub instance_id: String,
    /// The task's element id.
    pub element_id: String,
    /// The element instance waiting for the job.
    pub element_instance_key: i64,
    /// The job type (`zeebe:taskDefinition type`).
    pub job_type: String,
    /// `worker` or `userTask`.
    pub kind: String,
    /// Retries left.
    pub retries: i64,
    /// `activatable`, `activated`, `failed`, `done` or `cancelled`.
    pub state: String,
    /// End of the current lease, for activated jobs.
    pub deadline: Option<Millis>,
    /// The worker holding (or last holding) the lease.
    pub worker: Option<String>,
    /// The variables visible at the task when the job was created (JSON object text).
    pub variables: String,
    /// Task headers (JSON object text).
    pub custom_headers: String,
    /// The last failure message.
    pub error_message: Option<String>,
    /// Not activatable before this time.
    pub backoff_until: Option<Millis>,
    /// Creation time.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
}

const COLUMNS: &str = "key, instance_id, element_id, element_instance_key, job_type, kind, \
    retries, state, deadline, worker, variables, custom_headers, error_message, backoff_until, \
    created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        key: row.try_get("key")?,
        instance_id: row.try_get("instance_id")?,
        element_id: row.try_get("element_id")?,
        element_instance_key: row.try_get("element_instance_key")?,
        job_type: row.try_get("job_type")?,
        kind: row.try_get("kind")?,
        retries: row.try_get("retries")?,
        state: row.try_get("state")?,
        deadline: row.try_get("deadline")?,
        worker: row.try_get("worker")?,
        variables: row.try_get("variables")?,
        custom_headers: row.try_get("custom_headers")?,
        error_message: row.try_get("error_message")?,
        backoff_until: row.try_get("backoff_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Inserts a new, activatable job.
pub async fn insert(tx: &mut Tx<'_>, job: &Job) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO jobs ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(job.key)
    .bind(&job.instance_id)
    .bind(&job.element_id)
    .bind(job.element_instance_key)
    .bind(&job.job_type)
    .bind(&job.kind)
    .bind(job.retries)
    .bind(&job.state)
    .bind(job.deadline)
    .bind(&job.worker)
    .bind(&job.variables)
    .bind(&job.custom_headers)
    .bind(&job.error_message)
    .bind(job.backoff_until)
    .bind(job.created_at)
    .bind(job.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a job by key.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    key: i64,
) -> Result<Option<Job>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM jobs WHERE key = $1"))
        .bind(key)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Jobs of an instance, oldest first.
pub async fn list_for_instance<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    instance_id: &str,
) -> Result<Vec<Job>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE instance_id = $1 ORDER BY key"
    ))
    .bind(instance_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Sets a job's state (and retries, backoff, error message where given).
pub async fn set_state(
    tx: &mut Tx<'_>,
    key: i64,
    state: &str,
    retries: Option<i64>,
    backoff_until: Option<Millis>,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE jobs SET state = $2, retries = COALESCE($3, retries), backoff_until = $4, \
         deadline = NULL, updated_at = $5 WHERE key = $1",
    )
    .bind(key)
    .bind(state)
    .bind(retries)
    .bind(backoff_until)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a worker's failure message on a job.
pub async fn set_error_message(tx: &mut Tx<'_>, key: i64, message: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET error_message = $2 WHERE key = $1")
        .bind(key)
        .bind(message)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cancels every open job of an instance (it ended).
pub async fn cancel_open(
    tx: &mut Tx<'_>,
    instance_id: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE jobs SET state = 'cancelled', deadline = NULL, updated_at = $2 \
         WHERE instance_id = $1 AND state IN ('activatable', 'activated', 'failed')",
    )
    .bind(instance_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Leases up to `max_jobs` jobs of `job_type` to `worker` until `deadline`:
/// activatable ones whose backoff is over, and activated ones whose lease ran
/// out. On PostgreSQL concurrent activations skip each other's rows
/// (`FOR UPDATE SKIP LOCKED`); on SQLite the caller's transaction already
/// holds the single writer lock.
pub async fn activate(
    tx: &mut Tx<'_>,
    dialect: Dialect,
    job_type: &str,
    worker: &str,
    max_jobs: i64,
    deadline: Millis,
    now: Millis,
) -> Result<Vec<Job>, StoreError> {
    let lock = match dialect {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    let rows = sqlx::query(&format!(
        "SELECT key FROM jobs WHERE job_type = $1 AND \
         ((state = 'activatable' AND (backoff_until IS NULL OR backoff_until <= $2)) \
          OR (state = 'activated' AND deadline <= $2)) \
         ORDER BY key LIMIT $3{lock}"
    ))
    .bind(job_type)
    .bind(now)
    .bind(max_jobs)
    .fetch_all(&mut **tx)
    .await?;
    let mut jobs = Vec::with_capacity(rows.len());
    for row in rows {
        let key: i64 = row.try_get("key")?;
        // One statement per job: the update hands back the leased row.
        let leased = sqlx::query(&format!(
            "UPDATE jobs SET state = 'activated', worker = $2, deadline = $3, updated_at = $4 \
             WHERE key = $1 RETURNING {COLUMNS}"
        ))
        .bind(key)
        .bind(worker)
        .bind(deadline)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = leased {
            jobs.push(from_row(&row)?);
        }
    }
    Ok(jobs)
}
