//! `cargo xtask bench`: the workspace's benchmarks, with the services up.

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::apt::{self, Group};
use crate::services;
use crate::toolchain::cargo;
use crate::util::{note, run, step};
use crate::Workspace;

#[derive(Args)]
pub struct BenchArgs {
    /// Run only the bench target NAME.
    name: Option<String>,
}

pub fn bench(workspace: &Workspace, args: BenchArgs) -> Result<()> {
    apt::ensure(&[Group::Services])?;
    services::ensure_all()?;

    step("benchmark targets");
    let targets = bench_targets(workspace)?;
    if targets.is_empty() {
        println!("no benchmarks yet: engine/rules/analytics benches arrive with issues 5, 6, 9");
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
    if let Some(name) = &args.name {
        if !targets.iter().any(|(_, target)| target == name) {
            let names: Vec<&str> = targets.iter().map(|(_, target)| target.as_str()).collect();
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
