-- Decision evaluation history: one row per evaluation of a DMN decision
-- (through the API or a business rule task) with its trace as JSON.
-- PostgreSQL dialect; keep in step with migrations/sqlite.
CREATE TABLE decision_evaluations (
    id            TEXT PRIMARY KEY NOT NULL,
    decision_id   TEXT NOT NULL,
    decision_name TEXT NOT NULL,
    definition_id TEXT,
    version       BIGINT,
    instance_id   TEXT,
    element_id    TEXT,
    evaluated_at  BIGINT NOT NULL,
    result        TEXT NOT NULL,
    trace         TEXT NOT NULL
);
CREATE INDEX decision_evaluations_by_decision ON decision_evaluations (decision_id, evaluated_at);
CREATE INDEX decision_evaluations_by_instance ON decision_evaluations (instance_id, evaluated_at);
