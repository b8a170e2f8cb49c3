//! `cargo xtask serve`: `flowdesk serve` with the freshly built UI.

use std::process::Command;

use anyhow::Result;
use clap::Args;

use crate::apt::{self, Group};
use crate::services;
use crate::toolchain::{self, build_binary, Profile};
use crate::util::{exit_code, status, step};
use crate::Workspace;

#[derive(Args)]
pub struct ServeArgs {
    /// Database URL [default: sqlite in target/flowdesk-serve.db].
    #[arg(long, value_name = "URL", conflicts_with = "postgres")]
    db: Option<String>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Seed the demo workspace.
    #[arg(long)]
    demo: bool,
    /// Use the local PostgreSQL (started if down), database `flowdesk`.
    #[arg(long)]
    postgres: bool,
}

/// Runs the server and returns its exit code.
pub fn serve(workspace: &Workspace, args: ServeArgs) -> Result<i32> {
    toolchain::ensure_node()?;
    toolchain::ensure_npm_dependencies(workspace)?;
    toolchain::build_ui(workspace)?;

    let database = if args.postgres {
        apt::ensure(&[Group::Services])?;
        services::ensure_postgres()?;
        services::ensure_database("flowdesk")?;
        format!("{}/flowdesk", services::POSTGRES_URL)
    } else {
        match args.db {
            Some(url) => url,
            None => {
                std::fs::create_dir_all(&workspace.target)?;
                format!(
                    "sqlite:{}",
                    workspace.target.join("flowdesk-serve.db").display()
                )
            }
        }
    };

    let binary = build_binary(workspace, "flowdesk-server", "flowdesk", Profile::Debug)?;
    step(format!(
        "serving on http://{} (database {database}; Ctrl-C to stop)",
        args.listen
    ));
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .arg("--db")
        .arg(&database)
        .arg("--listen")
        .arg(&args.listen)
        .arg("--ui-dir")
        .arg(workspace.ui().join("dist"))
        .current_dir(&workspace.root);
    if args.demo {
        command.arg("--demo");
    }
    Ok(exit_code(status(&mut command)?))
}
