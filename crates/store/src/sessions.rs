//! Browser sessions, stored by the SHA-256 of their secret.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// A fully signed-in session.
pub const STAGE_FULL: &str = "full";
/// A session whose password was right but whose second factor is still pending.
pub const STAGE_MFA: &str = "mfa";

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Public id (UUID v7) for listing and revoking; never the secret or its hash.
    pub id: String,
    /// SHA-256 hex of the session secret (the secret itself is never stored).
    pub token_hash: String,
    /// The signed-in user.
    pub user_id: String,
    /// Sign-in time.
    pub created_at: Millis,
    /// Absolute expiry.
    pub expires_at: Millis,
    /// Last request seen; drives the idle timeout.
    pub last_seen_at: Millis,
    /// [`STAGE_FULL`] or [`STAGE_MFA`].
    pub stage: String,
    /// Where the session was opened from (client address), for the owner's list.
    pub client: String,
}

const COLUMNS: &str =
    "id, token_hash, user_id, created_at, expires_at, last_seen_at, stage, client";

fn from_row(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        stage: row.try_get("stage")?,
        client: row.try_get("client")?,
    })
}

/// Inserts a session.
pub async fn insert(tx: &mut Tx<'_>, session: &Session) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&session.id)
    .bind(&session.token_hash)
    .bind(&session.user_id)
    .bind(session.created_at)
    .bind(session.expires_at)
    .bind(session.last_seen_at)
    .bind(&session.stage)
    .bind(&session.client)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a session by the hash of its secret.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    token_hash: &str,
) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The sessions of one user, newest first.
pub async fn list_for_user<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<Vec<Session>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Records activity on a session (sliding idle timeout).
pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    token_hash: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(())
}

/// Deletes a session; returns whether one existed.
pub async fn delete(tx: &mut Tx<'_>, token_hash: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes the session `id` of `user_id`; returns whether one existed.
pub async fn delete_for_user(tx: &mut Tx<'_>, user_id: &str, id: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes every session of `user_id`; returns how many.
pub async fn delete_all_for_user(tx: &mut Tx<'_>, user_id: &str) -> Result<u64, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected())
}

/// Deletes sessions whose absolute expiry or idle deadline has passed; returns how many.
pub async fn delete_expired(
    tx: &mut Tx<'_>,
    now: Millis,
    idle_cutoff: Millis,
) -> Result<u64, StoreError> {
    let result = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(idle_cutoff)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected())
}
