//! Table-driven tests of the temporal constructors of the public API, with
//! their error messages: every `tests/temporal/*.txt` file holds lines
//!
//! ```text
//! # comment
//! date <text> => <date as FEEL writes it>
//! date and time <text> => <date and time>
//! ymd <year> <month> <day> => <date>
//! days <date text> => <days since 0000-01-01>
//! from days <days> => <date>
//! plus days <date text> <n> => <date>
//! plus months <date text> <n> => <date>
//! <any of the above> => error <the whole message>
//! ```

use std::path::Path;

use flowdesk_feel::temporal::{parse_date, parse_date_time, Date, TemporalError};

fn date_and_number(s: &str) -> Result<(&str, &str), String> {
    s.split_once(' ')
        .ok_or_else(|| format!("expected a date and a number in {s:?}"))
}

fn int(s: &str) -> Result<i64, String> {
    s.parse()
        .map_err(|e| format!("bad integer {s:?} in the case: {e}"))
}

/// Runs one case, `Err` for a malformed case line.
fn run(case: &str) -> Result<Result<String, TemporalError>, String> {
    let date = |s: &str| parse_date(s).map_err(|e| format!("bad date {s:?} in the case: {e}"));
    Ok(if let Some(s) = case.strip_prefix("date and time ") {
        parse_date_time(s).map(|d| d.to_string())
    } else if let Some(s) = case.strip_prefix("date ") {
        parse_date(s).map(|d| d.to_string())
    } else if let Some(s) = case.strip_prefix("ymd ") {
        let parts: Vec<&str> = s.split(' ').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(format!("expected year month day in {s:?}"));
        };
        Date::from_ymd(int(y)?, int(m)?, int(d)?).map(|d| d.to_string())
    } else if let Some(s) = case.strip_prefix("days ") {
        Ok(date(s)?.days().to_string())
    } else if let Some(s) = case.strip_prefix("from days ") {
        Date::from_days(int(s)?).map(|d| d.to_string())
    } else if let Some(s) = case.strip_prefix("plus days ") {
        let (d, n) = date_and_number(s)?;
        date(d)?.add_days(int(n)?).map(|d| d.to_string())
    } else if let Some(s) = case.strip_prefix("plus months ") {
        let (d, n) = date_and_number(s)?;
        date(d)?.add_months(int(n)?).map(|d| d.to_string())
    } else {
        return Err(format!("unknown case kind in {case:?}"));
    })
}

#[test]
fn temporal_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/temporal");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/temporal exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable case file");
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("?");
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{file}:{}", n + 1);
            let Some((case, expected)) = line.split_once(" => ") else {
                failures.push(format!("{at}: no ' => ' in line"));
                continue;
            };
            total += 1;
            let got = match run(case) {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => format!("error {e}"),
                Err(bad) => {
                    failures.push(format!("{at}: {bad}"));
                    continue;
                }
            };
            if got != expected {
                failures.push(format!("{at}: {case}: expected {expected}, got {got}"));
            }
        }
    }
    println!("{total} temporal cases in {} files", files.len());
    assert!(total > 0, "no cases found");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
