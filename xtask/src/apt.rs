//! Debian/Ubuntu packages the commands need: checked with `dpkg-query`, and
//! only the missing ones installed with `apt-get`.

use std::process::Command;

use anyhow::{bail, Result};

use crate::util::{is_root, note, privileged, run, step, which};

/// A reason to need system packages; each command asks for the groups it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    DesktopBuild,
    DesktopRun,
    BrowserTests,
    Services,
    Tools,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::DesktopBuild,
        Group::DesktopRun,
        Group::BrowserTests,
        Group::Services,
        Group::Tools,
    ];

    fn reason(self) -> &'static str {
        match self {
            Group::DesktopBuild => "building the desktop app (Tauri, WebKitGTK)",
            Group::DesktopRun => "running and testing the desktop app headless",
            Group::BrowserTests => "browser end-to-end tests",
            Group::Services => "PostgreSQL, Redis and RabbitMQ for tests and benchmarks",
            Group::Tools => "window lookup and screenshots",
        }
    }

    fn packages(self) -> &'static [&'static str] {
        match self {
            Group::DesktopBuild => &[
                "libwebkit2gtk-4.1-dev",
                "build-essential",
                "pkg-config",
                "libssl-dev",
                "libayatana-appindicator3-dev",
                "librsvg2-dev",
                "libsecret-1-dev",
            ],
            Group::DesktopRun => &[
                "xvfb",
                "webkit2gtk-driver",
                "dbus",
                "dbus-x11",
                "gnome-keyring",
                "xauth",
            ],
            Group::BrowserTests => &["chromium", "chromium-driver"],
            Group::Services => &["postgresql", "redis-server", "rabbitmq-server"],
            Group::Tools => &["x11-utils", "xdotool", "imagemagick"],
        }
    }
}

/// Makes sure every package of `groups` is installed, installing only the
/// missing ones.
pub fn ensure(groups: &[Group]) -> Result<()> {
    let wanted: Vec<(&'static str, Group)> = groups
        .iter()
        .flat_map(|group| {
            group
                .packages()
                .iter()
                .map(move |package| (*package, *group))
        })
        .collect();
    let reasons: Vec<&str> = groups.iter().map(|group| group.reason()).collect();
    step(format!("system packages for {}", reasons.join("; ")));

    if which("dpkg-query").is_none() || which("apt-get").is_none() {
        let mut message =
            String::from("this system has no apt-get/dpkg-query (not Debian or Ubuntu); install the equivalents of these Debian packages yourself, then run again:");
        for (package, group) in &wanted {
            message.push_str(&format!("\n  {package:<32} for {}", group.reason()));
        }
        bail!(message);
    }

    let mut missing: Vec<(&str, Group)> = Vec::new();
    for (package, group) in &wanted {
        if !missing.iter().any(|(seen, _)| seen == package) && !is_installed(package) {
            missing.push((package, *group));
        }
    }
    if missing.is_empty() {
        note(format!("all {} packages are installed", wanted.len()));
        return Ok(());
    }

    step(format!("installing {} missing package(s):", missing.len()));
    for (package, group) in &missing {
        note(format!("{package:<32} needed for {}", group.reason()));
    }
    let names: Vec<&str> = missing.iter().map(|(package, _)| *package).collect();
    if !is_root() && which("sudo").is_none() {
        bail!(
            "not running as root and sudo is not available; as root, run:\n  \
             apt-get update && apt-get install -y --no-install-recommends {}",
            names.join(" ")
        );
    }
    run(&mut privileged("apt-get", ["update"])?)?;
    // `env` rather than Command::env: sudo drops the caller's environment.
    let mut install: Vec<&str> = vec![
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
    ];
    install.extend(&names);
    run(&mut privileged("env", install)?)?;

    let still_missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|package| !is_installed(package))
        .collect();
    if !still_missing.is_empty() {
        bail!(
            "apt-get finished but these packages are still not installed: {}",
            still_missing.join(" ")
        );
    }
    Ok(())
}

/// Whether dpkg reports the package as fully installed ("install ok installed";
/// removed packages with config files left behind do not count).
fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "--showformat=${Status}", package])
        .output()
        .map(|output| {
            output.status.success()
                && String::from_utf8_lossy(&output.stdout).trim() == "install ok installed"
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_package_is_listed_twice() {
        let mut all: Vec<&str> = Group::ALL
            .iter()
            .flat_map(|group| group.packages().iter().copied())
            .collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
    }
}
