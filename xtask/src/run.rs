//! `cargo xtask run`: the desktop app, built with its UI, in a window.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;
use clap::Args;

use crate::apt::{self, Group};
use crate::display::Xvfb;
use crate::toolchain::{build_desktop, Profile};
use crate::util::{exit_code, status, step};
use crate::Workspace;

#[derive(Args)]
pub struct RunArgs {
    /// Start without the demo workspace (by default the local workspace gets
    /// the demo process, decision, form and instances, once).
    #[arg(long)]
    empty: bool,
    /// Keep the app's database and settings in DIR instead of the OS data folder.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Build and run the release profile.
    #[arg(long)]
    release: bool,
}

/// Runs the app and returns its exit code.
pub fn run(workspace: &Workspace, args: RunArgs) -> Result<i32> {
    apt::ensure(&[Group::DesktopBuild, Group::DesktopRun])?;
    let profile = if args.release {
        Profile::Release
    } else {
        Profile::Debug
    };
    let binary = build_desktop(workspace, profile)?;

    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
    let xvfb = if has_display {
        None
    } else {
        Some(Xvfb::start(1400, 900, &workspace.target.join("xtask"))?)
    };

    // Without a session bus (typical when headless) the keyring has nowhere to live.
    let mut command = if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        Command::new(&binary)
    } else {
        let mut command = Command::new("dbus-run-session");
        command.arg("--").arg(&binary);
        command
    };
    if !args.empty {
        command.arg("--demo");
    }
    if let Some(dir) = &args.data_dir {
        command.arg("--data-dir").arg(dir);
    }
    if let Some(xvfb) = &xvfb {
        command.env("DISPLAY", &xvfb.display);
        step(format!(
            "no DISPLAY or WAYLAND_DISPLAY: the window is on the virtual display {0} (1400x900); \
             look at it with `import -display {0} -window root shot.png`",
            xvfb.display
        ));
    }
    step("running flowdesk-desktop (Ctrl-C to stop)");
    let status = status(&mut command)?;
    drop(xvfb);
    Ok(exit_code(status))
}
