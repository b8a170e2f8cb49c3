//! `cargo xtask tck`: runs the DMN TCK (../shared/conformance/dmn-tck next
//! to the repository) through the release `dmn-tck` binary of
//! `flowdesk-rules`, so that xtask itself depends on no workspace crate.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use crate::toolchain::cargo;
use crate::util::{run, step};
use crate::Workspace;

#[derive(Args)]
pub struct TckArgs {
    /// Write the results in the published TCK CSV format to this file.
    #[arg(long, value_name = "OUT")]
    csv: Option<PathBuf>,
    /// Run only compliance level 2 or 3.
    #[arg(long, value_parser = clap::value_parser!(u8).range(2..=3))]
    level: Option<u8>,
}

/// The kit's `TestCases` folder, beside the repository.
pub fn test_cases(workspace: &Workspace) -> Result<PathBuf> {
    let Some(parent) = workspace.root.parent() else {
        bail!(
            "the workspace root {} has no parent folder",
            workspace.root.display()
        );
    };
    let cases = parent.join("shared/conformance/dmn-tck/TestCases");
    if !cases.is_dir() {
        bail!(
            "the DMN TCK is missing: expected its TestCases folder at {}",
            cases.display()
        );
    }
    Ok(cases)
}

pub fn tck(workspace: &Workspace, args: TckArgs) -> Result<()> {
    let cases = test_cases(workspace)?;
    step(format!("DMN TCK from {}", cases.display()));
    let mut command = cargo();
    command
        .args([
            "run",
            "--release",
            "-p",
            "flowdesk-rules",
            "--bin",
            "dmn-tck",
            "--",
        ])
        .arg(&cases)
        .current_dir(&workspace.root);
    if let Some(csv) = &args.csv {
        // Relative to where the user ran the command, not the workspace.
        let csv = std::env::current_dir()?.join(csv);
        command.arg("--csv").arg(csv);
    }
    if let Some(level) = args.level {
        command.args(["--level", &level.to_string()]);
    }
    run(&mut command)
}
