//! Parses and evaluates arbitrary FEEL expressions with a few variables and
//! a fixed clock: evaluation must always produce a value (often `null`),
//! never panic, and the value must display and convert to JSON.
#![no_main]

use std::sync::Arc;

use flowdesk_feel::{evaluate, parse_expression, temporal, Context, Env, FixedClock, Scope, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let mut vars = Context::new();
    vars.insert("x", Value::int(7));
    vars.insert("a b", Value::string("text"));
    vars.insert(
        "l",
        Value::list(vec![Value::int(1), Value::int(2), Value::Null]),
    );
    let scope = Scope::with_names(["x", "a b", "l"]);
    let Ok(expr) = parse_expression(src, &scope) else {
        return;
    };
    let Ok(now) = temporal::parse_date_time("2024-01-01T00:00:00Z") else {
        return;
    };
    let env = Env::with_clock(Arc::new(FixedClock(now)));
    let v = evaluate(&expr, &vars, &env);
    let _ = v.to_string();
    let _ = v.to_json();
});
