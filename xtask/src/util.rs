//! Small helpers shared by every command: progress lines, running programs,
//! finding programs, privileges, deadlines and file times.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};

/// Prints a top-level progress line.
pub fn step(message: impl std::fmt::Display) {
    println!("==> {message}");
}

/// Prints a detail line under the current step.
pub fn note(message: impl std::fmt::Display) {
    println!("    {message}");
}

/// The command line as a user could paste it into a shell.
pub fn describe(command: &Command) -> String {
    let mut line = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            line.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                shell_quote(value)
            ));
        }
    }
    line.push_str(&shell_quote(command.get_program()));
    for argument in command.get_args() {
        line.push(' ');
        line.push_str(&shell_quote(argument));
    }
    line
}

fn shell_quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs a command with inherited stdio and returns its exit status.
pub fn status(command: &mut Command) -> Result<ExitStatus> {
    note(format!("$ {}", describe(command)));
    command
        .status()
        .with_context(|| format!("could not start `{}`", describe(command)))
}

/// Runs a command with inherited stdio and fails unless it succeeds.
pub fn run(command: &mut Command) -> Result<()> {
    let status = status(command)?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs a command quietly; its stdout when it succeeds, `None` when it fails
/// or cannot be started.
pub fn quiet_stdout(command: &mut Command) -> Option<String> {
    let output = command.stdin(Stdio::null()).stderr(Stdio::null()).output();
    match output {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        _ => None,
    }
}

/// The exit code to hand on for a child's status (128 + signal when killed).
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// The path of an executable found in `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path)
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Whether this process runs as root (real user id 0).
pub fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .map(|uid| uid == "0")
        .unwrap_or(false)
}

/// A command that runs as root: directly when we are root, through `sudo`
/// otherwise. Fails when neither is possible, naming what was to be run.
pub fn privileged<I, S>(program: &str, args: I) -> Result<Command>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    if is_root() {
        let mut command = Command::new(program);
        command.args(args);
        return Ok(command);
    }
    if which("sudo").is_none() {
        let args: Vec<String> = args
            .into_iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        bail!(
            "`{program} {}` needs root, and this user is not root and sudo is not available; \
             run it as root and try again",
            args.join(" ")
        );
    }
    let mut command = Command::new("sudo");
    command.arg(program).args(args);
    Ok(command)
}

/// Calls `ready` every `poll` until it returns true or `timeout` passes.
/// Returns whether it became ready.
pub fn wait_until(
    timeout: Duration,
    poll: Duration,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        if ready()? {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        thread::sleep(poll);
    }
}

pub fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

/// The newest modification time of the given files and, recursively, of the
/// files in the given directories, with the file it belongs to. Paths that do
/// not exist are ignored.
pub fn newest_modified(paths: &[PathBuf]) -> Option<(SystemTime, PathBuf)> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut pending: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = pending.pop() {
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = fs::read_dir(&path) {
                pending.extend(entries.flatten().map(|entry| entry.path()));
            }
        } else if let Ok(time) = meta.modified() {
            if newest.as_ref().is_none_or(|(best, _)| time > *best) {
                newest = Some((time, path));
            }
        }
    }
    newest
}

/// A fresh, empty directory under `target/xtask/` for one run's scratch files.
pub fn scratch_dir(target_dir: &Path, purpose: &str) -> Result<PathBuf> {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);
    let dir = target_dir
        .join("xtask")
        .join(format!("{purpose}-{}-{nanos}", std::process::id()));
    fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(dir)
}
