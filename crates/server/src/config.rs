//! Settings: command line > environment (both via clap) > config file > defaults.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use flowdesk_providers::{ConnectionConfig, Providers, SetupError};
use flowdesk_store::sensitive::NamePattern;
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
    /// The URL users reach Flowdesk at (scheme, host, port): the WebAuthn
    /// origin, whose host is the relying party id of passkeys.
    pub public_url: Option<String>,
    /// Decision data providers (`[providers.connections.NAME]`).
    #[serde(default)]
    pub providers: ProvidersConfig,
    /// Encryption at rest (`[security]`).
    #[serde(default)]
    pub security: SecurityConfig,
    /// HTTPS (`[tls]`).
    #[serde(default)]
    pub tls: TlsConfig,
}

/// The `[tls]` table: serve HTTPS with this certificate chain and key.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file of the certificate chain, the server's certificate first.
    pub cert: Option<PathBuf>,
    /// PEM file of the certificate's private key.
    pub key: Option<PathBuf>,
}

/// The certificate and key files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// The TLS files: each from the command line or environment, else from the
/// config file's `[tls]`; none means plain HTTP. One without the other is
/// an error naming the missing one.
pub fn tls_files(
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    file: &FileConfig,
) -> anyhow::Result<Option<TlsFiles>> {
    let cert = cert.or_else(|| file.tls.cert.clone());
    let key = key.or_else(|| file.tls.key.clone());
    match (cert, key) {
        (Some(cert), Some(key)) => Ok(Some(TlsFiles { cert, key })),
        (None, None) => Ok(None),
        (Some(_), None) => anyhow::bail!(
            "a TLS certificate without its key: set --tls-key (FLOWDESK_TLS_KEY, [tls] key) too"
        ),
        (None, Some(_)) => anyhow::bail!(
            "a TLS key without its certificate: set --tls-cert (FLOWDESK_TLS_CERT, [tls] cert) too"
        ),
    }
}

/// The `[security]` table.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// File holding the master key (base64 of 32 bytes), readable by its
    /// owner only; `FLOWDESK_MASTER_KEY` wins over it.
    pub master_key_file: Option<PathBuf>,
    /// Variable name patterns that are sensitive in every process (`*`
    /// for any run of characters, case ignored), e.g. `["password",
    /// "*_secret"]`: sealed at rest, masked for roles without `variable:unmask`.
    #[serde(default)]
    pub sensitive_variables: Vec<String>,
}

/// The `[providers]` table: what DMN input data providers may reach.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProvidersConfig {
    /// SQL connections by the name models use in `connection="…"`.
    #[serde(default)]
    pub connections: BTreeMap<String, ConnectionEntry>,
}

/// One `[providers.connections.NAME]` table.
#[derive(Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConnectionEntry {
    /// `postgres://…` or `sqlite:…`; may hold a password, so it is never
    /// printed (not even by `Debug`).
    pub url: String,
}

impl std::fmt::Debug for ConnectionEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionEntry")
            .field("url", &"<redacted>")
            .finish()
    }
}

/// Environment variables `FLOWDESK_PROVIDERS__CONNECTIONS__NAME__URL` set
/// (or override) the URL of connection `name` (lowercase).
const CONNECTION_PREFIX: &str = "FLOWDESK_PROVIDERS__CONNECTIONS__";
const CONNECTION_SUFFIX: &str = "__URL";

/// The provider connections of the config file, with the environment's
/// `FLOWDESK_PROVIDERS__CONNECTIONS__NAME__URL` winning over the file;
/// sorted by name. Errors name the variable, never its value.
pub fn provider_connections(
    file: &FileConfig,
    environment: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<Vec<ConnectionConfig>> {
    let mut urls: BTreeMap<String, String> = file
        .providers
        .connections
        .iter()
        .map(|(name, entry)| (name.clone(), entry.url.clone()))
        .collect();
    for (key, value) in environment {
        let Some(rest) = key.strip_prefix(CONNECTION_PREFIX) else {
            continue;
        };
        let name = rest
            .strip_suffix(CONNECTION_SUFFIX)
            .filter(|name| !name.is_empty() && !name.contains("__"))
            .with_context(|| {
                format!(
                    "invalid environment variable {key}: expected \
                     {CONNECTION_PREFIX}NAME{CONNECTION_SUFFIX}"
                )
            })?;
        urls.insert(name.to_lowercase(), value);
    }
    Ok(urls
        .into_iter()
        .map(|(name, url)| ConnectionConfig { name, url })
        .collect())
}

/// The decision data providers over `connections` (HTTP providers need
/// none). A bad URL is an error naming the connection; the URL itself is
/// left out of the message, as it may hold a password.
pub fn providers(connections: &[ConnectionConfig]) -> anyhow::Result<Providers> {
    let url_of = |name: &str| {
        connections
            .iter()
            .find(|c| c.name == name)
            .map_or("", |c| c.url.as_str())
    };
    Providers::new(connections).map_err(|error| match error {
        SetupError::UnsupportedUrl { name, .. } => anyhow::anyhow!(
            "provider connection `{name}`: the URL is neither postgres:// nor sqlite:"
        ),
        SetupError::Connection { name, source } => {
            let detail = source.to_string();
            let url = url_of(&name);
            let detail = if url.is_empty() {
                detail
            } else {
                detail.replace(url, "<url>")
            };
            anyhow::anyhow!("provider connection `{name}`: invalid URL: {detail}")
        }
        other => anyhow::Error::new(other),
    })
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
    /// The master key file of `[security]`, if any.
    pub master_key_file: Option<PathBuf>,
    /// The sensitive variable patterns of `[security]`.
    pub sensitive_variables: Vec<NamePattern>,
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
        Ok(Settings {
            db,
            listen,
            ui_dir,
            master_key_file: file.security.master_key_file.clone(),
            sensitive_variables: file
                .security
                .sensitive_variables
                .iter()
                .map(|pattern| NamePattern::parse(pattern))
                .collect::<Result<_, _>>()
                .context("in [security] sensitive_variables of the config file")?,
        })
    }
}

/// The public URL for passkeys: the command line or environment, else the
/// config file, else `http(s)://localhost:<listen port>` (browsers refuse
/// WebAuthn on IP addresses, so a local server is reached as localhost).
pub fn public_url(cli: Option<String>, file: &FileConfig, listen: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    cli.or_else(|| file.public_url.clone())
        .unwrap_or_else(|| format!("{scheme}://localhost:{}", listen.port()))
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
    fn public_url_from_command_line_then_file_then_localhost() {
        let listen: SocketAddr = "0.0.0.0:9000".parse().unwrap();
        let file: FileConfig =
            toml::from_str("public_url = \"https://flow.example.com\"\n").unwrap();
        assert_eq!(
            public_url(Some("https://cli.example.com".into()), &file, listen, false),
            "https://cli.example.com"
        );
        assert_eq!(
            public_url(None, &file, listen, false),
            "https://flow.example.com"
        );
        assert_eq!(
            public_url(None, &FileConfig::default(), listen, false),
            "http://localhost:9000"
        );
        assert_eq!(
            public_url(None, &FileConfig::default(), listen, true),
            "https://localhost:9000"
        );
    }

    #[test]
    fn tls_files_from_command_line_then_file_and_never_half() {
        let file: FileConfig =
            toml::from_str("[tls]\ncert = \"/etc/f/cert.pem\"\nkey = \"/etc/f/key.pem\"\n")
                .unwrap();
        assert_eq!(
            tls_files(Some("/cli/cert.pem".into()), None, &file).unwrap(),
            Some(TlsFiles {
                cert: "/cli/cert.pem".into(),
                key: "/etc/f/key.pem".into()
            })
        );
        assert_eq!(tls_files(None, None, &FileConfig::default()).unwrap(), None);
        let error = tls_files(Some("/c.pem".into()), None, &FileConfig::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("--tls-key"), "{error}");
        let error = tls_files(None, Some("/k.pem".into()), &FileConfig::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("--tls-cert"), "{error}");
        assert!(toml::from_str::<FileConfig>("[tls]\ncertificate = \"x\"").is_err());
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn provider_connections_come_from_the_file_and_the_environment() {
        let file: FileConfig = toml::from_str(
            "[providers.connections.crm]\nurl = \"postgres://app:secret@db/crm\"\n\
             [providers.connections.local]\nurl = \"sqlite:local.db\"\n",
        )
        .unwrap();
        assert!(!format!("{file:?}").contains("secret"));
        let connections = provider_connections(
            &file,
            env(&[
                (
                    "FLOWDESK_PROVIDERS__CONNECTIONS__CRM__URL",
                    "postgres://db/other",
                ),
                (
                    "FLOWDESK_PROVIDERS__CONNECTIONS__BILLING__URL",
                    "sqlite:billing.db",
                ),
                ("FLOWDESK_DB", "sqlite:x.db"),
            ]),
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = connections
            .iter()
            .map(|c| (c.name.as_str(), c.url.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("billing", "sqlite:billing.db"),
                ("crm", "postgres://db/other"),
                ("local", "sqlite:local.db"),
            ]
        );
        let error = provider_connections(
            &file,
            env(&[("FLOWDESK_PROVIDERS__CONNECTIONS__CRM", "postgres://db/x")]),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("FLOWDESK_PROVIDERS__CONNECTIONS__CRM"),
            "{error}"
        );
        assert!(toml::from_str::<FileConfig>("[providers.connections.crm]\nuri = \"x\"").is_err());
    }

    #[test]
    fn a_bad_connection_url_names_the_connection_but_not_the_url() {
        let error = providers(&[ConnectionConfig {
            name: "crm".into(),
            url: "mysql://app:secret@db/crm".into(),
        }])
        .unwrap_err()
        .to_string();
        assert!(error.contains("`crm`"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        let error = providers(&[ConnectionConfig {
            name: "crm".into(),
            url: "postgres://app:secret@db:notaport/crm".into(),
        }])
        .unwrap_err()
        .to_string();
        assert!(error.contains("`crm`"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        assert!(providers(&[]).is_ok());
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

    #[test]
    fn sensitive_variable_patterns_come_from_security_and_bad_ones_are_named() {
        let file: FileConfig =
            toml::from_str("[security]\nsensitive_variables = [\"password\", \"*_secret\"]\n")
                .unwrap();
        let settings =
            Settings::resolve(Some("sqlite::memory:".into()), None, None, &file).unwrap();
        let names = flowdesk_store::sensitive::SensitiveNames::new(settings.sensitive_variables);
        assert!(names.matches("Password"));
        assert!(names.matches("bank_secret"));
        assert!(!names.matches("customer"));

        let file: FileConfig =
            toml::from_str("[security]\nsensitive_variables = [\"ok\", \"two words\"]\n").unwrap();
        let error = Settings::resolve(Some("sqlite::memory:".into()), None, None, &file)
            .expect_err("refused");
        let message = format!("{error:#}");
        assert!(
            message.contains("[security] sensitive_variables"),
            "{message}"
        );
        assert!(message.contains("\"two words\""), "{message}");
        assert!(toml::from_str::<FileConfig>("[security]\nsensitive_variables = \"x\"\n").is_err());
    }
}
