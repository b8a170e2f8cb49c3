//! The administration commands of `flowdesk`: `audit verify`, `role list |
//! create | grant | require-mfa`, and `user list | revoke-sessions`. They
//! work on the database of `--db`; every change is audited with the actor
//! `cli`.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use flowdesk_identity::{Identity, Permission};
use flowdesk_store::audit;

use crate::config::{FileConfig, Settings};
use crate::{now_ms, open, DbArgs};

/// The actor recorded in the audit log for CLI changes.
const CLI_ACTOR: &str = "cli";

/// Top-level administration commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage roles and their permissions.
    Role {
        #[command(subcommand)]
        command: RoleCommand,
    },
}

/// `flowdesk audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Prove the audit hash chain whole, or name the first broken entry
    /// (exit status 1).
    Verify(DbArgs),
}

/// `flowdesk role …`
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List roles with their permissions.
    List(DbArgs),
    /// Create a role without permissions.
    Create {
        /// Name: a-z, 0-9, '-' and '_'.
        name: String,
        /// What the role is for.
        #[arg(long, default_value = "")]
        description: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Grant a permission (e.g. `definition:read`) to a role.
    Grant {
        /// The role.
        role: String,
        /// The permission.
        permission: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Require (or stop requiring) a second factor of a role's users.
    RequireMfa {
        /// The role.
        role: String,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Additions to `flowdesk user …`.
#[derive(Debug, Subcommand)]
pub enum UserAdminCommand {
    /// List users with their roles.
    List(DbArgs),
    /// End every session of a user.
    RevokeSessions(UserNameArgs),
}

/// A user by login name.
#[derive(Debug, Args)]
pub struct UserNameArgs {
    /// Login name.
    name: String,
    #[command(flatten)]
    db: DbArgs,
}

async fn identity(db: Option<String>, file: &FileConfig) -> anyhow::Result<Identity> {
    let settings = Settings::resolve(db, None, None, file)?;
    Ok(Identity::new(open(&settings.db).await?))
}

/// Runs an administration command.
pub async fn run(command: AdminCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        AdminCommand::Audit {
            command: AuditCommand::Verify(args),
        } => {
            let identity = identity(args.db, file).await?;
            let verified = audit::verify(identity.store())
                .await
                .context("cannot read the audit log")?;
            identity.store().close().await;
            match verified {
                Ok(entries) => {
                    println!("audit chain intact: {entries} entries");
                    Ok(())
                }
                Err(broken) => bail!("audit chain broken: {broken}"),
            }
        }
        AdminCommand::Role { command } => run_role(command, file).await,
    }
}

async fn run_role(command: RoleCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        RoleCommand::List(args) => {
            let identity = identity(args.db, file).await?;
            for role in identity.list_roles().await? {
                let mfa = if role.require_mfa {
                    "\tmfa required"
                } else {
                    ""
                };
                println!("{}\t{}{mfa}", role.name, role.permissions.join(" "));
            }
            identity.store().close().await;
        }
        RoleCommand::Create {
            name,
            description,
            db,
        } => {
            let identity = identity(db.db, file).await?;
            identity
                .create_role(CLI_ACTOR, &name, &description, now_ms())
                .await
                .with_context(|| format!("cannot create role {name}"))?;
            identity.store().close().await;
            println!("{name}");
        }
        RoleCommand::Grant {
            role,
            permission,
            db,
        } => {
            let permission: Permission = permission.parse().with_context(|| {
                let known: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
                format!("expected one of {}", known.join(", "))
            })?;
            let identity = identity(db.db, file).await?;
            let granted = identity
                .grant(CLI_ACTOR, &role, permission, now_ms())
                .await
                .with_context(|| format!("cannot grant {permission} to {role}"))?;
            identity.store().close().await;
            if granted {
                println!("granted {permission} to {role}");
            } else {
                println!("{role} already holds {permission}");
            }
        }
        RoleCommand::RequireMfa { role, state, db } => {
            let identity = identity(db.db, file).await?;
            identity
                .set_role_requires_mfa(CLI_ACTOR, &role, state == "on", now_ms())
                .await
                .with_context(|| format!("cannot change role {role}"))?;
            identity.store().close().await;
        }
    }
    Ok(())
}

/// Runs an addition to `flowdesk user …`.
pub async fn run_user(command: UserAdminCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        UserAdminCommand::List(args) => {
            let identity = identity(args.db, file).await?;
            for user in identity.list_users().await? {
                let disabled = if user.disabled { "\tdisabled" } else { "" };
                println!("{}\t{}\t{}{disabled}", user.id, user.username, user.role);
            }
            identity.store().close().await;
        }
        UserAdminCommand::RevokeSessions(args) => {
            let identity = identity(args.db.db, file).await?;
            let user = identity
                .list_users()
                .await?
                .into_iter()
                .find(|u| u.username == args.name)
                .with_context(|| format!("no user {}", args.name))?;
            let ended = identity
                .revoke_user_sessions(CLI_ACTOR, &user.id, now_ms())
                .await?;
            identity.store().close().await;
            println!("ended {ended} sessions of {}", args.name);
        }
    }
    Ok(())
}
