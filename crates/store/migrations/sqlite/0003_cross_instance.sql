-- Cross-instance execution: call activity links, signal subscriptions,
-- buffered messages and the start events (message, signal, timer) of the
-- latest version of each process.

-- The call activity that started an instance (NULL for top-level instances).
ALTER TABLE instances ADD COLUMN parent_instance_id TEXT REFERENCES instances(id);
ALTER TABLE instances ADD COLUMN parent_element_instance_key BIGINT;
CREATE INDEX instances_parent_element ON instances(parent_element_instance_key);

CREATE TABLE signal_subscriptions (
    key         BIGINT PRIMARY KEY NOT NULL,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    signal_name TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX signal_subscriptions_name ON signal_subscriptions(signal_name);
CREATE INDEX signal_subscriptions_instance ON signal_subscriptions(instance_id);

-- Messages published with a time to live, kept until expires_at for
-- subscriptions opened later.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY NOT NULL,
    message_name    TEXT NOT NULL,
    correlation_key TEXT NOT NULL,
    variables       TEXT NOT NULL,
    published_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX messages_name ON messages(message_name, correlation_key, expires_at);
CREATE INDEX messages_expires ON messages(expires_at);

-- A buffered message is correlated at most once per instance.
CREATE TABLE message_correlations (
    message_id  TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    PRIMARY KEY (message_id, instance_id)
);

-- Definitions whose start events were registered (see start_events).
CREATE TABLE start_event_definitions (
    definition_id TEXT PRIMARY KEY NOT NULL REFERENCES definitions(id)
);

-- Message, signal and timer start events of the latest version of each process.
CREATE TABLE start_events (
    definition_id TEXT NOT NULL REFERENCES definitions(id),
    process_id    TEXT NOT NULL,
    element_id    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('message', 'signal', 'timer')),
    name          TEXT,
    due_at        BIGINT,
    remaining     BIGINT,
    schedule      TEXT,
    PRIMARY KEY (definition_id, element_id)
);
CREATE INDEX start_events_name ON start_events(kind, name);
CREATE INDEX start_events_due ON start_events(due_at);
CREATE INDEX start_events_process ON start_events(process_id);
