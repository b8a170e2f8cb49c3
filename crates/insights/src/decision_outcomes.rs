//! Decision outcomes: how often each rule of each decision matched, read
//! from the decision evaluation log (`decision_evaluations`, one row per
//! evaluation with its trace), filtered like the other queries by process,
//! version and time.
//!
//! The log is indexed by decision and time and holds one row per
//! evaluation, not one per element event, so this query reads it directly
//! instead of a rollup; [`MAX_EVALUATIONS`] bounds one answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use crate::query::Filter;
use crate::{Insights, InsightsError};

/// At most this many evaluations are read for one answer; a range holding
/// more is refused (narrow it).
pub const MAX_EVALUATIONS: i64 = 100_000;

/// How often one rule matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RuleCount {
    /// The rule's 1-based index in its decision table.
    pub rule: u64,
    /// Evaluations in which it matched.
    pub matched: i64,
}

/// The outcomes of one decision over a range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionOutcomes {
    /// The decision's id.
    pub decision_id: String,
    /// Its name.
    pub decision_name: String,
    /// Times it was evaluated, on its own or as a requirement of another.
    pub evaluations: i64,
    /// Evaluations in which no rule matched (all of them for a decision
    /// that is not a table).
    pub no_rule_matched: i64,
    /// How often each rule matched, by rule index.
    pub rules: Vec<RuleCount>,
}

/// Counts of one decision while reading.
#[derive(Default)]
struct Tally {
    name: String,
    evaluations: i64,
    no_rule_matched: i64,
    rules: BTreeMap<u64, i64>,
}

impl Insights {
    /// Outcomes per decision and rule of the evaluations in `filter`'s
    /// range (business rule tasks of the filtered process and version;
    /// with no process filter, API evaluations too), by decision id.
    pub async fn decision_outcomes(
        &self,
        filter: &Filter,
    ) -> Result<Vec<DecisionOutcomes>, InsightsError> {
        filter.check()?;
        let mut sql = String::from("SELECT d.trace AS trace FROM decision_evaluations d");
        if filter.process_id.is_some() || filter.version.is_some() {
            sql.push_str(" JOIN instances i ON i.id = d.instance_id");
        }
        let mut conditions = Vec::new();
        let mut parameter = 0;
        let mut next = || {
            parameter += 1;
            format!("${parameter}")
        };
        if filter.process_id.is_some() {
            conditions.push(format!("i.process_id = {}", next()));
        }
        if filter.version.is_some() {
            conditions.push(format!("i.version = {}", next()));
        }
        if filter.from.is_some() {
            conditions.push(format!("d.evaluated_at >= {}", next()));
        }
        if filter.to.is_some() {
            conditions.push(format!("d.evaluated_at < {}", next()));
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(&format!(" LIMIT {}", MAX_EVALUATIONS + 1));
        let mut query = sqlx::query(&sql);
        if let Some(process_id) = &filter.process_id {
            query = query.bind(process_id);
        }
        for bound in [filter.version, filter.from, filter.to]
            .into_iter()
            .flatten()
        {
            query = query.bind(bound);
        }
        let rows = query.fetch_all(self.store().pool()).await?;
        if rows.len() as i64 > MAX_EVALUATIONS {
            return Err(InsightsError::InvalidQuery(format!(
                "more than {MAX_EVALUATIONS} decision evaluations in the range: narrow it"
            )));
        }
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        for row in &rows {
            let text: String = row.try_get("trace")?;
            let trace: Value = serde_json::from_str(&text).map_err(|e| {
                InsightsError::InvalidData(format!("a decision trace is not JSON: {e}"))
            })?;
            for decision in trace["decisions"].as_array().into_iter().flatten() {
                let Some(id) = decision["id"].as_str() else {
                    continue;
                };
                let tally = tallies.entry(id.to_owned()).or_default();
                if let Some(name) = decision["name"].as_str() {
                    tally.name = name.to_owned();
                }
                tally.evaluations += 1;
                let matched: Vec<u64> = decision["matched_rules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
                    .collect();
                if matched.is_empty() {
                    tally.no_rule_matched += 1;
                }
                for rule in matched {
                    *tally.rules.entry(rule).or_default() += 1;
                }
            }
        }
        Ok(tallies
            .into_iter()
            .map(|(decision_id, tally)| DecisionOutcomes {
                decision_id,
                decision_name: tally.name,
                evaluations: tally.evaluations,
                no_rule_matched: tally.no_rule_matched,
                rules: tally
                    .rules
                    .into_iter()
                    .map(|(rule, matched)| RuleCount { rule, matched })
                    .collect(),
            })
            .collect())
    }
}
