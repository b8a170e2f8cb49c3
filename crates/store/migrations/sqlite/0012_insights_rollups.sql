-- Insights: coarser rollups of the analytics read model, so wide dashboard
-- queries read a few rows instead of every hour or day: per process, version
-- and UTC day and calendar month (UTC) next to the hourly rows, per process,
-- version, element and calendar month next to the daily element rows. The
-- fold writes every level in the transaction that advances the cursor, from
-- the same deltas; queries take the coarsest level a range covers whole.
-- SQLite dialect; keep in step with migrations/postgres.

-- Same columns as insights_process_hour, one row per process, version and
-- UTC day (day_start in ms).
CREATE TABLE insights_process_day (
    process_id         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    day_start          BIGINT NOT NULL,
    started            BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    cancelled          BIGINT NOT NULL,
    incidents_opened   BIGINT NOT NULL,
    incidents_resolved BIGINT NOT NULL,
    duration_count     BIGINT NOT NULL,
    duration_sum       BIGINT NOT NULL,
    duration_min       BIGINT,
    duration_max       BIGINT,
    duration_sketch    BLOB NOT NULL,
    PRIMARY KEY (process_id, version, day_start)
);
CREATE INDEX insights_process_day_time ON insights_process_day(day_start);

-- The same per calendar month (month_start: ms of its first day, 00:00 UTC).
CREATE TABLE insights_process_month (
    process_id         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    month_start        BIGINT NOT NULL,
    started            BIGINT NOT NULL,
    completed          BIGINT NOT NULL,
    cancelled          BIGINT NOT NULL,
    incidents_opened   BIGINT NOT NULL,
    incidents_resolved BIGINT NOT NULL,
    duration_count     BIGINT NOT NULL,
    duration_sum       BIGINT NOT NULL,
    duration_min       BIGINT,
    duration_max       BIGINT,
    duration_sketch    BLOB NOT NULL,
    PRIMARY KEY (process_id, version, month_start)
);
CREATE INDEX insights_process_month_time ON insights_process_month(month_start);

-- Same columns as insights_element_day, one row per process, version,
-- element and calendar month.
CREATE TABLE insights_element_month (
    process_id         TEXT NOT NULL,
    version            BIGINT NOT NULL,
    element_id         TEXT NOT NULL,
    month_start        BIGINT NOT NULL,
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
    duration_sketch    BLOB NOT NULL,
    wait_count         BIGINT NOT NULL,
    wait_sum           BIGINT NOT NULL,
    wait_min           BIGINT,
    wait_max           BIGINT,
    wait_sketch        BLOB NOT NULL,
    PRIMARY KEY (process_id, version, element_id, month_start)
);
CREATE INDEX insights_element_month_time ON insights_element_month(month_start);

-- Sketches cannot be merged in SQL: the read model folded so far is emptied
-- and the cursor set back, so the next catch-up (the worker's first tick)
-- folds all of history again into every level.
DELETE FROM insights_process_hour;
DELETE FROM insights_element_day;
DELETE FROM insights_pending;
DELETE FROM insights_instances;
DELETE FROM insights_gaps;
UPDATE insights_cursor SET high_water = 0, updated_at = 0 WHERE id = 1;
