-- Credentials a user holds besides the password (SPEC §4):
--   alias_tokens   XNAT alias tokens: temporary HTTP Basic credentials (alias, secret)
--   access_tokens  personal access tokens: `Authorization: Bearer gh_pat_…`
--   service_keys   secrets kept for outside services, encrypted (AES-256-GCM);
--                  scope 0 = the site's key, otherwise the user id whose override it is
-- Secrets of the first two are stored as keyed hashes (HMAC-SHA256). Each
-- row keeps the user's credential generation at issue: a password change or
-- disabling (which bump it) ends the credential.
CREATE TABLE alias_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alias TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    last_used_ip TEXT
);
CREATE INDEX alias_tokens_user ON alias_tokens (user_id, created_at);

CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    last_used_ip TEXT,
    UNIQUE (user_id, name)
);
CREATE INDEX access_tokens_created ON access_tokens (created_at, id);

CREATE TABLE service_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    last4 TEXT NOT NULL,
    set_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_resolved_at BIGINT,
    resolutions BIGINT NOT NULL DEFAULT 0,
    UNIQUE (scope, name)
);
CREATE INDEX service_keys_user ON service_keys (user_id);

-- May a personal access token be made without an expiry? NULL = yes.
ALTER TABLE site_settings ADD COLUMN allow_non_expiring_tokens BOOLEAN;
