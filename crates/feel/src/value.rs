//! FEEL values, their equality and ordering as FEEL defines them, their
//! display in FEEL syntax, and their conversion to and from JSON.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::ast::{Expr, Type};
use crate::number::Number;
use crate::temporal::{Date, DateTime, DayTimeDuration, Time, YearMonthDuration};

/// A name of a variable, context entry or parameter.
pub type Name = Arc<str>;

/// A FEEL value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// `null`: absent, or the result of an ill-typed operation.
    #[default]
    Null,
    /// A decimal128 number.
    Number(Number),
    /// A string.
    String(Arc<str>),
    /// `true` or `false`.
    Boolean(bool),
    /// A calendar date.
    Date(Date),
    /// A time of day with an optional zone.
    Time(Time),
    /// A date and time with an optional zone.
    DateTime(DateTime),
    /// A years and months duration.
    YearMonthDuration(YearMonthDuration),
    /// A days and time duration.
    DayTimeDuration(DayTimeDuration),
    /// A list.
    List(Arc<Vec<Value>>),
    /// A context: ordered key/value entries with unique keys.
    Context(Arc<Context>),
    /// A range (interval) of ordered values.
    Range(Arc<Range>),
    /// A function: built-in, defined in FEEL, or supplied by the host.
    Function(Function),
}

/// A FEEL context: entries in insertion order, keys unique.
#[derive(Clone, Debug, Default)]
pub struct Context {
    entries: Vec<(Name, Value)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// The value of an entry.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v)
    }

    /// Whether the context has an entry with this key.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Adds an entry or replaces the value of an existing one (keeping its
    /// position).
    pub fn insert(&mut self, key: impl Into<Name>, value: Value) {
        let key = key.into();
        if let Some(e) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            e.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the context has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes an entry.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| &**k == key)?;
        Some(self.entries.remove(i).1)
    }
}

impl<K: Into<Name>> FromIterator<(K, Value)> for Context {
    fn from_iter<T: IntoIterator<Item = (K, Value)>>(iter: T) -> Self {
        let mut c = Context::new();
        for (k, v) in iter {
            c.insert(k, v);
        }
        c
    }
}

/// One end of a range.
#[derive(Clone, Debug)]
pub enum RangeBound {
    /// No bound (`< 10` has no start).
    Unbounded,
    /// The end point belongs to the range.
    Included(Value),
    /// The end point does not belong to the range.
    Excluded(Value),
}

impl RangeBound {
    /// The end point, if any.
    pub fn value(&self) -> Option<&Value> {
        match self {
            RangeBound::Unbounded => None,
            RangeBound::Included(v) | RangeBound::Excluded(v) => Some(v),
        }
    }

    /// Whether the end point belongs to the range.
    pub fn is_included(&self) -> bool {
        matches!(self, RangeBound::Included(_))
    }
}

/// A FEEL range: `[1..10)`, `> 5`, `(date("2020-01-01")..date("2021-01-01")]`.
#[derive(Clone, Debug)]
pub struct Range {
    /// The low end.
    pub start: RangeBound,
    /// The high end.
    pub end: RangeBound,
}

impl Range {
    /// Whether `v` lies in the range; `None` when it cannot be compared with
    /// the end points.
    pub fn contains(&self, v: &Value) -> Option<bool> {
        let lo = match &self.start {
            RangeBound::Unbounded => true,
            RangeBound::Included(s) => matches!(v.compare(s)?, Ordering::Greater | Ordering::Equal),
            RangeBound::Excluded(s) => v.compare(s)? == Ordering::Greater,
        };
        let hi = match &self.end {
            RangeBound::Unbounded => true,
            RangeBound::Included(e) => matches!(v.compare(e)?, Ordering::Less | Ordering::Equal),
            RangeBound::Excluded(e) => v.compare(e)? == Ordering::Less,
        };
        Some(lo && hi)
    }
}

/// A host-supplied function (a business knowledge model, a decision service,
/// an extension).
pub struct NativeFunction {
    /// Name for display and diagnostics.
    pub name: String,
    /// Parameter names, used to bind named arguments.
    pub params: Vec<String>,
    /// How many leading parameters a call must supply (positionally or by
    /// name). A call that leaves one out yields `null` without invoking
    /// [`NativeFunction::call`]; the other parameters may be left out and
    /// are then passed as `null`, like explicit `null` arguments.
    pub required: usize,
    /// The implementation; receives arguments in parameter order.
    #[allow(clippy::type_complexity)]
    pub call: Box<dyn Fn(&[Value]) -> Value + Send + Sync>,
}

impl fmt::Debug for NativeFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NativeFunction({})", self.name)
    }
}

/// A function defined in FEEL with `function(a, b) body`.
#[derive(Debug)]
pub struct UserFunction {
    /// Parameter names with optional declared types.
    pub params: Vec<(Name, Option<Type>)>,
    /// The body.
    pub body: Arc<Expr>,
    /// The variables visible where the function was defined (only those
    /// the body mentions).
    pub closure: Arc<Context>,
}

/// A FEEL function value.
#[derive(Clone, Debug)]
pub enum Function {
    /// A built-in function, by its FEEL name.
    Builtin(&'static str),
    /// A function defined in FEEL.
    User(Arc<UserFunction>),
    /// A function supplied by the host.
    Native(Arc<NativeFunction>),
}

impl Function {
    fn same(&self, other: &Function) -> bool {
        match (self, other) {
            (Function::Builtin(a), Function::Builtin(b)) => a == b,
            (Function::User(a), Function::User(b)) => Arc::ptr_eq(a, b),
            (Function::Native(a), Function::Native(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A number value from an integer.
    pub fn int(n: i64) -> Value {
        Value::Number(Number::from_i64(n))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// A context value.
    pub fn context(c: Context) -> Value {
        Value::Context(Arc::new(c))
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The FEEL type name of the value, as `instance of` spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Boolean(_) => "boolean",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "date and time",
            Value::YearMonthDuration(_) => "years and months duration",
            Value::DayTimeDuration(_) => "days and time duration",
            Value::List(_) => "list",
            Value::Context(_) => "context",
            Value::Range(_) => "range",
            Value::Function(_) => "function",
        }
    }

    /// FEEL `=`: `Some(true|false)`, or `None` (null) for values that cannot
    /// be compared (different types).
    pub fn feel_eq(&self, other: &Value) -> Option<bool> {
        use Value::*;
        match (self, other) {
            (Null, Null) => Some(true),
            (Null, _) | (_, Null) => Some(false),
            (Number(a), Number(b)) => Some(a == b),
            (String(a), String(b)) => Some(a == b),
            (Boolean(a), Boolean(b)) => Some(a == b),
            (Date(a), Date(b)) => Some(a == b),
            (Time(a), Time(b)) => Some(a.equals(b)),
            (DateTime(a), DateTime(b)) => Some(a.equals(b)),
            (YearMonthDuration(a), YearMonthDuration(b)) => Some(a == b),
            (DayTimeDuration(a), DayTimeDuration(b)) => Some(a == b),
            (List(a), List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut all = Some(true);
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.feel_eq(y) {
                        Some(true) => {}
                        Some(false) => return Some(false),
                        None => all = None,
                    }
                }
                all
            }
            (Context(a), Context(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                for (k, v) in a.iter() {
                    match b.get(k) {
                        None => return Some(false),
                        Some(w) => {
                            if v.feel_eq(w) != Some(true) {
                                return Some(false);
                            }
                        }
                    }
                }
                Some(true)
            }
            (Range(a), Range(b)) => {
                let bound_eq = |x: &RangeBound, y: &RangeBound| match (x, y) {
                    (RangeBound::Unbounded, RangeBound::Unbounded) => true,
                    (RangeBound::Included(p), RangeBound::Included(q))
                    | (RangeBound::Excluded(p), RangeBound::Excluded(q)) => {
                        p.feel_eq(q) == Some(true)
                    }
                    _ => false,
                };
                Some(bound_eq(&a.start, &b.start) && bound_eq(&a.end, &b.end))
            }
            (Function(a), Function(b)) => Some(a.same(b)),
            _ => None,
        }
    }

    /// FEEL ordering (`<`, `>` ...): defined for numbers, strings, dates,
    /// times, date and times and durations of the same kind; `None` otherwise.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Number(a), Number(b)) => Some(a.cmp(b)),
            (String(a), String(b)) => Some(a.cmp(b)),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (Time(a), Time(b)) => a.compare(b),
            (DateTime(a), DateTime(b)) => a.compare(b),
            (YearMonthDuration(a), YearMonthDuration(b)) => Some(a.cmp(b)),
            (DayTimeDuration(a), DayTimeDuration(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Equality used by tests and by list functions (`distinct values`,
    /// `index of`, ...): FEEL `=`, where null equals null. Also requires the
    /// same kind of time zone for times and date and times.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::DateTime(a), Value::DateTime(b)) => {
                a.zone.is_some() == b.zone.is_some() && a.compare(b) == Some(Ordering::Equal)
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same_as(y))
            }
            (Value::Context(a), Value::Context(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.same_as(w)))
            }
            _ => self.feel_eq(other) == Some(true),
        }
    }

    /// Converts to JSON. Numbers that an `f64` represents exactly (all
    /// integers up to 2^53 and decimals whose shortest `f64` form is the same
    /// decimal) become JSON numbers; any other number becomes a JSON string
    /// holding its exact decimal form, so no digit is lost. Temporal values
    /// become their ISO 8601 strings, ranges an object with `start`, `end`,
    /// `start included`, `end included`, functions `null`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Function(_) => J::Null,
            Value::Number(n) => {
                if let Some(i) = n.to_i64() {
                    return J::from(i);
                }
                let s = n.to_string();
                if let Ok(f) = s.parse::<f64>() {
                    if f.is_finite()
                        && Number::from_f64(f).is_some_and(|m| m == *n)
                        && format!("{f}") == s
                    {
                        return J::from(f);
                    }
                }
                J::String(s)
            }
            Value::String(s) => J::String(s.to_string()),
            Value::Boolean(b) => J::Bool(*b),
            Value::Date(d) => J::String(d.to_string()),
            Value::Time(t) => J::String(t.to_string()),
            Value::DateTime(t) => J::String(t.to_string()),
            Value::YearMonthDuration(d) => J::String(d.to_string()),
            Value::DayTimeDuration(d) => J::String(d.to_string()),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Context(c) => J::Object(
                c.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
            Value::Range(r) => {
                let mut m = serde_json::Map::new();
                m.insert(
                    "start".into(),
                    r.start.value().map_or(J::Null, Value::to_json),
                );
                m.insert("end".into(), r.end.value().map_or(J::Null, Value::to_json));
                m.insert("start included".into(), J::Bool(r.start.is_included()));
                m.insert("end included".into(), J::Bool(r.end.is_included()));
                J::Object(m)
            }
        }
    }

    /// Converts from JSON. Numbers keep every digit that `serde_json` kept
    /// (parsed from their decimal text); strings stay strings (no guessing of
    /// dates); objects become contexts in document order.
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Boolean(*b),
            J::Number(n) => Number::parse(&n.to_string()).map_or(Value::Null, Value::Number),
            J::String(s) => Value::string(s.as_str()),
            J::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::context(
                o.iter()
                    .map(|(k, v)| (Name::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl PartialEq for Value {
    /// Equality of FEEL values, as [`Value::same_as`]: FEEL `=` where `null`
    /// equals `null` and different types are unequal.
    fn eq(&self, other: &Value) -> bool {
        self.same_as(other)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Boolean(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<Option<Number>> for Value {
    fn from(n: Option<Number>) -> Value {
        n.map_or(Value::Null, Value::Number)
    }
}

/// Writes a string as a FEEL string literal.
pub fn write_string_literal(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

fn is_plain_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_')
}

impl fmt::Display for Value {
    /// FEEL syntax that evaluates back to an equal value (except functions).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write_string_literal(f, s),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Date(d) => write!(f, "date(\"{d}\")"),
            Value::Time(t) => write!(f, "time(\"{t}\")"),
            Value::DateTime(t) => write!(f, "date and time(\"{t}\")"),
            Value::YearMonthDuration(d) => write!(f, "duration(\"{d}\")"),
            Value::DayTimeDuration(d) => write!(f, "duration(\"{d}\")"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Context(c) => {
                f.write_str("{")?;
                for (i, (k, v)) in c.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if is_plain_name(k) {
                        write!(f, "{k}: {v}")?;
                    } else {
                        write_string_literal(f, k)?;
                        write!(f, ": {v}")?;
                    }
                }
                f.write_str("}")
            }
            Value::Range(r) => match (&r.start, &r.end) {
                (RangeBound::Unbounded, RangeBound::Unbounded) => f.write_str("null"),
                (RangeBound::Unbounded, RangeBound::Included(v)) => write!(f, "<= {v}"),
                (RangeBound::Unbounded, RangeBound::Excluded(v)) => write!(f, "< {v}"),
                (RangeBound::Included(v), RangeBound::Unbounded) => write!(f, ">= {v}"),
                (RangeBound::Excluded(v), RangeBound::Unbounded) => write!(f, "> {v}"),
                (s, e) => {
                    f.write_str(if s.is_included() { "[" } else { "(" })?;
                    if let (Some(a), Some(b)) = (s.value(), e.value()) {
                        write!(f, "{a}..{b}")?;
                    }
                    f.write_str(if e.is_included() { "]" } else { ")" })
                }
            },
            Value::Function(func) => match func {
                Function::Builtin(n) => write!(f, "function {n}"),
                Function::User(u) => {
                    f.write_str("function(")?;
                    for (i, (p, _)) in u.params.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        f.write_str(p)?;
                    }
                    f.write_str(")")
                }
                Function::Native(n) => write!(f, "function {}", n.name),
            },
        }
    }
}
