//! `flowdesk-feel`: FEEL, the Friendly Enough Expression Language of
//! DMN 1.5 — lexer, parser and interpreter.
//!
//! This crate owns FEEL only: syntax, values, semantics and the built-in
//! functions. It depends on nothing else in the workspace (the DMN crate,
//! `flowdesk-rules`, builds on it) and it is pure: no I/O, no reads of the
//! system clock (`now()` and `today()` ask the [`Clock`] in the [`Env`]), no
//! randomness, no global state.
//!
//! ```
//! use flowdesk_feel::{evaluate, parse_expression, Context, Env, Scope, Value};
//!
//! let scope = Scope::with_names(["Monthly Salary"]);
//! let expr = parse_expression("Monthly Salary * 12", &scope).unwrap();
//! let mut vars = Context::new();
//! vars.insert("Monthly Salary", Value::int(1000));
//! assert_eq!(evaluate(&expr, &vars, &Env::new()).to_string(), "12000");
//! ```
//!
//! Numbers are IEEE 754 decimal128 values (34 significant digits, rounding
//! half to even), never binary floating point. Ill-typed operations
//! evaluate to `null`, as the specification requires; parse errors carry a
//! byte span and a line:column position and say what was expected.

#![warn(missing_docs)]

pub mod ast;
mod builtins;
pub mod error;
mod eval;
pub mod lexer;
pub mod number;
mod parser;
pub mod temporal;
pub mod value;
mod xpath_regex;

pub use ast::{Expr, ExprKind, Type, UnaryTest, UnaryTests};
pub use error::{LineCol, ParseError, Span};
pub use eval::{conforms, evaluate, evaluate_unary_tests, Clock, Env, FixedClock};
pub use number::{Number, RoundingMode};
pub use parser::{parse_expression, parse_unary_tests, Scope};
pub use value::{Context, Function, Name, NativeFunction, Range, RangeBound, UserFunction, Value};

/// The names of all built-in functions of DMN 1.5 that this crate provides.
pub fn builtin_function_names() -> &'static [&'static str] {
    builtins::NAMES
}

/// Parses and evaluates an expression in one step, with the keys of
/// `context` known as names. Parse errors are returned; evaluation errors
/// are `null`, as in FEEL.
pub fn evaluate_str(source: &str, context: &Context, env: &Env) -> Result<Value, ParseError> {
    let mut scope = Scope::new();
    scope.add_context_keys(context);
    let expr = parse_expression(source, &scope)?;
    Ok(evaluate(&expr, context, env))
}
