//! Roles and the permissions each grants (seeded by the first migration).

use sqlx::{Any, Executor, Row};

use crate::{StoreError, Tx};

/// A role as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Unique role name, e.g. `admin`.
    pub name: String,
    /// What the role is for.
    pub description: String,
    /// Permission names granted by the role, sorted.
    pub permissions: Vec<String>,
    /// Whether its users must sign in with a second factor.
    pub require_mfa: bool,
}

/// The permission names granted to `role`, sorted. Empty when the role does not exist.
pub async fn permissions_of<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    role: &str,
) -> Result<Vec<String>, StoreError> {
    let rows =
        sqlx::query("SELECT permission FROM role_permissions WHERE role = $1 ORDER BY permission")
            .bind(role)
            .fetch_all(executor)
            .await?;
    rows.iter()
        .map(|row| {
            row.try_get::<String, _>("permission")
                .map_err(StoreError::from)
        })
        .collect()
}

/// All roles with their permissions, ordered by name.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    executor: E,
) -> Result<Vec<Role>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.name, r.description, r.require_mfa, p.permission FROM roles r \
         LEFT JOIN role_permissions p ON p.role = r.name ORDER BY r.name, p.permission",
    )
    .fetch_all(executor)
    .await?;
    let mut roles: Vec<Role> = Vec::new();
    for row in rows {
        let name: String = row.try_get("name")?;
        let permission: Option<String> = row.try_get("permission")?;
        if roles.last().map(|r| r.name != name).unwrap_or(true) {
            roles.push(Role {
                name: name.clone(),
                description: row.try_get("description")?,
                permissions: Vec::new(),
                require_mfa: row.try_get::<i64, _>("require_mfa")? != 0,
            });
        }
        if let (Some(permission), Some(role)) = (permission, roles.last_mut()) {
            role.permissions.push(permission);
        }
    }
    Ok(roles)
}

/// Whether a role with this name exists.
pub async fn exists<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    role: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM roles WHERE name = $1")
        .bind(role)
        .fetch_one(executor)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Whether users of `role` must sign in with a second factor.
pub async fn requires_mfa<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    role: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT require_mfa FROM roles WHERE name = $1")
        .bind(role)
        .fetch_optional(executor)
        .await?;
    match row {
        Some(row) => Ok(row.try_get::<i64, _>("require_mfa")? != 0),
        None => Ok(false),
    }
}

/// Sets whether users of `role` must sign in with a second factor; returns
/// whether the role exists.
pub async fn set_requires_mfa(
    tx: &mut Tx<'_>,
    role: &str,
    required: bool,
) -> Result<bool, StoreError> {
    let result = sqlx::query("UPDATE roles SET require_mfa = $1 WHERE name = $2")
        .bind(i64::from(required))
        .bind(role)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Creates a role without permissions. A taken name gives [`StoreError::Conflict`].
pub async fn insert(tx: &mut Tx<'_>, name: &str, description: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO roles (name, description) VALUES ($1, $2)")
        .bind(name)
        .bind(description)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Grants `permission` to `role`; returns false when the role already held it.
pub async fn grant(tx: &mut Tx<'_>, role: &str, permission: &str) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO role_permissions (role, permission) VALUES ($1, $2) \
         ON CONFLICT (role, permission) DO NOTHING",
    )
    .bind(role)
    .bind(permission)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Takes `permission` away from `role`; returns whether the role held it.
pub async fn revoke(tx: &mut Tx<'_>, role: &str, permission: &str) -> Result<bool, StoreError> {
    let result = sqlx::query("DELETE FROM role_permissions WHERE role = $1 AND permission = $2")
        .bind(role)
        .bind(permission)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() > 0)
}
