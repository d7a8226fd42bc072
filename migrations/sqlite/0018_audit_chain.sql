-- Tamper evidence for the audit log (service/audit.rs, store/audit.rs):
-- each event written from now on stores the SHA-256 chain hash of the event
-- before it (`prev_hash`) and its own (`hash`). Events written before this
-- migration keep NULL hashes: the chain begins at the first event after the
-- upgrade, and `gatehouse audit verify` counts the older ones as unchained.
-- `client_request_id` keeps a client's own X-Request-Id apart from ours.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD COLUMN client_request_id TEXT;

-- A lowered audit retention waits: the value and when it takes effect
-- (Unix ms); until then the sweep keeps using `audit_retention_days`.
ALTER TABLE site_settings ADD COLUMN audit_retention_pending_days BIGINT;
ALTER TABLE site_settings ADD COLUMN audit_retention_pending_at BIGINT;
