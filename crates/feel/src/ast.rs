//! The FEEL abstract syntax tree. Every node carries the byte span of the
//! source text it came from.

use std::sync::Arc;

use crate::error::Span;
use crate::value::{Name, Value};

/// An expression node.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// Binary arithmetic and comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `**`
    Pow,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arguments of a function invocation.
#[derive(Clone, Debug)]
pub enum Arguments {
    /// `f(1, 2)`
    Positional(Vec<Expr>),
    /// `f(a: 1, b: 2)`
    Named(Vec<(Name, Expr)>),
}

/// What a `for` variable iterates over.
#[derive(Clone, Debug)]
pub enum Iteration {
    /// `x in list`
    List(Expr),
    /// `x in 1..10`
    Range(Expr, Expr),
}

/// A positive unary test: an expression matched against an input value.
#[derive(Clone, Debug)]
pub struct UnaryTest {
    /// The test expression (a range, a unary comparison, a value, a list, or
    /// a boolean expression over `?`).
    pub expr: Expr,
    /// Whether the expression mentions `?`: then its boolean result is the
    /// outcome of the test.
    pub uses_input: bool,
}

/// Unary tests, as in a decision table input entry.
#[derive(Clone, Debug)]
pub enum UnaryTests {
    /// `-`: matches anything.
    Any,
    /// `a, b, c`: matches when one test matches.
    Positive(Vec<UnaryTest>),
    /// `not(a, b)`: matches when no test matches.
    Negated(Vec<UnaryTest>),
}

/// A FEEL type, as used by `instance of` and typed parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// `Any`
    Any,
    /// `Null`
    Null,
    /// `number`
    Number,
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `date`
    Date,
    /// `time`
    Time,
    /// `date and time`
    DateTime,
    /// `days and time duration`
    DayTimeDuration,
    /// `years and months duration`
    YearMonthDuration,
    /// `list<T>` (`list` alone is `list<Any>`)
    List(Box<Type>),
    /// `context<a: T>` (`context` alone has no required entries)
    Context(Vec<(Name, Type)>),
    /// `range<T>`
    Range(Box<Type>),
    /// `function<T, U> -> R` (`function` alone accepts any function)
    Function(Option<(Vec<Type>, Box<Type>)>),
    /// A type name FEEL does not know (an item definition of a DMN model);
    /// `instance of` yields `null` for it.
    Named(String),
}

/// The kinds of expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal: `null`, `true`, `1.5`, `"text"`, `@"2020-01-01"`.
    Literal(Value),
    /// A variable, context entry or function name.
    Name(Name),
    /// `?`: the input value of a unary test.
    InputValue,
    /// `a.b`
    Path(Box<Expr>, Name),
    /// `list[condition]` or `list[index]`
    Filter(Box<Expr>, Box<Expr>),
    /// `f(args)`
    Call(Box<Expr>, Arguments),
    /// `-x`
    Negate(Box<Expr>),
    /// `a + b`, `a < b`, ...
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `x between a and b`
    Between(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x in tests`
    In(Box<Expr>, Vec<UnaryTest>),
    /// `x instance of T`
    InstanceOf(Box<Expr>, Type),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `for x in xs, y in 1..3 return e`
    For {
        /// The iteration variables, outermost first.
        iterations: Vec<(Name, Iteration)>,
        /// The body.
        body: Box<Expr>,
        /// Whether the body mentions `partial` (the results so far).
        uses_partial: bool,
    },
    /// `some x in xs satisfies c` (`every` when `every` is true)
    Quantified {
        /// `every` rather than `some`.
        every: bool,
        /// The variables and their lists.
        iterations: Vec<(Name, Expr)>,
        /// The condition.
        condition: Box<Expr>,
    },
    /// `function(a, b: number) body`
    Function {
        /// Parameters with optional declared types.
        params: Vec<(Name, Option<Type>)>,
        /// The body (shared with the function values made from it).
        body: Arc<Expr>,
        /// `external` functions (Java, PMML) are not supported: they evaluate
        /// to `null`.
        external: bool,
    },
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `{a: 1, "b": 2}`
    Context(Vec<(Name, Expr)>),
    /// `[a..b)`, `(a..b]`, `]a..b[`
    Range {
        /// `[`
        start_included: bool,
        /// The low end.
        start: Box<Expr>,
        /// The high end.
        end: Box<Expr>,
        /// `]`
        end_included: bool,
    },
    /// `< e`, `<= e`, `> e`, `>= e`, `= e`, `!= e` used as a value or test.
    UnaryComparison(BinaryOp, Box<Expr>),
}

impl Expr {
    /// Whether the expression mentions `?` outside nested unary tests.
    pub fn mentions_input(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| {
            if matches!(e.kind, ExprKind::InputValue) {
                found = true;
            }
        });
        found
    }

    /// Whether the expression mentions the given name.
    pub fn mentions_name(&self, name: &str) -> bool {
        let mut found = false;
        self.visit(&mut |e| {
            if let ExprKind::Name(n) = &e.kind {
                if &**n == name {
                    found = true;
                }
            }
        });
        found
    }

    /// Calls `f` on this node and every node below it.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::InputValue => {}
            ExprKind::Path(e, _) | ExprKind::Negate(e) | ExprKind::InstanceOf(e, _) => e.visit(f),
            ExprKind::UnaryComparison(_, e) => e.visit(f),
            ExprKind::Filter(a, b)
            | ExprKind::Binary(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            ExprKind::Range { start, end, .. } => {
                start.visit(f);
                end.visit(f);
            }
            ExprKind::Call(c, args) => {
                c.visit(f);
                match args {
                    Arguments::Positional(a) => a.iter().for_each(|e| e.visit(f)),
                    Arguments::Named(a) => a.iter().for_each(|(_, e)| e.visit(f)),
                }
            }
            ExprKind::Between(a, b, c) | ExprKind::If(a, b, c) => {
                a.visit(f);
                b.visit(f);
                c.visit(f);
            }
            ExprKind::In(a, tests) => {
                a.visit(f);
                tests.iter().for_each(|t| t.expr.visit(f));
            }
            ExprKind::For {
                iterations, body, ..
            } => {
                for (_, it) in iterations {
                    match it {
                        Iteration::List(e) => e.visit(f),
                        Iteration::Range(a, b) => {
                            a.visit(f);
                            b.visit(f);
                        }
                    }
                }
                body.visit(f);
            }
            ExprKind::Quantified {
                iterations,
                condition,
                ..
            } => {
                iterations.iter().for_each(|(_, e)| e.visit(f));
                condition.visit(f);
            }
            ExprKind::Function { body, .. } => body.visit(f),
            ExprKind::List(items) => items.iter().for_each(|e| e.visit(f)),
            ExprKind::Context(entries) => entries.iter().for_each(|(_, e)| e.visit(f)),
        }
    }
}
