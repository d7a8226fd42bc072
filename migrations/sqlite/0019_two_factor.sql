-- Two-factor sign-in (issue 31), first slice: an authenticator app (TOTP)
-- per user, single-use recovery codes, and the half-signed-in state
-- between the password and the second step.

-- The user's authenticator-app secret, sealed with the credential key
-- (AES-256-GCM, `totp:USER_ID` as associated data). `confirmed_at` is NULL
-- while enrolment waits for its first code; only a confirmed row is a
-- second factor. `last_step` is the 30-second step of the last accepted
-- code: a code for that step or an earlier one is refused (replay).
CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT -1
);

-- Recovery codes, kept as keyed hashes (HMAC-SHA256 with the token MAC
-- key); `used_at` is set once, by a conditional update.
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A sign-in that passed the password and waits for its second step, keyed
-- by a SHA-256 of the step id the client holds. It counts only for the
-- same credential generation, and only until `expires_at` (5 minutes).
CREATE TABLE sign_in_steps (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL,
    door TEXT NOT NULL,
    details TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_steps_expires ON sign_in_steps (expires_at);
