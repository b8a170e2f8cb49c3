//! Expressions: the trait the engine evaluates FEEL through, and a small
//! built-in evaluator.
//!
//! The engine never parses FEEL itself; it hands expression text (without
//! the leading `=`) and a [`VariableScope`] to an [`ExpressionEvaluator`].
//! [`BuiltinEvaluator`] is the stand-in until `flowdesk-feel` is wired in
//! behind this trait. It covers what the scenario corpus needs: literals
//! (numbers, strings, `true`, `false`, `null`), variable paths (`a.b.c`,
//! `list[1]`, 1-based as in FEEL), list literals, context literals
//! (`{a: 1}`), comparisons (`=`, `!=`, `<`, `<=`, `>`, `>=`), arithmetic
//! (`+ - * /`, unary minus), `and`/`or`/`not(…)` with FEEL's three-valued
//! logic, string concatenation with `+`, `if … then … else …`, and the
//! functions `count`, `sum`, `min`, `max`, `string`, `not`, `is defined`
//! written `is_defined`. A missing variable is `null`, as in FEEL.

use serde_json::{Map, Value};

/// Where an expression reads variables from: an element instance's scope
/// and, through it, every enclosing scope.
pub trait VariableScope {
    /// The value of the variable, looked up from the innermost scope outwards.
    fn variable(&self, name: &str) -> Option<&Value>;
}

impl VariableScope for Map<String, Value> {
    fn variable(&self, name: &str) -> Option<&Value> {
        self.get(name)
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
    /// Evaluates `expression` (without the leading `=`) against `scope`.
    fn evaluate(
        &self,
        expression: &str,
        scope: &dyn VariableScope,
    ) -> Result<Value, ExpressionError>;
}

/// The small built-in expression language described in the
/// [module documentation](self); a stand-in for `flowdesk-feel`.
///
/// ```
/// use flowdesk_engine::{BuiltinEvaluator, ExpressionEvaluator};
/// let mut variables = serde_json::Map::new();
/// variables.insert("amount".into(), serde_json::json!(150));
/// let result = BuiltinEvaluator.evaluate("amount > 100 and count([1, 2]) = 2", &variables);
/// assert_eq!(result, Ok(serde_json::json!(true)));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinEvaluator;

impl ExpressionEvaluator for BuiltinEvaluator {
    fn evaluate(
        &self,
        expression: &str,
        scope: &dyn VariableScope,
    ) -> Result<Value, ExpressionError> {
        let fail = |message: String| ExpressionError {
            expression: expression.to_owned(),
            message,
        };
        let tokens = tokenize(expression).map_err(fail)?;
        let mut parser = Parser {
            tokens,
            position: 0,
            scope,
        };
        let value = parser.expression().map_err(fail)?;
        if parser.position != parser.tokens.len() {
            return Err(fail(format!(
                "unexpected {} after the end of the expression",
                parser.tokens[parser.position].describe()
            )));
        }
        Ok(value)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
    Name(String),
    Symbol(&'static str),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(number) => format!("number {number}"),
            Token::Text(text) => format!("string \"{text}\""),
            Token::Name(name) => format!("\"{name}\""),
            Token::Symbol(symbol) => format!("\"{symbol}\""),
        }
    }
}

const SYMBOLS: [&str; 17] = [
    "<=", ">=", "!=", "==", "(", ")", "[", "]", "{", "}", ",", ".", ":", "+", "-", "*", "/",
];

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte.is_ascii_whitespace() {
            index += 1;
        } else if byte.is_ascii_digit() {
            let start = index;
            while index < bytes.len() && (bytes[index].is_ascii_digit() || bytes[index] == b'.') {
                // A dot followed by a non-digit ends the number (path access).
                if bytes[index] == b'.' && !bytes.get(index + 1).is_some_and(u8::is_ascii_digit) {
                    break;
                }
                index += 1;
            }
            let number = text[start..index]
                .parse()
                .map_err(|_| format!("bad number \"{}\"", &text[start..index]))?;
            tokens.push(Token::Number(number));
        } else if byte == b'"' {
            let mut value = String::new();
            let mut chars = text[index + 1..].char_indices();
            let mut closed = None;
            while let Some((offset, character)) = chars.next() {
                match character {
                    '"' => {
                        closed = Some(offset);
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, other)) => value.push(other),
                        None => break,
                    },
                    other => value.push(other),
                }
            }
            let end = closed.ok_or("unterminated string")?;
            index += end + 2;
            tokens.push(Token::Text(value));
        } else if byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80 {
            let start = index;
            while index < bytes.len()
                && (bytes[index].is_ascii_alphanumeric()
                    || bytes[index] == b'_'
                    || bytes[index] >= 0x80)
            {
                index += 1;
            }
            tokens.push(Token::Name(text[start..index].to_owned()));
        } else if let Some(symbol) = SYMBOLS
            .iter()
            .find(|symbol| text[index..].starts_with(**symbol))
        {
            tokens.push(Token::Symbol(symbol));
            index += symbol.len();
        } else if byte == b'=' {
            tokens.push(Token::Symbol("="));
            index += 1;
        } else if byte == b'<' || byte == b'>' {
            tokens.push(Token::Symbol(if byte == b'<' { "<" } else { ">" }));
            index += 1;
        } else {
            let character = text[index..].chars().next().unwrap_or('?');
            return Err(format!("unexpected character '{character}'"));
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    position: usize,
    scope: &'a dyn VariableScope,
}

type Evaluated = Result<Value, String>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(found)) if *found == symbol) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn eat_name(&mut self, name: &str) -> bool {
        if matches!(self.peek(), Some(Token::Name(found)) if found == name) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<(), String> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            Err(match self.peek() {
                Some(token) => format!("expected \"{symbol}\" but found {}", token.describe()),
                None => format!("expected \"{symbol}\" but the expression ended"),
            })
        }
    }

    fn expression(&mut self) -> Evaluated {
        if self.eat_name("if") {
            let condition = self.expression()?;
            if !self.eat_name("then") {
                return Err("expected \"then\"".into());
            }
            let then = self.expression()?;
            if !self.eat_name("else") {
                return Err("expected \"else\"".into());
            }
            let otherwise = self.expression()?;
            return Ok(if condition == Value::Bool(true) {
                then
            } else {
                otherwise
            });
        }
        let mut left = self.conjunction()?;
        while self.eat_name("or") {
            let right = self.conjunction()?;
            left = match (truth(&left), truth(&right)) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            };
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Evaluated {
        let mut left = self.comparison()?;
        while self.eat_name("and") {
            let right = self.comparison()?;
            left = match (truth(&left), truth(&right)) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            };
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Evaluated {
        let left = self.sum()?;
        let operator = match self.peek() {
            Some(Token::Symbol(symbol @ ("=" | "==" | "!=" | "<" | "<=" | ">" | ">="))) => *symbol,
            _ => return Ok(left),
        };
        self.position += 1;
        let right = self.sum()?;
        Ok(compare(operator, &left, &right))
    }

    fn sum(&mut self) -> Evaluated {
        let mut left = self.product()?;
        loop {
            if self.eat_symbol("+") {
                let right = self.product()?;
                left = match (&left, &right) {
                    (Value::String(a), Value::String(b)) => Value::String(format!("{a}{b}")),
                    _ => arithmetic(&left, &right, |a, b| Some(a + b)),
                };
            } else if self.eat_symbol("-") {
                let right = self.product()?;
                left = arithmetic(&left, &right, |a, b| Some(a - b));
            } else {
                return Ok(left);
            }
        }
    }

    fn product(&mut self) -> Evaluated {
        let mut left = self.unary()?;
        loop {
            if self.eat_symbol("*") {
                let right = self.unary()?;
                left = arithmetic(&left, &right, |a, b| Some(a * b));
            } else if self.eat_symbol("/") {
                let right = self.unary()?;
                left = arithmetic(&left, &right, |a, b| (b != 0.0).then(|| a / b));
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Evaluated {
        if self.eat_symbol("-") {
            let value = self.unary()?;
            return Ok(arithmetic(&Value::from(0), &value, |a, b| Some(a - b)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Evaluated {
        let mut value = self.primary()?;
        loop {
            if self.eat_symbol(".") {
                let Some(Token::Name(name)) = self.peek().cloned() else {
                    return Err("expected a name after \".\"".into());
                };
                self.position += 1;
                value = value.get(&name).cloned().unwrap_or(Value::Null);
            } else if self.eat_symbol("[") {
                let index = self.expression()?;
                self.expect_symbol("]")?;
                value = match (&value, index.as_f64()) {
                    (Value::Array(items), Some(index)) if index >= 1.0 => items
                        .get(index as usize - 1)
                        .cloned()
                        .unwrap_or(Value::Null),
                    (Value::Array(items), Some(index)) if index < 0.0 => {
                        let from_end = (-index) as usize;
                        items
                            .len()
                            .checked_sub(from_end)
                            .and_then(|position| items.get(position))
                            .cloned()
                            .unwrap_or(Value::Null)
                    }
                    _ => Value::Null,
                };
            } else {
                return Ok(value);
            }
        }
    }

    fn arguments(&mut self, close: &str) -> Result<Vec<Value>, String> {
        let mut values = Vec::new();
        if self.eat_symbol(close) {
            return Ok(values);
        }
        loop {
            values.push(self.expression()?);
            if self.eat_symbol(close) {
                return Ok(values);
            }
            self.expect_symbol(",")?;
        }
    }

    fn primary(&mut self) -> Evaluated {
        let Some(token) = self.peek().cloned() else {
            return Err("the expression ended too early".into());
        };
        self.position += 1;
        match token {
            Token::Number(number) => Ok(number_value(number)),
            Token::Text(text) => Ok(Value::String(text)),
            Token::Symbol("(") => {
                let value = self.expression()?;
                self.expect_symbol(")")?;
                Ok(value)
            }
            Token::Symbol("[") => Ok(Value::Array(self.arguments("]")?)),
            Token::Symbol("{") => {
                let mut context = Map::new();
                if self.eat_symbol("}") {
                    return Ok(Value::Object(context));
                }
                loop {
                    let key = match self.peek().cloned() {
                        Some(Token::Name(name)) | Some(Token::Text(name)) => name,
                        _ => return Err("expected a key in the context".into()),
                    };
                    self.position += 1;
                    self.expect_symbol(":")?;
                    let value = self.expression()?;
                    context.insert(key, value);
                    if self.eat_symbol("}") {
                        return Ok(Value::Object(context));
                    }
                    self.expect_symbol(",")?;
                }
            }
            Token::Symbol(symbol) => Err(format!("unexpected \"{symbol}\"")),
            Token::Name(name) => match name.as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" => Ok(Value::Null),
                _ if self.eat_symbol("(") => {
                    let arguments = self.arguments(")")?;
                    call(&name, arguments)
                }
                _ if name == "is_defined" => Err("is_defined needs parentheses".into()),
                _ => Ok(self.scope.variable(&name).cloned().unwrap_or(Value::Null)),
            },
        }
    }
}

fn truth(value: &Value) -> Option<bool> {
    value.as_bool()
}

fn number_value(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        Value::from(number as i64)
    } else {
        serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

fn arithmetic(left: &Value, right: &Value, operation: impl Fn(f64, f64) -> Option<f64>) -> Value {
    match (left.as_f64(), right.as_f64()) {
        (Some(a), Some(b)) => operation(a, b).map_or(Value::Null, number_value),
        _ => Value::Null,
    }
}

fn compare(operator: &str, left: &Value, right: &Value) -> Value {
    use std::cmp::Ordering;
    if matches!(operator, "=" | "==" | "!=") {
        let equal = match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => left == right,
        };
        return Value::Bool(equal == (operator != "!="));
    }
    let ordering = match (left, right) {
        (Value::Number(_), Value::Number(_)) => left
            .as_f64()
            .zip(right.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match ordering {
        None => Value::Null,
        Some(ordering) => Value::Bool(match operator {
            "<" => ordering == Ordering::Less,
            "<=" => ordering != Ordering::Greater,
            ">" => ordering == Ordering::Greater,
            _ => ordering != Ordering::Less,
        }),
    }
}

fn call(name: &str, arguments: Vec<Value>) -> Evaluated {
    let list = |arguments: &[Value]| -> Vec<Value> {
        match arguments {
            [Value::Array(items)] => items.clone(),
            other => other.to_vec(),
        }
    };
    match name {
        "count" => match arguments.as_slice() {
            [Value::Array(items)] => Ok(Value::from(items.len())),
            [_] => Ok(Value::Null),
            _ => Err("count takes one list".into()),
        },
        "sum" => {
            let items = list(&arguments);
            let mut total = 0.0;
            for item in &items {
                match item.as_f64() {
                    Some(number) => total += number,
                    None => return Ok(Value::Null),
                }
            }
            Ok(number_value(total))
        }
        "min" | "max" => {
            let numbers: Option<Vec<f64>> = list(&arguments).iter().map(Value::as_f64).collect();
            let numbers = numbers.unwrap_or_default();
            let best = numbers.into_iter().reduce(|a, b| {
                if (name == "min") == (b < a) {
                    b
                } else {
                    a
                }
            });
            Ok(best.map_or(Value::Null, number_value))
        }
        "not" => match arguments.as_slice() {
            [Value::Bool(value)] => Ok(Value::Bool(!value)),
            [_] => Ok(Value::Null),
            _ => Err("not takes one argument".into()),
        },
        "string" => match arguments.as_slice() {
            [Value::String(text)] => Ok(Value::String(text.clone())),
            [Value::Null] => Ok(Value::Null),
            [other] => Ok(Value::String(other.to_string())),
            _ => Err("string takes one argument".into()),
        },
        "is_defined" => match arguments.as_slice() {
            [value] => Ok(Value::Bool(!value.is_null())),
            _ => Err("is_defined takes one argument".into()),
        },
        other => Err(format!(
            "unknown function \"{other}\" (the built-in evaluator knows count, sum, min, max, not, string, is_defined)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn evaluate(expression: &str) -> Result<Value, ExpressionError> {
        let variables =
            json!({"a": 5, "name": "Ada", "order": {"items": [1, 2, 3], "total": 12.5}});
        let Value::Object(map) = variables else {
            unreachable!()
        };
        BuiltinEvaluator.evaluate(expression, &map)
    }

    #[test]
    fn literals_paths_and_arithmetic() {
        assert_eq!(evaluate("1 + 2 * 3"), Ok(json!(7)));
        assert_eq!(evaluate("(1 + 2) * 3"), Ok(json!(9)));
        assert_eq!(evaluate("a / 2"), Ok(json!(2.5)));
        assert_eq!(evaluate("-a + 1"), Ok(json!(-4)));
        assert_eq!(evaluate("order.total"), Ok(json!(12.5)));
        assert_eq!(evaluate("order.items[2]"), Ok(json!(2)));
        assert_eq!(evaluate("missing.x"), Ok(Value::Null));
        assert_eq!(evaluate("\"Hi \" + name"), Ok(json!("Hi Ada")));
        assert_eq!(evaluate("[1, a, \"x\"]"), Ok(json!([1, 5, "x"])));
        assert_eq!(evaluate("{x: a, y: [1]}"), Ok(json!({"x": 5, "y": [1]})));
        assert_eq!(evaluate("count(order.items)"), Ok(json!(3)));
        assert_eq!(evaluate("sum(order.items)"), Ok(json!(6)));
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(evaluate("a > 3 and a <= 5"), Ok(json!(true)));
        assert_eq!(evaluate("a = 5"), Ok(json!(true)));
        assert_eq!(evaluate("name != \"Ada\" or not(a < 0)"), Ok(json!(true)));
        assert_eq!(evaluate("missing > 3"), Ok(Value::Null));
        assert_eq!(evaluate("missing > 3 and false"), Ok(json!(false)));
        assert_eq!(evaluate("missing = null"), Ok(json!(true)));
        assert_eq!(
            evaluate("if a > 1 then \"big\" else \"small\""),
            Ok(json!("big"))
        );
    }

    #[test]
    fn errors_name_the_expression() {
        let error = evaluate("a >").unwrap_err();
        assert_eq!(error.expression, "a >");
        assert!(evaluate("frobnicate(1)").is_err());
        assert!(evaluate("\"open").is_err());
        assert!(evaluate("a b").is_err());
    }
}
