//! Connection profiles: "This computer" plus saved clusters.
//!
//! A profile (name, URL, user name) is kept with tauri-plugin-store in the
//! data folder; the cluster's API token lives only in the OS keyring, under
//! the service `flowdesk` and the profile name. The password is used once,
//! to sign in and create that token, and is never stored.

use std::path::PathBuf;
use std::sync::Arc;

use flowdesk_client::Client;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_store::StoreExt;

use crate::bridge::Bridge;

const KEYRING_SERVICE: &str = "flowdesk";
const PROFILES_KEY: &str = "profiles";

/// Where the profiles are kept.
pub struct Profiles {
    file: PathBuf,
}

impl Profiles {
    /// Profiles stored in `file` (JSON, written by tauri-plugin-store).
    pub fn new(file: PathBuf) -> Self {
        Self { file }
    }
}

/// A saved cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Shown in the connection switcher; unique.
    pub name: String,
    /// Base URL of the cluster, e.g. `https://flowdesk.example.com`.
    pub url: String,
    /// The user the token belongs to.
    pub username: String,
}

fn load(app: &AppHandle) -> Result<Vec<Profile>, String> {
    let profiles = app.state::<Profiles>();
    let store = app.store(&profiles.file).map_err(|e| e.to_string())?;
    match store.get(PROFILES_KEY) {
        Some(value) => serde_json::from_value(value).map_err(|e| {
            format!(
                "the saved connections in {} are unreadable: {e}",
                profiles.file.display()
            )
        }),
        None => Ok(Vec::new()),
    }
}

fn save(app: &AppHandle, list: &[Profile]) -> Result<(), String> {
    let profiles = app.state::<Profiles>();
    let store = app.store(&profiles.file).map_err(|e| e.to_string())?;
    store.set(
        PROFILES_KEY,
        serde_json::to_value(list).map_err(|e| e.to_string())?,
    );
    store.save().map_err(|e| e.to_string())
}

fn keyring_entry(name: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(KEYRING_SERVICE, name)
        .map_err(|e| format!("the OS keyring is not available: {e}"))
}

/// The saved clusters.
#[tauri::command]
pub fn connections_list(app: AppHandle) -> Result<Vec<Profile>, String> {
    load(&app)
}

/// The profile requests go to now; `null` for this computer.
#[tauri::command]
pub fn connection_active(app: AppHandle) -> Option<String> {
    app.state::<Arc<Bridge>>().active_profile()
}

/// Switches to a saved cluster (`name`) or back to this computer (`null`).
/// Checks that the cluster answers and accepts the stored token first, so a
/// failed switch leaves the current connection in place.
#[tauri::command]
pub async fn connection_switch(app: AppHandle, name: Option<String>) -> Result<(), String> {
    let bridge = app.state::<Arc<Bridge>>().inner().clone();
    let Some(name) = name else {
        bridge.disconnect();
        return Ok(());
    };
    let client = client_for(&app, &name)?;
    client.me().await.map_err(|e| e.to_string())?;
    bridge.connect(name, client);
    Ok(())
}

/// A client of the saved cluster `name` with its token from the OS keyring.
pub fn client_for(app: &AppHandle, name: &str) -> Result<Client, String> {
    let profile = load(app)?
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("no saved connection is called {name:?}"))?;
    let token = keyring_entry(&profile.name)?.get_password().map_err(|e| {
        format!("no token for {name:?} in the OS keyring ({e}); save the connection again")
    })?;
    Ok(Client::new(&profile.url)
        .map_err(|e| e.to_string())?
        .with_token(token))
}

/// Signs in to a cluster with a password, keeps the resulting API token in
/// the OS keyring and saves (or replaces) the profile.
#[tauri::command]
pub async fn connection_save(
    app: AppHandle,
    profile: Profile,
    password: String,
) -> Result<(), String> {
    if profile.name.trim().is_empty() {
        return Err("the connection needs a name".to_owned());
    }
    if profile.username.trim().is_empty() {
        return Err("the connection needs a user name".to_owned());
    }
    let client = Client::new(&profile.url).map_err(|e| e.to_string())?;
    let token = client
        .sign_in_for_token(&profile.username, &password, "Flowdesk desktop")
        .await
        .map_err(|e| e.to_string())?;
    keyring_entry(&profile.name)?
        .set_password(&token)
        .map_err(|e| format!("cannot store the token in the OS keyring: {e}"))?;
    let mut list = load(&app)?;
    list.retain(|p| p.name != profile.name);
    list.push(profile);
    list.sort_by(|a, b| a.name.cmp(&b.name));
    save(&app, &list)
}

/// Forgets a saved cluster and its token; switches to this computer if it
/// was the active one.
#[tauri::command]
pub fn connection_delete(app: AppHandle, name: String) -> Result<(), String> {
    let bridge = app.state::<Arc<Bridge>>().inner().clone();
    if bridge.active_profile().as_deref() == Some(name.as_str()) {
        bridge.disconnect();
    }
    let mut list = load(&app)?;
    list.retain(|p| p.name != name);
    save(&app, &list)?;
    match keyring_entry(&name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(format!("cannot remove the token from the OS keyring: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the real Secret Service: `cargo xtask test` runs the tests
    /// inside `dbus-run-session` with an unlocked gnome-keyring.
    #[test]
    fn cluster_tokens_round_trip_through_the_os_keyring() {
        let name = format!("flowdesk-test-{}", std::process::id());
        let entry = keyring_entry(&name).expect("a keyring entry");
        entry.set_password("fd_example-token").expect(
            "the Secret Service stores a token (run inside dbus-run-session with gnome-keyring unlocked, as cargo xtask test does)",
        );
        let read = keyring_entry(&name)
            .expect("a keyring entry")
            .get_password();
        assert_eq!(read.expect("the stored token"), "fd_example-token");

        entry.delete_credential().expect("the token is removed");
        let gone = keyring_entry(&name)
            .expect("a keyring entry")
            .get_password();
        assert!(matches!(gone, Err(keyring::Error::NoEntry)), "got {gone:?}");
    }
}
