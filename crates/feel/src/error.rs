//! Source positions and parse errors.

use std::fmt;

/// A byte range `start..end` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The line and column (both 1-based; columns count characters) of the
    /// start of the span in `source`.
    pub fn line_col(&self, source: &str) -> LineCol {
        LineCol::of(source, self.start)
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl LineCol {
    /// The position of byte `offset` in `source`.
    pub fn of(source: &str, offset: usize) -> LineCol {
        let mut line = 1;
        let mut column = 1;
        for (i, c) in source.char_indices() {
            if i >= offset {
                break;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        LineCol { line, column }
    }
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A syntax error in a FEEL expression or unary tests.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {message}")]
pub struct ParseError {
    /// What was wrong and what was expected, e.g. `expected ")", found ","`.
    pub message: String,
    /// Where in the source.
    pub span: Span,
    /// `span.start` as line and column.
    pub position: LineCol,
}

impl ParseError {
    pub(crate) fn new(source: &str, span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            span,
            position: LineCol::of(source, span.start),
        }
    }
}
