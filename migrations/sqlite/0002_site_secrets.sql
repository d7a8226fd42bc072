-- Secrets the site generates for itself (e.g. the JWT signing key when none is configured).
CREATE TABLE site_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
