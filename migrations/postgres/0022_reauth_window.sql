-- Re-authentication for sensitive actions (issue 31, "sudo mode"): how many
-- minutes a sign-in proven with the password (and second factor) counts as
-- recent. NULL = the default (10). The proof's time itself lives in the
-- session's data (`proven`), set at sign-in and on re-authentication.
ALTER TABLE site_settings ADD COLUMN reauth_window_minutes BIGINT;
