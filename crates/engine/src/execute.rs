//! `apply`: the BPMN semantics, as one pure function over an instance state.

use std::collections::VecDeque;

use flowdesk_model::bpmn::ElementKind;
use serde_json::Value;

use crate::compiled::{expression_text, CompiledProcess, Element, EventTrigger};
use crate::error::EngineError;
use crate::expression::{static_value, ExpressionError, ExpressionEvaluator, VariableScope};
use crate::state::*;
use crate::timer::TimerSchedule;

/// Evaluates decisions (DMN) for business rule tasks with
/// `zeebe:calledDecision`. `flowdesk-rules` implements it; tests use doubles.
pub trait DecisionEvaluator: Send + Sync {
    /// Evaluates the decision for the business rule task at `site` and
    /// returns its result.
    fn evaluate_decision(
        &self,
        decision_id: &str,
        scope: &dyn VariableScope,
        site: &DecisionSite<'_>,
    ) -> Result<Value, DecisionError>;
}

/// Where a decision is evaluated: the process instance and the business
/// rule task, so evaluators can record the evaluation against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionSite<'a> {
    /// The engine key of the process instance.
    pub instance_key: u64,
    /// The id the caller knows the instance by ([`Context::instance_id`]),
    /// if it gave one.
    pub instance_id: Option<&'a str>,
    /// The id of the BPMN process the instance runs.
    pub process_id: &'a str,
    /// The id of the business rule task in the BPMN model.
    pub element_id: &'a str,
}

/// A decision could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("decision \"{decision_id}\" failed: {message}")]
pub struct DecisionError {
    /// The decision id.
    pub decision_id: String,
    /// What went wrong.
    pub message: String,
}

/// A [`DecisionEvaluator`] for deployments without decisions: every
/// evaluation fails (and raises an incident).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDecisions;

impl DecisionEvaluator for NoDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        _scope: &dyn VariableScope,
        _site: &DecisionSite<'_>,
    ) -> Result<Value, DecisionError> {
        Err(DecisionError {
            decision_id: decision_id.to_owned(),
            message: "no decision engine is configured".into(),
        })
    }
}

/// What a command needs from outside: the time, where keys start, and the
/// evaluators. `next_key` advances past every key the command used.
pub struct Context<'a> {
    /// Now, in milliseconds since the Unix epoch.
    pub now: i64,
    /// The next free key; keys must be unique across instances.
    pub next_key: u64,
    /// Evaluates expressions.
    pub expressions: &'a dyn ExpressionEvaluator,
    /// Evaluates decisions.
    pub decisions: &'a dyn DecisionEvaluator,
    /// The id the caller knows the instance by (e.g. the store's instance
    /// id), passed on to the decisions in [`DecisionSite::instance_id`].
    pub instance_id: Option<&'a str>,
}

/// Applies `command` to `state`, returning the effects.
///
/// On `Err` the state is unchanged (all checks happen before any change).
/// Failures inside the process (an expression, no retries left, an uncaught
/// error) are not errors of `apply`: they raise incidents in the state.
pub fn apply(
    process: &CompiledProcess,
    state: &mut ProcessInstanceState,
    command: Command,
    context: &mut Context<'_>,
) -> Result<Vec<Effect>, EngineError> {
    let mut execution = Execution {
        process,
        state,
        context,
        effects: Vec::new(),
        queue: VecDeque::new(),
    };
    execution.command(command)?;
    execution.run();
    Ok(execution.effects)
}

/// Reads variables from an element instance's scope outwards.
pub struct ScopeView<'a> {
    state: &'a ProcessInstanceState,
    key: u64,
}

impl<'a> ScopeView<'a> {
    /// A view from the scope `key` (an element instance key or the process
    /// instance key).
    pub fn new(state: &'a ProcessInstanceState, key: u64) -> Self {
        ScopeView { state, key }
    }

    /// All variables visible from the scope, inner ones shadowing outer.
    pub fn collect(&self) -> Variables {
        let mut chain = Vec::new();
        let mut key = self.key;
        while key != self.state.key {
            let Some(instance) = self.state.element_instance(key) else {
                break;
            };
            chain.push(&instance.variables);
            key = instance.scope;
        }
        let mut all = self.state.variables.clone();
        for variables in chain.into_iter().rev() {
            for (name, value) in variables {
                all.insert(name.clone(), value.clone());
            }
        }
        all
    }
}

impl VariableScope for ScopeView<'_> {
    fn variable(&self, name: &str) -> Option<&Value> {
        let mut key = self.key;
        while key != self.state.key {
            let instance = self.state.element_instance(key)?;
            if let Some(value) = instance.variables.get(name) {
                return Some(value);
            }
            key = instance.scope;
        }
        self.state.variables.get(name)
    }

    fn variables(&self) -> Variables {
        self.collect()
    }
}

enum Step {
    Activate {
        element: usize,
        scope: u64,
        flow: Option<usize>,
        payload: Option<Variables>,
    },
    Complete {
        key: u64,
    },
    CheckScope {
        scope: u64,
    },
}

struct Execution<'p, 's, 'c, 'e> {
    process: &'p CompiledProcess,
    state: &'s mut ProcessInstanceState,
    context: &'c mut Context<'e>,
    effects: Vec<Effect>,
    queue: VecDeque<Step>,
}

/// Why an element instance is stuck: the incident to raise.
type Failure = (IncidentKind, String);

/// What completing an element computes before changing anything: the
/// multi-instance output element, output mappings, flows to take.
type Prepared = (Option<Value>, Vec<(String, Value)>, Vec<usize>);

/// Where a thrown error or escalation is caught.
enum Catcher {
    Boundary { owner: u64, element: usize },
    EventSubProcess { scope: u64, element: usize },
}

impl<'p> Execution<'p, '_, '_, '_> {
    fn element(&self, index: usize) -> &'p Element {
        &self.process.elements[index]
    }

    fn new_key(&mut self) -> u64 {
        let key = self.context.next_key;
        self.context.next_key += 1;
        key
    }

    fn position(&self, key: u64) -> Option<usize> {
        self.state
            .element_instances
            .iter()
            .position(|instance| instance.key == key)
    }

    fn instance(&self, key: u64) -> Option<&ElementInstance> {
        self.state.element_instance(key)
    }

    fn instance_mut(&mut self, key: u64) -> Option<&mut ElementInstance> {
        self.state
            .element_instances
            .iter_mut()
            .find(|instance| instance.key == key)
    }

    /// Evaluates a model expression with Zeebe semantics: text starting
    /// with `=` is FEEL, any other text a [`static_value`].
    fn evaluate(&self, expression: &str, scope: u64) -> Result<Value, ExpressionError> {
        if expression.trim_start().starts_with('=') {
            self.evaluate_feel(expression_text(expression), scope)
        } else {
            Ok(static_value(expression.trim()))
        }
    }

    /// Evaluates FEEL text (conditions, which the compiled process keeps
    /// without their `=`: Zeebe has no static conditions).
    fn evaluate_feel(&self, expression: &str, scope: u64) -> Result<Value, ExpressionError> {
        self.context
            .expressions
            .evaluate(expression, &ScopeView::new(self.state, scope))
    }

    /// Static text, or a `=` expression evaluated to a string.
    fn text_or_expression(&self, text: &str, scope: u64) -> Result<String, ExpressionError> {
        if text.trim_start().starts_with('=') {
            Ok(match self.evaluate(text, scope)? {
                Value::String(text) => text,
                other => other.to_string(),
            })
        } else {
            Ok(text.to_owned())
        }
    }

    fn history(&mut self, key: u64, element: usize, intent: Intent) {
        let element = self.element(element);
        self.effects.push(Effect::Element {
            element_instance_key: key,
            element_id: element.id.clone(),
            element_type: element.kind,
            intent,
        });
    }

    fn ensure_active(&self) -> Result<(), EngineError> {
        if self.state.status == InstanceStatus::Active {
            Ok(())
        } else {
            Err(EngineError::InstanceNotActive {
                instance_key: self.state.key,
                status: self.state.status.to_string(),
            })
        }
    }

    fn job_position(&self, job_key: u64) -> Result<usize, EngineError> {
        self.state
            .jobs
            .iter()
            .position(|job| job.key == job_key)
            .ok_or(EngineError::JobNotFound { job_key })
    }

    // ---------------------------------------------------------------- commands

    fn command(&mut self, command: Command) -> Result<(), EngineError> {
        match command {
            Command::StartInstance {
                variables,
                start_element,
            } => self.start(variables, start_element),
            Command::CompleteJob { job_key, variables }
            | Command::CompleteUserTask {
                user_task_key: job_key,
                variables,
            } => {
                self.ensure_active()?;
                let position = self.job_position(job_key)?;
                let job = self.state.jobs.remove(position);
                self.resolve_incidents_of_job(job_key);
                self.effects.push(Effect::JobCompleted { key: job_key });
                self.set_result_variables(job.element_instance_key, variables);
                self.queue.push_back(Step::Complete {
                    key: job.element_instance_key,
                });
                Ok(())
            }
            Command::FailJob {
                job_key,
                retries,
                error_message,
                backoff_ms,
            } => {
                self.ensure_active()?;
                let position = self.job_position(job_key)?;
                self.state.jobs[position].retries = retries;
                let element_instance_key = self.state.jobs[position].element_instance_key;
                if retries > 0 {
                    self.effects.push(Effect::JobActivatable {
                        key: job_key,
                        retries,
                        available_at: self.context.now + backoff_ms.max(0),
                    });
                } else {
                    self.effects.push(Effect::JobFailed {
                        key: job_key,
                        error_message: error_message.clone(),
                    });
                    let message = if error_message.is_empty() {
                        "the job failed and has no retries left".to_owned()
                    } else {
                        error_message
                    };
                    self.raise_incident(
                        element_instance_key,
                        Some(job_key),
                        IncidentKind::JobNoRetries,
                        message,
                    );
                }
                Ok(())
            }
            Command::ThrowError {
                job_key,
                code,
                message,
                variables,
            } => {
                self.ensure_active()?;
                let position = self.job_position(job_key)?;
                let element_instance_key = self.state.jobs[position].element_instance_key;
                match self.find_error_catcher(element_instance_key, &code) {
                    Some(catcher) => {
                        self.state.jobs.remove(position);
                        self.effects.push(Effect::JobCompleted { key: job_key });
                        self.catch(catcher, true, Some(variables));
                    }
                    None => self.unhandled_error(
                        element_instance_key,
                        Some(job_key),
                        code,
                        message,
                        variables,
                    ),
                }
                Ok(())
            }
            Command::ThrowErrorAt {
                element_instance_key,
                code,
                message: _,
                variables,
            } => {
                self.ensure_active()?;
                let instance = self.instance(element_instance_key).ok_or(
                    EngineError::ElementInstanceNotFound {
                        element_instance_key,
                    },
                )?;
                let element_id = self.element(instance.element).id.to_string();
                let catcher = self
                    .find_error_catcher(element_instance_key, &code)
                    .ok_or(EngineError::ErrorNotCaught { code, element_id })?;
                self.catch(catcher, true, Some(variables));
                Ok(())
            }
            Command::CorrelateMessage {
                name,
                correlation_key,
                variables,
            } => {
                self.ensure_active()?;
                let position = self
                    .state
                    .subscriptions
                    .iter()
                    .position(|subscription| {
                        matches!(&subscription.kind, SubscriptionKind::Message { name: n, correlation_key: k } if *n == name && *k == correlation_key)
                    })
                    .ok_or(EngineError::NoMessageSubscription {
                        name,
                        correlation_key,
                    })?;
                self.trigger(position, variables);
                Ok(())
            }
            Command::FireTimer { timer_key } => {
                self.ensure_active()?;
                let position = self
                    .state
                    .subscriptions
                    .iter()
                    .position(|subscription| {
                        subscription.key == timer_key
                            && matches!(subscription.kind, SubscriptionKind::Timer { .. })
                    })
                    .ok_or(EngineError::TimerNotFound { timer_key })?;
                self.trigger(position, Variables::new());
                Ok(())
            }
            Command::BroadcastSignal { name, variables } => {
                self.ensure_active()?;
                let keys: Vec<u64> = self
                    .state
                    .subscriptions
                    .iter()
                    .filter(|subscription| matches!(&subscription.kind, SubscriptionKind::Signal { name: n } if *n == name))
                    .map(|subscription| subscription.key)
                    .collect();
                for key in keys {
                    if let Some(position) = self
                        .state
                        .subscriptions
                        .iter()
                        .position(|subscription| subscription.key == key)
                    {
                        self.trigger(position, variables.clone());
                    }
                }
                Ok(())
            }
            Command::ResolveIncident { incident_key } => {
                self.ensure_active()?;
                let position = self
                    .state
                    .incidents
                    .iter()
                    .position(|incident| incident.key == incident_key)
                    .ok_or(EngineError::IncidentNotFound { incident_key })?;
                let incident = self.state.incidents.remove(position);
                self.effects
                    .push(Effect::IncidentResolved { key: incident_key });
                self.resume_after_incident(incident);
                Ok(())
            }
            Command::UpdateJobRetries { job_key, retries } => {
                self.ensure_active()?;
                let position = self.job_position(job_key)?;
                self.state.jobs[position].retries = retries;
                Ok(())
            }
            Command::SetVariables {
                scope,
                variables,
                local,
            } => {
                self.ensure_active()?;
                let scope = scope.unwrap_or(self.state.key);
                if scope != self.state.key && self.instance(scope).is_none() {
                    return Err(EngineError::ElementInstanceNotFound {
                        element_instance_key: scope,
                    });
                }
                self.effects.push(Effect::VariablesChanged {
                    scope,
                    names: variables.keys().cloned().collect(),
                });
                for (name, value) in variables {
                    if local {
                        self.set_local(scope, name, value);
                    } else {
                        self.set_propagating(scope, name, value);
                    }
                }
                Ok(())
            }
            Command::CancelInstance | Command::TerminateInstance => {
                self.ensure_active()?;
                let cancelled = matches!(command, Command::CancelInstance);
                let root = self.state.key;
                self.terminate_children(root);
                self.close_subscriptions(root);
                self.state.status = if cancelled {
                    InstanceStatus::Cancelled
                } else {
                    InstanceStatus::Terminated
                };
                self.effects.push(Effect::InstanceTerminated);
                Ok(())
            }
            Command::ModifyInstance {
                activate,
                terminate,
            } => {
                self.ensure_active()?;
                let mut targets = Vec::new();
                for instruction in &activate {
                    let element = self
                        .process
                        .element_index(&instruction.element_id)
                        .ok_or_else(|| EngineError::ElementNotFound {
                            process_id: self.process.id().to_owned(),
                            element_id: instruction.element_id.clone(),
                        })?;
                    let scope = match self.element(element).parent {
                        None => self.state.key,
                        Some(parent) => self
                            .state
                            .element_instances
                            .iter()
                            .find(|instance| {
                                instance.element == parent && instance.multi_instance.is_none()
                            })
                            .map(|instance| instance.key)
                            .ok_or_else(|| EngineError::InvalidCommand {
                                element_id: instruction.element_id.clone(),
                                reason: "its sub-process has no active instance to activate it in"
                                    .into(),
                            })?,
                    };
                    targets.push((element, scope, instruction.variables.clone()));
                }
                for key in &terminate {
                    if self.instance(*key).is_none() {
                        return Err(EngineError::ElementInstanceNotFound {
                            element_instance_key: *key,
                        });
                    }
                }
                for key in terminate {
                    if let Some(instance) = self.instance(key) {
                        let scope = instance.scope;
                        self.terminate(key);
                        self.queue.push_back(Step::CheckScope { scope });
                    }
                }
                for (element, scope, variables) in targets {
                    for (name, value) in variables {
                        self.state.variables.insert(name, value);
                    }
                    self.queue.push_back(Step::Activate {
                        element,
                        scope,
                        flow: None,
                        payload: None,
                    });
                }
                Ok(())
            }
            Command::FailCallActivity {
                element_instance_key,
                message,
            } => {
                self.ensure_active()?;
                let instance = self.instance(element_instance_key).ok_or(
                    EngineError::ElementInstanceNotFound {
                        element_instance_key,
                    },
                )?;
                let element = self.element(instance.element);
                if element.kind != ElementKind::CallActivity || instance.phase != Phase::Active {
                    return Err(EngineError::InvalidCommand {
                        element_id: element.id.to_string(),
                        reason: "not a call activity waiting for its called process".into(),
                    });
                }
                self.raise_incident(element_instance_key, None, IncidentKind::Element, message);
                Ok(())
            }
            Command::CompleteCallActivity {
                element_instance_key,
                variables,
            } => {
                self.ensure_active()?;
                let instance = self.instance(element_instance_key).ok_or(
                    EngineError::ElementInstanceNotFound {
                        element_instance_key,
                    },
                )?;
                let element = self.element(instance.element);
                if element.kind != ElementKind::CallActivity || instance.phase != Phase::Active {
                    return Err(EngineError::InvalidCommand {
                        element_id: element.id.to_string(),
                        reason: "not a call activity waiting for its called process".into(),
                    });
                }
                // Without propagateAllChildVariables only the output
                // mappings (which read the child's variables) propagate.
                let variables =
                    if element.propagate_all_child_variables || !element.outputs.is_empty() {
                        variables
                    } else {
                        Variables::new()
                    };
                self.set_result_variables(element_instance_key, variables);
                self.queue.push_back(Step::Complete {
                    key: element_instance_key,
                });
                Ok(())
            }
            Command::EvaluateConditions => self.ensure_active(),
        }
    }

    fn start(
        &mut self,
        variables: Variables,
        start_element: Option<String>,
    ) -> Result<(), EngineError> {
        if self.state.status != InstanceStatus::Created {
            return Err(EngineError::AlreadyStarted {
                instance_key: self.state.key,
            });
        }
        let process_id = || self.process.id().to_owned();
        let (element, payload) = match &start_element {
            None => (
                self.process.none_start.ok_or_else(|| EngineError::InvalidStartElement {
                    process_id: process_id(),
                    element_id: String::new(),
                    reason: "the process has no none start event; start it by its message, timer or signal".into(),
                })?,
                None,
            ),
            Some(id) => {
                let index = self.process.element_index(id).ok_or_else(|| EngineError::ElementNotFound {
                    process_id: process_id(),
                    element_id: id.clone(),
                })?;
                let element = self.element(index);
                if element.kind != ElementKind::StartEvent || element.parent.is_some() {
                    return Err(EngineError::InvalidStartElement {
                        process_id: process_id(),
                        element_id: id.clone(),
                        reason: "not a start event at the top level of the process".into(),
                    });
                }
                (index, Some(Variables::new()))
            }
        };
        self.state.status = InstanceStatus::Active;
        self.state.variables = variables;
        let root = self.state.key;
        let event_subprocesses = &self.process.root_event_subprocesses;
        if !event_subprocesses.is_empty() {
            self.open_event_subprocess_subscriptions(root, event_subprocesses);
        }
        self.queue.push_back(Step::Activate {
            element,
            scope: root,
            flow: None,
            payload,
        });
        Ok(())
    }

    // ------------------------------------------------------------------ run loop

    fn run(&mut self) {
        loop {
            while let Some(step) = self.queue.pop_front() {
                if self.state.status != InstanceStatus::Active {
                    self.queue.clear();
                    break;
                }
                match step {
                    Step::Activate {
                        element,
                        scope,
                        flow,
                        payload,
                    } => self.activate(element, scope, flow, payload),
                    Step::Complete { key } => self.complete(key),
                    Step::CheckScope { scope } => self.check_scope(scope),
                }
            }
            if self.state.status != InstanceStatus::Active {
                return;
            }
            if !self.fire_inclusive_joins() && !self.evaluate_conditions() {
                return;
            }
        }
    }

    fn scope_alive(&self, scope: u64) -> bool {
        scope == self.state.key || self.instance(scope).is_some()
    }

    fn activate(
        &mut self,
        element: usize,
        scope: u64,
        flow: Option<usize>,
        payload: Option<Variables>,
    ) {
        if !self.scope_alive(scope) {
            return;
        }
        let definition = self.element(element);
        if let (Some(flow), true) = (
            flow,
            matches!(
                definition.kind,
                ElementKind::ParallelGateway | ElementKind::InclusiveGateway
            ) && definition.incoming.len() > 1,
        ) {
            let join = match self
                .state
                .joins
                .iter()
                .position(|join| join.scope == scope && join.element == element)
            {
                Some(position) => position,
                None => {
                    self.state.joins.push(JoinState {
                        scope,
                        element,
                        arrived: Vec::new(),
                    });
                    self.state.joins.len() - 1
                }
            };
            self.state.joins[join].arrived.push(flow);
            if definition.kind == ElementKind::InclusiveGateway {
                // Fires once no other token can still arrive (see run()).
                return;
            }
            let arrived = &self.state.joins[join].arrived;
            if !definition
                .incoming
                .iter()
                .all(|incoming| arrived.contains(incoming))
            {
                return;
            }
            let arrived = &mut self.state.joins[join].arrived;
            for incoming in &definition.incoming {
                if let Some(position) = arrived.iter().position(|taken| taken == incoming) {
                    arrived.swap_remove(position);
                }
            }
            if arrived.is_empty() {
                self.state.joins.swap_remove(join);
            }
        }
        let key = self.new_key();
        self.state.element_instances.push(ElementInstance {
            key,
            element,
            scope,
            phase: Phase::Activating,
            variables: Variables::new(),
            multi_instance: None,
            loop_counter: None,
            compensating: None,
        });
        self.history(key, element, Intent::Activated);
        self.run_activation(key, payload);
    }

    fn raise_incident(
        &mut self,
        key: u64,
        job_key: Option<u64>,
        kind: IncidentKind,
        message: String,
    ) {
        let element_id = match self.instance(key) {
            Some(instance) => self.element(instance.element).id.to_string(),
            None => String::new(),
        };
        let incident = Incident {
            key: self.new_key(),
            element_instance_key: key,
            element_id,
            job_key,
            kind,
            message,
        };
        self.state.incidents.push(incident.clone());
        self.effects.push(Effect::IncidentRaised { incident });
    }

    fn set_phase(&mut self, key: u64, phase: Phase) {
        if let Some(instance) = self.instance_mut(key) {
            instance.phase = phase;
        }
    }

    /// Runs the activation of an element instance; on failure it stays in
    /// `Activating` with an incident, and resolving the incident reruns this.
    fn run_activation(&mut self, key: u64, payload: Option<Variables>) {
        let Some(instance) = self.instance(key) else {
            return;
        };
        let element_index = instance.element;
        let is_inner = instance.loop_counter.is_some();
        let definition = self.element(element_index);
        let is_body = definition.multi_instance.is_some() && !is_inner;
        if let Err(error) = self.activation(key, definition, is_body, is_inner, payload) {
            let (kind, message) = error;
            self.set_phase(key, Phase::Activating);
            self.raise_incident(key, None, kind, message);
        }
    }

    fn activation(
        &mut self,
        key: u64,
        definition: &'p Element,
        is_body: bool,
        is_inner: bool,
        payload: Option<Variables>,
    ) -> Result<(), (IncidentKind, String)> {
        let expression_failed =
            |error: ExpressionError| (IncidentKind::Expression, error.to_string());
        if !is_body {
            for mapping in &definition.inputs {
                let value = self
                    .evaluate(&mapping.source, key)
                    .map_err(expression_failed)?;
                self.set_local(key, mapping.target.clone(), value);
            }
        }
        if !is_inner && !definition.boundaries.is_empty() {
            // A retried activation must not open the boundary events twice.
            self.close_subscriptions(key);
            for boundary in &definition.boundaries {
                let boundary_definition = self.element(*boundary);
                self.open_subscription(
                    key,
                    *boundary,
                    SubscriptionRole::Boundary,
                    boundary_definition.interrupting,
                )?;
            }
        }
        if is_body {
            return self.activate_multi_instance(key, definition);
        }
        let complete = |execution: &mut Self| {
            execution.set_phase(key, Phase::Active);
            execution.queue.push_back(Step::Complete { key });
        };
        match definition.kind {
            ElementKind::ServiceTask | ElementKind::SendTask => {
                self.create_job(key, definition, JobKind::Worker)
            }
            ElementKind::UserTask => self.create_job(key, definition, JobKind::UserTask),
            ElementKind::ScriptTask | ElementKind::BusinessRuleTask
                if definition.task_type.is_some() =>
            {
                self.create_job(key, definition, JobKind::Worker)
            }
            ElementKind::ScriptTask => {
                let script = definition.script.as_deref().unwrap_or("=null");
                let value = self.evaluate(script, key).map_err(expression_failed)?;
                if let Some(result) = &definition.result_variable {
                    let mut variables = Variables::new();
                    variables.insert(result.clone(), value);
                    self.set_result_variables(key, variables);
                }
                complete(self);
                Ok(())
            }
            ElementKind::BusinessRuleTask => {
                let decision = definition.called_decision_id.as_deref().ok_or((
                    IncidentKind::Decision,
                    "the business rule task has neither a called decision nor a job type"
                        .to_owned(),
                ))?;
                let decision = self
                    .text_or_expression(decision, key)
                    .map_err(expression_failed)?;
                let site = DecisionSite {
                    instance_key: self.state.key,
                    instance_id: self.context.instance_id,
                    process_id: &self.state.process_id,
                    element_id: &definition.id,
                };
                let value = self
                    .context
                    .decisions
                    .evaluate_decision(&decision, &ScopeView::new(self.state, key), &site)
                    .map_err(|error| (IncidentKind::Decision, error.to_string()))?;
                if let Some(result) = &definition.result_variable {
                    let mut variables = Variables::new();
                    variables.insert(result.clone(), value);
                    self.set_result_variables(key, variables);
                }
                complete(self);
                Ok(())
            }
            ElementKind::CallActivity => {
                let called = definition.called_process_id.as_deref().ok_or((
                    IncidentKind::Element,
                    "the call activity has no called process id (zeebe:calledElement processId)"
                        .to_owned(),
                ))?;
                let process_id = self
                    .text_or_expression(called, key)
                    .map_err(expression_failed)?;
                // Without propagateAllParentVariables the child gets only the
                // input mappings, which are the call activity's locals.
                let variables = if definition.propagate_all_parent_variables {
                    ScopeView::new(self.state, key).collect()
                } else {
                    self.instance(key)
                        .map(|instance| instance.variables.clone())
                        .unwrap_or_default()
                };
                self.set_phase(key, Phase::Active);
                self.effects.push(Effect::CallActivityStarted {
                    element_instance_key: key,
                    process_id,
                    binding: definition.call_binding.clone(),
                    variables,
                });
                Ok(())
            }
            ElementKind::SubProcess => {
                self.set_phase(key, Phase::Active);
                if !definition.triggered_by_event && !definition.event_subprocesses.is_empty() {
                    self.open_event_subprocess_subscriptions(key, &definition.event_subprocesses);
                }
                let start = definition.start.ok_or((
                    IncidentKind::Element,
                    "the sub-process has no start event".to_owned(),
                ))?;
                self.queue.push_back(Step::Activate {
                    element: start,
                    scope: key,
                    flow: None,
                    payload,
                });
                Ok(())
            }
            ElementKind::IntermediateCatchEvent | ElementKind::ReceiveTask => {
                if let Some(payload) = payload {
                    self.set_result_variables(key, payload);
                    complete(self);
                    return Ok(());
                }
                match definition.trigger {
                    EventTrigger::Timer { .. }
                    | EventTrigger::Message { .. }
                    | EventTrigger::Signal { .. }
                    | EventTrigger::Conditional { .. } => {
                        self.set_phase(key, Phase::Active);
                        self.open_subscription(
                            key,
                            self.element_index(definition),
                            SubscriptionRole::Catch,
                            true,
                        )
                    }
                    _ => {
                        complete(self);
                        Ok(())
                    }
                }
            }
            ElementKind::StartEvent | ElementKind::BoundaryEvent => {
                if let Some(payload) = payload {
                    self.set_result_variables(key, payload);
                }
                complete(self);
                Ok(())
            }
            ElementKind::IntermediateThrowEvent | ElementKind::EndEvent => {
                self.throw_event(key, definition)
            }
            ElementKind::EventBasedGateway => {
                self.set_phase(key, Phase::Active);
                for flow in &definition.outgoing {
                    let target = self.process.flows[*flow].target;
                    self.open_subscription(key, target, SubscriptionRole::EventGateway, true)?;
                }
                Ok(())
            }
            ElementKind::Task
            | ElementKind::ManualTask
            | ElementKind::ExclusiveGateway
            | ElementKind::ParallelGateway
            | ElementKind::InclusiveGateway => {
                complete(self);
                Ok(())
            }
        }
    }

    fn element_index(&self, definition: &Element) -> usize {
        // Element ids are unique, so the index lookup always succeeds for a
        // definition taken from this process.
        self.process
            .element_index(&definition.id)
            .expect("an element of this process has an index")
    }

    fn throw_event(
        &mut self,
        key: u64,
        definition: &'p Element,
    ) -> Result<(), (IncidentKind, String)> {
        let expression_failed =
            |error: ExpressionError| (IncidentKind::Expression, error.to_string());
        let complete = |execution: &mut Self| {
            execution.set_phase(key, Phase::Active);
            execution.queue.push_back(Step::Complete { key });
        };
        if definition.task_type.is_some() {
            // Camunda 8 message throw and end events with a job type are jobs.
            return self.create_job(key, definition, JobKind::Worker);
        }
        match &definition.trigger {
            EventTrigger::Message {
                name,
                correlation_key,
            } => {
                let correlation_key = match correlation_key {
                    Some(expression) => self
                        .text_or_expression(expression, key)
                        .map_err(expression_failed)?,
                    None => String::new(),
                };
                let variables = self
                    .instance(key)
                    .map(|instance| instance.variables.clone())
                    .unwrap_or_default();
                self.effects.push(Effect::MessagePublished {
                    name: name.clone(),
                    correlation_key,
                    variables,
                });
                complete(self);
            }
            EventTrigger::Signal { name } => {
                let variables = self
                    .instance(key)
                    .map(|instance| instance.variables.clone())
                    .unwrap_or_default();
                self.effects.push(Effect::SignalBroadcast {
                    name: name.clone(),
                    variables,
                });
                complete(self);
            }
            EventTrigger::Error { code } => {
                let code = code.clone().unwrap_or_default();
                match self.find_error_catcher(key, &code) {
                    Some(catcher) => self.catch(catcher, true, None),
                    None => {
                        return Err((
                            IncidentKind::UnhandledError,
                            format!("error \"{code}\" was thrown but no boundary event or event sub-process catches it"),
                        ))
                    }
                }
            }
            EventTrigger::Escalation { code } => {
                let code = code.clone().unwrap_or_default();
                if let Some((catcher, interrupting)) = self.find_escalation_catcher(key, &code) {
                    self.catch(catcher, interrupting, None);
                }
                if self.instance(key).is_some() {
                    complete(self);
                }
            }
            EventTrigger::Compensate => self.throw_compensation(key, definition),
            EventTrigger::Terminate => {
                let scope = self
                    .instance(key)
                    .map_or(self.state.key, |instance| instance.scope);
                let others: Vec<u64> = self
                    .state
                    .element_instances
                    .iter()
                    .filter(|instance| instance.scope == scope && instance.key != key)
                    .map(|instance| instance.key)
                    .collect();
                for other in others {
                    self.terminate(other);
                }
                self.state.joins.retain(|join| join.scope != scope);
                self.queue
                    .retain(|step| !matches!(step, Step::Activate { scope: s, .. } if *s == scope));
                complete(self);
            }
            _ => complete(self),
        }
        Ok(())
    }

    // ---------------------------------------------------------- compensation

    /// The record of `element` completing in `scope`, for compensation.
    fn compensable(&self, element: usize, scope: u64) -> Compensable {
        let mut scopes = Vec::new();
        let mut within = Vec::new();
        let mut current = scope;
        while let Some(instance) = self.instance(current) {
            scopes.push(current);
            within.push(instance.element);
            current = instance.scope;
        }
        scopes.push(self.state.key);
        Compensable {
            element,
            scopes,
            within,
        }
    }

    /// A compensation throw event: takes the activities it compensates
    /// (those completed in its scope, or `activityRef` and what completed
    /// inside it) and runs their handlers one after another, newest first;
    /// the event completes when the last handler has.
    fn throw_compensation(&mut self, key: u64, definition: &Element) {
        let scope = self
            .instance(key)
            .map_or(self.state.key, |instance| instance.scope);
        let target = definition.compensate_activity;
        let (taken, kept): (Vec<Compensable>, Vec<Compensable>) =
            std::mem::take(&mut self.state.compensable)
                .into_iter()
                .partition(|compensable| {
                    compensable.scopes.contains(&scope)
                        && target.is_none_or(|activity| {
                            compensable.element == activity
                                || compensable.within.contains(&activity)
                        })
                });
        self.state.compensable = kept;
        self.set_phase(key, Phase::Active);
        if let Some(instance) = self.instance_mut(key) {
            instance.compensating = Some(Box::new(Compensating {
                pending: taken
                    .into_iter()
                    .map(|compensable| compensable.element)
                    .collect(),
                running: None,
            }));
        }
        self.next_compensation(key);
    }

    /// Starts the next handler of the compensation throw event `key`, or
    /// completes the event when none is left.
    fn next_compensation(&mut self, key: u64) {
        let Some(instance) = self.instance_mut(key) else {
            return;
        };
        let scope = instance.scope;
        let Some(progress) = instance.compensating.as_mut() else {
            return;
        };
        let Some(activity) = progress.pending.pop() else {
            instance.compensating = None;
            self.queue.push_back(Step::Complete { key });
            return;
        };
        progress.running = Some(activity);
        let Some(compensation) = self.element(activity).compensation else {
            return;
        };
        // The boundary event is not a token: it shows in history as caught.
        let boundary_key = self.new_key();
        self.history(boundary_key, compensation.boundary, Intent::Activated);
        self.history(boundary_key, compensation.boundary, Intent::Completed);
        self.queue.push_back(Step::Activate {
            element: compensation.handler,
            scope,
            flow: None,
            payload: None,
        });
    }

    /// A handler completed in `scope`: its throw event goes on.
    fn handler_completed(&mut self, scope: u64, handler: usize) {
        let process = self.process;
        let waiting = self.state.element_instances.iter().find(|instance| {
            instance.scope == scope
                && instance
                    .compensating
                    .as_ref()
                    .and_then(|progress| progress.running)
                    .and_then(|activity| process.elements[activity].compensation)
                    .is_some_and(|compensation| compensation.handler == handler)
        });
        let Some(key) = waiting.map(|instance| instance.key) else {
            return;
        };
        if let Some(progress) = self
            .instance_mut(key)
            .and_then(|instance| instance.compensating.as_mut())
        {
            progress.running = None;
        }
        self.next_compensation(key);
    }

    fn create_job(
        &mut self,
        key: u64,
        definition: &Element,
        kind: JobKind,
    ) -> Result<(), (IncidentKind, String)> {
        let expression_failed =
            |error: ExpressionError| (IncidentKind::Expression, error.to_string());
        let (job_type, retries) = match kind {
            JobKind::UserTask => (USER_TASK_JOB_TYPE.to_owned(), 1),
            JobKind::Worker => {
                let job_type = definition.task_type.as_deref().ok_or((
                    IncidentKind::Element,
                    "the task has no job type (zeebe:taskDefinition type)".to_owned(),
                ))?;
                let job_type = self
                    .text_or_expression(job_type, key)
                    .map_err(expression_failed)?;
                let retries = match &definition.retries {
                    None => 3,
                    Some(retries) => {
                        let text = self
                            .text_or_expression(retries, key)
                            .map_err(expression_failed)?;
                        text.trim().parse::<i64>().map_err(|_| {
                            (
                                IncidentKind::Element,
                                format!("retries \"{text}\" is not a whole number"),
                            )
                        })?
                    }
                };
                (job_type, retries)
            }
        };
        let mut headers = definition.headers.clone();
        if kind == JobKind::UserTask {
            let fields = [
                ("assignee", &definition.assignee),
                ("candidateGroups", &definition.candidate_groups),
                ("formKey", &definition.form),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    let value = self
                        .text_or_expression(value, key)
                        .map_err(expression_failed)?;
                    headers.push((name.to_owned(), value));
                }
            }
        }
        let job_key = self.new_key();
        self.state.jobs.push(Job {
            key: job_key,
            element_instance_key: key,
            job_type: job_type.clone(),
            retries,
            kind,
        });
        self.set_phase(key, Phase::Active);
        let variables = ScopeView::new(self.state, key).collect();
        self.effects.push(Effect::JobCreated {
            key: job_key,
            job_type,
            retries,
            kind,
            element_id: definition.id.clone(),
            element_instance_key: key,
            headers,
            variables,
        });
        Ok(())
    }

    fn activate_multi_instance(
        &mut self,
        key: u64,
        definition: &Element,
    ) -> Result<(), (IncidentKind, String)> {
        let Some(loop_definition) = &definition.multi_instance else {
            return Ok(());
        };
        let items = match (
            loop_definition.input_collection.as_deref(),
            definition.loop_cardinality.as_deref(),
        ) {
            (Some(collection), _) => match self
                .evaluate(collection, key)
                .map_err(|error| (IncidentKind::Expression, error.to_string()))?
            {
                Value::Array(items) => items,
                other => {
                    return Err((
                        IncidentKind::Expression,
                        format!(
                            "the input collection \"{collection}\" is not a list but {other}"
                        ),
                    ))
                }
            },
            (None, Some(cardinality)) => {
                let value = self
                    .evaluate_feel(cardinality, key)
                    .map_err(|error| (IncidentKind::Expression, error.to_string()))?;
                let count = value
                    .as_u64()
                    .or_else(|| value.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0).map(|n| n as u64))
                    .and_then(|count| usize::try_from(count).ok())
                    .ok_or_else(|| {
                        (
                            IncidentKind::Expression,
                            format!(
                                "the loop cardinality \"{cardinality}\" is not a non-negative whole number but {value}"
                            ),
                        )
                    })?;
                vec![Value::Null; count]
            }
            (None, None) => {
                return Err((
                    IncidentKind::Element,
                    "the multi-instance activity has neither an input collection nor a loop cardinality"
                        .to_owned(),
                ))
            }
        };
        let count = items.len();
        let sequential = loop_definition.sequential;
        if let Some(instance) = self.instance_mut(key) {
            instance.phase = Phase::Active;
            instance.multi_instance = Some(Box::new(MultiInstanceState {
                items,
                started: 0,
                completed: 0,
                outputs: vec![Value::Null; count],
            }));
        }
        self.set_loop_counts(key);
        if count == 0 {
            self.queue.push_back(Step::Complete { key });
        } else if sequential {
            self.start_inner(key);
        } else {
            for _ in 0..count {
                self.start_inner(key);
            }
        }
        Ok(())
    }

    fn start_inner(&mut self, body: u64) {
        let Some(body_instance) = self.instance_mut(body) else {
            return;
        };
        let element = body_instance.element;
        let Some(progress) = body_instance.multi_instance.as_mut() else {
            return;
        };
        let index = progress.started;
        progress.started += 1;
        self.set_loop_counts(body);
        let Some(progress) = self
            .instance_mut(body)
            .and_then(|instance| instance.multi_instance.as_mut())
        else {
            return;
        };
        let item = progress.items.get(index).cloned().unwrap_or(Value::Null);
        let mut variables = Variables::new();
        if let Some(name) = self
            .element(element)
            .multi_instance
            .as_ref()
            .and_then(|definition| definition.input_element.as_ref())
        {
            variables.insert(name.clone(), item);
        }
        variables.insert("loopCounter".into(), Value::from(index + 1));
        let key = self.new_key();
        self.state.element_instances.push(ElementInstance {
            key,
            element,
            scope: body,
            phase: Phase::Activating,
            variables,
            multi_instance: None,
            loop_counter: Some(index + 1),
            compensating: None,
        });
        self.history(key, element, Intent::Activated);
        self.run_activation(key, None);
    }

    // ------------------------------------------------------------ completion

    fn complete(&mut self, key: u64) {
        let Some(instance) = self.instance(key) else {
            return;
        };
        let (element, scope, loop_counter) =
            (instance.element, instance.scope, instance.loop_counter);
        let is_body = instance.multi_instance.is_some();
        let definition = self.element(element);
        let expression_failed =
            |error: ExpressionError| (IncidentKind::Expression, error.to_string());
        let mut prepare = || -> Result<Prepared, Failure> {
            let mut outputs = Vec::new();
            if !is_body {
                for mapping in &definition.outputs {
                    outputs.push((
                        mapping.target.clone(),
                        self.evaluate(&mapping.source, key)
                            .map_err(expression_failed)?,
                    ));
                }
            }
            let output_element = match (&definition.multi_instance, loop_counter) {
                (Some(loop_definition), Some(_)) => match &loop_definition.output_element {
                    Some(expression) => {
                        // The output element sees the inner instance's output
                        // mappings, as if they were local to it.
                        for (name, value) in &outputs {
                            self.set_local(key, name.clone(), value.clone());
                        }
                        Some(self.evaluate(expression, key).map_err(expression_failed)?)
                    }
                    None => None,
                },
                _ => None,
            };
            let flows = if loop_counter.is_some() {
                Vec::new()
            } else {
                self.select_flows(definition, key)?
            };
            Ok((output_element, outputs, flows))
        };
        let prepared = prepare();
        let (output_element, outputs, flows) = match prepared {
            Ok(prepared) => prepared,
            Err((kind, message)) => {
                self.set_phase(key, Phase::Completing);
                self.raise_incident(key, None, kind, message);
                return;
            }
        };
        // Nothing below can fail.
        if is_body {
            let collected = self
                .instance(key)
                .and_then(|instance| instance.multi_instance.as_ref())
                .map(|progress| progress.outputs.clone());
            if let (Some(name), Some(collected)) = (
                definition
                    .multi_instance
                    .as_ref()
                    .and_then(|definition| definition.output_collection.clone()),
                collected,
            ) {
                self.set_propagating(scope, name, Value::Array(collected));
            }
        }
        for (name, value) in outputs {
            self.set_propagating(scope, name, value);
        }
        self.close_subscriptions(key);
        if let Some(position) = self.position(key) {
            self.state.element_instances.remove(position);
        }
        self.history(key, element, Intent::Completed);
        if loop_counter.is_none() && definition.compensation.is_some() {
            let compensable = self.compensable(element, scope);
            self.state.compensable.push(compensable);
        }
        if definition.for_compensation {
            self.handler_completed(scope, element);
        }
        if let Some(counter) = loop_counter {
            self.inner_completed(scope, counter, output_element);
            return;
        }
        if let Some(target) = definition.link_target {
            self.queue.push_back(Step::Activate {
                element: target,
                scope,
                flow: None,
                payload: None,
            });
            return;
        }
        if flows.is_empty() {
            self.queue.push_back(Step::CheckScope { scope });
        }
        for flow in flows {
            self.queue.push_back(Step::Activate {
                element: self.process.flows[flow].target,
                scope,
                flow: Some(flow),
                payload: None,
            });
        }
    }

    fn inner_completed(&mut self, body: u64, counter: usize, output: Option<Value>) {
        let element = match self.instance(body) {
            Some(instance) => instance.element,
            None => return,
        };
        let sequential = self
            .element(element)
            .multi_instance
            .as_ref()
            .is_some_and(|definition| definition.sequential);
        let Some(progress) = self
            .instance_mut(body)
            .and_then(|instance| instance.multi_instance.as_mut())
        else {
            return;
        };
        progress.completed += 1;
        if let (Some(output), Some(slot)) = (output, progress.outputs.get_mut(counter - 1)) {
            *slot = output;
        }
        let done = progress.completed >= progress.items.len();
        let more = progress.started < progress.items.len();
        self.set_loop_counts(body);
        if !done {
            if let Some(condition) = self.element(element).completion_condition.clone() {
                match self.evaluate_feel(&condition, body) {
                    Ok(Value::Bool(true)) => {
                        // The remaining inner instances are not needed.
                        self.terminate_children(body);
                        self.queue.push_back(Step::Complete { key: body });
                        return;
                    }
                    Ok(Value::Bool(false) | Value::Null) => {}
                    Ok(other) => {
                        let message = format!(
                            "the completion condition \"{condition}\" is not a boolean but {other}"
                        );
                        self.raise_incident(body, None, IncidentKind::Expression, message);
                        return;
                    }
                    Err(error) => {
                        self.raise_incident(
                            body,
                            None,
                            IncidentKind::Expression,
                            error.to_string(),
                        );
                        return;
                    }
                }
            }
        }
        if done {
            self.queue.push_back(Step::Complete { key: body });
        } else if sequential && more {
            self.start_inner(body);
        }
    }

    fn select_flows(
        &self,
        definition: &Element,
        key: u64,
    ) -> Result<Vec<usize>, (IncidentKind, String)> {
        let gateway = matches!(
            definition.kind,
            ElementKind::ExclusiveGateway | ElementKind::InclusiveGateway
        );
        if definition.kind == ElementKind::EventBasedGateway
            || definition.kind == ElementKind::EndEvent
        {
            return Ok(Vec::new());
        }
        if !gateway
            && definition
                .outgoing
                .iter()
                .all(|flow| self.process.flows[*flow].condition.is_none())
        {
            return Ok(definition.outgoing.clone());
        }
        let mut taken = Vec::new();
        for flow in &definition.outgoing {
            if Some(*flow) == definition.default_flow {
                continue;
            }
            let fulfilled = match &self.process.flows[*flow].condition {
                None => true,
                Some(condition) => match self.evaluate_feel(condition, key) {
                    Ok(Value::Bool(value)) => value,
                    Ok(other) => {
                        return Err((
                            IncidentKind::Expression,
                            format!(
                                "condition \"{condition}\" must be true or false but was {other}"
                            ),
                        ))
                    }
                    Err(error) => return Err((IncidentKind::Expression, error.to_string())),
                },
            };
            if fulfilled {
                taken.push(*flow);
                if definition.kind == ElementKind::ExclusiveGateway {
                    return Ok(taken);
                }
            }
        }
        if taken.is_empty() {
            if let Some(default) = definition.default_flow {
                taken.push(default);
            } else if gateway && !definition.outgoing.is_empty() {
                return Err((
                    IncidentKind::ConditionNotMet,
                    format!(
                        "no condition of an outgoing flow of gateway \"{}\" is true and there is no default flow",
                        definition.id
                    ),
                ));
            }
        }
        Ok(taken)
    }

    fn check_scope(&mut self, scope: u64) {
        if !self.scope_alive(scope) {
            return;
        }
        let busy = self
            .state
            .element_instances
            .iter()
            .any(|instance| instance.scope == scope)
            || self.state.joins.iter().any(|join| join.scope == scope)
            || self
                .queue
                .iter()
                .any(|step| matches!(step, Step::Activate { scope: s, .. } if *s == scope));
        if busy {
            return;
        }
        if scope == self.state.key {
            self.close_subscriptions(scope);
            self.state.status = InstanceStatus::Completed;
            self.effects.push(Effect::InstanceCompleted {
                variables: self.state.variables.clone(),
            });
        } else if self
            .instance(scope)
            .is_some_and(|instance| instance.multi_instance.is_none())
        {
            self.complete(scope);
        }
    }

    /// Sets `numberOfInstances`, `numberOfActiveInstances` and
    /// `numberOfCompletedInstances` on a multi-instance body, for its
    /// completion condition and its inner instances.
    fn set_loop_counts(&mut self, body: u64) {
        let Some(instance) = self.instance_mut(body) else {
            return;
        };
        let Some(progress) = instance.multi_instance.as_ref() else {
            return;
        };
        let counts = [
            ("numberOfInstances", progress.items.len()),
            (
                "numberOfActiveInstances",
                progress.started.saturating_sub(progress.completed),
            ),
            ("numberOfCompletedInstances", progress.completed),
        ];
        for (name, count) in counts {
            instance.variables.insert(name.into(), Value::from(count));
        }
    }

    // ----------------------------------------------------------- variables

    fn set_local(&mut self, scope: u64, name: String, value: Value) {
        if scope == self.state.key {
            self.state.variables.insert(name, value);
        } else if let Some(instance) = self.instance_mut(scope) {
            instance.variables.insert(name, value);
        }
    }

    /// Sets a variable in the nearest scope (from `scope` outwards) where it
    /// exists, or at the process level.
    fn set_propagating(&mut self, scope: u64, name: String, value: Value) {
        let mut key = scope;
        while key != self.state.key {
            let Some(position) = self.position(key) else {
                break;
            };
            let instance = &mut self.state.element_instances[position];
            if let Some(slot) = instance.variables.get_mut(&name) {
                *slot = value;
                return;
            }
            key = instance.scope;
        }
        self.state.variables.insert(name, value);
    }

    /// Result variables of a job, message or called process: local to the
    /// element when it has output mappings (which then pick what to keep),
    /// otherwise propagated.
    fn set_result_variables(&mut self, key: u64, variables: Variables) {
        if variables.is_empty() {
            return;
        }
        let has_outputs = self
            .instance(key)
            .is_some_and(|instance| !self.element(instance.element).outputs.is_empty());
        for (name, value) in variables {
            if has_outputs {
                self.set_local(key, name, value);
            } else {
                self.set_propagating(key, name, value);
            }
        }
    }

    // ------------------------------------------------------- subscriptions

    fn open_event_subprocess_subscriptions(&mut self, scope: u64, event_subprocesses: &[usize]) {
        for event_subprocess in event_subprocesses {
            let definition = self.element(*event_subprocess);
            let Some(start) = definition.start else {
                continue;
            };
            let interrupting = self.element(start).interrupting;
            if let Err((kind, message)) = self.open_subscription(
                scope,
                start,
                SubscriptionRole::EventSubProcess,
                interrupting,
            ) {
                // A bad timer on an event sub-process is reported, not fatal.
                if scope != self.state.key {
                    self.raise_incident(scope, None, kind, message);
                }
            }
        }
    }

    /// Opens the subscription of event `element` for `owner`; errors and
    /// escalations need none (they are found when thrown).
    fn open_subscription(
        &mut self,
        owner: u64,
        element: usize,
        role: SubscriptionRole,
        interrupting: bool,
    ) -> Result<(), (IncidentKind, String)> {
        let definition = self.element(element);
        let expression_failed =
            |error: ExpressionError| (IncidentKind::Expression, error.to_string());
        let key = self.new_key();
        let kind = match &definition.trigger {
            EventTrigger::Message {
                name,
                correlation_key,
            } => {
                let correlation_key = match correlation_key {
                    Some(expression) => self
                        .text_or_expression(expression, owner)
                        .map_err(expression_failed)?,
                    None => String::new(),
                };
                self.effects.push(Effect::MessageSubscriptionOpened {
                    key,
                    name: name.clone(),
                    correlation_key: correlation_key.clone(),
                    element_id: definition.id.clone(),
                });
                SubscriptionKind::Message {
                    name: name.clone(),
                    correlation_key,
                }
            }
            EventTrigger::Signal { name } => {
                self.effects.push(Effect::SignalSubscriptionOpened {
                    key,
                    name: name.clone(),
                });
                SubscriptionKind::Signal { name: name.clone() }
            }
            EventTrigger::Timer {
                kind,
                expression,
                schedule,
            } => {
                let schedule = match schedule {
                    Some(schedule) => schedule.clone(),
                    None => {
                        let text = self
                            .text_or_expression(expression, owner)
                            .map_err(expression_failed)?;
                        TimerSchedule::parse(*kind, &text)
                            .map_err(|error| (IncidentKind::Element, error.to_string()))?
                    }
                };
                let due_at = schedule.first_due(self.context.now).ok_or((
                    IncidentKind::Element,
                    format!("timer \"{expression}\" never fires"),
                ))?;
                let remaining = schedule.repetitions();
                self.effects.push(Effect::TimerScheduled {
                    key,
                    element_id: definition.id.clone(),
                    due_at,
                    repetitions: remaining,
                });
                SubscriptionKind::Timer {
                    due_at,
                    remaining,
                    schedule,
                }
            }
            EventTrigger::Conditional { condition } => SubscriptionKind::Conditional {
                condition: condition.clone(),
                last: false,
            },
            _ => return Ok(()),
        };
        self.state.subscriptions.push(Subscription {
            key,
            owner,
            element,
            role,
            interrupting,
            kind,
        });
        Ok(())
    }

    fn closed_effect(&mut self, subscription: Subscription) {
        let effect = match subscription.kind {
            SubscriptionKind::Message {
                name,
                correlation_key,
            } => Effect::MessageSubscriptionClosed {
                key: subscription.key,
                name,
                correlation_key,
            },
            SubscriptionKind::Signal { name } => Effect::SignalSubscriptionClosed {
                key: subscription.key,
                name,
            },
            SubscriptionKind::Timer { .. } => Effect::TimerCancelled {
                key: subscription.key,
            },
            SubscriptionKind::Conditional { .. } => return,
        };
        self.effects.push(effect);
    }

    fn close_subscriptions(&mut self, owner: u64) {
        if !self
            .state
            .subscriptions
            .iter()
            .any(|subscription| subscription.owner == owner)
        {
            return;
        }
        let (closed, kept): (Vec<Subscription>, Vec<Subscription>) =
            std::mem::take(&mut self.state.subscriptions)
                .into_iter()
                .partition(|subscription| subscription.owner == owner);
        self.state.subscriptions = kept;
        for subscription in closed {
            self.closed_effect(subscription);
        }
    }

    /// Triggers the subscription at `position` with `variables`.
    fn trigger(&mut self, position: usize, variables: Variables) {
        let subscription = self.state.subscriptions[position].clone();
        // Repeating timers and non-interrupting message/signal/condition
        // subscriptions of boundary events and event sub-processes stay open.
        let stays = !subscription.interrupting
            && matches!(
                subscription.role,
                SubscriptionRole::Boundary | SubscriptionRole::EventSubProcess
            );
        let mut keep = stays;
        if let SubscriptionKind::Timer {
            due_at,
            remaining,
            schedule,
        } = &subscription.kind
        {
            let remaining = remaining.map(|count| count.saturating_sub(1));
            let next = schedule.next_due(*due_at);
            keep = stays && remaining != Some(0) && next.is_some();
            if keep {
                let next = next.unwrap_or(*due_at);
                self.state.subscriptions[position].kind = SubscriptionKind::Timer {
                    due_at: next,
                    remaining,
                    schedule: schedule.clone(),
                };
                self.effects.push(Effect::TimerScheduled {
                    key: subscription.key,
                    element_id: self.element(subscription.element).id.clone(),
                    due_at: next,
                    repetitions: remaining,
                });
            }
        }
        if !keep {
            let removed = self.state.subscriptions.remove(position);
            if !matches!(removed.kind, SubscriptionKind::Timer { .. }) {
                self.closed_effect(removed);
            }
        }
        if !variables.is_empty() {
            self.effects.push(Effect::VariablesChanged {
                scope: subscription.owner,
                names: variables.keys().cloned().collect(),
            });
        }
        match subscription.role {
            SubscriptionRole::Catch => {
                self.set_result_variables(subscription.owner, variables);
                self.queue.push_back(Step::Complete {
                    key: subscription.owner,
                });
            }
            SubscriptionRole::EventGateway => {
                let gateway = subscription.owner;
                let Some(instance) = self.instance(gateway) else {
                    return;
                };
                let (element, scope) = (instance.element, instance.scope);
                self.close_subscriptions(gateway);
                if let Some(position) = self.position(gateway) {
                    self.state.element_instances.remove(position);
                }
                self.history(gateway, element, Intent::Completed);
                self.queue.push_back(Step::Activate {
                    element: subscription.element,
                    scope,
                    flow: None,
                    payload: Some(variables),
                });
            }
            SubscriptionRole::Boundary => self.catch(
                Catcher::Boundary {
                    owner: subscription.owner,
                    element: subscription.element,
                },
                subscription.interrupting,
                Some(variables),
            ),
            SubscriptionRole::EventSubProcess => {
                let Some(event_subprocess) = self.element(subscription.element).parent else {
                    return;
                };
                self.catch(
                    Catcher::EventSubProcess {
                        scope: subscription.owner,
                        element: event_subprocess,
                    },
                    subscription.interrupting,
                    Some(variables),
                );
            }
        }
    }

    /// Activates a boundary event or event sub-process, interrupting first
    /// when asked.
    fn catch(&mut self, catcher: Catcher, interrupting: bool, variables: Option<Variables>) {
        let payload = Some(variables.unwrap_or_default());
        match catcher {
            Catcher::Boundary { owner, element } => {
                let Some(instance) = self.instance(owner) else {
                    return;
                };
                let scope = instance.scope;
                if interrupting {
                    self.terminate(owner);
                }
                self.queue.push_back(Step::Activate {
                    element,
                    scope,
                    flow: None,
                    payload,
                });
            }
            Catcher::EventSubProcess { scope, element } => {
                if !self.scope_alive(scope) {
                    return;
                }
                if interrupting {
                    self.terminate_children(scope);
                    // Other event sub-processes of the scope stop listening.
                    let event_subprocess_subscriptions: Vec<u64> = self
                        .state
                        .subscriptions
                        .iter()
                        .filter(|subscription| {
                            subscription.owner == scope
                                && subscription.role == SubscriptionRole::EventSubProcess
                        })
                        .map(|subscription| subscription.key)
                        .collect();
                    for key in event_subprocess_subscriptions {
                        if let Some(position) =
                            self.state.subscriptions.iter().position(|s| s.key == key)
                        {
                            let removed = self.state.subscriptions.remove(position);
                            self.closed_effect(removed);
                        }
                    }
                }
                self.queue.push_back(Step::Activate {
                    element,
                    scope,
                    flow: None,
                    payload,
                });
            }
        }
    }

    // ------------------------------------------------------ errors, escalations

    fn find_catcher(
        &self,
        from: u64,
        matches: impl Fn(&EventTrigger) -> Option<bool>,
    ) -> Option<(Catcher, bool)> {
        // `matches` returns Some(exact) for a catching trigger.
        let best = |candidates: &mut dyn Iterator<Item = (usize, &EventTrigger)>| -> Option<usize> {
            let mut catch_all = None;
            for (index, trigger) in candidates {
                match matches(trigger) {
                    Some(true) => return Some(index),
                    Some(false) if catch_all.is_none() => catch_all = Some(index),
                    _ => {}
                }
            }
            catch_all
        };
        let event_subprocess_start = |scope_subprocesses: &[usize]| -> Option<(usize, bool)> {
            let found = best(&mut scope_subprocesses.iter().filter_map(|index| {
                let start = self.element(*index).start?;
                Some((*index, &self.element(start).trigger))
            }))?;
            let interrupting = self
                .element(found)
                .start
                .is_none_or(|start| self.element(start).interrupting);
            Some((found, interrupting))
        };
        let mut current = from;
        loop {
            if current == self.state.key {
                let (element, interrupting) =
                    event_subprocess_start(&self.process.root_event_subprocesses)?;
                return Some((
                    Catcher::EventSubProcess {
                        scope: current,
                        element,
                    },
                    interrupting,
                ));
            }
            let instance = self.instance(current)?;
            let definition = self.element(instance.element);
            if instance.loop_counter.is_none() {
                if let Some(boundary) = best(
                    &mut definition
                        .boundaries
                        .iter()
                        .map(|index| (*index, &self.element(*index).trigger)),
                ) {
                    return Some((
                        Catcher::Boundary {
                            owner: current,
                            element: boundary,
                        },
                        self.element(boundary).interrupting,
                    ));
                }
            }
            if definition.kind == ElementKind::SubProcess
                && !definition.event_subprocesses.is_empty()
            {
                if let Some((element, interrupting)) =
                    event_subprocess_start(&definition.event_subprocesses)
                {
                    return Some((
                        Catcher::EventSubProcess {
                            scope: current,
                            element,
                        },
                        interrupting,
                    ));
                }
            }
            current = instance.scope;
        }
    }

    fn find_error_catcher(&self, from: u64, code: &str) -> Option<Catcher> {
        self.find_catcher(from, |trigger| match trigger {
            EventTrigger::Error { code: None } => Some(false),
            EventTrigger::Error { code: Some(caught) } if caught == code => Some(true),
            _ => None,
        })
        .map(|(catcher, _)| catcher)
    }

    fn find_escalation_catcher(&self, from: u64, code: &str) -> Option<(Catcher, bool)> {
        // The throwing event has no boundary events; start at its scope.
        let scope = self
            .instance(from)
            .map_or(self.state.key, |instance| instance.scope);
        self.find_catcher(scope, |trigger| match trigger {
            EventTrigger::Escalation { code: None } => Some(false),
            EventTrigger::Escalation { code: Some(caught) } if caught == code => Some(true),
            _ => None,
        })
    }

    fn unhandled_error(
        &mut self,
        key: u64,
        job_key: Option<u64>,
        code: String,
        message: String,
        variables: Variables,
    ) {
        if let Some(parent) = self.state.parent {
            self.effects.push(Effect::ErrorThrownToParent {
                parent,
                code: code.clone(),
                message: message.clone(),
                variables,
            });
        }
        let text = if message.is_empty() {
            format!(
                "error \"{code}\" was thrown but no boundary event or event sub-process catches it"
            )
        } else {
            format!("error \"{code}\" ({message}) was thrown but no boundary event or event sub-process catches it")
        };
        self.raise_incident(key, job_key, IncidentKind::UnhandledError, text);
    }

    // ----------------------------------------------------------- termination

    fn terminate_children(&mut self, scope: u64) {
        let children: Vec<u64> = self
            .state
            .element_instances
            .iter()
            .filter(|instance| instance.scope == scope)
            .map(|instance| instance.key)
            .collect();
        for child in children {
            self.terminate(child);
        }
        self.state.joins.retain(|join| join.scope != scope);
        self.queue
            .retain(|step| !matches!(step, Step::Activate { scope: s, .. } if *s == scope));
    }

    fn terminate(&mut self, key: u64) {
        let Some(instance) = self.instance(key) else {
            return;
        };
        let (element, phase) = (instance.element, instance.phase);
        self.terminate_children(key);
        self.close_subscriptions(key);
        let jobs: Vec<u64> = self
            .state
            .jobs
            .iter()
            .filter(|job| job.element_instance_key == key)
            .map(|job| job.key)
            .collect();
        for job in jobs {
            self.state.jobs.retain(|open| open.key != job);
            self.effects.push(Effect::JobCancelled { key: job });
        }
        let incidents: Vec<u64> = self
            .state
            .incidents
            .iter()
            .filter(|incident| incident.element_instance_key == key)
            .map(|incident| incident.key)
            .collect();
        for incident in incidents {
            self.state.incidents.retain(|open| open.key != incident);
            self.effects
                .push(Effect::IncidentResolved { key: incident });
        }
        if self.element(element).kind == ElementKind::CallActivity && phase == Phase::Active {
            self.effects.push(Effect::CallActivityTerminated {
                element_instance_key: key,
            });
        }
        if let Some(position) = self.position(key) {
            self.state.element_instances.remove(position);
        }
        self.queue
            .retain(|step| !matches!(step, Step::Complete { key: k } if *k == key));
        self.history(key, element, Intent::Terminated);
    }

    // ------------------------------------------------------------- incidents

    fn resolve_incidents_of_job(&mut self, job_key: u64) {
        let resolved: Vec<u64> = self
            .state
            .incidents
            .iter()
            .filter(|incident| incident.job_key == Some(job_key))
            .map(|incident| incident.key)
            .collect();
        for key in resolved {
            self.state.incidents.retain(|incident| incident.key != key);
            self.effects.push(Effect::IncidentResolved { key });
        }
    }

    fn resume_after_incident(&mut self, incident: Incident) {
        if let Some(job_key) = incident.job_key {
            if let Some(job) = self.state.jobs.iter_mut().find(|job| job.key == job_key) {
                job.retries = job.retries.max(1);
                let retries = job.retries;
                self.effects.push(Effect::JobActivatable {
                    key: job_key,
                    retries,
                    available_at: self.context.now,
                });
            }
            return;
        }
        let Some(instance) = self.instance(incident.element_instance_key) else {
            return;
        };
        match instance.phase {
            Phase::Activating => self.run_activation(incident.element_instance_key, None),
            Phase::Completing => self.queue.push_back(Step::Complete {
                key: incident.element_instance_key,
            }),
            Phase::Active => {}
        }
    }

    // ----------------------------------------------- joins and conditions

    /// Fires inclusive joins that no other token can reach any more.
    fn fire_inclusive_joins(&mut self) -> bool {
        for position in 0..self.state.joins.len() {
            let join = &self.state.joins[position];
            let definition = self.element(join.element);
            if definition.kind != ElementKind::InclusiveGateway {
                continue;
            }
            let (scope, gateway) = (join.scope, join.element);
            let reached = &definition.reached_from;
            let waiting = self.state.element_instances.iter().any(|instance| {
                instance.scope == scope && reached.get(instance.element).copied().unwrap_or(false)
            }) || self.state.joins.iter().any(|other| {
                other.scope == scope
                    && other.element != gateway
                    && reached.get(other.element).copied().unwrap_or(false)
            });
            if waiting {
                continue;
            }
            self.state.joins.swap_remove(position);
            let key = self.new_key();
            self.state.element_instances.push(ElementInstance {
                key,
                element: gateway,
                scope,
                phase: Phase::Activating,
                variables: Variables::new(),
                multi_instance: None,
                loop_counter: None,
                compensating: None,
            });
            self.history(key, gateway, Intent::Activated);
            self.run_activation(key, None);
            return true;
        }
        false
    }

    /// Triggers conditional subscriptions whose condition turned true.
    fn evaluate_conditions(&mut self) -> bool {
        for position in 0..self.state.subscriptions.len() {
            let subscription = &self.state.subscriptions[position];
            let SubscriptionKind::Conditional { condition, last } = &subscription.kind else {
                continue;
            };
            let now = matches!(
                self.evaluate_feel(condition, subscription.owner),
                Ok(Value::Bool(true))
            );
            let was = *last;
            if let SubscriptionKind::Conditional { last, .. } =
                &mut self.state.subscriptions[position].kind
            {
                *last = now;
            }
            if now && !was {
                self.trigger(position, Variables::new());
                return true;
            }
        }
        false
    }
}
