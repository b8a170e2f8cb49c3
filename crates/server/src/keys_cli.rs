//! Encryption at rest on a server: the master key from `FLOWDESK_MASTER_KEY`
//! (base64 of 32 bytes) or `[security] master_key_file`, unlocking the
//! store at start-up, reloading the data keys while serving, and
//! `flowdesk keys rotate | status | new-master-key`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};
use flowdesk_identity::keys::{self, MasterKey};
use flowdesk_store::Store;

use crate::config::{FileConfig, Settings};
use crate::{now_ms, open, DbArgs};

/// The environment variable holding the master key.
pub const MASTER_KEY_ENV: &str = "FLOWDESK_MASTER_KEY";
/// How often a serving node looks for a data key a rotation added.
const RELOAD_EVERY: Duration = Duration::from_secs(10);
/// The actor recorded in the audit log for CLI changes.
const CLI_ACTOR: &str = "cli";

/// `flowdesk keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Rotate the data key: a new one seals from now on, and every value
    /// sealed under an older one is re-sealed in batches (one transaction
    /// each) while servers keep running; they pick the new key up within
    /// seconds. With --new-master-key-file, re-wrap the data keys under a
    /// new master key instead (start every node with that key afterwards).
    Rotate(RotateArgs),
    /// List the data keys: version, state, the master key that wraps each
    /// (by id) and how many values are sealed under it.
    Status(DbArgs),
    /// Write a new random master key to FILE (mode 600; an existing file is
    /// never overwritten).
    NewMasterKey {
        /// Where to write it.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

/// `flowdesk keys rotate`
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Values re-sealed per transaction.
    #[arg(long, default_value_t = keys::BATCH_SIZE, value_name = "N")]
    batch_size: usize,
    /// Re-wrap the data keys under the master key in FILE (see
    /// `flowdesk keys new-master-key`) instead of rotating the data key.
    #[arg(long, value_name = "FILE")]
    new_master_key_file: Option<PathBuf>,
}

/// The configured master key: `FLOWDESK_MASTER_KEY`, else the key file;
/// `None` when neither is set. Errors name the source, never the key.
pub fn configured_master_key(master_key_file: Option<&Path>) -> anyhow::Result<Option<MasterKey>> {
    if let Some(key) = MasterKey::from_env(MASTER_KEY_ENV)? {
        return Ok(Some(key));
    }
    match master_key_file {
        Some(path) => Ok(Some(MasterKey::from_file(path)?)),
        None => Ok(None),
    }
}

/// The store with its data keys when a master key is configured (plaintext
/// secrets left from before are sealed now); without one, the store as it
/// is, and a warning: TOTP enrolment then fails.
pub async fn unlock_configured(
    store: Store,
    master_key_file: Option<&Path>,
) -> anyhow::Result<Store> {
    let Some(master) = configured_master_key(master_key_file)? else {
        tracing::warn!(
            "no master key configured ({MASTER_KEY_ENV} or [security] master_key_file): \
             secrets cannot be sealed, so TOTP enrolment is refused"
        );
        return Ok(store);
    };
    let master_key_id = master.id();
    let (store, sealed) = keys::unlock(store, master, now_ms())
        .await
        .context("cannot unlock the data keys with the configured master key")?;
    tracing::info!(
        %master_key_id,
        sealed_now = sealed,
        "encryption at rest: data keys unlocked"
    );
    Ok(store)
}

/// Reloads the data keys every few seconds, so a rotation run elsewhere
/// switches this node to the new key (nothing to do without keys).
pub fn spawn_reloads(store: &Store) {
    if store.keys().is_none() {
        return;
    }
    let store = store.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(RELOAD_EVERY);
        interval.tick().await;
        loop {
            interval.tick().await;
            match keys::reload(&store).await {
                Ok(true) => tracing::info!(
                    active = store.keys().map(|k| k.active_version()),
                    "data keys reloaded"
                ),
                Ok(false) => {}
                Err(error) => tracing::error!(%error, "cannot reload the data keys"),
            }
        }
    });
}

/// Runs a `flowdesk keys` command.
pub async fn run(command: KeysCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        KeysCommand::NewMasterKey { file } => {
            let key = MasterKey::write_new_file(&file)?;
            println!("master key {} written to {}", key.id(), file.display());
            Ok(())
        }
        KeysCommand::Status(db) => {
            let settings = Settings::resolve(db.db, None, None, file)?;
            let store = open(&settings.db).await?;
            let statuses = keys::status(&store).await?;
            store.close().await;
            println!(
                "{:<8} {:<9} {:<17} values",
                "version", "state", "master key"
            );
            for status in statuses {
                println!(
                    "{:<8} {:<9} {:<17} {}",
                    status.version, status.state, status.master_key_id, status.values
                );
            }
            Ok(())
        }
        KeysCommand::Rotate(args) => {
            let settings = Settings::resolve(args.db.db, None, None, file)?;
            let master =
                configured_master_key(settings.master_key_file.as_deref())?.with_context(|| {
                    format!(
                        "flowdesk keys rotate needs the current master key: set {MASTER_KEY_ENV} \
                         or [security] master_key_file"
                    )
                })?;
            let store = open(&settings.db).await?;
            let (store, _) = keys::unlock(store, master.clone(), now_ms())
                .await
                .context("cannot unlock the data keys with the configured master key")?;
            let result = match &args.new_master_key_file {
                Some(path) => {
                    let new = MasterKey::from_file(path)?;
                    let count =
                        keys::change_master_key(&store, &master, &new, CLI_ACTOR, now_ms()).await?;
                    println!(
                        "{count} data keys re-wrapped under master key {} ({}); start every node \
                         with it from now on",
                        new.id(),
                        path.display()
                    );
                    Ok(())
                }
                None => {
                    let rotation =
                        keys::rotate(&store, master, CLI_ACTOR, args.batch_size, now_ms()).await?;
                    println!(
                        "data key {} is active; {} values re-sealed; retired {:?}",
                        rotation.version, rotation.resealed, rotation.retired
                    );
                    Ok(())
                }
            };
            store.close().await;
            result
        }
    }
}
