-- Admin → Statistics and the user list's figures (SPEC §8), each read as an
-- index range: failed sign-ins per user over a time window, successful
-- sign-ins per day, and the list ordered by storage used.
CREATE INDEX audit_events_failed_sign_ins ON audit_events (target_id, at)
    WHERE action = 'sign_in_failed' AND target_kind = 'user';
CREATE INDEX audit_events_sign_ins ON audit_events (at) WHERE action = 'sign_in';
CREATE INDEX users_storage_order ON users (storage_used, id);
-- Replaces the index on user_id alone: counts of projects owned and joined.
DROP INDEX memberships_user;
CREATE INDEX memberships_user_role ON memberships (user_id, role);
