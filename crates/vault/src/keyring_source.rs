//! The desktop's master key in the OS keyring (feature `keyring`).

use zeroize::Zeroizing;

use crate::{MasterKey, VaultError};

fn keyring_error(service: &str, user: &str, problem: impl std::fmt::Display) -> VaultError {
    VaultError::Keyring {
        entry: format!("{service}/{user}"),
        problem: problem.to_string(),
    }
}

fn entry(service: &str, user: &str) -> Result<keyring::Entry, VaultError> {
    keyring::Entry::new(service, user).map_err(|e| keyring_error(service, user, e))
}

impl MasterKey {
    /// The master key stored in the OS keyring under `service`/`user`; on
    /// first use a new random key is stored there. The flag says whether it
    /// was created now.
    pub fn from_keyring_or_create(
        service: &str,
        user: &str,
    ) -> Result<(MasterKey, bool), VaultError> {
        let entry = entry(service, user)?;
        match entry.get_password() {
            Ok(text) => {
                let text = Zeroizing::new(text);
                let origin = format!("OS keyring entry {service}/{user}");
                MasterKey::from_base64(&text, &origin).map(|key| (key, false))
            }
            Err(keyring::Error::NoEntry) => {
                let key = MasterKey::generate();
                entry.set_password(&key.to_base64()).map_err(|e| {
                    keyring_error(service, user, format!("cannot store a new master key: {e}"))
                })?;
                Ok((key, true))
            }
            Err(e) => Err(keyring_error(
                service,
                user,
                format!("cannot read the master key: {e}"),
            )),
        }
    }

    /// Removes the master key entry `service`/`user` from the OS keyring
    /// (nothing to do when there is none). Everything sealed under it is
    /// lost with it.
    pub fn delete_from_keyring(service: &str, user: &str) -> Result<(), VaultError> {
        match entry(service, user)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(
                service,
                user,
                format!("cannot delete the master key: {e}"),
            )),
        }
    }
}
