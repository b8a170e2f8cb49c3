//! DMN decisions: deploying decision models and evaluating their decisions.
//!
//! A DMN file is stored as a definition of kind `dmn` whose key (the
//! `process_id` column) is the id of its first decision in document order,
//! as the demo's "Approval level" decision is. Every decision of the file is
//! found by its own id: evaluation looks for the latest version of every DMN
//! definition and takes the one that has the decision (preferring the one
//! keyed by it). Parsed models are cached by definition id (a version's
//! content never changes).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use flowdesk_rules::{Context, DmnModel, Trace, Value};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::{Store, StoreError};

use crate::{services, ApiError};

/// Parsed DMN models by definition id. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct DecisionModels {
    cache: Arc<Mutex<HashMap<String, DmnModel>>>,
}

impl DecisionModels {
    /// The parsed model of a stored DMN definition (parsed once per id).
    pub fn model(&self, definition: &Definition) -> Result<DmnModel, ApiError> {
        if let Some(model) = self.lock().get(&definition.id) {
            return Ok(model.clone());
        }
        let model = DmnModel::parse(&definition.content).map_err(|problems| {
            ApiError::Internal(format!(
                "stored DMN definition {} no longer parses: {problems}",
                definition.id
            ))
        })?;
        self.lock().insert(definition.id.clone(), model.clone());
        Ok(model)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, DmnModel>> {
        // A panic while holding the lock leaves the map consistent (inserts
        // are single operations), so a poisoned lock is still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A deployed DMN definition with its decisions `(id, name)`.
pub(crate) struct DeployedDecisions {
    pub definition: Definition,
    pub decisions: Vec<(String, String)>,
}

fn decisions_of(model: &DmnModel) -> Vec<(String, String)> {
    model
        .decisions()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

/// Validates DMN XML and stores a new version (unless the content is
/// unchanged) with an audit entry, in one transaction. Writes nothing when
/// the model has problems.
pub(crate) async fn deploy(
    store: &Store,
    models: &DecisionModels,
    xml: &str,
    resource_name: &str,
    actor: &str,
    now: i64,
) -> Result<DeployedDecisions, ApiError> {
    let model =
        DmnModel::parse(xml).map_err(|problems| ApiError::invalid_dmn(resource_name, problems))?;
    let Some((key, first_name)) = model.decisions().next() else {
        return Err(ApiError::InvalidRequest(format!(
            "{resource_name} has no decision; add a <decision> to deploy it"
        )));
    };
    let name = if model.name().is_empty() {
        first_name
    } else {
        model.name()
    };
    let mut tx = store.begin().await?;
    let (definition, created) = definitions::deploy(
        &mut tx,
        &NewDefinition {
            kind: Kind::Dmn,
            process_id: key,
            name,
            resource_name,
            content: xml,
            deployed_at: now,
            deployed_by: actor,
        },
    )
    .await?;
    if created {
        services::audit_entry(
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
    models.lock().insert(definition.id.clone(), model.clone());
    Ok(DeployedDecisions {
        decisions: decisions_of(&model),
        definition,
    })
}

/// Every DMN definition version, newest deployment first, with its decisions.
pub(crate) async fn list(
    store: &Store,
    models: &DecisionModels,
) -> Result<Vec<DeployedDecisions>, ApiError> {
    let all = definitions::list(store.pool()).await?;
    all.into_iter()
        .filter(|definition| definition.kind == Kind::Dmn)
        .map(|definition| {
            let model = models.model(&definition)?;
            Ok(DeployedDecisions {
                decisions: decisions_of(&model),
                definition,
            })
        })
        .collect()
}

/// The outcome of evaluating a decision.
pub(crate) struct Evaluation {
    pub definition: Definition,
    pub result: Value,
    pub trace: Trace,
}

/// Evaluates the decision `decision_id` with the latest version (or
/// `version`) of the DMN definition that has it. Every variable is visible
/// to every decision (open inputs, as Camunda Modeler's decisions expect).
pub(crate) async fn evaluate(
    store: &Store,
    models: &DecisionModels,
    decision_id: &str,
    version: Option<i64>,
    variables: &serde_json::Map<String, serde_json::Value>,
) -> Result<Evaluation, ApiError> {
    let not_found =
        || ApiError::NotFound(format!("no deployed DMN decision with id {decision_id}"));
    let all: Vec<Definition> = definitions::list(store.pool())
        .await?
        .into_iter()
        .filter(|definition| definition.kind == Kind::Dmn)
        .collect();
    // The latest version of each key, the one keyed by the decision first.
    let mut latest: Vec<&Definition> = Vec::new();
    for definition in &all {
        match latest
            .iter_mut()
            .find(|d| d.process_id == definition.process_id)
        {
            Some(known) if known.version < definition.version => *known = definition,
            Some(_) => {}
            None => latest.push(definition),
        }
    }
    latest.sort_by_key(|definition| definition.process_id != decision_id);
    let mut holder = None;
    for definition in latest {
        if models.model(definition)?.has_decision(decision_id) {
            holder = Some(definition);
            break;
        }
    }
    let holder = holder.ok_or_else(not_found)?;
    let definition = match version {
        None => holder,
        Some(version) => all
            .iter()
            .find(|d| d.process_id == holder.process_id && d.version == version)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no version {version} of the DMN definition {} (decision {decision_id})",
                    holder.process_id
                ))
            })?,
    };
    let model = models.model(definition)?;
    if !model.has_decision(decision_id) {
        return Err(not_found());
    }
    let inputs: Context = variables
        .iter()
        .map(|(name, value)| (name.as_str(), Value::from_json(value)))
        .collect();
    let (result, trace) = model
        .evaluate_decision_open(decision_id, inputs)
        .map_err(|error| ApiError::NotFound(error.to_string()))?;
    Ok(Evaluation {
        definition: definition.clone(),
        result,
        trace,
    })
}
