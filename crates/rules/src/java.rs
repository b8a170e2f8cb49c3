//! External Java functions (`kind="Java"` function definitions and FEEL
//! `external {java: ...}` functions): a fixed bridge to the static methods
//! of `java.lang` that DMN models use, computed natively. No JVM is
//! involved; an unsupported class or method gives a function that returns
//! `null`.

use std::sync::Arc;

use flowdesk_feel::{Function, Number, Value};

/// The function for `class` and `method signature`, e.g.
/// `java.lang.Math` and `max(double, double)`; `None` when not supported.
pub(crate) fn function(class: &str, signature: &str) -> Option<Value> {
    let (method, rest) = signature.split_once('(')?;
    let types: Vec<String> = rest
        .trim_end()
        .trim_end_matches(')')
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let method = method.trim();
    let types_ref: Vec<&str> = types.iter().map(String::as_str).collect();
    let call: fn(&[Value]) -> Value = match (class, method, types_ref.as_slice()) {
        ("java.lang.Math", "max", [a, b]) if a == b && is_numeric(a) => |a| pick(a, true),
        ("java.lang.Math", "min", [a, b]) if a == b && is_numeric(a) => |a| pick(a, false),
        ("java.lang.Math", "abs", [t]) if is_numeric(t) => |a| match a {
            [Value::Number(n)] => Value::Number(n.abs()),
            _ => Value::Null,
        },
        ("java.lang.Math", "cos", ["double"]) => |a| float(a, f64::cos),
        ("java.lang.Math", "sin", ["double"]) => |a| float(a, f64::sin),
        ("java.lang.Math", "tan", ["double"]) => |a| float(a, f64::tan),
        ("java.lang.Math", "exp", ["double"]) => |a| float(a, f64::exp),
        ("java.lang.Math", "log", ["double"]) => |a| float(a, f64::ln),
        ("java.lang.Math", "sqrt", ["double"]) => |a| float(a, f64::sqrt),
        ("java.lang.Math", "floor", ["double"]) => |a| float(a, f64::floor),
        ("java.lang.Math", "ceil", ["double"]) => |a| float(a, f64::ceil),
        (
            "java.lang.Byte" | "java.lang.Short" | "java.lang.Integer" | "java.lang.Long",
            "valueOf",
            [_],
        ) => |a| match a {
            [Value::Number(n)] if n.is_integer() => Value::Number(*n),
            [Value::String(s)] => Number::parse(s.trim())
                .filter(Number::is_integer)
                .map_or(Value::Null, Value::Number),
            _ => Value::Null,
        },
        ("java.lang.Float" | "java.lang.Double", "valueOf", [_]) => |a| match a {
            [Value::Number(n)] => Value::Number(*n),
            [Value::String(s)] => Number::parse(s.trim()).map_or(Value::Null, Value::Number),
            _ => Value::Null,
        },
        ("java.lang.String", "valueOf", ["char"]) => |a| match a {
            [Value::String(s)] if s.chars().count() == 1 => Value::String(s.clone()),
            _ => Value::Null,
        },
        ("java.lang.String", "valueOf", [_]) => |a| match a {
            [Value::Null] | [] => Value::Null,
            [Value::String(s)] => Value::String(s.clone()),
            [v] => Value::string(v.to_string()),
            _ => Value::Null,
        },
        ("java.lang.String", "format", ["java.lang.String", "[Ljava.lang.Object;"]) => format,
        _ => return None,
    };
    Some(Value::Function(Function::Native(Arc::new(
        flowdesk_feel::NativeFunction {
            name: format!("{class}.{method}"),
            params: (0..types.len()).map(|i| format!("p{i}")).collect(),
            required: 0,
            call: Box::new(call),
        },
    ))))
}

fn is_numeric(t: &str) -> bool {
    matches!(t, "double" | "float" | "int" | "long" | "short" | "byte")
}

fn pick(args: &[Value], max: bool) -> Value {
    match args {
        [Value::Number(a), Value::Number(b)] => {
            let a_wins = (a.to_f64() >= b.to_f64()) == max;
            Value::Number(if a_wins { *a } else { *b })
        }
        _ => Value::Null,
    }
}

fn float(args: &[Value], f: fn(f64) -> f64) -> Value {
    match args {
        [Value::Number(n)] => Number::from_f64(f(n.to_f64())).map_or(Value::Null, Value::Number),
        _ => Value::Null,
    }
}

/// `String.format` with `%s` placeholders; the varargs arrive as the
/// second argument (a list, or a single value).
fn format(args: &[Value]) -> Value {
    let [Value::String(pattern), rest] = args else {
        return Value::Null;
    };
    let values: Vec<Value> = match rest {
        Value::List(l) => l.to_vec(),
        v => vec![v.clone()],
    };
    let mut out = String::new();
    let mut values = values.iter();
    let mut parts = pattern.split("%s");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        match values.next() {
            Some(Value::String(s)) => out.push_str(s),
            Some(v) => out.push_str(&v.to_string()),
            None => return Value::Null,
        }
        out.push_str(part);
    }
    Value::string(out)
}
