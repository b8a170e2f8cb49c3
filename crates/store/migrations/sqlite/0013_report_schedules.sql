-- Scheduled reports: when each report with a cron schedule is due next.
-- A node runs a due report only after moving next_run_at forward with a
-- compare-and-set on the old value, so with several nodes each due
-- schedule runs once.
-- SQLite dialect; keep in step with migrations/postgres.
CREATE TABLE insights_report_schedules (
    report_id   TEXT PRIMARY KEY NOT NULL REFERENCES insights_reports(id) ON DELETE CASCADE,
    next_run_at BIGINT NOT NULL
);
CREATE INDEX insights_report_schedules_due ON insights_report_schedules(next_run_at);
