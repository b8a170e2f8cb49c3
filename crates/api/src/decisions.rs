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

use flowdesk_engine::{DecisionError, DecisionEvaluator, DecisionSite, VariableScope};
use flowdesk_rules::{Catalog, Context, DataProvider, DmnModel, ProviderFetch, Trace, Value};
use flowdesk_store::decision_history::{self, DecisionEvaluation};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::sensitive::{Sealer, DECISION_RESULTS, DECISION_TRACES};
use flowdesk_store::{Store, StoreError};
use tokio::sync::mpsc;

use crate::types::DecisionTrace;
use crate::{now_ms, services, ApiError};

/// Parsed DMN models by definition id, and the DMN definitions deployed
/// (loaded at start, added to on deploy) for business rule tasks, which
/// evaluate synchronously. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct DecisionModels {
    cache: Arc<Mutex<HashMap<String, DmnModel>>>,
    deployed: Arc<Mutex<Vec<Definition>>>,
}

impl DecisionModels {
    /// Remembers a deployed DMN definition version for business rule tasks.
    fn remember(&self, definition: &Definition) {
        let mut deployed = self
            .deployed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !deployed.iter().any(|d| d.id == definition.id) {
            deployed.push(definition.clone());
        }
    }

    /// Loads every stored DMN definition (at start).
    pub async fn load(&self, store: &Store) -> Result<(), ApiError> {
        for definition in definitions::list(store.pool()).await? {
            if definition.kind == Kind::Dmn {
                self.remember(&definition);
            }
        }
        Ok(())
    }

    /// The deployed definitions known so far.
    fn deployed(&self) -> Vec<Definition> {
        self.deployed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

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
    models.remember(&definition);
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

/// The definition to evaluate `decision_id` with: the latest version (or
/// `version`) of the DMN definition that has it, the one keyed by the
/// decision first.
fn holder<'a>(
    all: &'a [Definition],
    models: &DecisionModels,
    decision_id: &str,
    version: Option<i64>,
) -> Result<(&'a Definition, DmnModel), ApiError> {
    let not_found =
        || ApiError::NotFound(format!("no deployed DMN decision with id {decision_id}"));
    let mut latest: Vec<&Definition> = Vec::new();
    for definition in all.iter().filter(|d| d.kind == Kind::Dmn) {
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
            .find(|d| {
                d.kind == Kind::Dmn && d.process_id == holder.process_id && d.version == version
            })
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
    Ok((definition, model))
}

/// Evaluates a decision of `model` with open inputs, fetching provider data
/// through `provider`. Blocks while providers fetch.
fn evaluate_with(
    model: &DmnModel,
    provider: Option<Arc<dyn DataProvider>>,
    decision_id: &str,
    inputs: Context,
) -> Result<(Value, Trace), flowdesk_rules::EvalError> {
    let mut catalog = Catalog::new().with_open_inputs(true);
    if let Some(provider) = provider {
        catalog = catalog.with_data_provider(provider);
    }
    catalog.add(model.clone());
    catalog.evaluate_decision(model.namespace(), decision_id, inputs)
}

/// Evaluates the decision `decision_id` with the latest version (or
/// `version`) of the DMN definition that has it. Every variable is visible
/// to every decision (open inputs, as Camunda Modeler's decisions expect).
/// The evaluation is recorded in the decision history.
pub(crate) async fn evaluate(
    store: &Store,
    models: &DecisionModels,
    provider: Option<Arc<dyn DataProvider>>,
    decision_id: &str,
    version: Option<i64>,
    variables: &serde_json::Map<String, serde_json::Value>,
) -> Result<Evaluation, ApiError> {
    let all = definitions::list(store.pool()).await?;
    let (definition, model) = holder(&all, models, decision_id, version)?;
    let inputs: Context = variables
        .iter()
        .map(|(name, value)| (name.as_str(), Value::from_json(value)))
        .collect();
    let id = decision_id.to_string();
    let (result, trace) =
        tokio::task::spawn_blocking(move || evaluate_with(&model, provider, &id, inputs))
            .await
            .map_err(|e| ApiError::Internal(format!("decision evaluation failed: {e}")))?
            .map_err(|error| ApiError::NotFound(error.to_string()))?;
    let record = history_record(
        decision_id,
        Some(definition),
        &result,
        &trace,
        None,
        now_ms(),
    );
    record.write(store).await?;
    Ok(Evaluation {
        definition: definition.clone(),
        result,
        trace,
    })
}

/// The trace as stored and served: the decisions and the provider fetches.
pub(crate) fn trace_json(trace: &Trace) -> serde_json::Value {
    serde_json::json!({
        "decisions": trace
            .decisions
            .iter()
            .map(|d| serde_json::to_value(DecisionTrace::from_rules(d)).unwrap_or_default())
            .collect::<Vec<_>>(),
        "fetches": trace.fetches.iter().map(fetch_json).collect::<Vec<_>>(),
    })
}

fn fetch_json(fetch: &ProviderFetch) -> serde_json::Value {
    let parameters: serde_json::Map<String, serde_json::Value> = fetch
        .parameters
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_json()))
        .collect();
    serde_json::json!({
        "input": fetch.input,
        "input_id": fetch.input_id,
        "provider": fetch.provider,
        "target": fetch.target,
        "parameters": parameters,
        "value": fetch.value.to_json(),
        "rows": fetch.rows,
        "duration_ms": fetch.duration.map(|d| d.as_secs_f64() * 1000.0),
        "error": fetch.error,
    })
}

fn history_record(
    decision_id: &str,
    definition: Option<&Definition>,
    result: &Value,
    trace: &Trace,
    site: Option<&DecisionSite<'_>>,
    now: i64,
) -> HistoryRecord {
    let decision_name = trace
        .decision(decision_id)
        .map_or_else(|| decision_id.to_string(), |d| d.name.clone());
    HistoryRecord {
        evaluation: DecisionEvaluation {
            id: flowdesk_store::new_id(),
            decision_id: decision_id.to_string(),
            decision_name,
            definition_id: definition.map(|d| d.id.clone()),
            version: definition.map(|d| d.version),
            instance_id: site.and_then(|s| s.instance_id).map(str::to_string),
            element_id: site.map(|s| s.element_id.to_string()),
            evaluated_at: now,
            result: String::new(),
            trace: String::new(),
        },
        process_id: site.map(|s| s.process_id.to_string()),
        result: result.to_json(),
        trace: trace_json(trace),
    }
}

/// An evaluation to record, its result and trace not sealed yet.
struct HistoryRecord {
    /// The row, without its result and trace.
    evaluation: DecisionEvaluation,
    /// The BPMN process whose business rule task evaluated it, if any.
    process_id: Option<String>,
    result: serde_json::Value,
    trace: serde_json::Value,
}

impl HistoryRecord {
    /// Writes the evaluation with the values of sensitive variables sealed:
    /// members of the result and trace (the inputs each decision saw)
    /// named like a sensitive variable of the process (any version of it),
    /// or of any deployed process when none evaluated it.
    async fn write(self, store: &Store) -> Result<(), StoreError> {
        let names = match &self.process_id {
            Some(process_id) => store.sensitive().of_process(store, process_id).await?,
            None => store.sensitive().of_every_process(store).await?,
        };
        let sealer = Sealer::new(store, names);
        let mut evaluation = self.evaluation;
        evaluation.result = sealer.seal(&DECISION_RESULTS, &evaluation.id, self.result)?;
        evaluation.trace = sealer.seal(&DECISION_TRACES, &evaluation.id, self.trace)?;
        decision_history::insert(store.pool(), &evaluation).await
    }
}

/// Business rule tasks of durable instances evaluate the decisions
/// deployed in the store, with the decision data providers of the node;
/// each evaluation is written to the decision history by a background task
/// (the engine evaluates synchronously, inside the instance's transaction).
pub(crate) struct WorkflowDecisions {
    models: DecisionModels,
    provider: Option<Arc<dyn DataProvider>>,
    history: mpsc::UnboundedSender<HistoryRecord>,
}

impl WorkflowDecisions {
    /// Evaluates with `models` (whose deployed definitions must be loaded,
    /// see [`DecisionModels::load`]) and writes history to `store`. The
    /// loader and the history writer are a task on the current Tokio
    /// runtime; outside one, only decisions deployed through this node are
    /// known and history is not written.
    pub fn spawn(
        store: Store,
        models: DecisionModels,
        provider: Option<Arc<dyn DataProvider>>,
    ) -> WorkflowDecisions {
        let (history, mut records) = mpsc::unbounded_channel::<HistoryRecord>();
        let loader = models.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return WorkflowDecisions {
                models,
                provider,
                history,
            };
        };
        runtime.spawn(async move {
            if let Err(error) = loader.load(&store).await {
                tracing::error!(%error, "cannot load the deployed DMN definitions");
            }
            while let Some(record) = records.recv().await {
                let decision = record.evaluation.decision_id.clone();
                if let Err(error) = record.write(&store).await {
                    tracing::error!(%error, %decision, "cannot record a decision evaluation");
                }
            }
        });
        WorkflowDecisions {
            models,
            provider,
            history,
        }
    }
}

impl DecisionEvaluator for WorkflowDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        scope: &dyn VariableScope,
        site: &DecisionSite<'_>,
    ) -> Result<serde_json::Value, DecisionError> {
        let fail = |message: String| DecisionError {
            decision_id: decision_id.to_string(),
            message,
        };
        let all = self.models.deployed();
        let (definition, model) =
            holder(&all, &self.models, decision_id, None).map_err(|e| fail(e.to_string()))?;
        let inputs: Context = scope
            .variables()
            .iter()
            .map(|(name, value)| (name.as_str(), Value::from_json(value)))
            .collect();
        let provider = self.provider.clone();
        let (result, trace) = evaluate_with(&model, provider, decision_id, inputs)
            .map_err(|e| fail(e.to_string()))?;
        // A closed channel means the node is shutting down; the result
        // still counts.
        let _ = self.history.send(history_record(
            decision_id,
            Some(definition),
            &result,
            &trace,
            Some(site),
            now_ms(),
        ));
        Ok(result.to_json())
    }
}

/// A stored evaluation, by id.
pub(crate) async fn evaluation(store: &Store, id: &str) -> Result<DecisionEvaluation, ApiError> {
    decision_history::find(store.pool(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no decision evaluation with id {id}")))
}

/// Stored evaluations, newest first.
pub(crate) async fn evaluations(
    store: &Store,
    instance_id: Option<&str>,
    decision_id: Option<&str>,
    limit: i64,
) -> Result<Vec<DecisionEvaluation>, ApiError> {
    Ok(decision_history::list(
        store.pool(),
        &decision_history::Filter {
            instance_id,
            decision_id,
        },
        limit,
    )
    .await?)
}
