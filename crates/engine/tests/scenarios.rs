//! Runs every scenario folder under `tests/scenarios/` on the in-memory
//! [`Engine`]: `model.bpmn` (plus optional `called*.bpmn`), optional
//! `*.dmn` decision models (evaluated through [`DmnDecisions`]) and
//! `scenario.json` with start variables, steps and expectations.
//!
//! Scenario format (all keys optional unless noted):
//!
//! ```json
//! {
//!   "description": "what it shows",
//!   "process": "process id (default: the first executable process)",
//!   "start": { "variables": {}, "element": "start event id" } | null,
//!   "steps": [
//!     { "completeJob": "job type", "variables": {} },
//!     { "failJob": "job type", "retries": 0, "message": "...", "backoff": "PT10S" },
//!     { "throwError": "job type", "code": "E1", "variables": {} },
//!     { "completeUserTask": "element id", "variables": {} },
//!     { "publishMessage": "name", "correlationKey": "k", "variables": {}, "ttl": "PT1M" },
//!     { "broadcastSignal": "name", "variables": {} },
//!     { "advanceClock": "PT5M" },
//!     { "resolveIncident": true },
//!     { "setVariables": {} },
//!     { "cancel": true },
//!     { "startInstance": "another process id", "variables": {} },
//!     { "expect": { ... } }
//!   ],
//!   "expect": {
//!     "state": "completed|active|cancelled",
//!     "path": ["completed element ids of the main instance, in order"],
//!     "completed": ["ids that must have completed (any order)"],
//!     "notCompleted": ["ids that must not have completed"],
//!     "terminated": ["ids that must have been terminated"],
//!     "active": ["element ids with an active element instance"],
//!     "variables": { "subset of the root variables": 1 },
//!     "incidents": 0,
//!     "openJobs": { "job type": 1 },
//!     "instances": { "process id": 2 }
//!   }
//! }
//! ```
//!
//! Each step may carry `"expectError": true` when the engine must refuse it.

use std::path::{Path, PathBuf};

use flowdesk_engine::{DmnDecisions, Engine, InstanceStatus, Intent, IsoDuration};
use serde_json::{Map, Value};

fn variables(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn duration_ms(text: &str) -> Result<i64, String> {
    let duration = IsoDuration::parse(text).map_err(|error| error.to_string())?;
    Ok(duration.after(0))
}

struct Run {
    engine: Engine,
    main: Option<u64>,
    name: String,
}

impl Run {
    fn first_job(&self, job_type: &str) -> Result<u64, String> {
        self.engine
            .open_jobs(job_type)
            .first()
            .copied()
            .ok_or_else(|| format!("no open job of type \"{job_type}\""))
    }

    fn step(&mut self, step: &Value) -> Result<(), String> {
        let object = step.as_object().ok_or("a step must be an object")?;
        let expect_error = object
            .get("expectError")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let vars = variables(object.get("variables"));
        let result: Result<(), String> =
            if let Some(job_type) = object.get("completeJob").and_then(Value::as_str) {
                let job = self.first_job(job_type)?;
                self.engine
                    .complete_job(job, vars)
                    .map_err(|error| error.to_string())
            } else if let Some(job_type) = object.get("completeJobTwice").and_then(Value::as_str) {
                let job = self.first_job(job_type)?;
                self.engine
                    .complete_job(job, vars.clone())
                    .map_err(|error| error.to_string())?;
                match self.engine.complete_job(job, vars) {
                    Err(flowdesk_engine::EngineError::JobNotFound { .. }) => Ok(()),
                    other => Err(format!(
                        "second completion should be refused harmlessly, got {other:?}"
                    )),
                }
            } else if let Some(job_type) = object.get("failJob").and_then(Value::as_str) {
                let job = self.first_job(job_type)?;
                let retries = object.get("retries").and_then(Value::as_i64).unwrap_or(0);
                let message = object
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("failed");
                let backoff = match object.get("backoff").and_then(Value::as_str) {
                    Some(text) => duration_ms(text)?,
                    None => 0,
                };
                self.engine
                    .fail_job(job, retries, message, backoff)
                    .map_err(|error| error.to_string())
            } else if let Some(job_type) = object.get("throwError").and_then(Value::as_str) {
                let job = self.first_job(job_type)?;
                let code = object
                    .get("code")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.engine
                    .throw_error(job, code, "thrown by the scenario", vars)
                    .map_err(|error| error.to_string())
            } else if let Some(element) = object.get("completeUserTask").and_then(Value::as_str) {
                let task = self
                    .engine
                    .open_user_tasks(element)
                    .first()
                    .copied()
                    .ok_or_else(|| format!("no open user task \"{element}\""))?;
                self.engine
                    .complete_user_task(task, vars)
                    .map_err(|error| error.to_string())
            } else if let Some(name) = object.get("publishMessage").and_then(Value::as_str) {
                let key = object
                    .get("correlationKey")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let ttl = match object.get("ttl").and_then(Value::as_str) {
                    Some(text) => duration_ms(text)?,
                    None => 0,
                };
                self.engine.publish_message(name, key, vars, ttl);
                Ok(())
            } else if let Some(name) = object.get("broadcastSignal").and_then(Value::as_str) {
                self.engine.broadcast_signal(name, vars);
                Ok(())
            } else if let Some(text) = object.get("advanceClock").and_then(Value::as_str) {
                let millis = duration_ms(text)?;
                self.engine.advance_clock(millis);
                Ok(())
            } else if object.contains_key("resolveIncident") {
                let incident = self
                    .engine
                    .incidents()
                    .first()
                    .map(|incident| incident.key)
                    .ok_or("no open incident")?;
                self.engine
                    .resolve_incident(incident)
                    .map_err(|error| error.to_string())
            } else if let Some(values) = object.get("setVariables") {
                let main = self.main.ok_or("no main instance")?;
                self.engine
                    .set_variables(main, variables(Some(values)))
                    .map_err(|error| error.to_string())
            } else if let Some(process) = object.get("startInstance").and_then(Value::as_str) {
                self.engine
                    .start_instance(process, vars)
                    .map(|_| ())
                    .map_err(|error| error.to_string())
            } else if object.contains_key("cancel") {
                let main = self.main.ok_or("no main instance")?;
                self.engine
                    .cancel_instance(main)
                    .map_err(|error| error.to_string())
            } else if let Some(expectation) = object.get("expect") {
                return self.check(expectation);
            } else {
                return Err(format!("unknown step {step}"));
            };
        match (result, expect_error) {
            (Ok(()), false) | (Err(_), true) => Ok(()),
            (Ok(()), true) => Err(format!("step {step} should have been refused")),
            (Err(error), false) => Err(format!("step {step} failed: {error}")),
        }
    }

    fn main_instance(&self) -> Option<u64> {
        self.main
            .or_else(|| self.engine.instances().next().map(|state| state.key))
    }

    fn completed_path(&self) -> Vec<String> {
        let main = self.main_instance();
        self.engine
            .history()
            .iter()
            .filter(|record| {
                Some(record.instance_key) == main && record.intent == Intent::Completed
            })
            .map(|record| record.element_id.to_string())
            .collect()
    }

    fn with_intent(&self, intent: Intent) -> Vec<String> {
        self.engine
            .history()
            .iter()
            .filter(|record| record.intent == intent)
            .map(|record| record.element_id.to_string())
            .collect()
    }

    fn check(&self, expect: &Value) -> Result<(), String> {
        let main = self.main_instance();
        let state = main.and_then(|key| self.engine.instance(key));
        let path = self.completed_path();
        let strings = |key: &str| -> Vec<String> {
            expect
                .get(key)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(expected) = expect.get("state").and_then(Value::as_str) {
            let status = state.map(|state| state.status);
            let wanted = match expected {
                "completed" => InstanceStatus::Completed,
                "active" => InstanceStatus::Active,
                "cancelled" => InstanceStatus::Cancelled,
                "terminated" => InstanceStatus::Terminated,
                other => return Err(format!("unknown state {other}")),
            };
            if status != Some(wanted) {
                return Err(format!(
                    "state: expected {expected}, got {status:?} (path {path:?})"
                ));
            }
        }
        if expect.get("path").is_some() {
            let wanted = strings("path");
            if path != wanted {
                return Err(format!("path: expected {wanted:?}, got {path:?}"));
            }
        }
        let all_completed = self.with_intent(Intent::Completed);
        for id in strings("completed") {
            if !all_completed.contains(&id) {
                return Err(format!(
                    "\"{id}\" did not complete; completed: {all_completed:?}"
                ));
            }
        }
        for id in strings("notCompleted") {
            if all_completed.contains(&id) {
                return Err(format!(
                    "\"{id}\" completed but should not have; completed: {all_completed:?}"
                ));
            }
        }
        let terminated = self.with_intent(Intent::Terminated);
        for id in strings("terminated") {
            if !terminated.contains(&id) {
                return Err(format!(
                    "\"{id}\" was not terminated; terminated: {terminated:?}"
                ));
            }
        }
        for id in strings("active") {
            let process = state.and_then(|state| self.engine.process(&state.process_id));
            let active = self.engine.instances().any(|instance| {
                instance.element_instances.iter().any(|element| {
                    self.engine
                        .process(&instance.process_id)
                        .or(process)
                        .and_then(|process| process.element_id(element.element))
                        == Some(id.as_str())
                })
            });
            if !active {
                return Err(format!("\"{id}\" is not active"));
            }
        }
        if let Some(Value::Object(wanted)) = expect.get("variables") {
            let actual = state
                .map(|state| &state.variables)
                .ok_or("no main instance")?;
            for (name, value) in wanted {
                if actual.get(name) != Some(value) {
                    return Err(format!(
                        "variable {name}: expected {value}, got {:?} (all: {})",
                        actual.get(name),
                        Value::Object(actual.clone())
                    ));
                }
            }
        }
        if let Some(count) = expect.get("incidents").and_then(Value::as_u64) {
            let incidents = self.engine.incidents();
            if incidents.len() as u64 != count {
                return Err(format!("incidents: expected {count}, got {incidents:?}"));
            }
        }
        if let Some(Value::Object(jobs)) = expect.get("openJobs") {
            for (job_type, count) in jobs {
                let open = self.engine.open_jobs(job_type).len() as u64;
                if Some(open) != count.as_u64() {
                    return Err(format!(
                        "open jobs of {job_type}: expected {count}, got {open}"
                    ));
                }
            }
        }
        if let Some(Value::Object(counts)) = expect.get("instances") {
            for (process_id, count) in counts {
                let found = self
                    .engine
                    .instances()
                    .filter(|state| &state.process_id == process_id)
                    .count() as u64;
                if Some(found) != count.as_u64() {
                    return Err(format!(
                        "instances of {process_id}: expected {count}, got {found}"
                    ));
                }
            }
        }
        Ok(())
    }
}

fn run_scenario(folder: &Path) -> Result<(), String> {
    let name = folder
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = |path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))
    };
    let scenario: Value = serde_json::from_str(&read(folder.join("scenario.json"))?)
        .map_err(|error| format!("scenario.json: {error}"))?;
    let mut engine = Engine::new();
    if let Some(decisions) = scenario.get("decisions").and_then(Value::as_object) {
        engine = engine.with_decisions(Box::new(TableDecisions(decisions.clone())));
    }
    let mut decision_files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|error| error.to_string())?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "dmn"))
        .collect();
    if !decision_files.is_empty() {
        decision_files.sort();
        let documents = decision_files
            .into_iter()
            .map(read)
            .collect::<Result<Vec<_>, _>>()?;
        let decisions = DmnDecisions::from_xml(documents.iter().map(String::as_str))
            .map_err(|problems| format!("DMN: {problems}"))?;
        engine = engine.with_decisions(Box::new(decisions));
    }
    let mut models: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|error| error.to_string())?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "bpmn")
        })
        .collect();
    models.sort();
    let mut first_process = None;
    // Deploy model.bpmn last-but-first: called processes first, then the main model.
    models.sort_by_key(|path| path.file_name().is_some_and(|name| name == "model.bpmn"));
    for model in &models {
        let ids = engine
            .deploy_xml(&read(model.clone())?)
            .map_err(|error| format!("{}: {error}", model.display()))?;
        if model.file_name().is_some_and(|name| name == "model.bpmn") {
            first_process = ids.first().cloned();
        }
    }
    let process = scenario
        .get("process")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or(first_process)
        .ok_or("model.bpmn has no executable process")?;
    let mut run = Run {
        engine,
        main: None,
        name,
    };
    match scenario.get("start") {
        Some(Value::Null) => {}
        start => {
            let vars = variables(start.and_then(|start| start.get("variables")));
            let key = match start
                .and_then(|start| start.get("element"))
                .and_then(Value::as_str)
            {
                Some(element) => run.engine.start_instance_at(&process, element, vars),
                None => run.engine.start_instance(&process, vars),
            }
            .map_err(|error| format!("start: {error}"))?;
            run.main = Some(key);
        }
    }
    for (index, step) in scenario
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        run.step(step)
            .map_err(|error| format!("step {}: {error}", index + 1))?;
    }
    if let Some(expect) = scenario.get("expect") {
        run.check(expect)
            .map_err(|error| format!("{}: {error}", run.name))?;
    }
    Ok(())
}

/// A decision double: returns the configured result for each decision id.
struct TableDecisions(Map<String, Value>);

impl flowdesk_engine::DecisionEvaluator for TableDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        _scope: &dyn flowdesk_engine::VariableScope,
    ) -> Result<Value, flowdesk_engine::DecisionError> {
        self.0
            .get(decision_id)
            .cloned()
            .ok_or_else(|| flowdesk_engine::DecisionError {
                decision_id: decision_id.to_owned(),
                message: "unknown decision".into(),
            })
    }
}

#[test]
fn every_scenario_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/scenarios exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let only = std::env::var("SCENARIO").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for folder in &folders {
        let name = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        if only
            .as_ref()
            .is_some_and(|only| !name.contains(only.as_str()))
        {
            continue;
        }
        ran += 1;
        if let Err(error) = run_scenario(folder) {
            failures.push(format!("{name}: {error}"));
        }
    }
    assert!(ran > 0, "no scenarios found in {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {ran} scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{ran} scenarios passed");
}
