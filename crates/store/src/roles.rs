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

/// A permission granted to a role on one resource (table `role_resource_grants`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceGrant {
    /// UUID v7.
    pub id: String,
    /// The role it is granted to.
    pub role: String,
    /// The permission name, e.g. `instance:start`.
    pub permission: String,
    /// `process`, `decision` or `report`.
    pub resource_type: String,
    /// The process id, decision id or report id.
    pub resource_id: String,
    /// When it was granted (ms since the epoch).
    pub created_at: i64,
}

const GRANT_COLUMNS: &str = "id, role, permission, resource_type, resource_id, created_at";

fn grant_from_row(row: &sqlx::any::AnyRow) -> Result<ResourceGrant, StoreError> {
    Ok(ResourceGrant {
        id: row.try_get("id")?,
        role: row.try_get("role")?,
        permission: row.try_get("permission")?,
        resource_type: row.try_get("resource_type")?,
        resource_id: row.try_get("resource_id")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The resource grants of `role`, ordered by resource type, resource and permission.
pub async fn grants_of<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    role: &str,
) -> Result<Vec<ResourceGrant>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {GRANT_COLUMNS} FROM role_resource_grants WHERE role = $1 \
         ORDER BY resource_type, resource_id, permission"
    ))
    .bind(role)
    .fetch_all(executor)
    .await?;
    rows.iter().map(grant_from_row).collect()
}

/// Records a resource grant; returns false (and changes nothing) when the
/// role already holds that permission on that resource.
pub async fn insert_grant(tx: &mut Tx<'_>, grant: &ResourceGrant) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO role_resource_grants \
         (id, role, permission, resource_type, resource_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (role, permission, resource_type, resource_id) DO NOTHING",
    )
    .bind(&grant.id)
    .bind(&grant.role)
    .bind(&grant.permission)
    .bind(&grant.resource_type)
    .bind(&grant.resource_id)
    .bind(grant.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes grant `id` of `role`; returns it, or `None` when there is no such grant.
pub async fn delete_grant(
    tx: &mut Tx<'_>,
    role: &str,
    id: &str,
) -> Result<Option<ResourceGrant>, StoreError> {
    let row = sqlx::query(&format!(
        "DELETE FROM role_resource_grants WHERE role = $1 AND id = $2 RETURNING {GRANT_COLUMNS}"
    ))
    .bind(role)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(grant_from_row).transpose()
}

/// Whether `role` holds `permission` on the resource.
pub async fn has_grant<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    role: &str,
    permission: &str,
    resource_type: &str,
    resource_id: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM role_resource_grants WHERE role = $1 AND permission = $2 \
         AND resource_type = $3 AND resource_id = $4",
    )
    .bind(role)
    .bind(permission)
    .bind(resource_type)
    .bind(resource_id)
    .fetch_one(executor)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}
