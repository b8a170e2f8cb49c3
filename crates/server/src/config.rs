//! Settings: command line > environment (both via clap) > config file > defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The TOML config file (`--config FILE` or `FLOWDESK_CONFIG`).
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database URL.
    pub db: Option<String>,
    /// Listen address.
    pub listen: Option<String>,
    /// UI directory.
    pub ui_dir: Option<PathBuf>,
}

impl FileConfig {
    /// Reads and parses the file.
    pub fn load(path: &Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }
}

/// The resolved settings.
#[derive(Debug, PartialEq, Eq)]
pub struct Settings {
    /// Database URL.
    pub db: String,
    /// Listen address.
    pub listen: SocketAddr,
    /// UI directory, if any.
    pub ui_dir: Option<PathBuf>,
}

impl Settings {
    /// Combines the command line / environment values (already merged by
    /// clap) with the config file and the defaults.
    pub fn resolve(
        db: Option<String>,
        listen: Option<SocketAddr>,
        ui_dir: Option<PathBuf>,
        file: &FileConfig,
    ) -> anyhow::Result<Settings> {
        let db = match db.or_else(|| file.db.clone()) {
            Some(db) => db,
            None => default_db()?,
        };
        let listen = match (listen, &file.listen) {
            (Some(listen), _) => listen,
            (None, Some(text)) => text
                .parse()
                .with_context(|| format!("invalid listen address {text:?} in the config file"))?,
            (None, None) => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let ui_dir = ui_dir
            .or_else(|| file.ui_dir.clone())
            .or_else(|| Some(PathBuf::from("ui/dist")).filter(|dir| dir.is_dir()));
        Ok(Settings { db, listen, ui_dir })
    }
}

/// `flowdesk.db` in the OS data folder (created if needed), else in the current folder.
fn default_db() -> anyhow::Result<String> {
    let Some(data) = dirs::data_dir() else {
        return Ok("sqlite:flowdesk.db".to_string());
    };
    let folder = data.join("flowdesk");
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create the data folder {}", folder.display()))?;
    Ok(format!("sqlite:{}", folder.join("flowdesk.db").display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_wins_over_file_and_file_over_default() {
        let file: FileConfig = toml::from_str(
            "db = \"sqlite:file.db\"\nlisten = \"0.0.0.0:9000\"\nui_dir = \"/srv/ui\"\n",
        )
        .unwrap();
        let from_file = Settings::resolve(None, None, None, &file).unwrap();
        assert_eq!(from_file.db, "sqlite:file.db");
        assert_eq!(from_file.listen, "0.0.0.0:9000".parse().unwrap());
        assert_eq!(from_file.ui_dir, Some(PathBuf::from("/srv/ui")));

        let cli = Settings::resolve(
            Some("sqlite:cli.db".into()),
            Some("127.0.0.1:1".parse().unwrap()),
            Some("/cli/ui".into()),
            &file,
        )
        .unwrap();
        assert_eq!(cli.db, "sqlite:cli.db");
        assert_eq!(cli.listen, "127.0.0.1:1".parse().unwrap());
        assert_eq!(cli.ui_dir, Some(PathBuf::from("/cli/ui")));

        let defaults = Settings::resolve(
            Some("sqlite::memory:".into()),
            None,
            None,
            &FileConfig::default(),
        )
        .unwrap();
        assert_eq!(defaults.listen, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn unknown_keys_and_bad_addresses_are_errors() {
        assert!(toml::from_str::<FileConfig>("database = \"x\"").is_err());
        let file = FileConfig {
            listen: Some("nowhere".into()),
            ..Default::default()
        };
        assert!(Settings::resolve(Some("sqlite::memory:".into()), None, None, &file).is_err());
    }
}
