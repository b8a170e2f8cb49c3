//! Virtual displays (Xvfb) and the desktop app as a child process: started
//! in its own process group so that it and its WebKit helpers can be stopped
//! together, and looked at through /proc.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::util::{describe, note, step, wait_until};

/// An Xvfb server on a free display number; stopped when dropped.
pub struct Xvfb {
    child: Child,
    // Xvfb wrote its display number here; keep the pipe open for its lifetime.
    _display_pipe: ChildStdout,
    pub display: String,
}

impl Xvfb {
    /// Starts `Xvfb -displayfd 1 -screen 0 WxHx24`: Xvfb picks a free display
    /// number and writes it to its stdout once it accepts clients.
    pub fn start(width: u32, height: u32, log_dir: &Path) -> Result<Xvfb> {
        step(format!("starting Xvfb ({width}x{height}x24)"));
        fs::create_dir_all(log_dir)?;
        let log_path = log_dir.join("xvfb.log");
        let log = File::create(&log_path)
            .with_context(|| format!("could not create {}", log_path.display()))?;
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("could not start Xvfb (package xvfb)")?;
        let stdout = child.stdout.take().context("Xvfb has no stdout pipe")?;
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = sender.send(read.map(|_| (line, reader.into_inner())));
        });
        let outcome = receiver.recv_timeout(Duration::from_secs(20));
        let (line, pipe) = match outcome {
            Ok(Ok((line, pipe))) if !line.trim().is_empty() => (line, pipe),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "Xvfb did not report a display number within 20s; see {}",
                    log_path.display()
                );
            }
        };
        let display = format!(":{}", line.trim());
        note(format!(
            "Xvfb is running on DISPLAY={display} (log: {})",
            log_path.display()
        ));
        Ok(Xvfb {
            child,
            _display_pipe: pipe,
            display,
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A child started in a new process group (its id is the child's pid), so
/// the app and every process it spawned can be signalled at once. Stopped
/// when dropped.
pub struct ProcessGroup {
    child: Child,
    exited: Option<ExitStatus>,
}

impl ProcessGroup {
    pub fn spawn(command: &mut Command) -> Result<ProcessGroup> {
        note(format!("$ {}", describe(command)));
        let child = command
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start `{}`", describe(command)))?;
        Ok(ProcessGroup {
            child,
            exited: None,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status once the direct child has exited.
    pub fn exited(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait()?;
        }
        Ok(self.exited)
    }

    /// SIGTERM to the whole group, SIGKILL to what is left after 5 s.
    pub fn stop(&mut self) {
        let group = self.pid();
        if group_members(group).is_empty() && self.exited.is_some() {
            return;
        }
        signal_group(group, "TERM");
        let gone = wait_until(Duration::from_secs(5), Duration::from_millis(100), || {
            let _ = self.exited();
            Ok(group_members(group).is_empty())
        })
        .unwrap_or(false);
        if !gone {
            signal_group(group, "KILL");
        }
        if self.exited.is_none() {
            self.exited = self.child.wait().ok();
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), "--".to_string(), format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

/// One process as /proc/PID/stat describes it.
#[derive(Debug, Clone)]
pub struct ProcessInfo {
    pub pid: u32,
    pub parent: u32,
    pub group: u32,
    pub name: String,
}

/// Every process visible in /proc.
pub fn processes() -> Vec<ProcessInfo> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            parse_stat(pid, &stat)
        })
        .collect()
}

/// Parses "PID (NAME) STATE PPID PGRP ..."; NAME may hold spaces and parentheses.
fn parse_stat(pid: u32, stat: &str) -> Option<ProcessInfo> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let _state = rest.next()?;
    let parent = rest.next()?.parse().ok()?;
    let group = rest.next()?.parse().ok()?;
    Some(ProcessInfo {
        pid,
        parent,
        group,
        name,
    })
}

fn group_members(group: u32) -> Vec<ProcessInfo> {
    processes()
        .into_iter()
        .filter(|process| process.group == group)
        .collect()
}

/// `root` and all of its descendants.
pub fn process_tree(root: u32) -> Vec<ProcessInfo> {
    let all = processes();
    let mut tree: Vec<ProcessInfo> = all.iter().filter(|p| p.pid == root).cloned().collect();
    let mut index = 0;
    while index < tree.len() {
        let parent = tree[index].pid;
        tree.extend(all.iter().filter(|p| p.parent == parent).cloned());
        index += 1;
    }
    tree
}

/// Resident memory of a process in KiB (VmRSS), if it still exists.
pub fn resident_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_names() {
        let info = parse_stat(42, "42 (Web (Content) x) S 7 42 42 0 -1").unwrap();
        assert_eq!(info.name, "Web (Content) x");
        assert_eq!((info.parent, info.group), (7, 42));
    }

    #[test]
    fn finds_this_process() {
        let me = std::process::id();
        assert!(process_tree(me).iter().any(|p| p.pid == me));
        assert!(resident_kib(me).unwrap_or(0) > 0);
    }
}
