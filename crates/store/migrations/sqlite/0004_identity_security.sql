-- Identity and security: sign-in throttling, session ids and MFA stages,
-- scoped API tokens, MFA per role, TOTP credentials and recovery codes.
-- SQLite dialect; keep in step with migrations/postgres.

-- Failed sign-ins per account ('account:<username>') and per client
-- address ('address:<ip>'), for lockout with back-off.
CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL
);

-- Sessions get a public id (listing and revoking never handle the secret's
-- hash), a stage ('full', or 'mfa' while the second factor is pending) and
-- a short description of the client. Existing sessions carry no id and are
-- ended: their users sign in again.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX sessions_id ON sessions(id);

-- Space-separated permission names a token is limited to (NULL: every
-- permission of its owner's role, for tokens created before scopes).
ALTER TABLE api_tokens ADD COLUMN scopes TEXT;

-- Users of a role with require_mfa = 1 must enrol a second factor.
ALTER TABLE roles ADD COLUMN require_mfa INTEGER NOT NULL DEFAULT 0;

-- One TOTP credential per user; confirmed_at is NULL until the user proved
-- they can generate codes. last_step is the last accepted 30 s time step,
-- so a code is accepted once.
CREATE TABLE totp_credentials (
    user_id      TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0
);

-- Single-use recovery codes, stored as SHA-256 hex.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);
