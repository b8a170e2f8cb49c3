//! `rules-peers`: the rules benchmark. Evaluates three DMN TCK models of
//! increasing size on Flowdesk (`flowdesk-rules`), dsntk and zen-engine
//! (model 1 only, translated by hand into JDM) with the inputs of the
//! model's own TCK test cases, checks that Flowdesk returns the results the
//! kit expects and every other engine the same, then times each engine.
//!
//! Usage: `rules-peers [--tck DIR] [--seconds S]` (run from the repository
//! root; `DIR` defaults to `../shared/conformance/dmn-tck/TestCases`).
//!
//! Output, one line per model × engine, tab-separated, for `cargo xtask
//! bench rules` to render:
//!
//! ```text
//! RESULT  <model>  <engine>  <evals per second>  <p50 ns>  <p99 ns>  <count>
//! SKIP    <model>  <engine>  <reason>
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flowdesk_feel::Number;
use flowdesk_rules::{Catalog, Context, DmnModel, Value};

/// One benchmark model: a TCK `.dmn` file, its test file, the decision
/// evaluated and, for zen-engine, its JDM translation.
struct ModelSpec {
    /// Short label printed in the table.
    label: &'static str,
    /// The `.dmn` file, relative to the TCK `TestCases` folder.
    dmn: &'static str,
    /// The model's TCK test file, relative to the same folder: every test
    /// case with a result for `decision` is one input set (cycled).
    tests: &'static str,
    /// The decision's name.
    decision: &'static str,
    /// The JDM translation, for zen-engine (`None`: not translated).
    jdm: Option<&'static str>,
}

const MODELS: &[ModelSpec] = &[
    ModelSpec {
        label: "1 decision table (0004-simpletable-U)",
        dmn: "compliance-level-2/0004-simpletable-U/0004-simpletable-U.dmn",
        tests: "compliance-level-2/0004-simpletable-U/0004-simpletable-U-test-01.xml",
        decision: "Approval Status",
        jdm: Some(include_str!("../models/0004-simpletable-U.jdm.json")),
    },
    ModelSpec {
        label: "2 DRG with BKMs (0004-lending)",
        dmn: "compliance-level-3/0004-lending/0004-lending.dmn",
        tests: "compliance-level-3/0004-lending/0004-lending-test-01.xml",
        decision: "Adjudication",
        jdm: None,
    },
    ModelSpec {
        label: "3 nested FEEL context (0041-multiple-nestedcontext)",
        dmn: "compliance-level-3/0041-multiple-nestedcontext/0041-multiple-nestedcontext.dmn",
        tests:
            "compliance-level-3/0041-multiple-nestedcontext/0041-multiple-nestedcontext-test-01.xml",
        decision: "Boxed Context",
        jdm: Some(include_str!(
            "../models/0041-multiple-nestedcontext.jdm.json"
        )),
    },
];

/// A model loaded from the kit: its spec, the DMN text and, per TCK test
/// case with a result for the decision, the inputs (as read from the kit,
/// and as JSON for the peers) and the result the kit expects.
struct Model {
    spec: &'static ModelSpec,
    xml: String,
    contexts: Vec<Context>,
    inputs: Vec<serde_json::Value>,
    expected: Vec<Value>,
}

impl Model {
    fn load(spec: &'static ModelSpec, tck: &Path) -> Result<Model, String> {
        let read = |file: &str| {
            let path = tck.join(file);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let xml = read(spec.dmn)?;
        let cases = flowdesk_rules::tck::read_test_cases(&read(spec.tests)?)
            .map_err(|e| format!("{}: {e}", spec.tests))?;
        let (mut contexts, mut inputs, mut expected) = (Vec::new(), Vec::new(), Vec::new());
        for case in cases {
            if let Some((_, want)) = case.expected.iter().find(|(n, _)| n == spec.decision) {
                inputs.push(Value::context(case.inputs.clone()).to_json());
                contexts.push(case.inputs);
                expected.push(want.clone());
            }
        }
        if inputs.is_empty() {
            return Err(format!(
                "{} has no test case with a result for `{}`",
                spec.tests, spec.decision
            ));
        }
        Ok(Model {
            spec,
            xml,
            contexts,
            inputs,
            expected,
        })
    }
}

/// An engine, ready to evaluate one model's decision.
trait Engine {
    /// Evaluates the decision with inputs number `i`, as a Flowdesk value.
    fn evaluate(&mut self, i: usize) -> Result<Value, String>;
}

struct Flowdesk {
    catalog: Catalog,
    namespace: String,
    decision: String,
    inputs: Vec<Context>,
}

impl Engine for Flowdesk {
    fn evaluate(&mut self, i: usize) -> Result<Value, String> {
        let inputs = self.inputs[i % self.inputs.len()].clone();
        self.catalog
            .evaluate_decision(&self.namespace, &self.decision, inputs)
            .map(|(v, _)| v)
            .map_err(|e| e.to_string())
    }
}

fn flowdesk(model: &Model) -> Result<Flowdesk, String> {
    let dmn = DmnModel::parse(&model.xml).map_err(|p| p.to_string())?;
    let namespace = dmn.namespace().to_string();
    let mut catalog = Catalog::new();
    catalog.add(dmn);
    Ok(Flowdesk {
        catalog,
        namespace,
        decision: model.spec.decision.to_string(),
        inputs: model.contexts.clone(),
    })
}

struct Dsntk {
    evaluator: Arc<dsntk_model_evaluator::ModelEvaluator>,
    namespace: String,
    name: String,
    decision: String,
    inputs: Vec<dsntk_feel::context::FeelContext>,
}

impl Engine for Dsntk {
    fn evaluate(&mut self, i: usize) -> Result<Value, String> {
        let v = self.evaluator.evaluate_invocable(
            &self.namespace,
            &self.name,
            &self.decision,
            &self.inputs[i % self.inputs.len()],
        );
        from_dsntk(&v)
    }
}

fn dsntk(model: &Model) -> Result<Dsntk, String> {
    use dsntk_model::{DmnElement, NamedElement};
    let definitions = dsntk_model::parse(&model.xml).map_err(|e| e.to_string())?;
    let namespace = definitions.namespace().to_string();
    let name = definitions.name().to_string();
    let evaluator =
        dsntk_model_evaluator::ModelEvaluator::new(&[definitions]).map_err(|e| e.to_string())?;
    let inputs = model
        .inputs
        .iter()
        .map(|j| match to_dsntk(j)? {
            dsntk_feel::values::Value::Context(c) => Ok(c),
            _ => Err("inputs are not a context".to_string()),
        })
        .collect::<Result<_, String>>()?;
    Ok(Dsntk {
        evaluator,
        namespace,
        name,
        decision: model.spec.decision.to_string(),
        inputs,
    })
}

/// JSON input → dsntk value (numbers from their decimal text).
fn to_dsntk(j: &serde_json::Value) -> Result<dsntk_feel::values::Value, String> {
    use dsntk_feel::values::Value as D;
    use serde_json::Value as J;
    Ok(match j {
        J::Null => D::Null(None),
        J::Bool(b) => D::Boolean(*b),
        J::Number(n) => D::Number(
            n.to_string()
                .parse::<dsntk_feel::FeelNumber>()
                .map_err(|e| format!("number {n}: {e}"))?,
        ),
        J::String(s) => D::String(s.clone()),
        J::Array(a) => D::List(a.iter().map(to_dsntk).collect::<Result<_, _>>()?),
        J::Object(o) => {
            let mut c = dsntk_feel::context::FeelContext::default();
            for (k, v) in o {
                c.set_entry(&dsntk_feel::Name::from(k.as_str()), to_dsntk(v)?);
            }
            D::Context(c)
        }
    })
}

/// dsntk result → Flowdesk value, for the comparison. Nulls carry dsntk's
/// reason, so a failed evaluation is reported as such.
fn from_dsntk(v: &dsntk_feel::values::Value) -> Result<Value, String> {
    use dsntk_feel::values::Value as D;
    Ok(match v {
        D::Null(None) => Value::Null,
        D::Null(Some(reason)) => return Err(format!("null: {reason}")),
        D::Boolean(b) => Value::Boolean(*b),
        D::Number(n) => Number::parse(&n.to_string())
            .map(Value::Number)
            .ok_or_else(|| format!("number {n} not readable"))?,
        D::String(s) => Value::string(s.as_str()),
        D::List(l) => Value::list(l.iter().map(from_dsntk).collect::<Result<_, _>>()?),
        D::Context(c) => {
            let mut out = Context::new();
            for (k, v) in c.iter() {
                out.insert(k.as_str(), from_dsntk(v)?);
            }
            Value::context(out)
        }
        other => return Err(format!("unsupported result type: {other}")),
    })
}

struct Zen {
    runtime: tokio::runtime::Runtime,
    decision: zen_engine::Decision,
    output: String,
    inputs: Vec<zen_engine::Variable>,
}

impl Engine for Zen {
    fn evaluate(&mut self, i: usize) -> Result<Value, String> {
        let input = self.inputs[i % self.inputs.len()].depth_clone(8);
        let response = self
            .runtime
            .block_on(self.decision.evaluate(input))
            .map_err(|e| e.to_string())?;
        let out = response.result.to_value();
        out.get(&self.output)
            .map(Value::from_json)
            .ok_or_else(|| format!("no `{}` in the result {out}", self.output))
    }
}

fn zen(jdm: &str, model: &Model) -> Result<Zen, String> {
    let mut content: zen_engine::model::GraphContent =
        serde_json::from_str(jdm).map_err(|e| format!("JDM: {e}"))?;
    content.compile();
    let decision = zen_engine::Decision::from(content);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Zen {
        runtime,
        decision,
        output: model.spec.decision.to_string(),
        inputs: model
            .inputs
            .iter()
            .map(zen_engine::Variable::from)
            .collect(),
    })
}

/// Timing of one engine on one model.
struct Timing {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    count: usize,
}

/// Warms up for a tenth of `budget`, then times single evaluations until
/// `budget` is spent (at least 1000 of them, at most 2 million).
fn time(engine: &mut dyn Engine, inputs: usize, budget: Duration) -> Result<Timing, String> {
    let warm = Instant::now();
    let mut i = 0;
    while warm.elapsed() < budget / 10 || i < 100 {
        engine.evaluate(i)?;
        i += 1;
    }
    let mut samples = Vec::with_capacity(1 << 16);
    let start = Instant::now();
    let mut i = 0;
    while (start.elapsed() < budget || samples.len() < 1000) && samples.len() < 2_000_000 {
        let t = Instant::now();
        let v = engine.evaluate(i % inputs);
        samples.push(t.elapsed());
        std::hint::black_box(v)?;
        i += 1;
    }
    let total = start.elapsed();
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Ok(Timing {
        per_second: samples.len() as f64 / total.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        count: samples.len(),
    })
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut tck = PathBuf::from("../shared/conformance/dmn-tck/TestCases");
    let mut seconds = 2.0_f64;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--tck", Some(dir)) => tck = PathBuf::from(dir),
            ("--seconds", Some(s)) if s.parse::<f64>().is_ok_and(|s| s > 0.0) => {
                seconds = s.parse().unwrap_or(seconds)
            }
            _ => {
                eprintln!("usage: rules-peers [--tck DIR] [--seconds S]");
                return ExitCode::FAILURE;
            }
        }
    }
    match run(&tck, Duration::from_secs_f64(seconds)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(tck: &Path, budget: Duration) -> Result<(), String> {
    for spec in MODELS {
        let model = Model::load(spec, tck)?;
        let label = spec.label;
        let mut engines: Vec<(&str, Result<Box<dyn Engine>, String>)> = vec![
            (
                "flowdesk",
                flowdesk(&model).map(|e| Box::new(e) as Box<dyn Engine>),
            ),
            (
                "dsntk",
                dsntk(&model).map(|e| Box::new(e) as Box<dyn Engine>),
            ),
        ];
        engines.push((
            "zen-engine",
            match spec.jdm {
                Some(jdm) => zen(jdm, &model).map(|e| Box::new(e) as Box<dyn Engine>),
                None => Err("no JDM translation (zen-engine runs JDM, not DMN)".to_string()),
            },
        ));
        let mut flowdesk = match engines.remove(0).1 {
            Ok(e) => e,
            Err(e) => return Err(format!("{label}: Flowdesk cannot load it: {e}")),
        };
        // The reference results: Flowdesk's, which must be the TCK's.
        let expected: Vec<Value> = (0..model.inputs.len())
            .map(|i| flowdesk.evaluate(i))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{label}: Flowdesk: {e}"))?;
        for (i, (got, want)) in expected.iter().zip(&model.expected).enumerate() {
            if !flowdesk_rules::tck::same_value(want, got) {
                return Err(format!(
                    "{label}: Flowdesk returns {} on TCK inputs {}, the kit expects {}",
                    got.to_json(),
                    i + 1,
                    want.to_json()
                ));
            }
        }
        let mut runnable: Vec<(&str, Box<dyn Engine>)> = vec![("flowdesk", flowdesk)];
        for (name, engine) in engines {
            let mut engine = match engine {
                Ok(e) => e,
                Err(reason) => {
                    println!("SKIP\t{label}\t{name}\t{}", one_line(&reason));
                    continue;
                }
            };
            let mut results = Vec::new();
            for i in 0..expected.len() {
                match engine.evaluate(i) {
                    Ok(v) => results.push(v),
                    Err(e) => {
                        let reason = format!("fails on inputs {}: {e}", i + 1);
                        println!("SKIP\t{label}\t{name}\t{}", one_line(&reason));
                        break;
                    }
                }
            }
            if results.len() < expected.len() {
                continue;
            }
            for (i, (want, got)) in expected.iter().zip(&results).enumerate() {
                if !flowdesk_rules::tck::same_value(want, got) {
                    return Err(format!(
                        "{label}: engines disagree on TCK inputs {}: flowdesk {} but {name} {}",
                        i + 1,
                        want.to_json(),
                        got.to_json()
                    ));
                }
            }
            runnable.push((name, engine));
        }
        for (name, mut engine) in runnable {
            let t = time(engine.as_mut(), model.inputs.len(), budget)
                .map_err(|e| format!("{label}: {name}: {e}"))?;
            println!(
                "RESULT\t{label}\t{name}\t{:.0}\t{}\t{}\t{}",
                t.per_second,
                t.p50.as_nanos(),
                t.p99.as_nanos(),
                t.count
            );
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
