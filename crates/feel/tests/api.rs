//! Behaviour of the public API beyond single expressions: positions on
//! several lines, JSON conversion, host functions, the clock, unary tests,
//! and robustness against truncated input.

use std::path::Path;
use std::sync::Arc;

use flowdesk_feel::{
    evaluate, evaluate_str, evaluate_unary_tests, parse_expression, parse_unary_tests, temporal,
    Context, Env, FixedClock, Function, NativeFunction, Number, Scope, Span, Value,
};

#[test]
fn parse_errors_carry_line_column_and_span() {
    let src = "{\n  a: 1,\n  b: (2 + \n}";
    let err = parse_expression(src, &Scope::new()).unwrap_err();
    assert_eq!(err.position.line, 4);
    assert_eq!(err.position.column, 1);
    assert_eq!(err.span, Span::new(src.len() - 1, src.len()));
    assert_eq!(err.to_string(), "4:1: expected an expression, found \"}\"");
}

#[test]
fn nodes_carry_spans() {
    let src = "1 + foo(2)";
    let e = parse_expression(src, &Scope::new()).unwrap();
    assert_eq!(e.span, Span::new(0, src.len()));
    if let flowdesk_feel::ExprKind::Binary(_, l, r) = &e.kind {
        assert_eq!(&src[l.span.start..l.span.end], "1");
        assert_eq!(&src[r.span.start..r.span.end], "foo(2)");
        assert_eq!(r.span.line_col(src).column, 5);
    } else {
        panic!("expected a binary expression, got {:?}", e.kind);
    }
}

#[test]
fn names_with_spaces_need_the_scope() {
    let mut vars = Context::new();
    vars.insert("Loan Amount", Value::int(100));
    // Unknown to the parser: the words still join into one name.
    let plain = parse_expression("Loan Amount * 2", &Scope::new()).unwrap();
    assert_eq!(evaluate(&plain, &vars, &Env::new()).to_string(), "200");
    // With operator characters the name must be known.
    vars.insert("Fee+Tax", Value::int(5));
    let v = evaluate_str("Fee+Tax", &vars, &Env::new()).unwrap();
    assert_eq!(v.to_string(), "5");
}

#[test]
fn json_round_trip_keeps_every_digit() {
    let json: serde_json::Value = serde_json::from_str(
        r#"{"a": 1, "b": [true, null, "x"], "c": 0.1, "d": {"e": 12345678901234}}"#,
    )
    .unwrap();
    let v = Value::from_json(&json);
    assert_eq!(
        v.to_string(),
        r#"{a: 1, b: [true, null, "x"], c: 0.1, d: {e: 12345678901234}}"#
    );
    assert_eq!(v.to_json(), json);
    // 34 digits do not fit an f64: they travel as a string.
    let third = evaluate_str("1 / 3", &Context::new(), &Env::new()).unwrap();
    assert_eq!(
        third.to_json(),
        serde_json::json!("0.3333333333333333333333333333333333")
    );
    let date = evaluate_str(
        "@\"2020-01-02T03:04:05@Europe/Paris\"",
        &Context::new(),
        &Env::new(),
    )
    .unwrap();
    assert_eq!(
        date.to_json(),
        serde_json::json!("2020-01-02T03:04:05@Europe/Paris")
    );
    let range = evaluate_str("[1..2)", &Context::new(), &Env::new()).unwrap();
    assert_eq!(
        range.to_json(),
        serde_json::json!({"start": 1, "end": 2, "start included": true, "end included": false})
    );
}

#[test]
fn display_is_feel_syntax_that_evaluates_back() {
    let sources = [
        "[1, \"two\", true, null]",
        "{a: 1, \"b c\": [date(\"2020-01-01\")]}",
        "date and time(\"2020-01-01T10:00:00+01:00\")",
        "time(\"10:00:00.5@Europe/Paris\")",
        "duration(\"P1Y2M\")",
        "duration(\"-P1DT2H3M4.5S\")",
        "[1..10)",
        "< 5",
        "\"quote \\\" and \\\\ backslash\"",
    ];
    for src in sources {
        let v = evaluate_str(src, &Context::new(), &Env::new()).unwrap();
        let again = evaluate_str(&v.to_string(), &Context::new(), &Env::new()).unwrap();
        assert_eq!(v.feel_eq(&again), Some(true), "{src} -> {v} -> {again}");
    }
}

#[test]
fn host_functions_take_positional_and_named_arguments() {
    let double = NativeFunction {
        name: "double".into(),
        params: vec!["x".into()],
        required: 0,
        call: Box::new(|args| match &args[0] {
            Value::Number(n) => n.mul(&Number::from_i64(2)).into(),
            _ => Value::Null,
        }),
    };
    let mut vars = Context::new();
    vars.insert(
        "double",
        Value::Function(Function::Native(Arc::new(double))),
    );
    let env = Env::new();
    assert_eq!(
        evaluate_str("double(21)", &vars, &env).unwrap().to_string(),
        "42"
    );
    assert_eq!(
        evaluate_str("double(x: 4)", &vars, &env)
            .unwrap()
            .to_string(),
        "8"
    );
    assert_eq!(
        evaluate_str("double(y: 4)", &vars, &env).unwrap(),
        Value::Null
    );
}

#[test]
fn host_functions_tell_missing_arguments_from_nulls() {
    // `required: 1`: leaving `x` out is an error, passing null is not.
    let f = NativeFunction {
        name: "is null".into(),
        params: vec!["x".into(), "y".into()],
        required: 1,
        call: Box::new(|args| Value::Boolean(args[0].is_null())),
    };
    let mut vars = Context::new();
    vars.insert("f", Value::Function(Function::Native(Arc::new(f))));
    let env = Env::new();
    let eval = |src: &str| evaluate_str(src, &vars, &env).unwrap();
    assert_eq!(eval("f(null)"), Value::Boolean(true));
    assert_eq!(eval("f(x: null)"), Value::Boolean(true));
    assert_eq!(eval("f(1)"), Value::Boolean(false));
    assert_eq!(eval("f(y: 1, x: 1)"), Value::Boolean(false));
    assert_eq!(eval("f()"), Value::Null);
    assert_eq!(eval("f(y: 1)"), Value::Null);
}

#[test]
fn without_a_clock_now_is_null() {
    let v = evaluate_str("now()", &Context::new(), &Env::new()).unwrap();
    assert!(v.is_null());
    let clock = FixedClock(temporal::parse_date_time("2030-01-01T00:00:00Z").unwrap());
    let env = Env::with_clock(Arc::new(clock));
    let v = evaluate_str("today()", &Context::new(), &env).unwrap();
    assert_eq!(v, Value::Date(temporal::parse_date("2030-01-01").unwrap()));
}

#[test]
fn unary_tests_see_variables_and_the_input() {
    let mut vars = Context::new();
    vars.insert("limit", Value::int(10));
    let scope = Scope::with_names(["limit"]);
    let tests = parse_unary_tests("< limit, ? = 42", &scope).unwrap();
    let env = Env::new();
    assert_eq!(
        evaluate_unary_tests(&tests, &Value::int(5), &vars, &env),
        Value::Boolean(true)
    );
    assert_eq!(
        evaluate_unary_tests(&tests, &Value::int(42), &vars, &env),
        Value::Boolean(true)
    );
    assert_eq!(
        evaluate_unary_tests(&tests, &Value::int(20), &vars, &env),
        Value::Boolean(false)
    );
    assert_eq!(
        evaluate_unary_tests(&tests, &Value::string("x"), &vars, &env),
        Value::Null
    );
}

/// Every prefix of every case expression parses or fails cleanly, and
/// evaluates without panicking.
#[test]
fn truncated_inputs_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let scope = Scope::new();
    let vars = Context::new();
    let env = Env::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let expr = line.split(" => ").next().unwrap_or("");
            for (i, _) in expr.char_indices() {
                let prefix = &expr[..i];
                if let Ok(e) = parse_expression(prefix, &scope) {
                    let _ = evaluate(&e, &vars, &env);
                }
                let _ = parse_unary_tests(prefix, &scope);
                checked += 1;
            }
        }
    }
    assert!(checked > 1000);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = "(".repeat(10_000) + "1" + &")".repeat(10_000);
    let err = parse_expression(&src, &Scope::new()).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{err}");
    let negs = "-".repeat(10_000) + "1";
    assert!(parse_expression(&negs, &Scope::new()).is_err());
}

#[test]
fn long_operator_chains_and_deep_recursion_do_not_crash() {
    let chain = "1".to_string() + &" + 1".repeat(20_000);
    let v = evaluate_str(&chain, &Context::new(), &Env::new()).unwrap();
    assert_eq!(v.to_string(), "20001");
    let src = "{f: function(n) if n = 0 then 0 else 1 + f(n - 1), a: f(500), b: f(100000)}";
    let a = evaluate_str(&format!("{src}.a"), &Context::new(), &Env::new()).unwrap();
    assert_eq!(a.to_string(), "500");
    let b = evaluate_str(&format!("{src}.b"), &Context::new(), &Env::new()).unwrap();
    assert!(b.is_null());
}

#[test]
fn values_expressions_and_environments_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Value>();
    assert_send_sync::<flowdesk_feel::Expr>();
    assert_send_sync::<flowdesk_feel::UnaryTests>();
    assert_send_sync::<Env>();
    assert_send_sync::<Scope>();
}
