//! The workflow commands of `flowdesk`: `deploy`, `start`, `publish`,
//! `instances`, `incidents`, and the operator's `variables`, `modify`,
//! `cancel` and `resolve`.
//!
//! Each runs either embedded (the engine in this process, on the database
//! of `--db`, through the same services as the API) or, with `--server
//! URL`, through the API of a running Flowdesk with `flowdesk-client`. The
//! API token comes from the `FLOWDESK_TOKEN` environment variable or from
//! `--token-file`, never from the command line. Both ways print the same
//! output: a table, or the API's JSON with `--json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use flowdesk_client::{
    Client, CommandOutcome, Definition, Incident, Instance, MessageCorrelated, StartInstance,
};
use flowdesk_store::Store;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::{FileConfig, Settings};
use crate::DbArgs;

/// The actor recorded in the audit log for embedded changes.
const CLI_ACTOR: &str = "cli";

/// Environment variable holding the API token for `--server`.
const TOKEN_ENV: &str = "FLOWDESK_TOKEN";

/// Where the workflow commands go: a server, or the database (embedded).
#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// Send workflow commands to this Flowdesk server (e.g.
    /// http://localhost:8080) instead of running the engine in this process
    /// on --db. The API token comes from FLOWDESK_TOKEN or --token-file.
    #[arg(long, global = true, env = "FLOWDESK_SERVER", value_name = "URL")]
    server: Option<String>,
    /// File whose first line is the API token for --server (instead of the
    /// FLOWDESK_TOKEN environment variable; a token is never an argument).
    #[arg(long, global = true, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

/// Output format of a workflow command.
#[derive(Debug, Args)]
pub(crate) struct Output {
    /// Print the API's JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// The workflow subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum WorkflowCommand {
    /// Deploy BPMN files: a new version of each executable process whose
    /// content changed.
    Deploy(DeployArgs),
    /// Start an instance of a process (its latest version unless --version
    /// or --version-tag);
    /// the engine runs it until it waits or ends. With --await, wait for
    /// the end (or an incident) and print the final state and variables;
    /// exits 1 when the time is up first.
    Start(StartArgs),
    /// Publish a message to the instances waiting for its name and key.
    Publish(PublishArgs),
    /// List process instances, newest first (state `incident`: stopped at
    /// an open incident).
    Instances(InstancesArgs),
    /// List incidents, newest first (open ones unless --all).
    Incidents(IncidentsArgs),
    /// Print the process variables of an instance, or set some with --set
    /// (each lands where it exists, else at the process level).
    Variables(VariablesArgs),
    /// Activate elements of an active instance and/or terminate element
    /// instances, in one step (moving a token: both).
    Modify(ModifyArgs),
    /// Cancel an active instance.
    Cancel(InstanceArgs),
    /// Resolve an incident: the step that raised it runs again, with the
    /// instance's current variables (fix them first with `variables --set`).
    Resolve(ResolveArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// BPMN files to deploy.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct StartArgs {
    /// The BPMN process id.
    process_id: String,
    /// Start this version instead of the latest.
    #[arg(long, value_name = "N", conflicts_with = "version_tag")]
    version: Option<i64>,
    /// Start the version with this `zeebe:versionTag` instead of the latest.
    #[arg(long, value_name = "TAG")]
    version_tag: Option<String>,
    /// Start variables, a JSON object.
    #[arg(long, value_name = "JSON")]
    vars: Option<String>,
    /// Wait up to this many seconds (at most 300) for the instance to end
    /// or stop at an incident.
    #[arg(long = "await", value_name = "SECONDS")]
    await_seconds: Option<f64>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The message name.
    name: String,
    /// The correlation key.
    #[arg(long, value_name = "KEY", default_value = "")]
    key: String,
    /// Message variables, a JSON object.
    #[arg(long, value_name = "JSON")]
    vars: Option<String>,
    /// Keep the message this many milliseconds for instances that start
    /// waiting for it later.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    ttl_ms: i64,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct InstancesArgs {
    /// Only instances of this process id.
    #[arg(long, value_name = "ID")]
    process: Option<String>,
    /// Only instances in this state: active, completed, cancelled or incident.
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct IncidentsArgs {
    /// Only the incidents of this instance id.
    #[arg(long, value_name = "ID")]
    instance: Option<String>,
    /// Resolved incidents too.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct VariablesArgs {
    /// The instance id.
    instance: String,
    /// Variables to set, a JSON object.
    #[arg(long, value_name = "JSON")]
    set: Option<String>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct ModifyArgs {
    /// The instance id.
    instance: String,
    /// Activate this element (repeatable).
    #[arg(long, value_name = "ELEMENT_ID")]
    activate: Vec<String>,
    /// Terminate this element instance (repeatable; keys are in the
    /// instance's history and its jobs).
    #[arg(long, value_name = "KEY")]
    terminate: Vec<i64>,
    /// Variables set at the process level before the activations, a JSON object.
    #[arg(long, value_name = "JSON")]
    vars: Option<String>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct InstanceArgs {
    /// The instance id.
    instance: String,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Args)]
pub(crate) struct ResolveArgs {
    /// The incident key (see `flowdesk incidents`).
    key: i64,
    #[command(flatten)]
    output: Output,
}

impl WorkflowCommand {
    fn output(&self) -> &Output {
        match self {
            WorkflowCommand::Deploy(args) => &args.output,
            WorkflowCommand::Start(args) => &args.output,
            WorkflowCommand::Publish(args) => &args.output,
            WorkflowCommand::Instances(args) => &args.output,
            WorkflowCommand::Incidents(args) => &args.output,
            WorkflowCommand::Variables(args) => &args.output,
            WorkflowCommand::Modify(args) => &args.output,
            WorkflowCommand::Cancel(args) => &args.output,
            WorkflowCommand::Resolve(args) => &args.output,
        }
    }
}

/// Runs a workflow command against `--server` or the database.
pub(crate) async fn run(
    command: WorkflowCommand,
    connection: &Connection,
    file: &FileConfig,
) -> anyhow::Result<()> {
    let backend = Backend::open(connection, &command.output().db, file).await?;
    let result = execute(&backend, command).await;
    if let Backend::Embedded(store) = backend {
        store.close().await;
    }
    result
}

async fn execute(backend: &Backend, command: WorkflowCommand) -> anyhow::Result<()> {
    match command {
        WorkflowCommand::Deploy(args) => {
            let mut deployed = Vec::new();
            for path in &args.files {
                let xml = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let definitions = backend
                    .deploy(&resource_name(path), xml)
                    .await
                    .with_context(|| format!("cannot deploy {}", path.display()))?;
                deployed.extend(definitions);
            }
            if args.output.json {
                return print_json(&deployed);
            }
            print_table(
                &["ID", "PROCESS", "VERSION", "NAME", "RESOURCE"],
                deployed.iter().map(|d| {
                    vec![
                        d.id.clone(),
                        d.process_id.clone(),
                        d.version.to_string(),
                        d.name.clone(),
                        d.resource_name.clone(),
                    ]
                }),
            );
            Ok(())
        }
        WorkflowCommand::Start(args) => {
            let variables = json_object("--vars", args.vars.as_deref())?;
            let wait = match args.await_seconds {
                None => None,
                Some(seconds) if seconds.is_finite() && (0.0..=300.0).contains(&seconds) => {
                    Some(Duration::from_secs_f64(seconds))
                }
                Some(seconds) => bail!("--await must be from 0 to 300 seconds, not {seconds}"),
            };
            let instance = backend
                .start(
                    &args.process_id,
                    args.version,
                    args.version_tag.as_deref(),
                    variables,
                    wait,
                )
                .await
                .with_context(|| format!("cannot start {}", args.process_id))?;
            if args.output.json {
                print_json(&instance)?;
            } else {
                print_instance(&instance)?;
            }
            if let Some(wait) = wait {
                if instance.state == "active" {
                    bail!(
                        "instance {} is still active after {} seconds",
                        instance.id,
                        wait.as_secs_f64()
                    );
                }
            }
            Ok(())
        }
        WorkflowCommand::Publish(args) => {
            let variables = json_object("--vars", args.vars.as_deref())?;
            let correlated = backend
                .publish(&args.name, &args.key, variables, args.ttl_ms)
                .await
                .with_context(|| format!("cannot publish {}", args.name))?;
            if args.output.json {
                return print_json(&correlated);
            }
            println!(
                "message {} (key {:?}) correlated to {} instance(s)",
                args.name,
                args.key,
                correlated.instances.len()
            );
            for id in &correlated.instances {
                println!("{id}");
            }
            Ok(())
        }
        WorkflowCommand::Instances(args) => {
            let instances = backend
                .instances(args.process.as_deref(), args.state.as_deref())
                .await
                .context("cannot list instances")?;
            if args.output.json {
                return print_json(&instances);
            }
            print_table(
                &["ID", "PROCESS", "VERSION", "STATE", "STARTED", "ENDED"],
                instances.iter().map(|i| {
                    vec![
                        i.id.clone(),
                        i.process_id.clone(),
                        i.version.to_string(),
                        i.state.clone(),
                        i.started_at.clone(),
                        i.ended_at.clone().unwrap_or_default(),
                    ]
                }),
            );
            Ok(())
        }
        WorkflowCommand::Incidents(args) => {
            let state = (!args.all).then_some("open");
            let incidents = backend
                .incidents(state, args.instance.as_deref())
                .await
                .context("cannot list incidents")?;
            if args.output.json {
                return print_json(&incidents);
            }
            print_table(
                &["KEY", "INSTANCE", "ELEMENT", "KIND", "STATE", "MESSAGE"],
                incidents.iter().map(|i| {
                    vec![
                        i.key.to_string(),
                        i.instance_id.clone(),
                        i.element_id.clone(),
                        i.kind.clone(),
                        i.state.clone(),
                        i.message.clone(),
                    ]
                }),
            );
            Ok(())
        }
        WorkflowCommand::Variables(args) => {
            let instance = match args.set.as_deref() {
                Some(text) => {
                    let variables = json_object("--set", Some(text))?;
                    Some(
                        backend
                            .set_variables(&args.instance, variables)
                            .await
                            .with_context(|| {
                                format!("cannot set variables of {}", args.instance)
                            })?,
                    )
                }
                None => None,
            };
            let variables = match &instance {
                Some(instance) => instance.variables.clone(),
                None => backend
                    .variables(&args.instance)
                    .await
                    .with_context(|| format!("cannot read variables of {}", args.instance))?,
            };
            if args.output.json {
                return print_json(&variables);
            }
            print_variables(&variables);
            Ok(())
        }
        WorkflowCommand::Modify(args) => {
            let variables = match args.vars.as_deref() {
                Some(text) => Some(json_object("--vars", Some(text))?),
                None => None,
            };
            let activate: Vec<serde_json::Value> = args
                .activate
                .iter()
                .enumerate()
                .map(|(index, element_id)| match (&variables, index) {
                    (Some(variables), 0) => {
                        serde_json::json!({"element_id": element_id, "variables": variables})
                    }
                    _ => serde_json::json!({"element_id": element_id}),
                })
                .collect();
            if activate.is_empty() && args.terminate.is_empty() {
                bail!("give at least one --activate ELEMENT_ID or --terminate KEY");
            }
            let instance = backend
                .modify(&args.instance, activate, &args.terminate)
                .await
                .with_context(|| format!("cannot modify {}", args.instance))?;
            if args.output.json {
                return print_json(&instance);
            }
            print_instance(&instance)
        }
        WorkflowCommand::Cancel(args) => {
            let instance = backend
                .cancel(&args.instance)
                .await
                .with_context(|| format!("cannot cancel {}", args.instance))?;
            if args.output.json {
                return print_json(&instance);
            }
            print_instance(&instance)
        }
        WorkflowCommand::Resolve(args) => {
            let outcome = backend
                .resolve(args.key)
                .await
                .with_context(|| format!("cannot resolve incident {}", args.key))?;
            if args.output.json {
                return print_json(&outcome);
            }
            println!("incident {}: {}", args.key, outcome.outcome);
            Ok(())
        }
    }
}

/// The engine in this process on a database, or a server's API.
enum Backend {
    Embedded(Store),
    Remote(Client),
}

impl Backend {
    async fn open(
        connection: &Connection,
        db: &DbArgs,
        file: &FileConfig,
    ) -> anyhow::Result<Backend> {
        if let Some(server) = &connection.server {
            let token = read_token(connection.token_file.as_deref())?;
            let client = Client::new(server)?.with_token(token);
            return Ok(Backend::Remote(client));
        }
        let settings = Settings::resolve(db.db.clone(), None, None, file)?;
        Ok(Backend::Embedded(crate::open(&settings.db).await?))
    }

    async fn deploy(&self, resource_name: &str, xml: String) -> anyhow::Result<Vec<Definition>> {
        match self {
            Backend::Embedded(store) => {
                let deployed =
                    flowdesk_api::embedded::deploy(store, &xml, resource_name, CLI_ACTOR)
                        .await
                        .map_err(embedded_error)?;
                let views: Vec<_> = deployed
                    .iter()
                    .map(flowdesk_api::types::Definition::from)
                    .collect();
                convert(&views)
            }
            Backend::Remote(client) => Ok(client.deploy(resource_name, xml).await?),
        }
    }

    async fn start(
        &self,
        process_id: &str,
        version: Option<i64>,
        version_tag: Option<&str>,
        variables: serde_json::Value,
        wait: Option<Duration>,
    ) -> anyhow::Result<Instance> {
        match self {
            Backend::Embedded(store) => {
                let instance = flowdesk_api::embedded::start_instance(
                    store,
                    process_id,
                    version,
                    version_tag,
                    variables,
                    wait,
                    CLI_ACTOR,
                )
                .await
                .map_err(embedded_error)?;
                convert(&instance)
            }
            Backend::Remote(client) => Ok(client
                .start(&StartInstance {
                    process_id: Some(process_id.to_string()),
                    version,
                    version_tag: version_tag.map(str::to_owned),
                    variables: Some(variables),
                    await_seconds: wait.map(|w| w.as_secs_f64()),
                    ..StartInstance::default()
                })
                .await?),
        }
    }

    async fn publish(
        &self,
        name: &str,
        correlation_key: &str,
        variables: serde_json::Value,
        ttl_ms: i64,
    ) -> anyhow::Result<MessageCorrelated> {
        match self {
            Backend::Embedded(store) => {
                let correlated = flowdesk_api::embedded::publish(
                    store,
                    name,
                    correlation_key,
                    variables,
                    ttl_ms,
                )
                .await
                .map_err(embedded_error)?;
                convert(&correlated)
            }
            Backend::Remote(client) => Ok(client
                .publish(name, correlation_key, variables, ttl_ms)
                .await?),
        }
    }

    async fn instances(
        &self,
        process_id: Option<&str>,
        state: Option<&str>,
    ) -> anyhow::Result<Vec<Instance>> {
        match self {
            Backend::Embedded(store) => {
                let page = flowdesk_api::embedded::instances(
                    store,
                    flowdesk_api::types::InstanceQuery {
                        process_id: process_id.map(str::to_string),
                        state: state.map(str::to_string),
                        limit: Some(500),
                        ..Default::default()
                    },
                )
                .await
                .map_err(embedded_error)?;
                convert(&page.items)
            }
            Backend::Remote(client) => Ok(client.instances(process_id, state, 500).await?.items),
        }
    }

    async fn incidents(
        &self,
        state: Option<&str>,
        instance: Option<&str>,
    ) -> anyhow::Result<Vec<Incident>> {
        match self {
            Backend::Embedded(store) => {
                let incidents = flowdesk_api::embedded::incidents(
                    store,
                    flowdesk_api::types::IncidentQuery {
                        state: state.map(str::to_string),
                        instance: instance.map(str::to_string),
                        limit: Some(500),
                    },
                )
                .await
                .map_err(embedded_error)?;
                convert(&incidents)
            }
            Backend::Remote(client) => Ok(client.incidents(state, instance).await?),
        }
    }

    async fn variables(&self, id: &str) -> anyhow::Result<serde_json::Value> {
        match self {
            Backend::Embedded(store) => flowdesk_api::embedded::variables(store, id)
                .await
                .map_err(embedded_error),
            Backend::Remote(client) => Ok(client.variables(id).await?),
        }
    }

    async fn set_variables(
        &self,
        id: &str,
        variables: serde_json::Value,
    ) -> anyhow::Result<Instance> {
        match self {
            Backend::Embedded(store) => {
                let instance =
                    flowdesk_api::embedded::set_variables(store, id, variables, CLI_ACTOR)
                        .await
                        .map_err(embedded_error)?;
                convert(&instance)
            }
            Backend::Remote(client) => Ok(client.set_variables(id, variables).await?),
        }
    }

    async fn modify(
        &self,
        id: &str,
        activate: Vec<serde_json::Value>,
        terminate: &[i64],
    ) -> anyhow::Result<Instance> {
        match self {
            Backend::Embedded(store) => {
                let modification = convert(&serde_json::json!({
                    "activate": activate,
                    "terminate": terminate,
                }))?;
                let instance = flowdesk_api::embedded::modify(store, id, modification, CLI_ACTOR)
                    .await
                    .map_err(embedded_error)?;
                convert(&instance)
            }
            Backend::Remote(client) => Ok(client
                .modify(id, serde_json::Value::Array(activate), terminate)
                .await?),
        }
    }

    async fn cancel(&self, id: &str) -> anyhow::Result<Instance> {
        match self {
            Backend::Embedded(store) => {
                let instance = flowdesk_api::embedded::cancel(store, id, CLI_ACTOR)
                    .await
                    .map_err(embedded_error)?;
                convert(&instance)
            }
            Backend::Remote(client) => Ok(client.cancel(id).await?),
        }
    }

    async fn resolve(&self, key: i64) -> anyhow::Result<CommandOutcome> {
        match self {
            Backend::Embedded(store) => {
                let outcome = flowdesk_api::embedded::resolve_incident(store, key, CLI_ACTOR)
                    .await
                    .map_err(embedded_error)?;
                convert(&outcome)
            }
            Backend::Remote(client) => Ok(client.resolve_incident(key).await?),
        }
    }
}

/// An API error of an embedded command, with every model problem listed.
fn embedded_error(error: flowdesk_api::ApiError) -> anyhow::Error {
    let details = error.details();
    let mut text = format!("{}: {}", details.title, details.detail);
    for problem in details.problems.unwrap_or_default() {
        text.push_str(&format!(
            "\n  line {}:{}{}: {}",
            problem.line,
            problem.column,
            problem
                .element_id
                .map(|id| format!(" ({id})"))
                .unwrap_or_default(),
            problem.message
        ));
    }
    anyhow::anyhow!(text)
}

/// The API's JSON types as the client's types: one output path for both modes.
fn convert<T: DeserializeOwned>(value: &impl Serialize) -> anyhow::Result<T> {
    let json = serde_json::to_value(value).context("cannot encode the answer")?;
    serde_json::from_value(json).context("cannot read the answer")
}

/// The API token: the first line of `--token-file`, else `FLOWDESK_TOKEN`.
fn read_token(token_file: Option<&Path>) -> anyhow::Result<String> {
    let token = match token_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the token file {}", path.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
        None => std::env::var(TOKEN_ENV)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    if token.is_empty() {
        bail!(
            "--server needs an API token: set {TOKEN_ENV} or give --token-file FILE \
             (create one in the console under API tokens, or with POST /api/tokens)"
        );
    }
    Ok(token)
}

/// The resource name of a deployed file: its file name.
fn resource_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Parses an optional JSON object argument; absent is `{}`.
fn json_object(option: &str, text: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let Some(text) = text else {
        return Ok(serde_json::json!({}));
    };
    let value: serde_json::Value =
        serde_json::from_str(text).with_context(|| format!("{option} is not valid JSON"))?;
    if !value.is_object() {
        bail!("{option} must be a JSON object, e.g. '{{\"amount\": 10}}'");
    }
    Ok(value)
}

fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// One instance: its fields, then its variables one per line.
fn print_instance(instance: &Instance) -> anyhow::Result<()> {
    print_table(
        &["ID", "PROCESS", "VERSION", "STATE"],
        [vec![
            instance.id.clone(),
            instance.process_id.clone(),
            instance.version.to_string(),
            instance.state.clone(),
        ]],
    );
    if instance
        .variables
        .as_object()
        .is_some_and(|variables| !variables.is_empty())
    {
        println!();
        print_variables(&instance.variables);
    }
    Ok(())
}

/// Prints a variables object as a NAME / VALUE table (values as JSON).
fn print_variables(variables: &serde_json::Value) {
    print_table(
        &["VARIABLE", "VALUE"],
        variables
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| vec![name.clone(), value.to_string()]),
    );
}

/// Prints rows under a header, each column as wide as its widest cell.
fn print_table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.into_iter().collect();
    print!("{}", table(header, &rows));
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(header.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_are_as_wide_as_their_widest_cell() {
        let text = table(
            &["ID", "STATE"],
            &[
                vec!["a1".into(), "active".into()],
                vec!["b-long-id".into(), "completed".into()],
            ],
        );
        assert_eq!(
            text,
            "ID         STATE\na1         active\nb-long-id  completed\n"
        );
    }

    #[test]
    fn json_arguments_must_be_objects() {
        assert_eq!(json_object("--vars", None).unwrap(), serde_json::json!({}));
        let error = json_object("--vars", Some("[1]")).unwrap_err().to_string();
        assert!(error.contains("--vars must be a JSON object"), "{error}");
        let error = json_object("--vars", Some("{")).unwrap_err().to_string();
        assert!(error.contains("--vars is not valid JSON"), "{error}");
    }
}
