//! The scenario corpus format (feature `scenario`): one folder per
//! scenario with `model.bpmn` (plus optional `called*.bpmn` and other
//! `*.bpmn` files, deployed before `model.bpmn`), optional `*.dmn` decision
//! models and `scenario.json` with start variables, steps and
//! expectations. The in-memory [`Engine`](crate::Engine) runs the corpus in
//! `crates/engine/tests/scenarios.rs`, the durable runner of
//! `flowdesk-store` in `crates/store/tests/scenarios.rs`; both read the
//! folders with [`Scenario::load`] and check with [`Expect::check`] against
//! an [`Observed`] snapshot they take from their own state.
//!
//! `scenario.json` (all keys optional):
//!
//! ```json
//! {
//!   "description": "what it shows",
//!   "process": "process id to start (default: the first executable process of model.bpmn)",
//!   "decisions": { "decision id": "result (a decision double)" },
//!   "start": { "variables": {}, "element": "start event id" } | null,
//!   "steps": [
//!     { "completeJob": "job type", "variables": {} },
//!     { "completeJobTwice": "job type", "variables": {} },
//!     { "failJob": "job type", "retries": 0, "message": "...", "backoff": "PT10S" },
//!     { "throwError": "job type", "code": "E1", "variables": {} },
//!     { "completeUserTask": "element id", "variables": {} },
//!     { "publishMessage": "name", "correlationKey": "k", "variables": {}, "ttl": "PT1M" },
//!     { "broadcastSignal": "name", "variables": {} },
//!     { "evaluateConditions": { "variables for conditional start events": 1 } },
//!     { "advanceClock": "PT5M" },
//!     { "resolveIncident": true },
//!     { "setVariables": {} },
//!     { "cancel": true },
//!     { "startInstance": "another process id", "variables": {} },
//!     { "expect": { ... } }
//!   ],
//!   "expect": {
//!     "state": "completed|active|cancelled|terminated",
//!     "path": ["completed element ids of the main instance, in order"],
//!     "completed": ["ids that must have completed in any instance (any order)"],
//!     "notCompleted": ["ids that must not have completed"],
//!     "terminated": ["ids that must have been terminated"],
//!     "active": ["element ids with an active element instance"],
//!     "variables": { "subset of the main instance's root variables": 1 },
//!     "variablesAbsent": ["root variables the main instance must not have"],
//!     "incidents": 0,
//!     "openJobs": { "job type": 1 },
//!     "instances": { "process id": 2 }
//!   }
//! }
//! ```
//!
//! The clock starts at 0 (1970-01-01T00:00:00Z, a Thursday); models are
//! deployed then. The main instance is the one `start` starts; with
//! `"start": null` it is the first instance created by a step. Jobs,
//! user tasks and incidents a step names are the oldest open ones. A step
//! with `"expectError": true` must be refused (and change nothing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::execute::{DecisionError, DecisionEvaluator, DecisionSite};
use crate::expression::VariableScope;
use crate::state::Variables;
use crate::timer::IsoDuration;

/// A scenario folder could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ScenarioError {
    /// The file or folder.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// One scenario, read from its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The folder name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The process to start, when not the first one of `model.bpmn`.
    pub process: Option<String>,
    /// BPMN files as (file name, XML), in deployment order: the others
    /// sorted by name, then `model.bpmn`.
    pub models: Vec<(String, String)>,
    /// DMN documents, sorted by file name.
    pub decision_documents: Vec<String>,
    /// A decision double: results by decision id.
    pub decision_table: Option<Map<String, Value>>,
    /// How the main instance starts; `None` when no instance is started.
    pub start: Option<Start>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// What must hold at the end.
    pub expect: Option<Expect>,
}

/// How the main instance starts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Start {
    /// Start variables.
    pub variables: Variables,
    /// The start event, when not the none start event.
    pub element: Option<String>,
}

/// One step, with whether it must be refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What to do.
    pub action: Action,
    /// The step must fail.
    pub expect_error: bool,
    /// The step as written, for messages.
    pub text: String,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Completes the oldest open job of a type.
    CompleteJob {
        /// The job type.
        job_type: String,
        /// Result variables.
        variables: Variables,
    },
    /// Completes the oldest open job of a type twice: the repeat must be
    /// refused harmlessly.
    CompleteJobTwice {
        /// The job type.
        job_type: String,
        /// Result variables.
        variables: Variables,
    },
    /// Fails the oldest open job of a type.
    FailJob {
        /// The job type.
        job_type: String,
        /// Retries left.
        retries: i64,
        /// The failure message.
        message: String,
        /// Backoff in ms.
        backoff_ms: i64,
    },
    /// Throws a BPMN error from the oldest open job of a type.
    ThrowError {
        /// The job type.
        job_type: String,
        /// The error code.
        code: String,
        /// Variables.
        variables: Variables,
    },
    /// Completes the oldest open user task of an element.
    CompleteUserTask {
        /// The user task element id.
        element_id: String,
        /// Result variables.
        variables: Variables,
    },
    /// Publishes a message.
    PublishMessage {
        /// The message name.
        name: String,
        /// The correlation key.
        correlation_key: String,
        /// Message variables.
        variables: Variables,
        /// Time to live in ms (0: correlate now or never).
        ttl_ms: i64,
    },
    /// Broadcasts a signal.
    BroadcastSignal {
        /// The signal name.
        name: String,
        /// Signal variables.
        variables: Variables,
    },
    /// Starts instances at conditional start events whose condition holds
    /// for these variables.
    EvaluateConditions(Variables),
    /// Moves the clock forward by ms, firing due timers in due order.
    AdvanceClock(i64),
    /// Resolves the oldest open incident.
    ResolveIncident,
    /// Sets variables at the process level of the main instance.
    SetVariables(Variables),
    /// Cancels the main instance.
    Cancel,
    /// Starts an instance of another process.
    StartInstance {
        /// The process id.
        process_id: String,
        /// Start variables.
        variables: Variables,
    },
    /// Checks expectations mid-way.
    Expect(Expect),
}

/// Expectations; every field set must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expect {
    /// The main instance's status (`completed`, `active`, ...).
    pub state: Option<String>,
    /// Completed element ids of the main instance, in order.
    pub path: Option<Vec<String>>,
    /// Element ids that must have completed in some instance.
    pub completed: Vec<String>,
    /// Element ids that must not have completed in any instance.
    pub not_completed: Vec<String>,
    /// Element ids that must have been terminated in some instance.
    pub terminated: Vec<String>,
    /// Element ids with an active element instance in some instance.
    pub active: Vec<String>,
    /// A subset of the main instance's root variables.
    pub variables: Option<Variables>,
    /// Root variables the main instance must not have.
    pub variables_absent: Vec<String>,
    /// Open incidents of all instances.
    pub incidents: Option<u64>,
    /// Open jobs (activated or not, user tasks included) by job type.
    pub open_jobs: BTreeMap<String, u64>,
    /// Instances (any status) by process id.
    pub instances: BTreeMap<String, u64>,
}

/// What a runner observed, to check an [`Expect`] against.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    /// The main instance's status name, if there is a main instance.
    pub state: Option<String>,
    /// Completed element ids of the main instance, in order.
    pub path: Vec<String>,
    /// Completed element ids of all instances.
    pub completed: Vec<String>,
    /// Terminated element ids of all instances.
    pub terminated: Vec<String>,
    /// Element ids of active element instances of all instances.
    pub active: Vec<String>,
    /// The main instance's root variables.
    pub variables: Option<Variables>,
    /// Open incidents of all instances, described.
    pub incidents: Vec<String>,
    /// Open jobs by job type.
    pub open_jobs: BTreeMap<String, u64>,
    /// Instances by process id.
    pub instances: BTreeMap<String, u64>,
}

fn error(path: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        path: path.display().to_string(),
        message: message.into(),
    }
}

fn read(path: &Path) -> Result<String, ScenarioError> {
    std::fs::read_to_string(path).map_err(|e| error(path, e.to_string()))
}

fn files_with_extension(folder: &Path, extension: &str) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| error(folder, e.to_string()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    Ok(files)
}

fn object(value: Option<&Value>) -> Variables {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn counts(value: Option<&Value>) -> BTreeMap<String, u64> {
    object(value)
        .into_iter()
        .map(|(name, count)| (name, count.as_u64().unwrap_or(u64::MAX)))
        .collect()
}

/// Milliseconds of an ISO 8601 duration.
pub fn duration_ms(text: &str) -> Result<i64, String> {
    let duration = IsoDuration::parse(text).map_err(|error| error.to_string())?;
    Ok(duration.after(0))
}

/// Every scenario folder under `root`, sorted by name.
pub fn folders(root: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| error(root, e.to_string()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.join("scenario.json").is_file())
        .collect();
    folders.sort();
    Ok(folders)
}

impl Scenario {
    /// Reads a scenario folder.
    pub fn load(folder: &Path) -> Result<Scenario, ScenarioError> {
        let name = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let json_path = folder.join("scenario.json");
        let json: Value = serde_json::from_str(&read(&json_path)?)
            .map_err(|e| error(&json_path, e.to_string()))?;
        let mut model_files = files_with_extension(folder, "bpmn")?;
        if !model_files.iter().any(|path| path.ends_with("model.bpmn")) {
            return Err(error(folder, "has no model.bpmn"));
        }
        model_files.sort_by_key(|path| path.ends_with("model.bpmn"));
        let models = model_files
            .iter()
            .map(|path| {
                let file = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                read(path).map(|xml| (file, xml))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let decision_documents = files_with_extension(folder, "dmn")?
            .iter()
            .map(|path| read(path))
            .collect::<Result<Vec<_>, _>>()?;
        let start = match json.get("start") {
            Some(Value::Null) => None,
            start => Some(Start {
                variables: object(start.and_then(|start| start.get("variables"))),
                element: start
                    .and_then(|start| start.get("element"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }),
        };
        let steps = json
            .get("steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, step)| {
                Step::parse(step)
                    .map_err(|message| error(&json_path, format!("step {}: {message}", index + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario {
            name,
            description: json
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            process: json
                .get("process")
                .and_then(Value::as_str)
                .map(str::to_owned),
            models,
            decision_documents,
            decision_table: json.get("decisions").and_then(Value::as_object).cloned(),
            start,
            steps,
            expect: json.get("expect").map(Expect::parse),
        })
    }
}

impl Step {
    fn parse(step: &Value) -> Result<Step, String> {
        let object = step.as_object().ok_or("a step must be an object")?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let variables = || self::object(object.get("variables"));
        let action = if let Some(job_type) = text("completeJob") {
            Action::CompleteJob {
                job_type,
                variables: variables(),
            }
        } else if let Some(job_type) = text("completeJobTwice") {
            Action::CompleteJobTwice {
                job_type,
                variables: variables(),
            }
        } else if let Some(job_type) = text("failJob") {
            Action::FailJob {
                job_type,
                retries: object.get("retries").and_then(Value::as_i64).unwrap_or(0),
                message: text("message").unwrap_or_else(|| "failed".into()),
                backoff_ms: text("backoff")
                    .map(|backoff| duration_ms(&backoff))
                    .transpose()?
                    .unwrap_or(0),
            }
        } else if let Some(job_type) = text("throwError") {
            Action::ThrowError {
                job_type,
                code: text("code").unwrap_or_default(),
                variables: variables(),
            }
        } else if let Some(element_id) = text("completeUserTask") {
            Action::CompleteUserTask {
                element_id,
                variables: variables(),
            }
        } else if let Some(name) = text("publishMessage") {
            Action::PublishMessage {
                name,
                correlation_key: text("correlationKey").unwrap_or_default(),
                variables: variables(),
                ttl_ms: text("ttl")
                    .map(|ttl| duration_ms(&ttl))
                    .transpose()?
                    .unwrap_or(0),
            }
        } else if let Some(name) = text("broadcastSignal") {
            Action::BroadcastSignal {
                name,
                variables: variables(),
            }
        } else if let Some(values) = object.get("evaluateConditions") {
            Action::EvaluateConditions(self::object(Some(values)))
        } else if let Some(duration) = text("advanceClock") {
            Action::AdvanceClock(duration_ms(&duration)?)
        } else if object.contains_key("resolveIncident") {
            Action::ResolveIncident
        } else if let Some(values) = object.get("setVariables") {
            Action::SetVariables(self::object(Some(values)))
        } else if let Some(process_id) = text("startInstance") {
            Action::StartInstance {
                process_id,
                variables: variables(),
            }
        } else if object.contains_key("cancel") {
            Action::Cancel
        } else if let Some(expect) = object.get("expect") {
            Action::Expect(Expect::parse(expect))
        } else {
            return Err(format!("unknown step {step}"));
        };
        Ok(Step {
            action,
            expect_error: object
                .get("expectError")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            text: step.to_string(),
        })
    }

    /// Whether the step's outcome is the expected one: `Ok` unless it must
    /// be refused; the error explains the mismatch.
    pub fn judge(&self, outcome: Result<(), String>) -> Result<(), String> {
        match (outcome, self.expect_error) {
            (Ok(()), false) | (Err(_), true) => Ok(()),
            (Ok(()), true) => Err(format!("step {} should have been refused", self.text)),
            (Err(error), false) => Err(format!("step {} failed: {error}", self.text)),
        }
    }
}

impl Expect {
    fn parse(expect: &Value) -> Expect {
        Expect {
            state: expect
                .get("state")
                .and_then(Value::as_str)
                .map(str::to_owned),
            path: expect.get("path").map(|path| strings(Some(path))),
            completed: strings(expect.get("completed")),
            not_completed: strings(expect.get("notCompleted")),
            terminated: strings(expect.get("terminated")),
            active: strings(expect.get("active")),
            variables: expect.get("variables").map(|value| object(Some(value))),
            variables_absent: strings(expect.get("variablesAbsent")),
            incidents: expect.get("incidents").and_then(Value::as_u64),
            open_jobs: counts(expect.get("openJobs")),
            instances: counts(expect.get("instances")),
        }
    }

    /// Checks the expectations against what a runner observed; the error
    /// names the first that does not hold and what was seen.
    pub fn check(&self, observed: &Observed) -> Result<(), String> {
        let path = &observed.path;
        if let Some(expected) = &self.state {
            if observed.state.as_deref() != Some(expected.as_str()) {
                return Err(format!(
                    "state: expected {expected}, got {:?} (path {path:?})",
                    observed.state
                ));
            }
        }
        if let Some(wanted) = &self.path {
            if path != wanted {
                return Err(format!("path: expected {wanted:?}, got {path:?}"));
            }
        }
        let completed = &observed.completed;
        if let Some(id) = self.completed.iter().find(|id| !completed.contains(id)) {
            return Err(format!(
                "\"{id}\" did not complete; completed: {completed:?}"
            ));
        }
        if let Some(id) = self.not_completed.iter().find(|id| completed.contains(id)) {
            return Err(format!(
                "\"{id}\" completed but should not have; completed: {completed:?}"
            ));
        }
        let terminated = &observed.terminated;
        if let Some(id) = self.terminated.iter().find(|id| !terminated.contains(id)) {
            return Err(format!(
                "\"{id}\" was not terminated; terminated: {terminated:?}"
            ));
        }
        if let Some(id) = self.active.iter().find(|id| !observed.active.contains(id)) {
            return Err(format!(
                "\"{id}\" is not active; active: {:?}",
                observed.active
            ));
        }
        if let Some(wanted) = &self.variables {
            let actual = observed.variables.as_ref().ok_or("no main instance")?;
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
        if !self.variables_absent.is_empty() {
            let actual = observed.variables.as_ref().ok_or("no main instance")?;
            if let Some(name) = self
                .variables_absent
                .iter()
                .find(|name| actual.contains_key(*name))
            {
                return Err(format!(
                    "variable {name} should not be set (all: {})",
                    Value::Object(actual.clone())
                ));
            }
        }
        if let Some(count) = self.incidents {
            if observed.incidents.len() as u64 != count {
                return Err(format!(
                    "incidents: expected {count}, got {:?}",
                    observed.incidents
                ));
            }
        }
        for (job_type, count) in &self.open_jobs {
            let open = observed.open_jobs.get(job_type).copied().unwrap_or(0);
            if open != *count {
                return Err(format!(
                    "open jobs of {job_type}: expected {count}, got {open}"
                ));
            }
        }
        for (process_id, count) in &self.instances {
            let found = observed.instances.get(process_id).copied().unwrap_or(0);
            if found != *count {
                return Err(format!(
                    "instances of {process_id}: expected {count}, got {found}"
                ));
            }
        }
        Ok(())
    }
}

/// A decision double: returns the configured result for each decision id
/// (the `decisions` object of `scenario.json`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableDecisions(pub Map<String, Value>);

impl DecisionEvaluator for TableDecisions {
    fn evaluate_decision(
        &self,
        decision_id: &str,
        _scope: &dyn VariableScope,
        _site: &DecisionSite<'_>,
    ) -> Result<Value, DecisionError> {
        self.0
            .get(decision_id)
            .cloned()
            .ok_or_else(|| DecisionError {
                decision_id: decision_id.to_owned(),
                message: "unknown decision".into(),
            })
    }
}
