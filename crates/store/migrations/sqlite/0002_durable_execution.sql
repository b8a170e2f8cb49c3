-- Durable execution: the engine's instance state, jobs, timers, message
-- subscriptions, append-only history and incidents.

ALTER TABLE instances ADD COLUMN state_json TEXT;
ALTER TABLE instances ADD COLUMN updated_at BIGINT;
-- The engine's instance key (all keys of an instance lie in
-- [instance_key, instance_key + 2^20)) and the next free key of the instance.
ALTER TABLE instances ADD COLUMN instance_key BIGINT;
ALTER TABLE instances ADD COLUMN next_key BIGINT;
CREATE UNIQUE INDEX instances_instance_key ON instances(instance_key);

-- Hands out instance numbers; the one row is locked only while an instance starts.
CREATE TABLE engine_keys (
    id            INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    next_instance BIGINT NOT NULL
);
INSERT INTO engine_keys (id, next_instance) VALUES (1, 1);

CREATE TABLE jobs (
    key                  BIGINT PRIMARY KEY NOT NULL,
    instance_id          TEXT NOT NULL REFERENCES instances(id),
    element_id           TEXT NOT NULL,
    element_instance_key BIGINT NOT NULL,
    job_type             TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('worker', 'userTask')),
    retries              BIGINT NOT NULL,
    state                TEXT NOT NULL CHECK (state IN ('activatable', 'activated', 'failed', 'done', 'cancelled')),
    deadline             BIGINT,
    worker               TEXT,
    variables            TEXT NOT NULL,
    custom_headers       TEXT NOT NULL,
    error_message        TEXT,
    backoff_until        BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX jobs_type_state ON jobs(job_type, state, key);
CREATE INDEX jobs_instance ON jobs(instance_id);

CREATE TABLE timers (
    key         BIGINT PRIMARY KEY NOT NULL,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    element_id  TEXT NOT NULL,
    due_at      BIGINT NOT NULL
);
CREATE INDEX timers_due ON timers(due_at);
CREATE INDEX timers_instance ON timers(instance_id);

CREATE TABLE message_subscriptions (
    key             BIGINT PRIMARY KEY NOT NULL,
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    element_id      TEXT NOT NULL,
    message_name    TEXT NOT NULL,
    correlation_key TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX message_subscriptions_name ON message_subscriptions(message_name, correlation_key);
CREATE INDEX message_subscriptions_instance ON message_subscriptions(instance_id);

-- Append-only: rows are never updated or deleted.
CREATE TABLE history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    element_id  TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX history_instance ON history(instance_id, seq);

CREATE TABLE incidents (
    key          BIGINT PRIMARY KEY NOT NULL,
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    element_id   TEXT NOT NULL,
    job_key      BIGINT,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT
);
CREATE INDEX incidents_state ON incidents(state, created_at DESC);
CREATE INDEX incidents_instance ON incidents(instance_id);
