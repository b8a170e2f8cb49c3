-- Only call-activity children have a parent element instance: index those
-- alone, so that starting a top-level instance writes one index entry less.
DROP INDEX instances_parent_element;
CREATE INDEX instances_parent_element ON instances(parent_element_instance_key)
    WHERE parent_element_instance_key IS NOT NULL;

-- History without AUTOINCREMENT: rows are never deleted, so SQLite's
-- max(seq) + 1 already gives increasing, never reused positions, and an
-- append no longer updates the sqlite_sequence row as well.
CREATE TABLE history_appended (
    seq         INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    element_id  TEXT,
    detail      TEXT NOT NULL
);
INSERT INTO history_appended (seq, instance_id, at, kind, element_id, detail)
    SELECT seq, instance_id, at, kind, element_id, detail FROM history;
DROP TABLE history;
ALTER TABLE history_appended RENAME TO history;
CREATE INDEX history_instance ON history(instance_id, seq);
