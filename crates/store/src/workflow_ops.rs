//! Operator commands and queries on running instances: set variables,
//! modify (activate elements, terminate element instances), a definition
//! by version, the incidents of one instance, the instances stopped by an
//! incident.
//!
//! The commands go through [`Workflow::execute`], so they lock the
//! instance and persist state and effects in the caller's transaction like
//! every other workflow command.

use std::collections::HashMap;

use flowdesk_engine::{ActivateInstruction, Command, Variables};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::definitions::Kind;
use crate::incidents::Incident;
use crate::workflow::{Workflow, WorkflowError};
use crate::{Millis, StoreError, Tx};

impl Workflow {
    /// Sets process-level variables of the instance `instance_id` (each
    /// variable lands in the scope where it already exists, else at the
    /// process); conditional events are evaluated afterwards by the engine.
    pub async fn set_variables(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        variables: Variables,
        now: Millis,
    ) -> Result<(), WorkflowError> {
        let command = Command::SetVariables {
            scope: None,
            variables,
            local: false,
        };
        self.execute(tx, instance_id, command, now).await?;
        Ok(())
    }

    /// Modifies the instance `instance_id`: activates each element of
    /// `activate` (after setting its variables at the process level) and
    /// terminates the element instances `terminate`, in one command.
    pub async fn modify_instance(
        &self,
        tx: &mut Tx<'_>,
        instance_id: &str,
        activate: Vec<ActivateInstruction>,
        terminate: Vec<u64>,
        now: Millis,
    ) -> Result<(), WorkflowError> {
        let command = Command::ModifyInstance {
            activate,
            terminate,
        };
        self.execute(tx, instance_id, command, now).await?;
        Ok(())
    }
}

/// How many open incidents each of `instance_ids` has (instances without
/// one are absent from the map).
pub async fn open_incident_counts<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    instance_ids: &[String],
) -> Result<HashMap<String, i64>, StoreError> {
    if instance_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=instance_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT instance_id, COUNT(*) AS n FROM incidents \
         WHERE state = 'open' AND instance_id IN ({}) GROUP BY instance_id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in instance_ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(executor).await?;
    rows.iter()
        .map(|row| Ok((row.try_get("instance_id")?, row.try_get("n")?)))
        .collect()
}

/// The incidents of one instance, newest first, optionally only those in
/// `state` (`open` or `resolved`).
pub async fn incidents_of_instance<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    instance_id: &str,
    state: Option<&str>,
    limit: i64,
) -> Result<Vec<Incident>, StoreError> {
    let rows = sqlx::query(
        "SELECT key, instance_id, element_id, job_key, kind, message, state, created_at, \
         resolved_at FROM incidents WHERE instance_id = $1 AND ($2 = '' OR state = $2) \
         ORDER BY created_at DESC, key DESC LIMIT $3",
    )
    .bind(instance_id)
    .bind(state.unwrap_or(""))
    .bind(limit)
    .fetch_all(executor)
    .await?;
    rows.iter().map(incident_from_row).collect()
}

fn incident_from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    Ok(Incident {
        key: row.try_get("key")?,
        instance_id: row.try_get("instance_id")?,
        element_id: row.try_get("element_id")?,
        job_key: row.try_get("job_key")?,
        kind: row.try_get("kind")?,
        message: row.try_get("message")?,
        state: row.try_get("state")?,
        created_at: row.try_get("created_at")?,
        resolved_at: row.try_get("resolved_at")?,
    })
}

/// The id of version `version` of the BPMN process `process_id`, if deployed
/// (read it with [`crate::definitions::find`]).
pub async fn definition_version_id<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    process_id: &str,
    version: i64,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query(
        "SELECT id FROM definitions WHERE kind = $1 AND process_id = $2 AND version = $3",
    )
    .bind(Kind::Bpmn.as_str())
    .bind(process_id)
    .bind(version)
    .fetch_optional(executor)
    .await?;
    row.map(|row| row.try_get("id").map_err(StoreError::from))
        .transpose()
}
