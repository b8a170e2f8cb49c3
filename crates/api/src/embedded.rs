//! The same services the routes call, for in-process callers without HTTP
//! (the `flowdesk` CLI in embedded mode, the desktop): deploy and start,
//! with their audit entries, as `actor`.

use flowdesk_store::definitions::Definition;
use flowdesk_store::instances::Instance;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::Store;

use crate::{now_ms, services, ApiError};

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
