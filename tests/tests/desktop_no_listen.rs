//! The self-contained desktop app opens no network port: its process and every
//! descendant (WebKit's web and network processes included) hold no TCP socket
//! in LISTEN state and no bound, unconnected UDP socket.
//!
//! The app is started directly, not through tauri-driver, because WebDriver
//! automation opens sockets of its own.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Result};
use flowdesk_e2e::{
    bin, command_name, desktop_environment, isolated_xdg_environment, listening_sockets,
    process_tree, socket_inodes, ListeningSocket, Process, TestContext, Xvfb, STARTUP_DEADLINE,
};

const POLL: Duration = Duration::from_millis(250);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_app_listens_on_no_port() {
    let ctx = TestContext::new("desktop_no_listen").expect("creating the log directory");
    let result = run(&ctx).await;
    ctx.finish(result);
}

async fn run(ctx: &TestContext) -> Result<()> {
    let app = bin("flowdesk-desktop")?;
    let xvfb = Xvfb::start(ctx).await?;
    let data_dir = ctx.temp_dir("data")?;
    let home = ctx.temp_dir("home")?;
    let mut command = Command::new(&app);
    command
        .arg("--data-dir")
        .arg(data_dir.path())
        .envs(desktop_environment(xvfb.display()))
        .envs(isolated_xdg_environment(home.path())?)
        .env("RUST_LOG", "info");
    let mut desktop = Process::spawn(ctx, "flowdesk-desktop", &mut command)?;
    let pid = desktop.pid();

    // 1. The window is up and WebKit's web process runs.
    let start = Instant::now();
    loop {
        desktop.ensure_running()?;
        let window = window_exists(xvfb.display()).await;
        let database = has_database_file(data_dir.path());
        let web_process = process_tree(pid).into_iter().any(is_web_process);
        if (window || database) && web_process {
            break;
        }
        if start.elapsed() > STARTUP_DEADLINE {
            bail!(
                "the desktop app did not come up within {STARTUP_DEADLINE:?} \
                 (window titled Flowdesk: {window}, SQLite file in the data folder: {database}, \
                 WebKitWebProcess descendant: {web_process})"
            );
        }
        tokio::time::sleep(POLL).await;
    }

    // 2. The process tree has settled: the same processes for 2 s.
    let start = Instant::now();
    let mut tree = process_tree(pid);
    let mut unchanged_since = Instant::now();
    while unchanged_since.elapsed() < Duration::from_secs(2) {
        desktop.ensure_running()?;
        if start.elapsed() > Duration::from_secs(30) {
            bail!("the process tree of the desktop app kept changing for 30 s: {tree:?}");
        }
        tokio::time::sleep(POLL).await;
        let now = process_tree(pid);
        if now != tree {
            tree = now;
            unchanged_since = Instant::now();
        }
    }
    eprintln!("process tree of flowdesk-desktop:");
    for &member in &tree {
        eprintln!("  {member} {}", command_name(member));
    }

    // 3. Watch it for 5 s (sockets may be opened once the UI has loaded):
    //    every socket of every process in the tree, against the listening
    //    entries of that process's own network namespace.
    let mut offending: Vec<ListeningSocket> = Vec::new();
    let mut sockets_seen: BTreeSet<u64> = BTreeSet::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        desktop.ensure_running()?;
        let tree = process_tree(pid);
        for &member in &tree {
            sockets_seen.extend(socket_inodes(member));
        }
        for socket in listening_sockets(&tree) {
            if !offending.contains(&socket) {
                offending.push(socket);
            }
        }
        tokio::time::sleep(POLL).await;
    }
    // The X11 and D-Bus connections are sockets: seeing none would mean this
    // test cannot read the app's descriptors, and so could not fail.
    ensure!(
        !sockets_seen.is_empty(),
        "found no socket at all in the desktop app's processes; /proc/<pid>/fd is unreadable?"
    );
    if !offending.is_empty() {
        let list: Vec<String> = offending
            .iter()
            .map(|socket| format!("  {socket}"))
            .collect();
        bail!(
            "the self-contained desktop app must open no listening socket, but:\n{}",
            list.join("\n")
        );
    }
    eprintln!(
        "{} sockets checked in {} processes, none listening",
        sockets_seen.len(),
        tree.len()
    );
    Ok(())
}

/// `xdotool search --name Flowdesk` finds a window on `display`.
async fn window_exists(display: &str) -> bool {
    tokio::process::Command::new("xdotool")
        .args(["search", "--name", "Flowdesk"])
        .env("DISPLAY", display)
        .output()
        .await
        .is_ok_and(|output| output.status.success() && !output.stdout.is_empty())
}

/// An SQLite database file anywhere in the data folder.
fn has_database_file(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            return has_database_file(&path);
        }
        matches!(
            path.extension().and_then(|extension| extension.to_str()),
            Some("db" | "sqlite" | "sqlite3")
        )
    })
}

/// WebKit's web content process (its command name is cut to 15 characters).
fn is_web_process(pid: u32) -> bool {
    command_name(pid).starts_with("WebKitWebProc")
        || std::fs::read(format!("/proc/{pid}/cmdline"))
            .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains("WebKitWebProcess"))
}
