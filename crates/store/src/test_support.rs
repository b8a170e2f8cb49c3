//! Test helpers (feature `test-support`): a fresh database per test on
//! SQLite (a temporary file) or PostgreSQL (a new database on the server
//! named by `FLOWDESK_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`),
//! and [`dual_test!`](crate::dual_test) to write a test body once and run it on both.
//!
//! PostgreSQL tests fail, never skip, when the server cannot be reached.
//! Every test database gets its data keys from [`TEST_MASTER_KEY`], so
//! secrets are sealed in tests as in production.

use std::future::Future;
use std::path::PathBuf;

use sqlx::Connection;

pub use paste;

use crate::{Dialect, Store};

/// The PostgreSQL server used by tests (without a database name).
pub fn postgres_base_url() -> String {
    std::env::var("FLOWDESK_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
        .trim_end_matches('/')
        .to_string()
}

/// The master key of test databases (base64): a fixed, public value, so a
/// test may start `flowdesk serve` on a test database with
/// `FLOWDESK_MASTER_KEY` set to it. Never use it outside tests.
pub const TEST_MASTER_KEY: &str = "Zmxvd2Rlc2stdGVzdC1tYXN0ZXIta2V5LTMyYnl0ZXM=";

/// [`TEST_MASTER_KEY`] as a key.
pub fn test_master_key() -> flowdesk_vault::MasterKey {
    flowdesk_vault::MasterKey::from_base64(TEST_MASTER_KEY, "TEST_MASTER_KEY")
        .expect("TEST_MASTER_KEY is 32 bytes of base64")
}

/// A migrated, empty database that is removed by [`TestDb::finish`].
#[derive(Debug)]
pub struct TestDb {
    /// The store on the fresh database.
    pub store: Store,
    /// Its URL.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, database: String },
}

impl TestDb {
    /// Creates and migrates a fresh database. Panics with a clear message
    /// when that is impossible (e.g. PostgreSQL is not running).
    pub async fn fresh(dialect: Dialect) -> TestDb {
        crate::install_drivers();
        let name = format!("flowdesk_test_{}", uuid::Uuid::new_v4().simple());
        let (url, cleanup) = match dialect {
            Dialect::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                (format!("sqlite:{}", path.display()), Cleanup::File(path))
            }
            Dialect::Postgres => {
                let base = postgres_base_url();
                let admin_url = format!("{base}/postgres");
                let mut admin = sqlx::AnyConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                            "PostgreSQL is not reachable at {base} ({e}); start it or point \
                         FLOWDESK_TEST_PG at a server where user may CREATE DATABASE"
                        )
                    });
                sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("cannot create test database {name} on {base}: {e}")
                    });
                let _ = admin.close().await;
                (
                    format!("{base}/{name}"),
                    Cleanup::Postgres {
                        admin_url,
                        database: name,
                    },
                )
            }
        };
        let store = Store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to test database: {e}"));
        store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrations failed: {e}"));
        let keys = crate::data_keys::open_keys(&store, test_master_key(), 0)
            .await
            .unwrap_or_else(|e| panic!("cannot create the data key: {e}"));
        let store = store.with_keys(keys);
        TestDb {
            store,
            url,
            cleanup,
        }
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres {
                admin_url,
                database,
            } => {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                            .execute(&mut admin)
                            .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Runs `body` on a fresh database of `dialect`, removes the database even
/// when the body panics, then propagates the panic.
pub async fn run<F, Fut>(dialect: Dialect, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::fresh(dialect).await;
    let result = tokio::spawn(body(db.store.clone())).await;
    db.finish().await;
    if let Err(error) = result {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        panic!("test task failed: {error}");
    }
}

/// Defines a test once and instantiates it as `<name>_sqlite` and `<name>_postgres`.
///
/// ```ignore
/// flowdesk_store::dual_test!(async fn users_roundtrip(store) {
///     assert!(store.ping().await.is_ok());
/// });
/// ```
#[macro_export]
macro_rules! dual_test {
    (async fn $name:ident($store:ident) $body:block) => {
        $crate::test_support::paste::paste! {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn [<$name _sqlite>]() {
                $crate::test_support::run($crate::Dialect::Sqlite, |$store: $crate::Store| async move $body).await;
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn [<$name _postgres>]() {
                $crate::test_support::run($crate::Dialect::Postgres, |$store: $crate::Store| async move $body).await;
            }
        }
    };
}
