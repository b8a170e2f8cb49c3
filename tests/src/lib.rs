//! End-to-end test harness for Flowdesk.
//!
//! Owns nothing of the product: it starts the real binaries (`flowdesk`,
//! `flowdesk-desktop`), real browsers and drivers (Chromium + chromedriver,
//! WebKitGTK through `tauri-driver`), a real X server (Xvfb) and a fresh
//! PostgreSQL database, and drives the UI through the selectors of
//! `docs/INTERFACES.md`. It depends on no Flowdesk crate, so it tests the
//! shipped artefacts exactly as a user runs them.
//!
//! Rules the harness keeps:
//! - every wait polls a condition until a deadline ([`poll`]); there is no
//!   fixed sleep used for synchronisation;
//! - every spawned process runs in its own process group and the whole group
//!   is terminated when its handle is dropped ([`Process`]);
//! - every spawned process writes its output to a file under
//!   `target/e2e-logs/<test-name>/`, and [`TestContext::finish`] prints those
//!   files when the test fails (as does dropping the context while panicking).
//!
//! A test looks like this:
//!
//! ```no_run
//! # async fn example() {
//! use flowdesk_e2e::*;
//! let ctx = TestContext::new("example").expect("log directory");
//! let result = async {
//!     let database = Postgres::fresh_database().await?;
//!     let server = Server::start(&ctx, database.url()).await?;
//!     let _ = server.base_url();
//!     anyhow::Ok(())
//! }
//! .await;
//! ctx.finish(result);
//! # }
//! ```

pub mod console;
pub mod editors;
pub mod reports;
pub mod snapshots;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs::{self, File};
use std::future::Future;
use std::io::Read;
use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// Interval between two attempts of a [`poll`].
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long a UI element may take to appear after the action that causes it.
pub const UI_DEADLINE: Duration = Duration::from_secs(30);

/// How long a freshly started application may take to show its first screen
/// (the desktop app builds its database and webview first).
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(90);

/// The administrator the scenario creates on the first-run screen.
pub const ADMIN_USERNAME: &str = "admin";
/// Password of [`ADMIN_USERNAME`]; long and mixed so any password policy accepts it.
pub const ADMIN_PASSWORD: &str = "Flowdesk-e2e-Passw0rd!";

/// Process id of the fixture `order-approval.bpmn`.
pub const PROCESS_ID: &str = "order-approval";
/// Process name of the fixture `order-approval.bpmn`.
pub const PROCESS_NAME: &str = "Order approval";

// ---------------------------------------------------------------------------
// Paths and ports
// ---------------------------------------------------------------------------

/// The repository root: `$FLOWDESK_REPO_ROOT`, else the parent of this crate.
pub fn repo_root() -> PathBuf {
    match std::env::var_os("FLOWDESK_REPO_ROOT") {
        Some(root) if !root.is_empty() => PathBuf::from(root),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the e2e crate lives inside the repository")
            .to_path_buf(),
    }
}

/// The cargo target directory: `$CARGO_TARGET_DIR` if set, else `<repo>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        _ => repo_root().join("target"),
    }
}

/// Path of a workspace binary in `target/debug`, or an error saying how to build it.
pub fn bin(name: &str) -> Result<PathBuf> {
    let path = target_dir().join("debug").join(name);
    if path.is_file() {
        Ok(path)
    } else {
        bail!(
            "{} does not exist: run `cargo build --workspace --bins` first (or `cargo xtask test`)",
            path.display()
        )
    }
}

/// The built UI (`<repo>/ui/dist`), or an error saying how to build it.
pub fn ui_dist() -> Result<PathBuf> {
    let dir = repo_root().join("ui").join("dist");
    if dir.join("index.html").is_file() {
        Ok(dir)
    } else {
        bail!(
            "{} has no index.html: build the UI first (`cd ui && npm ci && npm run build`, or `cargo xtask test`)",
            dir.display()
        )
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("binding 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A BPMN fixture: the model crate's `crates/model/tests/fixtures/<name>`
/// (the contract's own files), else this crate's `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Result<PathBuf> {
    let model = repo_root().join("crates/model/tests/fixtures").join(name);
    if model.is_file() {
        return Ok(model);
    }
    let own = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    if own.is_file() {
        return Ok(own);
    }
    bail!(
        "fixture {name} found neither at {} nor at {}",
        model.display(),
        own.display()
    )
}

// ---------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------

/// One attempt of a [`poll`]: finished with a value, or not yet (and why not).
pub enum Attempt<T> {
    /// The condition holds; stop polling.
    Done(T),
    /// Not yet; the reason is reported if the deadline passes.
    Retry(String),
}

/// Calls `attempt` every [`POLL_INTERVAL`] until it returns [`Attempt::Done`],
/// fails (an `Err` aborts at once), or `deadline` has passed (an error naming
/// `what` and the last reason for retrying).
pub async fn poll<T, F, Fut>(what: &str, deadline: Duration, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>>>,
{
    let start = Instant::now();
    loop {
        let reason = match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Retry(reason) => reason,
        };
        if start.elapsed() >= deadline {
            bail!("timed out after {deadline:?} waiting for {what}; last observation: {reason}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Synchronous variant of [`poll`] for `Drop` implementations.
fn poll_blocking(deadline: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---------------------------------------------------------------------------
// Test context, temporary directories, processes
// ---------------------------------------------------------------------------

/// Per-test state: its name and its log directory `target/e2e-logs/<name>/`
/// (emptied when the context is created).
pub struct TestContext {
    name: String,
    log_dir: PathBuf,
}

impl TestContext {
    /// Creates (and empties) `target/e2e-logs/<name>/`.
    pub fn new(name: &str) -> Result<Self> {
        let log_dir = target_dir().join("e2e-logs").join(name);
        if log_dir.exists() {
            fs::remove_dir_all(&log_dir)
                .with_context(|| format!("emptying {}", log_dir.display()))?;
        }
        fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
        Ok(Self {
            name: name.to_owned(),
            log_dir,
        })
    }

    /// The test's name, as given to [`TestContext::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `target/e2e-logs/<name>/`.
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }

    /// A file in the log directory.
    pub fn log_file(&self, file_name: &str) -> PathBuf {
        self.log_dir.join(file_name)
    }

    /// A fresh, empty temporary directory, removed when the handle is dropped.
    pub fn temp_dir(&self, label: &str) -> Result<TempDir> {
        TempDir::new(&format!("{}-{label}", self.name))
    }

    /// Prints every text log of this test to stderr (the tail of long ones).
    pub fn print_logs(&self) {
        let Ok(entries) = fs::read_dir(&self.log_dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        paths.sort();
        for path in paths {
            let is_text = matches!(
                path.extension().and_then(|extension| extension.to_str()),
                Some("log" | "txt")
            );
            if !is_text {
                eprintln!("==== {} (not printed)", path.display());
                continue;
            }
            eprintln!("==== {}", path.display());
            eprintln!("{}", tail(&path, 300));
        }
        eprintln!("==== end of logs of {}", self.name);
    }

    /// Ends a test: on error, prints the logs and panics with the error chain.
    #[track_caller]
    pub fn finish(&self, result: Result<()>) {
        if let Err(error) = result {
            self.print_logs();
            panic!("{} failed: {error:?}", self.name);
        }
    }
}

/// The last `max_lines` lines of a text file (lossy UTF-8).
pub fn tail(path: &Path, max_lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            let skipped = lines.len().saturating_sub(max_lines);
            let mut out = String::new();
            if skipped > 0 {
                out.push_str(&format!("[… {skipped} earlier lines …]\n"));
            }
            out.push_str(&lines[skipped..].join("\n"));
            out
        }
        Err(error) => format!("[cannot read {}: {error}]", path.display()),
    }
}

/// A fresh directory under the system temporary directory, removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `$TMPDIR/flowdesk-e2e-<label>-<uuid>/`.
    pub fn new(label: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "flowdesk-e2e-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A spawned child process in its own process group, with stdout and stderr
/// in `<log dir>/<name>.log`. Dropping it sends SIGTERM to the whole group,
/// waits up to 5 s, then sends SIGKILL to whatever is left of the group.
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Process {
    /// Spawns `command` (stdin closed) logging into `<log dir>/<name>.log`.
    pub fn spawn(ctx: &TestContext, name: &str, command: &mut Command) -> Result<Self> {
        let log = ctx.log_file(&format!("{name}.log"));
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .env("NO_COLOR", "1")
            .process_group(0);
        let child = command
            .spawn()
            .with_context(|| format!("spawning {name}: {command:?}"))?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log,
        })
    }

    /// Operating-system process id (also the process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log file of the process.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The exit status if the process has ended.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// An error (with the end of its log) if the process has already ended.
    pub fn ensure_running(&mut self) -> Result<()> {
        match self.exit_status() {
            None => Ok(()),
            Some(status) => bail!(
                "{} exited early ({status}); end of {}:\n{}",
                self.name,
                self.log.display(),
                tail(&self.log, 60)
            ),
        }
    }

    /// Sends SIGKILL to the whole process group and waits until the process
    /// itself has ended (its exit status is collected).
    pub fn kill9(&mut self) {
        self.signal_group(libc::SIGKILL);
        let _ = self.child.wait();
    }

    fn signal_group(&self, signal: libc::c_int) {
        let Ok(group) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: kill(2) has no memory-safety preconditions; a negative pid
        // addresses the process group this handle created with process_group(0).
        unsafe {
            libc::kill(-group, signal);
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.signal_group(libc::SIGTERM);
        let child = &mut self.child;
        let ended = poll_blocking(Duration::from_secs(5), || {
            matches!(child.try_wait(), Ok(Some(_)) | Err(_))
        });
        // Descendants (browsers, web processes) may outlive the leader.
        self.signal_group(libc::SIGKILL);
        if !ended {
            let _ = self.child.wait();
        }
    }
}

/// Runs a command to completion with its output in `<log dir>/<name>.log`;
/// an error with the log's end if it fails.
pub async fn run_to_completion(ctx: &TestContext, name: &str, command: Command) -> Result<()> {
    let log = ctx.log_file(&format!("{name}.log"));
    let out = File::create(&log)?;
    let err = out.try_clone()?;
    let mut command = tokio::process::Command::from(command);
    command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true);
    let status = tokio::time::timeout(Duration::from_secs(120), command.status())
        .await
        .with_context(|| format!("{name} did not finish within 120 s"))?
        .with_context(|| format!("spawning {name}"))?;
    if !status.success() {
        bail!(
            "{name} failed ({status}); end of {}:\n{}",
            log.display(),
            tail(&log, 60)
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Xvfb
// ---------------------------------------------------------------------------

/// A private X server, `Xvfb -displayfd <fd> -screen 0 1280x800x24 -nolisten tcp`.
pub struct Xvfb {
    display: String,
    process: Process,
}

impl Xvfb {
    /// Starts Xvfb on a display it picks itself, reported through a pipe.
    pub async fn start(ctx: &TestContext) -> Result<Self> {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe2 writes two file descriptors into the array it is given.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            bail!("pipe2: {}", std::io::Error::last_os_error());
        }
        let (read_fd, write_fd) = (fds[0], fds[1]);
        // SAFETY: read_fd is a fresh descriptor owned by nobody else.
        let mut reader = unsafe { File::from_raw_fd(read_fd) };
        let mut command = Command::new("Xvfb");
        command.arg("-displayfd").arg(write_fd.to_string()).args([
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ]);
        // SAFETY: between fork and exec only the async-signal-safe fcntl runs,
        // so that (only) the child inherits the write end of the pipe.
        unsafe {
            command.pre_exec(move || {
                let flags = libc::fcntl(write_fd, libc::F_GETFD);
                if flags < 0 || libc::fcntl(write_fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let spawned = Process::spawn(ctx, "xvfb", &mut command);
        // SAFETY: the parent's copy of the write end is not used any more; closing
        // it lets the read below end if Xvfb dies without writing.
        unsafe {
            libc::close(write_fd);
        }
        let mut process = spawned.context("is Xvfb installed (Debian package xvfb)?")?;
        let read = tokio::task::spawn_blocking(move || {
            let mut number = String::new();
            let mut byte = [0u8; 1];
            while let Ok(1) = reader.read(&mut byte) {
                if byte[0] == b'\n' {
                    break;
                }
                number.push(byte[0] as char);
            }
            number
        });
        let number = match tokio::time::timeout(Duration::from_secs(30), read).await {
            Ok(joined) => joined?,
            Err(_) => {
                drop(process);
                bail!("Xvfb did not report its display within 30 s");
            }
        };
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            process.ensure_running()?;
            bail!("Xvfb reported no display number (got {number:?})");
        }
        Ok(Self {
            display: format!(":{number}"),
            process,
        })
    }

    /// The value for `DISPLAY`, e.g. `:1`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The Xvfb process.
    pub fn process(&mut self) -> &mut Process {
        &mut self.process
    }
}

/// Environment for a WebKitGTK app under Xvfb: the display, X11 (never a
/// Wayland socket the session may have), no accessibility bus.
pub fn desktop_environment(display: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DISPLAY", display.to_owned()),
        ("GDK_BACKEND", "x11".to_owned()),
        ("NO_AT_BRIDGE", "1".to_owned()),
        ("WAYLAND_DISPLAY", String::new()),
    ]
}

/// `XDG_CONFIG_HOME`, `XDG_DATA_HOME` and `XDG_CACHE_HOME` inside `dir`, so a
/// desktop app keeps no state (settings store, webview storage) from earlier
/// runs or from the user. The keyring is unaffected: it is reached over D-Bus.
pub fn isolated_xdg_environment(dir: &Path) -> Result<Vec<(&'static str, String)>> {
    let mut environment = Vec::new();
    for (variable, folder) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        let path = dir.join(folder);
        fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        environment.push((variable, path.display().to_string()));
    }
    Ok(environment)
}

// ---------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------

/// The PostgreSQL server of `$FLOWDESK_TEST_PG`
/// (default `postgres://postgres@127.0.0.1:5432`).
pub struct Postgres;

impl Postgres {
    /// `$FLOWDESK_TEST_PG` without a database name or trailing slash.
    pub fn server_url() -> String {
        let url = std::env::var("FLOWDESK_TEST_PG")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned());
        without_database(&url)
    }

    /// Creates a new database `flowdesk_e2e_<uuid>`, dropped (with FORCE) when
    /// the handle is dropped. Fails with a clear message if the server is not
    /// reachable: these tests never skip.
    pub async fn fresh_database() -> Result<Database> {
        let server = Self::server_url();
        let admin_url = format!("{server}/postgres");
        psql(&admin_url, "SELECT 1").await.with_context(|| {
            format!(
                "PostgreSQL is not reachable at {admin_url} (set FLOWDESK_TEST_PG; start it with \
                 `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`)"
            )
        })?;
        let name = format!("flowdesk_e2e_{}", uuid::Uuid::new_v4().simple());
        psql(&admin_url, &format!("CREATE DATABASE {name}")).await?;
        Ok(Database {
            url: format!("{server}/{name}"),
            admin_url,
            name,
        })
    }
}

/// `scheme://authority` of a PostgreSQL URL, without database name or query.
fn without_database(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

/// Runs one SQL statement with `psql` against `url`; its output.
pub async fn psql(url: &str, sql: &str) -> Result<String> {
    let output = tokio::process::Command::new("psql")
        .arg(url)
        .args(["-v", "ON_ERROR_STOP=1", "-X", "-q", "-t", "-c", sql])
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .await
        .context("running psql (Debian package postgresql-client)")?;
    if !output.status.success() {
        bail!(
            "psql {url} -c {sql:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A database created by [`Postgres::fresh_database`].
pub struct Database {
    url: String,
    admin_url: String,
    name: String,
}

impl Database {
    /// Connection URL, `postgres://…/flowdesk_e2e_<uuid>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin_url)
            .args(["-X", "-q", "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .env("PGCONNECT_TIMEOUT", "5")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/// `flowdesk serve` on 127.0.0.1 with a free port, after `flowdesk migrate`.
pub struct Server {
    base_url: String,
    db_url: String,
    port: u16,
    process: Option<Process>,
    restarts: u32,
}

impl Server {
    /// Migrates `db_url`, serves it with `<repo>/ui/dist`, and waits until
    /// `GET /health/ready` answers 200.
    pub async fn start(ctx: &TestContext, db_url: &str) -> Result<Self> {
        let flowdesk = bin("flowdesk")?;
        let mut migrate = Command::new(&flowdesk);
        migrate.args(["migrate", "--db", db_url]);
        run_to_completion(ctx, "flowdesk-migrate", migrate).await?;

        let port = free_port()?;
        let process = Self::serve(ctx, "flowdesk-serve", db_url, port).await?;
        Ok(Self {
            base_url: format!("http://127.0.0.1:{port}"),
            db_url: db_url.to_owned(),
            port,
            process: Some(process),
            restarts: 0,
        })
    }

    /// Spawns `flowdesk serve` on `127.0.0.1:<port>` logging into
    /// `<log dir>/<log_name>.log`, and waits until `GET /health/ready` answers 200.
    async fn serve(ctx: &TestContext, log_name: &str, db_url: &str, port: u16) -> Result<Process> {
        let flowdesk = bin("flowdesk")?;
        let ui = ui_dist()?;
        let mut serve = Command::new(&flowdesk);
        serve
            .args(["serve", "--db", db_url, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--ui-dir")
            .arg(&ui)
            .env("RUST_LOG", "info");
        let mut process = Process::spawn(ctx, log_name, &mut serve)?;
        let base_url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let ready = format!("{base_url}/health/ready");
        let start = Instant::now();
        loop {
            process.ensure_running()?;
            let observation = match http
                .get(&ready)
                .timeout(Duration::from_secs(2))
                .send()
                .await
            {
                Ok(response) if response.status() == reqwest::StatusCode::OK => break,
                Ok(response) => format!("status {}", response.status()),
                Err(error) => error.to_string(),
            };
            if start.elapsed() > Duration::from_secs(60) {
                bail!("GET {ready} did not answer 200 within 60 s (last: {observation})");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
        Ok(process)
    }

    /// Kills the server's whole process group with SIGKILL (no shutdown of
    /// any kind) and waits until the server process has ended.
    pub fn kill9(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill9();
        }
    }

    /// Starts `flowdesk serve` again on the same port and database (after
    /// [`Server::kill9`]; kills a running server first) and waits until
    /// `GET /health/ready` answers 200. Each run logs into its own file,
    /// `flowdesk-serve-restart-<n>.log`.
    pub async fn restart(&mut self, ctx: &TestContext) -> Result<()> {
        self.kill9();
        self.restarts += 1;
        let log_name = format!("flowdesk-serve-restart-{}", self.restarts);
        self.process = Some(Self::serve(ctx, &log_name, &self.db_url, self.port).await?);
        Ok(())
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The server process.
    ///
    /// # Panics
    /// Between [`Server::kill9`] and [`Server::restart`], when there is none.
    pub fn process(&mut self) -> &mut Process {
        self.process
            .as_mut()
            .expect("the server was killed and not restarted")
    }

    /// Creates the first administrator (`POST /api/auth/setup` as
    /// [`ADMIN_USERNAME`] / [`ADMIN_PASSWORD`]) and returns the secret of a
    /// new API token of theirs (`POST /api/tokens`), for
    /// `Authorization: Bearer <secret>`.
    pub async fn admin_token(&self) -> Result<String> {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{}/api/auth/setup", self.base_url))
            .json(&json!({ "username": ADMIN_USERNAME, "password": ADMIN_PASSWORD }))
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("POST /api/auth/setup answered {status}: {body}");
        }
        let session = ApiSession::login(&self.base_url, ADMIN_USERNAME, ADMIN_PASSWORD).await?;
        let response = session
            .http
            .post(format!("{}/api/tokens", self.base_url))
            .header(reqwest::header::COOKIE, &session.cookie)
            .json(&json!({ "name": "e2e" }))
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            bail!("POST /api/tokens answered {status}: {body}");
        }
        let created: Value = serde_json::from_str(&body)
            .with_context(|| format!("POST /api/tokens returned no JSON: {body}"))?;
        created["secret"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("POST /api/tokens returned no secret: {body}"))
    }
}

/// A signed-in HTTP API session (the `flowdesk_session` cookie of a login).
pub struct ApiSession {
    base_url: String,
    cookie: String,
    http: reqwest::Client,
}

impl ApiSession {
    /// `POST /api/auth/login` and keeps the session cookie.
    pub async fn login(base_url: &str, username: &str, password: &str) -> Result<Self> {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{base_url}/api/auth/login"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await?;
        let status = response.status();
        let cookie = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next())
            .find(|pair| pair.starts_with("flowdesk_session="))
            .map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("POST /api/auth/login answered {status}: {body}");
        }
        let cookie = cookie.ok_or_else(|| {
            anyhow!("POST /api/auth/login answered {status} without a flowdesk_session cookie")
        })?;
        Ok(Self {
            base_url: base_url.to_owned(),
            cookie,
            http,
        })
    }

    /// `GET <path>` as JSON; an error with the body unless the status is 2xx.
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            bail!("GET {path} answered {status}: {body}");
        }
        serde_json::from_str(&body).with_context(|| format!("GET {path} returned no JSON: {body}"))
    }
}

// ---------------------------------------------------------------------------
// WebDriver servers
// ---------------------------------------------------------------------------

/// Waits until a WebDriver server answers `GET /status` with 200.
async fn wait_for_webdriver(process: &mut Process, url: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let status_url = format!("{url}/status");
    let start = Instant::now();
    loop {
        process.ensure_running()?;
        let observation = match http
            .get(&status_url)
            .timeout(Duration::from_secs(2))
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => format!("status {}", response.status()),
            Err(error) => error.to_string(),
        };
        if start.elapsed() > Duration::from_secs(30) {
            bail!("{status_url} did not answer within 30 s (last: {observation})");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

async fn connect(webdriver_url: &str, capabilities: Value) -> Result<Client> {
    let Value::Object(capabilities) = capabilities else {
        bail!("capabilities must be a JSON object");
    };
    // Plain HTTP: the drivers listen on 127.0.0.1, and no TLS stack means no
    // process-wide rustls crypto provider to choose.
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver_url)
        .await
        .map_err(|error| anyhow!("creating a WebDriver session at {webdriver_url}: {error:?}"))
}

/// `/usr/bin/chromedriver --port=<free>`, with the Chromium profiles it hands out.
pub struct ChromeDriver {
    url: String,
    process: Process,
    profiles: TempDir,
}

impl ChromeDriver {
    /// Starts chromedriver and waits until it is ready.
    pub async fn start(ctx: &TestContext) -> Result<Self> {
        let port = free_port()?;
        let mut command = Command::new("/usr/bin/chromedriver");
        command.arg(format!("--port={port}"));
        let mut process = Process::spawn(ctx, "chromedriver", &mut command)
            .context("is chromedriver installed (Debian package chromium-driver)?")?;
        let url = format!("http://127.0.0.1:{port}");
        wait_for_webdriver(&mut process, &url).await?;
        let profiles = ctx.temp_dir("chromium-profiles")?;
        Ok(Self {
            url,
            process,
            profiles,
        })
    }

    /// The WebDriver URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new headless Chromium session with a fresh profile.
    pub async fn client(&mut self) -> Result<Client> {
        self.process.ensure_running()?;
        let profile = self
            .profiles
            .path()
            .join(uuid::Uuid::new_v4().simple().to_string());
        fs::create_dir_all(&profile)?;
        browser_client(&self.url, &profile).await
    }
}

/// A headless Chromium (`/usr/bin/chromium`) session at `webdriver_url`,
/// with `profile` as its user data directory.
pub async fn browser_client(webdriver_url: &str, profile: &Path) -> Result<Client> {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,800",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    connect(webdriver_url, capabilities).await
}

/// The `tauri-driver` executable: from `PATH`, else `~/.cargo/bin`.
pub fn tauri_driver_path() -> Result<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("tauri-driver"))
            .find(|candidate| candidate.is_file())
    });
    if let Some(found) = from_path {
        return Ok(found);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_bin = home.join(".cargo/bin/tauri-driver");
    if cargo_bin.is_file() {
        return Ok(cargo_bin);
    }
    bail!("tauri-driver is not installed: run `cargo install tauri-driver --locked`")
}

/// `tauri-driver --port <free> --native-port <free> --native-driver
/// /usr/bin/WebKitWebDriver` on a given X display.
pub struct TauriDriver {
    port: u16,
    process: Process,
}

impl TauriDriver {
    /// Starts tauri-driver (and through it WebKitWebDriver) on `display`.
    pub async fn start(ctx: &TestContext, display: &str) -> Result<Self> {
        Self::start_with_environment(ctx, display, &[]).await
    }

    /// Like [`TauriDriver::start`], with more environment variables, which the
    /// applications it launches inherit.
    pub async fn start_with_environment(
        ctx: &TestContext,
        display: &str,
        environment: &[(&str, String)],
    ) -> Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new(tauri_driver_path()?);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .envs(desktop_environment(display))
            .envs(environment.iter().map(|(key, value)| (*key, value)))
            .env("RUST_BACKTRACE", "1");
        let mut process = Process::spawn(ctx, "tauri-driver", &mut command)?;
        wait_for_webdriver(&mut process, &format!("http://127.0.0.1:{port}")).await?;
        Ok(Self { port, process })
    }

    /// The port tauri-driver listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A session on `app` started with `args`.
    pub async fn client(&mut self, app: &Path, args: &[String]) -> Result<Client> {
        self.process.ensure_running()?;
        desktop_client(self.port, app, args).await
    }
}

/// A tauri-driver session (port `port`) that launches the Tauri application
/// `app` with `args`; tauri-driver turns `tauri:options` into WebKitWebDriver's
/// `webkitgtk:browserOptions`, and wry names its automation sessions `wry`.
pub async fn desktop_client(port: u16, app: &Path, args: &[String]) -> Result<Client> {
    webkit_client(port, Some("wry"), app, args).await
}

/// Like [`desktop_client`] for any WebKitGTK browser: `browser_name` must
/// match the name the browser reports (None accepts any), and a non-Tauri
/// browser needs its own automation flag in `args` (MiniBrowser: `--automation`).
pub async fn webkit_client(
    port: u16,
    browser_name: Option<&str>,
    app: &Path,
    args: &[String],
) -> Result<Client> {
    let app = fs::canonicalize(app).with_context(|| format!("resolving {}", app.display()))?;
    let mut capabilities = json!({
        "tauri:options": { "application": app, "args": args },
    });
    if let Some(name) = browser_name {
        capabilities["browserName"] = json!(name);
    }
    connect(&format!("http://127.0.0.1:{port}"), capabilities).await
}

// ---------------------------------------------------------------------------
// UI helpers
// ---------------------------------------------------------------------------

/// Waits until an element matching `css` exists (visible or not).
pub async fn wait_for(client: &Client, css: &str, deadline: Duration) -> Result<Element> {
    poll(&format!("an element `{css}`"), deadline, || async move {
        match client.find(Locator::Css(css)).await {
            Ok(element) => Ok(Attempt::Done(element)),
            Err(error) if error.is_no_such_element() => {
                Ok(Attempt::Retry(page_summary(client).await))
            }
            Err(error) => Ok(Attempt::Retry(error.to_string())),
        }
    })
    .await
}

/// Waits until some element matching `css` has a text for which `matches`
/// holds; returns that element. `description` names the condition in errors.
pub async fn wait_for_text(
    client: &Client,
    css: &str,
    description: &str,
    deadline: Duration,
    matches: impl Fn(&str) -> bool,
) -> Result<Element> {
    let matches = &matches;
    poll(
        &format!("an element `{css}` {description}"),
        deadline,
        || async move {
            let elements = match client.find_all(Locator::Css(css)).await {
                Ok(elements) => elements,
                Err(error) => return Ok(Attempt::Retry(error.to_string())),
            };
            let mut seen = Vec::new();
            for element in elements {
                if let Ok(text) = element.text().await {
                    if matches(&text) {
                        return Ok(Attempt::Done(element));
                    }
                    seen.push(text);
                }
            }
            if seen.is_empty() {
                Ok(Attempt::Retry(format!(
                    "no `{css}`; {}",
                    page_summary(client).await
                )))
            } else {
                Ok(Attempt::Retry(format!("texts of `{css}`: {seen:?}")))
            }
        },
    )
    .await
}

/// Waits for `css` and clicks it, retrying while it is not yet clickable.
pub async fn click(client: &Client, css: &str, deadline: Duration) -> Result<()> {
    poll(&format!("a click on `{css}`"), deadline, || async move {
        let element = match client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        match element.click().await {
            Ok(()) => Ok(Attempt::Done(())),
            Err(error) => Ok(Attempt::Retry(error.to_string())),
        }
    })
    .await
}

/// Types each value into its field (`(css, text)` pairs) and checks that every
/// field holds exactly its value afterwards, retrying until they all do: a page
/// that is still starting may move the focus (autofocus) while keys are sent.
pub async fn fill_form(client: &Client, fields: &[(&str, &str)]) -> Result<()> {
    for (css, _) in fields {
        wait_for(client, css, UI_DEADLINE).await?;
    }
    poll(
        "the form fields to hold what was typed",
        UI_DEADLINE,
        || async move {
            for (css, text) in fields {
                if field_value(client, css).await.as_deref() == Some(*text) {
                    continue;
                }
                let Ok(element) = client.find(Locator::Css(css)).await else {
                    continue;
                };
                element.clear().await.ok();
                if let Err(error) = element.send_keys(text).await {
                    return Ok(Attempt::Retry(format!("typing into `{css}`: {error}")));
                }
            }
            let mut wrong = Vec::new();
            for (css, text) in fields {
                let value = field_value(client, css).await;
                if value.as_deref() != Some(*text) {
                    wrong.push(format!("`{css}` holds {value:?} instead of {text:?}"));
                }
            }
            if wrong.is_empty() {
                Ok(Attempt::Done(()))
            } else {
                Ok(Attempt::Retry(wrong.join("; ")))
            }
        },
    )
    .await
}

/// The `value` property of the element `css`, if it exists.
async fn field_value(client: &Client, css: &str) -> Option<String> {
    let element = client.find(Locator::Css(css)).await.ok()?;
    element.prop("value").await.ok().flatten()
}

/// The location and the start of the visible text of the page, for errors.
async fn page_summary(client: &Client) -> String {
    let location = client
        .current_url()
        .await
        .map(|url| url.to_string())
        .unwrap_or_else(|error| format!("<no url: {error}>"));
    let text = client
        .execute(
            "return document.body ? document.body.innerText : ''",
            vec![],
        )
        .await
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(300).collect();
    format!("page {location} shows {text:?}")
}

/// Saves a PNG screenshot of the current page to `path`.
pub async fn screenshot(client: &Client, path: &Path) -> Result<()> {
    let png = client.screenshot().await.context("taking a screenshot")?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, png).with_context(|| format!("writing {}", path.display()))
}

/// Saves a screenshot and the page's HTML into the log directory as
/// `<label>.png` / `<label>.html`; failures to do so are only reported.
pub async fn capture_page(ctx: &TestContext, client: &Client, label: &str) {
    let png = ctx.log_file(&format!("{label}.png"));
    match screenshot(client, &png).await {
        Ok(()) => eprintln!("screenshot: {}", png.display()),
        Err(error) => eprintln!("no screenshot: {error:?}"),
    }
    if let Ok(html) = client.source().await {
        let _ = fs::write(ctx.log_file(&format!("{label}.html")), html);
    }
}

/// Chooses `path` in the file input `input_css`: WebDriver "send keys" with
/// the absolute path (chromedriver), else — where the driver cannot do it
/// (WebKitWebDriver may not) — a `File` built in the page from the file's
/// text, set through a `DataTransfer`, followed by `input` and `change` events.
pub async fn upload_file(client: &Client, input_css: &str, path: &Path) -> Result<()> {
    let path = fs::canonicalize(path).with_context(|| format!("resolving {}", path.display()))?;
    let input = wait_for(client, input_css, UI_DEADLINE).await?;
    let path_text = path.to_str().context("fixture path is not UTF-8")?;
    let typed = input.send_keys(path_text).await;
    let Err(send_keys_error) = typed else {
        return Ok(());
    };
    eprintln!("send_keys on `{input_css}` failed ({send_keys_error}); setting the file through JavaScript");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("upload.bpmn")
        .to_owned();
    let script = r#"
        const [selector, name, text] = arguments;
        const input = document.querySelector(selector);
        if (!input) { return 'no element ' + selector; }
        const file = new File([text], name, { type: 'application/xml' });
        const transfer = new DataTransfer();
        transfer.items.add(file);
        input.files = transfer.files;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return 'ok';
    "#;
    let outcome = client
        .execute(script, vec![json!(input_css), json!(name), json!(text)])
        .await
        .with_context(|| {
            format!("setting the file through JavaScript after send_keys failed with: {send_keys_error}")
        })?;
    if outcome != json!("ok") {
        bail!("uploading {}: {outcome}", path.display());
    }
    Ok(())
}

/// Whether `text` carries a source position such as `12:5` or `line 12, column 5`.
pub fn has_line_and_column(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits_before = |end: usize| end > 0 && bytes[end - 1].is_ascii_digit();
    let digits_after = |start: usize| start < bytes.len() && bytes[start].is_ascii_digit();
    let colon = (0..bytes.len())
        .any(|index| bytes[index] == b':' && digits_before(index) && digits_after(index + 1));
    let lower = text.to_lowercase();
    let words = ["line", "column"].iter().all(|word| {
        lower.match_indices(word).any(|(index, _)| {
            lower[index + word.len()..]
                .trim_start_matches([' ', ':'])
                .starts_with(|c: char| c.is_ascii_digit())
        })
    });
    colon || words
}

/// Whether a row's text names the order-approval process.
fn names_process(text: &str) -> bool {
    text.contains(PROCESS_ID) || text.contains(PROCESS_NAME)
}

/// The walking skeleton through the UI, the same in Chromium and in the
/// desktop webview. The page must already show the app.
///
/// 1. `first_run`: create [`ADMIN_USERNAME`] on the first-run screen;
///    otherwise sign in as that user;
/// 2. wait for the app shell, open the designer, upload `order-approval.bpmn`
///    and wait for its definition row; start an instance from that row;
/// 3. open the instances screen and wait for an active instance of it;
/// 4. back in the designer, upload `malformed.bpmn` and wait for an upload
///    error that names a line and column.
pub async fn walking_skeleton(client: &Client, first_run: bool) -> Result<()> {
    if first_run {
        wait_for(client, "#setup-username", STARTUP_DEADLINE)
            .await
            .context("the first-run screen did not appear")?;
        fill_form(
            client,
            &[
                ("#setup-username", ADMIN_USERNAME),
                ("#setup-password", ADMIN_PASSWORD),
                ("#setup-password-confirm", ADMIN_PASSWORD),
            ],
        )
        .await?;
        click(client, "#setup-submit", UI_DEADLINE).await?;
    } else {
        wait_for(client, "#login-username", STARTUP_DEADLINE)
            .await
            .context("the login screen did not appear")?;
        fill_form(
            client,
            &[
                ("#login-username", ADMIN_USERNAME),
                ("#login-password", ADMIN_PASSWORD),
            ],
        )
        .await?;
        click(client, "#login-submit", UI_DEADLINE).await?;
    }
    wait_for(client, "[data-testid=nav-designer]", UI_DEADLINE)
        .await
        .context("the app shell did not appear after signing in")?;

    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    let upload = "input[type=file][data-testid=upload-bpmn]";
    upload_file(client, upload, &fixture("order-approval.bpmn")?).await?;
    let row_css = "[data-testid=definition-row]";
    wait_for_text(
        client,
        row_css,
        &format!("naming {PROCESS_ID:?} or {PROCESS_NAME:?}"),
        UI_DEADLINE,
        names_process,
    )
    .await
    .context("the uploaded definition did not appear")?;
    poll(
        "a click on the row's start-instance",
        UI_DEADLINE,
        || async move {
            let rows = match client.find_all(Locator::Css(row_css)).await {
                Ok(rows) => rows,
                Err(error) => return Ok(Attempt::Retry(error.to_string())),
            };
            for row in rows {
                if !row.text().await.is_ok_and(|text| names_process(&text)) {
                    continue;
                }
                let button = match row.find(Locator::Css("[data-testid=start-instance]")).await {
                    Ok(button) => button,
                    Err(error) => {
                        return Ok(Attempt::Retry(format!(
                            "start-instance in the row: {error}"
                        )))
                    }
                };
                // The definitions table scrolls inside its card: bring the
                // button to the middle of both scroll areas first, as a
                // user scrolls to it (WebKit's driver does not).
                let reference = serde_json::to_value(&button)?;
                if let Err(error) = client
                    .execute(
                        "arguments[0].scrollIntoView({block: 'center', inline: 'center'})",
                        vec![reference],
                    )
                    .await
                {
                    return Ok(Attempt::Retry(error.to_string()));
                }
                return match button.click().await {
                    Ok(()) => Ok(Attempt::Done(())),
                    Err(error) => Ok(Attempt::Retry(format!("{error:?}"))),
                };
            }
            Ok(Attempt::Retry("no matching definition row".to_owned()))
        },
    )
    .await?;

    // The start request may still be in flight when the instances screen
    // loads its list (the list has no live updates yet), so re-open the
    // screen until the instance shows, as a user would.
    poll(
        "an active instance row of the process",
        UI_DEADLINE,
        || async move {
            click(client, "[data-testid=nav-instances]", UI_DEADLINE).await?;
            let found = wait_for_text(
                client,
                "[data-testid=instance-row]",
                "naming the process and \"active\"",
                Duration::from_secs(5),
                |text| names_process(text) && text.to_lowercase().contains("active"),
            )
            .await;
            match found {
                Ok(_) => Ok(Attempt::Done(())),
                Err(error) => {
                    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
                    Ok(Attempt::Retry(format!("{error:#}")))
                }
            }
        },
    )
    .await
    .context("the started instance did not appear as active")?;

    click(client, "[data-testid=nav-designer]", UI_DEADLINE).await?;
    upload_file(client, upload, &fixture("malformed.bpmn")?).await?;
    wait_for_text(
        client,
        "[data-testid=upload-error]",
        "with a line:column",
        UI_DEADLINE,
        has_line_and_column,
    )
    .await
    .context("uploading malformed.bpmn showed no error with a line and column")?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Processes and their Internet sockets (/proc)
// ---------------------------------------------------------------------------

/// The parent pid of `pid` from `/proc/<pid>/stat` (None if it is gone).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields restart
    // after the last ')'. Then: state, ppid.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

/// Short command name of a process (`/proc/<pid>/comm`).
pub fn command_name(pid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|name| name.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned())
}

/// `root` and all its living descendants, found by scanning the parent pid of
/// every process in `/proc` (so children of any thread count too).
pub fn process_tree(root: u32) -> BTreeSet<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|name| name.parse().ok())
            else {
                continue;
            };
            if let Some(parent) = parent_of(pid) {
                children.entry(parent).or_default().push(pid);
            }
        }
    }
    let mut tree = BTreeSet::new();
    let mut pending = vec![root];
    while let Some(pid) = pending.pop() {
        if tree.insert(pid) {
            pending.extend(children.get(&pid).into_iter().flatten().copied());
        }
    }
    tree
}

/// Inodes of the sockets a process has open (`/proc/<pid>/fd/* -> socket:[N]`).
pub fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    let mut inodes = BTreeSet::new();
    if let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) {
        for entry in entries.flatten() {
            if let Ok(target) = fs::read_link(entry.path()) {
                let target = target.to_string_lossy();
                if let Some(inode) = target
                    .strip_prefix("socket:[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|inode| inode.parse().ok())
                {
                    inodes.insert(inode);
                }
            }
        }
    }
    inodes
}

/// A socket that accepts traffic from the network: TCP in LISTEN (`0A`) or
/// UDP unconnected (`07`, i.e. bound and receiving from anyone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListeningSocket {
    /// Process holding it.
    pub pid: u32,
    /// Its command name.
    pub command: String,
    /// `tcp`, `tcp6`, `udp` or `udp6`.
    pub protocol: &'static str,
    /// Local address, e.g. `127.0.0.1:8080`.
    pub local: String,
    /// Socket inode.
    pub inode: u64,
    /// The raw line of `/proc/<pid>/net/<protocol>`.
    pub raw: String,
}

impl fmt::Display for ListeningSocket {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "pid {} ({}) listens on {} {} (socket inode {}); /proc/{}/net/{}: {}",
            self.pid,
            self.command,
            self.protocol,
            self.local,
            self.inode,
            self.pid,
            self.protocol,
            self.raw.trim()
        )
    }
}

/// Decodes a `/proc/net/{tcp,udp}[6]` address such as `0100007F:1F90`.
pub fn decode_address(hex: &str) -> String {
    let Some((address, port)) = hex.split_once(':') else {
        return hex.to_owned();
    };
    let port = u16::from_str_radix(port, 16).map_or_else(|_| port.to_owned(), |p| p.to_string());
    // Each 32-bit word is printed in host byte order (little-endian here).
    let words: Option<Vec<u32>> = (0..address.len() / 8)
        .map(|index| u32::from_str_radix(&address[index * 8..index * 8 + 8], 16).ok())
        .collect();
    match words.as_deref() {
        Some([word]) => format!("{}:{port}", Ipv4Addr::from(word.to_le_bytes())),
        Some(words @ [_, _, _, _]) => {
            let mut bytes = [0u8; 16];
            for (index, word) in words.iter().enumerate() {
                bytes[index * 4..index * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            format!("[{}]:{port}", Ipv6Addr::from(bytes))
        }
        _ => format!("{address}:{port}"),
    }
}

/// Listening Internet sockets (see [`ListeningSocket`]) held by any of `pids`.
/// Each process's own `/proc/<pid>/net/*` is read, so a process in another
/// network namespace (a sandboxed web process) is judged by its own tables.
pub fn listening_sockets(pids: &BTreeSet<u32>) -> Vec<ListeningSocket> {
    const TABLES: [(&str, &str); 4] =
        [("tcp", "0A"), ("tcp6", "0A"), ("udp", "07"), ("udp6", "07")];
    let mut found = Vec::new();
    // Tables are per network namespace; cache them by namespace.
    let mut tables_by_namespace: BTreeMap<String, Vec<(&'static str, String)>> = BTreeMap::new();
    for &pid in pids {
        let inodes = socket_inodes(pid);
        if inodes.is_empty() {
            continue;
        }
        let namespace = fs::read_link(format!("/proc/{pid}/ns/net"))
            .map(|link| link.to_string_lossy().into_owned())
            .unwrap_or_else(|_| format!("pid-{pid}"));
        let lines = tables_by_namespace.entry(namespace).or_insert_with(|| {
            let mut lines = Vec::new();
            for (protocol, listen_state) in TABLES {
                let Ok(table) = fs::read_to_string(format!("/proc/{pid}/net/{protocol}")) else {
                    continue;
                };
                for line in table.lines().skip(1) {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    if fields.len() > 9 && fields[3] == listen_state {
                        lines.push((protocol, line.to_owned()));
                    }
                }
            }
            lines
        });
        for (protocol, line) in lines.iter() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let Ok(inode) = fields[9].parse::<u64>() else {
                continue;
            };
            if inodes.contains(&inode) {
                found.push(ListeningSocket {
                    pid,
                    command: command_name(pid),
                    protocol,
                    local: decode_address(fields[1]),
                    inode,
                    raw: line.clone(),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpStream, UdpSocket};

    fn own_pid() -> BTreeSet<u32> {
        BTreeSet::from([std::process::id()])
    }

    #[test]
    fn finds_a_tcp_listener_of_this_process() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        let found = listening_sockets(&own_pid());
        assert!(
            found
                .iter()
                .any(|socket| socket.protocol == "tcp"
                    && socket.local == format!("127.0.0.1:{port}")),
            "listener on port {port} not detected; found {found:?}"
        );
    }

    #[test]
    fn finds_a_tcp6_listener_and_a_bound_udp_socket() {
        let Ok(listener) = TcpListener::bind("[::1]:0") else {
            return; // no IPv6 loopback on this machine
        };
        let tcp_port = listener.local_addr().expect("address").port();
        let udp = UdpSocket::bind(("127.0.0.1", 0)).expect("bind udp");
        let udp_port = udp.local_addr().expect("address").port();
        let found = listening_sockets(&own_pid());
        assert!(
            found
                .iter()
                .any(|socket| socket.protocol == "tcp6"
                    && socket.local == format!("[::1]:{tcp_port}")),
            "tcp6 listener not detected; found {found:?}"
        );
        assert!(
            found.iter().any(|socket| socket.protocol == "udp"
                && socket.local.ends_with(&format!(":{udp_port}"))),
            "udp socket not detected; found {found:?}"
        );
    }

    #[test]
    fn a_connected_client_socket_is_not_listening() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let server_port = listener.local_addr().expect("address").port();
        let client = TcpStream::connect(("127.0.0.1", server_port)).expect("connect");
        let client_port = client.local_addr().expect("address").port();
        let found = listening_sockets(&own_pid());
        assert!(
            !found
                .iter()
                .any(|socket| socket.local.ends_with(&format!(":{client_port}"))),
            "client socket reported as listening: {found:?}"
        );
    }

    #[test]
    fn the_process_tree_contains_spawned_children() {
        let mut child = Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("spawn sleep");
        let tree = process_tree(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(tree.contains(&child.id()), "{tree:?} lacks {}", child.id());
    }

    #[test]
    fn finds_a_listener_of_a_descendant_process() {
        // A child (sh) whose own child (python3) listens: the detection must
        // walk the tree, as it does for the desktop app's WebKit processes.
        let mut child = Command::new("sh")
            .args([
                "-c",
                "python3 -c 'import socket, time; s = socket.socket(); \
                 s.bind((\"127.0.0.1\", 0)); s.listen(); time.sleep(60)'",
            ])
            .process_group(0)
            .spawn()
            .expect("spawn sh + python3");
        let mut found = Vec::new();
        let detected = poll_blocking(Duration::from_secs(20), || {
            found = listening_sockets(&process_tree(std::process::id()));
            found
                .iter()
                .any(|socket| socket.pid != std::process::id() && socket.protocol == "tcp")
        });
        if let Ok(group) = libc::pid_t::try_from(child.id()) {
            // SAFETY: kill(2) on the process group created above.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        let _ = child.wait();
        assert!(
            detected,
            "the grandchild's listener was not found: {found:?}"
        );
    }

    #[test]
    fn decodes_proc_net_addresses() {
        assert_eq!(decode_address("0100007F:1F90"), "127.0.0.1:8080");
        assert_eq!(
            decode_address("00000000000000000000000001000000:0050"),
            "[::1]:80"
        );
    }

    #[test]
    fn recognises_line_and_column() {
        assert!(has_line_and_column("order.bpmn 3:17: unexpected end"));
        assert!(has_line_and_column("Line 3, column 17: unexpected end"));
        assert!(!has_line_and_column("invalid model"));
    }

    #[test]
    fn server_url_drops_the_database_name() {
        assert_eq!(
            without_database("postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
            "postgres://postgres@127.0.0.1:5432"
        );
        assert_eq!(
            without_database("postgres://postgres@127.0.0.1:5432/"),
            "postgres://postgres@127.0.0.1:5432"
        );
    }
}
