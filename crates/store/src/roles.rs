//! Roles and the permissions each grants (seeded by the first migration).

use sqlx::{Any, Executor, Row};

use crate::StoreError;

/// A role as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Unique role name, e.g. `admin`.
    pub name: String,
    /// What the role is for.
    pub description: String,
    /// Permission names granted by the role, sorted.
    pub permissions: Vec<String>,
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
        "SELECT r.name, r.description, p.permission FROM roles r \
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
