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

/// Replaces a user's password hash; returns whether the user exists.
pub async fn set_password_hash(
    tx: &mut Tx<'_>,
    user_id: &str,
    password_hash: &str,
) -> Result<bool, StoreError> {
    let result = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Failed sign-ins recorded for one key (an account or a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures since the record was last reset.
    pub failures: i64,
    /// When the last failure happened.
    pub last_failure_at: Millis,
    /// Sign-ins under this key are refused until then.
    pub locked_until: Millis,
}

/// The throttle record of `key` (`account:<username>` or `address:<ip>`).
pub async fn throttle<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    key: &str,
) -> Result<Option<Throttle>, StoreError> {
    let row = sqlx::query(
        "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(Throttle {
            failures: row.try_get("failures")?,
            last_failure_at: row.try_get("last_failure_at")?,
            locked_until: row.try_get("locked_until")?,
        })
    })
    .transpose()
}

/// Stores the throttle record of `key`.
pub async fn set_throttle(
    tx: &mut Tx<'_>,
    key: &str,
    throttle: &Throttle,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
         last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
    )
    .bind(key)
    .bind(throttle.failures)
    .bind(throttle.last_failure_at)
    .bind(throttle.locked_until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear_throttle(tx: &mut Tx<'_>, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A user's TOTP credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpCredential {
    /// The user.
    pub user_id: String,
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret: String,
    /// When enrolment started.
    pub created_at: Millis,
    /// When the user confirmed it with a code; `None` while pending.
    pub confirmed_at: Option<Millis>,
    /// The last accepted 30-second time step (a code is accepted once).
    pub last_step: i64,
}

/// The TOTP credential of `user_id`, confirmed or not.
pub async fn totp<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<Option<TotpCredential>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, secret, created_at, confirmed_at, last_step FROM totp_credentials \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(TotpCredential {
            user_id: row.try_get("user_id")?,
            secret: row.try_get("secret")?,
            created_at: row.try_get("created_at")?,
            confirmed_at: row.try_get("confirmed_at")?,
            last_step: row.try_get("last_step")?,
        })
    })
    .transpose()
}

/// Replaces the user's TOTP credential with a new, unconfirmed one.
pub async fn put_totp(tx: &mut Tx<'_>, credential: &TotpCredential) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM totp_credentials WHERE user_id = $1")
        .bind(&credential.user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO totp_credentials (user_id, secret, created_at, confirmed_at, last_step) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&credential.user_id)
    .bind(&credential.secret)
    .bind(credential.created_at)
    .bind(credential.confirmed_at)
    .bind(credential.last_step)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records an accepted code: its time step, and the confirmation time when
/// the credential was still pending. Returns false when a code of this or a
/// later step was already accepted (a replay), changing nothing.
pub async fn accept_totp_step(
    tx: &mut Tx<'_>,
    user_id: &str,
    step: i64,
    now: Millis,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE totp_credentials SET last_step = $1, confirmed_at = COALESCE(confirmed_at, $2) \
         WHERE user_id = $3 AND last_step < $1",
    )
    .bind(step)
    .bind(now)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Replaces the user's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    tx: &mut Tx<'_>,
    user_id: &str,
    code_hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in code_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Marks an unused recovery code as used; returns false when there is no
/// such unused code.
pub async fn use_recovery_code(
    tx: &mut Tx<'_>,
    user_id: &str,
    code_hash: &str,
    now: Millis,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(code_hash)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Number of unused recovery codes of `user_id`.
pub async fn unused_recovery_codes<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    user_id: &str,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await?;
    Ok(row.try_get("n")?)
}
