//! What an evaluation did: per decision, its inputs, the rules that
//! matched and its output.

use flowdesk_feel::{Context, Value};

use crate::provider::ProviderFetch;

/// The evaluation of one decision.
#[derive(Clone, Debug)]
pub struct DecisionTrace {
    /// The decision's `id`.
    pub id: String,
    /// The decision's name.
    pub name: String,
    /// The values the decision logic saw: required input data, decisions
    /// and functions, by name.
    pub inputs: Context,
    /// For a decision table, the 1-based indexes of the rules that matched.
    pub matched_rules: Vec<usize>,
    /// For a decision table, the annotation entries of each matched rule
    /// (same order as `matched_rules`).
    pub annotations: Vec<Vec<String>>,
    /// The result, after conversion to the decision's type.
    pub output: Value,
}

/// The decisions evaluated for one request, in the order they finished
/// (requirements before the decisions that need them).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// One entry per decision evaluated; each decision appears once.
    pub decisions: Vec<DecisionTrace>,
    /// The data fetched by input data providers, in the order fetched;
    /// each input appears once.
    pub fetches: Vec<ProviderFetch>,
}

impl Trace {
    /// The trace of a decision by name or id.
    pub fn decision(&self, name_or_id: &str) -> Option<&DecisionTrace> {
        self.decisions
            .iter()
            .find(|d| d.name == name_or_id || d.id == name_or_id)
    }
}
