//! `cargo xtask bench analytics [--count EVENTS]`: the analytics benchmark.
//! Builds the `analytics_bench` example of `flowdesk-insights` in release
//! mode and runs it on a fresh SQLite file and a fresh PostgreSQL database:
//! EVENTS history events (default 1,000,000) generated and inserted, the
//! read model caught up (events/s), typical dashboard queries timed (p50,
//! p99 against 100 ms) and a report rendered as PDF. Its figures are printed
//! as they come.

use std::process::Command;

use anyhow::Result;

use crate::services;
use crate::toolchain::cargo;
use crate::util::{describe, run, step};
use crate::Workspace;

/// The bench's name on the command line.
pub const NAME: &str = "analytics";

/// Builds and runs the analytics benchmark with `events` history events.
pub fn bench(workspace: &Workspace, events: Option<usize>) -> Result<()> {
    step("building the analytics benchmark (flowdesk-insights example analytics_bench, release)");
    run(cargo()
        .args([
            "build",
            "--release",
            "-p",
            "flowdesk-insights",
            "--example",
            "analytics_bench",
        ])
        .current_dir(&workspace.root))?;
    let binary = workspace
        .target
        .join("release")
        .join("examples")
        .join("analytics_bench");
    let mut command = Command::new(binary);
    command
        .arg("both")
        .arg(events.unwrap_or(1_000_000).to_string())
        .env("FLOWDESK_TEST_PG", services::POSTGRES_URL)
        .current_dir(&workspace.root);
    step(format!("running {}", describe(&command)));
    run(&mut command)
}
