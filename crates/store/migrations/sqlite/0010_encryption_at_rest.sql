-- Encryption at rest (flowdesk-vault): the deployment's AES-256-GCM data
-- keys, each stored only wrapped by the master key (which never enters the
-- database); master_key_id is the public fingerprint of the master key that
-- wrapped it. One key is 'active' (new values are sealed under it); after a
-- rotation the older ones are 'retiring' while their values are re-sealed,
-- then 'retired' (kept, so a value written by a node that had not yet
-- reloaded its keys still opens). Sealed values ('fdenc:v1:<version>:...')
-- live in their own TEXT columns, e.g. totp_credentials.secret; existing
-- plaintext TOTP seeds are sealed by the first start with a master key.
-- SQLite dialect; keep in step with migrations/postgres.
CREATE TABLE data_keys (
    version       INTEGER PRIMARY KEY NOT NULL,
    wrapped       TEXT NOT NULL,
    master_key_id TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
    created_at    INTEGER NOT NULL,
    retired_at    INTEGER
);
CREATE UNIQUE INDEX data_keys_one_active ON data_keys(state) WHERE state = 'active';
