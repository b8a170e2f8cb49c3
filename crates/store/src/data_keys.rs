//! Encryption at rest: the wrapped data keys (table `data_keys`, see
//! `flowdesk-vault` for the scheme) and the columns that hold sealed values.
//!
//! [`open_keys`] turns the stored data keys into a [`Keys`] with the master
//! key (creating the first data key on a new database); [`reload`] picks up
//! a data key another node or `flowdesk keys rotate` added. The
//! [`SEALED_COLUMNS`] registry lists every column whose values are sealed,
//! so a rotation and the first start can find them all; a new sealed column
//! is one more entry there.

use flowdesk_vault::{context, DataKey, Keys, MasterKey, SEALED_PREFIX};
use sqlx::{Any, Executor, Row};

use crate::{Millis, Store, StoreError, Tx};

/// State of the data key new values are sealed under (exactly one).
pub const ACTIVE: &str = "active";
/// State of an older data key while a rotation re-seals its values.
pub const RETIRING: &str = "retiring";
/// State of an older data key whose values were re-sealed; kept so that a
/// value sealed by a node that had not reloaded its keys yet still opens.
pub const RETIRED: &str = "retired";

/// One stored data key.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeyRecord {
    /// Its version, named in every value sealed under it.
    pub version: i64,
    /// The key wrapped by the master key (`fdwrap:v1:…`).
    pub wrapped: String,
    /// Fingerprint ([`MasterKey::id`]) of the master key that wrapped it.
    pub master_key_id: String,
    /// [`ACTIVE`], [`RETIRING`] or [`RETIRED`].
    pub state: String,
    /// When it was created.
    pub created_at: Millis,
    /// When it stopped being active.
    pub retired_at: Option<Millis>,
}

impl std::fmt::Debug for DataKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeyRecord")
            .field("version", &self.version)
            .field("wrapped", &"<redacted>")
            .field("master_key_id", &self.master_key_id)
            .field("state", &self.state)
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

/// Every stored data key, oldest first.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
) -> Result<Vec<DataKeyRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, wrapped, master_key_id, state, created_at, retired_at \
         FROM data_keys ORDER BY version",
    )
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DataKeyRecord {
                version: row.try_get("version")?,
                wrapped: row.try_get("wrapped")?,
                master_key_id: row.try_get("master_key_id")?,
                state: row.try_get("state")?,
                created_at: row.try_get("created_at")?,
                retired_at: row.try_get("retired_at")?,
            })
        })
        .collect()
}

/// Stores a new data key.
pub async fn insert(tx: &mut Tx<'_>, record: &DataKeyRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO data_keys (version, wrapped, master_key_id, state, created_at, retired_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(record.version)
    .bind(&record.wrapped)
    .bind(&record.master_key_id)
    .bind(&record.state)
    .bind(record.created_at)
    .bind(record.retired_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves every data key in state `from` to state `to` (recording `now` as
/// the retirement time when it had none); returns how many changed.
pub async fn change_state(
    tx: &mut Tx<'_>,
    from: &str,
    to: &str,
    now: Millis,
) -> Result<u64, StoreError> {
    let result = sqlx::query(
        "UPDATE data_keys SET state = $1, retired_at = COALESCE(retired_at, $2) WHERE state = $3",
    )
    .bind(to)
    .bind(now)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected())
}

/// Replaces the wrapped form of data key `version` (a master key change).
pub async fn rewrap(
    tx: &mut Tx<'_>,
    version: i64,
    wrapped: &str,
    master_key_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE data_keys SET wrapped = $1, master_key_id = $2 WHERE version = $3")
        .bind(wrapped)
        .bind(master_key_id)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn version_of(record: &DataKeyRecord) -> Result<u32, StoreError> {
    u32::try_from(record.version)
        .map_err(|_| StoreError::InvalidData(format!("data key version {}", record.version)))
}

fn unwrap(master: &MasterKey, record: &DataKeyRecord) -> Result<DataKey, StoreError> {
    let version = version_of(record)?;
    master.unwrap(version, &record.wrapped).map_err(|error| {
        let wrapped_by = if record.master_key_id == master.id() {
            String::new()
        } else {
            format!(" (it was wrapped by master key {})", record.master_key_id)
        };
        StoreError::InvalidData(format!("{error}{wrapped_by}"))
    })
}

/// The data keys of this database, unwrapped with `master`; a database
/// without any gets its first (version 1, active) now. Fails, naming the
/// key, when a data key does not unwrap (a different master key).
pub async fn open_keys(store: &Store, master: MasterKey, now: Millis) -> Result<Keys, StoreError> {
    let mut records = list(store.pool()).await?;
    if records.is_empty() {
        let record = DataKeyRecord {
            version: 1,
            wrapped: master.wrap(1, &DataKey::generate()),
            master_key_id: master.id(),
            state: ACTIVE.to_string(),
            created_at: now,
            retired_at: None,
        };
        let mut tx = store.begin().await?;
        match insert(&mut tx, &record).await {
            Ok(()) => tx.commit().await?,
            // Another node created it first: use theirs.
            Err(StoreError::Conflict(_)) => tx.rollback().await?,
            Err(error) => return Err(error),
        }
        records = list(store.pool()).await?;
    }
    let active = records
        .iter()
        .find(|r| r.state == ACTIVE)
        .ok_or_else(|| StoreError::InvalidData("no active data key in data_keys".into()))?;
    let keys = Keys::new(
        master.clone(),
        version_of(active)?,
        unwrap(&master, active)?,
    );
    for record in records.iter().filter(|r| r.state != ACTIVE) {
        keys.insert(version_of(record)?, unwrap(&master, record)?);
    }
    Ok(keys)
}

/// Loads the data keys `keys` does not have yet and makes the stored active
/// one active; returns whether anything changed. Keys already loaded are
/// not unwrapped again, so a node keeps working while the master key
/// changes under it.
pub async fn reload<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    keys: &Keys,
) -> Result<bool, StoreError> {
    let records = list(executor).await?;
    let mut changed = false;
    for record in &records {
        let version = version_of(record)?;
        if !keys.has_version(version) {
            keys.insert(version, unwrap(keys.master(), record)?);
            changed = true;
        }
        if record.state == ACTIVE && keys.active_version() != version {
            keys.set_active(version)
                .map_err(|e| StoreError::InvalidData(e.to_string()))?;
            changed = true;
        }
    }
    Ok(changed)
}

/// A TEXT column whose values are sealed; each value's context is
/// [`SealedColumn::context`] of its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedColumn {
    /// The table.
    pub table: &'static str,
    /// The sealed column.
    pub column: &'static str,
    /// The TEXT primary key column that names the row.
    pub key: &'static str,
}

impl SealedColumn {
    /// The context (associated data) of the value in row `row`.
    pub fn context(&self, row: &str) -> String {
        context(self.table, self.column, row)
    }
}

/// TOTP shared secrets, sealed per user.
pub const TOTP_SECRETS: SealedColumn = SealedColumn {
    table: "totp_credentials",
    column: "secret",
    key: "user_id",
};

/// Every sealed column: what the first start seals and a rotation re-seals.
pub const SEALED_COLUMNS: &[SealedColumn] = &[TOTP_SECRETS];

/// One stored value of a sealed column.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredValue {
    /// The row's key.
    pub row: String,
    /// The value as stored (sealed, or plaintext from before sealing).
    pub value: String,
}

impl std::fmt::Debug for StoredValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredValue")
            .field("row", &self.row)
            .field("value", &"<redacted>")
            .finish()
    }
}

async fn values_where<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    column: &SealedColumn,
    condition: &str,
    patterns: &[String],
    limit: usize,
) -> Result<Vec<StoredValue>, StoreError> {
    let SealedColumn { table, column, key } = column;
    let sql = format!(
        "SELECT {key} AS row_key, {column} AS value FROM {table} WHERE {condition} \
         ORDER BY {key} LIMIT {limit}"
    );
    let mut query = sqlx::query(&sql);
    for pattern in patterns {
        query = query.bind(pattern.clone());
    }
    let rows = query.fetch_all(executor).await?;
    rows.iter()
        .map(|row| {
            Ok(StoredValue {
                row: row.try_get("row_key")?,
                value: row.try_get("value")?,
            })
        })
        .collect()
}

/// Up to `limit` values of `column` that are not sealed yet.
pub async fn plaintext_values<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    column: &SealedColumn,
    limit: usize,
) -> Result<Vec<StoredValue>, StoreError> {
    let condition = format!("{} NOT LIKE $1", column.column);
    values_where(
        executor,
        column,
        &condition,
        &[format!("{SEALED_PREFIX}%")],
        limit,
    )
    .await
}

/// Up to `limit` sealed values of `column` under any data key but `version`.
pub async fn values_not_under<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    column: &SealedColumn,
    version: u32,
    limit: usize,
) -> Result<Vec<StoredValue>, StoreError> {
    let condition = format!("{0} LIKE $1 AND {0} NOT LIKE $2", column.column);
    values_where(
        executor,
        column,
        &condition,
        &[
            format!("{SEALED_PREFIX}%"),
            format!("{SEALED_PREFIX}{version}:%"),
        ],
        limit,
    )
    .await
}

/// Number of values of `column` sealed under data key `version`.
pub async fn count_under<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    column: &SealedColumn,
    version: u32,
) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {} LIKE $1",
        column.table, column.column
    );
    let row = sqlx::query(&sql)
        .bind(format!("{SEALED_PREFIX}{version}:%"))
        .fetch_one(executor)
        .await?;
    Ok(row.try_get("n")?)
}

/// Replaces the value of `row` with `new` if it is still `old` (a
/// concurrent change wins); returns whether it was replaced.
pub async fn replace_value(
    tx: &mut Tx<'_>,
    column: &SealedColumn,
    row: &str,
    old: &str,
    new: &str,
) -> Result<bool, StoreError> {
    let SealedColumn { table, column, key } = column;
    let sql = format!("UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3");
    let result = sqlx::query(&sql)
        .bind(new)
        .bind(row)
        .bind(old)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}
