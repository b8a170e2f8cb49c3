//! The Flowdesk desktop console.
//!
//! A thin shell (see docs/ARCHITECTURE.md): it owns the window, the API
//! bridge ([`bridge`]), the connection profiles and the OS keyring
//! ([`connections`]) and the offline snapshots of a cluster's reports and
//! dashboards ([`snapshots`]). It holds no business logic: every request the UI
//! makes goes through the one Router of `flowdesk-api`, in-process on this
//! computer or forwarded to a cluster.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod bridge;
mod connections;
mod live;
mod snapshots;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use tauri::Manager;

/// Flowdesk desktop: design, run and watch workflows and decisions on this computer
/// or on a Flowdesk cluster.
#[derive(Debug, Parser)]
#[command(name = "flowdesk-desktop", version, about)]
struct Args {
    /// Folder holding the local database and settings (default: the OS data folder,
    /// e.g. ~/.local/share/dev.flowdesk.desktop).
    #[arg(long, env = "FLOWDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Fill the local workspace with a demo: an "Order approval" process, decision
    /// and form, and some finished instances. Existing data is kept.
    #[arg(long)]
    demo: bool,
}

fn main() {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .manage(AppStart(started))
        .manage(Arc::new(live::Subscriptions::default()))
        .register_asynchronous_uri_scheme_protocol(bridge::SCHEME, |context, request, responder| {
            let app = context.app_handle().clone();
            tauri::async_runtime::spawn(async move {
                let response = match app.try_state::<Arc<bridge::Bridge>>() {
                    Some(bridge) => bridge.inner().clone().handle(request).await,
                    None => bridge::not_ready(),
                };
                responder.respond(response);
            });
        })
        .invoke_handler(tauri::generate_handler![
            app_ready,
            connections::connections_list,
            connections::connection_active,
            connections::connection_switch,
            connections::connection_save,
            connections::connection_delete,
            live::live_subscribe,
            live::live_unsubscribe,
            snapshots::snapshot_save,
            snapshots::snapshots_list,
            snapshots::snapshot_open,
            snapshots::snapshot_refresh,
            snapshots::snapshot_delete,
            snapshots::snapshot_export,
            snapshots::snapshot_import,
        ])
        .setup(move |app| {
            let data_dir = match &args.data_dir {
                Some(dir) => dir.clone(),
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let bridge = tauri::async_runtime::block_on(bridge::Bridge::open_local(
                &data_dir,
                args.demo,
                keyring_master_key(),
            ))?;
            app.manage(Arc::new(bridge));
            app.manage(connections::Profiles::new(
                data_dir.join("connections.json"),
            ));
            for window in &app.config().app.windows {
                tauri::WebviewWindowBuilder::from_config(app.handle(), window)?.build()?;
            }
            tracing::info!(
                data_dir = %data_dir.display(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "desktop ready"
            );
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("flowdesk-desktop: {error}");
        std::process::exit(1);
    }
}

/// When the process started, for the first-paint measurement.
struct AppStart(Instant);

/// Called by the UI once its first screen has painted. Logs the time since
/// the process started and, when `FLOWDESK_FIRST_PAINT_FILE` is set, writes
/// the milliseconds there (used by `cargo xtask measure`).
/// The OS keyring entry of the master key that wraps the local database's
/// data keys (apart from the cluster tokens of [`connections`]).
const MASTER_KEY_SERVICE: &str = "flowdesk-master-key";
const MASTER_KEY_USER: &str = "local";

/// The master key from the OS keyring, created there on first start. Without
/// a keyring the app still opens, but cannot store secrets such as TOTP seeds.
fn keyring_master_key() -> Option<flowdesk_vault::MasterKey> {
    match flowdesk_vault::MasterKey::from_keyring_or_create(MASTER_KEY_SERVICE, MASTER_KEY_USER) {
        Ok((key, created)) => {
            if created {
                tracing::info!(master_key_id = %key.id(), "new master key stored in the OS keyring");
            }
            Some(key)
        }
        Err(error) => {
            tracing::warn!(%error, "no master key: secrets such as TOTP seeds cannot be stored");
            None
        }
    }
}

#[tauri::command]
fn app_ready(start: tauri::State<'_, AppStart>) -> Result<u64, String> {
    let elapsed = start.0.elapsed().as_millis() as u64;
    tracing::info!(first_paint_ms = elapsed, "first paint");
    if let Some(path) = std::env::var_os("FLOWDESK_FIRST_PAINT_FILE") {
        std::fs::write(&path, elapsed.to_string()).map_err(|e| e.to_string())?;
    }
    Ok(elapsed)
}
