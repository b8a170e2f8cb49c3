//! Table-driven FEEL tests: every `tests/cases/*.txt` file holds lines
//!
//! ```text
//! # comment
//! let Some Name = <FEEL expression>      (adds a variable for later lines)
//! <FEEL expression> => <expected FEEL expression>
//! <FEEL expression> => error <line>:<column> <text in the message>
//! <input> ?? <unary tests> => true | false | null
//! ```
//!
//! Expected values are FEEL expressions too, compared strictly: same type,
//! equal value, and for times and date and times the same zone.

use std::path::Path;
use std::sync::Arc;

use flowdesk_feel::{
    evaluate, evaluate_unary_tests, parse_expression, parse_unary_tests, temporal, Context, Env,
    FixedClock, RoundingMode, Scope, Value,
};

fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Time(x), Value::Time(y)) => x.time == y.time && x.zone == y.zone,
        (Value::DateTime(x), Value::DateTime(y)) => {
            x.date == y.date && x.time == y.time && x.zone == y.zone
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| strict_eq(p, q))
        }
        (Value::Context(x), Value::Context(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| strict_eq(v, w)))
        }
        (Value::Range(x), Value::Range(y)) => {
            let bound = |p: &flowdesk_feel::RangeBound, q: &flowdesk_feel::RangeBound| {
                p.is_included() == q.is_included()
                    && match (p.value(), q.value()) {
                        (None, None) => true,
                        (Some(a), Some(b)) => strict_eq(a, b),
                        _ => false,
                    }
            };
            bound(&x.start, &y.start) && bound(&x.end, &y.end)
        }
        // An expected number written with fewer decimals (as conformance
        // suites do for irrational results) matches when rounded to them.
        (Value::Number(x), Value::Number(y)) => {
            let text = y.to_string();
            let scale = text.split_once('.').map_or(0, |(_, f)| f.len()) as i64;
            x == y
                || (scale >= 8
                    && (x.round(scale, RoundingMode::HalfEven) == Some(*y)
                        || x.round(scale, RoundingMode::Down) == Some(*y)))
        }
        _ => a.type_name() == b.type_name() && a.feel_eq(b) == Some(true),
    }
}

fn env() -> Env {
    let now = temporal::parse_date_time("2024-03-15T10:30:00+01:00").expect("valid clock time");
    Env::with_clock(Arc::new(FixedClock(now)))
}

fn run_file(path: &Path, failures: &mut Vec<String>) -> usize {
    let text = std::fs::read_to_string(path).expect("readable case file");
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("?")
        .to_string();
    let env = env();
    let mut vars = Context::new();
    let mut scope = Scope::new();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = format!("{file}:{}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("let ") {
            let Some((name, expr)) = rest.split_once(" = ") else {
                failures.push(format!("{at}: bad let line"));
                continue;
            };
            match parse_expression(expr, &scope) {
                Ok(e) => {
                    let v = evaluate(&e, &vars, &env);
                    vars.insert(name.trim(), v);
                    scope.add(name.trim());
                }
                Err(e) => failures.push(format!("{at}: let does not parse: {e}")),
            }
            continue;
        }
        let Some((lhs, expected)) = line.split_once(" => ") else {
            failures.push(format!("{at}: no ' => ' in line"));
            continue;
        };
        count += 1;
        let (lhs, expected) = (lhs.trim(), expected.trim());
        if let Some((input, tests)) = lhs.split_once(" ?? ") {
            let input_v = match parse_expression(input, &scope) {
                Ok(e) => evaluate(&e, &vars, &env),
                Err(e) => {
                    failures.push(format!("{at}: input does not parse: {e}"));
                    continue;
                }
            };
            match parse_unary_tests(tests, &scope) {
                Ok(t) => {
                    let got = evaluate_unary_tests(&t, &input_v, &vars, &env);
                    if got.to_string() != expected {
                        failures.push(format!("{at}: {lhs}: expected {expected}, got {got}"));
                    }
                }
                Err(e) => {
                    if let Some(err) = expected.strip_prefix("error ") {
                        check_error(&at, lhs, err, &e, failures);
                    } else {
                        failures.push(format!("{at}: unary tests do not parse: {e}"));
                    }
                }
            }
            continue;
        }
        let parsed = parse_expression(lhs, &scope);
        if let Some(err) = expected.strip_prefix("error ") {
            match parsed {
                Ok(_) => failures.push(format!(
                    "{at}: {lhs}: expected a parse error, but it parsed"
                )),
                Err(e) => check_error(&at, lhs, err, &e, failures),
            }
            continue;
        }
        let expr = match parsed {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{at}: {lhs}: does not parse: {e}"));
                continue;
            }
        };
        let got = evaluate(&expr, &vars, &env);
        let want = match parse_expression(expected, &scope) {
            Ok(e) => evaluate(&e, &vars, &env),
            Err(e) => {
                failures.push(format!("{at}: expected value does not parse: {e}"));
                continue;
            }
        };
        if !strict_eq(&got, &want) {
            failures.push(format!("{at}: {lhs}: expected {want}, got {got}"));
        }
    }
    count
}

fn check_error(
    at: &str,
    lhs: &str,
    err: &str,
    e: &flowdesk_feel::ParseError,
    failures: &mut Vec<String>,
) {
    let (pos, text) = err.split_once(' ').unwrap_or((err, ""));
    if e.position.to_string() != pos || !e.message.contains(text) {
        failures.push(format!(
            "{at}: {lhs}: expected error {pos} containing {text:?}, got {e}"
        ));
    }
}

#[test]
fn feel_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    // Extra case files (for example extracted from a conformance suite that
    // must not be copied into the repository), ';'-separated paths.
    if let Ok(extra) = std::env::var("FEEL_EXTRA_CASES") {
        files.extend(
            extra
                .split(';')
                .filter(|s| !s.is_empty())
                .map(std::path::PathBuf::from),
        );
    }
    let mut failures = Vec::new();
    let mut total = 0;
    for f in &files {
        total += run_file(f, &mut failures);
    }
    println!("{} FEEL cases in {} files", total, files.len());
    assert!(total > 0, "no cases found");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        total,
        failures.join("\n")
    );
}
