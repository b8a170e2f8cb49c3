-- Insights: the analytics read model folded from history (crates/insights),
-- saved dashboards and reports with their runs, and the report permissions.
-- PostgreSQL dialect; keep in step with migrations/sqlite.

-- How far history has been folded: every seq <= high_water has been
-- consumed except the ones in insights_gaps.
CREATE TABLE insights_cursor (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    high_water BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO insights_cursor (id, high_water, updated_at) VALUES (1, 0, 0);

-- History seqs below the high-water mark not seen yet: on PostgreSQL a
-- transaction can commit after a later one; its rows are folded when they
-- appear, or forgotten (a rolled-back insert) after a grace period.
CREATE TABLE insights_gaps (
    seq           BIGINT PRIMARY KEY NOT NULL,
    first_seen_at BIGINT NOT NULL
);

-- One row per instance seen in history: its process, version and lifetime.
CREATE TABLE insights_instances (
    instance_id TEXT PRIMARY KEY NOT NULL,
    process_id  TEXT NOT NULL,
    version     BIGINT NOT NULL,
    started_at  BIGINT NOT NULL,
    ended_at    BIGINT,
    end_state   TEXT
);

-- What is open across batches: element instances, user tasks and incidents
-- (kind 'element', 'userTask', 'incident'), keyed by their engine key.
CREATE TABLE insights_pending (
    kind        TEXT NOT NULL,
    key         BIGINT NOT NULL,
    instance_id TEXT NOT NULL,
    element_id  TEXT NOT NULL,
    since       BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX insights_pending_instance ON insights_pending(instance_id);

-- Per process, version and hour (hour_start in ms): instances started,
-- ended and their durations (count, sum, min, max and a mergeable
-- log-bucket sketch for percentiles), incidents.
CREATE TABLE insights_process_hour (
    process_id         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    hour_start         BIGINT NOT NULL,
    started            BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    cancelled          BIGINT NOT NULL,
    incidents_opened   BIGINT NOT NULL,
    incidents_resolved BIGINT NOT NULL,
    duration_count     BIGINT NOT NULL,
    duration_sum       BIGINT NOT NULL,
    duration_min       BIGINT,
    duration_max       BIGINT,
    duration_sketch    BYTEA NOT NULL,
    PRIMARY KEY (process_id, version, hour_start)
);
CREATE INDEX insights_process_hour_time ON insights_process_hour(hour_start);

-- Per process, version, element and day (day_start in ms, UTC): element
-- instances activated, completed, terminated, incidents, durations of
-- completed element instances and waiting times of user tasks.
CREATE TABLE insights_element_day (
    process_id         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    element_id         TEXT NOT NULL,
    day_start          BIGINT NOT NULL,
    element_type       TEXT NOT NULL,
    activated          BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    terminated         BIGINT NOT NULL,
    incidents_opened   BIGINT NOT NULL,
    incidents_resolved BIGINT NOT NULL,
    duration_count     BIGINT NOT NULL,
    duration_sum       BIGINT NOT NULL,
    duration_min       BIGINT,
    duration_max       BIGINT,
    duration_sketch    BYTEA NOT NULL,
    wait_count         BIGINT NOT NULL,
    wait_sum           BIGINT NOT NULL,
    wait_min           BIGINT,
    wait_max           BIGINT,
    wait_sketch        BYTEA NOT NULL,
    PRIMARY KEY (process_id, version, element_id, day_start)
);
CREATE INDEX insights_element_day_time ON insights_element_day(day_start);

-- Saved dashboards and reports: definition is JSON (tiles; data source,
-- parameters, chart, columns). roles: JSON array of the roles that may read
-- it besides its owner and admins; empty = everyone with report:read.
CREATE TABLE insights_dashboards (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    definition  TEXT NOT NULL,
    roles       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE insights_reports (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    definition  TEXT NOT NULL,
    roles       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Each run of a report: the parameters it ran with, the history it saw
-- (as_of, ms) and its result (JSON: columns and rows).
CREATE TABLE insights_report_runs (
    id         TEXT PRIMARY KEY NOT NULL,
    report_id  TEXT NOT NULL REFERENCES insights_reports(id) ON DELETE CASCADE,
    parameters TEXT NOT NULL,
    as_of      BIGINT NOT NULL,
    ran_by     TEXT NOT NULL,
    ran_at     BIGINT NOT NULL,
    result     TEXT NOT NULL
);
CREATE INDEX insights_report_runs_report ON insights_report_runs(report_id, ran_at DESC);

INSERT INTO role_permissions (role, permission) VALUES
    ('admin', 'report:read'),
    ('admin', 'report:manage'),
    ('analyst', 'report:read'),
    ('analyst', 'report:manage'),
    ('designer', 'report:read'),
    ('operator', 'report:read'),
    ('viewer', 'report:read');
