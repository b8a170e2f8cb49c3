//! The identity service: sign-in, sign-out, users and API tokens.
//!
//! Every state change commits together with its audit entry. Time is passed
//! in by the caller (`now`, milliseconds since the epoch).

use std::collections::BTreeSet;

use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::sessions::{self, Session};
use flowdesk_store::tokens::{self, ApiToken};
use flowdesk_store::users::{self, User};
use flowdesk_store::{roles, Millis, Store, StoreError, Tx};

use crate::password;
use crate::secret::{hash_secret, new_api_token_secret, new_session_secret, API_TOKEN_PREFIX};
use crate::session::{
    session_is_valid, token_expiry, token_is_valid, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS,
};
use crate::{Permission, Principal, Via};

/// Shortest accepted password.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Errors of the identity service.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Wrong username or password, or a disabled user (deliberately not told apart).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The session or token is unknown, expired or revoked.
    #[error("not signed in, or the session or token has expired")]
    Unauthenticated,
    /// First-run setup was already done.
    #[error("Flowdesk is already set up")]
    AlreadySetUp,
    /// The thing asked for does not exist (or is not the caller's).
    #[error("{0} not found")]
    NotFound(String),
    /// A unique name is taken.
    #[error("{0}")]
    Conflict(String),
    /// The input is not acceptable; the message says why.
    #[error("{0}")]
    InvalidInput(String),
    /// Persistence failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Unexpected failure (e.g. hashing task crashed).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The identity service over a [`Store`].
#[derive(Debug, Clone)]
pub struct Identity {
    store: Store,
}

async fn hash_password_blocking(password: &str) -> Result<String, IdentityError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(|e| IdentityError::Internal(e.to_string()))?
        .map_err(|e| IdentityError::Internal(e.to_string()))
}

async fn verify_password_blocking(
    password: &str,
    hash: Option<String>,
) -> Result<bool, IdentityError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => password::verify_password(&password, &hash),
        None => password::verify_against_dummy(&password),
    })
    .await
    .map_err(|e| IdentityError::Internal(e.to_string()))
}

/// Checks a username: 1 to 64 characters, no whitespace or control characters.
pub fn validate_username(username: &str) -> Result<(), IdentityError> {
    let len = username.chars().count();
    if len == 0 || len > 64 {
        return Err(IdentityError::InvalidInput(
            "username must be 1 to 64 characters".into(),
        ));
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(IdentityError::InvalidInput(
            "username must not contain spaces or control characters".into(),
        ));
    }
    Ok(())
}

/// Checks a new password: at least [`MIN_PASSWORD_LEN`] characters, at most 1024.
pub fn validate_password(password: &str) -> Result<(), IdentityError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(IdentityError::InvalidInput(format!(
            "password must be at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    if len > 1024 {
        return Err(IdentityError::InvalidInput(
            "password must be at most 1024 characters".into(),
        ));
    }
    Ok(())
}

async fn append_audit(
    tx: &mut Tx<'_>,
    now: Millis,
    actor: &str,
    action: &str,
    resource: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        &NewAuditEntry {
            at: now,
            actor,
            action,
            resource,
            detail,
        },
    )
    .await?;
    Ok(())
}

impl Identity {
    /// A service over `store`.
    pub fn new(store: Store) -> Identity {
        Identity { store }
    }

    /// The store this service uses.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether first-run setup is still needed (no user exists).
    pub async fn needs_setup(&self) -> Result<bool, IdentityError> {
        Ok(users::count(self.store.pool()).await? == 0)
    }

    /// Creates the first administrator and signs them in; refused once any user exists.
    pub async fn setup_first_admin(
        &self,
        username: &str,
        password: &str,
        now: Millis,
    ) -> Result<(User, String), IdentityError> {
        validate_username(username)?;
        validate_password(password)?;
        let password_hash = hash_password_blocking(password).await?;
        let mut tx = self.store.begin().await?;
        // The audit append writes the chain head first, which serialises
        // concurrent setups before the emptiness check below.
        let user = User {
            id: flowdesk_store::new_id(),
            username: username.to_string(),
            password_hash,
            role: "admin".to_string(),
            created_at: now,
            disabled: false,
        };
        append_audit(
            &mut tx,
            now,
            username,
            "setup.first_admin",
            &format!("user:{}", user.id),
            "",
        )
        .await?;
        if users::count(&mut *tx).await? > 0 {
            return Err(IdentityError::AlreadySetUp);
        }
        users::insert(&mut tx, &user).await?;
        let secret = Self::open_session(&mut tx, &user, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((user, secret))
    }

    async fn open_session(
        tx: &mut Tx<'_>,
        user: &User,
        now: Millis,
    ) -> Result<String, IdentityError> {
        let secret = new_session_secret();
        let session = Session {
            token_hash: hash_secret(&secret),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now.saturating_add(SESSION_ABSOLUTE_MS),
            last_seen_at: now,
        };
        sessions::insert(tx, &session).await?;
        append_audit(
            tx,
            now,
            &user.username,
            "auth.login",
            &format!("user:{}", user.id),
            "",
        )
        .await?;
        Ok(secret)
    }

    /// Signs a user in with a password. Each sign-in gets a new random
    /// session secret (returned once; only its hash is stored).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        now: Millis,
    ) -> Result<(User, String), IdentityError> {
        let user = users::find_by_username(self.store.pool(), username).await?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let matches = verify_password_blocking(password, hash).await?;
        let user = match user {
            Some(user) if matches && !user.disabled => user,
            _ => return Err(IdentityError::InvalidCredentials),
        };
        let mut tx = self.store.begin().await?;
        let secret = Self::open_session(&mut tx, &user, now).await?;
        // Sign-ins are rare enough to sweep dead sessions here instead of in a timer.
        sessions::delete_expired(&mut tx, now, now.saturating_sub(SESSION_IDLE_MS)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((user, secret))
    }

    async fn principal_for(&self, user_id: &str, via: Via) -> Result<Principal, IdentityError> {
        let user = users::find_by_id(self.store.pool(), user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(IdentityError::Unauthenticated)?;
        let permissions = roles::permissions_of(self.store.pool(), &user.role)
            .await?
            .into_iter()
            .filter_map(|name| match name.parse::<Permission>() {
                Ok(permission) => Some(permission),
                Err(error) => {
                    tracing::warn!(role = %user.role, %error, "ignoring unknown permission");
                    None
                }
            })
            .collect::<BTreeSet<_>>();
        Ok(Principal {
            user_id: user.id,
            username: user.username,
            role: user.role,
            permissions,
            via,
        })
    }

    /// Resolves a session secret to its principal and records the activity.
    pub async fn authenticate_session(
        &self,
        secret: &str,
        now: Millis,
    ) -> Result<Principal, IdentityError> {
        let token_hash = hash_secret(secret);
        let session = sessions::find(self.store.pool(), &token_hash)
            .await?
            .filter(|s| session_is_valid(s, now))
            .ok_or(IdentityError::Unauthenticated)?;
        sessions::touch(self.store.pool(), &token_hash, now).await?;
        self.principal_for(&session.user_id, Via::Session { token_hash })
            .await
    }

    /// Resolves an API token secret (`fd_…`) to its principal and records the use.
    pub async fn authenticate_token(
        &self,
        secret: &str,
        now: Millis,
    ) -> Result<Principal, IdentityError> {
        if !secret.starts_with(API_TOKEN_PREFIX) {
            return Err(IdentityError::Unauthenticated);
        }
        let token = tokens::find_by_hash(self.store.pool(), &hash_secret(secret))
            .await?
            .filter(|t| token_is_valid(t, now))
            .ok_or(IdentityError::Unauthenticated)?;
        tokens::touch(self.store.pool(), &token.id, now).await?;
        self.principal_for(&token.user_id, Via::ApiToken { token_id: token.id })
            .await
    }

    /// Ends the principal's session (no-op for API tokens, which are revoked instead).
    pub async fn logout(&self, principal: &Principal, now: Millis) -> Result<(), IdentityError> {
        let Via::Session { token_hash } = &principal.via else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        sessions::delete(&mut tx, token_hash).await?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "auth.logout",
            &format!("user:{}", principal.user_id),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// All users, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, IdentityError> {
        Ok(users::list(self.store.pool()).await?)
    }

    /// Finds a user by id.
    pub async fn user(&self, id: &str) -> Result<User, IdentityError> {
        users::find_by_id(self.store.pool(), id)
            .await?
            .ok_or_else(|| IdentityError::NotFound(format!("user {id}")))
    }

    /// Creates a user with a role; `actor` is recorded in the audit log.
    pub async fn create_user(
        &self,
        actor: &str,
        username: &str,
        password: &str,
        role: &str,
        now: Millis,
    ) -> Result<User, IdentityError> {
        validate_username(username)?;
        validate_password(password)?;
        if !roles::exists(self.store.pool(), role).await? {
            return Err(IdentityError::InvalidInput(format!(
                "unknown role {role:?} (expected admin, designer, operator, analyst or viewer)"
            )));
        }
        let password_hash = hash_password_blocking(password).await?;
        let user = User {
            id: flowdesk_store::new_id(),
            username: username.to_string(),
            password_hash,
            role: role.to_string(),
            created_at: now,
            disabled: false,
        };
        let mut tx = self.store.begin().await?;
        users::insert(&mut tx, &user).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                IdentityError::Conflict(format!("username {username:?} is taken"))
            }
            other => other.into(),
        })?;
        append_audit(
            &mut tx,
            now,
            actor,
            "user.create",
            &format!("user:{}", user.id),
            &format!("username={username} role={role}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(user)
    }

    /// Creates an API token for the principal; returns it with its secret (shown once).
    pub async fn create_token(
        &self,
        principal: &Principal,
        name: &str,
        expires_in_days: Option<u32>,
        now: Millis,
    ) -> Result<(ApiToken, String), IdentityError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(IdentityError::InvalidInput(
                "token name must be 1 to 100 characters".into(),
            ));
        }
        if expires_in_days == Some(0) {
            return Err(IdentityError::InvalidInput(
                "expires_in_days must be at least 1".into(),
            ));
        }
        let secret = new_api_token_secret();
        let token = ApiToken {
            id: flowdesk_store::new_id(),
            user_id: principal.user_id.clone(),
            name: name.to_string(),
            token_hash: hash_secret(&secret),
            created_at: now,
            expires_at: token_expiry(now, expires_in_days),
            last_used_at: None,
        };
        let mut tx = self.store.begin().await?;
        tokens::insert(&mut tx, &token).await?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "token.create",
            &format!("token:{}", token.id),
            &format!("name={name}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((token, secret))
    }

    /// The principal's own API tokens, newest first.
    pub async fn list_tokens(&self, principal: &Principal) -> Result<Vec<ApiToken>, IdentityError> {
        Ok(tokens::list_for_user(self.store.pool(), &principal.user_id).await?)
    }

    /// Revokes one of the principal's own API tokens.
    pub async fn revoke_token(
        &self,
        principal: &Principal,
        id: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut tx = self.store.begin().await?;
        if !tokens::delete_for_user(&mut tx, &principal.user_id, id).await? {
            return Err(IdentityError::NotFound(format!("token {id}")));
        }
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "token.revoke",
            &format!("token:{id}"),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Records a denied request in the audit log.
    pub async fn record_denial(
        &self,
        actor: &str,
        permission: Option<Permission>,
        resource: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let detail = match permission {
            Some(permission) => format!("missing permission {permission}"),
            None => "route not in the access table".to_string(),
        };
        let mut tx = self.store.begin().await?;
        append_audit(&mut tx, now, actor, "access.denied", resource, &detail).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
