//! Decision evaluation history: each evaluation of a DMN decision with its
//! trace (inputs, matched rules, outputs, provider fetches), stored as JSON
//! text so both dialects keep it as written. Writers seal the values of
//! sensitive variables in both documents first
//! ([`crate::sensitive::DECISION_RESULTS`] and
//! [`crate::sensitive::DECISION_TRACES`]); readers open or mask them.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Millis, StoreError};

/// One stored evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEvaluation {
    /// Its id (a UUID).
    pub id: String,
    /// The decision evaluated.
    pub decision_id: String,
    /// The decision's name.
    pub decision_name: String,
    /// The DMN definition version that had the decision.
    pub definition_id: Option<String>,
    /// That definition's version number.
    pub version: Option<i64>,
    /// The process instance whose business rule task evaluated it, if any.
    pub instance_id: Option<String>,
    /// The business rule task, if any.
    pub element_id: Option<String>,
    /// When it was evaluated.
    pub evaluated_at: Millis,
    /// The result, as JSON text (sensitive members sealed).
    pub result: String,
    /// The trace, as JSON text (sensitive members sealed).
    pub trace: String,
}

/// Which evaluations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter<'a> {
    /// Only those of this process instance.
    pub instance_id: Option<&'a str>,
    /// Only those of this decision.
    pub decision_id: Option<&'a str>,
}

const COLUMNS: &str = "id, decision_id, decision_name, definition_id, version, instance_id, \
                       element_id, evaluated_at, result, trace";

fn from_row(row: &AnyRow) -> Result<DecisionEvaluation, StoreError> {
    Ok(DecisionEvaluation {
        id: row.try_get("id")?,
        decision_id: row.try_get("decision_id")?,
        decision_name: row.try_get("decision_name")?,
        definition_id: row.try_get("definition_id")?,
        version: row.try_get("version")?,
        instance_id: row.try_get("instance_id")?,
        element_id: row.try_get("element_id")?,
        evaluated_at: row.try_get("evaluated_at")?,
        result: row.try_get("result")?,
        trace: row.try_get("trace")?,
    })
}

/// Stores an evaluation.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    evaluation: &DecisionEvaluation,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO decision_evaluations ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&evaluation.id)
    .bind(&evaluation.decision_id)
    .bind(&evaluation.decision_name)
    .bind(&evaluation.definition_id)
    .bind(evaluation.version)
    .bind(&evaluation.instance_id)
    .bind(&evaluation.element_id)
    .bind(evaluation.evaluated_at)
    .bind(&evaluation.result)
    .bind(&evaluation.trace)
    .execute(executor)
    .await?;
    Ok(())
}

/// Finds an evaluation by id.
pub async fn find<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    id: &str,
) -> Result<Option<DecisionEvaluation>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM decision_evaluations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Evaluations newest first, at most `limit`.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    filter: &Filter<'_>,
    limit: i64,
) -> Result<Vec<DecisionEvaluation>, StoreError> {
    // Absent filters match everything: `$1 IS NULL OR column = $1` would
    // need typed NULLs on PostgreSQL, so the text is compared with ''.
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM decision_evaluations \
         WHERE ($1 = '' OR instance_id = $1) AND ($2 = '' OR decision_id = $2) \
         ORDER BY evaluated_at DESC, id DESC LIMIT $3"
    ))
    .bind(filter.instance_id.unwrap_or(""))
    .bind(filter.decision_id.unwrap_or(""))
    .bind(limit)
    .fetch_all(executor)
    .await?;
    rows.iter().map(from_row).collect()
}

#[cfg(all(test, feature = "test-support"))]
mod tests {
    use super::*;

    fn evaluation(
        id: &str,
        decision: &str,
        instance: Option<&str>,
        at: Millis,
    ) -> DecisionEvaluation {
        DecisionEvaluation {
            id: id.into(),
            decision_id: decision.into(),
            decision_name: decision.to_uppercase(),
            definition_id: Some("def-1".into()),
            version: Some(2),
            instance_id: instance.map(str::to_string),
            element_id: instance.map(|_| "decide".to_string()),
            evaluated_at: at,
            result: "\"gold\"".into(),
            trace: "{\"decisions\":[]}".into(),
        }
    }

    crate::dual_test!(async fn evaluations_are_kept_and_filtered(store) {
        let pool = store.pool();
        insert(pool, &evaluation("a", "segment", Some("i1"), 10)).await.unwrap();
        insert(pool, &evaluation("b", "segment", Some("i2"), 20)).await.unwrap();
        insert(pool, &evaluation("c", "limit", None, 30)).await.unwrap();
        let ids = |all: Vec<DecisionEvaluation>| all.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(ids(list(pool, &Filter::default(), 10).await.unwrap()), ["c", "b", "a"]);
        let by_decision = Filter { decision_id: Some("segment"), ..Filter::default() };
        assert_eq!(ids(list(pool, &by_decision, 10).await.unwrap()), ["b", "a"]);
        let by_instance = Filter { instance_id: Some("i1"), ..Filter::default() };
        assert_eq!(ids(list(pool, &by_instance, 10).await.unwrap()), ["a"]);
        assert_eq!(ids(list(pool, &Filter::default(), 1).await.unwrap()), ["c"]);
        assert_eq!(find(pool, "b").await.unwrap(), Some(evaluation("b", "segment", Some("i2"), 20)));
        assert_eq!(find(pool, "zz").await.unwrap(), None);
    });
}
