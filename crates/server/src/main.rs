//! The `flowdesk` command: `serve` runs the one API Router (and the UI) over
//! HTTP (with the background timer worker), `migrate` prepares a database,
//! `user add` creates an account, and the workflow commands (`deploy`,
//! `start`, `publish`, `instances`, `incidents`, see [`workflow_cli`]) run
//! the engine in this process on the database, or go to a server's API with
//! `--server URL`.
//!
//! A thin binary: configuration, logging and process lifecycle only. The
//! behaviour lives in `flowdesk-api`, `flowdesk-identity` and `flowdesk-store`;
//! nothing may depend on this crate.

mod admin_cli;
mod config;
mod evaluate;
mod keys_cli;
mod report_cli;
mod tls;
mod workflow_cli;

use std::future::IntoFuture;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use flowdesk_api::ApiConfig;
use flowdesk_identity::Identity;
use flowdesk_store::sensitive::SensitiveVariables;
use flowdesk_store::Store;

use crate::config::{FileConfig, Settings};

/// Flowdesk: BPMN workflows and DMN decisions, with a web and desktop console.
#[derive(Debug, Parser)]
#[command(
    name = "flowdesk",
    version,
    about,
    long_about = "Flowdesk: BPMN workflows and DMN decisions, with a web and desktop console.\n\n\
Settings come from, highest first: command-line options, environment variables \
(FLOWDESK_DB, FLOWDESK_LISTEN, FLOWDESK_UI_DIR, FLOWDESK_PUBLIC_URL, FLOWDESK_TLS_CERT, \
FLOWDESK_TLS_KEY, FLOWDESK_CONFIG), the TOML config file (keys db, listen, ui_dir, public_url, \
[tls] cert and key, [providers.connections.NAME] url), then built-in \
defaults; FLOWDESK_PROVIDERS__CONNECTIONS__NAME__URL sets a decision data connection. Logs go to stderr; set \
RUST_LOG (default: info) to change their level.",
    after_help = "Examples:\n  flowdesk migrate --db postgres://flowdesk@db/flowdesk\n  \
echo 'a long password' | flowdesk user add alice --role admin --password-stdin\n  \
flowdesk serve --listen 0.0.0.0:8080 --demo"
)]
struct Cli {
    /// TOML config file with the keys db, listen, ui_dir and
    /// [providers.connections.NAME] url.
    #[arg(long, global = true, env = "FLOWDESK_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(flatten)]
    connection: workflow_cli::Connection,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (and the UI, when built) over HTTP, or HTTPS with
    /// --tls-cert and --tls-key, until SIGTERM or Ctrl-C.
    ///
    /// Applies pending migrations first.
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DbArgs),
    #[command(flatten)]
    Workflow(workflow_cli::WorkflowCommand),
    /// Evaluate a FEEL expression and print its value (no database).
    Feel(FeelArgs),
    /// Evaluate a decision of a DMN file and print its result (no database).
    ///
    /// Every variable is visible to every decision, as decisions made in
    /// Camunda Modeler expect.
    Decide(DecideArgs),
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Encryption at rest: rotate the data key, change the master key, list
    /// the data keys.
    Keys {
        #[command(subcommand)]
        command: keys_cli::KeysCommand,
    },
    #[command(flatten)]
    Admin(admin_cli::AdminCommand),
    /// Run saved reports.
    Report {
        #[command(subcommand)]
        command: report_cli::ReportCommand,
    },
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database: sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB.
    /// [default: flowdesk.db in the OS data folder]
    #[arg(long, env = "FLOWDESK_DB", value_name = "URL")]
    db: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address and port to listen on. [default: 127.0.0.1:8080]
    #[arg(long, env = "FLOWDESK_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Directory of the built UI to serve at /. [default: ./ui/dist if it exists]
    #[arg(long, env = "FLOWDESK_UI_DIR", value_name = "DIR")]
    ui_dir: Option<PathBuf>,
    /// Load the demo workspace (Order approval process, decision, form and
    /// sample instances) if it is not there yet.
    #[arg(long)]
    demo: bool,
    /// Mark the session cookie Secure (when clients reach Flowdesk over HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// The URL users reach Flowdesk at, e.g. https://flow.example.com: the
    /// origin passkeys are bound to. [default: http://localhost:<port>]
    #[arg(long, env = "FLOWDESK_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (the server's
    /// certificate first); needs --tls-key. Plain HTTP is then not served,
    /// cookies are Secure and responses carry Strict-Transport-Security.
    #[arg(long, env = "FLOWDESK_TLS_CERT", value_name = "PEM")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "FLOWDESK_TLS_KEY", value_name = "PEM")]
    tls_key: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct FeelArgs {
    /// The FEEL expression, e.g. 'amount * 1.19'.
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    expression: String,
    /// Variables, a JSON object, e.g. '{"amount": 100}'.
    #[arg(long, value_name = "JSON")]
    vars: Option<String>,
    /// Print the value as JSON (dates, times and durations as ISO 8601
    /// strings, numbers with every digit) instead of FEEL.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DecideArgs {
    /// The DMN file.
    #[arg(value_name = "FILE.dmn")]
    file: PathBuf,
    /// The id (or name) of the decision to evaluate.
    #[arg(value_name = "DECISION_ID")]
    decision_id: String,
    /// Variables, a JSON object, e.g. '{"amount": 100}'.
    #[arg(long, value_name = "JSON")]
    vars: Option<String>,
    /// Print the result as JSON (dates, times and durations as ISO 8601
    /// strings, numbers with every digit) instead of FEEL.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user; prints the new user's id.
    Add(UserAddArgs),
    #[command(flatten)]
    Admin(admin_cli::UserAdminCommand),
}

#[derive(Debug, Args)]
struct UserAddArgs {
    /// Login name of the new user.
    name: String,
    /// Role: admin, designer, operator, analyst or viewer.
    #[arg(long, value_name = "ROLE")]
    role: String,
    /// Read the password from the first line of standard input (required;
    /// passwords are never taken as arguments).
    #[arg(long, required = true)]
    password_stdin: bool,
    #[command(flatten)]
    db: DbArgs,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let file = match &cli.config {
        Some(path) => FileConfig::load(path)?,
        None => FileConfig::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command, &cli.connection, file))
}

async fn run(
    command: Command,
    connection: &workflow_cli::Connection,
    file: FileConfig,
) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let settings = Settings::resolve(args.db.db, args.listen, args.ui_dir, &file)?;
            let connections = config::provider_connections(&file, std::env::vars())?;
            let tls = config::tls_files(args.tls_cert, args.tls_key, &file)?
                .map(|files| tls::server_config(&files.cert, &files.key))
                .transpose()?;
            let public_url =
                config::public_url(args.public_url, &file, settings.listen, tls.is_some());
            let passkeys = flowdesk_identity::passkey::RelyingParty::for_origin(&public_url)?;
            tracing::info!(origin = %passkeys.origin(), "passkeys are bound to this origin");
            serve(
                settings,
                &connections,
                args.demo,
                args.secure_cookies || tls.is_some(),
                passkeys,
                tls,
            )
            .await
        }
        Command::Migrate(args) => {
            let settings = Settings::resolve(args.db, None, None, &file)?;
            let store = open(&settings.db).await?;
            store.close().await;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Workflow(command) => workflow_cli::run(command, connection, &file).await,
        Command::Feel(args) => print_evaluation(evaluate::feel(
            &args.expression,
            args.vars.as_deref(),
            args.json,
        )),
        Command::Decide(args) => print_evaluation(evaluate::decide(
            &args.file,
            &args.decision_id,
            args.vars.as_deref(),
            args.json,
        )),
        Command::User {
            command: UserCommand::Add(args),
        } => {
            let settings = Settings::resolve(args.db.db, None, None, &file)?;
            let password = read_password_line(std::io::stdin().lock())?;
            let store = open(&settings.db).await?;
            let identity = Identity::new(store.clone());
            let user = identity
                .create_user("cli", &args.name, &password, &args.role, now_ms())
                .await
                .with_context(|| format!("cannot create user {}", args.name))?;
            store.close().await;
            println!("{}", user.id);
            Ok(())
        }
        Command::User {
            command: UserCommand::Admin(command),
        } => admin_cli::run_user(command, &file).await,
        Command::Admin(command) => admin_cli::run(command, &file).await,
        Command::Report { command } => report_cli::run(command, &file).await,
        Command::Keys { command } => keys_cli::run(command, &file).await,
    }
}

/// Prints a local evaluation's output, or its error (with the position of
/// the problem) on stderr and exits with status 1.
fn print_evaluation(evaluated: anyhow::Result<String>) -> anyhow::Result<()> {
    match evaluated {
        Ok(output) => {
            println!("{output}");
            Ok(())
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::exit(1);
        }
    }
}

/// Connects and migrates.
async fn open(db: &str) -> anyhow::Result<Store> {
    let store = Store::connect(db)
        .await
        .context("cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

async fn serve(
    settings: Settings,
    connections: &[flowdesk_providers::ConnectionConfig],
    demo: bool,
    secure_cookies: bool,
    passkeys: flowdesk_identity::passkey::RelyingParty,
    tls: Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>,
) -> anyhow::Result<()> {
    // Set-up builds (and on failure drops) a runtime: not on an async worker.
    let owned = connections.to_vec();
    let providers = tokio::task::spawn_blocking(move || config::providers(&owned))
        .await
        .context("cannot set up the decision data providers")??;
    for connection in connections {
        // The name only: URLs may hold passwords.
        tracing::info!(connection = %connection.name, "decision data provider connection");
    }
    let store = open(&settings.db).await?;
    let store = keys_cli::unlock_configured(store, settings.master_key_file.as_deref())
        .await?
        .with_sensitive_variables(SensitiveVariables::new(
            settings.sensitive_variables.clone(),
        ));
    keys_cli::spawn_reloads(&store);
    if demo {
        flowdesk_api::demo::seed(&store)
            .await
            .context("cannot load the demo workspace")?;
        tracing::info!("demo workspace loaded");
    }
    if let Some(dir) = &settings.ui_dir {
        tracing::info!(ui_dir = %dir.display(), "serving the UI");
    }
    let router = flowdesk_api::router_with_decision_data(
        store.clone(),
        ApiConfig {
            ui_dir: settings.ui_dir.clone(),
            secure_cookies,
            passkeys: Some(passkeys),
        },
        Some(std::sync::Arc::new(providers)),
    );
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    let workers = flowdesk_api::spawn_workers(store.clone());
    // Scheduled reports: every node looks, one claims each due run.
    let _scheduler = flowdesk_insights::schedule::spawn_scheduler(
        flowdesk_insights::Insights::new(store.clone()),
        REPORT_SCHEDULE_POLL,
        now_ms,
    );
    // Graceful shutdown waits for open connections, and a live update
    // stream (GET /api/events) never ends by itself: they get 5 s.
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    };
    // Connect info gives sign-in throttling the client address.
    let serving: std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send>> =
        match tls {
            Some(tls) => {
                tracing::info!(tls = true, "listening on {address}");
                use axum::serve::ListenerExt;
                // Browsers that once reached Flowdesk over HTTPS never fall back to HTTP.
                let router =
                    router.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                        axum::http::header::STRICT_TRANSPORT_SECURITY,
                        axum::http::HeaderValue::from_static("max-age=31536000"),
                    ));
                // `tap_io` gives the TLS listener axum's connect info (the peer address).
                Box::pin(
                    axum::serve(
                        tls::TlsListener::new(listener, tls)?.tap_io(|_| {}),
                        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
                    )
                    .with_graceful_shutdown(shutdown)
                    .into_future(),
                )
            }
            None => {
                tracing::info!(tls = false, "listening on {address}");
                Box::pin(
                    axum::serve(
                        listener,
                        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
                    )
                    .with_graceful_shutdown(shutdown)
                    .into_future(),
                )
            }
        };
    let served = tokio::select! {
        served = serving => served,
        () = async {
            if stopped.wait_for(|stopping| *stopping).await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::info!("connections still open after the grace period are closed");
            Ok(())
        }
    }
    .context("server failed");
    workers.abort();
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// How long open connections may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Reads the first line of `input` as a password; refuses an empty one.
fn read_password_line(mut input: impl BufRead) -> anyhow::Result<String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password on stdin: pipe one line, e.g. `echo 'a long password' | flowdesk user add …`");
    }
    Ok(password)
}

/// How often `flowdesk serve` looks for scheduled reports that are due.
const REPORT_SCHEDULE_POLL: std::time::Duration = std::time::Duration::from_secs(15);

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_line_is_trimmed_and_must_not_be_empty() {
        assert_eq!(
            read_password_line("secret pw\r\nnext".as_bytes()).unwrap(),
            "secret pw"
        );
        assert!(read_password_line("\n".as_bytes()).is_err());
        assert!(read_password_line("".as_bytes()).is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
