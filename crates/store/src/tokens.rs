//! API tokens, stored by the SHA-256 of their secret.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// An API token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// UUID v7.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Label chosen by the owner.
    pub name: String,
    /// SHA-256 hex of the secret (the secret itself is never stored).
    pub token_hash: String,
    /// Creation time.
    pub created_at: Millis,
    /// Expiry, if any.
    pub expires_at: Option<Millis>,
    /// Last successful use.
    pub last_used_at: Option<Millis>,
    /// Permission names the token is limited to, space-separated; `None`
    /// for tokens created before scopes existed (every permission of the owner).
    pub scopes: Option<String>,
}

const COLUMNS: &str = "id, user_id, name, token_hash, created_at, expires_at, last_used_at, scopes";

fn from_row(row: &AnyRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        token_hash: row.try_get("token_hash")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
        scopes: row.try_get("scopes")?,
    })
}

/// Inserts a token.
pub async fn insert(tx: &mut Tx<'_>, token: &ApiToken) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO api_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&token.id)
    .bind(&token.user_id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(token.created_at)
    .bind(token.expires_at)
    .bind(token.last_used_at)
    .bind(&token.scopes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a token by the hash of its secret.
pub async fn find_by_hash<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The tokens of one user, newest first.
pub async fn list_for_user<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<Vec<ApiToken>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Records a use of the token.
pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Deletes a token of `user_id`; returns whether one was deleted.
pub async fn delete_for_user(tx: &mut Tx<'_>, user_id: &str, id: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}
