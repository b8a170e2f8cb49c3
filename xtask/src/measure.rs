//! `cargo xtask measure`: release binary size, start to first paint, and
//! idle memory of the desktop app and its WebKit processes.
//!
//! First paint comes from the app itself: given FLOWDESK_FIRST_PAINT_FILE,
//! it writes the milliseconds from process start to the UI's first paint
//! into that file.

use std::fs;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::apt::{self, Group};
use crate::display::{process_tree, resident_kib, ProcessGroup, Xvfb};
use crate::toolchain::{build_desktop, Profile};
use crate::util::{note, scratch_dir, step, wait_until};
use crate::Workspace;

pub fn measure(workspace: &Workspace) -> Result<()> {
    apt::ensure(&[Group::DesktopBuild, Group::DesktopRun])?;
    let binary = build_desktop(workspace, Profile::Release)?;
    let size = fs::metadata(&binary)?.len();
    println!(
        "release binary: {} is {size} bytes ({:.1} MiB)",
        binary.display(),
        size as f64 / (1024.0 * 1024.0)
    );

    let xvfb = Xvfb::start(1280, 800, &workspace.target.join("xtask"))?;
    let scratch = scratch_dir(&workspace.target, "measure")?;
    let data_dir = scratch.join("data");
    let paint_file = scratch.join("first-paint-ms");
    step("starting the release app with a fresh data folder");
    let mut app = ProcessGroup::spawn(
        Command::new("dbus-run-session")
            .arg("--")
            .arg(&binary)
            .arg("--data-dir")
            .arg(&data_dir)
            .env("DISPLAY", &xvfb.display)
            .env("FLOWDESK_FIRST_PAINT_FILE", &paint_file)
            .stdin(Stdio::null()),
    )?;

    let result = first_paint_and_memory(&mut app, &paint_file);
    app.stop();
    drop(xvfb);
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn first_paint_and_memory(app: &mut ProcessGroup, paint_file: &std::path::Path) -> Result<()> {
    step("waiting for first paint (up to 60s)");
    let mut first_paint_ms = None;
    let painted = wait_until(Duration::from_secs(60), Duration::from_millis(50), || {
        if let Some(status) = app.exited()? {
            bail!("flowdesk-desktop exited ({status}) before its first paint");
        }
        first_paint_ms = fs::read_to_string(paint_file)
            .ok()
            .and_then(|text| text.trim().parse::<f64>().ok());
        Ok(first_paint_ms.is_some())
    })?;
    let Some(milliseconds) = first_paint_ms.filter(|_| painted) else {
        bail!(
            "the app did not write a number to FLOWDESK_FIRST_PAINT_FILE within 60s \
             (does this build have the first-paint hook?)"
        );
    };
    println!("start to first paint: {milliseconds:.0} ms (fresh data folder, warm disk cache)");

    step("idle memory: VmRSS from 5s after first paint until it is steady (up to 30s)");
    let painted_at = Instant::now();
    thread::sleep(Duration::from_secs(5));
    let mut previous_total = 0;
    let mut samples;
    loop {
        samples = app_processes(app.pid())?;
        let total: u64 = samples.iter().map(|(_, _, kib)| kib).sum();
        // Steady: within 1 % of the previous second's sample.
        let steady = previous_total > 0 && total.abs_diff(previous_total) * 100 <= previous_total;
        if steady {
            break;
        }
        if painted_at.elapsed() > Duration::from_secs(30) {
            note("warning: memory was still changing after 30s; these are the last readings");
            break;
        }
        previous_total = total;
        thread::sleep(Duration::from_secs(1));
    }
    let mut total = 0;
    for (pid, name, kib) in &samples {
        println!(
            "idle RSS: {name:<16} pid {pid:<7} {:>8.1} MiB",
            *kib as f64 / 1024.0
        );
        total += kib;
    }
    println!(
        "idle RSS: {:<16} {:<11} {:>8.1} MiB",
        "total",
        "",
        total as f64 / 1024.0
    );
    Ok(())
}

/// The app (the child of dbus-run-session) and everything it started, with
/// their resident memory in KiB.
fn app_processes(session_pid: u32) -> Result<Vec<(u32, String, u64)>> {
    let app = process_tree(session_pid)
        .into_iter()
        .find(|process| process.name.starts_with("flowdesk-deskto"))
        .context("the flowdesk-desktop process is gone")?;
    Ok(process_tree(app.pid)
        .into_iter()
        .filter_map(|process| resident_kib(process.pid).map(|kib| (process.pid, process.name, kib)))
        .collect())
}
