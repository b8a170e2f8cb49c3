//! Deploying definitions and starting instances: one transaction each,
//! state change and audit entry together.

use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::instances::{self, Instance};
use flowdesk_store::{Store, StoreError, Tx};

use crate::ApiError;

/// Parses and validates BPMN XML; on success stores a new version of every
/// executable process whose content changed (unchanged ones keep their
/// version), all in one transaction with one audit entry. Writes nothing
/// when the model has problems.
pub(crate) async fn deploy_bpmn(
    store: &Store,
    xml: &str,
    resource_name: &str,
    actor: &str,
    now: i64,
) -> Result<Vec<Definition>, ApiError> {
    let model = flowdesk_model::bpmn::parse(xml)
        .map_err(|errors| ApiError::invalid_model(resource_name, errors))?;
    let executable: Vec<_> = model.processes.iter().filter(|p| p.is_executable).collect();
    if executable.is_empty() {
        return Err(ApiError::InvalidRequest(format!(
            "{resource_name} has no executable process (set isExecutable=\"true\")"
        )));
    }
    let mut tx = store.begin().await?;
    let mut deployed = Vec::new();
    let mut created = Vec::new();
    for process in executable {
        let (definition, is_new) = definitions::deploy(
            &mut tx,
            &NewDefinition {
                kind: Kind::Bpmn,
                process_id: &process.id,
                name: process.name.as_deref().unwrap_or(&process.id),
                resource_name,
                content: xml,
                deployed_at: now,
                deployed_by: actor,
            },
        )
        .await?;
        if is_new {
            created.push(format!("{} v{}", definition.process_id, definition.version));
        }
        deployed.push(definition);
    }
    if !created.is_empty() {
        audit_entry(
            &mut tx,
            now,
            actor,
            "definition.deploy",
            &format!("resource:{resource_name}"),
            &created.join(", "),
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(deployed)
}

pub(crate) async fn audit_entry(
    tx: &mut Tx<'_>,
    now: i64,
    actor: &str,
    action: &str,
    resource: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        &NewAuditEntry {
            at: now,
            actor,
            action,
            resource,
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Which definition an instance should run.
pub(crate) async fn resolve_definition(
    store: &Store,
    definition_id: Option<&str>,
    process_id: Option<&str>,
) -> Result<Definition, ApiError> {
    let definition = match (definition_id, process_id) {
        (Some(id), _) => definitions::find(store.pool(), id)
            .await?
            .filter(|d| d.kind == Kind::Bpmn)
            .ok_or_else(|| ApiError::NotFound(format!("no BPMN definition with id {id}")))?,
        (None, Some(process_id)) => definitions::latest(store.pool(), Kind::Bpmn, process_id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no process {process_id} is deployed")))?,
        (None, None) => {
            return Err(ApiError::InvalidRequest(
                "give definition_id or process_id".to_string(),
            ))
        }
    };
    Ok(definition)
}

/// Records a new instance in state `active` with its audit entry.
///
/// The execution engine arrives in a later issue; until then an instance is
/// only recorded, not executed.
pub(crate) async fn start_instance(
    store: &Store,
    definition: &Definition,
    variables: serde_json::Value,
    actor: &str,
    now: i64,
) -> Result<Instance, ApiError> {
    if !variables.is_object() {
        return Err(ApiError::InvalidRequest(
            "variables must be a JSON object".into(),
        ));
    }
    let instance = Instance {
        id: flowdesk_store::new_id(),
        definition_id: definition.id.clone(),
        process_id: definition.process_id.clone(),
        process_name: definition.name.clone(),
        version: definition.version,
        state: "active".to_string(),
        variables: variables.to_string(),
        started_at: now,
        ended_at: None,
        started_by: actor.to_string(),
    };
    let mut tx = store.begin().await?;
    instances::insert(&mut tx, &instance).await?;
    audit_entry(
        &mut tx,
        now,
        actor,
        "instance.start",
        &format!("instance:{}", instance.id),
        &format!("{} v{}", definition.process_id, definition.version),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(instance)
}
