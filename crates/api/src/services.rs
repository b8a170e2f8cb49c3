//! Deploying definitions and starting instances: one transaction each,
//! state change and audit entry together.

use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::instances::Instance;
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{Store, StoreError, Tx};

use crate::{ApiError, ModelProblem};

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
    compile_check(&model, &executable, resource_name)?;
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

/// Compiles every executable process for execution; the problems found
/// (located at their element) reject the deployment.
fn compile_check(
    model: &flowdesk_model::bpmn::Definitions,
    executable: &[&flowdesk_model::bpmn::Process],
    resource_name: &str,
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for process in executable {
        if let Err(error) = flowdesk_engine::CompiledProcess::compile(model, process) {
            let (line, column) = process
                .elements
                .iter()
                .find(|element| element.id == error.element_id)
                .map(|element| (element.line, element.column))
                .or_else(|| {
                    process
                        .sequence_flows
                        .iter()
                        .find(|flow| flow.id == error.element_id)
                        .map(|flow| (flow.line, flow.column))
                })
                .unwrap_or((process.line, process.column));
            problems.push(ModelProblem::at(
                error.message,
                Some(error.element_id),
                line,
                column,
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::model_problems("BPMN", resource_name, problems))
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

/// Starts an instance through the engine: it runs until it waits (a job,
/// a timer, a message) or ends, and its state, jobs, history and audit
/// entry commit together.
pub(crate) async fn start_instance(
    workflow: &Workflow,
    definition: &Definition,
    variables: serde_json::Value,
    actor: &str,
    now: i64,
) -> Result<Instance, ApiError> {
    let serde_json::Value::Object(variables) = variables else {
        return Err(ApiError::InvalidRequest(
            "variables must be a JSON object".into(),
        ));
    };
    let mut tx = workflow.begin().await?;
    let instance = workflow
        .start_instance(&mut tx, definition, variables, actor, now)
        .await?;
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
