//! Load-time problems and evaluation errors.

use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The model is invalid and is rejected.
    Error,
    /// The model loads, but part of it can only evaluate to `null` (for
    /// example a call of a function that does not exist).
    Warning,
}

/// One problem found while loading a model: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Whether the problem rejects the model.
    pub severity: Severity,
    /// The `id` (or, lacking one, the name) of the DMN element concerned;
    /// empty for problems of the document as a whole.
    pub element: String,
    /// Line of the element in the XML document, from 1.
    pub line: u32,
    /// Column of the element in the XML document, from 1.
    pub column: u32,
    /// For problems inside a FEEL expression: the 1-based line and column
    /// inside the expression text.
    pub expression_position: Option<(usize, usize)>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        write!(f, "{}:{}", self.line, self.column)?;
        if !self.element.is_empty() {
            write!(f, " [{}]", self.element)?;
        }
        if let Some((line, column)) = self.expression_position {
            write!(f, " (expression {line}:{column})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found while loading a model; a model with problems is
/// rejected as a whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problem(s) in the DMN model", self.0.len())?;
        for p in &self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl Problems {
    /// The problems, in document order.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why an invocation of a model could not be evaluated at all. (Errors
/// inside an evaluation, such as ill-typed FEEL or a unique hit policy
/// violated, make the result `null` instead, as DMN requires.)
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// No decision with that name or id.
    #[error("no decision named or with id `{0}` in the model")]
    UnknownDecision(String),
    /// No decision service with that name or id.
    #[error("no decision service named or with id `{0}` in the model")]
    UnknownDecisionService(String),
    /// No business knowledge model with that name or id.
    #[error("no business knowledge model named or with id `{0}` in the model")]
    UnknownBkm(String),
    /// No model with that namespace or name in the catalog.
    #[error("no model with namespace or name `{0}` in the catalog")]
    UnknownModel(String),
}
