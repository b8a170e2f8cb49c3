//! The DMN TCK (Technology Compatibility Kit) runner: reads the kit's
//! `TestCases` folder, evaluates every test case and compares the results
//! as FEEL values. This is the only part of the crate that reads files; it
//! serves the `dmn-tck` binary and the conformance ratchet test.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use flowdesk_feel::{evaluate_str, Context, Env, FixedClock, RoundingMode, Value};
use roxmltree::{Document, Node};

use crate::{Catalog, DmnModel};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The outcome of one `<testCase>`.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// Test folder relative to `TestCases/`, e.g. `compliance-level-3/0001-filter`.
    pub folder: String,
    /// Test file name without `.xml`.
    pub file: String,
    /// The test case `id`.
    pub id: String,
    /// Whether every result node matched.
    pub success: bool,
    /// Why not, with expected and actual values.
    pub detail: String,
}

impl CaseResult {
    /// The compliance level (2 or 3) of the test, from its folder.
    pub fn level(&self) -> u8 {
        if self.folder.starts_with("compliance-level-2") {
            2
        } else {
            3
        }
    }

    /// The row in the published TCK results format.
    pub fn csv_row(&self) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\"").replace(['\n', '\r'], " "));
        format!(
            "{},{},{},{},{}",
            q(&self.folder),
            q(&self.file),
            q(&self.id),
            q(if self.success { "SUCCESS" } else { "ERROR" }),
            q(&self.detail)
        )
    }
}

/// The results of a TCK run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One entry per test case, in folder, file and document order.
    pub cases: Vec<CaseResult>,
    /// The test cases of the kit's `non-compliant/` folders, run for
    /// information only: the kit keeps there the tests that do not conform
    /// to the specification (untyped test values, recursive business
    /// knowledge models, ...) until they are fixed; its official runners
    /// skip them, so they count in no total and no ratchet.
    pub non_compliant: Vec<CaseResult>,
}

impl Report {
    /// Passed and total test cases, for one level or (None) all.
    pub fn counts(&self, level: Option<u8>) -> (usize, usize) {
        let cases = self
            .cases
            .iter()
            .filter(|c| level.is_none_or(|l| c.level() == l));
        let (mut passed, mut total) = (0, 0);
        for c in cases {
            total += 1;
            passed += usize::from(c.success);
        }
        (passed, total)
    }

    /// Passed and total test cases of the `non-compliant/` folders.
    pub fn non_compliant_counts(&self) -> (usize, usize) {
        let passed = self.non_compliant.iter().filter(|c| c.success).count();
        (passed, self.non_compliant.len())
    }

    /// The CSV text in the published results format.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        for c in &self.cases {
            let _ = writeln!(out, "{}", c.csv_row());
        }
        out
    }
}

/// Runs the test cases under `test_cases` (the kit's `TestCases` folder),
/// only those of `level` when given.
pub fn run(test_cases: &Path, level: Option<u8>) -> Result<Report, String> {
    if !test_cases.is_dir() {
        return Err(format!(
            "DMN TCK test cases not found at {}",
            test_cases.display()
        ));
    }
    let env = system_clock_env();
    let mut report = Report::default();
    for lvl in [2u8, 3] {
        if level.is_some_and(|l| l != lvl) {
            continue;
        }
        let group = format!("compliance-level-{lvl}");
        for dir in sorted_dirs(&test_cases.join(&group)) {
            let folder = format!(
                "{group}/{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            run_folder(&dir, &folder, &env, &mut report.cases);
        }
    }
    if level.is_none() {
        for dir in sorted_dirs(&test_cases.join("non-compliant")) {
            let folder = format!(
                "non-compliant/{}",
                dir.file_name().unwrap_or_default().to_string_lossy()
            );
            run_folder(&dir, &folder, &env, &mut report.non_compliant);
        }
    }
    Ok(report)
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// An environment whose clock says the time the run started (`now()`,
/// `today()`): the system clock is read once, here, never by the engine.
fn system_clock_env() -> Env {
    let Ok(since_epoch) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) else {
        return Env::new();
    };
    let src = format!(
        "date and time(\"1970-01-01T00:00:00Z\") + duration(\"PT{}S\")",
        since_epoch.as_secs()
    );
    match evaluate_str(&src, &Context::new(), &Env::new()) {
        Ok(Value::DateTime(now)) => Env::with_clock(Arc::new(FixedClock(now))),
        _ => Env::new(),
    }
}

fn run_folder(dir: &Path, folder: &str, env: &Env, cases: &mut Vec<CaseResult>) {
    let mut catalog = Catalog::with_env(env.clone());
    let mut by_file: Vec<(String, Result<DmnModel, String>)> = Vec::new();
    for f in files(dir, ".dmn") {
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let model = fs::read_to_string(&f)
            .map_err(|e| e.to_string())
            .and_then(|x| DmnModel::parse(&x).map_err(|p| p.to_string()));
        if let Ok(m) = &model {
            catalog.add(m.clone());
        }
        by_file.push((name, model));
    }
    for test in files(dir, ".xml") {
        let file_name = test
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !file_name.contains("-test-") {
            continue;
        }
        let file = file_name.trim_end_matches(".xml").to_string();
        let Ok(text) = fs::read_to_string(&test) else {
            continue;
        };
        let Ok(doc) = Document::parse(&text) else {
            cases.push(CaseResult {
                folder: folder.to_string(),
                file,
                id: String::new(),
                success: false,
                detail: "test file is not well-formed XML".to_string(),
            });
            continue;
        };
        let root = doc.root_element();
        let model_name = child(root, "modelName")
            .and_then(|n| n.text())
            .unwrap_or("");
        let model = by_file
            .iter()
            .find(|(n, _)| n == model_name)
            .or_else(|| by_file.first())
            .map(|(_, m)| m.clone());
        for (i, tc) in root
            .children()
            .filter(|c| c.tag_name().name() == "testCase")
            .enumerate()
        {
            let id = tc
                .attribute("id")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{:03}", i + 1));
            let (success, detail) = match &model {
                Some(Ok(m)) => run_case(&catalog, m, tc),
                Some(Err(e)) => (false, format!("model rejected: {e}")),
                None => (false, "no model in the folder".to_string()),
            };
            cases.push(CaseResult {
                folder: folder.to_string(),
                file: file.clone(),
                id,
                success,
                detail,
            });
        }
    }
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.tag_name().name() == name)
}

/// One `<testCase>` of a TCK test file.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// The test case `id`.
    pub id: String,
    /// The input data by name.
    pub inputs: Context,
    /// The expected value of each result node, by the node's name.
    pub expected: Vec<(String, Value)>,
}

/// Reads the test cases of one TCK test file (`<testCases>` XML), for
/// callers that evaluate the kit's own inputs, such as the rules benchmark.
pub fn read_test_cases(xml: &str) -> Result<Vec<TestCase>, String> {
    let doc = Document::parse(xml).map_err(|e| format!("the test file is not XML: {e}"))?;
    Ok(doc
        .root_element()
        .children()
        .filter(|c| c.tag_name().name() == "testCase")
        .enumerate()
        .map(|(i, tc)| TestCase {
            id: tc
                .attribute("id")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{:03}", i + 1)),
            inputs: case_inputs(tc),
            expected: tc
                .children()
                .filter(|c| c.tag_name().name() == "resultNode")
                .map(|r| {
                    let name = r.attribute("name").unwrap_or("").to_string();
                    (name, child(r, "expected").map_or(Value::Null, read_value))
                })
                .collect(),
        })
        .collect())
}

fn case_inputs(tc: Node) -> Context {
    let mut inputs = Context::new();
    for n in tc.children().filter(|c| c.tag_name().name() == "inputNode") {
        let name = n.attribute("name").unwrap_or("");
        inputs.insert(name, read_value(n));
    }
    inputs
}

fn run_case(catalog: &Catalog, model: &DmnModel, tc: Node) -> (bool, String) {
    let inputs = case_inputs(tc);
    let kind = tc.attribute("type").unwrap_or("decision");
    let invocable = tc.attribute("invocableName").unwrap_or("");
    let ns = model.namespace();
    let invoked = match kind {
        "bkm" => Some(catalog.invoke_bkm(ns, invocable, inputs.clone())),
        "decisionService" => Some(
            catalog
                .evaluate_decision_service(ns, invocable, inputs.clone())
                .map(|(v, _)| v),
        ),
        _ => None,
    };
    let mut failures = Vec::new();
    for r in tc
        .children()
        .filter(|c| c.tag_name().name() == "resultNode")
    {
        let name = r.attribute("name").unwrap_or("");
        let expect_error = r.attribute("errorResult") == Some("true");
        let expected = child(r, "expected").map_or(Value::Null, read_value);
        let actual = match &invoked {
            Some(Ok(Value::Context(c))) if kind == "decisionService" && c.contains_key(name) => {
                Ok(c.get(name).cloned().unwrap_or(Value::Null))
            }
            Some(v) => v.clone(),
            None => {
                let target = r.attribute("namespace").unwrap_or(ns);
                catalog
                    .evaluate_decision(target, name, inputs.clone())
                    .map(|(v, _)| v)
            }
        };
        let actual = match actual {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let ok = if expect_error {
            actual.is_null()
        } else {
            same_value(&expected, &actual)
        };
        if !ok {
            failures.push(format!(
                "{name}: expected {}, got {actual}",
                if expect_error {
                    "an error (null)".to_string()
                } else {
                    expected.to_string()
                }
            ));
        }
    }
    let mut detail = failures.join("; ");
    if detail.len() > 400 {
        let mut end = 400;
        while !detail.is_char_boundary(end) {
            end -= 1;
        }
        detail.truncate(end);
        detail.push_str("...");
    }
    (failures.is_empty(), detail)
}

/// Equality as the TCK compares: FEEL equality, numbers as decimals, lists
/// by order, contexts by key set.
pub fn same_value(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Null, Value::Null) => true,
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_value(x, y))
        }
        (Value::Context(a), Value::Context(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
        }
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Number(e), Value::Number(a)) => {
            if e == a {
                return true;
            }
            // An expected value written with fewer decimals than computed
            // matches the actual value rounded to those decimals.
            let shown = e.to_string();
            if let Some((_, decimals)) = shown.split_once('.') {
                if decimals.chars().all(|c| c.is_ascii_digit()) {
                    let scale = decimals.len() as i64;
                    if a.round(scale, RoundingMode::HalfEven)
                        .is_some_and(|r| r == *e)
                    {
                        return true;
                    }
                }
            }
            // Expected values written with double precision (the kit's
            // models were computed in binary floating point) match within a
            // relative 1e-10, as the published runners compare.
            let (e, a) = (e.to_f64(), a.to_f64());
            e.is_finite() && a.is_finite() && (e - a).abs() <= 1e-10 * e.abs().max(a.abs())
        }
        _ => expected.feel_eq(actual) == Some(true),
    }
}

/// Reads a `valueType` element: `<value>`, `<component>`s or `<list>`.
fn read_value(n: Node) -> Value {
    if n.attribute((XSI, "nil")) == Some("true") {
        return Value::Null;
    }
    if let Some(v) = child(n, "value") {
        return read_simple(v);
    }
    if let Some(l) = child(n, "list") {
        if l.attribute((XSI, "nil")) == Some("true") {
            return Value::Null;
        }
        return Value::list(
            l.children()
                .filter(|c| c.tag_name().name() == "item")
                .map(read_value)
                .collect(),
        );
    }
    let components: Vec<Node> = n
        .children()
        .filter(|c| c.tag_name().name() == "component")
        .collect();
    if !components.is_empty() {
        let mut c = Context::new();
        for comp in components {
            c.insert(comp.attribute("name").unwrap_or(""), read_value(comp));
        }
        return Value::context(c);
    }
    Value::Null
}

fn read_simple(v: Node) -> Value {
    if v.attribute((XSI, "nil")) == Some("true") {
        return Value::Null;
    }
    let text = v.text().unwrap_or("");
    let ty = v.attribute((XSI, "type")).unwrap_or("");
    let ty = ty.rsplit(':').next().unwrap_or(ty);
    let feel = |f: &str| {
        let src = format!(
            "{f}(\"{}\")",
            text.trim().replace('\\', "\\\\").replace('"', "\\\"")
        );
        evaluate_str(&src, &Context::new(), &Env::new()).unwrap_or(Value::Null)
    };
    match ty {
        "decimal" | "double" | "integer" | "int" | "long" | "float" => {
            flowdesk_feel::Number::parse(text.trim()).map_or(Value::Null, Value::Number)
        }
        "boolean" => match text.trim() {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => Value::Null,
        },
        "date" => feel("date"),
        "dateTime" => feel("date and time"),
        "time" => feel("time"),
        "duration" => feel("duration"),
        _ => Value::string(text),
    }
}
