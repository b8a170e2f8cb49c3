//! The identity service: sign-in, sign-out, users and API tokens.
//!
//! Every state change commits together with its audit entry. Time is passed
//! in by the caller (`now`, milliseconds since the epoch).

use std::collections::BTreeSet;

use flowdesk_store::audit::{self, NewAuditEntry};
use flowdesk_store::sessions::{self, Session};
use flowdesk_store::tokens::{self, ApiToken};
use flowdesk_store::users::{self, User};
use flowdesk_store::{passkeys, roles, Millis, Store, StoreError, Tx};

use crate::passkey::RelyingParty;
use crate::secret::{hash_secret, new_api_token_secret, new_session_secret, API_TOKEN_PREFIX};
use crate::session::{
    session_is_valid, token_expiry, token_is_valid, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS,
};
use crate::{keys, mfa, password, policy, throttle};
use crate::{Permission, Principal, Via};

/// Errors of the identity service.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Wrong username or password, or a disabled user (deliberately not told apart).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Too many failed sign-ins for this account or client address.
    #[error("too many failed sign-ins; try again in {} seconds", (retry_after_ms + 999) / 1000)]
    TooManyAttempts {
        /// How long until the next attempt is accepted.
        retry_after_ms: Millis,
    },
    /// A wrong, expired or already used TOTP or recovery code.
    #[error("the code is wrong, expired or already used")]
    InvalidCode,
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
    /// A passkey ceremony failed: an unknown, expired or used challenge, a
    /// credential that is not registered, or a signature that does not verify.
    #[error("passkey refused: {0}")]
    PasskeyRefused(String),
    /// This server has no WebAuthn relying party (no public URL configured).
    #[error("passkeys are not available on this server: it has no public URL (set public_url)")]
    PasskeysUnavailable,
    /// The operation needs a browser session; an API token may not do it.
    #[error("{0} needs a signed-in session, not an API token")]
    SessionRequired(&'static str),
    /// Unexpected failure (e.g. hashing task crashed).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The identity service over a [`Store`].
#[derive(Debug, Clone)]
pub struct Identity {
    store: Store,
    passkeys: Option<RelyingParty>,
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

/// Checks a new password of `username` against the [`policy`](crate::policy).
pub fn validate_password(password: &str, username: &str) -> Result<(), IdentityError> {
    policy::check(password, username)
        .map_err(|violation| IdentityError::InvalidInput(violation.to_string()))
}

pub(crate) async fn append_audit(
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

/// A successful password (or second-factor) step of sign-in.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The user signing in.
    pub user: User,
    /// The new session's secret (returned once; only its hash is stored).
    pub secret: String,
    /// True when this is a pending session: the password was right, and the
    /// TOTP code or a recovery code must follow ([`Identity::complete_mfa`]),
    /// or a passkey ([`Identity::finish_passkey_second_factor`]).
    pub mfa_pending: bool,
    /// For a pending session, the second factors the user has: `totp`
    /// and/or `passkey`. Empty otherwise.
    pub second_factors: Vec<&'static str>,
}

/// A started TOTP enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The shared secret, base32.
    pub secret: String,
    /// The `otpauth://totp/…` URI authenticator apps import.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG `data:` URI.
    pub qr_code: String,
}

/// A pending session may finish the second factor within this time (5 min).
pub const MFA_PENDING_MS: Millis = 5 * 60 * 1000;

impl Identity {
    /// A service over `store`.
    pub fn new(store: Store) -> Identity {
        Identity {
            store,
            passkeys: None,
        }
    }

    /// The same service with passkeys bound to `relying_party` (without
    /// one, every passkey operation is [`IdentityError::PasskeysUnavailable`]).
    pub fn with_passkeys(mut self, relying_party: RelyingParty) -> Identity {
        self.passkeys = Some(relying_party);
        self
    }

    /// The relying party passkeys are bound to, if any.
    pub fn passkey_relying_party(&self) -> Option<&RelyingParty> {
        self.passkeys.as_ref()
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
        validate_password(password, username)?;
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
        let secret = Self::open_session(&mut tx, &user, sessions::STAGE_FULL, "", now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((user, secret))
    }

    pub(crate) async fn open_session(
        tx: &mut Tx<'_>,
        user: &User,
        stage: &str,
        client: &str,
        now: Millis,
    ) -> Result<String, IdentityError> {
        let secret = new_session_secret();
        let expires_at = if stage == sessions::STAGE_FULL {
            now.saturating_add(SESSION_ABSOLUTE_MS)
        } else {
            now.saturating_add(MFA_PENDING_MS)
        };
        let session = Session {
            id: flowdesk_store::new_id(),
            token_hash: hash_secret(&secret),
            user_id: user.id.clone(),
            created_at: now,
            expires_at,
            last_seen_at: now,
            stage: stage.to_string(),
            client: client.chars().take(200).collect(),
        };
        sessions::insert(tx, &session).await?;
        let action = if stage == sessions::STAGE_FULL {
            "auth.login"
        } else {
            "auth.password_ok"
        };
        append_audit(
            tx,
            now,
            &user.username,
            action,
            &format!("user:{}", user.id),
            &from_where(client),
        )
        .await?;
        Ok(secret)
    }

    /// The second factors user `user_id` has: `totp` once confirmed,
    /// `passkey` with at least one passkey.
    async fn second_factors(&self, user_id: &str) -> Result<Vec<&'static str>, IdentityError> {
        let mut factors = Vec::new();
        let totp = users::totp(self.store.pool(), user_id).await?;
        if totp.is_some_and(|t| t.confirmed_at.is_some()) {
            factors.push("totp");
        }
        if passkeys::user_has_any(self.store.pool(), user_id).await? {
            factors.push("passkey");
        }
        Ok(factors)
    }

    /// Refuses with [`IdentityError::TooManyAttempts`] while any of `keys` is locked.
    pub(crate) async fn check_throttle(
        &self,
        keys: &[String],
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut wait = None;
        for key in keys {
            let record = users::throttle(self.store.pool(), key).await?;
            if let Some(left) = throttle::locked_for(record.as_ref(), now) {
                wait = Some(wait.map_or(left, |w: Millis| w.max(left)));
            }
        }
        match wait {
            Some(retry_after_ms) => Err(IdentityError::TooManyAttempts { retry_after_ms }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt under each key and audits it.
    pub(crate) async fn record_failure(
        &self,
        username: &str,
        address: Option<&str>,
        action: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut keys = vec![(
            throttle::account_key(username),
            throttle::ACCOUNT_MAX_FAILURES,
        )];
        if let Some(address) = address {
            keys.push((
                throttle::address_key(address),
                throttle::ADDRESS_MAX_FAILURES,
            ));
        }
        let actor: String = username.chars().take(64).collect();
        let resource = format!("user:{actor}");
        let detail = from_where(address.unwrap_or(""));
        let mut tx = self.store.begin().await?;
        // The audit append writes first, so on SQLite the transaction holds
        // the write lock before it reads the throttle records.
        append_audit(&mut tx, now, &actor, action, &resource, &detail).await?;
        for (key, max) in &keys {
            let record = users::throttle(&mut *tx, key).await?;
            let next = throttle::after_failure(record.as_ref(), now, *max);
            users::set_throttle(&mut tx, key, &next).await?;
            if next.locked_until > now && throttle::locked_for(record.as_ref(), now).is_none() {
                let until = format!("{key} locked for {} s", (next.locked_until - now) / 1000);
                append_audit(&mut tx, now, &actor, "auth.locked", &resource, &until).await?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Signs a user in with a password. Each sign-in gets a new random
    /// session secret (returned once; only its hash is stored), and the
    /// session the client held before, if any (`previous_secret`), ends:
    /// the session id is rotated at every sign-in.
    ///
    /// Wrong password, unknown or disabled user give the same
    /// [`IdentityError::InvalidCredentials`] after the same work (an unknown
    /// user is checked against a dummy hash). Repeated failures lock the
    /// account and the client address with back-off
    /// ([`IdentityError::TooManyAttempts`]), for unknown usernames too. A user
    /// with a confirmed TOTP gets a pending session ([`SignIn::mfa_pending`]).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<&str>,
        previous_secret: Option<&str>,
        now: Millis,
    ) -> Result<SignIn, IdentityError> {
        let mut keys = vec![throttle::account_key(username)];
        if let Some(address) = address {
            keys.push(throttle::address_key(address));
        }
        self.check_throttle(&keys, now).await?;
        let user = users::find_by_username(self.store.pool(), username).await?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let matches = verify_password_blocking(password, hash).await?;
        let user = match user {
            Some(user) if matches && !user.disabled => user,
            _ => {
                self.record_failure(username, address, "auth.login_failed", now)
                    .await?;
                return Err(IdentityError::InvalidCredentials);
            }
        };
        let second_factors = self.second_factors(&user.id).await?;
        let mfa_pending = !second_factors.is_empty();
        let stage = if mfa_pending {
            sessions::STAGE_MFA
        } else {
            sessions::STAGE_FULL
        };
        let mut tx = self.store.begin().await?;
        if let Some(previous) = previous_secret {
            sessions::delete(&mut tx, &hash_secret(previous)).await?;
        }
        if !mfa_pending {
            users::clear_throttle(&mut tx, &throttle::account_key(username)).await?;
        }
        let secret = Self::open_session(&mut tx, &user, stage, address.unwrap_or(""), now).await?;
        // Sign-ins are rare enough to sweep dead sessions here instead of in a timer.
        sessions::delete_expired(&mut tx, now, now.saturating_sub(SESSION_IDLE_MS)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SignIn {
            user,
            secret,
            mfa_pending,
            second_factors,
        })
    }

    /// Finishes a two-step sign-in: the pending session `pending_secret`
    /// plus a TOTP code (each accepted once) or an unused recovery code. On
    /// success the pending session ends and a new full session begins.
    pub async fn complete_mfa(
        &self,
        pending_secret: &str,
        code: &str,
        address: Option<&str>,
        now: Millis,
    ) -> Result<SignIn, IdentityError> {
        let pending = sessions::find(self.store.pool(), &hash_secret(pending_secret))
            .await?
            .filter(|s| s.stage == sessions::STAGE_MFA && now < s.expires_at)
            .ok_or(IdentityError::Unauthenticated)?;
        let user = users::find_by_id(self.store.pool(), &pending.user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(IdentityError::Unauthenticated)?;
        let mut keys = vec![throttle::account_key(&user.username)];
        if let Some(address) = address {
            keys.push(throttle::address_key(address));
        }
        self.check_throttle(&keys, now).await?;
        let credential = users::totp(self.store.pool(), &user.id)
            .await?
            .filter(|t| t.confirmed_at.is_some())
            .ok_or(IdentityError::Unauthenticated)?;
        let totp_secret = if mfa::looks_like_recovery_code(code) {
            None
        } else {
            Some(keys::totp_secret(&self.store, &credential).await?)
        };
        let mut tx = self.store.begin().await?;
        let accepted = if mfa::looks_like_recovery_code(code) {
            users::use_recovery_code(&mut tx, &user.id, &mfa::hash_recovery_code(code), now).await?
        } else {
            let secret = totp_secret.as_deref().map_or("", String::as_str);
            let totp = mfa::totp(secret, &user.username)
                .map_err(|e| IdentityError::Internal(e.to_string()))?;
            match mfa::matching_step(&totp, code, now) {
                Some(step) => users::accept_totp_step(&mut tx, &user.id, step, now).await?,
                None => false,
            }
        };
        if !accepted {
            tx.rollback().await.map_err(StoreError::from)?;
            self.record_failure(&user.username, address, "auth.mfa_failed", now)
                .await?;
            return Err(IdentityError::InvalidCode);
        }
        sessions::delete(&mut tx, &pending.token_hash).await?;
        users::clear_throttle(&mut tx, &throttle::account_key(&user.username)).await?;
        let secret = Self::open_session(
            &mut tx,
            &user,
            sessions::STAGE_FULL,
            address.unwrap_or(""),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SignIn {
            user,
            secret,
            mfa_pending: false,
            second_factors: Vec::new(),
        })
    }

    /// Starts (or restarts, while unconfirmed) TOTP enrolment for the principal.
    pub async fn begin_totp(
        &self,
        principal: &Principal,
        now: Millis,
    ) -> Result<TotpEnrolment, IdentityError> {
        if let Some(existing) = users::totp(self.store.pool(), &principal.user_id).await? {
            if existing.confirmed_at.is_some() {
                return Err(IdentityError::Conflict(
                    "TOTP is already enrolled for this user".into(),
                ));
            }
        }
        let secret = mfa::new_secret();
        let totp = mfa::totp(&secret, &principal.username)
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let otpauth_uri = totp.get_url();
        let qr_code = mfa::qr_svg_data_uri(&otpauth_uri)
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        users::put_totp(
            &mut tx,
            &users::TotpCredential {
                user_id: principal.user_id.clone(),
                secret: keys::seal_totp_secret(&self.store, &principal.user_id, &secret)?,
                created_at: now,
                confirmed_at: None,
                last_step: 0,
            },
        )
        .await?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "mfa.totp_begin",
            &format!("user:{}", principal.user_id),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(TotpEnrolment {
            secret,
            otpauth_uri,
            qr_code,
        })
    }

    /// Confirms a pending TOTP enrolment with a current code; returns the
    /// new recovery codes (shown once; only their hashes are stored).
    pub async fn confirm_totp(
        &self,
        principal: &Principal,
        code: &str,
        now: Millis,
    ) -> Result<Vec<String>, IdentityError> {
        let credential = users::totp(self.store.pool(), &principal.user_id)
            .await?
            .ok_or_else(|| IdentityError::NotFound("TOTP enrolment".into()))?;
        if credential.confirmed_at.is_some() {
            return Err(IdentityError::Conflict(
                "TOTP is already enrolled for this user".into(),
            ));
        }
        let totp_secret = keys::totp_secret(&self.store, &credential).await?;
        let totp = mfa::totp(&totp_secret, &principal.username)
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let step = mfa::matching_step(&totp, code, now).ok_or(IdentityError::InvalidCode)?;
        let codes = mfa::new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| mfa::hash_recovery_code(c)).collect();
        let mut tx = self.store.begin().await?;
        if !users::accept_totp_step(&mut tx, &principal.user_id, step, now).await? {
            return Err(IdentityError::InvalidCode);
        }
        users::replace_recovery_codes(&mut tx, &principal.user_id, &hashes).await?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "mfa.totp_enrol",
            &format!("user:{}", principal.user_id),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(codes)
    }

    async fn principal_for(
        &self,
        user_id: &str,
        via: Via,
        scopes: Option<&str>,
    ) -> Result<Principal, IdentityError> {
        let user = users::find_by_id(self.store.pool(), user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(IdentityError::Unauthenticated)?;
        let mut permissions = roles::permissions_of(self.store.pool(), &user.role)
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
        if let Some(scopes) = scopes {
            let scopes: BTreeSet<&str> = scopes.split_whitespace().collect();
            permissions.retain(|p| scopes.contains(p.as_str()));
        }
        let must_enrol_mfa = roles::requires_mfa(self.store.pool(), &user.role).await?
            && self.second_factors(&user.id).await?.is_empty();
        Ok(Principal {
            user_id: user.id,
            username: user.username,
            role: user.role,
            permissions,
            via,
            must_enrol_mfa,
        })
    }

    /// Resolves a session secret to its principal and records the activity.
    /// Expired, revoked and pending (second factor missing) sessions are refused.
    pub async fn authenticate_session(
        &self,
        secret: &str,
        now: Millis,
    ) -> Result<Principal, IdentityError> {
        let token_hash = hash_secret(secret);
        let session = sessions::find(self.store.pool(), &token_hash)
            .await?
            .filter(|s| s.stage == sessions::STAGE_FULL && session_is_valid(s, now))
            .ok_or(IdentityError::Unauthenticated)?;
        sessions::touch(self.store.pool(), &token_hash, now).await?;
        let via = Via::Session {
            token_hash,
            session_id: session.id,
        };
        self.principal_for(&session.user_id, via, None).await
    }

    /// Resolves an API token secret (`fd_…`) to its principal and records the
    /// use. The principal holds the permissions of the owner's role that are
    /// also in the token's scopes.
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
        let mut principal = self
            .principal_for(
                &token.user_id,
                Via::ApiToken {
                    token_id: token.id.clone(),
                },
                token.scopes.as_deref(),
            )
            .await?;
        // Tokens are for programs; the enrolment prompt is for people.
        principal.must_enrol_mfa = false;
        Ok(principal)
    }

    /// Ends the principal's session (no-op for API tokens, which are revoked instead).
    pub async fn logout(&self, principal: &Principal, now: Millis) -> Result<(), IdentityError> {
        let Via::Session { token_hash, .. } = &principal.via else {
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

    /// The principal's own sessions that are still valid at `now`, newest first.
    pub async fn list_sessions(
        &self,
        principal: &Principal,
        now: Millis,
    ) -> Result<Vec<Session>, IdentityError> {
        Ok(
            sessions::list_for_user(self.store.pool(), &principal.user_id)
                .await?
                .into_iter()
                .filter(|s| s.stage == sessions::STAGE_FULL && session_is_valid(s, now))
                .collect(),
        )
    }

    /// Ends one of the principal's own sessions by id.
    pub async fn revoke_session(
        &self,
        principal: &Principal,
        id: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut tx = self.store.begin().await?;
        if !sessions::delete_for_user(&mut tx, &principal.user_id, id).await? {
            return Err(IdentityError::NotFound(format!("session {id}")));
        }
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "session.revoke",
            &format!("session:{id}"),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Ends every session of user `user_id` (an administrator's action);
    /// returns how many ended.
    pub async fn revoke_user_sessions(
        &self,
        actor: &str,
        user_id: &str,
        now: Millis,
    ) -> Result<u64, IdentityError> {
        let mut tx = self.store.begin().await?;
        // Write first: on SQLite a read would take a shared lock that cannot
        // be upgraded while another connection writes.
        let ended = sessions::delete_all_for_user(&mut tx, user_id).await?;
        if users::find_by_id(&mut *tx, user_id).await?.is_none() {
            return Err(IdentityError::NotFound(format!("user {user_id}")));
        }
        append_audit(
            &mut tx,
            now,
            actor,
            "session.revoke_all",
            &format!("user:{user_id}"),
            &format!("sessions={ended}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(ended)
    }

    /// Changes the principal's password after checking the current one;
    /// every other session of the user ends.
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let user = self.user(&principal.user_id).await?;
        if !verify_password_blocking(current, Some(user.password_hash.clone())).await? {
            return Err(IdentityError::InvalidCredentials);
        }
        validate_password(new, &user.username)?;
        let hash = hash_password_blocking(new).await?;
        let mut tx = self.store.begin().await?;
        users::set_password_hash(&mut tx, &user.id, &hash).await?;
        let keep = match &principal.via {
            Via::Session { session_id, .. } => Some(session_id.clone()),
            Via::ApiToken { .. } => None,
        };
        for session in sessions::list_for_user(&mut *tx, &user.id).await? {
            if Some(&session.id) != keep.as_ref() {
                sessions::delete(&mut tx, &session.token_hash).await?;
            }
        }
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "user.password_change",
            &format!("user:{}", user.id),
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
        validate_password(password, username)?;
        if !roles::exists(self.store.pool(), role).await? {
            return Err(IdentityError::InvalidInput(format!(
                "unknown role {role:?} (expected admin, designer, operator, analyst, viewer or a created role)"
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

    /// Every role with its permissions and MFA requirement.
    pub async fn list_roles(&self) -> Result<Vec<roles::Role>, IdentityError> {
        Ok(roles::list(self.store.pool()).await?)
    }

    /// Creates a role without permissions.
    pub async fn create_role(
        &self,
        actor: &str,
        name: &str,
        description: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            return Err(IdentityError::InvalidInput(format!(
                "role name {name:?} must be 1 to 64 characters of a-z, 0-9, '-' and '_'"
            )));
        }
        let mut tx = self.store.begin().await?;
        roles::insert(&mut tx, name, description)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => IdentityError::Conflict(format!("role {name:?} exists")),
                other => other.into(),
            })?;
        append_audit(
            &mut tx,
            now,
            actor,
            "role.create",
            &format!("role:{name}"),
            description,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Grants `permission` to `role`; returns false when it already held it.
    pub async fn grant(
        &self,
        actor: &str,
        role: &str,
        permission: Permission,
        now: Millis,
    ) -> Result<bool, IdentityError> {
        if !roles::exists(self.store.pool(), role).await? {
            return Err(IdentityError::NotFound(format!("role {role}")));
        }
        let mut tx = self.store.begin().await?;
        let granted = roles::grant(&mut tx, role, permission.as_str()).await?;
        if granted {
            append_audit(
                &mut tx,
                now,
                actor,
                "role.grant",
                &format!("role:{role}"),
                permission.as_str(),
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(granted)
    }

    /// Sets whether users of `role` must sign in with a second factor.
    pub async fn set_role_requires_mfa(
        &self,
        actor: &str,
        role: &str,
        required: bool,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut tx = self.store.begin().await?;
        if !roles::set_requires_mfa(&mut tx, role, required).await? {
            return Err(IdentityError::NotFound(format!("role {role}")));
        }
        append_audit(
            &mut tx,
            now,
            actor,
            "role.require_mfa",
            &format!("role:{role}"),
            &format!("require_mfa={required}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Creates an API token for the principal; returns it with its secret
    /// (shown once). `scopes` limits it to some of the principal's own
    /// permissions (all of them when `None`); asking for one the principal
    /// does not hold is refused.
    pub async fn create_token(
        &self,
        principal: &Principal,
        name: &str,
        expires_in_days: Option<u32>,
        scopes: Option<&[String]>,
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
        let scopes: BTreeSet<Permission> = match scopes {
            None => principal.permissions.clone(),
            Some(names) => {
                let mut scopes = BTreeSet::new();
                for name in names {
                    let permission = name
                        .parse::<Permission>()
                        .map_err(|e| IdentityError::InvalidInput(format!("scopes: {e}")))?;
                    if !principal.has(permission) {
                        return Err(IdentityError::InvalidInput(format!(
                            "scopes: {permission} is not one of your permissions"
                        )));
                    }
                    scopes.insert(permission);
                }
                scopes
            }
        };
        let scopes = scopes
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let secret = new_api_token_secret();
        let token = ApiToken {
            id: flowdesk_store::new_id(),
            user_id: principal.user_id.clone(),
            name: name.to_string(),
            token_hash: hash_secret(&secret),
            created_at: now,
            expires_at: token_expiry(now, expires_in_days),
            last_used_at: None,
            scopes: Some(scopes.clone()),
        };
        let mut tx = self.store.begin().await?;
        tokens::insert(&mut tx, &token).await?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "token.create",
            &format!("token:{}", token.id),
            &format!("name={name} scopes={scopes}"),
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

    /// Records a denied request in the audit log: who (`actor`, or
    /// `anonymous`), what (`resource`, e.g. `GET /api/users`), why, and from
    /// which client address.
    pub async fn record_denial(
        &self,
        actor: &str,
        reason: Denial,
        resource: &str,
        address: Option<&str>,
        now: Millis,
    ) -> Result<(), IdentityError> {
        let mut detail = match reason {
            Denial::Missing(permission) => format!("missing permission {permission}"),
            Denial::NotInTable => "route not in the access table".to_string(),
            Denial::Unauthenticated => "not signed in".to_string(),
            Denial::MfaEnrolment => "second factor not enrolled".to_string(),
            Denial::CrossOrigin => "cross-origin request refused".to_string(),
        };
        if let Some(address) = address {
            detail.push_str(&format!("; from {address}"));
        }
        let mut tx = self.store.begin().await?;
        append_audit(&mut tx, now, actor, "access.denied", resource, &detail).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}

/// Why a request was denied (the detail of its audit entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The principal lacks this permission.
    Missing(Permission),
    /// The route is not in the access table.
    NotInTable,
    /// No valid session or token (401).
    Unauthenticated,
    /// The role requires a second factor the user has not enrolled.
    MfaEnrolment,
    /// A cookie-authenticated unsafe request from another origin.
    CrossOrigin,
}

pub(crate) fn from_where(address: &str) -> String {
    if address.is_empty() {
        String::new()
    } else {
        format!("from {address}")
    }
}
