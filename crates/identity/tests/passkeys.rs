//! Passkey ceremonies through the identity service, answered by a small
//! software authenticator (P-256 key, "none" attestation, user verified),
//! on SQLite and PostgreSQL with the clock passed in: registration, the
//! second step after the password, passwordless sign-in, single-use and
//! expiring challenges, refused credentials, deletion and audit entries.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flowdesk_identity::passkey::{PasskeyOptions, RelyingParty, CHALLENGE_MS};
use flowdesk_identity::{Identity, IdentityError, Principal};
use flowdesk_store::{audit, dual_test, Store};
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::Private;
use openssl::sha::sha256;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";
const ORIGIN: &str = "http://localhost:8080";
const NOW: i64 = 1_700_000_000_000;

/// A software authenticator holding one P-256 credential.
struct Authenticator {
    key: EcKey<Private>,
    credential_id: Vec<u8>,
    counter: u32,
    user_handle: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match bytes.len() {
        n if n < 24 => out.push(0x40 | n as u8),
        n if n < 256 => out.extend([0x58, n as u8]),
        n => out.extend([0x59, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(bytes);
    out
}

fn cbor_text(text: &str) -> Vec<u8> {
    let mut out = vec![0x60 | text.len() as u8];
    out.extend_from_slice(text.as_bytes());
    out
}

fn challenge_of(options: &PasskeyOptions) -> String {
    options.options["publicKey"]["challenge"]
        .as_str()
        .expect("options carry a challenge")
        .to_string()
}

impl Authenticator {
    fn new(seed: u8) -> Authenticator {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        Authenticator {
            key: EcKey::generate(&group).unwrap(),
            credential_id: vec![seed; 16],
            counter: 0,
            user_handle: Vec::new(),
        }
    }

    fn rp_id_hash() -> [u8; 32] {
        sha256(b"localhost")
    }

    fn cose_key(&self) -> Vec<u8> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut context = BigNumContext::new().unwrap();
        let (mut x, mut y) = (BigNum::new().unwrap(), BigNum::new().unwrap());
        self.key
            .public_key()
            .affine_coordinates(&group, &mut x, &mut y, &mut context)
            .unwrap();
        let mut key = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        key.extend(cbor_bytes(&x.to_vec_padded(32).unwrap()));
        key.push(0x22);
        key.extend(cbor_bytes(&y.to_vec_padded(32).unwrap()));
        key
    }

    /// `navigator.credentials.create` for `options`, as the browser's JSON.
    fn create(&mut self, options: &PasskeyOptions) -> Value {
        self.user_handle = URL_SAFE_NO_PAD
            .decode(options.options["publicKey"]["user"]["id"].as_str().unwrap())
            .unwrap();
        let client_data = json!({"type": "webauthn.create", "challenge": challenge_of(options), "origin": ORIGIN, "crossOrigin": false}).to_string();
        let mut auth_data = Self::rp_id_hash().to_vec();
        auth_data.push(0x45); // user present, user verified, attested credential data
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let mut attestation = vec![0xa3];
        attestation.extend(cbor_text("fmt"));
        attestation.extend(cbor_text("none"));
        attestation.extend(cbor_text("attStmt"));
        attestation.push(0xa0);
        attestation.extend(cbor_text("authData"));
        attestation.extend(cbor_bytes(&auth_data));
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(client_data.as_bytes()),
            },
        })
    }

    /// `navigator.credentials.get` for `options`, as the browser's JSON.
    fn get(&mut self, options: &PasskeyOptions) -> Value {
        self.counter += 1;
        let client_data = json!({"type": "webauthn.get", "challenge": challenge_of(options), "origin": ORIGIN, "crossOrigin": false}).to_string();
        let mut auth_data = Self::rp_id_hash().to_vec();
        auth_data.push(0x05); // user present, user verified
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(sha256(client_data.as_bytes()));
        let signature = EcdsaSig::sign(&sha256(&signed), &self.key)
            .unwrap()
            .to_der()
            .unwrap();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(client_data.as_bytes()),
                "signature": b64(&signature),
                "userHandle": b64(&self.user_handle),
            },
        })
    }
}

fn identity(store: &Store) -> Identity {
    Identity::new(store.clone()).with_passkeys(RelyingParty::for_origin(ORIGIN).unwrap())
}

async fn admin(identity: &Identity) -> Principal {
    let (_, secret) = identity
        .setup_first_admin("admin", PASSWORD, NOW)
        .await
        .unwrap();
    identity.authenticate_session(&secret, NOW).await.unwrap()
}

async fn register(identity: &Identity, principal: &Principal, authenticator: &mut Authenticator) {
    let options = identity
        .begin_passkey_registration(principal, NOW)
        .await
        .unwrap();
    let credential = authenticator.create(&options);
    identity
        .finish_passkey_registration(principal, &options.challenge_id, "Laptop", credential, NOW)
        .await
        .unwrap();
}

async fn actions(store: &Store) -> Vec<String> {
    let entries = audit::list(store.pool(), 500, 0).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

fn refused<T: std::fmt::Debug>(result: Result<T, IdentityError>) -> String {
    match result {
        Err(IdentityError::PasskeyRefused(why)) => why,
        other => panic!("expected a refused passkey, got {other:?}"),
    }
}

dual_test!(async fn a_passkey_registers_and_signs_in_as_second_factor_and_alone(store) {
    let identity = identity(&store);
    let admin = admin(&identity).await;
    let mut authenticator = Authenticator::new(1);

    let options = identity.begin_passkey_registration(&admin, NOW).await.unwrap();
    assert_eq!(options.options["publicKey"]["authenticatorSelection"]["residentKey"], "required");
    let credential = authenticator.create(&options);
    let added = identity.finish_passkey_registration(&admin, &options.challenge_id, " Laptop ", credential.clone(), NOW).await.unwrap();
    assert_eq!(added.name, "Laptop");
    // The challenge answered once.
    assert!(refused(identity.finish_passkey_registration(&admin, &options.challenge_id, "Again", credential, NOW).await).contains("already answered"));
    assert_eq!(identity.list_passkeys(&admin).await.unwrap().len(), 1);

    // Password first, then the passkey: the account now has a second factor.
    let pending = identity.login("admin", PASSWORD, None, None, NOW + 1).await.unwrap();
    assert!(pending.mfa_pending);
    assert_eq!(pending.second_factors, vec!["passkey"]);
    let options = identity.begin_passkey_second_factor(&pending.secret, NOW + 2).await.unwrap();
    let assertion = authenticator.get(&options);
    let full = identity.finish_passkey_second_factor(&pending.secret, &options.challenge_id, assertion, Some("10.0.0.1"), NOW + 3).await.unwrap();
    assert!(identity.authenticate_session(&full.secret, NOW + 4).await.is_ok());
    assert!(identity.begin_passkey_second_factor(&pending.secret, NOW + 5).await.is_err(), "the pending session ended");

    // Passwordless: the credential names its user.
    let options = identity.begin_passkey_sign_in(NOW + 10).await.unwrap();
    assert!(options.options.get("mediation").is_none());
    let assertion = authenticator.get(&options);
    let signed_in = identity.finish_passkey_sign_in(&options.challenge_id, assertion, None, Some(&full.secret), NOW + 11).await.unwrap();
    assert_eq!(signed_in.user.username, "admin");
    assert!(!signed_in.mfa_pending);
    assert!(identity.authenticate_session(&signed_in.secret, NOW + 12).await.is_ok());
    assert!(identity.authenticate_session(&full.secret, NOW + 12).await.is_err(), "the previous session ended");
    assert!(identity.list_passkeys(&admin).await.unwrap()[0].last_used_at == Some(NOW + 11));

    let actions = actions(&store).await;
    for action in ["passkey.register", "auth.passkey"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

dual_test!(async fn unknown_expired_and_removed_passkeys_are_refused(store) {
    let identity = identity(&store);
    let admin = admin(&identity).await;
    let mut registered = Authenticator::new(1);
    register(&identity, &admin, &mut registered).await;

    // A credential the server never saw.
    let mut stranger = Authenticator::new(2);
    stranger.user_handle = registered.user_handle.clone();
    let options = identity.begin_passkey_sign_in(NOW).await.unwrap();
    let assertion = stranger.get(&options);
    assert!(refused(identity.finish_passkey_sign_in(&options.challenge_id, assertion, Some("10.0.0.2"), None, NOW).await).contains("not registered"));

    // A challenge answered too late.
    let options = identity.begin_passkey_sign_in(NOW).await.unwrap();
    let assertion = registered.get(&options);
    assert!(refused(identity.finish_passkey_sign_in(&options.challenge_id, assertion, None, None, NOW + CHALLENGE_MS).await).contains("expired"));

    // A registration challenge does not sign in.
    let options = identity.begin_passkey_registration(&admin, NOW).await.unwrap();
    let assertion = registered.get(&options);
    refused(identity.finish_passkey_sign_in(&options.challenge_id, assertion, None, None, NOW).await);

    // Removed: the authenticator still signs, the server refuses.
    let id = identity.list_passkeys(&admin).await.unwrap()[0].id.clone();
    identity.delete_passkey(&admin, &id, NOW).await.unwrap();
    assert!(matches!(identity.delete_passkey(&admin, &id, NOW).await, Err(IdentityError::NotFound(_))));
    let options = identity.begin_passkey_sign_in(NOW + 1).await.unwrap();
    let assertion = registered.get(&options);
    refused(identity.finish_passkey_sign_in(&options.challenge_id, assertion, None, None, NOW + 1).await);
    assert!(!identity.login("admin", PASSWORD, None, None, NOW + 2).await.unwrap().mfa_pending);

    let actions = actions(&store).await;
    // The unknown and the removed credential; a challenge that is unknown,
    // late or for another purpose is refused before any credential is checked.
    assert_eq!(actions.iter().filter(|a| *a == "auth.passkey_failed").count(), 2, "{actions:?}");
    assert!(actions.iter().any(|a| a == "passkey.delete"));
});

dual_test!(async fn passkeys_need_a_session_a_public_url_and_count_as_the_required_factor(store) {
    let identity = identity(&store);
    let admin = admin(&identity).await;
    let (_, token) = identity.create_token(&admin, "ci", None, None, NOW).await.unwrap();
    let token = identity.authenticate_token(&token, NOW).await.unwrap();
    assert!(matches!(identity.begin_passkey_registration(&token, NOW).await, Err(IdentityError::SessionRequired(_))));

    let without = Identity::new(store.clone());
    assert!(matches!(without.begin_passkey_sign_in(NOW).await, Err(IdentityError::PasskeysUnavailable)));

    // A role that requires a second factor is satisfied by a passkey.
    identity.set_role_requires_mfa("admin", "admin", true, NOW).await.unwrap();
    let fresh = identity.login("admin", PASSWORD, None, None, NOW + 1).await.unwrap();
    assert!(identity.authenticate_session(&fresh.secret, NOW + 1).await.unwrap().must_enrol_mfa);
    register(&identity, &admin, &mut Authenticator::new(3)).await;
    let pending = identity.login("admin", PASSWORD, None, None, NOW + 2).await.unwrap();
    assert!(pending.mfa_pending);
    assert!(!identity.authenticate_session(&fresh.secret, NOW + 2).await.unwrap().must_enrol_mfa);
});
