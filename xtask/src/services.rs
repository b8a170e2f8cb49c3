//! The local services tests and benchmarks talk to: PostgreSQL, Redis and
//! RabbitMQ on their standard ports on 127.0.0.1. Each is checked by a TCP
//! connect and started only when it is down.

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::util::{is_root, note, privileged, run, step, wait_until};

pub const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432";
const POSTGRES_PORT: u16 = 5432;
const REDIS_PORT: u16 = 6379;
const RABBITMQ_PORT: u16 = 5672;
const HBA_MARKER: &str = "# added by `cargo xtask`";

pub fn ensure_all() -> Result<()> {
    ensure_postgres()?;
    ensure_redis()?;
    ensure_rabbitmq()
}

fn port_open(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_ok()
}

fn wait_for_port(service: &str, port: u16, timeout: Duration) -> Result<()> {
    note(format!(
        "waiting up to {}s for 127.0.0.1:{port}",
        timeout.as_secs()
    ));
    if !wait_until(timeout, Duration::from_millis(250), || Ok(port_open(port)))? {
        bail!(
            "{service} did not come up: nothing accepts connections on 127.0.0.1:{port} \
             after {}s; see its log",
            timeout.as_secs()
        );
    }
    note(format!("{service} is accepting connections"));
    Ok(())
}

/// PostgreSQL on 127.0.0.1:5432 that lets user `postgres` in without a password.
pub fn ensure_postgres() -> Result<()> {
    step(format!("PostgreSQL on 127.0.0.1:{POSTGRES_PORT}"));
    if port_open(POSTGRES_PORT) {
        note("already running");
    } else {
        let cluster = Cluster::for_port(POSTGRES_PORT)?;
        if !cluster.config_dir().is_dir() {
            note(format!(
                "cluster {} {} does not exist; creating it",
                cluster.version, cluster.name
            ));
            run(&mut privileged(
                "pg_createcluster",
                [&cluster.version, &cluster.name],
            )?)?;
        }
        run(&mut privileged(
            "pg_ctlcluster",
            [
                "--skip-systemctl-redirect",
                &cluster.version,
                &cluster.name,
                "start",
            ],
        )?)?;
        wait_for_port("PostgreSQL", POSTGRES_PORT, Duration::from_secs(30))?;
    }
    ensure_postgres_login()
}

/// Connects as `postgres` over TCP; only when that fails with an
/// authentication error, trusts local TCP connections for that user.
fn ensure_postgres_login() -> Result<()> {
    let error = match psql(&["-d", "postgres", "-c", "SELECT 1"]) {
        Ok(_) => {
            note("user postgres can connect over TCP");
            return Ok(());
        }
        Err(error) => error,
    };
    let message = format!("{error:#}");
    let authentication_error = [
        "authentication failed",
        "no password supplied",
        "no pg_hba.conf entry",
    ]
    .iter()
    .any(|needle| message.contains(needle));
    if !authentication_error {
        return Err(error.context("cannot connect to PostgreSQL as user postgres"));
    }
    let cluster = Cluster::for_port(POSTGRES_PORT)?;
    trust_local_tcp_for_postgres(&cluster, &message)?;
    psql(&["-d", "postgres", "-c", "SELECT 1"])
        .context("PostgreSQL still refuses user postgres after adding the trust rules")?;
    note("user postgres can connect over TCP");
    Ok(())
}

/// Puts `trust` rules for user postgres from 127.0.0.1 and ::1 at the top of
/// pg_hba.conf (the first matching rule wins), keeping a backup, and reloads.
fn trust_local_tcp_for_postgres(cluster: &Cluster, refusal: &str) -> Result<()> {
    let hba = cluster.config_dir().join("pg_hba.conf");
    let rules = format!(
        "{HBA_MARKER}: tests and `cargo xtask serve --postgres` connect as postgres without a password\n\
         host    all             postgres        127.0.0.1/32            trust\n\
         host    all             postgres        ::1/128                 trust\n"
    );
    step(format!(
        "PostgreSQL refused user postgres over TCP: {}",
        refusal.lines().last().unwrap_or(refusal).trim()
    ));
    if !is_root() {
        bail!(
            "to let tests connect, put these lines at the top of {} (as root) and run \
             `pg_ctlcluster {} {} reload`:\n{rules}",
            hba.display(),
            cluster.version,
            cluster.name
        );
    }
    let current =
        fs::read_to_string(&hba).with_context(|| format!("could not read {}", hba.display()))?;
    if current.contains(HBA_MARKER) {
        bail!(
            "{} already has the trust rules added by xtask, yet PostgreSQL refuses user \
             postgres; check the server's log",
            hba.display()
        );
    }
    let backup = hba.with_file_name("pg_hba.conf.before-xtask");
    fs::copy(&hba, &backup).with_context(|| {
        format!(
            "could not back up {} to {}",
            hba.display(),
            backup.display()
        )
    })?;
    fs::write(&hba, format!("{rules}\n{current}"))
        .with_context(|| format!("could not write {}", hba.display()))?;
    note(format!(
        "added at the top of {} (backup: {}):",
        hba.display(),
        backup.display()
    ));
    for line in rules.lines() {
        note(format!("  {line}"));
    }
    run(&mut privileged(
        "pg_ctlcluster",
        [
            "--skip-systemctl-redirect",
            &cluster.version,
            &cluster.name,
            "reload",
        ],
    )?)
}

/// Runs psql against 127.0.0.1:5432 as postgres, never prompting for a
/// password; its stdout, or an error with its stderr.
pub fn psql(args: &[&str]) -> Result<String> {
    let output = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            "5432",
            "-U",
            "postgres",
            "-w",
            "-X",
            "-tA",
        ])
        .args(args)
        .env("PGCONNECT_TIMEOUT", "5")
        .stdin(Stdio::null())
        .output()
        .context("could not run psql (package postgresql-client)")?;
    if !output.status.success() {
        bail!(
            "psql {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Creates the database unless it exists.
pub fn ensure_database(name: &str) -> Result<()> {
    step(format!("PostgreSQL database {name}"));
    let query = format!("SELECT 1 FROM pg_database WHERE datname='{name}'");
    if psql(&["-d", "postgres", "-c", &query])?.trim() == "1" {
        note("exists");
        return Ok(());
    }
    note("creating it");
    psql(&[
        "-d",
        "postgres",
        "-c",
        &format!("CREATE DATABASE \"{name}\""),
    ])?;
    Ok(())
}

/// A Debian PostgreSQL cluster (postgresql-common), named by version and name.
struct Cluster {
    version: String,
    name: String,
}

impl Cluster {
    /// The cluster configured for `port` according to `pg_lsclusters`, else
    /// `main` of the newest version under /etc/postgresql (or, with no
    /// cluster at all, of the newest installed server).
    fn for_port(port: u16) -> Result<Cluster> {
        if let Some(listing) =
            crate::util::quiet_stdout(Command::new("pg_lsclusters").arg("--no-header"))
        {
            for line in listing.lines() {
                let columns: Vec<&str> = line.split_whitespace().collect();
                if let [version, name, cluster_port, ..] = columns[..] {
                    if cluster_port == port.to_string() {
                        return Ok(Cluster {
                            version: version.to_string(),
                            name: name.to_string(),
                        });
                    }
                }
            }
        }
        let version = newest_version(Path::new("/etc/postgresql"))
            .or_else(|| newest_version(Path::new("/usr/lib/postgresql")))
            .context(
                "no PostgreSQL server is installed (nothing in /etc/postgresql or \
                 /usr/lib/postgresql); install the postgresql package",
            )?;
        Ok(Cluster {
            version,
            name: "main".to_string(),
        })
    }

    fn config_dir(&self) -> PathBuf {
        Path::new("/etc/postgresql")
            .join(&self.version)
            .join(&self.name)
    }
}

/// The highest numeric version directory in `dir` ("15", "16", "9.6").
fn newest_version(dir: &Path) -> Option<String> {
    let mut versions: Vec<(Vec<u32>, String)> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key: Option<Vec<u32>> = name.split('.').map(|part| part.parse().ok()).collect();
            key.map(|key| (key, name))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, name)| name)
}

/// Redis on 127.0.0.1:6379, without persistence.
pub fn ensure_redis() -> Result<()> {
    step(format!("Redis on 127.0.0.1:{REDIS_PORT}"));
    if port_open(REDIS_PORT) {
        note("already running");
        return Ok(());
    }
    for dir in ["/var/lib/redis", "/var/log/redis"] {
        if !Path::new(dir).is_dir() {
            run(&mut privileged("mkdir", ["-p", dir])?)?;
        }
    }
    run(&mut privileged(
        "redis-server",
        [
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
    )?)?;
    wait_for_port(
        "Redis (log: /var/log/redis/ci.log)",
        REDIS_PORT,
        Duration::from_secs(20),
    )
}

/// RabbitMQ on 127.0.0.1:5672. It takes a while to boot.
pub fn ensure_rabbitmq() -> Result<()> {
    step(format!("RabbitMQ on 127.0.0.1:{RABBITMQ_PORT}"));
    if port_open(RABBITMQ_PORT) {
        note("already running");
        return Ok(());
    }
    run(&mut privileged("rabbitmq-server", ["-detached"])?)?;
    wait_for_port(
        "RabbitMQ (logs: /var/log/rabbitmq)",
        RABBITMQ_PORT,
        Duration::from_secs(60),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_compares_numerically() {
        let dir = std::env::temp_dir().join(format!("xtask-pg-versions-{}", std::process::id()));
        for version in ["9.6", "15", "13", "README"] {
            fs::create_dir_all(dir.join(version)).unwrap();
        }
        assert_eq!(newest_version(&dir).as_deref(), Some("15"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
