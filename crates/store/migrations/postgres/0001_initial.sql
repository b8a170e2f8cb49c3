-- Flowdesk schema, PostgreSQL dialect. Keep in step with migrations/sqlite.
-- Append-only: never edit a migration that has shipped; add a new one.

CREATE TABLE roles (
    name        TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL REFERENCES roles(name),
    created_at    BIGINT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    resource  TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE definitions (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('bpmn', 'dmn', 'form')),
    process_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       BIGINT NOT NULL,
    resource_name TEXT NOT NULL,
    content       TEXT NOT NULL,
    checksum      TEXT NOT NULL,
    deployed_at   BIGINT NOT NULL,
    deployed_by   TEXT NOT NULL,
    UNIQUE (kind, process_id, version)
);
CREATE INDEX definitions_deployed ON definitions(deployed_at DESC);

CREATE TABLE instances (
    id            TEXT PRIMARY KEY NOT NULL,
    definition_id TEXT NOT NULL REFERENCES definitions(id),
    process_id    TEXT NOT NULL,
    version       BIGINT NOT NULL,
    state         TEXT NOT NULL,
    variables     TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    started_by    TEXT NOT NULL
);
CREATE INDEX instances_started ON instances(started_at DESC, id DESC);
CREATE INDEX instances_process_state ON instances(process_id, state, started_at DESC);
CREATE INDEX instances_state ON instances(state, started_at DESC);

INSERT INTO roles (name, description) VALUES
    ('admin', 'Everything, including users and the audit log'),
    ('designer', 'Designs and deploys process definitions, starts instances'),
    ('operator', 'Runs and watches process instances'),
    ('analyst', 'Reads definitions and instances for reporting'),
    ('viewer', 'Reads definitions and instances');

INSERT INTO role_permissions (role, permission) VALUES
    ('admin', 'definition:read'),
    ('admin', 'definition:deploy'),
    ('admin', 'instance:read'),
    ('admin', 'instance:start'),
    ('admin', 'user:read'),
    ('admin', 'user:manage'),
    ('admin', 'audit:read'),
    ('designer', 'definition:read'),
    ('designer', 'definition:deploy'),
    ('designer', 'instance:read'),
    ('designer', 'instance:start'),
    ('operator', 'definition:read'),
    ('operator', 'instance:read'),
    ('operator', 'instance:start'),
    ('analyst', 'definition:read'),
    ('analyst', 'instance:read'),
    ('viewer', 'definition:read'),
    ('viewer', 'instance:read');
