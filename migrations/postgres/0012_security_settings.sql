-- Security settings become site settings (SPEC §5; NULL = the configured
-- default): password expiry, the lockout, session lengths, and disabling
-- accounts unused for a number of days.
ALTER TABLE site_settings ADD COLUMN password_expiry_days BIGINT;
ALTER TABLE site_settings ADD COLUMN lockout_threshold BIGINT;
ALTER TABLE site_settings ADD COLUMN lockout_minutes BIGINT;
ALTER TABLE site_settings ADD COLUMN session_idle_minutes BIGINT;
ALTER TABLE site_settings ADD COLUMN session_lifetime_minutes BIGINT;
ALTER TABLE site_settings ADD COLUMN inactive_days BIGINT;
