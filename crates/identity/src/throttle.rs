//! Sign-in throttling: lockout with exponential back-off, per account and
//! per client address, as pure functions of the stored record and `now`.
//!
//! After [`ACCOUNT_MAX_FAILURES`] failures (per address:
//! [`ADDRESS_MAX_FAILURES`]) within [`WINDOW_MS`] of each other, sign-in under
//! that key is refused for [`BASE_LOCK_MS`]; each further failure doubles the
//! lock, up to [`MAX_LOCK_MS`]. A quiet [`WINDOW_MS`] after the last failure
//! forgets the failures. Unknown usernames are throttled exactly like known
//! ones, so the answers tell nothing about which accounts exist.

use flowdesk_store::users::Throttle;
use flowdesk_store::Millis;

/// Failures of one account before it is locked.
pub const ACCOUNT_MAX_FAILURES: i64 = 5;
/// Failures from one client address before it is locked (several users may share one).
pub const ADDRESS_MAX_FAILURES: i64 = 20;
/// Failures further apart than this do not add up (15 min).
pub const WINDOW_MS: Millis = 15 * 60 * 1000;
/// The first lock (1 min).
pub const BASE_LOCK_MS: Millis = 60 * 1000;
/// The longest lock (1 h).
pub const MAX_LOCK_MS: Millis = 60 * 60 * 1000;

/// The throttle key of an account.
pub fn account_key(username: &str) -> String {
    // Bounded, so an absurd username cannot bloat the table.
    let username: String = username.chars().take(128).collect();
    format!("account:{username}")
}

/// The throttle key of a client address.
pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// How long sign-in under `record` stays refused at `now`, if it is locked.
pub fn locked_for(record: Option<&Throttle>, now: Millis) -> Option<Millis> {
    record
        .filter(|r| r.locked_until > now)
        .map(|r| r.locked_until - now)
}

/// The record after one more failure at `now`, for a key that allows `max_failures`.
pub fn after_failure(record: Option<&Throttle>, now: Millis, max_failures: i64) -> Throttle {
    let failures = match record {
        Some(r) if now - r.last_failure_at < WINDOW_MS || r.locked_until > now => r.failures + 1,
        _ => 1,
    };
    let locked_until = if failures >= max_failures {
        let doublings = u32::try_from((failures - max_failures).min(16)).unwrap_or(16);
        now + BASE_LOCK_MS.saturating_mul(1 << doublings).min(MAX_LOCK_MS)
    } else {
        0
    };
    Throttle {
        failures,
        last_failure_at: now,
        locked_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(times: i64, start: Millis, record: Option<Throttle>) -> Option<Throttle> {
        (0..times).fold(record, |r, i| {
            Some(after_failure(r.as_ref(), start + i, ACCOUNT_MAX_FAILURES))
        })
    }

    #[test]
    fn locks_after_the_maximum_and_backs_off() {
        let four = fail(ACCOUNT_MAX_FAILURES - 1, 0, None);
        assert_eq!(locked_for(four.as_ref(), 10), None);
        let five = fail(1, 10, four);
        assert_eq!(locked_for(five.as_ref(), 10), Some(BASE_LOCK_MS));
        // Once the lock has passed, the next failure locks twice as long.
        let after = BASE_LOCK_MS + 10;
        assert_eq!(locked_for(five.as_ref(), after), None);
        let six = fail(1, after, five);
        assert_eq!(locked_for(six.as_ref(), after), Some(2 * BASE_LOCK_MS));
        let many = fail(40, after, six);
        assert_eq!(locked_for(many.as_ref(), after + 40), Some(MAX_LOCK_MS - 1));
    }

    #[test]
    fn a_quiet_window_forgets_failures() {
        let four = fail(ACCOUNT_MAX_FAILURES - 1, 0, None);
        let later = fail(1, WINDOW_MS + 10, four);
        assert_eq!(later.map(|r| r.failures), Some(1));
        assert_eq!(locked_for(later.as_ref(), WINDOW_MS + 10), None);
    }
}
