-- WebAuthn passkeys: as a second factor after the password and for
-- passwordless sign-in with a discoverable credential.
-- SQLite dialect; keep in step with migrations/postgres.

-- A user's registered passkeys. credential_id is the WebAuthn credential id
-- (base64url), unique across users; passkey is webauthn-rs's Passkey as JSON
-- (public key, signature counter, backup state), rewritten after each use.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_user ON passkeys(user_id);

-- Started registrations and sign-ins: the server-side WebAuthn state (JSON)
-- of each challenge handed to a browser. purpose is 'register',
-- 'second_factor' or 'sign_in'; user_id is NULL for passwordless sign-in,
-- where the credential names the user. A challenge is deleted when it is
-- answered (single use) and refused after expires_at.
CREATE TABLE passkey_challenges (
    id         TEXT PRIMARY KEY NOT NULL,
    purpose    TEXT NOT NULL,
    user_id    TEXT REFERENCES users(id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges(expires_at);
