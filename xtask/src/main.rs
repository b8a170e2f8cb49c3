//! `cargo xtask`: Flowdesk's project automation. Every command first sets up
//! what it needs (system packages, Node, npm dependencies, tools, the UI
//! bundle, local services), skipping whatever is already in place, then
//! builds and runs. Plain `std::process`; no async runtime.
//!
//! Owns only developer and CI workflow; product code must never depend on it.

mod apt;
mod bench;
mod bench_analytics;
mod bench_rules;
mod display;
mod measure;
mod run;
mod screenshot;
mod serve;
mod services;
mod tck;
mod test;
mod toolchain;
mod util;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Set up, build, run and test Flowdesk"
)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build and run the desktop app (on a virtual display when there is no display).
    Run(run::RunArgs),
    /// Build the UI and the server, and run `flowdesk serve`.
    Serve(serve::ServeArgs),
    /// Everything CI runs: formatting, lints, UI checks and tests, all Rust tests.
    Test(test::TestArgs),
    /// Do every setup step `test` needs (packages, tools, UI bundle, services), run nothing.
    Setup,
    /// Run the benchmarks, with PostgreSQL, Redis and RabbitMQ up.
    Bench(bench::BenchArgs),
    /// Save a screenshot of the desktop app with the demo workspace.
    Screenshot(screenshot::ScreenshotArgs),
    /// Print the release binary size, start-to-first-paint time and idle memory.
    Measure,
    /// Run the DMN TCK conformance suite against flowdesk-rules.
    Tck(tck::TckArgs),
}

/// Where the repository and the build output are.
pub struct Workspace {
    pub root: PathBuf,
    pub target: PathBuf,
}

impl Workspace {
    fn locate() -> Workspace {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives one level below the workspace root")
            .to_path_buf();
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => root.join(dir),
            None => root.join("target"),
        };
        Workspace { root, target }
    }

    pub fn ui(&self) -> PathBuf {
        self.root.join("ui")
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let workspace = Workspace::locate();
    let outcome = match cli.command {
        Task::Run(args) => run::run(&workspace, args),
        Task::Serve(args) => serve::serve(&workspace, args),
        Task::Test(args) => test::test(&workspace, args).map(|()| 0),
        Task::Setup => test::setup(&workspace).map(|()| 0),
        Task::Bench(args) => bench::bench(&workspace, args).map(|()| 0),
        Task::Screenshot(args) => screenshot::screenshot(&workspace, args).map(|()| 0),
        Task::Measure => measure::measure(&workspace).map(|()| 0),
        Task::Tck(args) => tck::tck(&workspace, args).map(|()| 0),
    };
    match outcome {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
