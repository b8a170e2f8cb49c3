//! The FEEL interpreter: a tree walk over the AST. Ill-typed operations
//! yield `null`, as the DMN specification says; nothing panics on input.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::NaiveTime;

use crate::ast::{Arguments, BinaryOp, Expr, ExprKind, Iteration, Type, UnaryTest, UnaryTests};
use crate::number::Number;
use crate::temporal::{self, DateTime, DayTimeDuration, YearMonthDuration, Zone};
use crate::value::{Context, Function, Name, Range, RangeBound, UserFunction, Value};

/// The source of the current date and time for `now()` and `today()`.
/// The interpreter never reads the system clock itself.
pub trait Clock: Send + Sync {
    /// The current date and time, with its zone.
    fn now(&self) -> DateTime;
}

/// A clock that always says the same time (for tests and replays).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub DateTime);

impl Clock for FixedClock {
    fn now(&self) -> DateTime {
        self.0
    }
}

/// What an evaluation may use besides its variables: the clock.
#[derive(Clone, Default)]
pub struct Env {
    clock: Option<Arc<dyn Clock>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("clock", &self.clock.as_ref().map(|c| c.now()))
            .finish()
    }
}

impl Env {
    /// An environment without a clock: `now()` and `today()` yield `null`.
    pub fn new() -> Env {
        Env::default()
    }

    /// An environment whose `now()` and `today()` ask `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Env {
        Env { clock: Some(clock) }
    }

    /// The current date and time, when there is a clock.
    pub fn now(&self) -> Option<DateTime> {
        self.clock.as_ref().map(|c| c.now())
    }
}

/// Nesting limit for function calls, so that runaway recursion in a model
/// yields `null` instead of exhausting the stack.
const MAX_DEPTH: usize = 1000;

enum Frame {
    Var(Name, Value),
    Ctx(Arc<Context>),
}

/// The state of one evaluation.
pub(crate) struct Eval<'a> {
    root: &'a Context,
    pub(crate) env: &'a Env,
    frames: Vec<Frame>,
    inputs: Vec<Value>,
    depth: usize,
}

/// Evaluates an expression against the variables in `context`.
pub fn evaluate(expr: &Expr, context: &Context, env: &Env) -> Value {
    let mut ev = Eval::new(context, env);
    ev.eval(expr)
}

/// Evaluates unary tests against an input value: `Boolean(true)` when they
/// match, `Boolean(false)` when not, `Null` when the match is undefined.
pub fn evaluate_unary_tests(
    tests: &UnaryTests,
    input: &Value,
    context: &Context,
    env: &Env,
) -> Value {
    let mut ev = Eval::new(context, env);
    match tests {
        UnaryTests::Any => Value::Boolean(true),
        UnaryTests::Positive(t) => ev.test_any(t, input),
        UnaryTests::Negated(t) => match ev.test_any(t, input) {
            Value::Boolean(b) => Value::Boolean(!b),
            _ => Value::Null,
        },
    }
}

fn num(n: Option<Number>) -> Value {
    n.map_or(Value::Null, Value::Number)
}

fn bool_or_null(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Boolean)
}

impl<'a> Eval<'a> {
    pub(crate) fn new(root: &'a Context, env: &'a Env) -> Eval<'a> {
        Eval {
            root,
            env,
            frames: Vec::new(),
            inputs: Vec::new(),
            depth: 0,
        }
    }

    fn lookup(&self, name: &str) -> Option<Value> {
        for f in self.frames.iter().rev() {
            match f {
                Frame::Var(n, v) => {
                    if &**n == name {
                        return Some(v.clone());
                    }
                }
                Frame::Ctx(c) => {
                    if let Some(v) = c.get(name) {
                        return Some(v.clone());
                    }
                }
            }
        }
        self.root.get(name).cloned()
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> Value {
        // Deeply nested expressions and recursive functions grow the stack
        // on the heap instead of overflowing it.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_node(e))
    }

    fn eval_node(&mut self, e: &Expr) -> Value {
        match &e.kind {
            ExprKind::Literal(v) => v.clone(),
            ExprKind::Name(n) => match self.lookup(n) {
                Some(v) => v,
                None => crate::builtins::lookup(n)
                    .map_or(Value::Null, |b| Value::Function(Function::Builtin(b))),
            },
            ExprKind::InputValue => self.inputs.last().cloned().unwrap_or(Value::Null),
            ExprKind::Path(base, name) => {
                // `(= x)` is no range value (`(= 10) = [10..10]` is false)
                // but has the properties of `[x..x]`.
                if let ExprKind::UnaryComparison(BinaryOp::Eq, x) = &base.kind {
                    let v = self.eval(x);
                    if v.compare(&v).is_none() {
                        return Value::Null;
                    }
                    let r = Range {
                        start: RangeBound::Included(v.clone()),
                        end: RangeBound::Included(v),
                    };
                    return path(&Value::Range(Arc::new(r)), name);
                }
                let v = self.eval(base);
                path(&v, name)
            }
            ExprKind::Filter(base, filter) => {
                let v = self.eval(base);
                self.filter(v, filter)
            }
            ExprKind::Call(callee, args) => self.call_expr(callee, args),
            ExprKind::Negate(x) => match self.eval(x) {
                Value::Number(n) => Value::Number(n.neg()),
                Value::DayTimeDuration(d) => {
                    d.0.checked_neg()
                        .map_or(Value::Null, |n| Value::DayTimeDuration(DayTimeDuration(n)))
                }
                Value::YearMonthDuration(d) => d.0.checked_neg().map_or(Value::Null, |n| {
                    Value::YearMonthDuration(YearMonthDuration(n))
                }),
                _ => Value::Null,
            },
            ExprKind::Binary(op, l, r) => {
                let a = self.eval(l);
                let b = self.eval(r);
                binary(*op, &a, &b)
            }
            ExprKind::And(l, r) => {
                let a = self.eval(l);
                if matches!(a, Value::Boolean(false)) {
                    return Value::Boolean(false);
                }
                let b = self.eval(r);
                match (a, b) {
                    (_, Value::Boolean(false)) => Value::Boolean(false),
                    (Value::Boolean(true), Value::Boolean(true)) => Value::Boolean(true),
                    _ => Value::Null,
                }
            }
            ExprKind::Or(l, r) => {
                let a = self.eval(l);
                if matches!(a, Value::Boolean(true)) {
                    return Value::Boolean(true);
                }
                let b = self.eval(r);
                match (a, b) {
                    (_, Value::Boolean(true)) => Value::Boolean(true),
                    (Value::Boolean(false), Value::Boolean(false)) => Value::Boolean(false),
                    _ => Value::Null,
                }
            }
            ExprKind::Between(x, lo, hi) => {
                let x = self.eval(x);
                let lo = self.eval(lo);
                let hi = self.eval(hi);
                let a = binary(BinaryOp::Ge, &x, &lo);
                let b = binary(BinaryOp::Le, &x, &hi);
                match (a, b) {
                    (Value::Boolean(false), _) | (_, Value::Boolean(false)) => {
                        Value::Boolean(false)
                    }
                    (Value::Boolean(true), Value::Boolean(true)) => Value::Boolean(true),
                    _ => Value::Null,
                }
            }
            ExprKind::In(x, tests) => {
                let x = self.eval(x);
                self.test_any(tests, &x)
            }
            ExprKind::InstanceOf(x, ty) => {
                let v = self.eval(x);
                match ty {
                    Type::Named(_) => Value::Null,
                    _ => Value::Boolean(conforms(&v, ty)),
                }
            }
            ExprKind::If(c, t, f) => match self.eval(c) {
                Value::Boolean(true) => self.eval(t),
                _ => self.eval(f),
            },
            ExprKind::For {
                iterations,
                body,
                uses_partial,
            } => {
                let mut out = Vec::new();
                if self.for_loop(iterations, body, *uses_partial, &mut out) {
                    Value::list(out)
                } else {
                    Value::Null
                }
            }
            ExprKind::Quantified {
                every,
                iterations,
                condition,
            } => {
                let mut result = if *every { Some(true) } else { Some(false) };
                self.quantified(*every, iterations, condition, &mut result);
                bool_or_null(result)
            }
            ExprKind::Function {
                params,
                body,
                external,
            } => {
                if *external {
                    return Value::Null;
                }
                // Capture only the free names the body mentions.
                let mut closure = Context::new();
                body.visit(&mut |n| {
                    if let ExprKind::Name(name) = &n.kind {
                        if params.iter().all(|(p, _)| p != name) && !closure.contains_key(name) {
                            if let Some(v) = self.lookup(name) {
                                closure.insert(name.clone(), v);
                            }
                        }
                    }
                });
                Value::Function(Function::User(Arc::new(UserFunction {
                    params: params.clone(),
                    body: body.clone(),
                    closure: Arc::new(closure),
                })))
            }
            ExprKind::List(items) => Value::list(items.iter().map(|i| self.eval(i)).collect()),
            ExprKind::Context(entries) => {
                let ctx = Arc::new(Context::new());
                self.frames.push(Frame::Ctx(ctx));
                for (k, x) in entries {
                    let v = self.eval(x);
                    if let Some(Frame::Ctx(c)) = self.frames.last_mut() {
                        if c.contains_key(k) {
                            // Duplicate keys make the context null.
                            self.frames.pop();
                            return Value::Null;
                        }
                        Arc::make_mut(c).insert(k.clone(), v);
                    }
                }
                match self.frames.pop() {
                    Some(Frame::Ctx(c)) => Value::Context(c),
                    _ => Value::Null,
                }
            }
            ExprKind::Range {
                start_included,
                start,
                end,
                end_included,
            } => {
                let s = self.eval(start);
                let t = self.eval(end);
                literal_range(s, *start_included, t, *end_included)
            }
            ExprKind::UnaryComparison(op, x) => {
                let v = self.eval(x);
                unary_comparison_range(*op, v)
            }
        }
    }

    fn filter(&mut self, v: Value, filter: &Expr) -> Value {
        let list = match v {
            Value::List(l) => l,
            Value::Null => return Value::Null,
            other => Arc::new(vec![other]),
        };
        // A numeric filter is an index (1-based; negative from the end).
        if let ExprKind::Literal(Value::Number(n)) = &filter.kind {
            return index(&list, n);
        }
        let mut out = Vec::new();
        let item_name = Name::from("item");
        for (i, item) in list.iter().enumerate() {
            let pushed = self.push_item(&item_name, item);
            let r = self.eval(filter);
            self.frames.truncate(self.frames.len() - pushed);
            match r {
                Value::Boolean(true) => out.push(item.clone()),
                Value::Number(n) if i == 0 => return index(&list, &n),
                _ => {}
            }
        }
        Value::list(out)
    }

    /// Binds `item` and, for contexts, the item's entries.
    fn push_item(&mut self, item_name: &Name, item: &Value) -> usize {
        self.frames
            .push(Frame::Var(item_name.clone(), item.clone()));
        if let Value::Context(c) = item {
            self.frames.push(Frame::Ctx(c.clone()));
            2
        } else {
            1
        }
    }

    fn for_loop(
        &mut self,
        iterations: &[(Name, Iteration)],
        body: &Expr,
        uses_partial: bool,
        out: &mut Vec<Value>,
    ) -> bool {
        let Some(((name, it), rest)) = iterations.split_first() else {
            if uses_partial {
                self.frames
                    .push(Frame::Var(Name::from("partial"), Value::list(out.clone())));
                let v = self.eval(body);
                self.frames.pop();
                out.push(v);
            } else {
                let v = self.eval(body);
                out.push(v);
            }
            return true;
        };
        let items: Vec<Value> = match it {
            Iteration::List(e) => match self.eval(e) {
                Value::List(l) => l.as_ref().clone(),
                Value::Range(r) => match range_items(&r) {
                    Some(v) => v,
                    None => return false,
                },
                Value::Null => return false,
                other => vec![other],
            },
            Iteration::Range(a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                match integer_range(&a, &b) {
                    Some(v) => v,
                    None => return false,
                }
            }
        };
        for item in items {
            self.frames.push(Frame::Var(name.clone(), item));
            let ok = self.for_loop(rest, body, uses_partial, out);
            self.frames.pop();
            if !ok {
                return false;
            }
        }
        true
    }

    fn quantified(
        &mut self,
        every: bool,
        iterations: &[(Name, Expr)],
        cond: &Expr,
        result: &mut Option<bool>,
    ) -> bool {
        let Some(((name, list), rest)) = iterations.split_first() else {
            match self.eval(cond) {
                Value::Boolean(b) if b != every => {
                    *result = Some(b);
                    return false;
                }
                Value::Boolean(_) => {}
                _ => {}
            }
            return true;
        };
        let items = match self.eval(list) {
            Value::List(l) => l,
            Value::Null => {
                *result = None;
                return false;
            }
            other => Arc::new(vec![other]),
        };
        for item in items.iter() {
            self.frames.push(Frame::Var(name.clone(), item.clone()));
            let go_on = self.quantified(every, rest, cond, result);
            self.frames.pop();
            if !go_on {
                return false;
            }
        }
        true
    }

    /// Whether `input` satisfies one of the tests.
    pub(crate) fn test_any(&mut self, tests: &[UnaryTest], input: &Value) -> Value {
        let mut any_null = false;
        for t in tests {
            match self.test_one(t, input) {
                Value::Boolean(true) => return Value::Boolean(true),
                Value::Boolean(false) => {}
                _ => any_null = true,
            }
        }
        if any_null {
            Value::Null
        } else {
            Value::Boolean(false)
        }
    }

    fn test_one(&mut self, t: &UnaryTest, input: &Value) -> Value {
        if let ExprKind::UnaryComparison(op @ (BinaryOp::Eq | BinaryOp::Ne), x) = &t.expr.kind {
            self.inputs.push(input.clone());
            let v = self.eval(x);
            self.inputs.pop();
            return binary(*op, input, &v);
        }
        self.inputs.push(input.clone());
        let v = self.eval(&t.expr);
        self.inputs.pop();
        if t.uses_input {
            return match v {
                Value::Boolean(_) => v,
                other => bool_or_null(input.feel_eq(&other)),
            };
        }
        match_test_value(&v, input)
    }

    fn call_expr(&mut self, callee: &Expr, args: &Arguments) -> Value {
        let f = self.eval(callee);
        let Value::Function(f) = f else {
            return Value::Null;
        };
        match args {
            Arguments::Positional(a) => {
                let vals: Vec<Value> = a.iter().map(|x| self.eval(x)).collect();
                self.call(&f, vals)
            }
            Arguments::Named(a) => {
                let vals: Vec<(Name, Value)> =
                    a.iter().map(|(n, x)| (n.clone(), self.eval(x))).collect();
                self.call_named(&f, vals)
            }
        }
    }

    fn call_named(&mut self, f: &Function, args: Vec<(Name, Value)>) -> Value {
        let names: Vec<String> = match f {
            Function::Builtin(b) => {
                return match crate::builtins::bind_named(b, &args) {
                    Some(pos) => self.call(f, pos),
                    None => Value::Null,
                }
            }
            Function::User(u) => u.params.iter().map(|(p, _)| p.to_string()).collect(),
            Function::Native(n) => n.params.clone(),
        };
        let mut pos = vec![Value::Null; names.len()];
        let mut given = vec![false; names.len()];
        for (n, v) in args {
            match names.iter().position(|p| **p == *n) {
                Some(i) => {
                    pos[i] = v;
                    given[i] = true;
                }
                None => return Value::Null,
            }
        }
        if let Function::Native(n) = f {
            if given.iter().take(n.required).any(|g| !g) {
                return Value::Null;
            }
        }
        self.call(f, pos)
    }

    /// Invokes a function value with positional arguments.
    pub(crate) fn call(&mut self, f: &Function, mut args: Vec<Value>) -> Value {
        if self.depth >= MAX_DEPTH {
            return Value::Null;
        }
        self.depth += 1;
        let r = match f {
            Function::Builtin(b) => crate::builtins::call(b, args, self),
            Function::Native(n) => {
                if args.len() > n.params.len() || args.len() < n.required {
                    Value::Null
                } else {
                    args.resize(n.params.len(), Value::Null);
                    (n.call)(&args)
                }
            }
            Function::User(u) => {
                if args.len() != u.params.len() {
                    Value::Null
                } else {
                    args.resize(u.params.len(), Value::Null);
                    let mut frame = Context::new();
                    let mut ok = true;
                    for ((p, ty), v) in u.params.iter().zip(args) {
                        let v = match ty {
                            Some(t) => match coerce(v, t) {
                                Some(v) => v,
                                None => {
                                    ok = false;
                                    Value::Null
                                }
                            },
                            None => v,
                        };
                        frame.insert(p.clone(), v);
                    }
                    if ok {
                        let mark = self.frames.len();
                        self.frames.push(Frame::Ctx(u.closure.clone()));
                        self.frames.push(Frame::Ctx(Arc::new(frame)));
                        let saved_inputs = std::mem::take(&mut self.inputs);
                        let r = self.eval(&u.body);
                        self.inputs = saved_inputs;
                        self.frames.truncate(mark);
                        r
                    } else {
                        Value::Null
                    }
                }
            }
        };
        self.depth -= 1;
        r
    }
}

/// Coerces an argument to a declared parameter type: singleton lists and
/// single values convert into each other; anything else that does not
/// conform fails.
fn coerce(v: Value, ty: &Type) -> Option<Value> {
    if conforms(&v, ty) || v.is_null() {
        return Some(v);
    }
    match (&v, ty) {
        (Value::List(l), t) if l.len() == 1 && !matches!(t, Type::List(_)) => {
            let x = l[0].clone();
            if conforms(&x, t) {
                Some(x)
            } else {
                None
            }
        }
        (_, Type::List(inner)) if conforms(&v, inner) => Some(Value::list(vec![v])),
        _ => None,
    }
}

/// Whether a value conforms to a type (`instance of`).
pub fn conforms(v: &Value, ty: &Type) -> bool {
    match ty {
        Type::Any => !v.is_null(),
        Type::Null => v.is_null(),
        Type::Number => matches!(v, Value::Number(_)),
        Type::String => matches!(v, Value::String(_)),
        Type::Boolean => matches!(v, Value::Boolean(_)),
        Type::Date => matches!(v, Value::Date(_)),
        Type::Time => matches!(v, Value::Time(_)),
        Type::DateTime => matches!(v, Value::DateTime(_)),
        Type::DayTimeDuration => matches!(v, Value::DayTimeDuration(_)),
        Type::YearMonthDuration => matches!(v, Value::YearMonthDuration(_)),
        Type::List(inner) => match v {
            Value::List(l) => l.iter().all(|x| x.is_null() || conforms(x, inner)),
            _ => false,
        },
        Type::Context(entries) => match v {
            Value::Context(c) => entries
                .iter()
                .all(|(k, t)| c.get(k).is_some_and(|x| x.is_null() || conforms(x, t))),
            _ => false,
        },
        Type::Range(inner) => match v {
            Value::Range(r) => [r.start.value(), r.end.value()]
                .into_iter()
                .flatten()
                .all(|x| conforms(x, inner)),
            _ => false,
        },
        Type::Function(sig) => match v {
            Value::Function(Function::User(u)) => match sig {
                None => true,
                Some((params, _)) => {
                    params.len() == u.params.len()
                        && u.params.iter().zip(params).all(|((_, pt), t)| match pt {
                            Some(pt) => pt == t || *t == Type::Any,
                            None => true,
                        })
                }
            },
            Value::Function(_) => true,
            _ => false,
        },
        Type::Named(_) => false,
    }
}

/// How a value matches a positive unary test whose expression gave `v`.
fn match_test_value(v: &Value, input: &Value) -> Value {
    match v {
        Value::Range(r) => bool_or_null(r.contains(input)),
        Value::List(l) => {
            if let Value::List(_) = input {
                if input.feel_eq(v) == Some(true) {
                    return Value::Boolean(true);
                }
            }
            for x in l.iter() {
                let m = match x {
                    Value::Range(r) => r.contains(input),
                    _ => input.feel_eq(x),
                };
                if m == Some(true) {
                    return Value::Boolean(true);
                }
            }
            Value::Boolean(false)
        }
        Value::Boolean(true) if !matches!(input, Value::Boolean(_)) => Value::Boolean(true),
        _ => bool_or_null(input.feel_eq(v)),
    }
}

fn index(list: &[Value], n: &Number) -> Value {
    let Some(i) = n.to_i64() else {
        return Value::Null;
    };
    let len = list.len() as i64;
    let idx = if i > 0 {
        i - 1
    } else if i < 0 {
        len + i
    } else {
        return Value::Null;
    };
    if idx < 0 || idx >= len {
        return Value::Null;
    }
    list[idx as usize].clone()
}

/// `a..b` in a `for`: integers from `a` to `b`, descending when `b < a`.
fn integer_range(a: &Value, b: &Value) -> Option<Vec<Value>> {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.to_i64()?, b.to_i64()?);
            if a.abs_diff(b) > 1_000_000 {
                return None;
            }
            Some(if a <= b {
                (a..=b).map(Value::int).collect()
            } else {
                (b..=a).rev().map(Value::int).collect()
            })
        }
        (Value::Date(a), Value::Date(b)) => {
            let days = b.days() - a.days();
            if days.abs() > 1_000_000 {
                return None;
            }
            let step = if days >= 0 { 1 } else { -1 };
            Some(
                (0..=days.abs())
                    .filter_map(|i| a.add_days(i * step).ok())
                    .map(Value::Date)
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Items of a range with integer or date end points (for iteration).
fn range_items(r: &Range) -> Option<Vec<Value>> {
    let (s, e) = (r.start.value()?, r.end.value()?);
    let mut items = integer_range(s, e)?;
    if !r.start.is_included() && !items.is_empty() {
        items.remove(0);
    }
    if !r.end.is_included() {
        items.pop();
    }
    Some(items)
}

/// A range written `[a..b]`: a null end point stays a (null) bound, so
/// that membership is undefined; a descending range is null.
fn literal_range(s: Value, start_included: bool, t: Value, end_included: bool) -> Value {
    match (&s, &t) {
        (Value::Null, Value::Null) => Value::Null,
        (Value::Null, _) | (_, Value::Null) => {
            let bound = |v: Value, inc: bool| {
                if inc {
                    RangeBound::Included(v)
                } else {
                    RangeBound::Excluded(v)
                }
            };
            Value::Range(Arc::new(Range {
                start: bound(s, start_included),
                end: bound(t, end_included),
            }))
        }
        (a, b) => match a.compare(b) {
            Some(Ordering::Greater) | None => Value::Null,
            _ => make_range(s, start_included, t, end_included),
        },
    }
}

pub(crate) fn make_range(s: Value, start_included: bool, t: Value, end_included: bool) -> Value {
    let comparable = match (&s, &t) {
        (Value::Null, Value::Null) => false,
        (Value::Null, _) | (_, Value::Null) => true,
        (a, b) => a.compare(b).is_some(),
    };
    if !comparable {
        return Value::Null;
    }
    let start = match s {
        Value::Null => RangeBound::Unbounded,
        v if start_included => RangeBound::Included(v),
        v => RangeBound::Excluded(v),
    };
    let end = match t {
        Value::Null => RangeBound::Unbounded,
        v if end_included => RangeBound::Included(v),
        v => RangeBound::Excluded(v),
    };
    Value::Range(Arc::new(Range { start, end }))
}

fn unary_comparison_range(op: BinaryOp, v: Value) -> Value {
    if v.compare(&v).is_none() && !matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
        return Value::Null;
    }
    let (start, end) = match op {
        BinaryOp::Lt => (RangeBound::Unbounded, RangeBound::Excluded(v)),
        BinaryOp::Le => (RangeBound::Unbounded, RangeBound::Included(v)),
        BinaryOp::Gt => (RangeBound::Excluded(v), RangeBound::Unbounded),
        BinaryOp::Ge => (RangeBound::Included(v), RangeBound::Unbounded),
        // `!= x` is not a range; unary tests handle it themselves.
        _ => return Value::Null,
    };
    Value::Range(Arc::new(Range { start, end }))
}

/// Property access and context lookup (`x.y`).
pub(crate) fn path(v: &Value, name: &str) -> Value {
    use chrono::Timelike;
    match v {
        Value::Context(c) => c.get(name).cloned().unwrap_or(Value::Null),
        Value::List(l) => Value::list(l.iter().map(|x| path(x, name)).collect()),
        Value::Date(d) => match name {
            "year" => Value::int(d.year()),
            "month" => Value::int(i64::from(d.month())),
            "day" => Value::int(i64::from(d.day())),
            "weekday" => Value::int(i64::from(d.weekday().number_from_monday())),
            _ => Value::Null,
        },
        Value::DateTime(dt) => {
            let (d, t) = (dt.date, dt.time);
            match name {
                "year" => Value::int(d.year()),
                "month" => Value::int(i64::from(d.month())),
                "day" => Value::int(i64::from(d.day())),
                "weekday" => Value::int(i64::from(d.weekday().number_from_monday())),
                "hour" => Value::int(i64::from(t.hour())),
                "minute" => Value::int(i64::from(t.minute())),
                "second" => seconds_value(t),
                "time offset" => match &dt.zone {
                    Some(_) => Value::DayTimeDuration(DayTimeDuration::from_seconds(i64::from(
                        dt.offset_seconds(),
                    ))),
                    None => Value::Null,
                },
                "timezone" => match &dt.zone {
                    Some(Zone::Named(tz)) => Value::string(tz.name()),
                    _ => Value::Null,
                },
                _ => Value::Null,
            }
        }
        Value::Time(t) => match name {
            "hour" => Value::int(i64::from(t.time.hour())),
            "minute" => Value::int(i64::from(t.time.minute())),
            "second" => seconds_value(t.time),
            "time offset" => match &t.zone {
                Some(Zone::Offset(s)) => {
                    Value::DayTimeDuration(DayTimeDuration::from_seconds(i64::from(*s)))
                }
                _ => Value::Null,
            },
            "timezone" => match &t.zone {
                Some(Zone::Named(tz)) => Value::string(tz.name()),
                _ => Value::Null,
            },
            _ => Value::Null,
        },
        Value::YearMonthDuration(d) => match name {
            "years" => Value::int(d.0 / 12),
            "months" => Value::int(d.0 % 12),
            _ => Value::Null,
        },
        Value::DayTimeDuration(d) => match name {
            "days" => Value::int(d.days()),
            "hours" => Value::int(d.hours()),
            "minutes" => Value::int(d.minutes()),
            "seconds" => num(d.seconds()),
            _ => Value::Null,
        },
        Value::Range(r) => match name {
            "start" => r.start.value().cloned().unwrap_or(Value::Null),
            "end" => r.end.value().cloned().unwrap_or(Value::Null),
            "start included" => Value::Boolean(r.start.is_included()),
            "end included" => Value::Boolean(r.end.is_included()),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

fn seconds_value(t: NaiveTime) -> Value {
    use chrono::Timelike;
    Value::int(i64::from(t.second()))
}

fn date_to_datetime(d: temporal::Date, zoned: bool) -> DateTime {
    DateTime::midnight(d, zoned.then_some(Zone::Offset(0)))
}

/// The binary operators, with FEEL's typing and null rules.
pub(crate) fn binary(op: BinaryOp, a: &Value, b: &Value) -> Value {
    use Value::*;
    match op {
        BinaryOp::Eq => return bool_or_null(a.feel_eq(b)),
        BinaryOp::Ne => return bool_or_null(a.feel_eq(b).map(|x| !x)),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let Some(o) = a.compare(b) else { return Null };
            return Boolean(match op {
                BinaryOp::Lt => o == Ordering::Less,
                BinaryOp::Le => o != Ordering::Greater,
                BinaryOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            });
        }
        _ => {}
    }
    match (op, a, b) {
        (BinaryOp::Add, Number(x), Number(y)) => num(x.add(y)),
        (BinaryOp::Sub, Number(x), Number(y)) => num(x.sub(y)),
        (BinaryOp::Mul, Number(x), Number(y)) => num(x.mul(y)),
        (BinaryOp::Div, Number(x), Number(y)) => num(x.div(y)),
        (BinaryOp::Pow, Number(x), Number(y)) => num(x.pow(y)),
        (BinaryOp::Add, String(x), String(y)) => {
            let mut s = std::string::String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Value::string(s)
        }
        // Durations with durations.
        (BinaryOp::Add, YearMonthDuration(x), YearMonthDuration(y)) => {
            x.0.checked_add(y.0)
                .map_or(Null, |m| YearMonthDuration(temporal::YearMonthDuration(m)))
        }
        (BinaryOp::Sub, YearMonthDuration(x), YearMonthDuration(y)) => {
            x.0.checked_sub(y.0)
                .map_or(Null, |m| YearMonthDuration(temporal::YearMonthDuration(m)))
        }
        (BinaryOp::Add, DayTimeDuration(x), DayTimeDuration(y)) => {
            x.0.checked_add(y.0)
                .map_or(Null, |n| DayTimeDuration(temporal::DayTimeDuration(n)))
        }
        (BinaryOp::Sub, DayTimeDuration(x), DayTimeDuration(y)) => {
            x.0.checked_sub(y.0)
                .map_or(Null, |n| DayTimeDuration(temporal::DayTimeDuration(n)))
        }
        (BinaryOp::Div, DayTimeDuration(x), DayTimeDuration(y)) => {
            match (x.as_seconds_number(), y.as_seconds_number()) {
                (Some(p), Some(q)) => num(p.div(&q)),
                _ => Null,
            }
        }
        (BinaryOp::Div, YearMonthDuration(x), YearMonthDuration(y)) => {
            num(crate::number::Number::from_i64(x.0).div(&crate::number::Number::from_i64(y.0)))
        }
        (BinaryOp::Mul, DayTimeDuration(d), Number(n))
        | (BinaryOp::Mul, Number(n), DayTimeDuration(d)) => d
            .as_seconds_number()
            .and_then(|s| s.mul(n))
            .and_then(|s| temporal::DayTimeDuration::from_seconds_number(&s))
            .map_or(Null, DayTimeDuration),
        (BinaryOp::Div, DayTimeDuration(d), Number(n)) => d
            .as_seconds_number()
            .and_then(|s| s.div(n))
            .and_then(|s| temporal::DayTimeDuration::from_seconds_number(&s))
            .map_or(Null, DayTimeDuration),
        (BinaryOp::Mul, YearMonthDuration(d), Number(n))
        | (BinaryOp::Mul, Number(n), YearMonthDuration(d)) => crate::number::Number::from_i64(d.0)
            .mul(n)
            .and_then(|m| m.trunc_i64())
            .map_or(Null, |m| YearMonthDuration(temporal::YearMonthDuration(m))),
        (BinaryOp::Div, YearMonthDuration(d), Number(n)) => crate::number::Number::from_i64(d.0)
            .div(n)
            .and_then(|m| m.trunc_i64())
            .map_or(Null, |m| YearMonthDuration(temporal::YearMonthDuration(m))),
        // Dates.
        (BinaryOp::Sub, Date(x), Date(y)) => date_to_datetime(*x, false)
            .minus(&date_to_datetime(*y, false))
            .map_or(Null, DayTimeDuration),
        (BinaryOp::Add, Date(x), YearMonthDuration(d))
        | (BinaryOp::Add, YearMonthDuration(d), Date(x)) => x.add_months(d.0).map_or(Null, Date),
        (BinaryOp::Sub, Date(x), YearMonthDuration(d)) => {
            x.add_months(d.0.saturating_neg()).map_or(Null, Date)
        }
        (BinaryOp::Add, Date(x), DayTimeDuration(d))
        | (BinaryOp::Add, DayTimeDuration(d), Date(x)) => date_to_datetime(*x, false)
            .plus(d)
            .map_or(Null, |r| Date(r.date)),
        (BinaryOp::Sub, Date(x), DayTimeDuration(d)) => date_to_datetime(*x, false)
            .plus(&temporal::DayTimeDuration(d.0.saturating_neg()))
            .map_or(Null, |r| Date(r.date)),
        // Date and time.
        (BinaryOp::Sub, DateTime(x), DateTime(y)) => x.minus(y).map_or(Null, DayTimeDuration),
        // A date counts as midnight UTC against a date and time with a zone.
        (BinaryOp::Sub, DateTime(x), Date(y)) if x.zone.is_some() => x
            .minus(&date_to_datetime(*y, true))
            .map_or(Null, DayTimeDuration),
        (BinaryOp::Sub, Date(x), DateTime(y)) if y.zone.is_some() => date_to_datetime(*x, true)
            .minus(y)
            .map_or(Null, DayTimeDuration),
        (BinaryOp::Add, DateTime(x), DayTimeDuration(d))
        | (BinaryOp::Add, DayTimeDuration(d), DateTime(x)) => x.plus(d).map_or(Null, DateTime),
        (BinaryOp::Sub, DateTime(x), DayTimeDuration(d)) => x
            .plus(&temporal::DayTimeDuration(d.0.saturating_neg()))
            .map_or(Null, DateTime),
        (BinaryOp::Add, DateTime(x), YearMonthDuration(d))
        | (BinaryOp::Add, YearMonthDuration(d), DateTime(x)) => {
            x.add_months(d.0).map_or(Null, DateTime)
        }
        (BinaryOp::Sub, DateTime(x), YearMonthDuration(d)) => {
            x.add_months(d.0.saturating_neg()).map_or(Null, DateTime)
        }
        // Time.
        (BinaryOp::Sub, Time(x), Time(y)) => {
            if x.zone.is_some() != y.zone.is_some() {
                Null
            } else {
                DayTimeDuration(temporal::DayTimeDuration(
                    x.normalized_nanos() - y.normalized_nanos(),
                ))
            }
        }
        (BinaryOp::Add, Time(x), DayTimeDuration(d))
        | (BinaryOp::Add, DayTimeDuration(d), Time(x)) => Time(x.plus(d)),
        (BinaryOp::Sub, Time(x), DayTimeDuration(d)) => {
            Time(x.plus(&temporal::DayTimeDuration(d.0.saturating_neg())))
        }
        _ => Null,
    }
}
