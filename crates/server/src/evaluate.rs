//! `flowdesk feel` and `flowdesk decide`: evaluate a FEEL expression or a
//! decision of a DMN file locally (no database), print the result as FEEL or
//! as exact JSON, and report failures with their line:column.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _};
use flowdesk_feel::temporal::{parse_date_time, DateTime};
use flowdesk_feel::{Clock, Context, Env, Value};
use flowdesk_rules::DmnModel;

/// Evaluates a FEEL expression with `--vars`; returns what to print.
pub fn feel(expression: &str, vars: Option<&str>, json: bool) -> anyhow::Result<String> {
    let context = variables(vars)?;
    let value = flowdesk_feel::evaluate_str(expression, &context, &env()).map_err(|error| {
        let source_line = expression
            .lines()
            .nth(error.position.line.saturating_sub(1))
            .unwrap_or_default();
        let caret = " ".repeat(error.position.column.saturating_sub(1));
        anyhow!(
            "FEEL syntax error at {}: {}\n  {source_line}\n  {caret}^",
            error.position,
            error.message
        )
    })?;
    Ok(render(&value, json))
}

/// Evaluates decision `decision_id` of the DMN file at `path` with `--vars`;
/// every variable is visible to every decision (as Camunda Modeler's
/// decisions expect). Returns what to print.
pub fn decide(
    path: &Path,
    decision_id: &str,
    vars: Option<&str>,
    json: bool,
) -> anyhow::Result<String> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let model = DmnModel::parse(&xml).map_err(|problems| {
        let mut message = format!(
            "{} is not a valid DMN model ({} problem{}):",
            path.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        for problem in problems.iter() {
            // `file:line:column [element] (expression line:column): message`
            let _ = write!(message, "\n  {}:{problem}", path.display());
        }
        anyhow!(message)
    })?;
    let context = variables(vars)?;
    if !model.has_decision(decision_id) {
        let known: Vec<&str> = model.decisions().map(|(id, _)| id).collect();
        bail!(
            "{} has no decision with id or name `{decision_id}`; its decisions: {}",
            path.display(),
            known.join(", ")
        );
    }
    let (value, _trace) = model.evaluate_decision_open(decision_id, context)?;
    Ok(render(&value, json))
}

/// `--vars`: a JSON object of variables (none when absent).
fn variables(vars: Option<&str>) -> anyhow::Result<Context> {
    let Some(text) = vars else {
        return Ok(Context::new());
    };
    let json: serde_json::Value = serde_json::from_str(text).context("--vars is not valid JSON")?;
    match Value::from_json(&json) {
        Value::Context(context) => Ok((*context).clone()),
        _ => bail!("--vars must be a JSON object, e.g. '{{\"amount\": 150}}'"),
    }
}

fn render(value: &Value, json: bool) -> String {
    if json {
        let mut out = String::new();
        write_json(value, &mut out);
        out
    } else {
        value.to_string()
    }
}

/// JSON with every digit of every number: a FEEL number is written as its
/// exact decimal text (a valid JSON number), never rounded through `f64`.
/// Dates, times and durations are ISO 8601 strings (as [`Value::to_json`]).
pub fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Number(number) => {
            let text = number.to_string();
            if is_json_number(&text) {
                out.push_str(&text);
            } else {
                out.push_str(&serde_json::Value::String(text).to_string());
            }
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Context(context) => {
            out.push('{');
            for (i, (name, item)) in context.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(name.to_string()).to_string());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_json().to_string()),
    }
}

/// Whether `text` is a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    fn digits(s: &str) -> usize {
        s.bytes().take_while(u8::is_ascii_digit).count()
    }
    let s = text.strip_prefix('-').unwrap_or(text);
    let integer = digits(s);
    if integer == 0 || (integer > 1 && s.starts_with('0')) {
        return false;
    }
    let mut rest = &s[integer..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        return n > 0 && n == exponent.len();
    }
    rest.is_empty()
}

/// The system clock in UTC, for `now()` and `today()` (the FEEL core never
/// reads the clock itself).
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime {
        let millis = crate::now_ms();
        let (days, of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
        let (year, month, day) = civil_from_days(days);
        let text = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            of_day / 3_600_000,
            of_day / 60_000 % 60,
            of_day / 1000 % 60,
            of_day % 1000
        );
        parse_date_time(&text).expect("an RFC 3339 UTC date and time is a FEEL date and time")
    }
}

fn env() -> Env {
    Env::with_clock(Arc::new(SystemClock))
}

/// The proleptic Gregorian date of a day count from 1970-01-01
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_are_recognised() {
        for good in [
            "0",
            "-1",
            "1.5",
            "12345678901234567890.123",
            "1E+40",
            "-2.5e-3",
        ] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "NaN", "1E+4x"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
