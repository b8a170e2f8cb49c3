//! WebAuthn passkeys and the challenges of started passkey ceremonies.
//!
//! The passkey itself and a challenge's state are opaque JSON here;
//! `flowdesk-identity` owns their meaning.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// A registered passkey of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// UUID v7; the id the user lists and deletes it by.
    pub id: String,
    /// Its owner.
    pub user_id: String,
    /// The WebAuthn credential id, base64url without padding (unique).
    pub credential_id: String,
    /// The name the user gave it.
    pub name: String,
    /// The credential (public key, counter) as JSON.
    pub passkey: String,
    /// Registration time.
    pub created_at: Millis,
    /// Last sign-in with it.
    pub last_used_at: Option<Millis>,
}

const COLUMNS: &str = "id, user_id, credential_id, name, passkey, created_at, last_used_at";

fn from_row(row: &AnyRow) -> Result<StoredPasskey, StoreError> {
    Ok(StoredPasskey {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        credential_id: row.try_get("credential_id")?,
        name: row.try_get("name")?,
        passkey: row.try_get("passkey")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// Inserts a passkey. A credential id registered before (to anyone) gives
/// [`StoreError::Conflict`].
pub async fn insert(tx: &mut Tx<'_>, passkey: &StoredPasskey) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO passkeys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&passkey.id)
    .bind(&passkey.user_id)
    .bind(&passkey.credential_id)
    .bind(&passkey.name)
    .bind(&passkey.passkey)
    .bind(passkey.created_at)
    .bind(passkey.last_used_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The passkeys of `user_id`, oldest first.
pub async fn list_for_user<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<Vec<StoredPasskey>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Whether `user_id` has at least one passkey.
pub async fn user_has_any<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(executor)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The passkey with this credential id, if any.
pub async fn find_by_credential_id<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    credential_id: &str,
) -> Result<Option<StoredPasskey>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Records a sign-in with passkey `id`: its updated credential JSON (the
/// signature counter moves on) and the time.
pub async fn record_use(
    tx: &mut Tx<'_>,
    id: &str,
    passkey: &str,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes passkey `id` of `user_id`; false when the user has no such passkey.
pub async fn delete_for_user(tx: &mut Tx<'_>, user_id: &str, id: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes every passkey of `user_id` (and the ceremonies started for the
/// user); returns how many passkeys there were.
pub async fn delete_all_for_user(tx: &mut Tx<'_>, user_id: &str) -> Result<u64, StoreError> {
    sqlx::query("DELETE FROM passkey_challenges WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let result = sqlx::query("DELETE FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected())
}

/// The server-side state of a started passkey registration or sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// UUID v7; the browser sends it back with its answer.
    pub id: String,
    /// `register`, `second_factor` or `sign_in`.
    pub purpose: String,
    /// The user it is for; `None` for passwordless sign-in.
    pub user_id: Option<String>,
    /// The WebAuthn ceremony state as JSON.
    pub state: String,
    /// When it was handed out.
    pub created_at: Millis,
    /// After this it is refused.
    pub expires_at: Millis,
}

/// Stores a challenge, and drops every challenge that expired before `now`.
pub async fn insert_challenge(
    tx: &mut Tx<'_>,
    challenge: &Challenge,
    now: Millis,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM passkey_challenges WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO passkey_challenges (id, purpose, user_id, state, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&challenge.id)
    .bind(&challenge.purpose)
    .bind(&challenge.user_id)
    .bind(&challenge.state)
    .bind(challenge.created_at)
    .bind(challenge.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes challenge `id` of `purpose` out of the store: it is deleted, so
/// it answers once. `None` when there is no such challenge (never handed
/// out, already answered, or of another purpose); the caller checks expiry.
pub async fn take_challenge(
    tx: &mut Tx<'_>,
    id: &str,
    purpose: &str,
) -> Result<Option<Challenge>, StoreError> {
    let row = sqlx::query(
        "DELETE FROM passkey_challenges WHERE id = $1 AND purpose = $2 \
         RETURNING id, purpose, user_id, state, created_at, expires_at",
    )
    .bind(id)
    .bind(purpose)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(Challenge {
            id: row.try_get("id")?,
            purpose: row.try_get("purpose")?,
            user_id: row.try_get("user_id")?,
            state: row.try_get("state")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}
