//! Runs every scenario folder of the engine's corpus
//! (`crates/engine/tests/scenarios`, format in
//! [`flowdesk_engine::scenario`]) durably through [`Workflow`], once on
//! SQLite and once on PostgreSQL, each on a fresh database, one named test
//! per scenario and dialect. Every step is one committed transaction (a
//! refused step rolls back); expectations are read back from the store:
//! history, instance states and variables, open jobs and incidents.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use flowdesk_engine::scenario::{Action, Observed, Scenario, Step, TableDecisions};
use flowdesk_engine::{Command, DecisionEvaluator, DmnDecisions, ProcessInstanceState};
use flowdesk_store::definitions::{self, Definition, Kind, NewDefinition};
use flowdesk_store::workflow::{JobOutcome, Workflow, WorkflowError};
use flowdesk_store::{history, Dialect, Store, Tx};
use sqlx::Row;

/// Commits `tx` when the command succeeded; a failed command's
/// transaction is dropped, which rolls it back.
async fn finish<T>(tx: Tx<'static>, result: Result<T, WorkflowError>) -> Result<T, String> {
    let value = result.map_err(text)?;
    tx.commit().await.map_err(|error| error.to_string())?;
    Ok(value)
}

struct Run {
    workflow: Workflow,
    now: i64,
    main: Option<String>,
}

fn text(error: WorkflowError) -> String {
    error.to_string()
}

impl Run {
    fn store(&self) -> &Store {
        self.workflow.store()
    }

    async fn begin(&self) -> Result<Tx<'static>, String> {
        self.workflow.begin().await.map_err(text)
    }

    async fn first_key(&self, sql: &str, bind: &str, what: &str) -> Result<i64, String> {
        let row = sqlx::query(sql)
            .bind(bind)
            .fetch_optional(self.store().pool())
            .await
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("no open {what} \"{bind}\""))?;
        row.try_get("key").map_err(|error| error.to_string())
    }

    async fn first_job(&self, job_type: &str) -> Result<i64, String> {
        self.first_key(
            "SELECT key FROM jobs WHERE job_type = $1 AND state NOT IN ('done', 'cancelled') \
             ORDER BY key LIMIT 1",
            job_type,
            "job of type",
        )
        .await
    }

    async fn definition(&self, process_id: &str) -> Result<Definition, String> {
        definitions::latest(self.store().pool(), Kind::Bpmn, process_id)
            .await
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("process {process_id} is not deployed"))
    }

    async fn main_instance(&self) -> Result<Option<String>, String> {
        if let Some(main) = &self.main {
            return Ok(Some(main.clone()));
        }
        let row = sqlx::query("SELECT id FROM instances ORDER BY instance_key LIMIT 1")
            .fetch_optional(self.store().pool())
            .await
            .map_err(|error| error.to_string())?;
        row.map(|row| row.try_get("id").map_err(|error| error.to_string()))
            .transpose()
    }

    async fn advance_clock(&mut self, millis: i64) -> Result<(), String> {
        let target = self.now + millis.max(0);
        loop {
            let due = self.workflow.next_timer_due().await.map_err(text)?;
            let Some(due) = due.filter(|due| *due <= target) else {
                break;
            };
            self.now = self.now.max(due);
            let fired = self
                .workflow
                .fire_due_timers(self.now)
                .await
                .map_err(text)?;
            if fired == 0 {
                return Err(format!("a timer due at {due} did not fire"));
            }
        }
        self.now = target;
        Ok(())
    }

    async fn act(&mut self, step: &Step) -> Result<(), String> {
        let now = self.now;
        match &step.action {
            Action::CompleteJob {
                job_type,
                variables,
            } => {
                let job = self.first_job(job_type).await?;
                let variables = variables.clone();
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .complete_job(&mut tx, job, variables, now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::CompleteJobTwice {
                job_type,
                variables,
            } => {
                let job = self.first_job(job_type).await?;
                for expected in [JobOutcome::Applied, JobOutcome::AlreadyDone] {
                    let variables = variables.clone();
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .complete_job(&mut tx, job, variables, now)
                        .await;
                    let outcome = finish(tx, result).await?;
                    if outcome != expected {
                        return Err(format!(
                            "completion: expected {expected:?}, got {outcome:?}"
                        ));
                    }
                }
                Ok(())
            }
            Action::FailJob {
                job_type,
                retries,
                message,
                backoff_ms,
            } => {
                let job = self.first_job(job_type).await?;
                let (retries, backoff_ms) = (*retries, *backoff_ms);
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .fail_job(&mut tx, job, retries, message, backoff_ms, now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::ThrowError {
                job_type,
                code,
                variables,
            } => {
                let job = self.first_job(job_type).await?;
                let variables = variables.clone();
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .throw_error_with_variables(
                            &mut tx,
                            job,
                            code,
                            "thrown by the scenario",
                            variables,
                            now,
                        )
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::CompleteUserTask {
                element_id,
                variables,
            } => {
                let task = self
                    .first_key(
                        "SELECT key FROM jobs WHERE kind = 'userTask' AND element_id = $1 \
                         AND state NOT IN ('done', 'cancelled') ORDER BY key LIMIT 1",
                        element_id,
                        "user task",
                    )
                    .await?;
                let variables = variables.clone();
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .complete_job(&mut tx, task, variables, now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::PublishMessage {
                name,
                correlation_key,
                variables,
                ttl_ms,
            } => {
                let (variables, ttl_ms) = (variables.clone(), *ttl_ms);
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .publish_message(&mut tx, name, correlation_key, variables, ttl_ms, now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::BroadcastSignal { name, variables } => {
                let variables = variables.clone();
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .broadcast_signal(&mut tx, name, variables, now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::EvaluateConditions(variables) => {
                let mut tx = self.begin().await?;
                let result = self
                    .workflow
                    .evaluate_start_conditions(&mut tx, variables.clone(), now)
                    .await;
                finish(tx, result).await.map(|_| ())
            }
            Action::AdvanceClock(millis) => self.advance_clock(*millis).await,
            Action::ResolveIncident => {
                let row = sqlx::query(
                    "SELECT key FROM incidents WHERE state = 'open' ORDER BY created_at, key LIMIT 1",
                )
                .fetch_optional(self.store().pool())
                .await
                .map_err(|error| error.to_string())?
                .ok_or("no open incident")?;
                let incident: i64 = row.try_get("key").map_err(|error| error.to_string())?;
                {
                    let mut tx = self.begin().await?;
                    let result = self.workflow.resolve_incident(&mut tx, incident, now).await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::SetVariables(values) => {
                let main = self.main_instance().await?.ok_or("no main instance")?;
                let command = Command::SetVariables {
                    scope: None,
                    variables: values.clone(),
                    local: false,
                };
                {
                    let mut tx = self.begin().await?;
                    let result = self.workflow.execute(&mut tx, &main, command, now).await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::StartInstance {
                process_id,
                variables,
            } => {
                let definition = self.definition(process_id).await?;
                let variables = variables.clone();
                {
                    let mut tx = self.begin().await?;
                    let result = self
                        .workflow
                        .start_instance(&mut tx, &definition, variables, "scenario", now)
                        .await;
                    finish(tx, result).await
                }
                .map(|_| ())
            }
            Action::Cancel => {
                let main = self.main_instance().await?.ok_or("no main instance")?;
                {
                    let mut tx = self.begin().await?;
                    let result = self.workflow.cancel_instance(&mut tx, &main, now).await;
                    finish(tx, result).await
                }
            }
            Action::Expect(expect) => expect.check(&self.observe().await?),
        }
    }

    async fn observe(&self) -> Result<Observed, String> {
        let error = |error: sqlx::Error| error.to_string();
        let pool = self.store().pool();
        let main = self.main_instance().await?;
        let mut observed = Observed::default();
        if let Some(main) = &main {
            observed.path = history::for_instance(pool, main)
                .await
                .map_err(|error| error.to_string())?
                .into_iter()
                .filter(|event| event.kind == "elementCompleted")
                .filter_map(|event| event.element_id)
                .collect();
        }
        for row in sqlx::query(
            "SELECT kind, element_id FROM history \
             WHERE kind IN ('elementCompleted', 'elementTerminated') ORDER BY seq",
        )
        .fetch_all(pool)
        .await
        .map_err(error)?
        {
            let kind: String = row.try_get("kind").map_err(error)?;
            let element_id: Option<String> = row.try_get("element_id").map_err(error)?;
            let list = if kind == "elementCompleted" {
                &mut observed.completed
            } else {
                &mut observed.terminated
            };
            list.extend(element_id);
        }
        let mut instances = BTreeMap::new();
        for row in sqlx::query(
            "SELECT id, definition_id, process_id, variables, state_json FROM instances \
             ORDER BY instance_key",
        )
        .fetch_all(pool)
        .await
        .map_err(error)?
        {
            let id: String = row.try_get("id").map_err(error)?;
            let definition_id: String = row.try_get("definition_id").map_err(error)?;
            let process_id: String = row.try_get("process_id").map_err(error)?;
            let variables: String = row.try_get("variables").map_err(error)?;
            let state_json: String = row.try_get("state_json").map_err(error)?;
            *instances.entry(process_id).or_insert(0) += 1;
            let state: ProcessInstanceState =
                serde_json::from_str(&state_json).map_err(|error| error.to_string())?;
            let definition = definitions::find(pool, &definition_id)
                .await
                .map_err(|error| error.to_string())?
                .ok_or("definition of an instance is missing")?;
            let process = self
                .workflow
                .processes()
                .compiled(&definition)
                .map_err(text)?;
            observed.active.extend(
                state
                    .element_instances
                    .iter()
                    .filter_map(|element| process.element_id(element.element))
                    .map(str::to_owned),
            );
            if Some(&id) == main.as_ref() {
                observed.state = Some(state.status.to_string());
                observed.variables =
                    Some(serde_json::from_str(&variables).map_err(|error| error.to_string())?);
            }
        }
        observed.instances = instances;
        for row in sqlx::query(
            "SELECT element_id, kind, message FROM incidents WHERE state = 'open' ORDER BY key",
        )
        .fetch_all(pool)
        .await
        .map_err(error)?
        {
            let element_id: String = row.try_get("element_id").map_err(error)?;
            let kind: String = row.try_get("kind").map_err(error)?;
            let message: String = row.try_get("message").map_err(error)?;
            observed
                .incidents
                .push(format!("{kind} at {element_id}: {message}"));
        }
        for row in sqlx::query(
            "SELECT job_type, COUNT(*) AS n FROM jobs WHERE state NOT IN ('done', 'cancelled') \
             GROUP BY job_type",
        )
        .fetch_all(pool)
        .await
        .map_err(error)?
        {
            let job_type: String = row.try_get("job_type").map_err(error)?;
            let count: i64 = row.try_get("n").map_err(error)?;
            observed
                .open_jobs
                .insert(job_type, u64::try_from(count).unwrap_or(0));
        }
        Ok(observed)
    }
}

async fn deploy(store: &Store, scenario: &Scenario) -> Result<Option<String>, String> {
    let mut main_process = None;
    for (file, xml) in &scenario.models {
        let model =
            flowdesk_model::bpmn::parse(xml).map_err(|errors| format!("{file}: {errors}"))?;
        let mut tx = store.begin().await.map_err(|error| error.to_string())?;
        for process in model.executable_processes() {
            definitions::deploy(
                &mut tx,
                &NewDefinition {
                    kind: Kind::Bpmn,
                    process_id: &process.id,
                    name: process.name.as_deref().unwrap_or(&process.id),
                    resource_name: file,
                    content: xml,
                    deployed_at: 0,
                    deployed_by: "scenario",
                },
            )
            .await
            .map_err(|error| format!("{file}: {error}"))?;
            if file == "model.bpmn" && main_process.is_none() {
                main_process = Some(process.id.clone());
            }
        }
        tx.commit().await.map_err(|error| error.to_string())?;
    }
    Ok(main_process)
}

async fn run(store: Store, folder: &str) -> Result<(), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../engine/tests/scenarios")
        .join(folder);
    let scenario = Scenario::load(&path).map_err(|error| error.to_string())?;
    let mut workflow = Workflow::new(store.clone());
    if let Some(table) = &scenario.decision_table {
        workflow = workflow.with_decisions(Arc::new(TableDecisions(table.clone())));
    }
    if !scenario.decision_documents.is_empty() {
        let decisions: Arc<dyn DecisionEvaluator> = Arc::new(
            DmnDecisions::from_xml(scenario.decision_documents.iter().map(String::as_str))
                .map_err(|problems| format!("DMN: {problems}"))?,
        );
        workflow = workflow.with_decisions(decisions);
    }
    let first_process = deploy(&store, &scenario).await?;
    let process = scenario
        .process
        .clone()
        .or(first_process)
        .ok_or("model.bpmn has no executable process")?;
    let mut run = Run {
        workflow,
        now: 0,
        main: None,
    };
    if let Some(start) = &scenario.start {
        let definition = run.definition(&process).await?;
        let mut tx = run.begin().await?;
        let result = run
            .workflow
            .start_instance_at(
                &mut tx,
                &definition,
                start.element.as_deref(),
                start.variables.clone(),
                "scenario",
                0,
            )
            .await;
        let instance = finish(tx, result)
            .await
            .map_err(|error| format!("start: {error}"))?;
        run.main = Some(instance.id);
    }
    for (index, step) in scenario.steps.iter().enumerate() {
        let outcome = run.act(step).await;
        step.judge(outcome)
            .map_err(|error| format!("step {}: {error}", index + 1))?;
    }
    if let Some(expect) = &scenario.expect {
        expect.check(&run.observe().await?)?;
    }
    Ok(())
}

macro_rules! scenario_test {
    ($name:ident, $folder:literal) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                flowdesk_store::test_support::run(super::Dialect::Sqlite, |store| async move {
                    if let Err(error) = super::run(store, $folder).await {
                        panic!("scenario {} on SQLite: {error}", $folder);
                    }
                })
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                flowdesk_store::test_support::run(super::Dialect::Postgres, |store| async move {
                    if let Err(error) = super::run(store, $folder).await {
                        panic!("scenario {} on PostgreSQL: {error}", $folder);
                    }
                })
                .await;
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/scenario_tests.rs"));
