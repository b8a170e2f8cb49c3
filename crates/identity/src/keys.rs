//! Encryption at rest: unlocking a store's data keys with the master key,
//! sealing values stored before encryption, and key rotation.
//!
//! The scheme (AES-256-GCM data keys wrapped by a master key, sealed values
//! bound to table, column and row) is `flowdesk-vault`'s; the stored data
//! keys and the registry of sealed columns are `flowdesk_store::data_keys`.
//! This module puts them together:
//!
//! - [`unlock`] at start-up: open (or create) the data keys, seal every
//!   plaintext value left in a sealed column (TOTP seeds stored before
//!   migration 0010), attach the keys to the [`Store`];
//! - [`reload`]: pick up a data key a rotation added (a running node calls
//!   it periodically, and when a value names a key it has not loaded);
//! - [`rotate`]: a new data key, then every value re-sealed under it in
//!   batches, one transaction each, while the service keeps running;
//! - [`change_master_key`]: re-wrap the data keys under a new master key.

use crate::IdentityError;
use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::data_keys::{self, DataKeyRecord, SealedColumn, SEALED_COLUMNS};
use flowdesk_store::users::TotpCredential;
use flowdesk_store::{Millis, Store, StoreError};
pub use flowdesk_vault::{context, is_sealed, DataKey, Keys, MasterKey, VaultError, Zeroizing};

/// Values re-sealed per transaction by [`unlock`] and [`rotate`].
pub const BATCH_SIZE: usize = 500;

/// Why keys could not be unlocked, reloaded or rotated.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Persistence failed, or a data key did not unwrap (the message says which).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored value did not open (altered, or moved from another row).
    #[error("{context}: {source}")]
    Open {
        /// Where the value is: `table.column/row`.
        context: String,
        /// Why it did not open.
        source: Box<VaultError>,
    },
    /// The store has no data keys attached (no master key configured).
    #[error(
        "encryption at rest is not configured: set FLOWDESK_MASTER_KEY or \
         [security] master_key_file (the desktop uses the OS keyring)"
    )]
    NotConfigured,
}

fn open_error(column: &SealedColumn, row: &str, source: VaultError) -> KeyError {
    KeyError::Open {
        context: column.context(row),
        source: Box::new(source),
    }
}

/// Opens (or creates) the data keys of `store` with `master`, seals every
/// plaintext value left in a sealed column, and returns the store with the
/// keys attached, and how many values were sealed now.
pub async fn unlock(
    store: Store,
    master: MasterKey,
    now: Millis,
) -> Result<(Store, u64), KeyError> {
    let keys = data_keys::open_keys(&store, master, now).await?;
    let mut sealed = 0;
    for column in SEALED_COLUMNS {
        loop {
            let batch = data_keys::plaintext_values(store.pool(), column, BATCH_SIZE).await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = store.begin().await?;
            for stored in &batch {
                let value = keys.seal(&column.context(&stored.row), stored.value.as_bytes());
                if data_keys::replace_value(&mut tx, column, &stored.row, &stored.value, &value)
                    .await?
                {
                    sealed += 1;
                }
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
    }
    if sealed > 0 {
        tracing::info!(
            values = sealed,
            "sealed plaintext secrets stored before encryption at rest"
        );
    }
    Ok((store.with_keys(keys), sealed))
}

/// Loads data keys added since the store's keys were opened and switches
/// sealing to the stored active key; returns whether anything changed.
pub async fn reload(store: &Store) -> Result<bool, KeyError> {
    let keys = store.keys().ok_or(KeyError::NotConfigured)?;
    Ok(data_keys::reload(store.pool(), keys).await?)
}

/// Opens the sealed `value` of `row` in `column`, reloading the data keys
/// once when it names a key this node has not loaded yet (added by a
/// rotation on another node).
pub async fn open_text(
    store: &Store,
    column: &SealedColumn,
    row: &str,
    value: &str,
) -> Result<Zeroizing<String>, KeyError> {
    let keys = store.keys().ok_or(KeyError::NotConfigured)?;
    let context = column.context(row);
    match keys.open_text(&context, value) {
        Err(VaultError::UnknownKey(_)) => {
            reload(store).await?;
            keys.open_text(&context, value)
        }
        other => other,
    }
    .map_err(|source| open_error(column, row, source))
}

/// What [`rotate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new active data key.
    pub version: u32,
    /// The data keys it replaced (now retired).
    pub retired: Vec<u32>,
    /// Values re-sealed under the new key.
    pub resealed: u64,
}

/// Rotates the data key: stores a new one, active at once (the older ones
/// stay readable), re-seals every value sealed under an older key in
/// batches of `batch_size`, one transaction each, then retires the older
/// keys. Nodes still running pick the new key up with [`reload`]; a value
/// they seal under an older key meanwhile still opens and is re-sealed by
/// the next rotation. Audited as `keys.rotate` (start) and
/// `keys.rotated` (done) by `actor`.
pub async fn rotate(
    store: &Store,
    master: MasterKey,
    actor: &str,
    batch_size: usize,
    now: Millis,
) -> Result<Rotation, KeyError> {
    let keys = data_keys::open_keys(store, master.clone(), now).await?;
    let records = data_keys::list(store.pool()).await?;
    let next = records.iter().map(|r| r.version).max().unwrap_or(0) + 1;
    let version = u32::try_from(next)
        .map_err(|_| StoreError::InvalidData(format!("data key version {next}")))?;
    let key = DataKey::generate();
    let record = DataKeyRecord {
        version: next,
        wrapped: master.wrap(version, &key),
        master_key_id: master.id(),
        state: data_keys::ACTIVE.to_string(),
        created_at: now,
        retired_at: None,
    };
    let retiring: Vec<u32> = records
        .iter()
        .filter(|r| r.state == data_keys::ACTIVE || r.state == data_keys::RETIRING)
        .filter_map(|r| u32::try_from(r.version).ok())
        .collect();
    let mut tx = store.begin().await?;
    data_keys::change_state(&mut tx, data_keys::ACTIVE, data_keys::RETIRING, now).await?;
    data_keys::insert(&mut tx, &record).await?;
    audit::append(
        &mut tx,
        &NewAuditEntry {
            at: now,
            actor,
            action: "keys.rotate",
            resource: &format!("data_key:{version}"),
            detail: &format!("new data key {version} replaces {retiring:?}"),
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    keys.insert(version, key);
    keys.set_active(version)
        .expect("the new data key was just inserted");
    tracing::info!(version, "new data key active; re-sealing");

    let batch_size = batch_size.max(1);
    let mut resealed = 0;
    for column in SEALED_COLUMNS {
        loop {
            let batch =
                data_keys::values_not_under(store.pool(), column, version, batch_size).await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = store.begin().await?;
            for stored in &batch {
                let context = column.context(&stored.row);
                let plaintext = keys
                    .open(&context, &stored.value)
                    .map_err(|source| open_error(column, &stored.row, source))?;
                let value = keys.seal(&context, &plaintext);
                if data_keys::replace_value(&mut tx, column, &stored.row, &stored.value, &value)
                    .await?
                {
                    resealed += 1;
                }
            }
            tx.commit().await.map_err(StoreError::from)?;
            tracing::info!(table = column.table, resealed, "re-sealed a batch");
        }
    }
    resealed += flowdesk_store::sensitive::reseal(store, &keys, batch_size).await?;

    let mut tx = store.begin().await?;
    data_keys::change_state(&mut tx, data_keys::RETIRING, data_keys::RETIRED, now).await?;
    audit::append(
        &mut tx,
        &NewAuditEntry {
            at: now,
            actor,
            action: "keys.rotated",
            resource: &format!("data_key:{version}"),
            detail: &format!("{resealed} values re-sealed under data key {version}"),
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Rotation {
        version,
        retired: retiring,
        resealed,
    })
}

/// Re-wraps every data key under `new` (they are unwrapped with `old`), in
/// one transaction, audited as `keys.master_change`; returns how many.
/// Sealed values do not change, so running nodes keep working; start them
/// with the new master key from now on.
pub async fn change_master_key(
    store: &Store,
    old: &MasterKey,
    new: &MasterKey,
    actor: &str,
    now: Millis,
) -> Result<usize, KeyError> {
    let mut tx = store.begin().await?;
    let records = data_keys::list(&mut *tx).await?;
    for record in &records {
        let version = u32::try_from(record.version)
            .map_err(|_| StoreError::InvalidData(format!("data key version {}", record.version)))?;
        let key = old.unwrap(version, &record.wrapped).map_err(|e| {
            StoreError::InvalidData(format!(
                "{e} (it was wrapped by master key {})",
                record.master_key_id
            ))
        })?;
        data_keys::rewrap(&mut tx, record.version, &new.wrap(version, &key), &new.id()).await?;
    }
    audit::append(
        &mut tx,
        &NewAuditEntry {
            at: now,
            actor,
            action: "keys.master_change",
            resource: "data_keys",
            detail: &format!(
                "{} data keys re-wrapped from master key {} to {}",
                records.len(),
                old.id(),
                new.id()
            ),
        },
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(records.len())
}

/// One data key as [`status`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Its version.
    pub version: u32,
    /// active, retiring or retired.
    pub state: String,
    /// The master key that wraps it.
    pub master_key_id: String,
    /// Values sealed under it, over every sealed column.
    pub values: i64,
}

/// Every data key with the number of values sealed under it.
pub async fn status(store: &Store) -> Result<Vec<KeyStatus>, KeyError> {
    let mut statuses = Vec::new();
    for record in data_keys::list(store.pool()).await? {
        let version = u32::try_from(record.version)
            .map_err(|_| StoreError::InvalidData(format!("data key version {}", record.version)))?;
        let mut values = 0;
        for column in SEALED_COLUMNS {
            values += data_keys::count_under(store.pool(), column, version).await?;
        }
        statuses.push(KeyStatus {
            version,
            state: record.state,
            master_key_id: record.master_key_id,
            values,
        });
    }
    Ok(statuses)
}

/// The stored form of user `user_id`'s TOTP secret: sealed.
pub fn seal_totp_secret(store: &Store, user_id: &str, secret: &str) -> Result<String, KeyError> {
    let keys = store.keys().ok_or(KeyError::NotConfigured)?;
    Ok(keys.seal(&data_keys::TOTP_SECRETS.context(user_id), secret.as_bytes()))
}

/// The TOTP secret (base32) of a stored credential. A plaintext secret from
/// before migration 0010 is only accepted while no master key is
/// configured ([`unlock`] seals them all).
pub async fn totp_secret(
    store: &Store,
    credential: &TotpCredential,
) -> Result<Zeroizing<String>, KeyError> {
    if store.keys().is_none() && !is_sealed(&credential.secret) {
        return Ok(Zeroizing::new(credential.secret.clone()));
    }
    open_text(
        store,
        &data_keys::TOTP_SECRETS,
        &credential.user_id,
        &credential.secret,
    )
    .await
}

impl From<KeyError> for IdentityError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::Store(error) => IdentityError::Store(error),
            // Not an internal fault: the server lacks configuration the
            // operation needs (the API answers 503 saying which).
            KeyError::NotConfigured => IdentityError::Store(StoreError::EncryptionNotConfigured(
                "secrets such as TOTP seeds are stored sealed".into(),
            )),
            other => IdentityError::Internal(other.to_string()),
        }
    }
}
