//! Flowdesk persistence.
//!
//! This crate owns every line of SQL in Flowdesk: the connection to SQLite or
//! PostgreSQL (one [`sqlx::AnyPool`] for both), the migrations (one logical
//! schema written in two dialects under `migrations/`), and typed repository
//! functions for users, sessions, API tokens, roles and permissions, the
//! audit hash chain, definitions and instances, and durable execution:
//! [`workflow`] runs `flowdesk-engine` commands against stored instance
//! states and persists their effects (jobs, timers, message subscriptions,
//! history, incidents) in the same transaction.
//!
//! Reads take any executor (the pool via [`Store::pool`], or a transaction);
//! writes take a [`Tx`] so a service can commit a state change together with
//! its audit entry.
//!
//! Boundaries: this crate knows nothing about HTTP, sessions as cookies,
//! password hashing or permissions checks; those live in `flowdesk-identity`
//! and `flowdesk-api`. It must not depend on either.

#![warn(missing_docs)]

pub mod audit;
pub mod changes;
pub mod data_keys;
pub mod decision_history;
pub mod definitions;
pub mod history;
pub mod incidents;
pub mod instance_numbers;
pub mod instances;
pub mod jobs;
pub mod passkeys;
pub mod roles;
pub mod sensitive;
pub mod sessions;
pub mod snapshots;
pub mod tasks;
pub mod tokens;
pub mod users;
pub mod workflow;
pub mod workflow_ops;

#[cfg(feature = "test-support")]
pub mod test_support;

use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

/// A database transaction on either dialect. Every repository write takes one.
pub type Tx<'a> = sqlx::Transaction<'a, Any>;

/// Milliseconds since the Unix epoch, the one timestamp representation in the schema.
pub type Millis = i64;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Errors of the persistence layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated (e.g. the username is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not one Flowdesk understands.
    #[error(
        "unsupported database URL (expected sqlite:PATH, sqlite::memory: or postgres://…): {0}"
    )]
    InvalidUrl(String),
    /// A stored value could not be interpreted (e.g. corrupt data).
    #[error("invalid stored data: {0}")]
    InvalidData(String),
    /// Applying the migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A value must be stored sealed (a sensitive variable) but no master
    /// key is configured; nothing was stored.
    #[error(
        "{0} and encryption at rest is not configured: set FLOWDESK_MASTER_KEY or \
         [security] master_key_file (Flowdesk does not store sensitive values in plain text)"
    )]
    EncryptionNotConfigured(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_string())
            }
            _ => StoreError::Database(error),
        }
    }
}

/// The SQL dialect behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite (desktop, single node).
    Sqlite,
    /// PostgreSQL (cluster).
    Postgres,
}

/// A cheap-to-clone handle on the database pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    numbers: instance_numbers::Reserved,
    keys: Option<flowdesk_vault::Keys>,
    sensitive: sensitive::SensitiveVariables,
}

/// Normalises a SQLite URL so that the file is created when missing.
fn sqlite_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?;
    if rest == ":memory:" || rest.starts_with(":memory:?") {
        return Some("sqlite::memory:".to_string());
    }
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return None;
    }
    if path.contains('?') {
        Some(format!("sqlite://{path}"))
    } else {
        Some(format!("sqlite://{path}?mode=rwc"))
    }
}

const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
];

impl Store {
    /// Connects to `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:` or
    /// `postgres://…` (also `postgresql://…`).
    ///
    /// SQLite files are created when missing and every connection gets WAL,
    /// foreign keys, a 5 s busy timeout and `synchronous = NORMAL`. An
    /// in-memory database uses a single connection so all users see the same data.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_drivers();

        if url.starts_with("sqlite:") {
            let normalised = sqlite_url(url).ok_or_else(|| StoreError::InvalidUrl(redact(url)))?;
            let memory = normalised == "sqlite::memory:";
            let options = AnyConnectOptions::from_str(&normalised)?;
            let mut pool = AnyPoolOptions::new().after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in SQLITE_PRAGMAS {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            });
            pool = if memory {
                pool.max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
            } else {
                pool.max_connections(8)
            };
            let pool = pool.connect_with(options).await?;
            Ok(Store {
                pool,
                dialect: Dialect::Sqlite,
                numbers: Default::default(),
                keys: None,
                sensitive: sensitive::SensitiveVariables::default(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(url)?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Store {
                pool,
                dialect: Dialect::Postgres,
                numbers: Default::default(),
                keys: None,
                sensitive: sensitive::SensitiveVariables::default(),
            })
        } else {
            Err(StoreError::InvalidUrl(redact(url)))
        }
    }

    /// Applies the pending migrations of this store's dialect.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.dialect {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The dialect of this store.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The underlying pool, for reads (`repository::read(store.pool(), …)`).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction for writes.
    pub async fn begin(&self) -> Result<Tx<'static>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// This store with the deployment's data keys (see [`data_keys::open_keys`]),
    /// for sealing and opening secrets at rest; clones share them.
    pub fn with_keys(mut self, keys: flowdesk_vault::Keys) -> Store {
        self.keys = Some(keys);
        self
    }

    /// The data keys, when a master key was configured.
    pub fn keys(&self) -> Option<&flowdesk_vault::Keys> {
        self.keys.as_ref()
    }

    /// This store with the server's sensitive-variable settings (see
    /// [`sensitive`]); clones share them.
    pub fn with_sensitive_variables(mut self, sensitive: sensitive::SensitiveVariables) -> Store {
        self.sensitive = sensitive;
        self
    }

    /// Which variables are sensitive.
    pub fn sensitive(&self) -> &sensitive::SensitiveVariables {
        &self.sensitive
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Installs the SQLite and PostgreSQL drivers for `sqlx::Any` (once per process).
pub(crate) fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

/// Removes a password from a URL before it goes into an error message.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// SHA-256 of `data` as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// A new time-ordered id (UUID v7, text).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_normalised() {
        assert_eq!(
            sqlite_url("sqlite::memory:").as_deref(),
            Some("sqlite::memory:")
        );
        assert_eq!(
            sqlite_url("sqlite:a.db").as_deref(),
            Some("sqlite://a.db?mode=rwc")
        );
        assert_eq!(
            sqlite_url("sqlite:///tmp/a.db").as_deref(),
            Some("sqlite:///tmp/a.db?mode=rwc")
        );
        assert_eq!(sqlite_url("sqlite:").as_deref(), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://***@h/db");
        assert_eq!(redact("sqlite:x"), "sqlite:x");
    }
}
