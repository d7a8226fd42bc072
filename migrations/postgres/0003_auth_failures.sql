-- Failed password checks per client address and minute, for rate limiting
-- (in the database so that every instance sees the same counts).
CREATE TABLE auth_failures (
    ip TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    PRIMARY KEY (ip, window_start)
);
