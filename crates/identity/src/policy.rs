//! The password policy for new passwords (setup, user creation, password
//! change): at least [`MIN_PASSWORD_LEN`] characters, at most
//! [`MAX_PASSWORD_LEN`], not the username, not a commonly used password.

/// Shortest accepted password (OWASP ASVS 2.1.1 asks for 12).
pub const MIN_PASSWORD_LEN: usize = 12;
/// Longest accepted password (argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_LEN: usize = 1024;

const COMMON: &str = include_str!("common_passwords.txt");

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyViolation {
    /// Too short.
    #[error("password must be at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    /// Too long.
    #[error("password must be at most {MAX_PASSWORD_LEN} characters")]
    TooLong,
    /// The password is the username.
    #[error("password must not be the username")]
    SameAsUsername,
    /// The password is on the list of commonly used passwords.
    #[error("password is too common; choose one that is not on lists of leaked passwords")]
    Common,
}

/// Checks a new password of `username` against the policy.
pub fn check(password: &str, username: &str) -> Result<(), PolicyViolation> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(PolicyViolation::TooShort);
    }
    if len > MAX_PASSWORD_LEN {
        return Err(PolicyViolation::TooLong);
    }
    let lowered = password.to_lowercase();
    if lowered == username.to_lowercase() {
        return Err(PolicyViolation::SameAsUsername);
    }
    if COMMON.lines().any(|common| common == lowered) {
        return Err(PolicyViolation::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_long_username_and_common_passwords() {
        assert_eq!(check("short pass", "ann"), Err(PolicyViolation::TooShort));
        assert_eq!(
            check(&"x".repeat(1025), "ann"),
            Err(PolicyViolation::TooLong)
        );
        assert_eq!(
            check("Administrator", "administrator"),
            Err(PolicyViolation::SameAsUsername)
        );
        assert_eq!(check("Password1234", "ann"), Err(PolicyViolation::Common));
        assert_eq!(check("123456789012", "ann"), Err(PolicyViolation::Common));
        assert_eq!(check("correct horse battery", "ann"), Ok(()));
        assert_eq!(check("twelve chars", "ann"), Ok(()));
    }

    #[test]
    fn the_common_list_holds_only_lowercase_entries_of_policy_length() {
        for common in COMMON.lines() {
            assert_eq!(common, common.to_lowercase());
            assert!(common.chars().count() >= MIN_PASSWORD_LEN, "{common}");
        }
    }
}
