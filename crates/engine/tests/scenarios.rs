//! Runs every scenario folder under `tests/scenarios/` on the in-memory
//! [`Engine`], one test per folder. The format is documented in
//! [`flowdesk_engine::scenario`]; `crates/store/tests/scenarios.rs` runs the
//! same folders durably.

use std::path::Path;

use flowdesk_engine::scenario::{Action, Observed, Scenario, TableDecisions};
use flowdesk_engine::{DmnDecisions, Engine, EngineError, Intent};

struct Run {
    engine: Engine,
    main: Option<u64>,
}

impl Run {
    fn first_job(&self, job_type: &str) -> Result<u64, String> {
        self.engine
            .open_jobs(job_type)
            .first()
            .copied()
            .ok_or_else(|| format!("no open job of type \"{job_type}\""))
    }

    fn act(&mut self, action: &Action) -> Result<(), String> {
        let text = |error: EngineError| error.to_string();
        match action {
            Action::CompleteJob {
                job_type,
                variables,
            } => {
                let job = self.first_job(job_type)?;
                self.engine
                    .complete_job(job, variables.clone())
                    .map_err(text)
            }
            Action::CompleteJobTwice {
                job_type,
                variables,
            } => {
                let job = self.first_job(job_type)?;
                self.engine
                    .complete_job(job, variables.clone())
                    .map_err(text)?;
                match self.engine.complete_job(job, variables.clone()) {
                    Err(EngineError::JobNotFound { .. }) => Ok(()),
                    other => Err(format!(
                        "second completion should be refused harmlessly, got {other:?}"
                    )),
                }
            }
            Action::FailJob {
                job_type,
                retries,
                message,
                backoff_ms,
            } => {
                let job = self.first_job(job_type)?;
                self.engine
                    .fail_job(job, *retries, message, *backoff_ms)
                    .map_err(text)
            }
            Action::ThrowError {
                job_type,
                code,
                variables,
            } => {
                let job = self.first_job(job_type)?;
                self.engine
                    .throw_error(job, code, "thrown by the scenario", variables.clone())
                    .map_err(text)
            }
            Action::CompleteUserTask {
                element_id,
                variables,
            } => {
                let task = self
                    .engine
                    .open_user_tasks(element_id)
                    .first()
                    .copied()
                    .ok_or_else(|| format!("no open user task \"{element_id}\""))?;
                self.engine
                    .complete_user_task(task, variables.clone())
                    .map_err(text)
            }
            Action::PublishMessage {
                name,
                correlation_key,
                variables,
                ttl_ms,
            } => {
                self.engine
                    .publish_message(name, correlation_key, variables.clone(), *ttl_ms);
                Ok(())
            }
            Action::BroadcastSignal { name, variables } => {
                self.engine.broadcast_signal(name, variables.clone());
                Ok(())
            }
            Action::EvaluateConditions(variables) => {
                self.engine.evaluate_start_conditions(variables.clone());
                Ok(())
            }
            Action::AdvanceClock(millis) => {
                self.engine.advance_clock(*millis);
                Ok(())
            }
            Action::ResolveIncident => {
                let incident = self
                    .engine
                    .incidents()
                    .first()
                    .map(|incident| incident.key)
                    .ok_or("no open incident")?;
                self.engine.resolve_incident(incident).map_err(text)
            }
            Action::SetVariables(values) => {
                let main = self.main_instance().ok_or("no main instance")?;
                self.engine
                    .set_variables(main, values.clone())
                    .map_err(text)
            }
            Action::StartInstance {
                process_id,
                variables,
            } => self
                .engine
                .start_instance(process_id, variables.clone())
                .map(|_| ())
                .map_err(text),
            Action::Cancel => {
                let main = self.main_instance().ok_or("no main instance")?;
                self.engine.cancel_instance(main).map_err(text)
            }
            Action::Expect(expect) => expect.check(&self.observe()),
        }
    }

    fn main_instance(&self) -> Option<u64> {
        self.main
            .or_else(|| self.engine.instances().next().map(|state| state.key))
    }

    fn with_intent(&self, intent: Intent, instance: Option<u64>) -> Vec<String> {
        self.engine
            .history()
            .iter()
            .filter(|record| record.intent == intent)
            .filter(|record| instance.is_none_or(|key| key == record.instance_key))
            .map(|record| record.element_id.to_string())
            .collect()
    }

    fn observe(&self) -> Observed {
        let main = self.main_instance();
        let state = main.and_then(|key| self.engine.instance(key));
        let mut instances = std::collections::BTreeMap::new();
        let mut active = Vec::new();
        for instance in self.engine.instances() {
            *instances.entry(instance.process_id.clone()).or_insert(0) += 1;
            if let Some(process) = self.engine.instance_process(instance.key) {
                active.extend(
                    instance
                        .element_instances
                        .iter()
                        .filter_map(|element| process.element_id(element.element))
                        .map(str::to_owned),
                );
            }
        }
        Observed {
            state: state.map(|state| state.status.to_string()),
            path: match main {
                Some(key) => self.with_intent(Intent::Completed, Some(key)),
                None => Vec::new(),
            },
            completed: self.with_intent(Intent::Completed, None),
            terminated: self.with_intent(Intent::Terminated, None),
            active,
            variables: state.map(|state| state.variables.clone()),
            incidents: self
                .engine
                .incidents()
                .iter()
                .map(|incident| format!("{incident:?}"))
                .collect(),
            open_jobs: self.engine.open_jobs_by_type(),
            instances,
        }
    }
}

fn run(folder: &str) -> Result<(), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(folder);
    let scenario = Scenario::load(&path).map_err(|error| error.to_string())?;
    let mut engine = Engine::new();
    if let Some(table) = &scenario.decision_table {
        engine = engine.with_decisions(Box::new(TableDecisions(table.clone())));
    }
    if !scenario.decision_documents.is_empty() {
        let decisions =
            DmnDecisions::from_xml(scenario.decision_documents.iter().map(String::as_str))
                .map_err(|problems| format!("DMN: {problems}"))?;
        engine = engine.with_decisions(Box::new(decisions));
    }
    let mut first_process = None;
    for (file, xml) in &scenario.models {
        let ids = engine
            .deploy_xml(xml)
            .map_err(|error| format!("{file}: {error}"))?;
        if file == "model.bpmn" {
            first_process = ids.first().cloned();
        }
    }
    let process = scenario
        .process
        .clone()
        .or(first_process)
        .ok_or("model.bpmn has no executable process")?;
    let mut run = Run { engine, main: None };
    if let Some(start) = &scenario.start {
        let variables = start.variables.clone();
        let key = match &start.element {
            Some(element) => run.engine.start_instance_at(&process, element, variables),
            None => run.engine.start_instance(&process, variables),
        }
        .map_err(|error| format!("start: {error}"))?;
        run.main = Some(key);
    }
    for (index, step) in scenario.steps.iter().enumerate() {
        step.judge(run.act(&step.action))
            .map_err(|error| format!("step {}: {error}", index + 1))?;
    }
    if let Some(expect) = &scenario.expect {
        expect.check(&run.observe())?;
    }
    Ok(())
}

macro_rules! scenario_test {
    ($name:ident, $folder:literal) => {
        #[test]
        fn $name() {
            if let Err(error) = run($folder) {
                panic!("scenario {}: {error}", $folder);
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/scenario_tests.rs"));
