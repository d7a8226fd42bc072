-- Indexes in the admin list's sort orders, with the id tie-break, so that a
-- keyset page is one index range scan on both databases.
CREATE INDEX users_username_order ON users (username_lower, id);
CREATE INDEX users_last_login_order ON users ((COALESCE(last_login_at, 0)), id);
