//! `cargo xtask bench`: the workspace's benchmarks, with the services up.
//!
//! - `cargo xtask bench` runs every bench: the workspace's `cargo bench`
//!   targets (when there are any), then the engine benchmark.
//! - `cargo xtask bench engine [--count N]` runs the engine benchmark only:
//!   the models in `../shared/bench/models` on Flowdesk in memory, Flowdesk
//!   durable on SQLite and on PostgreSQL (with the raw sqlx transaction
//!   ceiling of each), SpiffWorkflow and bpmn-engine, then a table of
//!   instances per second and the ratios against the targets.
//! - `cargo xtask bench rules [--seconds S]` runs the rules benchmark (see
//!   `bench_rules`): DMN TCK models on Flowdesk, dsntk and zen-engine.
//! - `cargo xtask bench analytics [--count EVENTS]` runs the analytics
//!   benchmark (see `bench_analytics`): read-model catch-up, dashboard
//!   latency and PDF rendering over a million history events.
//! - `cargo xtask bench NAME` runs the `cargo bench` target NAME.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::apt::{self, Group};
use crate::services;
use crate::toolchain::{self, cargo};
use crate::util::{describe, note, quiet_stdout, run, step, which};
use crate::Workspace;

#[derive(Args)]
pub struct BenchArgs {
    /// Run only the bench NAME: `engine`, or a `cargo bench` target.
    name: Option<String>,
    /// Engine bench: instances per model and engine (default: a count per
    /// engine that gives each run a few seconds on a small machine).
    /// Analytics bench: history events generated (default 1,000,000).
    #[arg(long)]
    count: Option<usize>,
    /// Rules bench: seconds of timing per model and engine (default 2).
    #[arg(long)]
    seconds: Option<f64>,
}

/// The engine benchmark's name.
const ENGINE: &str = "engine";
/// The SpiffWorkflow version the peer harness is written for.
const SPIFF_VERSION: &str = "3.2.0";
/// The bpmn-engine major version the peer harness is written for.
const BPMN_ENGINE_MAJOR: &str = "25";
/// The models: (file in models/, process id).
const MODELS: [(&str, &str); 2] = [("order.bpmn", "order"), ("parallel.bpmn", "parallel")];

pub fn bench(workspace: &Workspace, args: BenchArgs) -> Result<()> {
    if args.name.as_deref() == Some(crate::bench_rules::NAME) {
        return crate::bench_rules::bench(workspace, args.seconds);
    }
    apt::ensure(&[Group::Services])?;
    services::ensure_all()?;

    match args.name.as_deref() {
        Some(ENGINE) => engine_bench(workspace, args.count),
        Some(crate::bench_analytics::NAME) => crate::bench_analytics::bench(workspace, args.count),
        Some(name) => cargo_benches(workspace, Some(name)),
        None => {
            cargo_benches(workspace, None)?;
            engine_bench(workspace, args.count)
        }
    }
}

fn cargo_benches(workspace: &Workspace, name: Option<&str>) -> Result<()> {
    step("benchmark targets");
    let targets = bench_targets(workspace)?;
    if targets.is_empty() {
        if let Some(name) = name {
            bail!("no benchmark named {name}; there are: {ENGINE}");
        }
        note("no `cargo bench` targets yet");
        return Ok(());
    }
    for (package, target) in &targets {
        note(format!("{package}: {target}"));
    }

    let mut command = cargo();
    command
        .args(["bench", "--workspace"])
        .env("FLOWDESK_TEST_PG", services::POSTGRES_URL)
        .env("FLOWDESK_REPO_ROOT", &workspace.root)
        .current_dir(&workspace.root);
    if let Some(name) = name {
        if !targets.iter().any(|(_, target)| target == name) {
            let mut names: Vec<&str> = targets.iter().map(|(_, target)| target.as_str()).collect();
            names.insert(0, ENGINE);
            bail!("no benchmark named {name}; there are: {}", names.join(", "));
        }
        command.args(["--bench", name]);
    }
    step("running benchmarks");
    run(&mut command)
}

/// (package, target) for every bench target in the workspace's packages.
fn bench_targets(workspace: &Workspace) -> Result<Vec<(String, String)>> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(&workspace.root)
        .output()
        .context("could not run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed invalid JSON")?;
    let mut targets = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let package_name = package["name"].as_str().unwrap_or_default();
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_bench = target["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind == "bench");
            if is_bench {
                let name = target["name"].as_str().unwrap_or_default();
                targets.push((package_name.to_string(), name.to_string()));
            }
        }
    }
    Ok(targets)
}

/// One engine the benchmark runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Runner {
    Memory,
    Sqlite,
    Postgres,
    Spiff,
    BpmnEngine,
}

impl Runner {
    const ALL: [Runner; 5] = [
        Runner::Memory,
        Runner::Sqlite,
        Runner::Postgres,
        Runner::Spiff,
        Runner::BpmnEngine,
    ];

    fn label(self) -> &'static str {
        match self {
            Runner::Memory => "Flowdesk in memory",
            Runner::Sqlite => "Flowdesk durable, SQLite",
            Runner::Postgres => "Flowdesk durable, PostgreSQL",
            Runner::Spiff => "SpiffWorkflow 3.2.0",
            Runner::BpmnEngine => "bpmn-engine 25",
        }
    }

    /// Instances per run giving each run a few seconds on 2 busy cores.
    fn default_count(self) -> usize {
        match self {
            Runner::Memory => 1_000_000,
            Runner::Sqlite => 3_000,
            Runner::Postgres => 600,
            Runner::Spiff => 3_000,
            Runner::BpmnEngine => 150,
        }
    }
}

/// Where the peers live and what runs them.
struct Peers {
    python: PathBuf,
    spiff_script: PathBuf,
    node_dir: PathBuf,
    bpmn_engine_script: PathBuf,
}

/// What one model measured: instances/s per runner, raw transactions/s per
/// durable runner.
struct ModelResult {
    process_id: &'static str,
    rates: Vec<(Runner, f64)>,
    raw: Vec<(Runner, f64)>,
    same_writes: Vec<(Runner, f64)>,
}

impl ModelResult {
    fn rate(&self, runner: Runner) -> Option<f64> {
        self.rates
            .iter()
            .find(|(r, _)| *r == runner)
            .map(|(_, rate)| *rate)
    }

    fn raw(&self, runner: Runner) -> Option<f64> {
        self.raw
            .iter()
            .find(|(r, _)| *r == runner)
            .map(|(_, rate)| *rate)
    }

    fn same_writes(&self, runner: Runner) -> Option<f64> {
        self.same_writes
            .iter()
            .find(|(r, _)| *r == runner)
            .map(|(_, rate)| *rate)
    }
}

fn engine_bench(workspace: &Workspace, count: Option<usize>) -> Result<()> {
    let shared = shared_bench_dir(workspace)?;
    let models = shared.join("models");
    let peers = setup_peers(workspace, &shared)?;

    step("building flowdesk-bench (release)");
    run(cargo()
        .args(["build", "--release", "-p", "flowdesk-bench"])
        .current_dir(&workspace.root))?;
    let driver = workspace.target.join("release").join("flowdesk-bench");

    let mut results = Vec::new();
    for (file, process_id) in MODELS {
        let model = models.join(file);
        let model_arg = model.to_string_lossy().into_owned();
        step(format!("model {process_id} ({})", model.display()));
        let mut result = ModelResult {
            process_id,
            rates: Vec::new(),
            raw: Vec::new(),
            same_writes: Vec::new(),
        };
        for runner in Runner::ALL {
            let n = count.unwrap_or(runner.default_count()).to_string();
            let mut command = match runner {
                Runner::Memory | Runner::Sqlite | Runner::Postgres => {
                    let mode = match runner {
                        Runner::Memory => "memory",
                        Runner::Sqlite => "sqlite",
                        _ => "postgres",
                    };
                    let mut command = Command::new(&driver);
                    command
                        .args([mode, &model_arg, process_id, &n])
                        .env("FLOWDESK_TEST_PG", services::POSTGRES_URL);
                    command
                }
                Runner::Spiff => {
                    let mut command = Command::new(&peers.python);
                    command
                        .arg(&peers.spiff_script)
                        .args([&model_arg, process_id, &n]);
                    command
                }
                Runner::BpmnEngine => {
                    let mut command = Command::new("node");
                    command
                        .arg(&peers.bpmn_engine_script)
                        .args([&model_arg, process_id, &n])
                        .current_dir(&peers.node_dir);
                    command
                }
            };
            let lines = measure(&mut command)?;
            for line in &lines {
                note(line);
                let rate = rate_of(line)
                    .with_context(|| format!("no `= R …/s` in the output line {line:?}"))?;
                if line.starts_with("raw-sqlx-") {
                    result.raw.push((runner, rate));
                } else if line.starts_with("same-writes-sqlx-") {
                    result.same_writes.push((runner, rate));
                } else {
                    result.rates.push((runner, rate));
                }
            }
        }
        results.push(result);
    }

    print_table(&results);
    Ok(())
}

/// Runs a measurement; its stdout lines. Fails with its stderr on failure.
fn measure(command: &mut Command) -> Result<Vec<String>> {
    note(format!("$ {}", describe(command)));
    let output = command
        .output()
        .with_context(|| format!("could not start `{}`", describe(command)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}):\n{}{}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_string)
        .collect())
}

/// R from a line ending in `= R instances/s` (or `transactions/s`).
fn rate_of(line: &str) -> Option<f64> {
    let (_, tail) = line.rsplit_once(" = ")?;
    tail.split_whitespace().next()?.parse().ok()
}

fn print_table(results: &[ModelResult]) {
    step("results (instances/s; raw ceiling in transactions/s, one per instance)");
    let mut header = format!("    {:<30}", "engine");
    for result in results {
        header.push_str(&format!(" {:>12}", result.process_id));
    }
    println!("{header}");
    for runner in Runner::ALL {
        let mut line = format!("    {:<30}", runner.label());
        for result in results {
            line.push_str(&format!(" {:>12}", format_rate(result.rate(runner))));
        }
        println!("{line}");
        if matches!(runner, Runner::Sqlite | Runner::Postgres) {
            let mut line = format!("    {:<30}", "  raw sqlx ceiling (tx/s)");
            for result in results {
                line.push_str(&format!(" {:>12}", format_rate(result.raw(runner))));
            }
            println!("{line}");
            let mut line = format!("    {:<30}", "  same-writes ceiling (tx/s)");
            for result in results {
                line.push_str(&format!(" {:>12}", format_rate(result.same_writes(runner))));
            }
            println!("{line}");
        }
    }

    println!();
    type Ratio = fn(&ModelResult) -> Option<f64>;
    let rows: [(&str, &str, Ratio); 6] = [
        ("in memory / SpiffWorkflow", ">= 50x", |r| {
            Some(r.rate(Runner::Memory)? / r.rate(Runner::Spiff)?)
        }),
        ("in memory / bpmn-engine", ">= 10x", |r| {
            Some(r.rate(Runner::Memory)? / r.rate(Runner::BpmnEngine)?)
        }),
        ("durable SQLite / raw ceiling", ">= 50%", |r| {
            Some(r.rate(Runner::Sqlite)? / r.raw(Runner::Sqlite)?)
        }),
        ("durable PostgreSQL / raw ceiling", ">= 50%", |r| {
            Some(r.rate(Runner::Postgres)? / r.raw(Runner::Postgres)?)
        }),
        ("durable SQLite / same writes", ">= 50%", |r| {
            Some(r.rate(Runner::Sqlite)? / r.same_writes(Runner::Sqlite)?)
        }),
        ("durable PostgreSQL / same writes", ">= 50%", |r| {
            Some(r.rate(Runner::Postgres)? / r.same_writes(Runner::Postgres)?)
        }),
    ];
    let mut header = format!("    {:<34} {:>8}", "ratio", "target");
    for result in results {
        header.push_str(&format!(" {:>14}", result.process_id));
    }
    println!("{header}");
    for (name, target, value) in rows {
        let percent = target.ends_with('%');
        let minimum: f64 = target
            .trim_start_matches(">= ")
            .trim_end_matches(['x', '%'])
            .parse()
            .unwrap_or(0.0);
        let mut line = format!("    {name:<34} {target:>8}");
        for result in results {
            let cell = match value(result) {
                Some(value) if percent => {
                    let mark = if value * 100.0 >= minimum {
                        "ok"
                    } else {
                        "MISS"
                    };
                    format!("{:.0}% {mark}", value * 100.0)
                }
                Some(value) => {
                    let mark = if value >= minimum { "ok" } else { "MISS" };
                    format!("{value:.0}x {mark}")
                }
                None => "-".to_string(),
            };
            line.push_str(&format!(" {cell:>14}"));
        }
        println!("{line}");
    }
}

fn format_rate(rate: Option<f64>) -> String {
    match rate {
        Some(rate) => format!("{rate:.0}"),
        None => "-".to_string(),
    }
}

/// The shared bench inputs: `$FLOWDESK_BENCH_DIR`, else `../shared/bench`.
fn shared_bench_dir(workspace: &Workspace) -> Result<PathBuf> {
    let dir = match std::env::var_os("FLOWDESK_BENCH_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace.root.join("..").join("shared").join("bench"),
    };
    for needed in ["models/order.bpmn", "models/parallel.bpmn", "peers"] {
        if !dir.join(needed).exists() {
            bail!(
                "{} has no {needed}; point FLOWDESK_BENCH_DIR at the shared bench folder \
                 (with models/ and peers/)",
                dir.display()
            );
        }
    }
    Ok(dir.canonicalize().unwrap_or(dir))
}

/// Sets up both peers under target/bench-peers/ (idempotent) and writes
/// their patched harnesses there.
fn setup_peers(workspace: &Workspace, shared: &Path) -> Result<Peers> {
    let root = workspace.target.join("bench-peers");
    fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;

    step(format!("SpiffWorkflow {SPIFF_VERSION} (python venv)"));
    let python3 = which("python3").context(
        "python3 is not in PATH; install Python 3 with the venv module to run SpiffWorkflow",
    )?;
    let venv = root.join("spiff");
    let python = venv.join("bin").join("python");
    let installed = python.exists()
        && quiet_stdout(Command::new(&python).args([
            "-c",
            "import importlib.metadata as m; print(m.version('SpiffWorkflow'))",
        ]))
        .is_some_and(|version| version.trim() == SPIFF_VERSION);
    if installed {
        note(format!("already installed in {}", venv.display()));
    } else {
        run(Command::new(&python3).arg("-m").arg("venv").arg(&venv)).context(
            "creating the virtual environment failed (Debian: apt-get install python3-venv)",
        )?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            &format!("spiffworkflow=={SPIFF_VERSION}"),
        ]))
        .context("installing SpiffWorkflow failed")?;
    }
    let spiff_script = root.join("spiff_bench.py");
    // SpiffWorkflow 3.2.0 runs the shared harness as it is.
    write_patched(&shared.join("peers/spiff_bench.py"), &spiff_script, &[])?;

    toolchain::ensure_node()?;
    step(format!(
        "bpmn-engine {BPMN_ENGINE_MAJOR} (npm, scratch folder)"
    ));
    let node_dir = root.join("bpmn-engine");
    fs::create_dir_all(&node_dir)
        .with_context(|| format!("cannot create {}", node_dir.display()))?;
    let package = node_dir.join("node_modules/bpmn-engine/package.json");
    let installed_version = fs::read_to_string(&package)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_string));
    match installed_version {
        Some(version) if version.split('.').next() == Some(BPMN_ENGINE_MAJOR) => {
            note(format!(
                "bpmn-engine {version} already installed in {}",
                node_dir.display()
            ));
        }
        _ => {
            if !node_dir.join("package.json").exists() {
                fs::write(
                    node_dir.join("package.json"),
                    "{ \"name\": \"flowdesk-bench-peer\", \"private\": true }\n",
                )?;
            }
            run(Command::new("npm")
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    &format!("bpmn-engine@{BPMN_ENGINE_MAJOR}"),
                ])
                .current_dir(&node_dir))
            .context("npm install bpmn-engine failed")?;
        }
    }
    // The script must sit next to node_modules for `require` to find it.
    let bpmn_engine_script = node_dir.join("bpmn_engine_bench.js");
    write_patched(
        &shared.join("peers/bpmn_engine_bench.js"),
        &bpmn_engine_script,
        &[
            // bpmn-engine 25 Definition contexts carry no moddleContext, so
            // the shared script got `undefined` and re-parsed the XML for
            // every instance. Parse it once with bpmn-moddle instead…
            (
                "const { Engine } = require('bpmn-engine');",
                "const { Engine } = require('bpmn-engine');\nconst BpmnModdle = require('bpmn-moddle');",
            ),
            (
                "await new Engine({ source }).getDefinitions().then((defs) => defs[0].context.moddleContext)",
                "await new BpmnModdle().fromXML(source)",
            ),
            // …and hand only that to each engine (with `source` too, every
            // instance parsed the XML again).
            (
                "new Engine({ name: 'bench', source, moddleContext, variables: { amount } })",
                "new Engine({ name: 'bench', moddleContext, variables: { amount } })",
            ),
        ],
    )?;

    Ok(Peers {
        python,
        spiff_script,
        node_dir,
        bpmn_engine_script,
    })
}

/// Copies `from` to `to` with `patches` (old, new) applied; fails when a
/// patch no longer matches, i.e. the shared harness changed.
fn write_patched(from: &Path, to: &Path, patches: &[(&str, &str)]) -> Result<()> {
    let mut text =
        fs::read_to_string(from).with_context(|| format!("cannot read {}", from.display()))?;
    for (old, new) in patches {
        if !text.contains(old) {
            bail!(
                "{} changed: the patch for `{old}` no longer applies; update xtask/src/bench.rs",
                from.display()
            );
        }
        text = text.replace(old, new);
    }
    fs::write(to, text).with_context(|| format!("cannot write {}", to.display()))?;
    note(format!("harness: {}", to.display()));
    Ok(())
}
