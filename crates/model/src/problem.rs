//! Problems found in a model, with the position a user can jump to.

use std::fmt;

/// One thing wrong with a model: what, which element, and where.
///
/// Lines and columns are 1-based and point at the start of the element's
/// tag (or at the offending character for XML syntax errors).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// What is wrong and, where it helps, what to do about it.
    pub message: String,
    /// The `id` of the element the problem is about, when it has one.
    pub element_id: Option<String>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl fmt::Display for Problem {
    /// `line:column: [element_id] message`, the `[element_id] ` part only
    /// when the problem belongs to an element with an id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if let Some(id) = &self.element_id {
            write!(f, "[{id}] ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a model. Returned instead of the model when there
/// is at least one; never empty when produced by this crate.
///
/// `Display` writes one problem per line, in document order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{}", display_problems(.problems))]
pub struct ModelErrors {
    /// The problems, sorted by position.
    pub problems: Vec<Problem>,
}

fn display_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
