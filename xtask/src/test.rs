//! `cargo xtask test`: what CI runs, in order, stopping at the first failure,
//! with a table of steps and times at the end.

use std::fs;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;

use crate::apt::{self, Group};
use crate::services;
use crate::toolchain::{self, cargo};
use crate::util::{run, step};
use crate::Workspace;

#[derive(Args)]
pub struct TestArgs {
    /// Skip `cargo fmt --check` and clippy, for fast local iteration.
    #[arg(long)]
    skip_lint: bool,
    /// Passed on to `cargo nextest run` (filters and options), after `--`.
    #[arg(last = true, value_name = "NEXTEST_ARGS")]
    nextest_args: Vec<String>,
}

/// Everything the tests need, installed or started where missing.
pub fn setup(workspace: &Workspace) -> Result<()> {
    apt::ensure(&Group::ALL)?;
    toolchain::ensure_node()?;
    toolchain::ensure_npm_dependencies(workspace)?;
    toolchain::ensure_tauri_driver()?;
    toolchain::ensure_nextest()?;
    toolchain::build_ui(workspace)?;
    ensure_schemathesis(workspace)?;
    services::ensure_all()
}

/// schemathesis (PyPI), pinned, in a venv under target/, for the API
/// property test in crates/server/tests/schemathesis.rs.
fn ensure_schemathesis(workspace: &Workspace) -> Result<()> {
    let venv = workspace.target.join("schemathesis").join("venv");
    if venv.join("bin").join("st").exists() {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "schemathesis==4.32.5",
    ]))
}

type StepAction<'a> = Box<dyn FnMut() -> Result<()> + 'a>;

enum Outcome {
    Passed,
    Failed,
    Skipped,
    NotRun,
}

struct Row {
    name: &'static str,
    outcome: Outcome,
    seconds: Option<f64>,
}

pub fn test(workspace: &Workspace, args: TestArgs) -> Result<()> {
    let root = &workspace.root;
    let ui = workspace.ui();
    let is_lint = |name| matches!(name, "cargo fmt" | "cargo clippy");

    // `--unlock` with an empty password line creates and unlocks a default
    // "login" collection, so keyring tests store secrets without a prompt.
    // (An empty stdin, `printf ''`, leaves no default collection.) The
    // keyring files go to a fresh folder under target/, never the user's own.
    let keyring_home = workspace.target.join("xtask").join("keyring");
    let nextest_script = "printf '\\n' | XDG_DATA_HOME=\"$XTASK_KEYRING_HOME\" \
         gnome-keyring-daemon --unlock --components=secrets >/dev/null \
         || { echo 'xtask: gnome-keyring-daemon --unlock failed' >&2; exit 1; }; \
         exec cargo nextest run --workspace --no-fail-fast \"$@\"";
    let mut nextest = Command::new("dbus-run-session");
    nextest
        .args(["--", "sh", "-c", nextest_script, "sh"])
        .args(&args.nextest_args)
        .env("XTASK_KEYRING_HOME", &keyring_home)
        .env("FLOWDESK_TEST_PG", services::POSTGRES_URL)
        .env("FLOWDESK_REPO_ROOT", root)
        .env(
            "FLOWDESK_SCHEMATHESIS",
            workspace.target.join("schemathesis/venv/bin/st"),
        )
        .current_dir(root);
    if std::env::var_os("CI").is_some() {
        nextest.env("NEXTEST_PROFILE", "ci");
    }
    let run_nextest = move || {
        if keyring_home.exists() {
            fs::remove_dir_all(&keyring_home)?;
        }
        fs::create_dir_all(&keyring_home)?;
        run(&mut nextest)
    };

    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"])
        .current_dir(root);
    let mut clippy = cargo();
    clippy
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .current_dir(root);
    let mut ui_check = Command::new("npm");
    ui_check.args(["run", "check"]).current_dir(&ui);
    let mut ui_test = Command::new("npm");
    ui_test.arg("test").current_dir(&ui);
    let mut build = cargo();
    build
        .args(["build", "--workspace", "--bins"])
        .current_dir(root);

    let mut steps: Vec<(&'static str, StepAction)> = vec![
        ("setup", Box::new(|| setup(workspace))),
        ("cargo fmt", Box::new(move || run(&mut fmt))),
        ("cargo clippy", Box::new(move || run(&mut clippy))),
        ("ui check", Box::new(move || run(&mut ui_check))),
        ("ui test", Box::new(move || run(&mut ui_test))),
        ("cargo build", Box::new(move || run(&mut build))),
        ("cargo nextest", Box::new(run_nextest)),
    ];

    let mut rows = Vec::new();
    let mut failure = None;
    for (name, action) in steps.iter_mut() {
        let name: &'static str = name;
        if failure.is_some() {
            rows.push(Row {
                name,
                outcome: Outcome::NotRun,
                seconds: None,
            });
            continue;
        }
        if args.skip_lint && is_lint(name) {
            rows.push(Row {
                name,
                outcome: Outcome::Skipped,
                seconds: None,
            });
            continue;
        }
        step(format!("test step: {name}"));
        let started = Instant::now();
        let result = action();
        let seconds = Some(started.elapsed().as_secs_f64());
        match result {
            Ok(()) => rows.push(Row {
                name,
                outcome: Outcome::Passed,
                seconds,
            }),
            Err(error) => {
                eprintln!("error: {error:#}");
                rows.push(Row {
                    name,
                    outcome: Outcome::Failed,
                    seconds,
                });
                failure = Some(name);
            }
        }
    }
    print_summary(&rows);
    if let Some(name) = failure {
        bail!("step `{name}` failed");
    }
    Ok(())
}

fn print_summary(rows: &[Row]) {
    println!();
    println!("{:<16} {:<8} {:>9}", "step", "result", "seconds");
    println!("{:-<16} {:-<8} {:->9}", "", "", "");
    let mut total = 0.0;
    for row in rows {
        let result = match row.outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "skipped",
            Outcome::NotRun => "not run",
        };
        let seconds = row
            .seconds
            .map(|seconds| format!("{seconds:.1}"))
            .unwrap_or_else(|| "-".to_string());
        total += row.seconds.unwrap_or(0.0);
        println!("{:<16} {:<8} {:>9}", row.name, result, seconds);
    }
    println!("{:<16} {:<8} {:>9.1}", "total", "", total);
}
