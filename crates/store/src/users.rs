//! User accounts.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// A user account as stored (including the password hash; never send it out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// UUID v7.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// PHC string of the argon2id hash.
    pub password_hash: String,
    /// Name of the user's role.
    pub role: String,
    /// Creation time.
    pub created_at: Millis,
    /// Disabled users cannot sign in.
    pub disabled: bool,
}

const COLUMNS: &str = "id, username, password_hash, role, created_at, disabled";

fn from_row(row: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: row.try_get("role")?,
        created_at: row.try_get("created_at")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// Inserts a user. A taken username gives [`StoreError::Conflict`].
pub async fn insert(tx: &mut Tx<'_>, user: &User) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, created_at, disabled) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&user.password_hash)
    .bind(&user.role)
    .bind(user.created_at)
    .bind(i64::from(user.disabled))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a user by id.
pub async fn find_by_id<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Finds a user by username.
pub async fn find_by_username<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// All users ordered by username.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
        .fetch_all(executor)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Number of users.
pub async fn count<'e, E: Executor<'e, Database = Any>>(executor: E) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(executor)
        .await?;
    Ok(row.try_get("n")?)
}
