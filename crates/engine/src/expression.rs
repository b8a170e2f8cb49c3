//! Expressions: the trait the engine evaluates FEEL through, and
//! [`FeelEvaluator`], its implementation with `flowdesk-feel`.
//!
//! Camunda 8 (Zeebe) semantics: a model attribute that starts with `=` is a
//! FEEL expression; any other text is a static value (see
//! [`static_value`]). The engine makes that distinction and hands the FEEL
//! text (without the leading `=`) and a [`VariableScope`] to an
//! [`ExpressionEvaluator`]. Sequence flow and conditional event conditions
//! are always FEEL: Zeebe accepts no static conditions.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use flowdesk_feel::{Context, Env, Expr, ExprKind, Name, Number, Scope};
use serde_json::{Map, Value};

/// Where an expression reads variables from: an element instance's scope
/// and, through it, every enclosing scope.
pub trait VariableScope {
    /// The value of the variable, looked up from the innermost scope outwards.
    fn variable(&self, name: &str) -> Option<&Value>;

    /// Every variable visible from the scope, inner ones shadowing outer
    /// ones (a decision sees all of them, as in Zeebe). Implementations
    /// that can enumerate their variables should override the default,
    /// which returns none.
    fn variables(&self) -> Map<String, Value> {
        Map::new()
    }
}

impl VariableScope for Map<String, Value> {
    fn variable(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }

    fn variables(&self) -> Map<String, Value> {
        self.clone()
    }
}

/// An expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to evaluate expression \"{expression}\": {message}")]
pub struct ExpressionError {
    /// The expression text.
    pub expression: String,
    /// What went wrong.
    pub message: String,
}

/// Evaluates expressions (FEEL in Camunda 8 models) against a variable scope.
///
/// Implementations must be pure: the same expression and variables give the
/// same result.
pub trait ExpressionEvaluator: Send + Sync {
    /// Evaluates `expression` (FEEL text without the leading `=`) against
    /// `scope`.
    fn evaluate(
        &self,
        expression: &str,
        scope: &dyn VariableScope,
    ) -> Result<Value, ExpressionError>;
}

/// The value of a static (non-`=`) expression, as Zeebe reads it: a number
/// when the text is one, otherwise the text itself as a string.
///
/// ```
/// use flowdesk_engine::expression::static_value;
/// assert_eq!(static_value("42"), serde_json::json!(42));
/// assert_eq!(static_value("PT5M"), serde_json::json!("PT5M"));
/// ```
pub fn static_value(text: &str) -> Value {
    match Number::parse(text) {
        Some(number) => flowdesk_feel::Value::Number(number).to_json(),
        None => Value::String(text.to_owned()),
    }
}

/// Most distinct expression texts kept parsed; past it the cache starts
/// over (models hold a bounded number of expressions, so this only guards
/// against unbounded growth from generated texts).
const CACHE_LIMIT: usize = 10_000;

/// A parsed expression and the variable names it mentions.
struct Compiled {
    expression: Result<Expr, String>,
    names: Vec<Name>,
}

/// The FEEL evaluator: [`flowdesk_feel`] behind [`ExpressionEvaluator`].
///
/// Each distinct expression text is parsed once and kept (with the names it
/// mentions) in a shared cache; an evaluation then converts only the
/// variables the expression mentions from JSON to FEEL values. Variable
/// names are single FEEL names (names with spaces are not resolved against
/// the scope, as the parse must not depend on the variables). A missing
/// variable is `null`; ill-typed operations yield `null`, as FEEL
/// specifies. Results become JSON through [`flowdesk_feel::Value::to_json`]
/// (numbers keep every digit; temporal values become ISO 8601 strings).
///
/// ```
/// use flowdesk_engine::{ExpressionEvaluator, FeelEvaluator};
/// let mut variables = serde_json::Map::new();
/// variables.insert("amount".into(), serde_json::json!(150));
/// let feel = FeelEvaluator::new();
/// let result = feel.evaluate("amount > 100 and count([1, 2]) = 2", &variables);
/// assert_eq!(result, Ok(serde_json::json!(true)));
/// ```
pub struct FeelEvaluator {
    cache: RwLock<HashMap<Box<str>, Arc<Compiled>>>,
    env: Env,
}

impl std::fmt::Debug for FeelEvaluator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cached = self.cache.read().map_or(0, |cache| cache.len());
        formatter
            .debug_struct("FeelEvaluator")
            .field("cached", &cached)
            .field("env", &self.env)
            .finish()
    }
}

impl Default for FeelEvaluator {
    fn default() -> Self {
        Self::new()
    }
}

impl FeelEvaluator {
    /// An evaluator without a clock: `now()` and `today()` are `null`, so
    /// that evaluation stays deterministic.
    pub fn new() -> Self {
        Self::with_env(Env::new())
    }

    /// An evaluator whose evaluations use `env` (e.g. a clock for `now()`).
    pub fn with_env(env: Env) -> Self {
        FeelEvaluator {
            cache: RwLock::new(HashMap::new()),
            env,
        }
    }

    fn compiled(&self, text: &str) -> Arc<Compiled> {
        if let Some(compiled) = self
            .cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(text)
        {
            return compiled.clone();
        }
        let compiled = Arc::new(compile(text));
        let mut cache = self
            .cache
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache
            .entry(text.into())
            .or_insert_with(|| compiled.clone())
            .clone()
    }
}

fn compile(text: &str) -> Compiled {
    match flowdesk_feel::parse_expression(text, &Scope::new()) {
        Ok(expression) => {
            let mut names: Vec<Name> = Vec::new();
            expression.visit(&mut |node| {
                if let ExprKind::Name(name) = &node.kind {
                    if !names.contains(name) {
                        names.push(name.clone());
                    }
                }
            });
            Compiled {
                expression: Ok(expression),
                names,
            }
        }
        Err(error) => Compiled {
            expression: Err(error.to_string()),
            names: Vec::new(),
        },
    }
}

impl ExpressionEvaluator for FeelEvaluator {
    fn evaluate(
        &self,
        expression: &str,
        scope: &dyn VariableScope,
    ) -> Result<Value, ExpressionError> {
        let compiled = self.compiled(expression);
        let parsed = compiled
            .expression
            .as_ref()
            .map_err(|message| ExpressionError {
                expression: expression.to_owned(),
                message: message.clone(),
            })?;
        let mut variables = Context::new();
        for name in &compiled.names {
            if let Some(value) = scope.variable(name) {
                variables.insert(name.clone(), flowdesk_feel::Value::from_json(value));
            }
        }
        Ok(flowdesk_feel::evaluate(parsed, &variables, &self.env).to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn evaluate(feel: &FeelEvaluator, expression: &str) -> Result<Value, ExpressionError> {
        let variables =
            json!({"a": 5, "name": "Ada", "order": {"items": [1, 2, 3], "total": 12.5}});
        let Value::Object(map) = variables else {
            unreachable!()
        };
        feel.evaluate(expression, &map)
    }

    #[test]
    fn literals_paths_and_arithmetic() {
        let feel = FeelEvaluator::new();
        let evaluate = |expression| evaluate(&feel, expression);
        assert_eq!(evaluate("1 + 2 * 3"), Ok(json!(7)));
        assert_eq!(evaluate("a / 2"), Ok(json!(2.5)));
        assert_eq!(evaluate("-a + 1"), Ok(json!(-4)));
        assert_eq!(evaluate("order.total"), Ok(json!(12.5)));
        assert_eq!(evaluate("order.items[2]"), Ok(json!(2)));
        assert_eq!(evaluate("missing.x"), Ok(Value::Null));
        assert_eq!(evaluate("\"Hi \" + name"), Ok(json!("Hi Ada")));
        assert_eq!(evaluate("{x: a, y: [1]}"), Ok(json!({"x": 5, "y": [1]})));
        assert_eq!(
            evaluate("sum(order.items) + count(order.items)"),
            Ok(json!(9))
        );
        assert_eq!(evaluate("0.1 + 0.2"), Ok(json!(0.3)));
        assert_eq!(
            evaluate("for i in order.items return i * a"),
            Ok(json!([5, 10, 15]))
        );
    }

    #[test]
    fn comparisons_and_logic() {
        let feel = FeelEvaluator::new();
        let evaluate = |expression| evaluate(&feel, expression);
        assert_eq!(evaluate("a > 3 and a <= 5"), Ok(json!(true)));
        assert_eq!(evaluate("missing > 3"), Ok(Value::Null));
        assert_eq!(evaluate("missing > 3 and false"), Ok(json!(false)));
        assert_eq!(evaluate("missing = null"), Ok(json!(true)));
        assert_eq!(
            evaluate("if a > 1 then \"big\" else \"small\""),
            Ok(json!("big"))
        );
    }

    #[test]
    fn parses_each_text_once_and_reports_errors() {
        let feel = FeelEvaluator::new();
        assert_eq!(evaluate(&feel, "a + 1"), Ok(json!(6)));
        assert_eq!(evaluate(&feel, "a + 1"), Ok(json!(6)));
        assert_eq!(feel.cache.read().unwrap().len(), 1);
        let error = evaluate(&feel, "a >").unwrap_err();
        assert_eq!(error.expression, "a >");
        assert!(evaluate(&feel, "\"open").is_err());
    }

    #[test]
    fn static_values_are_numbers_or_strings() {
        assert_eq!(static_value("12.5"), json!(12.5));
        assert_eq!(static_value("-3"), json!(-3));
        assert_eq!(static_value("hello"), json!("hello"));
    }
}
