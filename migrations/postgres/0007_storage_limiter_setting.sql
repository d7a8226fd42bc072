-- The storage limiter becomes a site setting too (NULL = the configured default).
ALTER TABLE site_settings ADD COLUMN storage_limiter BOOLEAN;
