//! Flowdesk vault: encryption at rest.
//!
//! Envelope encryption with AES-256-GCM. A deployment has one active random
//! 256-bit *data key* (older ones stay readable until a rotation has
//! re-sealed everything under the new one); data keys are stored in the
//! database only *wrapped* (encrypted) by the *master key*, which never
//! touches the database: on a server it comes from `FLOWDESK_MASTER_KEY` or
//! a key file ([`MasterKey::from_env`], [`MasterKey::from_file`]), on the
//! desktop from the OS keyring ([`MasterKey::from_keyring_or_create`],
//! feature `keyring`).
//!
//! A sealed value is text, `fdenc:v1:<data key version>:<base64url(nonce ‖
//! ciphertext ‖ tag)>`, so it fits any TEXT column. Its associated data is the
//! value's *context* (see [`context`]: table, column and row), so a
//! ciphertext copied into another row or column does not open.
//!
//! ```
//! use flowdesk_vault::{context, DataKey, Keys, MasterKey};
//!
//! let keys = Keys::new(MasterKey::generate(), 1, DataKey::generate());
//! let here = context("totp_credentials", "secret", "user-1");
//! let sealed = keys.seal(&here, b"JBSWY3DPEHPK3PXP");
//! assert!(sealed.starts_with("fdenc:v1:1:"));
//! assert_eq!(keys.open(&here, &sealed).unwrap().as_slice(), b"JBSWY3DPEHPK3PXP");
//! let elsewhere = context("totp_credentials", "secret", "user-2");
//! assert!(keys.open(&elsewhere, &sealed).is_err());
//! ```
//!
//! Boundaries: no database, no HTTP, no logging; it depends only on the
//! RustCrypto crates, so `flowdesk-store` and everything above it can use it.
//! Key material never appears in `Debug` output or error messages.

#![warn(missing_docs)]

#[cfg(feature = "keyring")]
mod keyring_source;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
pub use zeroize::Zeroizing;

/// How every sealed value starts.
pub const SEALED_PREFIX: &str = "fdenc:v1:";
/// How every wrapped data key starts.
const WRAPPED_PREFIX: &str = "fdwrap:v1:";
const NONCE_BYTES: usize = 12;
const KEY_BYTES: usize = 32;

/// Why a key could not be loaded or a value could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The master key from `origin` (an environment variable, a file, the
    /// keyring) is unusable; `problem` says why (never the key itself).
    #[error("master key from {origin}: {problem}")]
    InvalidMasterKey {
        /// Where the key came from, e.g. `environment variable FLOWDESK_MASTER_KEY`.
        origin: String,
        /// What is wrong and what to do.
        problem: String,
    },
    /// The OS keyring could not store or return the master key.
    #[error("OS keyring ({entry}): {problem}")]
    Keyring {
        /// The keyring entry, `service/user`.
        entry: String,
        /// The keyring's error.
        problem: String,
    },
    /// A data key does not unwrap with this master key (another master key
    /// wrapped it, or the stored value was altered).
    #[error(
        "data key {version} does not unwrap with the configured master key (id {master_key_id}): \
         it was wrapped by another master key or altered"
    )]
    Unwrap {
        /// The data key's version.
        version: u32,
        /// The configured master key's id.
        master_key_id: String,
    },
    /// The text is not a sealed value of a version this build knows.
    #[error("not a sealed value (expected {SEALED_PREFIX}<key version>:<base64>)")]
    Malformed,
    /// The value was sealed under a data key this process has not loaded.
    #[error("the value was sealed under data key {0}, which is not loaded (reload the data keys)")]
    UnknownKey(u32),
    /// Authentication failed: the value was altered, or it belongs to
    /// another context (a ciphertext moved between rows or columns).
    #[error("the sealed value for {context} does not open: it was altered or belongs elsewhere")]
    Tampered {
        /// The context the caller tried to open it in.
        context: String,
    },
    /// The opened value is not UTF-8 text.
    #[error("the sealed value for {context} is not UTF-8 text")]
    NotText {
        /// The context it was opened in.
        context: String,
    },
}

/// The context of a value stored in `table`.`column` of the row `row`: the
/// associated data that binds a sealed value to its place.
pub fn context(table: &str, column: &str, row: &str) -> String {
    format!("{table}.{column}/{row}")
}

/// Whether `value` is a sealed value (by its prefix; it may still not open).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(SEALED_PREFIX)
}

/// The data key version a sealed value names, if it is one.
pub fn sealed_version(value: &str) -> Option<u32> {
    let rest = value.strip_prefix(SEALED_PREFIX)?;
    let (version, _) = rest.split_once(':')?;
    version.parse().ok()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn cipher(key: &[u8; KEY_BYTES]) -> Aes256Gcm {
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
}

/// Encrypts with a fresh random nonce; returns base64url(nonce ‖ ciphertext ‖ tag).
fn encrypt(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> String {
    let nonce = random_bytes::<NONCE_BYTES>();
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("AES-GCM encrypts any message shorter than 64 GiB");
    let mut out = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    URL_SAFE_NO_PAD.encode(out)
}

/// Decrypts base64url(nonce ‖ ciphertext ‖ tag); `None` when it does not
/// decode or authenticate.
fn decrypt(cipher: &Aes256Gcm, aad: &[u8], encoded: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    if bytes.len() < NONCE_BYTES + 16 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}

/// The master key: 32 bytes that wrap the data keys. Never stored in the
/// database; `Debug` shows only its [id](MasterKey::id).
#[derive(Clone)]
pub struct MasterKey {
    key: Zeroizing<[u8; KEY_BYTES]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> MasterKey {
        MasterKey {
            key: Zeroizing::new(random_bytes()),
        }
    }

    /// Parses standard base64 of exactly 32 bytes (surrounding whitespace is
    /// ignored). `origin` names where the text came from, for the error.
    pub fn from_base64(text: &str, origin: &str) -> Result<MasterKey, VaultError> {
        let invalid = |problem: String| VaultError::InvalidMasterKey {
            origin: origin.to_string(),
            problem,
        };
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid("it is empty; expected 32 bytes in base64".into()));
        }
        let bytes = Zeroizing::new(STANDARD.decode(text).map_err(|_| {
            invalid(
                "it is not base64; generate one with `flowdesk keys new-master-key FILE` \
                 or `openssl rand -base64 32`"
                    .into(),
            )
        })?);
        let key: [u8; KEY_BYTES] = bytes.as_slice().try_into().map_err(|_| {
            invalid(format!(
                "it decodes to {} bytes; a master key is exactly 32 bytes",
                bytes.len()
            ))
        })?;
        Ok(MasterKey {
            key: Zeroizing::new(key),
        })
    }

    /// The key in the environment variable `variable`, `None` when it is
    /// not set.
    pub fn from_env(variable: &str) -> Result<Option<MasterKey>, VaultError> {
        match std::env::var(variable) {
            Ok(text) => {
                let text = Zeroizing::new(text);
                MasterKey::from_base64(&text, &format!("environment variable {variable}")).map(Some)
            }
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(VaultError::InvalidMasterKey {
                origin: format!("environment variable {variable}"),
                problem: "it is not valid Unicode; expected 32 bytes in base64".into(),
            }),
        }
    }

    /// The key in a file (base64, as [`MasterKey::write_new_file`] writes
    /// it). On Unix the file must not be accessible to other users.
    pub fn from_file(path: &Path) -> Result<MasterKey, VaultError> {
        let origin = format!("file {}", path.display());
        let invalid = |problem: String| VaultError::InvalidMasterKey {
            origin: origin.clone(),
            problem,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let metadata =
                std::fs::metadata(path).map_err(|e| invalid(format!("cannot read it: {e}")))?;
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o007 != 0 {
                return Err(invalid(format!(
                    "it is accessible to other users (mode {mode:o}); \
                     restrict it with `chmod 600 {}`",
                    path.display()
                )));
            }
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read it: {e}")))?,
        );
        MasterKey::from_base64(&text, &origin)
    }

    /// Writes a new random master key to a new file (mode 600 on Unix);
    /// refuses to overwrite an existing one.
    pub fn write_new_file(path: &Path) -> Result<MasterKey, VaultError> {
        use std::io::Write;
        let key = MasterKey::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .and_then(|mut file| {
                file.write_all(key.to_base64().as_bytes())?;
                file.write_all(b"\n")?;
                Ok(file)
            })
            .map_err(|e| VaultError::InvalidMasterKey {
                origin: format!("file {}", path.display()),
                problem: format!("cannot create it: {e}"),
            })?;
        file.flush().ok();
        Ok(key)
    }

    /// The key as standard base64, for storing it in a keyring or file.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.key.as_slice()))
    }

    /// A public fingerprint of the key (16 hex digits), stored with each
    /// data key so a wrong master key is reported as such.
    pub fn id(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"flowdesk master key id\0");
        hasher.update(self.key.as_slice());
        let digest = hasher.finalize();
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn wrapping_aad(version: u32) -> Vec<u8> {
        format!("flowdesk data key {version}").into_bytes()
    }

    /// The data key `key` of version `version`, encrypted under this master
    /// key (`fdwrap:v1:<base64url>`).
    pub fn wrap(&self, version: u32, key: &DataKey) -> String {
        let sealed = encrypt(
            &cipher(&self.key),
            &MasterKey::wrapping_aad(version),
            key.key.as_slice(),
        );
        format!("{WRAPPED_PREFIX}{sealed}")
    }

    /// The data key of version `version` from its wrapped form.
    pub fn unwrap(&self, version: u32, wrapped: &str) -> Result<DataKey, VaultError> {
        let failed = || VaultError::Unwrap {
            version,
            master_key_id: self.id(),
        };
        let encoded = wrapped.strip_prefix(WRAPPED_PREFIX).ok_or_else(failed)?;
        let bytes = Zeroizing::new(
            decrypt(
                &cipher(&self.key),
                &MasterKey::wrapping_aad(version),
                encoded,
            )
            .ok_or_else(failed)?,
        );
        let key: [u8; KEY_BYTES] = bytes.as_slice().try_into().map_err(|_| failed())?;
        Ok(DataKey {
            key: Zeroizing::new(key),
        })
    }
}

/// A data key: 32 random bytes that seal values. `Debug` is redacted.
pub struct DataKey {
    key: Zeroizing<[u8; KEY_BYTES]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    /// A new random data key.
    pub fn generate() -> DataKey {
        DataKey {
            key: Zeroizing::new(random_bytes()),
        }
    }
}

struct KeySet {
    active: u32,
    ciphers: BTreeMap<u32, Aes256Gcm>,
}

struct Inner {
    master: MasterKey,
    set: RwLock<KeySet>,
}

/// The unwrapped data keys of a deployment and the master key that wraps
/// them: seals under the active data key, opens under any loaded one.
///
/// Cheap to clone; clones share the key set, so a reload after a rotation
/// ([`Keys::insert`], [`Keys::set_active`]) is seen by every clone.
#[derive(Clone)]
pub struct Keys {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.read();
        f.debug_struct("Keys")
            .field("master_key_id", &self.inner.master.id())
            .field("active", &set.active)
            .field("versions", &set.ciphers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Keys {
    /// Keys with one data key, `version`, active.
    pub fn new(master: MasterKey, version: u32, key: DataKey) -> Keys {
        let mut ciphers = BTreeMap::new();
        ciphers.insert(version, cipher(&key.key));
        Keys {
            inner: Arc::new(Inner {
                master,
                set: RwLock::new(KeySet {
                    active: version,
                    ciphers,
                }),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, KeySet> {
        self.inner
            .set
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, KeySet> {
        self.inner
            .set
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The master key these data keys are wrapped with.
    pub fn master(&self) -> &MasterKey {
        &self.inner.master
    }

    /// Adds (or replaces) data key `version`; it opens values at once and
    /// seals them once [made active](Keys::set_active).
    pub fn insert(&self, version: u32, key: DataKey) {
        self.write().ciphers.insert(version, cipher(&key.key));
    }

    /// Seals new values under data key `version` from now on.
    pub fn set_active(&self, version: u32) -> Result<(), VaultError> {
        let mut set = self.write();
        if !set.ciphers.contains_key(&version) {
            return Err(VaultError::UnknownKey(version));
        }
        set.active = version;
        Ok(())
    }

    /// The version of the data key new values are sealed under.
    pub fn active_version(&self) -> u32 {
        self.read().active
    }

    /// Whether data key `version` is loaded.
    pub fn has_version(&self, version: u32) -> bool {
        self.read().ciphers.contains_key(&version)
    }

    fn aad(version: u32, context: &str) -> Vec<u8> {
        format!("{SEALED_PREFIX}{version}:{context}").into_bytes()
    }

    /// Seals `plaintext` for `context` (see [`context`]) under the active
    /// data key: `fdenc:v1:<version>:<base64url>`, a new random nonce each time.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> String {
        let set = self.read();
        let version = set.active;
        let cipher = set
            .ciphers
            .get(&version)
            .expect("the active data key is always loaded (set_active checks)");
        let sealed = encrypt(cipher, &Keys::aad(version, context), plaintext);
        format!("{SEALED_PREFIX}{version}:{sealed}")
    }

    /// Opens a value sealed for `context` under any loaded data key.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let rest = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or(VaultError::Malformed)?;
        let (version, encoded) = rest.split_once(':').ok_or(VaultError::Malformed)?;
        let version: u32 = version.parse().map_err(|_| VaultError::Malformed)?;
        let set = self.read();
        let cipher = set
            .ciphers
            .get(&version)
            .ok_or(VaultError::UnknownKey(version))?;
        decrypt(cipher, &Keys::aad(version, context), encoded)
            .map(Zeroizing::new)
            .ok_or_else(|| VaultError::Tampered {
                context: context.to_string(),
            })
    }

    /// Opens a sealed UTF-8 text, like [`Keys::open`].
    pub fn open_text(&self, context: &str, sealed: &str) -> Result<Zeroizing<String>, VaultError> {
        let bytes = self.open(context, sealed)?;
        String::from_utf8(bytes.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| VaultError::NotText {
                context: context.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(MasterKey::generate(), 1, DataKey::generate())
    }

    #[test]
    fn seal_open_round_trip_with_fresh_nonces() {
        let keys = keys();
        let here = context("t", "c", "r1");
        let a = keys.seal(&here, b"secret");
        let b = keys.seal(&here, b"secret");
        assert_ne!(a, b, "each seal uses a new nonce");
        assert_eq!(sealed_version(&a), Some(1));
        assert!(is_sealed(&a));
        assert_eq!(keys.open(&here, &a).unwrap().as_slice(), b"secret");
        assert_eq!(keys.open_text(&here, &b).unwrap().as_str(), "secret");
        assert_eq!(keys.open(&here, &keys.seal(&here, b"")).unwrap().len(), 0);
    }

    #[test]
    fn every_flipped_byte_and_another_context_are_refused() {
        let keys = keys();
        let here = context("totp_credentials", "secret", "u1");
        let sealed = keys.seal(&here, b"JBSWY3DPEHPK3PXP");
        let data_start = sealed.rfind(':').unwrap() + 1;
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed[data_start..]).unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 0x01;
            let altered = format!("{}{}", &sealed[..data_start], URL_SAFE_NO_PAD.encode(&raw));
            assert!(
                matches!(keys.open(&here, &altered), Err(VaultError::Tampered { .. })),
                "byte {i} flipped"
            );
            raw[i] ^= 0x01;
        }
        let other_row = context("totp_credentials", "secret", "u2");
        let error = keys.open(&other_row, &sealed).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the sealed value for totp_credentials.secret/u2 does not open: it was altered or belongs elsewhere"
        );
        assert_eq!(
            keys.open(&here, "JBSWY3DPEHPK3PXP"),
            Err(VaultError::Malformed)
        );
        let relabelled = sealed.replacen("fdenc:v1:1:", "fdenc:v1:2:", 1);
        assert_eq!(
            keys.open(&here, &relabelled),
            Err(VaultError::UnknownKey(2))
        );
    }

    #[test]
    fn older_keys_open_after_a_new_one_becomes_active() {
        let keys = keys();
        let old = keys.seal("c", b"v");
        keys.insert(2, DataKey::generate());
        assert_eq!(keys.set_active(3), Err(VaultError::UnknownKey(3)));
        keys.set_active(2).unwrap();
        let clone = keys.clone();
        let new = clone.seal("c", b"v");
        assert_eq!(sealed_version(&new), Some(2));
        assert_eq!(keys.open("c", &old).unwrap().as_slice(), b"v");
        assert_eq!(keys.open("c", &new).unwrap().as_slice(), b"v");
    }

    #[test]
    fn data_keys_unwrap_only_with_their_master_key_and_version() {
        let master = MasterKey::generate();
        let data = DataKey::generate();
        let wrapped = master.wrap(4, &data);
        let unwrapped = master.unwrap(4, &wrapped).unwrap();
        let keys = Keys::new(master.clone(), 4, unwrapped);
        let sealed = keys.seal("c", b"v");
        assert_eq!(
            Keys::new(master.clone(), 4, data)
                .open("c", &sealed)
                .unwrap()
                .as_slice(),
            b"v"
        );
        assert!(matches!(
            master.unwrap(5, &wrapped),
            Err(VaultError::Unwrap { version: 5, .. })
        ));
        let other = MasterKey::generate();
        let error = other.unwrap(4, &wrapped).unwrap_err();
        assert!(error.to_string().contains(&other.id()), "{error}");
    }

    #[test]
    fn malformed_master_keys_name_their_origin_and_never_the_key() {
        let error = MasterKey::from_base64("c2hvcnQ=", "environment variable FLOWDESK_MASTER_KEY")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "master key from environment variable FLOWDESK_MASTER_KEY: it decodes to 5 bytes; a master key is exactly 32 bytes"
        );
        let error =
            MasterKey::from_base64("not base64!", "file /etc/flowdesk/master.key").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("master key from file /etc/flowdesk/master.key: it is not base64"),
            "{error}"
        );
        assert!(MasterKey::from_base64(" \n", "x")
            .unwrap_err()
            .to_string()
            .contains("empty"));
        let key = MasterKey::generate();
        let text = key.to_base64();
        let parsed = MasterKey::from_base64(&format!("{}\n", text.as_str()), "x").unwrap();
        assert_eq!(parsed.id(), key.id());
        let debug = format!(
            "{key:?} {:?} {:?}",
            DataKey::generate(),
            Keys::new(key.clone(), 1, DataKey::generate())
        );
        assert!(!debug.contains(text.as_str()), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }
}
