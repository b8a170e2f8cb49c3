//! User tasks as the tasklist sees them: the open jobs of kind `userTask`
//! with their instance's process, and who claimed them.
//!
//! A claim is kept on the job row's `worker` column (the "worker" of a user
//! task is the person working it); completing goes through the durable
//! [`Workflow`](crate::workflow::Workflow) like any job.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError, Tx};

/// An open user task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTask {
    /// The job key of the task.
    pub key: i64,
    /// The process instance (row id).
    pub instance_id: String,
    /// The definition the instance runs.
    pub definition_id: String,
    /// The BPMN process id.
    pub process_id: String,
    /// The user task's element id.
    pub element_id: String,
    /// The user who claimed it, if anyone did.
    pub claimed_by: Option<String>,
    /// Variables visible at the task when it was created (JSON object text).
    pub variables: String,
    /// Task headers, including `assignee`, `candidateGroups` and `formKey` (JSON object text).
    pub custom_headers: String,
    /// When the task was created.
    pub created_at: Millis,
}

const OPEN: &str = "j.kind = 'userTask' AND j.state IN ('activatable', 'activated')";

const SELECT: &str = "SELECT j.key, j.instance_id, i.definition_id, i.process_id, j.element_id, \
    j.worker, j.variables, j.custom_headers, j.created_at \
    FROM jobs j JOIN instances i ON i.id = j.instance_id";

fn from_row(row: &AnyRow) -> Result<UserTask, StoreError> {
    Ok(UserTask {
        key: row.try_get("key")?,
        instance_id: row.try_get("instance_id")?,
        definition_id: row.try_get("definition_id")?,
        process_id: row.try_get("process_id")?,
        element_id: row.try_get("element_id")?,
        claimed_by: row.try_get("worker")?,
        variables: row.try_get("variables")?,
        custom_headers: row.try_get("custom_headers")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Open user tasks, oldest first, at most `limit`.
pub async fn list_open<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    limit: i64,
) -> Result<Vec<UserTask>, StoreError> {
    let rows = sqlx::query(&format!("{SELECT} WHERE {OPEN} ORDER BY j.key LIMIT $1"))
        .bind(limit)
        .fetch_all(executor)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The open user task with this key, if there is one.
pub async fn find_open<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    key: i64,
) -> Result<Option<UserTask>, StoreError> {
    let row = sqlx::query(&format!("{SELECT} WHERE j.key = $1 AND {OPEN}"))
        .bind(key)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The task is now (or was already) claimed by the user.
    Claimed,
    /// Somebody else holds it.
    HeldBy(String),
    /// No open user task has this key.
    NotOpen,
}

/// Claims an open user task for `user` unless somebody else holds it.
pub async fn claim(
    tx: &mut Tx<'_>,
    key: i64,
    user: &str,
    now: Millis,
) -> Result<Claim, StoreError> {
    let updated = sqlx::query(
        "UPDATE jobs SET worker = $2, updated_at = $3 WHERE key = $1 AND kind = 'userTask' \
         AND state IN ('activatable', 'activated') AND (worker IS NULL OR worker = $2)",
    )
    .bind(key)
    .bind(user)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(Claim::Claimed);
    }
    Ok(match find_open(&mut **tx, key).await? {
        Some(task) => Claim::HeldBy(task.claimed_by.unwrap_or_default()),
        None => Claim::NotOpen,
    })
}

/// Releases a claim; answers false when no open user task has this key.
pub async fn unclaim(tx: &mut Tx<'_>, key: i64, now: Millis) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE jobs SET worker = NULL, updated_at = $2 WHERE key = $1 AND kind = 'userTask' \
         AND state IN ('activatable', 'activated')",
    )
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() > 0)
}

impl UserTask {
    fn header(&self, name: &str) -> Option<String> {
        let headers: serde_json::Value = serde_json::from_str(&self.custom_headers).ok()?;
        match headers.get(name)? {
            serde_json::Value::String(text) if !text.trim().is_empty() => {
                Some(text.trim().to_owned())
            }
            _ => None,
        }
    }

    /// Who works the task: whoever claimed it, else the modelled assignee
    /// (`zeebe:assignmentDefinition assignee`).
    pub fn assignee(&self) -> Option<String> {
        self.claimed_by.clone().or_else(|| self.header("assignee"))
    }

    /// The candidate groups (`zeebe:assignmentDefinition candidateGroups`),
    /// written either as `a, b` or as a FEEL/JSON list `["a","b"]`.
    pub fn candidate_groups(&self) -> Vec<String> {
        let Some(text) = self.header("candidateGroups") else {
            return Vec::new();
        };
        if let Ok(list) = serde_json::from_str::<Vec<String>>(&text) {
            return list;
        }
        text.trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|group| group.trim().trim_matches('"').to_owned())
            .filter(|group| !group.is_empty())
            .collect()
    }

    /// The form the task shows (`zeebe:formDefinition formId` or `formKey`).
    pub fn form_key(&self) -> Option<String> {
        self.header("formKey")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(claimed_by: Option<&str>, headers: &str) -> UserTask {
        UserTask {
            key: 1,
            instance_id: "i".into(),
            definition_id: "d".into(),
            process_id: "p".into(),
            element_id: "review".into(),
            claimed_by: claimed_by.map(str::to_owned),
            variables: "{}".into(),
            custom_headers: headers.into(),
            created_at: 0,
        }
    }

    #[test]
    fn a_claim_wins_over_the_modelled_assignee() {
        assert_eq!(
            task(Some("ann"), r#"{"assignee":"bob"}"#)
                .assignee()
                .as_deref(),
            Some("ann")
        );
        assert_eq!(
            task(None, r#"{"assignee":"bob"}"#).assignee().as_deref(),
            Some("bob")
        );
        assert_eq!(task(None, r#"{"assignee":"  "}"#).assignee(), None);
    }

    #[test]
    fn candidate_groups_are_read_from_lists_and_comma_text() {
        assert_eq!(
            task(None, r#"{"candidateGroups":"sales, finance"}"#).candidate_groups(),
            ["sales", "finance"]
        );
        assert_eq!(
            task(None, r#"{"candidateGroups":"[\"sales\",\"ops\"]"}"#).candidate_groups(),
            ["sales", "ops"]
        );
        assert!(task(None, "{}").candidate_groups().is_empty());
        assert_eq!(
            task(None, r#"{"formKey":"camunda-forms:bpmn:f1"}"#)
                .form_key()
                .as_deref(),
            Some("camunda-forms:bpmn:f1")
        );
    }
}
