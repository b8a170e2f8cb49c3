//! Expiry rules for sessions and API tokens, as pure functions of `now`.

use flowdesk_store::sessions::Session;
use flowdesk_store::tokens::ApiToken;
use flowdesk_store::Millis;

/// A session ends this long after sign-in, however active it is (12 h).
pub const SESSION_ABSOLUTE_MS: Millis = 12 * 60 * 60 * 1000;
/// A session ends after this long without a request (30 min, sliding).
pub const SESSION_IDLE_MS: Millis = 30 * 60 * 1000;
/// Longest API token lifetime a user can ask for.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// Whether `session` is still valid at `now`.
pub fn session_is_valid(session: &Session, now: Millis) -> bool {
    now < session.expires_at && now < session.last_seen_at.saturating_add(SESSION_IDLE_MS)
}

/// Whether `token` is still valid at `now`.
pub fn token_is_valid(token: &ApiToken, now: Millis) -> bool {
    token.expires_at.is_none_or(|expires_at| now < expires_at)
}

/// Expiry time of a token created at `now` that lives `days` days.
pub fn token_expiry(now: Millis, days: Option<u32>) -> Option<Millis> {
    days.map(|d| now.saturating_add(i64::from(d.min(MAX_TOKEN_DAYS)) * 24 * 60 * 60 * 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_at: Millis, last_seen_at: Millis) -> Session {
        Session {
            id: "s".into(),
            token_hash: "h".into(),
            user_id: "u".into(),
            created_at,
            expires_at: created_at + SESSION_ABSOLUTE_MS,
            last_seen_at,
            stage: "full".into(),
            client: String::new(),
        }
    }

    #[test]
    fn session_idle_timeout_slides() {
        let s = session(0, 0);
        assert!(session_is_valid(&s, SESSION_IDLE_MS - 1));
        assert!(!session_is_valid(&s, SESSION_IDLE_MS));
        let active = session(0, SESSION_IDLE_MS - 1);
        assert!(session_is_valid(&active, SESSION_IDLE_MS + 1000));
    }

    #[test]
    fn session_absolute_expiry_holds_even_when_active() {
        let s = session(0, SESSION_ABSOLUTE_MS - 1);
        assert!(session_is_valid(&s, SESSION_ABSOLUTE_MS - 1));
        assert!(!session_is_valid(&s, SESSION_ABSOLUTE_MS));
    }

    #[test]
    fn token_expiry() {
        let mut token = ApiToken {
            id: "t".into(),
            user_id: "u".into(),
            name: "ci".into(),
            token_hash: "h".into(),
            created_at: 0,
            expires_at: None,
            last_used_at: None,
            scopes: None,
        };
        assert!(token_is_valid(&token, i64::MAX - 1));
        token.expires_at = super::token_expiry(0, Some(1));
        assert_eq!(token.expires_at, Some(86_400_000));
        assert!(token_is_valid(&token, 86_399_999));
        assert!(!token_is_valid(&token, 86_400_000));
    }
}
