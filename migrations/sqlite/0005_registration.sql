-- Site settings an admin changes in the panel (one row; NULL = the
-- configuration's default), and single-use email links (verification,
-- password reset, email change), stored as SHA-256 hashes.
CREATE TABLE site_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    registration_open BOOLEAN,
    require_email_verification BOOLEAN,
    require_admin_approval BOOLEAN,
    notify_admins BOOLEAN,
    password_min_length BIGINT,
    require_login BOOLEAN,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO site_settings (id, version, updated_at) VALUES (1, 1, 0);

CREATE TABLE email_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    new_email TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
