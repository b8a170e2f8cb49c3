//! Random secrets for sessions and API tokens. Only their SHA-256 is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// Prefix of every API token secret, so leaked tokens are easy to recognise.
pub const API_TOKEN_PREFIX: &str = "fd_";

fn random_base64url() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new session secret: 32 random bytes, base64url.
pub fn new_session_secret() -> String {
    random_base64url()
}

/// A new API token secret: `fd_` + 32 random bytes, base64url.
pub fn new_api_token_secret() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_base64url())
}

/// The stored form of a secret: SHA-256 hex.
pub fn hash_secret(secret: &str) -> String {
    flowdesk_store::sha256_hex(secret.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_well_formed() {
        let a = new_session_secret();
        let b = new_session_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        let token = new_api_token_secret();
        assert!(token.starts_with("fd_"));
        assert_eq!(token.len(), 46);
        assert!(token[3..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
