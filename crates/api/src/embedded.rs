//! The same services the routes call, for in-process callers without HTTP
//! (the `flowdesk` CLI in embedded mode, the desktop): deploy, start
//! (optionally waiting for the result), publish messages, list instances
//! and incidents, read and set variables, modify and cancel instances,
//! resolve incidents, with their audit entries, as `actor`. The answers
//! are the API's JSON types.

use flowdesk_store::definitions::Definition;
use flowdesk_store::instances::Instance;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::Store;

use crate::{now_ms, services, types, ApiError};

/// Parses, validates and compiles BPMN XML, then stores a new version of
/// each changed executable process (see POST /api/definitions).
pub async fn deploy(
    store: &Store,
    xml: &str,
    resource_name: &str,
    actor: &str,
) -> Result<Vec<Definition>, ApiError> {
    services::deploy_bpmn(store, xml, resource_name, actor, now_ms()).await
}

/// Starts an instance of the latest version of `process_id` with
/// `variables` (a JSON object); the engine runs it until it waits or ends.
pub async fn start(
    store: &Store,
    process_id: &str,
    variables: serde_json::Value,
    actor: &str,
) -> Result<Instance, ApiError> {
    let definition = services::resolve_definition(store, None, Some(process_id)).await?;
    let workflow = Workflow::new(store.clone());
    services::start_instance(&workflow, &definition, variables, actor, now_ms()).await
}

/// Starts an instance of `process_id` (its latest version, or `version`)
/// like POST /api/instances. With `wait`, waits (at most 300 s) until the
/// instance ends or stops at an incident, running this process's timer
/// worker meanwhile; when the time is up its state is still `active`.
pub async fn start_instance(
    store: &Store,
    process_id: &str,
    version: Option<i64>,
    version_tag: Option<&str>,
    variables: serde_json::Value,
    wait: Option<std::time::Duration>,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    let definition = match version_tag {
        Some(tag) => {
            services::resolve_tagged_definition(store, None, Some(process_id), version, tag).await?
        }
        None => services::resolve_start_definition(store, None, Some(process_id), version).await?,
    };
    let workflow = Workflow::new(store.clone());
    let timers = wait.map(|_| crate::spawn_workers(store.clone()));
    let started = services::start_and_await(&workflow, &definition, variables, wait, actor).await;
    if let Some(timers) = timers {
        timers.abort();
    }
    started
}

/// Publishes a message like POST /api/messages: it is correlated to every
/// instance waiting for `name` and `correlation_key`, and with `ttl_ms > 0`
/// kept that long for subscriptions opened later.
pub async fn publish(
    store: &Store,
    name: &str,
    correlation_key: &str,
    variables: serde_json::Value,
    ttl_ms: i64,
) -> Result<types::MessageCorrelated, ApiError> {
    let variables = types::variables_of(Some(variables))?;
    let workflow = Workflow::new(store.clone());
    let instances =
        services::publish_message(&workflow, name, correlation_key, variables, ttl_ms).await?;
    Ok(types::MessageCorrelated { instances })
}

/// Instances like GET /api/instances (state `incident`: active instances
/// with an open incident).
pub async fn instances(
    store: &Store,
    query: types::InstanceQuery,
) -> Result<types::InstancePage, ApiError> {
    services::list_instances(store, query).await
}

/// Incidents like GET /api/incidents.
pub async fn incidents(
    store: &Store,
    query: types::IncidentQuery,
) -> Result<Vec<types::Incident>, ApiError> {
    services::list_incidents(store, query).await
}

/// The process-level variables of an instance (GET /api/instances/{id}/variables;
/// whoever holds the database sees them unmasked).
pub async fn variables(store: &Store, id: &str) -> Result<serde_json::Value, ApiError> {
    Ok(services::instance_view(store, id).await?.variables)
}

/// Sets variables of an active instance like PUT /api/instances/{id}/variables.
pub async fn set_variables(
    store: &Store,
    id: &str,
    variables: serde_json::Value,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    let variables = types::variables_of(Some(variables))?;
    services::set_variables(&Workflow::new(store.clone()), id, variables, actor).await
}

/// Modifies an active instance like POST /api/instances/{id}/modify.
pub async fn modify(
    store: &Store,
    id: &str,
    modification: types::ModifyInstance,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    services::modify_instance(&Workflow::new(store.clone()), id, modification, actor).await
}

/// Cancels an active instance like POST /api/instances/{id}/cancel.
pub async fn cancel(store: &Store, id: &str, actor: &str) -> Result<types::Instance, ApiError> {
    services::cancel_instance(&Workflow::new(store.clone()), id, actor).await
}

/// Resolves an incident like POST /api/incidents/{key}/resolve.
pub async fn resolve_incident(
    store: &Store,
    key: i64,
    actor: &str,
) -> Result<types::CommandOutcome, ApiError> {
    services::resolve_incident(&Workflow::new(store.clone()), key, actor).await
}
