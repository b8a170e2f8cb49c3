//! Role-based access control: the permissions of a role, and the
//! permissions a role holds on single resources ([`ResourceType`]). Nothing
//! is allowed that neither grants (deny by default).

use std::fmt;
use std::str::FromStr;

use flowdesk_store::roles::{self, ResourceGrant};
use flowdesk_store::{tokens, Millis, StoreError};

use crate::service::append_audit;
use crate::{Identity, IdentityError, Permission, Principal, Via};

/// The principal lacks a permission.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{username} (role {role}) lacks permission {permission}")]
pub struct Denied {
    /// Who was denied.
    pub username: String,
    /// Their role.
    pub role: String,
    /// What they lacked.
    pub permission: Permission,
}

/// Allows the action when the principal's role grants `permission`.
pub fn check(principal: &Principal, permission: Permission) -> Result<(), Denied> {
    if principal.has(permission) {
        Ok(())
    } else {
        Err(Denied {
            username: principal.username.clone(),
            role: principal.role.clone(),
            permission,
        })
    }
}

/// A kind of resource a permission can be granted on by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    /// A process, by its BPMN process id (every version): starting,
    /// reading and changing its instances.
    Process,
    /// A decision, by its decision id: evaluating it.
    Decision,
    /// A report, by its id: reading and running it.
    Report,
}

/// A resource type name that Flowdesk does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown resource type {0:?} (expected process, decision or report)")]
pub struct UnknownResourceType(pub String);

impl ResourceType {
    /// Every resource type.
    pub const ALL: [ResourceType; 3] = [
        ResourceType::Process,
        ResourceType::Decision,
        ResourceType::Report,
    ];

    /// The wire and database name, e.g. `process`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Process => "process",
            ResourceType::Decision => "decision",
            ResourceType::Report => "report",
        }
    }

    /// The permissions that may be granted on one resource of this type:
    /// those its routes require.
    pub fn grantable(self) -> &'static [Permission] {
        match self {
            ResourceType::Process => &[Permission::InstanceRead, Permission::InstanceStart],
            ResourceType::Decision => &[Permission::InstanceStart],
            ResourceType::Report => &[Permission::ReportRead, Permission::ReportManage],
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceType {
    type Err = UnknownResourceType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownResourceType(s.to_string()))
    }
}

/// Longest accepted resource id.
const MAX_RESOURCE_ID_LEN: usize = 200;

impl Identity {
    /// The resource grants of `role`; [`IdentityError::NotFound`] when there
    /// is no such role.
    pub async fn list_grants(&self, role: &str) -> Result<Vec<ResourceGrant>, IdentityError> {
        if !roles::exists(self.store().pool(), role).await? {
            return Err(IdentityError::NotFound(format!("role {role}")));
        }
        Ok(roles::grants_of(self.store().pool(), role).await?)
    }

    /// Grants `permission` on one resource to `role` and audits it
    /// (`role.grant`). Refuses a permission that cannot be granted on that
    /// resource type, an empty or overlong resource id, an unknown role, and
    /// a grant the role already holds ([`IdentityError::Conflict`]).
    pub async fn grant_on_resource(
        &self,
        actor: &str,
        role: &str,
        permission: Permission,
        resource_type: ResourceType,
        resource_id: &str,
        now: Millis,
    ) -> Result<ResourceGrant, IdentityError> {
        if !resource_type.grantable().contains(&permission) {
            let grantable: Vec<&str> = resource_type
                .grantable()
                .iter()
                .map(|p| p.as_str())
                .collect();
            return Err(IdentityError::InvalidInput(format!(
                "permission {permission} cannot be granted on a {resource_type}; \
                 on a {resource_type}: {}",
                grantable.join(", ")
            )));
        }
        let resource_id = resource_id.trim();
        if resource_id.is_empty() || resource_id.chars().count() > MAX_RESOURCE_ID_LEN {
            return Err(IdentityError::InvalidInput(format!(
                "resource_id must be 1 to {MAX_RESOURCE_ID_LEN} characters"
            )));
        }
        if resource_id.chars().any(char::is_control) {
            return Err(IdentityError::InvalidInput(
                "resource_id must not hold control characters".into(),
            ));
        }
        let mut tx = self.store().begin().await?;
        if !roles::exists(&mut *tx, role).await? {
            return Err(IdentityError::NotFound(format!("role {role}")));
        }
        let grant = ResourceGrant {
            id: flowdesk_store::new_id(),
            role: role.to_string(),
            permission: permission.as_str().to_string(),
            resource_type: resource_type.as_str().to_string(),
            resource_id: resource_id.to_string(),
            created_at: now,
        };
        if !roles::insert_grant(&mut tx, &grant).await? {
            return Err(IdentityError::Conflict(format!(
                "role {role} already holds {permission} on {resource_type} {resource_id}"
            )));
        }
        append_audit(
            &mut tx,
            now,
            actor,
            "role.grant",
            &format!("role:{role}"),
            &format!("{permission} on {resource_type}:{resource_id}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(grant)
    }

    /// Takes grant `id` away from `role` and audits it (`role.revoke_grant`).
    pub async fn revoke_grant(
        &self,
        actor: &str,
        role: &str,
        id: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut tx = self.store().begin().await?;
        let grant = roles::delete_grant(&mut tx, role, id)
            .await?
            .ok_or_else(|| IdentityError::NotFound(format!("grant {id} of role {role}")))?;
        append_audit(
            &mut tx,
            now,
            actor,
            "role.revoke_grant",
            &format!("role:{role}"),
            &format!(
                "{} on {}:{}",
                grant.permission, grant.resource_type, grant.resource_id
            ),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Whether the principal's role holds `permission` on one resource. An
    /// API token limited to scopes that leave the permission out gets no
    /// more through a resource grant than it would get otherwise.
    pub async fn allows_on_resource(
        &self,
        principal: &Principal,
        permission: Permission,
        resource_type: ResourceType,
        resource_id: &str,
    ) -> Result<bool, IdentityError> {
        if let Via::ApiToken { token_id } = &principal.via {
            let scoped_out = tokens::list_for_user(self.store().pool(), &principal.user_id)
                .await?
                .into_iter()
                .find(|token| &token.id == token_id)
                .and_then(|token| token.scopes)
                .is_some_and(|scopes| !scopes.split_whitespace().any(|s| s == permission.as_str()));
            if scoped_out {
                return Ok(false);
            }
        }
        Ok(roles::has_grant(
            self.store().pool(),
            &principal.role,
            permission.as_str(),
            resource_type.as_str(),
            resource_id,
        )
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::Via;

    fn principal(permissions: &[Permission]) -> Principal {
        Principal {
            user_id: "u1".into(),
            username: "ann".into(),
            role: "viewer".into(),
            permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
            via: Via::ApiToken {
                token_id: "t1".into(),
            },
            must_enrol_mfa: false,
        }
    }

    #[test]
    fn grants_only_held_permissions() {
        let viewer = principal(&[Permission::DefinitionRead, Permission::InstanceRead]);
        assert!(check(&viewer, Permission::DefinitionRead).is_ok());
        let denied = check(&viewer, Permission::DefinitionDeploy).expect_err("must be denied");
        assert_eq!(denied.permission, Permission::DefinitionDeploy);
        assert_eq!(
            denied.to_string(),
            "ann (role viewer) lacks permission definition:deploy"
        );
    }

    #[test]
    fn resource_types_round_trip_and_grant_only_their_routes_permissions() {
        for resource_type in ResourceType::ALL {
            assert_eq!(resource_type.as_str().parse(), Ok(resource_type));
            assert!(!resource_type.grantable().is_empty());
        }
        assert!("tenant".parse::<ResourceType>().is_err());
        assert!(!ResourceType::Decision
            .grantable()
            .contains(&Permission::UserManage));
        assert!(ResourceType::Process
            .grantable()
            .contains(&Permission::InstanceStart));
    }

    #[test]
    fn nobody_without_permissions_passes() {
        let nobody = principal(&[]);
        for permission in Permission::ALL {
            assert!(check(&nobody, permission).is_err());
        }
    }
}
