//! The built-in functions of DMN 1.5 FEEL.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::NaiveTime;

use crate::eval::{binary, Eval};
use crate::number::{Number, RoundingMode};
use crate::temporal::{
    self, DateTime, DayTimeDuration, ParsedDuration, Time, YearMonthDuration, Zone,
};
use crate::value::{Context, Name, RangeBound, Value};
use crate::xpath_regex;

/// Parameter lists of each built-in (alternatives in order). A trailing
/// `...` marks a variadic parameter; a leading `?` an optional one.
const SIGNATURES: &[(&str, &[&[&str]])] = &[
    ("date", &[&["from"], &["year", "month", "day"]]),
    ("date and time", &[&["from"], &["date", "time"]]),
    (
        "time",
        &[&["from"], &["hour", "minute", "second", "?offset"]],
    ),
    (
        "number",
        &[&["from", "?grouping separator", "?decimal separator"]],
    ),
    ("string", &[&["from"]]),
    ("duration", &[&["from"]]),
    ("years and months duration", &[&["from", "to"]]),
    ("not", &[&["negand"]]),
    ("substring", &[&["string", "start position", "?length"]]),
    ("string length", &[&["string"]]),
    ("upper case", &[&["string"]]),
    ("lower case", &[&["string"]]),
    ("substring before", &[&["string", "match"]]),
    ("substring after", &[&["string", "match"]]),
    ("replace", &[&["input", "pattern", "replacement", "?flags"]]),
    ("contains", &[&["string", "match"]]),
    ("starts with", &[&["string", "match"]]),
    ("ends with", &[&["string", "match"]]),
    ("matches", &[&["input", "pattern", "?flags"]]),
    ("split", &[&["string", "delimiter"]]),
    ("string join", &[&["list", "?delimiter"]]),
    ("list contains", &[&["list", "element"]]),
    ("count", &[&["list..."]]),
    ("min", &[&["list..."]]),
    ("max", &[&["list..."]]),
    ("sum", &[&["list..."]]),
    ("mean", &[&["list..."]]),
    ("all", &[&["list..."]]),
    ("any", &[&["list..."]]),
    ("median", &[&["list..."]]),
    ("stddev", &[&["list..."]]),
    ("mode", &[&["list..."]]),
    ("product", &[&["list..."]]),
    ("sublist", &[&["list", "start position", "?length"]]),
    ("append", &[&["list", "item..."]]),
    ("concatenate", &[&["list..."]]),
    ("insert before", &[&["list", "position", "newItem"]]),
    ("remove", &[&["list", "position"]]),
    ("reverse", &[&["list"]]),
    ("index of", &[&["list", "match"]]),
    ("union", &[&["list..."]]),
    ("distinct values", &[&["list"]]),
    ("flatten", &[&["list"]]),
    ("sort", &[&["list", "?precedes"]]),
    (
        "list replace",
        &[
            &["list", "position", "newItem"],
            &["list", "match", "newItem"],
        ],
    ),
    ("decimal", &[&["n", "scale"]]),
    ("floor", &[&["n", "?scale"]]),
    ("ceiling", &[&["n", "?scale"]]),
    ("round up", &[&["n", "scale"]]),
    ("round down", &[&["n", "scale"]]),
    ("round half up", &[&["n", "scale"]]),
    ("round half down", &[&["n", "scale"]]),
    ("abs", &[&["n"]]),
    ("modulo", &[&["dividend", "divisor"]]),
    ("sqrt", &[&["number"]]),
    ("log", &[&["number"]]),
    ("exp", &[&["number"]]),
    ("odd", &[&["number"]]),
    ("even", &[&["number"]]),
    ("is", &[&["value1", "value2"]]),
    (
        "before",
        &[
            &["point1", "point2"],
            &["point", "range"],
            &["range", "point"],
            &["range1", "range2"],
        ],
    ),
    (
        "after",
        &[
            &["point1", "point2"],
            &["point", "range"],
            &["range", "point"],
            &["range1", "range2"],
        ],
    ),
    ("meets", &[&["range1", "range2"]]),
    ("met by", &[&["range1", "range2"]]),
    ("overlaps", &[&["range1", "range2"]]),
    ("overlaps before", &[&["range1", "range2"]]),
    ("overlaps after", &[&["range1", "range2"]]),
    ("finishes", &[&["point", "range"], &["range1", "range2"]]),
    ("finished by", &[&["range", "point"], &["range1", "range2"]]),
    ("includes", &[&["range", "point"], &["range1", "range2"]]),
    ("during", &[&["point", "range"], &["range1", "range2"]]),
    ("starts", &[&["point", "range"], &["range1", "range2"]]),
    ("started by", &[&["range", "point"], &["range1", "range2"]]),
    ("coincides", &[&["point1", "point2"], &["range1", "range2"]]),
    ("day of year", &[&["date"]]),
    ("day of week", &[&["date"]]),
    ("month of year", &[&["date"]]),
    ("week of year", &[&["date"]]),
    ("now", &[&[]]),
    ("today", &[&[]]),
    ("get value", &[&["m", "key"]]),
    ("get entries", &[&["m"]]),
    ("context", &[&["entries"]]),
    (
        "context put",
        &[&["context", "key", "value"], &["context", "keys", "value"]],
    ),
    ("context merge", &[&["contexts"]]),
    ("range", &[&["from"]]),
    ("get or else", &[&["value", "default"]]),
    ("is defined", &[&["value"]]),
];

/// Every built-in function name (for the parser's scope).
pub const NAMES: &[&str] = &[
    "date",
    "date and time",
    "time",
    "number",
    "string",
    "duration",
    "years and months duration",
    "not",
    "substring",
    "string length",
    "upper case",
    "lower case",
    "substring before",
    "substring after",
    "replace",
    "contains",
    "starts with",
    "ends with",
    "matches",
    "split",
    "string join",
    "list contains",
    "count",
    "min",
    "max",
    "sum",
    "mean",
    "all",
    "any",
    "median",
    "stddev",
    "mode",
    "product",
    "sublist",
    "append",
    "concatenate",
    "insert before",
    "remove",
    "reverse",
    "index of",
    "union",
    "distinct values",
    "flatten",
    "sort",
    "list replace",
    "decimal",
    "floor",
    "ceiling",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "abs",
    "modulo",
    "sqrt",
    "log",
    "exp",
    "odd",
    "even",
    "is",
    "before",
    "after",
    "meets",
    "met by",
    "overlaps",
    "overlaps before",
    "overlaps after",
    "finishes",
    "finished by",
    "includes",
    "during",
    "starts",
    "started by",
    "coincides",
    "day of year",
    "day of week",
    "month of year",
    "week of year",
    "now",
    "today",
    "get value",
    "get entries",
    "context",
    "context put",
    "context merge",
    "range",
    "get or else",
    "is defined",
];

/// The static name of a built-in, if `name` is one.
pub fn lookup(name: &str) -> Option<&'static str> {
    NAMES.iter().find(|n| **n == name).copied()
}

/// Binds named arguments to positions using the built-in's signatures.
/// Missing parameters are null; an unknown parameter name fails.
pub(crate) fn bind_named(name: &str, args: &[(Name, Value)]) -> Option<Vec<Value>> {
    let (_, variants) = SIGNATURES.iter().find(|(n, _)| *n == name)?;
    // `context put(key: [..])` must use the `keys` form.
    if name == "context put"
        && args
            .iter()
            .any(|(n, v)| &**n == "key" && !matches!(v, Value::String(_)))
    {
        return None;
    }
    'variant: for params in variants.iter() {
        let clean: Vec<&str> = params
            .iter()
            .map(|p| p.trim_start_matches('?').trim_end_matches("..."))
            .collect();
        let mut out: Vec<Option<Value>> = vec![None; params.len()];
        for (n, v) in args {
            match clean.iter().position(|p| *p == &**n) {
                Some(i) => out[i] = Some(v.clone()),
                None => continue 'variant,
            }
        }
        let required = params
            .iter()
            .rposition(|p| !p.starts_with('?') && !p.ends_with("..."))
            .map_or(0, |i| i + 1);
        while out.len() > required && out.last().is_some_and(|v| v.is_none()) {
            out.pop();
        }
        return Some(out.into_iter().map(|v| v.unwrap_or(Value::Null)).collect());
    }
    None
}

/// Parses the string of a `@"..."` literal: date, time, date and time or
/// duration.
pub fn temporal_from_string(s: &str) -> Option<Value> {
    if let Some(d) = temporal::parse_duration(s) {
        return Some(duration_value(d));
    }
    if s.split('@').next().is_some_and(|d| d.contains('T')) {
        return temporal::parse_date_time(s).ok().map(Value::DateTime);
    }
    if let Ok(d) = temporal::parse_date(s) {
        return Some(Value::Date(d));
    }
    temporal::parse_time(s).map(Value::Time)
}

fn duration_value(d: ParsedDuration) -> Value {
    match d {
        ParsedDuration::YearMonth(y) => Value::YearMonthDuration(y),
        ParsedDuration::DayTime(d) => Value::DayTimeDuration(d),
    }
}

fn num(n: Option<Number>) -> Value {
    n.map_or(Value::Null, Value::Number)
}

fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.trunc_i64(),
        _ => None,
    }
}

/// A string argument; a singleton list stands for its element.
fn str_arg(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::List(l) if l.len() == 1 => match &l[0] {
            Value::String(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// For functions taking a list or a variable number of items.
fn list_or_items(args: &[Value]) -> Option<Vec<Value>> {
    match args {
        [Value::List(l)] => Some(l.as_ref().clone()),
        [] => None,
        [Value::Null] => None,
        items => Some(items.to_vec()),
    }
}

/// A list argument; a single non-null value counts as a list of one.
fn as_list(v: &Value) -> Option<Arc<Vec<Value>>> {
    match v {
        Value::List(l) => Some(l.clone()),
        Value::Null => None,
        other => Some(Arc::new(vec![other.clone()])),
    }
}

fn numbers(items: &[Value]) -> Option<Vec<Number>> {
    items
        .iter()
        .map(|v| match v {
            Value::Number(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// Calls a built-in with positional arguments.
pub(crate) fn call(name: &str, args: Vec<Value>, ev: &mut Eval) -> Value {
    call_inner(name, args, ev).unwrap_or(Value::Null)
}

fn arity(args: &[Value], min: usize, max: usize) -> Option<()> {
    (args.len() >= min && args.len() <= max).then_some(())
}

fn call_inner(name: &str, args: Vec<Value>, ev: &mut Eval) -> Option<Value> {
    let a = args.as_slice();
    match name {
        // Conversion.
        "date" => conv_date(a),
        "date and time" => conv_date_time(a),
        "time" => conv_time(a),
        "number" => conv_number(a),
        "string" => {
            arity(a, 1, 1)?;
            match &a[0] {
                Value::Null => None,
                Value::String(s) => Some(Value::String(s.clone())),
                v => Some(Value::string(to_plain_string(v))),
            }
        }
        "duration" => {
            arity(a, 1, 1)?;
            temporal::parse_duration(str_arg(&a[0])?).map(duration_value)
        }
        "years and months duration" => {
            arity(a, 2, 2)?;
            let from = as_date_time(&a[0])?;
            let to = as_date_time(&a[1])?;
            months_between(&from, &to).map(Value::YearMonthDuration)
        }
        // Boolean.
        "not" => {
            arity(a, 1, 1)?;
            match a[0] {
                Value::Boolean(b) => Some(Value::Boolean(!b)),
                _ => None,
            }
        }
        // String.
        "substring" => {
            arity(a, 2, 3)?;
            let s = str_arg(&a[0])?;
            let start = int_arg(&a[1])?;
            let chars: Vec<char> = s.chars().collect();
            let len = chars.len() as i64;
            let from = if start > 0 {
                start - 1
            } else if start < 0 {
                (len + start).max(0)
            } else {
                return None;
            };
            let count = match a.get(2) {
                Some(v) => int_arg(v)?,
                None => len,
            };
            if count < 0 {
                return None;
            }
            let from = from.min(len) as usize;
            let to = (from as i64).saturating_add(count).min(len) as usize;
            Some(Value::string(chars[from..to].iter().collect::<String>()))
        }
        "string length" => {
            arity(a, 1, 1)?;
            Some(Value::int(str_arg(&a[0])?.chars().count() as i64))
        }
        "upper case" => Some(Value::string(str_arg(a.first()?)?.to_uppercase())),
        "lower case" => Some(Value::string(str_arg(a.first()?)?.to_lowercase())),
        "substring before" => {
            arity(a, 2, 2)?;
            let (s, m) = (str_arg(&a[0])?, str_arg(&a[1])?);
            Some(Value::string(s.find(m).map_or("", |i| &s[..i])))
        }
        "substring after" => {
            arity(a, 2, 2)?;
            let (s, m) = (str_arg(&a[0])?, str_arg(&a[1])?);
            Some(Value::string(s.find(m).map_or("", |i| &s[i + m.len()..])))
        }
        "contains" => {
            arity(a, 2, 2)?;
            Some(Value::Boolean(str_arg(&a[0])?.contains(str_arg(&a[1])?)))
        }
        "starts with" => {
            arity(a, 2, 2)?;
            Some(Value::Boolean(str_arg(&a[0])?.starts_with(str_arg(&a[1])?)))
        }
        "ends with" => {
            arity(a, 2, 2)?;
            Some(Value::Boolean(str_arg(&a[0])?.ends_with(str_arg(&a[1])?)))
        }
        "matches" => {
            arity(a, 2, 3)?;
            let flags = match a.get(2) {
                None | Some(Value::Null) => "",
                Some(v) => str_arg(v)?,
            };
            let re = xpath_regex::compile_matcher(str_arg(&a[1])?, flags, true)?;
            Some(Value::Boolean(re.is_match(str_arg(&a[0])?)?))
        }
        "replace" => {
            arity(a, 3, 4)?;
            let flags = match a.get(3) {
                None | Some(Value::Null) => "",
                Some(v) => str_arg(v)?,
            };
            let re = xpath_regex::compile(str_arg(&a[1])?, flags)?;
            if re.is_match("") {
                return None;
            }
            let rep = xpath_regex::translate_replacement(str_arg(&a[2])?, flags.contains('q'))?;
            Some(Value::string(
                re.replace_all(str_arg(&a[0])?, rep.as_str()).into_owned(),
            ))
        }
        "split" => {
            arity(a, 2, 2)?;
            let re = xpath_regex::compile(str_arg(&a[1])?, "")?;
            if re.is_match("") {
                return None;
            }
            Some(Value::list(
                re.split(str_arg(&a[0])?).map(Value::string).collect(),
            ))
        }
        "string join" => {
            arity(a, 1, 2)?;
            let l = &as_list(&a[0])?;
            let delim = match a.get(1) {
                None | Some(Value::Null) => "",
                Some(v) => str_arg(v)?,
            };
            let mut parts = Vec::new();
            for v in l.iter() {
                match v {
                    Value::Null => {}
                    Value::String(s) => parts.push(s.to_string()),
                    _ => return None,
                }
            }
            Some(Value::string(parts.join(delim)))
        }
        // List.
        "list contains" => {
            arity(a, 2, 2)?;
            let l = &as_list(&a[0])?;
            Some(Value::Boolean(
                l.iter().any(|x| x.feel_eq(&a[1]) == Some(true)),
            ))
        }
        "count" => {
            let items = match a {
                [Value::List(l)] => l.len(),
                [] => return None,
                [Value::Null] => return None,
                items => items.len(),
            };
            Some(Value::int(items as i64))
        }
        "min" | "max" => {
            let items = list_or_items(a)?;
            let mut best: Option<Value> = None;
            for v in items {
                best = Some(match best {
                    None => {
                        v.compare(&v)?;
                        v
                    }
                    Some(b) => {
                        let o = v.compare(&b)?;
                        if (name == "min" && o == Ordering::Less)
                            || (name == "max" && o == Ordering::Greater)
                        {
                            v
                        } else {
                            b
                        }
                    }
                });
            }
            best
        }
        "sum" => {
            let items = list_or_items(a)?;
            if items.is_empty() {
                return None;
            }
            let mut acc = items[0].clone();
            if !matches!(
                acc,
                Value::Number(_) | Value::DayTimeDuration(_) | Value::YearMonthDuration(_)
            ) {
                return None;
            }
            for v in &items[1..] {
                acc = binary(crate::ast::BinaryOp::Add, &acc, v);
                if acc.is_null() {
                    return None;
                }
            }
            Some(acc)
        }
        "product" => {
            let ns = numbers(&list_or_items(a)?)?;
            let (first, rest) = ns.split_first()?;
            let mut acc = *first;
            for n in rest {
                acc = acc.mul(n)?;
            }
            Some(Value::Number(acc))
        }
        "mean" => {
            let ns = numbers(&list_or_items(a)?)?;
            if ns.is_empty() {
                return None;
            }
            let mut acc = Number::zero();
            for n in &ns {
                acc = acc.add(n)?;
            }
            num(acc.div(&Number::from_i64(ns.len() as i64))).into()
        }
        "median" => {
            let mut ns = numbers(&list_or_items(a)?)?;
            if ns.is_empty() {
                return None;
            }
            ns.sort();
            let n = ns.len();
            if n % 2 == 1 {
                Some(Value::Number(ns[n / 2]))
            } else {
                num(ns[n / 2 - 1].add(&ns[n / 2])?.div(&Number::from_i64(2))).into()
            }
        }
        "stddev" => {
            let ns = numbers(&list_or_items(a)?)?;
            if ns.len() < 2 {
                return None;
            }
            let count = Number::from_i64(ns.len() as i64);
            let mut sum = Number::zero();
            for n in &ns {
                sum = sum.add(n)?;
            }
            let mean = sum.div(&count)?;
            let mut sq = Number::zero();
            for n in &ns {
                let d = n.sub(&mean)?;
                sq = sq.add(&d.mul(&d)?)?;
            }
            num(sq.div(&count.sub(&Number::one())?)?.sqrt()).into()
        }
        "mode" => {
            let items = list_or_items(a)?;
            let ns = numbers(&items)?;
            let mut counts: Vec<(Number, usize)> = Vec::new();
            for n in ns {
                match counts.iter_mut().find(|(m, _)| *m == n) {
                    Some(e) => e.1 += 1,
                    None => counts.push((n, 1)),
                }
            }
            let top = counts.iter().map(|(_, c)| *c).max().unwrap_or(0);
            let mut modes: Vec<Number> = counts
                .into_iter()
                .filter(|(_, c)| *c == top)
                .map(|(n, _)| n)
                .collect();
            modes.sort();
            Some(Value::list(modes.into_iter().map(Value::Number).collect()))
        }
        "all" | "any" => {
            let items = match a {
                [Value::List(l)] => l.as_ref().clone(),
                [] => return None,
                [Value::Boolean(b)] => vec![Value::Boolean(*b)],
                [_] => return None,
                items => items.to_vec(),
            };
            let decisive = name == "any";
            let mut null = false;
            for v in &items {
                match v {
                    Value::Boolean(b) if *b == decisive => return Some(Value::Boolean(decisive)),
                    Value::Boolean(_) => {}
                    _ => null = true,
                }
            }
            if null {
                None
            } else {
                Some(Value::Boolean(!decisive))
            }
        }
        "sublist" => {
            arity(a, 2, 3)?;
            let l = &as_list(&a[0])?;
            let start = int_arg(&a[1])?;
            let len = l.len() as i64;
            let from = if start > 0 {
                start - 1
            } else if start < 0 {
                len + start
            } else {
                return None;
            };
            if from < 0 || from >= len {
                return None;
            }
            let count = match a.get(2) {
                Some(v) => int_arg(v)?,
                None => len - from,
            };
            if count < 0 || from.checked_add(count).is_none_or(|end| end > len) {
                return None;
            }
            Some(Value::list(
                l[from as usize..(from + count) as usize].to_vec(),
            ))
        }
        "append" => {
            let (first, rest) = a.split_first()?;
            let Value::List(l) = first else { return None };
            let mut out = l.as_ref().clone();
            out.extend(rest.iter().cloned());
            Some(Value::list(out))
        }
        "concatenate" => {
            let mut out = Vec::new();
            for v in a {
                match v {
                    Value::List(l) => out.extend(l.iter().cloned()),
                    _ => return None,
                }
            }
            Some(Value::list(out))
        }
        "insert before" => {
            arity(a, 3, 3)?;
            let l = &as_list(&a[0])?;
            let pos = list_position(l.len(), int_arg(&a[1])?)?;
            let mut out = l.as_ref().clone();
            out.insert(pos, a[2].clone());
            Some(Value::list(out))
        }
        "remove" => {
            arity(a, 2, 2)?;
            let l = &as_list(&a[0])?;
            let pos = list_position(l.len(), int_arg(&a[1])?)?;
            let mut out = l.as_ref().clone();
            out.remove(pos);
            Some(Value::list(out))
        }
        "list replace" => {
            arity(a, 3, 3)?;
            let l = &as_list(&a[0])?;
            let mut out = l.as_ref().clone();
            match &a[1] {
                Value::Number(_) => {
                    let pos = list_position(l.len(), int_arg(&a[1])?)?;
                    out[pos] = a[2].clone();
                }
                Value::Function(f) => {
                    for item in out.iter_mut() {
                        match ev.call(f, vec![item.clone(), a[2].clone()]) {
                            Value::Boolean(true) => *item = a[2].clone(),
                            Value::Boolean(false) => {}
                            _ => return None,
                        }
                    }
                }
                _ => return None,
            }
            Some(Value::list(out))
        }
        "reverse" => {
            arity(a, 1, 1)?;
            let l = &as_list(&a[0])?;
            Some(Value::list(l.iter().rev().cloned().collect()))
        }
        "index of" => {
            arity(a, 2, 2)?;
            let l = &as_list(&a[0])?;
            Some(Value::list(
                l.iter()
                    .enumerate()
                    .filter(|(_, x)| x.feel_eq(&a[1]) == Some(true))
                    .map(|(i, _)| Value::int(i as i64 + 1))
                    .collect(),
            ))
        }
        "union" => {
            let mut out: Vec<Value> = Vec::new();
            for v in a {
                let l = &as_list(v)?;
                for x in l.iter() {
                    if !out.iter().any(|y| y.same_as(x)) {
                        out.push(x.clone());
                    }
                }
            }
            Some(Value::list(out))
        }
        "distinct values" => {
            arity(a, 1, 1)?;
            let l = &as_list(&a[0])?;
            let mut out: Vec<Value> = Vec::new();
            for x in l.iter() {
                if !out.iter().any(|y| y.same_as(x)) {
                    out.push(x.clone());
                }
            }
            Some(Value::list(out))
        }
        "flatten" => {
            arity(a, 1, 1)?;
            let Value::List(_) = &a[0] else { return None };
            let mut out = Vec::new();
            flatten_into(&a[0], &mut out);
            Some(Value::list(out))
        }
        "sort" => {
            arity(a, 1, 2)?;
            let l = &as_list(&a[0])?;
            let mut items = l.as_ref().clone();
            match a.get(1) {
                None | Some(Value::Null) => {
                    for w in items.windows(2) {
                        w[0].compare(&w[1])?;
                    }
                    items.sort_by(|x, y| x.compare(y).unwrap_or(Ordering::Equal));
                }
                Some(Value::Function(f)) => {
                    // Insertion sort: the comparator may be any FEEL function,
                    // so no assumption of a total order is made.
                    let mut sorted: Vec<Value> = Vec::with_capacity(items.len());
                    for item in items {
                        let mut pos = sorted.len();
                        while pos > 0 {
                            match ev.call(f, vec![item.clone(), sorted[pos - 1].clone()]) {
                                Value::Boolean(true) => pos -= 1,
                                Value::Boolean(false) => break,
                                _ => return None,
                            }
                        }
                        sorted.insert(pos, item);
                    }
                    items = sorted;
                }
                _ => return None,
            }
            Some(Value::list(items))
        }
        // Numeric.
        "decimal" => round_fn(a, RoundingMode::HalfEven, true),
        "floor" => round_fn(a, RoundingMode::Floor, false),
        "ceiling" => round_fn(a, RoundingMode::Ceiling, false),
        "round up" => round_fn(a, RoundingMode::Up, true),
        "round down" => round_fn(a, RoundingMode::Down, true),
        "round half up" => round_fn(a, RoundingMode::HalfUp, true),
        "round half down" => round_fn(a, RoundingMode::HalfDown, true),
        "abs" => {
            arity(a, 1, 1)?;
            match &a[0] {
                Value::Number(n) => Some(Value::Number(n.abs())),
                Value::DayTimeDuration(d) => {
                    Some(Value::DayTimeDuration(DayTimeDuration(d.0.checked_abs()?)))
                }
                Value::YearMonthDuration(d) => Some(Value::YearMonthDuration(YearMonthDuration(
                    d.0.checked_abs()?,
                ))),
                _ => None,
            }
        }
        "modulo" => {
            arity(a, 2, 2)?;
            let (Value::Number(x), Value::Number(y)) = (&a[0], &a[1]) else {
                return None;
            };
            num(x.modulo(y)).into()
        }
        "sqrt" | "log" | "exp" => {
            arity(a, 1, 1)?;
            let Value::Number(n) = &a[0] else { return None };
            num(match name {
                "sqrt" => n.sqrt(),
                "log" => n.ln(),
                _ => n.exp(),
            })
            .into()
        }
        "odd" | "even" => {
            arity(a, 1, 1)?;
            let Value::Number(n) = &a[0] else { return None };
            if !n.is_integer() {
                return None;
            }
            let r = n.modulo(&Number::from_i64(2))?;
            Some(Value::Boolean(r.is_zero() == (name == "even")))
        }
        // Other.
        "is" => {
            arity(a, 2, 2)?;
            Some(Value::Boolean(is_same(&a[0], &a[1])))
        }
        "get or else" => {
            arity(a, 2, 2)?;
            Some(if a[0].is_null() {
                a[1].clone()
            } else {
                a[0].clone()
            })
        }
        "is defined" => {
            arity(a, 1, 1)?;
            Some(Value::Boolean(!a[0].is_null()))
        }
        // Date and time.
        "day of year" | "day of week" | "month of year" | "week of year" => {
            arity(a, 1, 1)?;
            let d = match &a[0] {
                Value::Date(d) => *d,
                Value::DateTime(dt) => dt.date,
                _ => return None,
            };
            Some(match name {
                "day of year" => Value::int(i64::from(d.ordinal())),
                "day of week" => Value::string(
                    [
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                        "Sunday",
                    ][d.weekday().num_days_from_monday() as usize],
                ),
                "month of year" => Value::string(
                    [
                        "January",
                        "February",
                        "March",
                        "April",
                        "May",
                        "June",
                        "July",
                        "August",
                        "September",
                        "October",
                        "November",
                        "December",
                    ][d.month() as usize - 1],
                ),
                _ => Value::int(i64::from(d.iso_week())),
            })
        }
        "now" => {
            arity(a, 0, 0)?;
            ev.env.now().map(Value::DateTime)
        }
        "today" => {
            arity(a, 0, 0)?;
            ev.env.now().map(|n| Value::Date(n.date))
        }
        // Context.
        "get value" => {
            arity(a, 2, 2)?;
            let Value::Context(c) = &a[0] else {
                return None;
            };
            match &a[1] {
                Value::String(k) => c.get(k).cloned(),
                Value::List(keys) => {
                    let mut cur = a[0].clone();
                    for k in keys.iter() {
                        let (Value::Context(c), Value::String(k)) = (&cur, k) else {
                            return None;
                        };
                        cur = c.get(k)?.clone();
                    }
                    Some(cur)
                }
                _ => None,
            }
        }
        "get entries" => {
            arity(a, 1, 1)?;
            let Value::Context(c) = &a[0] else {
                return None;
            };
            Some(Value::list(
                c.iter()
                    .map(|(k, v)| {
                        let mut e = Context::new();
                        e.insert("key", Value::String(Arc::from(&**k)));
                        e.insert("value", v.clone());
                        Value::context(e)
                    })
                    .collect(),
            ))
        }
        "context" => {
            arity(a, 1, 1)?;
            let entries = match &a[0] {
                Value::List(l) => l.as_ref().clone(),
                Value::Context(_) => vec![a[0].clone()],
                _ => return None,
            };
            let mut out = Context::new();
            for e in entries {
                let Value::Context(c) = e else { return None };
                let Some(Value::String(k)) = c.get("key") else {
                    return None;
                };
                let v = c.get("value")?.clone();
                if out.contains_key(k) {
                    return None;
                }
                out.insert(Name::from(&**k), v);
            }
            Some(Value::context(out))
        }
        "context put" => {
            arity(a, 3, 3)?;
            let keys: Vec<Arc<str>> = match &a[1] {
                Value::String(k) => vec![k.clone()],
                Value::List(l) if !l.is_empty() => l
                    .iter()
                    .map(|k| match k {
                        Value::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
                _ => return None,
            };
            context_put(&a[0], &keys, a[2].clone())
        }
        "context merge" => {
            arity(a, 1, 1)?;
            let l = &as_list(&a[0])?;
            let mut out = Context::new();
            for c in l.iter() {
                let Value::Context(c) = c else { return None };
                for (k, v) in c.iter() {
                    out.insert(k.clone(), v.clone());
                }
            }
            Some(Value::context(out))
        }
        "range" => {
            arity(a, 1, 1)?;
            range_from_string(str_arg(&a[0])?)
        }
        // Ranges.
        "before" | "after" | "meets" | "met by" | "overlaps" | "overlaps before"
        | "overlaps after" | "finishes" | "finished by" | "includes" | "during" | "starts"
        | "started by" | "coincides" => {
            arity(a, 2, 2)?;
            range_relation(name, &a[0], &a[1]).map(Value::Boolean)
        }
        _ => None,
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::List(l) => l.iter().for_each(|x| flatten_into(x, out)),
        other => out.push(other.clone()),
    }
}

/// A 1-based (negative: from the end) position in a list of `len` items.
fn list_position(len: usize, pos: i64) -> Option<usize> {
    let len = len as i64;
    let i = if pos > 0 {
        pos - 1
    } else if pos < 0 {
        len + pos
    } else {
        return None;
    };
    (0..len).contains(&i).then_some(i as usize)
}

fn context_put(base: &Value, keys: &[Arc<str>], value: Value) -> Option<Value> {
    let Value::Context(c) = base else { return None };
    let (first, rest) = keys.split_first()?;
    let mut out = c.as_ref().clone();
    let new = if rest.is_empty() {
        value
    } else {
        let inner = c
            .get(first)
            .cloned()
            .unwrap_or_else(|| Value::context(Context::new()));
        context_put(&inner, rest, value)?
    };
    out.insert(Name::from(&**first), new);
    Some(Value::context(out))
}

fn round_fn(a: &[Value], mode: RoundingMode, scale_required: bool) -> Option<Value> {
    arity(a, if scale_required { 2 } else { 1 }, 2)?;
    let Value::Number(n) = &a[0] else { return None };
    let scale = match a.get(1) {
        None => 0,
        Some(Value::Number(s)) => s.trunc_i64()?,
        Some(_) => return None,
    };
    num(n.round(scale, mode)).into()
}

/// `string(x)` for non-strings: the FEEL literal text without quotes or
/// constructor wrappers for temporal values.
fn to_plain_string(v: &Value) -> String {
    match v {
        Value::Date(d) => d.to_string(),
        Value::Time(t) => t.to_string(),
        Value::DateTime(t) => t.to_string(),
        Value::YearMonthDuration(d) => d.to_string(),
        Value::DayTimeDuration(d) => d.to_string(),
        other => other.to_string(),
    }
}

fn is_same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Time(x), Value::Time(y)) => x.time == y.time && x.zone == y.zone,
        (Value::DateTime(x), Value::DateTime(y)) => {
            x.date == y.date && x.time == y.time && x.zone == y.zone
        }
        _ => a.type_name() == b.type_name() && a.same_as(b),
    }
}

fn as_date_time(v: &Value) -> Option<DateTime> {
    match v {
        Value::DateTime(d) => Some(*d),
        Value::Date(d) => Some(DateTime::midnight(*d, None)),
        _ => None,
    }
}

fn months_between(from: &DateTime, to: &DateTime) -> Option<YearMonthDuration> {
    let (a, b) = if from.zone.is_some() && to.zone.is_some() {
        (from.utc().ok()?.date, to.utc().ok()?.date)
    } else {
        (from.date, to.date)
    };
    let mut months = (b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    // Only whole months count: step back when the last month is incomplete.
    let a_rest = a.day();
    let b_rest = b.day();
    if months > 0 && b_rest < a_rest {
        months -= 1;
    } else if months < 0 && b_rest > a_rest {
        months += 1;
    }
    Some(YearMonthDuration(months))
}

fn conv_date(a: &[Value]) -> Option<Value> {
    match a {
        [Value::String(s)] => temporal::parse_date(s).ok().map(Value::Date),
        [Value::Date(d)] => Some(Value::Date(*d)),
        [Value::DateTime(dt)] => Some(Value::Date(dt.date)),
        [y, m, d] => temporal::Date::from_ymd(int_arg(y)?, int_arg(m)?, int_arg(d)?)
            .ok()
            .map(Value::Date),
        _ => None,
    }
}

fn conv_date_time(a: &[Value]) -> Option<Value> {
    match a {
        [Value::String(s)] => temporal::parse_date_time(s).ok().map(Value::DateTime),
        [Value::DateTime(d)] => Some(Value::DateTime(*d)),
        [Value::Date(d)] => Some(Value::DateTime(DateTime::midnight(*d, None))),
        [d, Value::Time(t)] => {
            let date = match d {
                Value::Date(d) => *d,
                Value::DateTime(dt) => dt.date,
                _ => return None,
            };
            Some(Value::DateTime(DateTime {
                date,
                time: t.time,
                zone: t.zone,
            }))
        }
        [d, Value::String(zone)] => {
            // date and time(date and time, timezone name): the same instant
            // in another zone.
            let Value::DateTime(dt) = d else { return None };
            let z = temporal::parse_zone_name(zone).or_else(|| temporal::parse_zone(zone))?;
            dt.at_zone(z).ok().map(Value::DateTime)
        }
        _ => None,
    }
}

fn conv_time(a: &[Value]) -> Option<Value> {
    match a {
        [Value::String(s)] => temporal::parse_time(s).map(Value::Time).or_else(|| {
            // A date and time string gives its time part.
            temporal::parse_date_time(s)
                .ok()
                .filter(|_| s.split('@').next().is_some_and(|d| d.contains('T')))
                .map(|dt| {
                    Value::Time(Time {
                        time: dt.time,
                        zone: dt.zone,
                    })
                })
        }),
        [Value::Time(t)] => Some(Value::Time(*t)),
        [Value::DateTime(dt)] => Some(Value::Time(Time {
            time: dt.time,
            zone: dt.zone,
        })),
        [Value::Date(_)] => Some(Value::Time(Time {
            time: NaiveTime::MIN,
            zone: Some(Zone::Offset(0)),
        })),
        [h, m, s] | [h, m, s, Value::Null] => make_time(h, m, s, None),
        [h, m, s, Value::DayTimeDuration(off)] => {
            let secs = i32::try_from(off.0 / 1_000_000_000).ok()?;
            if secs.abs() > 14 * 3600 {
                return None;
            }
            make_time(h, m, s, Some(Zone::Offset(secs)))
        }
        _ => None,
    }
}

fn make_time(h: &Value, m: &Value, s: &Value, zone: Option<Zone>) -> Option<Value> {
    let (h, m) = (int_arg(h)?, int_arg(m)?);
    let Value::Number(s) = s else { return None };
    let whole = s.trunc_i64()?;
    let frac = s.sub(&Number::from_i64(whole))?;
    let nanos = frac.mul(&Number::from_i64(1_000_000_000))?.trunc_i64()?;
    let t = NaiveTime::from_hms_nano_opt(
        u32::try_from(h).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(whole).ok()?,
        u32::try_from(nanos).ok()?,
    )?;
    Some(Value::Time(Time { time: t, zone }))
}

fn conv_number(a: &[Value]) -> Option<Value> {
    arity(a, 1, 3)?;
    let s = str_arg(&a[0])?;
    let group = match a.get(1) {
        None | Some(Value::Null) => None,
        Some(Value::String(g)) if matches!(&**g, " " | "," | ".") => Some(g.clone()),
        Some(_) => return None,
    };
    let decimal = match a.get(2) {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if matches!(&**d, "," | ".") => Some(d.clone()),
        Some(_) => return None,
    };
    if group.is_some() && group == decimal {
        return None;
    }
    let mut t = s.to_string();
    if let Some(g) = &group {
        t = t.replace(&**g, "");
    }
    if let Some(d) = &decimal {
        t = t.replace(&**d, ".");
    }
    Number::parse(&t).map(Value::Number)
}

fn range_from_string(s: &str) -> Option<Value> {
    use crate::ast::ExprKind;
    let scope = crate::parser::Scope::new();
    let e = crate::parser::parse_expression(s, &scope).ok()?;
    let ExprKind::Range { start, end, .. } = &e.kind else {
        return None;
    };
    // End points must be literals: numbers, strings, temporal literals, or
    // a temporal constructor applied to a string literal.
    let literal = |x: &crate::ast::Expr| match &x.kind {
        ExprKind::Literal(_) => true,
        ExprKind::Negate(inner) => matches!(inner.kind, ExprKind::Literal(Value::Number(_))),
        ExprKind::Call(f, crate::ast::Arguments::Positional(args)) => {
            matches!(&f.kind, ExprKind::Name(n) if matches!(&**n, "date" | "time" | "date and time" | "duration"))
                && args.len() == 1
                && matches!(args[0].kind, ExprKind::Literal(Value::String(_)))
        }
        _ => false,
    };
    if !literal(start) || !literal(end) {
        return None;
    }
    let root = Context::new();
    let env = crate::eval::Env::new();
    match crate::eval::evaluate(&e, &root, &env) {
        v @ Value::Range(_) => {
            if let Value::Range(r) = &v {
                if r.start.value().is_some_and(Value::is_null)
                    || r.end.value().is_some_and(Value::is_null)
                {
                    return None;
                }
            }
            Some(v)
        }
        _ => None,
    }
}

enum Interval<'a> {
    Point(&'a Value),
    Range(&'a crate::value::Range),
}

fn as_interval(v: &Value) -> Option<Interval<'_>> {
    match v {
        Value::Null => None,
        Value::Range(r) => Some(Interval::Range(r)),
        Value::List(_) | Value::Context(_) | Value::Function(_) | Value::Boolean(_) => None,
        other => Some(Interval::Point(other)),
    }
}

fn lt(a: &Value, b: &Value) -> Option<bool> {
    Some(a.compare(b)? == Ordering::Less)
}

fn eq(a: &Value, b: &Value) -> Option<bool> {
    Some(a.compare(b)? == Ordering::Equal)
}

/// The range relations of DMN 1.5 (Allen's interval algebra with points).
fn range_relation(name: &str, x: &Value, y: &Value) -> Option<bool> {
    use Interval::{Point as P, Range as R};
    let (a, b) = (as_interval(x)?, as_interval(y)?);
    // End points of a range as (value, included); unbounded is None.
    fn s(r: &crate::value::Range) -> Option<(&Value, bool)> {
        r.start.value().map(|v| (v, r.start.is_included()))
    }
    fn e(r: &crate::value::Range) -> Option<(&Value, bool)> {
        r.end.value().map(|v| (v, r.end.is_included()))
    }
    let unb = |b: &RangeBound| matches!(b, RangeBound::Unbounded);
    match (name, a, b) {
        ("before", P(p1), P(p2)) => lt(p1, p2),
        ("before", P(p), R(r)) => match s(r) {
            None => Some(false),
            Some((sv, si)) => Some(lt(p, sv)? || (eq(p, sv)? && !si)),
        },
        ("before", R(r), P(p)) => match e(r) {
            None => Some(false),
            Some((ev, ei)) => Some(lt(ev, p)? || (eq(ev, p)? && !ei)),
        },
        ("before", R(r1), R(r2)) => match (e(r1), s(r2)) {
            (Some((e1, ei)), Some((s2, si))) => Some(lt(e1, s2)? || (eq(e1, s2)? && (!ei || !si))),
            _ => Some(false),
        },
        ("after", a, b) => range_relation_swapped("before", b, a),
        ("meets", R(r1), R(r2)) => match (e(r1), s(r2)) {
            (Some((e1, true)), Some((s2, true))) => eq(e1, s2),
            (Some(_), Some(_)) => Some(false),
            _ => Some(false),
        },
        ("met by", R(_), R(_)) => range_relation("meets", y, x),
        ("overlaps", R(r1), R(r2)) => {
            // Not (r1 entirely before r2) and not (r2 entirely before r1).
            let b1 = range_relation("before", x, y)?;
            let b2 = range_relation("before", y, x)?;
            let _ = (r1, r2);
            Some(!b1 && !b2)
        }
        ("overlaps before", R(r1), R(r2)) => {
            // r1 starts before r2 and ends inside r2.
            let starts_before = match (s(r1), s(r2)) {
                (None, Some(_)) => true,
                (Some((s1, i1)), Some((s2, i2))) => lt(s1, s2)? || (eq(s1, s2)? && i1 && !i2),
                _ => false,
            };
            let ends_inside = match (e(r1), s(r2), e(r2)) {
                (Some((e1, i1)), Some((s2, i2)), e2) => {
                    let after_start = lt(s2, e1)? || (eq(s2, e1)? && i1 && i2);
                    let before_end = match e2 {
                        None => true,
                        Some((e2, j2)) => lt(e1, e2)? || (eq(e1, e2)? && (!i1 || j2)),
                    };
                    after_start && before_end
                }
                _ => false,
            };
            Some(starts_before && ends_inside)
        }
        ("overlaps after", R(_), R(_)) => range_relation("overlaps before", y, x),
        ("finishes", P(p), R(r)) => match e(r) {
            Some((ev, true)) => eq(p, ev),
            _ => Some(false),
        },
        ("finishes", R(r1), R(r2)) => {
            let same_end = match (e(r1), e(r2)) {
                (Some((e1, i1)), Some((e2, i2))) => eq(e1, e2)? && i1 == i2,
                (None, None) => true,
                _ => false,
            };
            let starts_within = match (s(r1), s(r2)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some((s1, i1)), Some((s2, i2))) => lt(s2, s1)? || (eq(s1, s2)? && (i2 || !i1)),
            };
            Some(same_end && starts_within)
        }
        ("finished by", R(_), _) => range_relation("finishes", y, x),
        ("includes", R(r), P(p)) => Some(r.contains(p)?),
        ("includes", R(r1), R(r2)) => {
            let start_ok = match (s(r1), s(r2)) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some((s1, i1)), Some((s2, i2))) => lt(s1, s2)? || (eq(s1, s2)? && (i1 || !i2)),
            };
            let end_ok = match (e(r1), e(r2)) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some((e1, i1)), Some((e2, i2))) => lt(e2, e1)? || (eq(e1, e2)? && (i1 || !i2)),
            };
            let _ = unb;
            Some(start_ok && end_ok)
        }
        ("during", _, R(_)) => range_relation("includes", y, x),
        ("starts", P(p), R(r)) => match s(r) {
            Some((sv, true)) => eq(p, sv),
            _ => Some(false),
        },
        ("starts", R(r1), R(r2)) => {
            let same_start = match (s(r1), s(r2)) {
                (Some((s1, i1)), Some((s2, i2))) => eq(s1, s2)? && i1 == i2,
                (None, None) => true,
                _ => false,
            };
            let ends_within = match (e(r1), e(r2)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some((e1, i1)), Some((e2, i2))) => lt(e1, e2)? || (eq(e1, e2)? && (i2 || !i1)),
            };
            Some(same_start && ends_within)
        }
        ("started by", R(_), _) => range_relation("starts", y, x),
        ("coincides", P(p1), P(p2)) => eq(p1, p2),
        ("coincides", R(r1), R(r2)) => {
            let same = |p: Option<(&Value, bool)>, q: Option<(&Value, bool)>| -> Option<bool> {
                match (p, q) {
                    (None, None) => Some(true),
                    (Some((a, i)), Some((b, j))) => Some(eq(a, b)? && i == j),
                    _ => Some(false),
                }
            };
            Some(same(s(r1), s(r2))? && same(e(r1), e(r2))?)
        }
        _ => None,
    }
}

fn range_relation_swapped(name: &str, a: Interval<'_>, b: Interval<'_>) -> Option<bool> {
    let to_value = |i: Interval<'_>| match i {
        Interval::Point(p) => p.clone(),
        Interval::Range(r) => Value::Range(Arc::new(r.clone())),
    };
    range_relation(name, &to_value(a), &to_value(b))
}
