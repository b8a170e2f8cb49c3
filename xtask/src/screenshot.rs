//! `cargo xtask screenshot`: the desktop app with the demo workspace, on a
//! virtual display, saved as PNG (the README's screenshot). With
//! `--console`, also the designer, instance detail, tasklist, version diff,
//! DMN editor and form editor in both themes, captured by the desktop
//! end-to-end test's console and editors flows (`tests/src/console.rs`,
//! `tests/src/editors.rs`) into docs/screenshots/. With `--analytics`, the
//! report, dashboard and diagram heatmap in both themes, captured in
//! Chromium by the `browser_reports` end-to-end test (`tests/src/reports.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::apt::{self, Group};
use crate::display::{ProcessGroup, Xvfb};
use crate::services;
use crate::toolchain::{
    build_binary, build_desktop, cargo, ensure_nextest, ensure_tauri_driver, Profile,
};
use crate::util::{note, quiet_stdout, run, scratch_dir, step, wait_until};
use crate::Workspace;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 800;

#[derive(Args)]
pub struct ScreenshotArgs {
    /// Where to save the PNG.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "docs/screenshots/desktop.png"
    )]
    out: PathBuf,
    /// Also capture the console screens (`<screen>-light.png` and
    /// `<screen>-dark.png`) into docs/screenshots/ through the desktop
    /// end-to-end test.
    #[arg(long)]
    console: bool,
    /// Also capture the report, dashboard and heatmap screens
    /// (`report-*.png`, `dashboard-*.png`, `heatmap-*.png`) into
    /// docs/screenshots/ through the `browser_reports` end-to-end test.
    #[arg(long)]
    analytics: bool,
}

pub fn screenshot(workspace: &Workspace, args: ScreenshotArgs) -> Result<()> {
    apt::ensure(&[Group::DesktopBuild, Group::DesktopRun, Group::Tools])?;
    let binary = build_desktop(workspace, Profile::Debug)?;
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        workspace.root.join(&args.out)
    };

    let xvfb = Xvfb::start(WIDTH, HEIGHT, &workspace.target.join("xtask"))?;
    let data_dir = scratch_dir(&workspace.target, "screenshot-data")?;
    step("starting flowdesk-desktop --demo");
    let mut app = ProcessGroup::spawn(
        Command::new("dbus-run-session")
            .arg("--")
            .arg(&binary)
            .arg("--demo")
            .arg("--data-dir")
            .arg(&data_dir)
            .env("DISPLAY", &xvfb.display)
            .stdin(Stdio::null()),
    )?;

    let result = capture(&xvfb.display, &mut app, &out);
    app.stop();
    drop(xvfb);
    let _ = fs::remove_dir_all(&data_dir);
    result?;
    step(format!("saved {}", out.display()));
    if args.console {
        console_screens(workspace)?;
    }
    if args.analytics {
        analytics_screens(workspace)?;
    }
    Ok(())
}

/// Runs the `browser_reports` end-to-end test (Chromium against `flowdesk
/// serve` on a fresh PostgreSQL database) with `FLOWDESK_SCREENSHOT_DIR` set.
fn analytics_screens(workspace: &Workspace) -> Result<()> {
    apt::ensure(&[Group::BrowserTests, Group::Services])?;
    services::ensure_postgres()?;
    ensure_nextest()?;
    build_binary(workspace, "flowdesk-server", "flowdesk", Profile::Debug)?;
    let dir = workspace.root.join("docs/screenshots");
    step(format!("analytics screens into {}", dir.display()));
    run(cargo()
        .args([
            "nextest",
            "run",
            "-p",
            "flowdesk-e2e",
            "--test",
            "browser_reports",
        ])
        .current_dir(&workspace.root)
        .env("FLOWDESK_TEST_PG", services::POSTGRES_URL)
        .env("FLOWDESK_SCREENSHOT_DIR", &dir))
}

/// Runs the desktop end-to-end test with `FLOWDESK_SCREENSHOT_DIR` set: its
/// console flow saves each screen in both themes as it passes through it.
fn console_screens(workspace: &Workspace) -> Result<()> {
    apt::ensure(&[Group::DesktopRun, Group::Services])?;
    ensure_tauri_driver()?;
    ensure_nextest()?;
    let dir = workspace.root.join("docs/screenshots");
    step(format!("console screens into {}", dir.display()));
    run(cargo()
        .args(["nextest", "run", "-p", "flowdesk-e2e", "--test", "desktop"])
        .current_dir(&workspace.root)
        .env("FLOWDESK_SCREENSHOT_DIR", &dir))
}

fn capture(display: &str, app: &mut ProcessGroup, out: &Path) -> Result<()> {
    step("waiting for a window named Flowdesk");
    let mut window = None;
    let found = wait_until(Duration::from_secs(60), Duration::from_millis(250), || {
        if let Some(status) = app.exited()? {
            bail!("flowdesk-desktop exited ({status}) before its window appeared");
        }
        window = quiet_stdout(
            Command::new("xdotool")
                .args(["search", "--onlyvisible", "--name", "Flowdesk"])
                .env("DISPLAY", display),
        )
        .and_then(|ids| ids.lines().next().map(|id| id.trim().to_string()));
        Ok(window.is_some())
    })?;
    let Some(window) = window.filter(|_| found) else {
        bail!("no visible window named Flowdesk appeared within 60s");
    };
    note(format!("window {window} is mapped"));
    // No window manager runs on Xvfb: place the window over the whole screen
    // so the root window's picture is the app's.
    for arguments in [
        vec!["windowmove", window.as_str(), "0", "0"],
        vec!["windowsize", window.as_str(), "100%", "100%"],
    ] {
        let _ = Command::new("xdotool")
            .args(arguments)
            .env("DISPLAY", display)
            .status();
    }

    step("waiting for the page to paint and settle (up to 30s)");
    let frame = wait_for_settled_frame(display, app)?;
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    save_png(&frame, out)
}

/// A frame of the screen as binary PPM (P6) and its pixels.
struct Frame {
    ppm: Vec<u8>,
    pixels_start: usize,
}

impl Frame {
    fn pixels(&self) -> &[u8] {
        &self.ppm[self.pixels_start..]
    }

    fn is_uniform(&self) -> bool {
        let pixels = self.pixels();
        pixels.chunks_exact(3).all(|pixel| pixel == &pixels[..3])
    }

    /// How many pixels differ from `other`'s.
    fn changed_pixels(&self, other: &Frame) -> usize {
        if self.pixels().len() != other.pixels().len() {
            return usize::MAX;
        }
        self.pixels()
            .chunks_exact(3)
            .zip(other.pixels().chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count()
    }
}

fn grab(display: &str) -> Result<Frame> {
    let output = Command::new("import")
        .args(["-window", "root", "ppm:-"])
        .env("DISPLAY", display)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .context("could not run import (package imagemagick)")?;
    if !output.status.success() {
        bail!("`import -window root` failed on {display}");
    }
    let pixels_start = ppm_header_length(&output.stdout).context("import did not write a PPM")?;
    Ok(Frame {
        ppm: output.stdout,
        pixels_start,
    })
}

/// Length of a binary PPM header: "P6", width, height, maximum value, each
/// followed by whitespace (comments start with '#').
fn ppm_header_length(ppm: &[u8]) -> Option<usize> {
    if !ppm.starts_with(b"P6") {
        return None;
    }
    let mut position = 2;
    for _ in 0..3 {
        loop {
            match ppm.get(position)? {
                b'#' => {
                    while *ppm.get(position)? != b'\n' {
                        position += 1;
                    }
                }
                byte if byte.is_ascii_whitespace() => position += 1,
                _ => break,
            }
        }
        while ppm.get(position)?.is_ascii_digit() {
            position += 1;
        }
    }
    // Exactly one whitespace byte separates the header from the pixels.
    ppm.get(position)?
        .is_ascii_whitespace()
        .then_some(position + 1)
}

/// Polls the screen until a non-uniform frame stays the same for a second.
/// A blinking text cursor is a few hundred pixels, so changes smaller than
/// 0.05 % of the screen count as "the same". If the screen never settles,
/// the last non-uniform frame is used, with a warning.
fn wait_for_settled_frame(display: &str, app: &mut ProcessGroup) -> Result<Frame> {
    let tolerance = (WIDTH * HEIGHT / 2000) as usize;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut previous: Option<Frame> = None;
    let mut unchanged_polls = 0;
    loop {
        if let Some(status) = app.exited()? {
            bail!("flowdesk-desktop exited ({status}) while painting");
        }
        let frame = grab(display)?;
        if frame.is_uniform() {
            unchanged_polls = 0;
            previous = None;
        } else {
            let same = previous
                .as_ref()
                .is_some_and(|before| frame.changed_pixels(before) <= tolerance);
            unchanged_polls = if same { unchanged_polls + 1 } else { 0 };
            if unchanged_polls >= 2 {
                note("the screen has settled");
                return Ok(frame);
            }
            previous = Some(frame);
        }
        if Instant::now() >= deadline {
            return match previous {
                Some(frame) => {
                    note("warning: the screen was still changing after 30s; saving the last frame");
                    Ok(frame)
                }
                None => bail!("the screen stayed a single colour for 30s: the app never painted"),
            };
        }
        thread::sleep(Duration::from_millis(500));
    }
}

fn save_png(frame: &Frame, out: &Path) -> Result<()> {
    let mut convert = Command::new("convert")
        .arg("ppm:-")
        .arg(format!("png:{}", out.display()))
        .stdin(Stdio::piped())
        .spawn()
        .context("could not run convert (package imagemagick)")?;
    convert
        .stdin
        .take()
        .context("convert has no stdin")?
        .write_all(&frame.ppm)?;
    let status = convert.wait()?;
    if !status.success() {
        bail!("convert could not write {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ppm_headers() {
        assert_eq!(ppm_header_length(b"P6\n2 1\n255\nabcdef"), Some(11));
        assert_eq!(
            ppm_header_length(b"P6 # made by import\n2 1\n255\nabcdef"),
            Some(28)
        );
        assert_eq!(ppm_header_length(b"P3\n2 1\n255\n"), None);
    }

    #[test]
    fn uniform_and_changed_pixels() {
        let frame = |pixels: &[u8]| Frame {
            ppm: [b"P6\n2 1\n255\n".as_slice(), pixels].concat(),
            pixels_start: 11,
        };
        let plain = frame(&[1, 2, 3, 1, 2, 3]);
        let mixed = frame(&[1, 2, 3, 9, 9, 9]);
        assert!(plain.is_uniform());
        assert!(!mixed.is_uniform());
        assert_eq!(plain.changed_pixels(&mixed), 1);
    }
}

#[cfg(test)]
mod display_tests {
    use super::*;

    /// Exercises Xvfb, the process group, the window search and the capture
    /// with xmessage standing in for the app. Needs xvfb, x11-utils, xdotool
    /// and imagemagick, which `cargo xtask test` installs.
    #[test]
    fn captures_a_window_on_a_virtual_display() {
        let scratch = std::env::temp_dir().join(format!("xtask-capture-{}", std::process::id()));
        let xvfb = Xvfb::start(WIDTH, HEIGHT, &scratch).unwrap();
        let mut app = ProcessGroup::spawn(
            Command::new("xmessage")
                .args(["-title", "Flowdesk", "-center", "Flowdesk screenshot test"])
                .env("DISPLAY", &xvfb.display),
        )
        .unwrap();
        let out = scratch.join("shot.png");
        capture(&xvfb.display, &mut app, &out).unwrap();
        app.stop();
        assert!(app.exited().unwrap().is_some());
        let header = fs::read(&out).unwrap();
        assert!(header.starts_with(b"\x89PNG"));
        fs::remove_dir_all(&scratch).unwrap();
    }
}
