//! `cargo xtask bench rules`: the rules benchmark. Builds `bench/rules-peers`
//! (a crate outside the workspace, so CI never builds the peer engines) in
//! release mode into the shared target directory, runs it from the
//! repository root, and prints evaluations per second and latency (p50,
//! p99) per model and engine, with the ratio Flowdesk/peer.

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::toolchain::cargo;
use crate::util::{describe, run, step};
use crate::Workspace;

/// The bench's name on the command line.
pub const NAME: &str = "rules";
/// The engine every ratio is computed against.
const FLOWDESK: &str = "flowdesk";

/// One line of the bench's output.
enum Row {
    /// A timed model × engine.
    Timed {
        model: String,
        engine: String,
        per_second: f64,
        p50_ns: f64,
        p99_ns: f64,
        count: u64,
    },
    /// An engine that cannot run the model, and why.
    Skipped {
        model: String,
        engine: String,
        reason: String,
    },
}

/// Builds and runs the rules benchmark; `seconds` is the timing budget of
/// each model × engine cell.
pub fn bench(workspace: &Workspace, seconds: Option<f64>) -> Result<()> {
    let dir = workspace.root.join("bench").join("rules-peers");
    step("building the rules benchmark (Flowdesk, dsntk, zen-engine; release)");
    let mut build = cargo();
    build
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &workspace.target)
        .current_dir(&workspace.root);
    run(&mut build)?;

    let binary = workspace.target.join("release").join("rules-peers");
    let mut command = Command::new(&binary);
    command
        .current_dir(&workspace.root)
        .stderr(Stdio::inherit());
    if let Some(s) = seconds {
        command.args(["--seconds", &s.to_string()]);
    }
    step(format!("running {}", describe(&command)));
    let output = command
        .output()
        .with_context(|| format!("could not run {}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Row> = stdout.lines().filter_map(parse_row).collect();
    print_table(&rows);
    if !output.status.success() {
        bail!("the rules benchmark failed ({})", output.status);
    }
    Ok(())
}

fn parse_row(line: &str) -> Option<Row> {
    let fields: Vec<&str> = line.split('\t').collect();
    match fields.as_slice() {
        ["RESULT", model, engine, per_second, p50, p99, count] => Some(Row::Timed {
            model: model.to_string(),
            engine: engine.to_string(),
            per_second: per_second.parse().ok()?,
            p50_ns: p50.parse().ok()?,
            p99_ns: p99.parse().ok()?,
            count: count.parse().ok()?,
        }),
        ["SKIP", model, engine, reason] => Some(Row::Skipped {
            model: model.to_string(),
            engine: engine.to_string(),
            reason: reason.to_string(),
        }),
        _ => None,
    }
}

fn print_table(rows: &[Row]) {
    let flowdesk_rate = |m: &str| {
        rows.iter().find_map(|r| match r {
            Row::Timed {
                model,
                engine,
                per_second,
                ..
            } if model == m && engine == FLOWDESK => Some(*per_second),
            _ => None,
        })
    };
    println!();
    println!(
        "| {:<52} | {:<10} | {:>10} | {:>9} | {:>9} | {:>9} | {:>15} |",
        "model", "engine", "evals/s", "p50 µs", "p99 µs", "evals", "Flowdesk/peer"
    );
    println!(
        "|{:-<54}|{:-<12}|{:->12}|{:->11}|{:->11}|{:->11}|{:->17}|",
        "", "", "", "", "", "", ""
    );
    for row in rows {
        match row {
            Row::Timed {
                model,
                engine,
                per_second,
                p50_ns,
                p99_ns,
                count,
            } => {
                let ratio = match flowdesk_rate(model) {
                    Some(f) if engine != FLOWDESK && *per_second > 0.0 => {
                        format!("{:.2}×", f / per_second)
                    }
                    _ => "—".to_string(),
                };
                println!(
                    "| {:<52} | {:<10} | {:>10.0} | {:>9.2} | {:>9.2} | {:>9} | {:>15} |",
                    model,
                    engine,
                    per_second,
                    p50_ns / 1000.0,
                    p99_ns / 1000.0,
                    count,
                    ratio
                );
            }
            Row::Skipped {
                model,
                engine,
                reason,
            } => println!("| {model:<52} | {engine:<10} | not run: {reason} |"),
        }
    }
}
