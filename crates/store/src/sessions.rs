//! Browser sessions, stored by the SHA-256 of their secret.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
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
}

fn from_row(row: &AnyRow) -> Result<Session, StoreError> {
    Ok(Session {
        token_hash: row.try_get("token_hash")?,
        user_id: row.try_get("user_id")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
    })
}

/// Inserts a session.
pub async fn insert(tx: &mut Tx<'_>, session: &Session) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.token_hash)
    .bind(&session.user_id)
    .bind(session.created_at)
    .bind(session.expires_at)
    .bind(session.last_seen_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a session by the hash of its secret.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    token_hash: &str,
) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(
        "SELECT token_hash, user_id, created_at, expires_at, last_seen_at \
         FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
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
