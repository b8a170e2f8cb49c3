//! WebAuthn passkeys (webauthn-rs): registration for a signed-in user, the
//! second sign-in step after the password, and passwordless sign-in with a
//! discoverable credential.
//!
//! Every ceremony is two calls. The first hands the browser its options
//! (for `navigator.credentials.create` or `.get`) with a challenge id; the
//! server keeps the ceremony state in the store for [`CHALLENGE_MS`]. The
//! second takes the browser's answer with that id; the state is deleted as
//! it is read, so each challenge is answered at most once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn,
    WebauthnBuilder,
};

use flowdesk_store::passkeys::{self, Challenge, StoredPasskey};
use flowdesk_store::sessions;
use flowdesk_store::users::{self, User};
use flowdesk_store::{Millis, StoreError};

use crate::secret::hash_secret;
use crate::service::{append_audit, from_where, Identity, IdentityError, SignIn};
use crate::{throttle, Principal, Via};

/// How long a browser has to answer a passkey challenge (5 min, the
/// WebAuthn default timeout).
pub const CHALLENGE_MS: Millis = 5 * 60 * 1000;

/// Longest passkey name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The actor of failed passwordless sign-ins whose credential names no user:
/// it cannot be a username (those hold no spaces), so it locks no account.
const UNKNOWN_PASSKEY_ACTOR: &str = "(unknown passkey)";

const PURPOSE_REGISTER: &str = "register";
const PURPOSE_SECOND_FACTOR: &str = "second_factor";
const PURPOSE_SIGN_IN: &str = "sign_in";

/// The relying party that passkeys are bound to: the site users reach
/// Flowdesk at. Its id is the host of that origin, so passkeys registered at
/// `https://flow.example.com` work there (and only there).
#[derive(Debug, Clone)]
pub struct RelyingParty {
    webauthn: std::sync::Arc<Webauthn>,
    origin: Url,
}

/// The public URL is not one passkeys can be bound to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("public URL {url:?} cannot be a WebAuthn origin: {reason}")]
pub struct RelyingPartyError {
    /// The URL as configured.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RelyingParty {
    /// The relying party for the site at `origin` (scheme, host and port,
    /// e.g. `https://flow.example.com` or `http://localhost:8080`). The host
    /// must be a domain name: browsers refuse WebAuthn on IP addresses.
    pub fn for_origin(origin: &str) -> Result<RelyingParty, RelyingPartyError> {
        let refuse = |reason: &str| RelyingPartyError {
            url: origin.to_string(),
            reason: reason.to_string(),
        };
        let url = Url::parse(origin).map_err(|e| refuse(&e.to_string()))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(refuse("the scheme must be https (or http for localhost)"));
        }
        let host = url
            .domain()
            .ok_or_else(|| refuse("the host must be a domain name, not an IP address"))?
            .to_string();
        if url.scheme() == "http" && host != "localhost" && !host.ends_with(".localhost") {
            return Err(refuse("plain http is only allowed for localhost"));
        }
        let webauthn = WebauthnBuilder::new(&host, &url)
            .and_then(|builder| builder.rp_name("Flowdesk").build())
            .map_err(|e| refuse(&e.to_string()))?;
        Ok(RelyingParty {
            webauthn: std::sync::Arc::new(webauthn),
            origin: url,
        })
    }

    /// The relying party id (the origin's host).
    pub fn id(&self) -> &str {
        self.origin.domain().unwrap_or_default()
    }

    /// The origin browsers must be on.
    pub fn origin(&self) -> &str {
        self.origin.as_str().trim_end_matches('/')
    }
}

/// Options for the browser and the id to answer them with.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyOptions {
    /// The challenge id to send back with the browser's answer.
    pub challenge_id: String,
    /// `{"publicKey": …}` for `navigator.credentials.create` (registration)
    /// or `.get` (sign-in), binary fields as base64url strings.
    pub options: serde_json::Value,
}

/// A registered passkey as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySummary {
    /// Id for deleting it.
    pub id: String,
    /// The name the user gave it.
    pub name: String,
    /// Registration time.
    pub created_at: Millis,
    /// Last sign-in with it.
    pub last_used_at: Option<Millis>,
}

impl From<&StoredPasskey> for PasskeySummary {
    fn from(stored: &StoredPasskey) -> Self {
        PasskeySummary {
            id: stored.id.clone(),
            name: stored.name.clone(),
            created_at: stored.created_at,
            last_used_at: stored.last_used_at,
        }
    }
}

fn refused(error: impl std::fmt::Display) -> IdentityError {
    IdentityError::PasskeyRefused(error.to_string())
}

fn credential_id_text(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

fn parse_credential<T: DeserializeOwned>(
    credential: serde_json::Value,
) -> Result<T, IdentityError> {
    serde_json::from_value(credential)
        .map_err(|e| IdentityError::InvalidInput(format!("credential: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, IdentityError> {
    serde_json::to_string(value).map_err(|e| IdentityError::Internal(e.to_string()))
}

fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, IdentityError> {
    serde_json::from_str(text)
        .map_err(|e| IdentityError::Store(StoreError::InvalidData(format!("{what}: {e}"))))
}

fn options_json<T: Serialize>(options: &T) -> Result<serde_json::Value, IdentityError> {
    serde_json::to_value(options).map_err(|e| IdentityError::Internal(e.to_string()))
}

/// The WebAuthn user handle of a user: their id, a UUID.
fn user_handle(user_id: &str) -> Result<Uuid, IdentityError> {
    Uuid::parse_str(user_id)
        .map_err(|e| IdentityError::Internal(format!("user id {user_id} is not a UUID: {e}")))
}

fn validate_name(name: &str) -> Result<String, IdentityError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(IdentityError::InvalidInput(format!(
            "name: a passkey name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(IdentityError::InvalidInput(
            "name: a passkey name must not contain control characters".into(),
        ));
    }
    Ok(name.to_string())
}

/// Refuses API tokens: a leaked token must not be able to add a way in.
fn require_session(principal: &Principal, what: &'static str) -> Result<(), IdentityError> {
    match principal.via {
        Via::Session { .. } => Ok(()),
        Via::ApiToken { .. } => Err(IdentityError::SessionRequired(what)),
    }
}

impl Identity {
    fn relying_party(&self) -> Result<&RelyingParty, IdentityError> {
        self.passkey_relying_party()
            .ok_or(IdentityError::PasskeysUnavailable)
    }

    async fn store_challenge(
        &self,
        purpose: &str,
        user_id: Option<&str>,
        state: String,
        now: Millis,
    ) -> Result<String, IdentityError> {
        let challenge = Challenge {
            id: flowdesk_store::new_id(),
            purpose: purpose.to_string(),
            user_id: user_id.map(str::to_string),
            state,
            created_at: now,
            expires_at: now.saturating_add(CHALLENGE_MS),
        };
        let mut tx = self.store().begin().await?;
        passkeys::insert_challenge(&mut tx, &challenge, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(challenge.id)
    }

    /// Takes (deletes) a challenge; refused when it is unknown, used,
    /// expired, or not for `purpose`.
    async fn take_challenge(
        &self,
        id: &str,
        purpose: &str,
        now: Millis,
    ) -> Result<Challenge, IdentityError> {
        let mut tx = self.store().begin().await?;
        let challenge = passkeys::take_challenge(&mut tx, id, purpose).await?;
        tx.commit().await.map_err(StoreError::from)?;
        challenge
            .filter(|c| now < c.expires_at)
            .ok_or_else(|| refused("the challenge is unknown, expired or already answered"))
    }

    /// The principal's passkeys, oldest first.
    pub async fn list_passkeys(
        &self,
        principal: &Principal,
    ) -> Result<Vec<PasskeySummary>, IdentityError> {
        Ok(
            passkeys::list_for_user(self.store().pool(), &principal.user_id)
                .await?
                .iter()
                .map(PasskeySummary::from)
                .collect(),
        )
    }

    /// Starts registering a passkey for the signed-in principal. The options
    /// ask for a discoverable credential with user verification, so the
    /// passkey also signs in without a password; the principal's passkeys
    /// are excluded, so one authenticator is not registered twice.
    pub async fn begin_passkey_registration(
        &self,
        principal: &Principal,
        now: Millis,
    ) -> Result<PasskeyOptions, IdentityError> {
        require_session(principal, "registering a passkey")?;
        let relying_party = self.relying_party()?;
        let existing = passkeys::list_for_user(self.store().pool(), &principal.user_id).await?;
        let mut exclude = Vec::with_capacity(existing.len());
        for stored in &existing {
            let passkey: Passkey = from_json(&stored.passkey, "passkey")?;
            exclude.push(passkey.cred_id().clone());
        }
        let (creation, state) = relying_party
            .webauthn
            .start_passkey_registration(
                user_handle(&principal.user_id)?,
                &principal.username,
                &principal.username,
                Some(exclude),
            )
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let mut options = options_json(&creation)?;
        // webauthn-rs leaves residency to the authenticator; passwordless
        // sign-in needs the credential to be discoverable.
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(serde_json::Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let challenge_id = self
            .store_challenge(
                PURPOSE_REGISTER,
                Some(&principal.user_id),
                to_json(&state)?,
                now,
            )
            .await?;
        Ok(PasskeyOptions {
            challenge_id,
            options,
        })
    }

    /// Finishes a registration with the browser's `credential` (the JSON of
    /// the `PublicKeyCredential` that `navigator.credentials.create` gave)
    /// and stores the passkey under `name`.
    pub async fn finish_passkey_registration(
        &self,
        principal: &Principal,
        challenge_id: &str,
        name: &str,
        credential: serde_json::Value,
        now: Millis,
    ) -> Result<PasskeySummary, IdentityError> {
        require_session(principal, "registering a passkey")?;
        let relying_party = self.relying_party()?;
        let name = validate_name(name)?;
        let credential: RegisterPublicKeyCredential = parse_credential(credential)?;
        let challenge = self
            .take_challenge(challenge_id, PURPOSE_REGISTER, now)
            .await?;
        if challenge.user_id.as_deref() != Some(principal.user_id.as_str()) {
            return Err(refused("the challenge was handed to another user"));
        }
        let state: PasskeyRegistration = from_json(&challenge.state, "registration state")?;
        let passkey = relying_party
            .webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(refused)?;
        let stored = StoredPasskey {
            id: flowdesk_store::new_id(),
            user_id: principal.user_id.clone(),
            credential_id: credential_id_text(passkey.cred_id()),
            name: name.clone(),
            passkey: to_json(&passkey)?,
            created_at: now,
            last_used_at: None,
        };
        let mut tx = self.store().begin().await?;
        passkeys::insert(&mut tx, &stored)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    IdentityError::Conflict("this passkey is already registered".into())
                }
                other => other.into(),
            })?;
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "passkey.register",
            &format!("passkey:{}", stored.id),
            &format!("name={name}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(PasskeySummary::from(&stored))
    }

    /// Deletes one of the principal's own passkeys.
    pub async fn delete_passkey(
        &self,
        principal: &Principal,
        id: &str,
        now: Millis,
    ) -> Result<(), IdentityError> {
        require_session(principal, "deleting a passkey")?;
        let mut tx = self.store().begin().await?;
        if !passkeys::delete_for_user(&mut tx, &principal.user_id, id).await? {
            return Err(IdentityError::NotFound(format!("passkey {id}")));
        }
        append_audit(
            &mut tx,
            now,
            &principal.username,
            "passkey.delete",
            &format!("passkey:{id}"),
            "",
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Removes every passkey of user `user_id` (an administrator's action,
    /// e.g. for a lost authenticator), audited as `passkey.reset`; returns
    /// how many there were. The user signs in with their password (and
    /// TOTP) and registers new passkeys.
    pub async fn reset_passkeys(
        &self,
        actor: &str,
        user_id: &str,
        now: Millis,
    ) -> Result<u64, IdentityError> {
        let mut tx = self.store().begin().await?;
        // Write first, as revoke_user_sessions: SQLite cannot upgrade a
        // read lock while another connection writes.
        let removed = passkeys::delete_all_for_user(&mut tx, user_id).await?;
        if users::find_by_id(&mut *tx, user_id).await?.is_none() {
            return Err(IdentityError::NotFound(format!("user {user_id}")));
        }
        append_audit(
            &mut tx,
            now,
            actor,
            "passkey.reset",
            &format!("user:{user_id}"),
            &format!("passkeys={removed}"),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(removed)
    }

    /// The pending (password accepted) session `pending_secret` and its user.
    async fn pending_user(
        &self,
        pending_secret: &str,
        now: Millis,
    ) -> Result<(sessions::Session, User), IdentityError> {
        let pending = sessions::find(self.store().pool(), &hash_secret(pending_secret))
            .await?
            .filter(|s| s.stage == sessions::STAGE_MFA && now < s.expires_at)
            .ok_or(IdentityError::Unauthenticated)?;
        let user = users::find_by_id(self.store().pool(), &pending.user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(IdentityError::Unauthenticated)?;
        Ok((pending, user))
    }

    /// Starts the second sign-in step with a passkey: the pending session
    /// `pending_secret` of [`Identity::login`], for a user with passkeys.
    pub async fn begin_passkey_second_factor(
        &self,
        pending_secret: &str,
        now: Millis,
    ) -> Result<PasskeyOptions, IdentityError> {
        let relying_party = self.relying_party()?;
        let (_, user) = self.pending_user(pending_secret, now).await?;
        let stored = passkeys::list_for_user(self.store().pool(), &user.id).await?;
        if stored.is_empty() {
            return Err(IdentityError::NotFound(format!(
                "a passkey of user {}",
                user.username
            )));
        }
        let keys = stored
            .iter()
            .map(|s| from_json::<Passkey>(&s.passkey, "passkey"))
            .collect::<Result<Vec<_>, _>>()?;
        let (request, state) = relying_party
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let challenge_id = self
            .store_challenge(PURPOSE_SECOND_FACTOR, Some(&user.id), to_json(&state)?, now)
            .await?;
        Ok(PasskeyOptions {
            challenge_id,
            options: options_json(&request)?,
        })
    }

    /// Finishes the second sign-in step with the browser's assertion
    /// (`navigator.credentials.get`). On success the pending session ends
    /// and a full one begins; a refused assertion counts as a failed sign-in.
    pub async fn finish_passkey_second_factor(
        &self,
        pending_secret: &str,
        challenge_id: &str,
        credential: serde_json::Value,
        address: Option<&str>,
        now: Millis,
    ) -> Result<SignIn, IdentityError> {
        let relying_party = self.relying_party()?;
        let credential: PublicKeyCredential = parse_credential(credential)?;
        let (pending, user) = self.pending_user(pending_secret, now).await?;
        self.check_throttle(&throttle_keys(&user.username, address), now)
            .await?;
        let challenge = self
            .take_challenge(challenge_id, PURPOSE_SECOND_FACTOR, now)
            .await?;
        if challenge.user_id.as_deref() != Some(user.id.as_str()) {
            return Err(refused("the challenge was handed to another sign-in"));
        }
        let state: PasskeyAuthentication = from_json(&challenge.state, "authentication state")?;
        let result = relying_party
            .webauthn
            .finish_passkey_authentication(&credential, &state);
        let stored = match result {
            Ok(result) => self
                .find_used_passkey(result.cred_id(), &user.id)
                .await?
                .map(|(stored, mut passkey)| {
                    passkey.update_credential(&result);
                    (stored, passkey)
                }),
            Err(_) => None,
        };
        let Some((stored, passkey)) = stored else {
            self.record_failure(&user.username, address, "auth.passkey_failed", now)
                .await?;
            return Err(refused("the passkey did not sign the challenge"));
        };
        self.passkey_session(
            &user,
            &stored,
            &passkey,
            Some(pending.token_hash),
            "second factor",
            address,
            now,
        )
        .await
    }

    /// Starts passwordless sign-in: options for a discoverable credential,
    /// whichever user it belongs to.
    pub async fn begin_passkey_sign_in(
        &self,
        now: Millis,
    ) -> Result<PasskeyOptions, IdentityError> {
        let relying_party = self.relying_party()?;
        let (request, state) = relying_party
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| IdentityError::Internal(e.to_string()))?;
        let mut options = options_json(&request)?;
        // webauthn-rs asks for conditional mediation (autofill); the sign-in
        // button wants the browser's ordinary passkey prompt.
        if let Some(object) = options.as_object_mut() {
            object.remove("mediation");
        }
        let challenge_id = self
            .store_challenge(PURPOSE_SIGN_IN, None, to_json(&state)?, now)
            .await?;
        Ok(PasskeyOptions {
            challenge_id,
            options,
        })
    }

    /// Finishes passwordless sign-in with the browser's assertion: the
    /// credential names its user, the stored passkey checks the signature,
    /// and a full session begins (the passkey verified the user, so no
    /// second step follows). The session the client held before, if any,
    /// ends. Unknown or removed credentials and bad signatures count as
    /// failed sign-ins and are throttled like wrong passwords.
    pub async fn finish_passkey_sign_in(
        &self,
        challenge_id: &str,
        credential: serde_json::Value,
        address: Option<&str>,
        previous_secret: Option<&str>,
        now: Millis,
    ) -> Result<SignIn, IdentityError> {
        let relying_party = self.relying_party()?;
        let credential: PublicKeyCredential = parse_credential(credential)?;
        if let Some(address) = address {
            self.check_throttle(&[throttle::address_key(address)], now)
                .await?;
        }
        let challenge = self
            .take_challenge(challenge_id, PURPOSE_SIGN_IN, now)
            .await?;
        let state: DiscoverableAuthentication =
            from_json(&challenge.state, "authentication state")?;
        let owner = match relying_party
            .webauthn
            .identify_discoverable_authentication(&credential)
        {
            Ok((handle, credential_id)) => {
                let stored = passkeys::find_by_credential_id(
                    self.store().pool(),
                    &credential_id_text(credential_id),
                )
                .await?;
                match stored {
                    Some(stored) if user_handle(&stored.user_id).ok() == Some(handle) => {
                        users::find_by_id(self.store().pool(), &stored.user_id)
                            .await?
                            .map(|user| (user, stored))
                    }
                    _ => None,
                }
            }
            Err(_) => None,
        };
        let Some((user, stored)) = owner else {
            self.record_failure(UNKNOWN_PASSKEY_ACTOR, address, "auth.passkey_failed", now)
                .await?;
            return Err(refused("this passkey is not registered here"));
        };
        self.check_throttle(&throttle_keys(&user.username, address), now)
            .await?;
        let mut passkey: Passkey = from_json(&stored.passkey, "passkey")?;
        let verified = relying_party.webauthn.finish_discoverable_authentication(
            &credential,
            state,
            &[DiscoverableKey::from(&passkey)],
        );
        let result = match verified {
            Ok(result) if !user.disabled => result,
            _ => {
                self.record_failure(&user.username, address, "auth.passkey_failed", now)
                    .await?;
                return Err(refused("the passkey did not sign the challenge"));
            }
        };
        passkey.update_credential(&result);
        let ended = previous_secret.map(hash_secret);
        self.passkey_session(
            &user,
            &stored,
            &passkey,
            ended,
            "passwordless",
            address,
            now,
        )
        .await
    }

    /// The stored passkey of `user_id` with `credential_id`, parsed.
    async fn find_used_passkey(
        &self,
        credential_id: &[u8],
        user_id: &str,
    ) -> Result<Option<(StoredPasskey, Passkey)>, IdentityError> {
        let stored = passkeys::find_by_credential_id(
            self.store().pool(),
            &credential_id_text(credential_id),
        )
        .await?
        .filter(|s| s.user_id == user_id);
        match stored {
            Some(stored) => {
                let passkey = from_json(&stored.passkey, "passkey")?;
                Ok(Some((stored, passkey)))
            }
            None => Ok(None),
        }
    }

    /// Records the passkey's use (`how`: as second factor or passwordless),
    /// ends the session whose token hash is `ended` (the pending one, or the
    /// one the client held before) and opens a full session, with their
    /// audit entries, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn passkey_session(
        &self,
        user: &User,
        stored: &StoredPasskey,
        passkey: &Passkey,
        ended: Option<String>,
        how: &str,
        address: Option<&str>,
        now: Millis,
    ) -> Result<SignIn, IdentityError> {
        let mut tx = self.store().begin().await?;
        passkeys::record_use(&mut tx, &stored.id, &to_json(passkey)?, now).await?;
        if let Some(token_hash) = ended {
            sessions::delete(&mut tx, &token_hash).await?;
        }
        users::clear_throttle(&mut tx, &throttle::account_key(&user.username)).await?;
        let mut detail = format!("passkey={} {how}", stored.name);
        let from = from_where(address.unwrap_or(""));
        if !from.is_empty() {
            detail.push_str("; ");
            detail.push_str(&from);
        }
        append_audit(
            &mut tx,
            now,
            &user.username,
            "auth.passkey",
            &format!("passkey:{}", stored.id),
            &detail,
        )
        .await?;
        let secret = Identity::open_session(
            &mut tx,
            user,
            sessions::STAGE_FULL,
            address.unwrap_or(""),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SignIn {
            user: user.clone(),
            secret,
            mfa_pending: false,
            second_factors: Vec::new(),
        })
    }
}

fn throttle_keys(username: &str, address: Option<&str>) -> Vec<String> {
    let mut keys = vec![throttle::account_key(username)];
    if let Some(address) = address {
        keys.push(throttle::address_key(address));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relying_party_is_the_host_of_the_public_url() {
        let party = RelyingParty::for_origin("https://flow.example.com").expect("valid");
        assert_eq!(party.id(), "flow.example.com");
        assert_eq!(party.origin(), "https://flow.example.com");
        let local = RelyingParty::for_origin("http://localhost:8080").expect("valid");
        assert_eq!(local.id(), "localhost");
        assert_eq!(local.origin(), "http://localhost:8080");
    }

    #[test]
    fn relying_party_refuses_ip_addresses_and_plain_http_elsewhere() {
        let ip = RelyingParty::for_origin("http://127.0.0.1:8080").unwrap_err();
        assert!(ip.reason.contains("domain name"), "{ip}");
        let http = RelyingParty::for_origin("http://flow.example.com").unwrap_err();
        assert!(http.reason.contains("localhost"), "{http}");
        let garbage = RelyingParty::for_origin("flow").unwrap_err();
        assert_eq!(garbage.url, "flow");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("  Laptop ").expect("valid"), "Laptop");
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        let control = validate_name("a\u{7}b").unwrap_err().to_string();
        assert!(control.starts_with("name:"), "{control}");
    }
}
