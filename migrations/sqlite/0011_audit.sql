-- The audit log (SPEC §7): one row per security-relevant event, appended in
-- the same transaction as the change it records. Rows are never changed:
-- the triggers below refuse UPDATE always, and DELETE unless the retention
-- sweep has opened `audit_purge` inside its own write transaction (the only
-- deleter; see service/audit.rs). `actor` keeps the username text, so the
-- trail stays readable after the account is deleted; `actor_id` has no
-- foreign key for the same reason.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    ip TEXT,
    user_agent TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_actor_id ON audit_events (actor_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
CREATE INDEX audit_events_target ON audit_events (target, id);
CREATE INDEX audit_events_target_user ON audit_events (target_kind, target_id, id);
CREATE INDEX audit_events_ip ON audit_events (ip, id);

CREATE TABLE audit_purge (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    open INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_purge (id, open) VALUES (1, 0);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN (SELECT open FROM audit_purge WHERE id = 1) = 0
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- How long events are kept (days; 0 = forever; NULL = the configured default).
ALTER TABLE site_settings ADD COLUMN audit_retention_days BIGINT;

-- Who runs the hourly sweeps (audit retention, later inactive accounts):
-- one instance at a time holds a job's lease until it expires.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
