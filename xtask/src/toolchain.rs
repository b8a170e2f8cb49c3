//! Tools and build steps outside the system packages: Node and the UI's npm
//! dependencies, tauri-driver, cargo-nextest, the UI bundle and the binaries.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{is_executable, modified, newest_modified, note, quiet_stdout, run, step, which};
use crate::Workspace;

const MINIMUM_NODE_MAJOR: u32 = 20;

/// `cargo`, the same one that runs xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Requires node >= 20 and npm in PATH.
pub fn ensure_node() -> Result<()> {
    step(format!("Node.js >= {MINIMUM_NODE_MAJOR} and npm"));
    if which("node").is_none() {
        bail!("node is not in PATH; install Node.js {MINIMUM_NODE_MAJOR} or newer (with npm)");
    }
    let version =
        quiet_stdout(Command::new("node").arg("--version")).context("`node --version` failed")?;
    let version = version.trim();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse().ok())
        .with_context(|| format!("cannot read the node version from {version:?}"))?;
    if major < MINIMUM_NODE_MAJOR {
        bail!(
            "node {version} is too old; Flowdesk's UI needs Node.js {MINIMUM_NODE_MAJOR} or newer"
        );
    }
    let npm = quiet_stdout(Command::new("npm").arg("--version")).with_context(|| {
        format!("npm is not in PATH or does not run; install the npm that goes with node {version}")
    })?;
    note(format!("node {version}, npm {}", npm.trim()));
    Ok(())
}

/// `npm ci` in ui/ when node_modules is missing or older than the lock file.
pub fn ensure_npm_dependencies(workspace: &Workspace) -> Result<()> {
    let ui = workspace.ui();
    step("UI dependencies (ui/node_modules)");
    let lock = ui.join("package-lock.json");
    let installed_lock = ui.join("node_modules/.package-lock.json");
    let reason = if !ui.join("node_modules").is_dir() {
        Some("ui/node_modules is missing")
    } else {
        match (modified(&lock), modified(&installed_lock)) {
            (_, None) => Some("ui/node_modules/.package-lock.json is missing"),
            (Some(wanted), Some(installed)) if wanted > installed => {
                Some("ui/package-lock.json is newer than ui/node_modules")
            }
            _ => None,
        }
    };
    match reason {
        None => note("up to date"),
        Some(reason) => {
            note(format!("running npm ci: {reason}"));
            run(Command::new("npm").arg("ci").current_dir(&ui))?;
        }
    }
    Ok(())
}

/// `cargo install tauri-driver --locked` unless it is in PATH or ~/.cargo/bin.
pub fn ensure_tauri_driver() -> Result<()> {
    step("tauri-driver (WebDriver for the desktop app)");
    let in_cargo_bin = cargo_home().map(|home| home.join("bin/tauri-driver"));
    if let Some(found) = which("tauri-driver").or(in_cargo_bin.filter(|p| is_executable(p))) {
        note(format!("found {}", found.display()));
        return Ok(());
    }
    note("not found in PATH or ~/.cargo/bin; installing it");
    run(cargo().args(["install", "tauri-driver", "--locked"]))
}

/// `cargo install cargo-nextest --locked` unless `cargo nextest` runs.
pub fn ensure_nextest() -> Result<()> {
    step("cargo-nextest");
    if let Some(version) = quiet_stdout(cargo().args(["nextest", "--version"])) {
        note(version.lines().next().unwrap_or("found").trim());
        return Ok(());
    }
    note("`cargo nextest --version` failed; installing cargo-nextest");
    run(cargo().args(["install", "cargo-nextest", "--locked"]))
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
}

/// `npm run build` in ui/, unless ui/dist is newer than all of its inputs.
pub fn build_ui(workspace: &Workspace) -> Result<()> {
    let ui = workspace.ui();
    step("UI bundle (ui/dist)");
    let inputs: Vec<PathBuf> = [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "vite.config.js",
        "vite.config.mts",
        "svelte.config.js",
        "tsconfig.json",
        "tsconfig.node.json",
    ]
    .iter()
    .map(|input| ui.join(input))
    .collect();
    let built = modified(&ui.join("dist/index.html"));
    let newest_input = newest_modified(&inputs);
    match (built, &newest_input) {
        (Some(built), Some((input_time, _))) if built > *input_time => {
            note("up to date (ui/dist/index.html is newer than every input)");
            return Ok(());
        }
        (None, _) => note("building: ui/dist/index.html does not exist"),
        (Some(_), Some((_, input))) => note(format!(
            "building: {} changed since the last build",
            input.display()
        )),
        (Some(_), None) => note("building: no inputs found to compare with"),
    }
    run(Command::new("npm").args(["run", "build"]).current_dir(&ui))
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    pub fn dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// `cargo build -p PACKAGE` and the path of its binary.
pub fn build_binary(
    workspace: &Workspace,
    package: &str,
    binary: &str,
    profile: Profile,
) -> Result<PathBuf> {
    step(format!("building {package} ({})", profile.dir()));
    let mut command = cargo();
    command
        .args(["build", "--package", package])
        .current_dir(&workspace.root);
    if profile == Profile::Release {
        command.arg("--release");
    }
    run(&mut command)?;
    let path = workspace.target.join(profile.dir()).join(binary);
    if !is_executable(&path) {
        bail!(
            "cargo built {package} but {} does not exist",
            path.display()
        );
    }
    Ok(path)
}

/// The desktop app's binary, built with the UI it embeds.
pub fn build_desktop(workspace: &Workspace, profile: Profile) -> Result<PathBuf> {
    ensure_node()?;
    ensure_npm_dependencies(workspace)?;
    build_ui(workspace)?;
    build_binary(workspace, "flowdesk-desktop", "flowdesk-desktop", profile)
}
