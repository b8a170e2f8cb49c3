//! Deploying definitions and starting instances: one transaction each,
//! state change and audit entry together.

use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::instances::{self, Instance, InstanceFilter};
use flowdesk_store::workflow::Workflow;
use flowdesk_store::{workflow_ops, Store, StoreError, Tx};

use crate::{now_ms, types, ApiError, ModelProblem};

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

/// Whether a deployed resource is a form-js form (`.form`, the Camunda
/// Modeler's extension, or `.form.json`) rather than BPMN XML.
pub(crate) fn is_form_resource(resource_name: &str) -> bool {
    resource_name.ends_with(".form") || resource_name.ends_with(".form.json")
}

/// Stores a form-js schema as a new version of the form named by its `id`
/// (the `formId` a user task links with `zeebe:formDefinition`), unless the
/// content is unchanged, with an audit entry, in one transaction.
pub(crate) async fn deploy_form(
    store: &Store,
    json: &str,
    resource_name: &str,
    actor: &str,
    now: i64,
) -> Result<Definition, ApiError> {
    let schema: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        ApiError::InvalidRequest(format!("{resource_name} is not a JSON form schema: {e}"))
    })?;
    let Some(form_id) = schema["id"].as_str().filter(|id| !id.trim().is_empty()) else {
        return Err(ApiError::InvalidRequest(format!(
            "{resource_name} has no form id: set the schema's \"id\" (the formId user tasks link)"
        )));
    };
    if !schema["components"].is_array() {
        return Err(ApiError::InvalidRequest(format!(
            "{resource_name} has no \"components\" array: it is not a form-js schema"
        )));
    }
    let mut tx = store.begin().await?;
    let (definition, created) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Form,
            process_id: form_id,
            name: schema["name"].as_str().unwrap_or(form_id),
            resource_name,
            content: json,
            deployed_at: now,
            deployed_by: actor,
        },
    )
    .await?;
    if created {
        audit_entry(
            &mut tx,
            now,
            actor,
            "definition.deploy",
            &format!("resource:{resource_name}"),
            &format!("{} v{}", definition.process_id, definition.version),
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(definition)
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

/// Appends an audit entry (no detail) in a transaction of its own, for a
/// change its caller has already committed.
pub(crate) async fn audit_committed(
    store: &Store,
    actor: &str,
    action: &str,
    resource: &str,
) -> Result<(), ApiError> {
    let mut tx = store.begin().await?;
    audit_entry(&mut tx, now_ms(), actor, action, resource, "").await?;
    tx.commit().await.map_err(StoreError::from)?;
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

/// The longest a start request may wait for its instance to finish.
pub(crate) const MAX_AWAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// The API view of stored instances: an active instance with an open
/// incident is reported in state `incident`, with the number of its open
/// incidents. Sensitive variables are masked (`****`); a route opens them
/// for principals holding `variable:unmask`.
pub(crate) async fn instance_views(
    store: &Store,
    stored: &[Instance],
) -> Result<Vec<types::Instance>, ApiError> {
    let ids: Vec<String> = stored.iter().map(|i| i.id.clone()).collect();
    let counts = workflow_ops::open_incident_counts(store.pool(), &ids).await?;
    Ok(stored
        .iter()
        .map(|instance| {
            let mut view = types::Instance::from(instance)
                .with_open_incidents(counts.get(&instance.id).copied().unwrap_or(0));
            flowdesk_store::sensitive::mask(&mut view.variables);
            view
        })
        .collect())
}

/// The API view of one instance; 404 when there is none.
pub(crate) async fn instance_view(store: &Store, id: &str) -> Result<types::Instance, ApiError> {
    let instance = instances::find(store.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no instance with id {id}")))?;
    let mut views = instance_views(store, std::slice::from_ref(&instance)).await?;
    views
        .pop()
        .ok_or_else(|| ApiError::Internal(format!("no view of instance {id}")))
}

/// Which definition to start: a definition version id, or a process id with
/// an optional version (the latest when absent).
pub(crate) async fn resolve_start_definition(
    store: &Store,
    definition_id: Option<&str>,
    process_id: Option<&str>,
    version: Option<i64>,
) -> Result<Definition, ApiError> {
    match (definition_id, process_id, version) {
        (None, Some(process_id), Some(version)) => {
            let id = workflow_ops::definition_version_id(store.pool(), process_id, version)
                .await?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("process {process_id} has no version {version}"))
                })?;
            resolve_definition(store, Some(&id), None).await
        }
        (Some(_), _, Some(_)) => Err(ApiError::InvalidRequest(
            "give version with process_id, not with definition_id".into(),
        )),
        _ => resolve_definition(store, definition_id, process_id).await,
    }
}

/// The version of `process_id` tagged `version_tag` (`zeebe:versionTag`);
/// a tag goes with a process id only, never with a definition id or a
/// version number.
pub(crate) async fn resolve_tagged_definition(
    store: &Store,
    definition_id: Option<&str>,
    process_id: Option<&str>,
    version: Option<i64>,
    version_tag: &str,
) -> Result<Definition, ApiError> {
    let process_id = match (definition_id, process_id, version) {
        (None, Some(process_id), None) => process_id,
        _ => {
            return Err(ApiError::InvalidRequest(
                "give version_tag with process_id only (not with definition_id or version)".into(),
            ))
        }
    };
    definitions::by_version_tag(store.pool(), Kind::Bpmn, process_id, version_tag)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "process {process_id} has no version with version tag {version_tag}"
            ))
        })
}

/// Starts an instance and, when `wait` is given (at most [`MAX_AWAIT`]),
/// waits until it ends (`completed`, `cancelled`) or an incident stops it
/// (`incident`); when the time is up it answers the current state (`active`).
pub(crate) async fn start_and_await(
    workflow: &Workflow,
    definition: &Definition,
    variables: serde_json::Value,
    wait: Option<std::time::Duration>,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    let started = start_instance(workflow, definition, variables, actor, now_ms()).await?;
    let store = workflow.store();
    // Read back what was committed: work the start caused in the same
    // transaction (a buffered message taken, say) may have moved it on.
    let Some(wait) = wait else {
        return instance_view(store, &started.id).await;
    };
    await_instance(store, &started.id, wait.min(MAX_AWAIT)).await
}

/// Whether an instance in this (API) state no longer moves by itself.
pub(crate) fn is_settled(state: &str) -> bool {
    state != "active"
}

/// Waits until the instance `id` is settled ([`is_settled`]) or `wait` has
/// passed, and returns its state then. Other nodes may move the instance
/// (workers, timers), so the database is read again at growing intervals
/// (20 ms up to 250 ms), never beyond the deadline.
pub(crate) async fn await_instance(
    store: &Store,
    id: &str,
    wait: std::time::Duration,
) -> Result<types::Instance, ApiError> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut interval = std::time::Duration::from_millis(20);
    loop {
        let view = instance_view(store, id).await?;
        let now = tokio::time::Instant::now();
        if is_settled(&view.state) || now >= deadline {
            return Ok(view);
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        interval = (interval * 2).min(std::time::Duration::from_millis(250));
    }
}

/// Sets process variables of an active instance (conditional events
/// react), with an audit entry naming the variables (never their values).
pub(crate) async fn set_variables(
    workflow: &Workflow,
    id: &str,
    variables: serde_json::Map<String, serde_json::Value>,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    if variables.is_empty() {
        return Err(ApiError::InvalidRequest(
            "variables must name at least one variable".into(),
        ));
    }
    let now = now_ms();
    let names: Vec<String> = variables.keys().cloned().collect();
    let mut tx = workflow.begin().await?;
    workflow.set_variables(&mut tx, id, variables, now).await?;
    audit_entry(
        &mut tx,
        now,
        actor,
        "instance.variables",
        &format!("instance:{id}"),
        &names.join(", "),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    instance_view(workflow.store(), id).await
}

/// Modifies an active instance: activates elements (each after setting its
/// variables) and terminates element instances, in one command with an
/// audit entry.
pub(crate) async fn modify_instance(
    workflow: &Workflow,
    id: &str,
    modification: types::ModifyInstance,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    if modification.activate.is_empty() && modification.terminate.is_empty() {
        return Err(ApiError::InvalidRequest(
            "give at least one element to activate or one element instance to terminate".into(),
        ));
    }
    let mut activate = Vec::new();
    for (index, instruction) in modification.activate.into_iter().enumerate() {
        if instruction.element_id.is_empty() {
            return Err(ApiError::InvalidRequest(format!(
                "activate[{index}].element_id must not be empty"
            )));
        }
        let variables = types::variables_of(instruction.variables).map_err(|_| {
            ApiError::InvalidRequest(format!("activate[{index}].variables must be a JSON object"))
        })?;
        activate.push(flowdesk_engine::ActivateInstruction {
            element_id: instruction.element_id,
            variables,
        });
    }
    let mut terminate = Vec::new();
    for (index, key) in modification.terminate.iter().enumerate() {
        let key = u64::try_from(*key).map_err(|_| {
            ApiError::InvalidRequest(format!(
                "terminate[{index}] must be an element instance key (a positive number)"
            ))
        })?;
        terminate.push(key);
    }
    let detail = format!(
        "activate [{}] terminate [{}]",
        activate
            .iter()
            .map(|a| a.element_id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        terminate
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let now = now_ms();
    let mut tx = workflow.begin().await?;
    workflow
        .modify_instance(&mut tx, id, activate, terminate, now)
        .await?;
    audit_entry(
        &mut tx,
        now,
        actor,
        "instance.modify",
        &format!("instance:{id}"),
        &detail,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    instance_view(workflow.store(), id).await
}

/// Cancels an active instance (its call-activity children too), with an
/// audit entry.
pub(crate) async fn cancel_instance(
    workflow: &Workflow,
    id: &str,
    actor: &str,
) -> Result<types::Instance, ApiError> {
    let now = now_ms();
    let mut tx = workflow.begin().await?;
    workflow.cancel_instance(&mut tx, id, now).await?;
    audit_entry(
        &mut tx,
        now,
        actor,
        "instance.cancel",
        &format!("instance:{id}"),
        "",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    instance_view(workflow.store(), id).await
}

/// Resolves an incident: the step that raised it runs again (with the
/// instance's current variables), with an audit entry.
pub(crate) async fn resolve_incident(
    workflow: &Workflow,
    key: i64,
    actor: &str,
) -> Result<types::CommandOutcome, ApiError> {
    let now = now_ms();
    let mut tx = workflow.begin().await?;
    let outcome = workflow.resolve_incident(&mut tx, key, now).await?;
    audit_entry(
        &mut tx,
        now,
        actor,
        "incident.resolve",
        &format!("incident:{key}"),
        "",
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(outcome.into())
}

/// Publishes a message in one transaction: it is correlated to every
/// instance waiting for `name` and `correlation_key` and starts instances
/// at message start events; with `ttl_ms > 0` it is kept that long for
/// subscriptions opened later. Returns the ids of the instances reached.
pub(crate) async fn publish_message(
    workflow: &Workflow,
    name: &str,
    correlation_key: &str,
    variables: serde_json::Map<String, serde_json::Value>,
    ttl_ms: i64,
) -> Result<Vec<String>, ApiError> {
    if name.is_empty() {
        return Err(ApiError::InvalidRequest("name must not be empty".into()));
    }
    if ttl_ms < 0 {
        return Err(ApiError::InvalidRequest(format!(
            "ttl_ms must not be negative, not {ttl_ms}"
        )));
    }
    let mut tx = workflow.begin().await?;
    let instances = workflow
        .publish_message(&mut tx, name, correlation_key, variables, ttl_ms, now_ms())
        .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(instances)
}

/// A page of instances, newest first. The state `incident` selects the
/// active instances with an open incident.
pub(crate) async fn list_instances(
    store: &Store,
    query: types::InstanceQuery,
) -> Result<types::InstancePage, ApiError> {
    let (limit, offset) = types::page(query.limit, query.offset);
    let text = |value: Option<String>| value.filter(|s| !s.is_empty());
    let variable = match (text(query.variable), query.value) {
        (Some(name), Some(value)) => Some((name, types::variable_value_json(&value))),
        (Some(name), None) => {
            return Err(ApiError::InvalidRequest(format!(
                "variable {name:?} needs a value to compare with"
            )))
        }
        (None, Some(_)) => {
            return Err(ApiError::InvalidRequest(
                "value needs the variable it is compared with".into(),
            ))
        }
        (None, None) => None,
    };
    let page = instances::list(
        store,
        &InstanceFilter {
            process_id: text(query.process_id),
            state: text(query.state),
            version: query.version,
            started_from: types::millis("started_from", text(query.started_from).as_deref())?,
            started_before: types::millis("started_before", text(query.started_before).as_deref())?,
            variable,
            after: text(query.after)
                .map(|c| types::parse_cursor(&c))
                .transpose()?,
            limit,
            offset,
        },
    )
    .await?;
    Ok(types::InstancePage {
        items: instance_views(store, &page.items).await?,
        total: page.total,
        total_capped: page.total_capped,
        next: page.next.as_ref().map(types::cursor_text),
    })
}

/// Incidents newest first, optionally only in `state` and of one instance.
pub(crate) async fn list_incidents(
    store: &Store,
    query: types::IncidentQuery,
) -> Result<Vec<types::Incident>, ApiError> {
    let (limit, _) = types::page(query.limit, None);
    let state = query.state.filter(|s| !s.is_empty());
    if let Some(state) = &state {
        if state != "open" && state != "resolved" {
            return Err(ApiError::InvalidRequest(format!(
                "state must be open or resolved, not {state:?}"
            )));
        }
    }
    let incidents = match query.instance.filter(|s| !s.is_empty()) {
        Some(instance) => {
            workflow_ops::incidents_of_instance(store.pool(), &instance, state.as_deref(), limit)
                .await?
        }
        None => flowdesk_store::incidents::list(store.pool(), state.as_deref(), limit).await?,
    };
    Ok(incidents.iter().map(types::Incident::from).collect())
}
