-- Per-resource permissions: a role granted one permission on one resource
-- (a process by its BPMN process id, a decision by its decision id, a
-- report by its id) without holding the permission everywhere. Nothing is
-- granted that is not listed here or in role_permissions (deny by default).
-- SQLite dialect; keep in step with migrations/postgres.
CREATE TABLE role_resource_grants (
    id            TEXT PRIMARY KEY NOT NULL,
    role          TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    permission    TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (role, permission, resource_type, resource_id)
);
