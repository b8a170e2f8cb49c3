-- Offline snapshots of reports and dashboards, saved by the desktop from a
-- connected cluster so they open with no network (docs/REPORTS.md).
-- PostgreSQL dialect; keep in step with migrations/sqlite.

-- kind is 'report' or 'dashboard'; source_id its id on the cluster.
-- as_of is when the cluster's read model produced the numbers, saved_at
-- when this desktop stored them. document is the whole snapshot (the
-- versioned .flowdesk-report JSON: definition, data, chart SVGs), which is
-- also what an export writes.
CREATE TABLE report_snapshots (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    title        TEXT NOT NULL,
    cluster_name TEXT NOT NULL,
    cluster_url  TEXT NOT NULL,
    as_of        BIGINT NOT NULL,
    saved_at     BIGINT NOT NULL,
    document     TEXT NOT NULL
);
CREATE INDEX report_snapshots_saved ON report_snapshots(saved_at);
