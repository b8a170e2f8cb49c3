-- The zeebe:versionTag of a deployed BPMN process version (NULL without one).
ALTER TABLE definitions ADD COLUMN version_tag TEXT;
CREATE INDEX definitions_version_tag ON definitions(kind, process_id, version_tag);
